#!/usr/bin/env python3
"""Property check of the settlement (SPEC 9 v2) over many random months,
with the real programs.

  settle_property.py SEED MONTHS WORKDIR

Environment: LOADER, SETTLEMENT, CONF (the test configuration), PG*
(a database with the schema and the fixture creditors, emptied of cases).

Each month loads new cases (some backdated, loaded after the period they
are registered in was settled), transactions booked in the month (some in
earlier, closed months, loaded late; some withdrawals booked early the next
month, loaded before the month is run, of cases a payment pays off), and
reversals of random payments (SPEC 9.1 v2, inserted with SQL as the bank
loader will store them: booked from a few days before their payment to
weeks after it, so some wait for a payment booked in a later month), then
runs the month: for every creditor, for one or a few with --creditor, or
not at all; now and then re-runs an earlier month. A last run settles
everything left.

The driver keeps its own model of SPEC 9 v2: which periods are closed for
which creditor, in which statement each transaction must be settled, which
cases each statement must count as registered. After every run it checks
the database against the model and the rules that hold whatever the
amounts:
  - every transaction is in the statement the model expects, or unsettled
    when no run has covered its booking date since it was loaded (a
    reversal also while its payment is neither settled nor booked in the
    run); once, and never twice; at the end none is left;
  - a statement exists for (creditor, period, currency) exactly when the
    model settles a transaction in it; none is issued again;
  - registeredCases and registeredPrincipal are the model's;
  - openCases = previous openCases + registered - withdrawn - paid +
    reopened, statement to statement, also across periods closed without a
    statement; the latest statement's openCases and openPrincipal are the
    open cases (as booked) that a statement counted, and their principal;
  - totals are the sums of the lines (reversals too); case balances those
    of their last line; paid cases opened again by a reversal are the
    statement's reopenedCases;
  - a reversal's line is its payment's negated (the amount excepted), and
    comes after it;
  - a re-run changes no statement file and settles nothing;
  - a case paid off before its withdrawal's booking date is counted paid,
    shows withdrawn in the case list until the withdrawal is booked, then
    closed, and its withdrawal line is all 0.00.
Prints one summary line; exits 1 on the first violation.
"""
import calendar
import csv
import datetime as dt
import filecmp
import io
import os
import random
import subprocess
import sys

LOADER = os.environ["LOADER"]
SETTLEMENT = os.environ["SETTLEMENT"]
CONF = os.environ["CONF"]

# the fixture creditors with cases here: id -> (country, currency, postal code)
CREDITORS = {
    "C1": ("CH", "CHF", "8001"),
    "D1": ("DK", "DKK", "1165"),
    "N1": ("NO", "NOK", "0153"),
    "S1": ("SE", "SEK", "11122"),
}
ALL_CREDITORS = ["C1", "D1", "N1", "S1", "X9"]  # every run covers X9 too
# the statement that counted a case as registered: per case before
# schemas/0013_registered_batches.sql, per creditor, currency and batch since
COUNTED_BY = ("coalesce(registered_statement, (SELECT b.statement_number FROM registered_batches b"
              " WHERE b.creditor_id = cases.creditor_id AND b.currency = cases.currency"
              " AND b.batch_id = cases.batch_id))")
NEEDS_REMINDER = {"DK", "NO", "SE"}
CASE_HEADER = ("creditor_id,creditor_reference,debtor_type,debtor_name,debtor_national_id,"
               "debtor_birth_date,debtor_street,debtor_postal_code,debtor_city,debtor_country,"
               "debtor_email,debtor_phone,invoice_number,invoice_date,due_date,original_amount,"
               "currency,paid_amount,fee_amount,interest_amount,claim_type,disputed,reminder_date")
TX_HEADER = "creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason"


