#!/usr/bin/env python3
"""Deterministic synthetic data for fault tests and make bench.

  gen.py creditors K OUT.csv               K creditors over CH, SE, NO, DK
  gen.py cases N OUT.csv [K] [--disputed-every M]
                                           N valid cases over K creditors; records
                                           M, 2M, ... disputed=true (rejected as
                                           DISPUTED), all else as without it
  gen.py transactions N OUT.csv M [K]      N payments over the first M cases

Cases are valid under tests/conf/test.conf and conf/engine.conf with
--as-of 2026-10-01 or later (due dates up to 2026-09-28; a reminder date
outside CH, and a collection notice on the same day in DK, where the
shipped configuration requires one: SPEC 16), so that the
transactions, booked 2026-10-01 to 2026-10-28, are not booked before their
case was registered (SPEC 6 v2) when the cases are loaded as of 2026-10-01; realistic field lengths, UTF-8 names, some
quoted fields (commas, quotes).
"""
import random
import sys

COUNTRIES = [
    # country, currency, iban, postal, national ids (person, company)
    ("CH", "CHF", "CH9300762011623852957", "8001", ["756.9217.0769.85", ""], ["CHE-116.281.710"]),
    ("SE", "SEK", "SE4550000000058398257466", "114 55", ["811218-9876", ""], ["556036-0793"]),
    ("NO", "NOK", "NO9386011117947", "0153", ["15076500565", ""], ["923609016"]),
    ("DK", "DKK", "DK5000400440116243", "1050", ["010190-1234", ""], ["10150817"]),
]
FIRST = ["Anna", "Björn", "Søren", "Åsa", "Jürg", "Léa", "Ola", "Kari", "Mette", "Ümit", "Zoë", "Erik", "Ingrid", "Niklas"]
LAST = ["Müller", "Svensson", "Østergaard", "Hansen", "Nordmann", "Lindqvist", "Grüter", "Jørgensen", "Berg", "Keller"]
STREETS = ["Bahnhofstrasse", "Storgatan", "Nørregade", "Karl Johans gate", "Rue du Marché", "Kungsgatan", "Vesterbrogade"]
CITIES = ["Zürich", "Stockholm", "København", "Oslo", "Genève", "Malmö", "Århus", "Bergen"]


def creditor_rows(k):
    rows = []
    for i in range(k):
        c = COUNTRIES[i % 4]
        rows.append((f"CR{i:03d}", f"Creditor {i} AG", c[0], c[1], f"{10 + i % 10}.50", "creditor" if i % 2 == 0 else "agency", c[2]))
    return rows


def write_creditors(k, out):
    with open(out, "w", encoding="utf-8") as f:
        f.write("creditor_id,name,country,currency,commission_pct,interest_to,iban,active\n")
        for r in creditor_rows(k):
            f.write(",".join(r) + ",true\n")


def q(s):
    if any(ch in s for ch in ',"\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def write_cases(n, out, k, disputed_every=0):
    rnd = random.Random(42)
    creds = creditor_rows(k)
    cidx = {c[0]: i for i, c in enumerate(COUNTRIES)}
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("creditor_id,creditor_reference,debtor_type,debtor_name,debtor_national_id,debtor_birth_date,"
                "debtor_street,debtor_postal_code,debtor_city,debtor_country,debtor_email,debtor_phone,"
                "invoice_number,invoice_date,due_date,original_amount,currency,paid_amount,fee_amount,"
                "interest_amount,claim_type,disputed,reminder_date,notice_date\n")
        buf = []
        for i in range(n):
            cr = creds[i % k]
            co = COUNTRIES[cidx[cr[2]]]
            company = rnd.random() < 0.2
            if company:
                name = f"{rnd.choice(LAST)} {rnd.choice(['AG', 'AB', 'AS', 'ApS'])}"
                if rnd.random() < 0.1:
                    name = name + ", Filiale " + str(i % 97)
                nid = co[5][0] if rnd.random() < 0.5 else ""
                birth = ""
            else:
                name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
                if rnd.random() < 0.02:
                    name = f'{name} "Junior"'
                nid = rnd.choice(co[4])
                birth = f"19{50 + i % 50:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            m = 1 + i % 8
            inv = f"2026-{m:02d}-{1 + i % 28:02d}"
            due = f"2026-{m + 1:02d}-{1 + i % 28:02d}"
            rem = f"2026-{m + 1:02d}-{1 + i % 28:02d}" if co[0] != "CH" else ""
            notice = rem if co[0] == "DK" else ""
            amount = rnd.randint(1000, 2500000)
            paid = rnd.randint(0, amount // 2) if rnd.random() < 0.2 else 0
            claim = rnd.choice(["goods", "services", "other"])
            buf.append(",".join([
                cr[0], f"REF-{i:09d}", "company" if company else "person", q(name), nid, birth,
                q(f"{rnd.choice(STREETS)} {1 + i % 200}"), co[3], rnd.choice(CITIES), co[0],
                f"debtor{i}@example.org" if rnd.random() < 0.5 else "",
                f"+46 70 {i % 1000:03d} {i % 100:02d} {i % 10}0" if rnd.random() < 0.3 else "",
                f"INV-{i:08d}", inv, due, f"{amount // 100}.{amount % 100:02d}", co[1],
                f"{paid // 100}.{paid % 100:02d}" if paid else "", "", "", claim,
                "true" if disputed_every and (i + 1) % disputed_every == 0 else "false", rem, notice,
            ]))
            if len(buf) >= 10000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")


def write_transactions(n, out, m, k):
    rnd = random.Random(7)
    creds = creditor_rows(k)
    with open(out, "w", encoding="utf-8") as f:
        f.write("creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason\n")
        buf = []
        for i in range(n):
            c = i % m
            cr = creds[c % k]
            kind = "payment" if rnd.random() < 0.8 else rnd.choice(["direct_payment", "credit_note"])
            amt = rnd.randint(100, 20000)
            buf.append(f"{cr[0]},REF-{c:09d},TX-{i:010d},{kind},2026-10-{1 + i % 28:02d},{amt // 100}.{amt % 100:02d},{cr[3]},")
            if len(buf) >= 10000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")


def main():
    args = sys.argv[1:]
    disputed_every = 0
    if "--disputed-every" in args:
        at = args.index("--disputed-every")
        disputed_every = int(args[at + 1])
        del args[at:at + 2]
    what = args[0]
    if what == "creditors":
        write_creditors(int(args[1]), args[2])
    elif what == "cases":
        write_cases(int(args[1]), args[2], int(args[3]) if len(args) > 3 else 40, disputed_every)
    elif what == "transactions":
        write_transactions(int(args[1]), args[2], int(args[3]), int(args[4]) if len(args) > 4 else 40)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
