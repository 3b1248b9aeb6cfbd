#!/usr/bin/env python3
"""Write the XML twin of a case or transaction CSV file (SPEC 5.4, 6).

usage: csv2xml.py IN.csv OUT.xml [--bad-record N ...]

Empty CSV values become absent elements. --bad-record N adds an unknown
element to record N, the XML counterpart of a CSV row with a wrong field
count (BAD_RECORD). Used to make the committed XML fixtures and by bench.
"""
import csv
import sys
from xml.sax.saxutils import escape, quoteattr

CASE = [("creditor_id", "creditorId"), ("creditor_reference", "creditorReference")]
DEBTOR = [("debtor_name", "name"), ("debtor_national_id", "nationalId"), ("debtor_birth_date", "birthDate")]
ADDRESS = [("debtor_street", "street"), ("debtor_postal_code", "postalCode"), ("debtor_city", "city"), ("debtor_country", "country")]
CONTACT = [("debtor_email", "email"), ("debtor_phone", "phone")]
INVOICE = [("invoice_number", "number"), ("invoice_date", "date"), ("due_date", "dueDate")]
INVOICE2 = [("paid_amount", "paidAmount"), ("fee_amount", "feeAmount"), ("interest_amount", "interestAmount")]
TAIL = [("claim_type", "claimType"), ("disputed", "disputed"), ("reminder_date", "reminderDate"),
        ("notice_date", "noticeDate")]
TX = [("creditor_id", "creditorId"), ("creditor_reference", "creditorReference"), ("transaction_id", "transactionId"), ("kind", "kind"), ("booking_date", "bookingDate")]


def leaves(row, pairs, indent):
    out = []
    for col, el in pairs:
        v = (row.get(col) or "")
        if v.strip() != "":
            out.append(f"{indent}<{el}>{escape(v)}</{el}>")
    return out


def case_xml(row, bad):
    o = ["  <case>"]
    o += leaves(row, CASE, "    ")
    o.append(f"    <debtor type={quoteattr(row.get('debtor_type') or '')}>")
    o += leaves(row, DEBTOR, "      ")
    o.append("      <address>")
    o += leaves(row, ADDRESS, "        ")
    o.append("      </address>")
    o += leaves(row, CONTACT, "      ")
    o.append("    </debtor>")
    o.append("    <invoice>")
    o += leaves(row, INVOICE, "      ")
    o.append(f"      <amount currency={quoteattr(row.get('currency') or '')}>{escape(row.get('original_amount') or '')}</amount>")
    o += leaves(row, INVOICE2, "      ")
    o.append("    </invoice>")
    o += leaves(row, TAIL, "    ")
    if bad:
        o.append("    <unexpected>x</unexpected>")
    o.append("  </case>")
    return o


def tx_xml(row, bad):
    o = ["  <transaction>"]
    o += leaves(row, TX, "    ")
    if (row.get("amount") or "").strip() != "":
        o.append(f"    <amount currency={quoteattr(row.get('currency') or '')}>{escape(row['amount'])}</amount>")
    o += leaves(row, [("reason", "reason")], "    ")
    if bad:
        o.append("    <unexpected>x</unexpected>")
    o.append("  </transaction>")
    return o


def main():
    src, dst = sys.argv[1], sys.argv[2]
    bad = {int(a) for a in sys.argv[4::2]} if "--bad-record" in sys.argv else set()
    with open(src, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    tx = rows and "transaction_id" in rows[0]
    with open(dst, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<transactionFile xmlns="urn:inkasso:transaction-file:1">\n' if tx else '<caseFile xmlns="urn:inkasso:case-file:1">\n')
        for i, row in enumerate(rows, 1):
            if None in row:  # a row with more fields than the header
                row.pop(None)
            out.write("\n".join((tx_xml if tx else case_xml)(row, i in bad)) + "\n")
        out.write("</transactionFile>\n" if tx else "</caseFile>\n")


if __name__ == "__main__":
    main()
