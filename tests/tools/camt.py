#!/usr/bin/env python3
"""Write a camt.054.001.08 notification for the integration tests.

usage: camt.py ACCOUNT MSGID < ENTRIES > FILE

One entry per input line, each with one transaction detail, tab-separated:
  status date amount currency direction reversal reference acct_svcr_ref uetr
  end_to_end_id entry_acct_svcr_ref debtor_name
"-" leaves an element out. The entry's Amt is the detail's amount, so the
totals agree. Written with ElementTree (the test checks the result against
the ISO 20022 schema).
"""
import sys
import xml.etree.ElementTree as ET

NS = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"


def sub(parent, tag, text=None, **attrs):
    e = ET.SubElement(parent, tag, attrs)
    if text is not None:
        e.text = text
    return e


def main():
    account, msgid = sys.argv[1], sys.argv[2]
    ET.register_namespace("", NS)
    doc = ET.Element("{%s}Document" % NS)
    root = sub(doc, "BkToCstmrDbtCdtNtfctn")
    hdr = sub(root, "GrpHdr")
    sub(hdr, "MsgId", msgid)
    sub(hdr, "CreDtTm", "2026-11-20T18:00:00+01:00")
    ntf = sub(root, "Ntfctn")
    sub(ntf, "Id", msgid + "-N")
    acct = sub(sub(ntf, "Acct"), "Id")
    sub(acct, "IBAN", account)
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        f = [None if v == "-" else v for v in line.split("\t")]
        (status, date, amount, ccy, direction, reversal, ref, asr, uetr, e2e, entry_asr, name) = f
        ntry = sub(ntf, "Ntry")
        sub(ntry, "Amt", amount, Ccy=ccy)
        sub(ntry, "CdtDbtInd", direction)
        if reversal is not None:
            sub(ntry, "RvslInd", reversal)
        sub(sub(ntry, "Sts"), "Cd", status)
        if date is not None:
            sub(sub(ntry, "BookgDt"), "Dt", date)
        if entry_asr is not None:
            sub(ntry, "AcctSvcrRef", entry_asr)
        dom = sub(sub(ntry, "BkTxCd"), "Domn")
        sub(dom, "Cd", "PMNT")
        fam = sub(dom, "Fmly")
        sub(fam, "Cd", "RCDT" if direction == "CRDT" else "ICDT")
        sub(fam, "SubFmlyCd", "ESCT")
        tx = sub(sub(ntry, "NtryDtls"), "TxDtls")
        if asr is not None or uetr is not None or e2e is not None:
            refs = sub(tx, "Refs")
            if asr is not None:
                sub(refs, "AcctSvcrRef", asr)
            if e2e is not None:
                sub(refs, "EndToEndId", e2e)
            if uetr is not None:
                sub(refs, "UETR", uetr)
        sub(tx, "Amt", amount, Ccy=ccy)
        sub(tx, "CdtDbtInd", direction)
        if name is not None:
            sub(sub(sub(sub(tx, "RltdPties"), "Dbtr"), "Pty"), "Nm", name)
        if ref is not None:
            sub(sub(sub(sub(tx, "RmtInf"), "Strd"), "CdtrRefInf"), "Ref", ref)
    ET.indent(doc)
    sys.stdout.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    sys.stdout.write(ET.tostring(doc, encoding="unicode"))
    sys.stdout.write("\n")


main()
