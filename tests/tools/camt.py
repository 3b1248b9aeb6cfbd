#!/usr/bin/env python3
"""Write a camt.054.001.08 notification, or a camt.053.001.08 statement,
for the integration tests.

usage: camt.py [--statement] ACCOUNT MSGID < ENTRIES > FILE

One entry per input line, each with one transaction detail, tab-separated:
  status date amount currency direction reversal reference acct_svcr_ref uetr
  end_to_end_id entry_acct_svcr_ref debtor_name
"-" leaves an element out. The entry's Amt is the detail's amount, so the
totals agree. --statement writes a camt.053.001.08 (BkToCstmrStmt/Stmt
instead of BkToCstmrDbtCdtNtfctn/Ntfctn) with the balances its schema
requires: an opening booked balance (OPBD) of 1000.00 and a closing one
(CLBD) that adds the booked credits and takes away the booked debits, so
that the balance check of SPEC 13 agrees. Written with ElementTree (the
tests check the result against the ISO 20022 schema).
"""
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal

NOTIFICATION = ("camt.054.001.08", "BkToCstmrDbtCdtNtfctn", "Ntfctn")
STATEMENT = ("camt.053.001.08", "BkToCstmrStmt", "Stmt")
OPENING = Decimal("1000.00")


def sub(parent, tag, text=None, **attrs):
    e = ET.SubElement(parent, tag, attrs)
    if text is not None:
        e.text = text
    return e


def balance(parent, code, amount, ccy, date):
    bal = sub(parent, "Bal")
    sub(sub(sub(bal, "Tp"), "CdOrPrtry"), "Cd", code)
    sub(bal, "Amt", "%.2f" % abs(amount), Ccy=ccy)
    sub(bal, "CdtDbtInd", "CRDT" if amount >= 0 else "DBIT")
    sub(sub(bal, "Dt"), "Dt", date)


def entry(report, f):
    (status, date, amount, ccy, direction, reversal, ref, asr, uetr, e2e, entry_asr, name) = f
    ntry = sub(report, "Ntry")
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


def main():
    args = sys.argv[1:]
    statement = bool(args) and args[0] == "--statement"
    if statement:
        args = args[1:]
    if len(args) != 2:
        sys.exit("usage: camt.py [--statement] ACCOUNT MSGID < ENTRIES > FILE")
    account, msgid = args
    version, root_tag, report_tag = STATEMENT if statement else NOTIFICATION
    ns = "urn:iso:std:iso:20022:tech:xsd:" + version
    entries = []
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        entries.append([None if v == "-" else v for v in line.split("\t")])
    ET.register_namespace("", ns)
    doc = ET.Element("{%s}Document" % ns)
    root = sub(doc, root_tag)
    hdr = sub(root, "GrpHdr")
    sub(hdr, "MsgId", msgid)
    sub(hdr, "CreDtTm", "2026-11-20T18:00:00+01:00")
    report = sub(root, report_tag)
    sub(report, "Id", msgid + ("-S" if statement else "-N"))
    acct = sub(sub(report, "Acct"), "Id")
    sub(acct, "IBAN", account)
    if statement:
        ccy = entries[0][3] if entries else "CHF"
        closing = OPENING
        for f in entries:
            if f[0] == "BOOK":
                closing += Decimal(f[2]) if f[4] == "CRDT" else -Decimal(f[2])
        balance(report, "OPBD", OPENING, ccy, "2026-11-01")
        balance(report, "CLBD", closing, ccy, "2026-11-20")
    for f in entries:
        entry(report, f)
    ET.indent(doc)
    sys.stdout.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    sys.stdout.write(ET.tostring(doc, encoding="unicode"))
    sys.stdout.write("\n")


main()