class Violation(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Violation(what)


def sql(query):
    out = subprocess.run(["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-F", "\t", "-c", query],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line != ""]


def money(minor):
    return f"{minor // 100}.{minor % 100:02d}"


def month_end(p):
    y, m = p
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def period_text(p):
    return f"{p[0]:04d}-{p[1]:02d}"


def next_month(p):
    return (p[0] + 1, 1) if p[1] == 12 else (p[0], p[1] + 1)


class Driver:
    def __init__(self, seed, months, work):
        self.rnd = random.Random(seed)
        self.seed = seed
        self.work = work
        self.months = [(2025, 1)]
        for _ in range(months - 1):
            self.months.append(next_month(self.months[-1]))
        self.nfile = 0
        self.ncase = 0
        self.ntx = 0
        self.cases = {}          # case_id -> dict(creditor, ref, registered, principal, loaded_at)
        self.fresh = set()       # case ids no transaction was ever loaded for
        self.txs = {}            # tx_id -> dict(creditor, case_id, booking, loaded_at[, reverses])
        self.expect = {}         # tx_id -> statement period (tuple), once the model settles it
        self.closed = {c: None for c in ALL_CREDITORS}  # creditor -> latest covered period
        self.counted = {}        # case_id -> statement period that counted it
        self.statements = {}     # (creditor, period) -> registered (cases, principal)
        self.events = 0          # the model's clock: loads and runs in order
        self.paid_then_withdrawn = []  # (case_id, month paid)
        self.runs = self.reruns = 0
        self.nrev = 0            # reversals inserted
        self.waited = set()      # reversals a run held back for their payment
        self.bank_batch = None   # the batch they come from

    # ---- loads ----

    def write(self, header, rows):
        self.nfile += 1
        path = os.path.join(self.work, f"f{self.seed}-{self.nfile}.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(header + "\n")
            for r in rows:
                f.write(",".join(r) + "\n")
        return path

    def load(self, path, as_of):
        self.events += 1
        r = subprocess.run([LOADER, "load", "--conf", CONF, "--as-of", as_of.isoformat(), path],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"load {path}: exit {r.returncode}: {r.stderr.strip()}")
        return int(r.stdout.split()[1])

    def load_cases(self, registered, n):
        rows = []
        for _ in range(n):
            self.ncase += 1
            cred = self.rnd.choice(sorted(CREDITORS))
            country, currency, postal = CREDITORS[cred]
            due = registered - dt.timedelta(days=self.rnd.randint(1, 40))
            original = self.rnd.randint(2000, 300000)
            paid = self.rnd.randint(0, original // 3) if self.rnd.random() < 0.2 else 0
            rows.append([cred, f"P{self.seed}-{self.ncase}", "person", f"Debtor {self.ncase}", "", "",
                         "Street 1", postal, "Town", country, "", "", f"I-{self.ncase}",
                         (due - dt.timedelta(days=30)).isoformat(), due.isoformat(), money(original),
                         currency, money(paid) if paid else "", "", "", "goods", "false",
                         due.isoformat() if country in NEEDS_REMINDER else ""])
        batch = self.load(self.write(CASE_HEADER, rows), registered)
        for case_id, ref, cred, principal in sql(
                f"SELECT case_id, creditor_reference, creditor_id, original_amount - paid_amount"
                f" FROM cases WHERE batch_id = {batch}"):
            self.cases[int(case_id)] = {"creditor": cred, "ref": ref, "registered": registered,
                                        "principal": int(principal), "loaded_at": self.events}
            self.fresh.add(int(case_id))

    def tx_row(self, case_id, kind, booking, amount):
        c = self.cases[case_id]
        self.ntx += 1
        reason = "goodwill" if kind == "withdrawal" else ""
        cur = CREDITORS[c["creditor"]][1] if kind != "withdrawal" else ""
        return [c["creditor"], c["ref"], f"T{self.seed}-{self.ntx}", kind, booking.isoformat(),
                money(amount) if kind != "withdrawal" else "", cur, reason]

    def load_txs(self, rows, as_of):
        batch = self.load(self.write(TX_HEADER, rows), as_of)
        for tx_id, case_id, cred, booking in sql(
                f"SELECT tx_id, case_id, creditor_id, booking_date FROM transactions WHERE batch_id = {batch}"):
            self.txs[int(tx_id)] = {"creditor": cred, "case_id": int(case_id),
                                    "booking": dt.date.fromisoformat(booking), "loaded_at": self.events}
            self.fresh.discard(int(case_id))

    def reverse(self, t, booking):
        """A reversal of payment t booked on booking, as the bank loader
        will store it."""
        self.events += 1
        self.nrev += 1
        if self.bank_batch is None:
            self.bank_batch = int(sql(
                "INSERT INTO batches (kind, file_name, file_path, sha256, as_of, status)"
                f" VALUES ('bank', 'camt054.xml', '/srv/inbox/camt054.xml', repeat('ab', 32),"
                f" DATE '{booking.isoformat()}', 'loaded') RETURNING batch_id")[0][0])
        # the payment read, then the reversal inserted with its values: on
        # a Citus cluster an INSERT ... SELECT of one table runs on the
        # shard, where the tx_id would come from the worker's sequence
        cred, ref, case_id, amount, cur = sql(
            "SELECT creditor_id, creditor_reference, case_id, amount, currency FROM transactions"
            f" WHERE tx_id = {t} AND kind = 'payment'")[0]
        rows = sql(
            "INSERT INTO transactions (creditor_id, creditor_reference, case_id, transaction_id,"
            " kind, booking_date, amount, currency, batch_id, record, reverses)"
            f" VALUES ('{cred}', '{ref}', {case_id}, 'BANK-{self.seed}-{self.nrev}',"
            f" 'reversal', DATE '{booking.isoformat()}', {amount}, '{cur}', {self.bank_batch},"
            f" {self.nrev}, {t}) RETURNING tx_id")
        x = self.txs[t]
        self.txs[int(rows[0][0])] = {"creditor": x["creditor"], "case_id": x["case_id"],
                                     "booking": booking, "loaded_at": self.events, "reverses": t}

    def reversals(self, last, n):
        """n reversals of random payments booked up to last and not
        reversed yet (of cases not paid off before their withdrawal, which
        check_payoffs follows), booked from 5 days before their payment to
        40 days after it, at the latest the day after last."""
        spare = {case_id for case_id, _ in self.paid_then_withdrawn}
        candidates = [int(t) for t, case_id in sql(
            "SELECT tx_id, case_id FROM transactions p WHERE kind = 'payment'"
            f" AND booking_date <= DATE '{last.isoformat()}'"
            " AND NOT EXISTS (SELECT 1 FROM transactions r WHERE r.creditor_id = p.creditor_id"
            "  AND r.reverses = p.tx_id)"
            " ORDER BY tx_id") if int(case_id) not in spare]
        for t in self.rnd.sample(candidates, min(n, len(candidates))):
            booking = self.txs[t]["booking"] + dt.timedelta(days=self.rnd.randint(-5, 40))
            self.reverse(t, min(booking, last + dt.timedelta(days=1)))

    def waiting_reversal(self, last, spare):
        """A payment booked early next month, loaded before this month is
        run, that the bank takes back on a day of this month: the reversal
        waits for the run that books the payment."""
        nxt = last + dt.timedelta(days=1)
        ids = sorted(i for i, c in self.cases.items() if c["registered"] <= last and i != spare
                     and i not in {case_id for case_id, _ in self.paid_then_withdrawn})
        if not ids:
            return
        case_id = self.rnd.choice(ids)
        booking = nxt + dt.timedelta(days=self.rnd.randint(0, 2))
        before = set(self.txs)
        self.load_txs([self.tx_row(case_id, "payment", booking, self.rnd.randint(100, 20000))],
                      nxt + dt.timedelta(days=2))
        for t in set(self.txs) - before:  # none when the case is closed
            self.reverse(t, last - dt.timedelta(days=self.rnd.randint(0, 5)))

    def month_txs(self, first, last, n, spare=None):
        """n transactions booked between first and last, on cases registered
        by then (not the case spare)."""
        rows = []
        ids = [i for i, c in self.cases.items() if c["registered"] <= last and i != spare]
        for _ in range(n if ids else 0):
            case_id = self.rnd.choice(ids)
            start = max(first, self.cases[case_id]["registered"])
            booking = start + dt.timedelta(days=self.rnd.randint(0, (last - start).days))
            kind = self.rnd.choices(["payment", "direct_payment", "credit_note", "withdrawal"],
                                    [60, 15, 15, 10])[0]
            amount = self.rnd.randint(1, max(1, self.cases[case_id]["principal"] * 2 // 3))
            rows.append(self.tx_row(case_id, kind, booking, amount))
        return rows

    # ---- runs ----

    def run(self, period, as_of, creditor=None):
        """A settlement run; updates the model and returns the stdout lines."""
        self.events += 1
        self.runs += 1
        covered = [creditor] if creditor else ALL_CREDITORS
        issued = set()
        for cred in covered:
            if self.closed[cred] is not None and self.closed[cred] >= period:
                continue
            self.closed[cred] = period
            end = month_end(period)
            settled = {t for t, x in self.txs.items()
                       if x["creditor"] == cred and t not in self.expect and x["booking"] <= end}
            # a reversal waits while its payment is neither settled nor
            # booked in this run
            held = {t for t in settled if "reverses" in self.txs[t]
                    and self.txs[t]["reverses"] not in self.expect and self.txs[t]["reverses"] not in settled}
            self.waited |= held
            settled -= held
            for t in settled:
                self.expect[t] = period
            if not settled:
                continue
            issued.add((cred, period))
            booked = {self.txs[t]["case_id"] for t in settled}
            new = [i for i, c in self.cases.items()
                   if c["creditor"] == cred and i not in self.counted
                   and (c["registered"] <= end or i in booked)]
            for i in new:
                self.counted[i] = period
            self.statements[(cred, period)] = (len(new), sum(self.cases[i]["principal"] for i in new))
        args = [SETTLEMENT, "run", "--conf", CONF, "--period", period_text(period),
                "--as-of", as_of.isoformat(), "--out", os.path.join(self.work, "out")]
        if creditor:
            args += ["--creditor", creditor]
        r = subprocess.run(args, capture_output=True, text=True)
        when = f"after run {period_text(period)} {creditor or 'all'} (seed {self.seed})"
        check(r.returncode == 0, f"run {period_text(period)} {creditor or ''}: exit {r.returncode}: {r.stderr.strip()}")
        # stdout: every statement of the period of the creditors covered
        want = "".join(f"statement {n}: {lines} lines, net payout {v} {cur}\n" for n, lines, v, cur in sql(
            "SELECT statement_number, lines, to_char(net_payout / 100.0, 'FM9999999999990.00'), currency"
            f" FROM statements WHERE period = '{period_text(period)}'"
            f" AND ('{creditor or ''}' = '' OR creditor_id = '{creditor or ''}')"
            " ORDER BY creditor_id COLLATE \"C\", currency"))
        check(r.stdout == want, f"{when}: stdout {r.stdout!r}, expected {want!r}")
        self.verify(when)
        return r.stdout

    def rerun(self, period, as_of, creditor=None):
        """A run of a period already covered: nothing new, the same bytes."""
        d = os.path.join(self.work, "out", period_text(period))
        before = {f: open(os.path.join(d, f), "rb").read() for f in os.listdir(d)} if os.path.isdir(d) else {}
        lines = sql("SELECT count(*) FROM statement_lines")[0][0]
        stmts = sql("SELECT count(*) FROM statements")[0][0]
        self.reruns += 1
        self.run(period, as_of, creditor)
        after = {f: open(os.path.join(d, f), "rb").read() for f in os.listdir(d)} if os.path.isdir(d) else {}
        check(before == after, f"re-run of {period_text(period)} changed its files")
        check(sql("SELECT count(*) FROM statement_lines")[0][0] == lines, "a re-run settled transactions")
        check(sql("SELECT count(*) FROM statements")[0][0] == stmts, "a re-run issued a statement")

    # ---- checks ----

    def verify(self, when):
        got = {int(t): s for t, s in sql("SELECT tx_id, coalesce(statement_number, '') FROM transactions")}
        for t in self.txs:
            want = ""
            if t in self.expect:
                want = f"{period_text(self.expect[t])}-{self.txs[t]['creditor']}-{CREDITORS[self.txs[t]['creditor']][1]}"
            check(got[t] == want, f"{when}: transaction {t} settled in '{got[t]}', expected '{want}'")
        rows = sql("SELECT creditor_id, period, registered_cases, registered_principal FROM statements")
        check(len(rows) == len(self.statements), f"{when}: {len(rows)} statements, expected {len(self.statements)}")
        for cred, period, reg, regp in rows:
            p = (int(period[:4]), int(period[5:]))
            check((cred, p) in self.statements, f"{when}: unexpected statement {period} {cred}")
            check((int(reg), int(regp)) == self.statements[(cred, p)],
                  f"{when}: {period} {cred} registered {reg}/{regp}, expected {self.statements[(cred, p)]}")
        got = {int(i): s for i, s in sql("SELECT case_id, coalesce(" + COUNTED_BY + ", '') FROM cases")}
        for i, p in self.counted.items():
            c = self.cases[i]
            want = f"{period_text(p)}-{c['creditor']}-{CREDITORS[c['creditor']][1]}"
            check(got[i] == want, f"{when}: case {i} counted by '{got[i]}', expected '{want}'")
        check(sum(1 for s in got.values() if s) == len(self.counted), f"{when}: cases counted that the model did not")
        checks = [
            ("settled twice or lines without their transaction",
             "SELECT count(*) FROM statement_lines l LEFT JOIN transactions t ON t.creditor_id = l.creditor_id"
             " AND t.tx_id = l.tx_id AND t.statement_number = l.statement_number WHERE t.tx_id IS NULL"),
            ("settled transactions without a line",
             "SELECT count(*) FROM transactions t WHERE statement_number IS NOT NULL AND NOT EXISTS"
             " (SELECT 1 FROM statement_lines l WHERE l.creditor_id = t.creditor_id AND l.tx_id = t.tx_id)"),
            ("openCases does not continue the previous statement",
             "SELECT count(*) FROM (SELECT open_cases, coalesce(lag(open_cases) OVER w, 0) + registered_cases"
             " - withdrawn_cases - paid_cases + reopened_cases AS want FROM statements"
             " WINDOW w AS (PARTITION BY creditor_id, currency ORDER BY period)) s WHERE open_cases <> want"),
            ("the latest statement's open cases are not the open cases",
             "SELECT count(*) FROM (SELECT DISTINCT ON (creditor_id, currency) * FROM statements"
             "  ORDER BY creditor_id, currency, period DESC) s"
             " LEFT JOIN (SELECT creditor_id, currency, count(*) AS n, sum(principal) AS p FROM cases"
             "  WHERE " + COUNTED_BY + " IS NOT NULL AND booked_status = 'open' GROUP BY 1, 2) c"
             "  USING (creditor_id, currency)"
             " WHERE (s.open_cases, s.open_principal) IS DISTINCT FROM (coalesce(c.n, 0), coalesce(c.p, 0))"),
            # a withdrawal closes what it writes off; a line that leaves
            # nothing owed on a case that owed something closes it as paid
            ("withdrawn or paid cases are not the closings of the lines",
             "SELECT count(*) FROM statements s LEFT JOIN (SELECT creditor_id, statement_number,"
             " count(*) FILTER (WHERE kind = 'withdrawal' AND written_off > 0) AS w,"
             " count(*) FILTER (WHERE kind <> 'withdrawal' AND owed = 0 AND coalesce(owed_before, 1) <> 0) AS p,"
             # a reversal that makes a case owe again after nothing: it was
             # paid (a withdrawn case owes nothing after one either)
             " count(*) FILTER (WHERE kind = 'reversal' AND owed > 0 AND owed_before = 0) AS r"
             " FROM (SELECT creditor_id, statement_number, kind, written_off,"
             "  principal_after + fees_after + interest_after AS owed,"
             "  lag(principal_after + fees_after + interest_after) OVER (PARTITION BY creditor_id, case_id"
             "   ORDER BY statement_number, line_no) AS owed_before FROM statement_lines) x"
             " GROUP BY 1, 2) l USING (creditor_id, statement_number)"
             " WHERE (s.withdrawn_cases, s.paid_cases, s.reopened_cases) IS DISTINCT FROM (l.w, l.p, l.r)"),
            ("totals are not the sums of the lines",
             "SELECT count(*) FROM statements s JOIN (SELECT creditor_id, statement_number, count(*) AS n,"
             " sum(amount) FILTER (WHERE kind = 'payment') AS p, sum(amount) FILTER (WHERE kind ="
             " 'direct_payment') AS d, sum(amount) FILTER (WHERE kind = 'credit_note') AS c,"
             " sum(amount) FILTER (WHERE kind = 'reversal') AS r,"
             " sum(withdrawal_fee) AS w, sum(creditor_share) AS cs, sum(commission) AS co,"
             " sum(payout_effect) AS pe FROM statement_lines GROUP BY 1, 2) l USING (creditor_id, statement_number)"
             " WHERE (s.lines, s.payments, s.direct_payments, s.credit_notes, s.reversals, s.withdrawal_fees,"
             " s.creditor_share, s.commission, s.payout_effect) IS DISTINCT FROM (l.n, coalesce(l.p, 0),"
             " coalesce(l.d, 0), coalesce(l.c, 0), coalesce(l.r, 0), l.w, l.cs, l.co, l.pe)"),
            ("a reversal's line is not its payment's negated, or not after it",
             "SELECT count(*) FROM statement_lines r JOIN transactions t ON t.creditor_id = r.creditor_id"
             " AND t.tx_id = r.tx_id LEFT JOIN statement_lines o ON o.creditor_id = r.creditor_id"
             " AND o.tx_id = t.reverses AND o.case_id = r.case_id"
             " AND o.kind = 'payment' WHERE t.kind = 'reversal' AND (o.tx_id IS NULL"
             " OR (r.amount, r.to_fees, r.to_interest, r.to_principal, r.overpaid, r.creditor_share,"
             "  r.commission, r.payout_effect) IS DISTINCT FROM (o.amount, -o.to_fees, -o.to_interest,"
             "  -o.to_principal, -o.overpaid, -o.creditor_share, -o.commission, -o.payout_effect)"
             " OR (o.statement_number, o.line_no) >= (r.statement_number, r.line_no))"),
            ("shares or commission on a credit note or withdrawal",
             "SELECT count(*) FROM statement_lines WHERE kind IN ('credit_note', 'withdrawal')"
             " AND (creditor_share <> 0 OR commission <> 0)"),
            ("case balances are not those of their last line",
             "SELECT count(*) FROM cases c JOIN LATERAL (SELECT principal_after, fees_after, interest_after"
             " FROM statement_lines l WHERE l.creditor_id = c.creditor_id AND l.case_id = c.case_id"
             " ORDER BY l.statement_number DESC, line_no DESC"
             " LIMIT 1) x ON true WHERE (c.principal, c.fees, c.interest)"
             " IS DISTINCT FROM (x.principal_after, x.fees_after, x.interest_after)"),
        ]
        # one query each (every join names creditor_id: one shard on Citus)
        counts = [sql(q)[0][0] for _, q in checks]
        for (what, _), n in zip(checks, counts):
            check(n == "0", f"{when}: {what} ({n})")

    # ---- the months ----

    def month(self, p):
        first = dt.date(p[0], p[1], 1)
        last = month_end(p)
        nxt = last + dt.timedelta(days=1)
        # new cases, registered this month
        self.load_cases(first + dt.timedelta(days=self.rnd.randint(0, 9)), self.rnd.randint(3, 8))
        # a case paid off this month whose withdrawal, booked early next
        # month, is loaded before this month is run
        payoff = None
        if self.fresh and self.rnd.random() < 0.6:
            payoff = self.rnd.choice(sorted(self.fresh))
        rows = self.month_txs(first, last, self.rnd.randint(8, 20), payoff)
        if payoff is not None:
            c = self.cases[payoff]
            booking = max(first, c["registered"]) + dt.timedelta(days=self.rnd.randint(0, 5))
            rows.append(self.tx_row(payoff, "payment", booking, c["principal"] * 3 // 2 + 50000))
        self.rnd.shuffle(rows)  # load order is not booking order
        self.load_txs(rows, nxt)
        if payoff is not None:
            self.load_txs([self.tx_row(payoff, "withdrawal", nxt + dt.timedelta(days=1), 0)],
                          nxt + dt.timedelta(days=1))
            self.paid_then_withdrawn.append((payoff, p))
        # the bank takes back a few payments, of this month or earlier,
        # and one booked next month
        if self.rnd.random() < 0.8:
            self.reversals(last, self.rnd.randint(1, 4))
        if self.rnd.random() < 0.4:
            self.waiting_reversal(last, payoff)
        # the run: everyone, one creditor first, a few only, or none
        as_of = nxt + dt.timedelta(days=3)
        how = self.rnd.random()
        if how < 0.1:
            pass
        elif how < 0.3:
            for cred in self.rnd.sample(ALL_CREDITORS, self.rnd.randint(1, 3)):
                self.run(p, as_of, cred)
        else:
            if how < 0.55:
                self.run(p, as_of, self.rnd.choice(ALL_CREDITORS))
            self.run(p, as_of)
        # late: a case backdated into this month, transactions booked in
        # this or an earlier month, loaded after the run
        if self.rnd.random() < 0.5:
            self.load_cases(first + dt.timedelta(days=self.rnd.randint(10, 25)), 1)
        if self.rnd.random() < 0.85:
            start = dt.date(self.months[0][0], self.months[0][1], 1)
            self.load_txs(self.month_txs(max(start, first - dt.timedelta(days=60)), last,
                                         self.rnd.randint(2, 6)), nxt + dt.timedelta(days=4))
        # now and then this period again, after the late loads, or an
        # earlier one: for every creditor, or for one
        ran = [q for q in self.months if q <= p]
        if self.rnd.random() < 0.7:
            q = p if self.rnd.random() < 0.7 else self.rnd.choice(ran)
            creditor = self.rnd.choice(ALL_CREDITORS) if self.rnd.random() < 0.3 else None
            if all(self.closed[c] is not None and self.closed[c] >= q
                   for c in ([creditor] if creditor else ALL_CREDITORS)):
                self.rerun(q, as_of + dt.timedelta(days=1), creditor)

    def check_payoffs(self):
        for case_id, p in self.paid_then_withdrawn:
            status, booked, n = sql(f"SELECT status, booked_status, (SELECT count(*) FROM statement_lines l"
                                    f" WHERE l.creditor_id = c.creditor_id AND l.case_id = c.case_id"
                                    f" AND l.kind = 'withdrawal' AND l.withdrawal_fee = 0"
                                    f" AND l.written_off = 0 AND l.payout_effect = 0) FROM cases c"
                                    f" WHERE case_id = {case_id}")[0]
            check((status, booked, n) == ("closed", "closed", "1"),
                  f"case {case_id} paid in {period_text(p)} then withdrawn: {status}/{booked}/{n}")

    def main(self):
        for p in self.months:
            self.month(p)
        # everything left goes into the last run
        end = next_month(self.months[-1])
        self.run(end, month_end(end) + dt.timedelta(days=1))
        check(int(sql("SELECT count(*) FROM transactions WHERE statement_number IS NULL")[0][0]) == 0,
              "transactions never settled")
        self.check_payoffs()
        n = sql("SELECT (SELECT count(*) FROM transactions), (SELECT count(*) FROM statements),"
                " (SELECT count(*) FROM settlement_runs)")[0]
        r = sql("SELECT count(*) FILTER (WHERE reopened_cases > 0), coalesce(sum(reopened_cases), 0)"
                " FROM statements")[0]
        print(f"seed {self.seed}: {len(self.months)} months, {len(self.cases)} cases, {n[0]} transactions"
              f" ({self.nrev} reversals, {len(self.waited)} waited for their payment, {r[1]} reopenings"
              f" in {r[0]} statements),"
              f" {n[1]} statements, {self.runs} runs ({self.reruns} re-runs), {len(self.paid_then_withdrawn)}"
              f" cases paid before their withdrawal: every check held")


def main():
    seed, months, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    try:
        Driver(seed, months, work).main()
    except Violation as v:
        print(f"FAIL (seed {seed}): {v}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
