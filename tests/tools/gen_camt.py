#!/usr/bin/env python3
"""A camt.054.001.08 of N credits for make bench, and the transaction file
of the same payments.

  gen_camt.py N M ACCOUNT XML TX.csv [K]

N credit details into ACCOUNT (the agency's CHF account), paying the CHF
cases among the M cases of `gen.py cases M OUT [K]` (K creditors, 40 by
default). XML (or - for stdout) gets the camt.054, TX.csv the CSV
transaction file of the same payments in the same order: the same cases,
amounts and booking dates (2026-10-01 to 2026-10-28), transaction_id the
detail's AcctSvcrRef.

The cases are taken to be numbered 1..M in file order (a case file loaded
by one loader into a fresh database), and each credit carries its case's
QR reference (SPEC 12, qrr; tests/tools/payref.py), but every 20th, which
goes to suspense: in turn without a structured reference (NO_REFERENCE), with
a check digit off by one (BAD_REFERENCE) and with the reference of a case
number no case has (UNKNOWN_REFERENCE). In the CSV file those rows name a
creditor_reference no case has (UNKNOWN_CASE). So the camt.054 loads with
N - N//20 accepted and N//20 to suspense, the CSV file with N - N//20
accepted and N//20 rejected.

Entries as a bank books QR payments: one booked entry (Btch NbOfTxs and
TtlAmt, the entry's Amt their sum) per day and at most 1000 details. Plain
string writes, streamed: a few seconds per million details.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402
import payref  # noqa: E402

NS = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"
DAYS = 28
PER_ENTRY = 1000
SUSPENSE_EVERY = 20
UNKNOWN_BASE = 10 ** 12  # case numbers no bench database reaches

DETAIL = """\
        <TxDtls>
          <Refs>
            <AcctSvcrRef>{asr}</AcctSvcrRef>
            <EndToEndId>NOTPROVIDED</EndToEndId>
          </Refs>
          <Amt Ccy="CHF">{amt}</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties>
            <Dbtr>
              <Pty>
                <Nm>{name}</Nm>
              </Pty>
            </Dbtr>
          </RltdPties>
          <RmtInf>
{rmt}          </RmtInf>
        </TxDtls>
"""
STRD = """\
            <Strd>
              <CdtrRefInf>
                <Tp>
                  <CdOrPrtry>
                    <Prtry>QRR</Prtry>
                  </CdOrPrtry>
                </Tp>
                <Ref>{ref}</Ref>
              </CdtrRefInf>
            </Strd>
"""
USTRD = "            <Ustrd>Rechnung {n}</Ustrd>\n"
ENTRY_HEAD = """\
    <Ntry>
      <Amt Ccy="CHF">{total}</Amt>
      <CdtDbtInd>CRDT</CdtDbtInd>
      <Sts>
        <Cd>BOOK</Cd>
      </Sts>
      <BookgDt>
        <Dt>{date}</Dt>
      </BookgDt>
      <ValDt>
        <Dt>{date}</Dt>
      </ValDt>
      <AcctSvcrRef>{asr}</AcctSvcrRef>
      <BkTxCd>
        <Domn>
          <Cd>PMNT</Cd>
          <Fmly>
            <Cd>RCDT</Cd>
            <SubFmlyCd>VCOM</SubFmlyCd>
          </Fmly>
        </Domn>
      </BkTxCd>
      <NtryDtls>
        <Btch>
          <NbOfTxs>{n}</NbOfTxs>
          <TtlAmt Ccy="CHF">{total}</TtlAmt>
          <CdtDbtInd>CRDT</CdtDbtInd>
        </Btch>
"""
ENTRY_TAIL = "      </NtryDtls>\n    </Ntry>\n"


def money(cents):
    return f"{cents // 100}.{cents % 100:02d}"


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    n, m, account, xml_out, tx_out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    k = int(sys.argv[6]) if len(sys.argv) > 6 else 40
    creds = gen.creditor_rows(k)
    # the CHF cases: record i of the case file (0-based) is case i + 1
    chf = [i for i in range(m) if creds[i % k][3] == "CHF"]
    if not chf:
        sys.exit("gen_camt.py: no CHF case among the first %d" % m)
    rnd = random.Random(54)
    refs = {}
    xml = sys.stdout if xml_out == "-" else open(xml_out, "w", encoding="utf-8")
    tx = open(tx_out, "w", encoding="utf-8")
    xml.write('<?xml version="1.0" encoding="UTF-8"?>\n'
              f'<Document xmlns="{NS}">\n  <BkToCstmrDbtCdtNtfctn>\n'
              '    <GrpHdr>\n      <MsgId>BENCH-054</MsgId>\n'
              '      <CreDtTm>2026-10-29T06:00:00+01:00</CreDtTm>\n    </GrpHdr>\n'
              '    <Ntfctn>\n      <Id>BENCH-054-1</Id>\n'
              f'      <Acct>\n        <Id>\n          <IBAN>{account}</IBAN>\n        </Id>\n      </Acct>\n')
    tx.write("creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason\n")
    entries = 0
    j = 0
    for day in range(1, DAYS + 1):
        end = n * day // DAYS
        date = f"2026-10-{day:02d}"
        while j < end:
            size = min(PER_ENTRY, end - j)
            entries += 1
            details, rows, total = [], [], 0
            for d in range(j, j + size):
                i = chf[rnd.randrange(len(chf))]
                cents = rnd.randint(500, 50000)
                total += cents
                asr = f"QR{d:012d}"
                name = f"{rnd.choice(gen.FIRST)} {rnd.choice(gen.LAST)}"
                if d % SUSPENSE_EVERY == SUSPENSE_EVERY - 1:
                    why = (d // SUSPENSE_EVERY) % 3
                    if why == 0:
                        rmt = USTRD.format(n=d)
                    else:
                        ref = payref.make("qrr", UNKNOWN_BASE + d if why == 2 else i + 1)
                        if why == 1:
                            ref = ref[:-1] + str((int(ref[-1]) + 1) % 10)
                        rmt = STRD.format(ref=ref)
                    rows.append(f"{creds[i % k][0]},NOCASE-{d:012d},{asr},payment,{date},{money(cents)},CHF,")
                else:
                    ref = refs.get(i)
                    if ref is None:
                        ref = refs[i] = payref.make("qrr", i + 1)
                    rmt = STRD.format(ref=ref)
                    rows.append(f"{creds[i % k][0]},REF-{i:09d},{asr},payment,{date},{money(cents)},CHF,")
                details.append(DETAIL.format(asr=asr, amt=money(cents), name=name, rmt=rmt))
            xml.write(ENTRY_HEAD.format(total=money(total), date=date, asr=f"E{day:02d}-{entries:08d}", n=size))
            xml.write("".join(details))
            xml.write(ENTRY_TAIL)
            tx.write("\n".join(rows) + "\n")
            j += size
    xml.write("    </Ntfctn>\n  </BkToCstmrDbtCdtNtfctn>\n</Document>\n")
    tx.close()
    if xml is not sys.stdout:
        xml.close()
    else:
        xml.flush()


if __name__ == "__main__":
    main()
