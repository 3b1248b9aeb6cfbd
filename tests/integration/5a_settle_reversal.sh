#!/usr/bin/env bash
# Reversals (SPEC 9.1 v2, 9.2 v2) over three months (fixtures/settlement/
# reversal, arithmetic in its README). Reversals come from bank files
# (SPEC 13); here they are inserted with SQL as the bank loader stores
# them (kind 'reversal', transaction_id BANK-<id>, reverses = the
# payment's tx_id, its amount, the payment's case). A payment settled in
# October and reversed in November opens its paid case again
# (reopenedCases); a payment and its reversal booked a day before it in
# one run (the reversal comes after its payment); a reversal on a
# withdrawn case (it stays withdrawn); a reversal booked before a payment
# that no run has booked waits for it (December); re-runs rewrite the same
# bytes; a reversal that is not one (of a withdrawal, a second one of a
# payment, another amount) stops the run: exit 3, nothing issued.
source "$ROOT/tests/lib.sh"

SF="$FIX/settlement/reversal"
EXP="$SF/expected"
OUT="$TMP/statements"

new_db settle_reversal
# November's net payout is negative: its PDF asks for it with a QR-bill
# to the agency's CHF account (SPEC 15)
add_agency CHF=CH4431999123000889012
load_creditors
# The batch of the bank file the reversals come from, as the bank loader
# will record it.
bank_batch=$(sql "INSERT INTO batches (kind, file_name, file_path, sha256, as_of, status, records, accepted)
	VALUES ('bank', 'camt054-2026-11.xml', '/srv/inbox/camt054-2026-11.xml', repeat('ab', 32), '2026-11-15', 'loaded', 0, 0)
	RETURNING batch_id")
nrev=0
# reversal TRANSACTION_ID BOOKING_DATE ORIGINAL [AMOUNT]: a reversal of the
# payment ORIGINAL (its transaction_id) of C1, with its amount
reversal() {
	nrev=$((nrev + 1))
	sql "INSERT INTO transactions (creditor_id, creditor_reference, case_id, transaction_id, kind,
		booking_date, amount, currency, batch_id, record, reverses)
	     SELECT o.creditor_id, o.creditor_reference, o.case_id, '$1', 'reversal', DATE '$2',
		${4:-o.amount}, o.currency, $bank_batch, $nrev, o.tx_id
	     FROM transactions o WHERE o.creditor_id = 'C1' AND o.transaction_id = '$3'" >/dev/null
}
status_of() { sql "SELECT status || '/' || booked_status || '/' || coalesce(closed_date::text, '-') FROM cases WHERE creditor_reference = '$1'"; }
unsettled() { sql "SELECT coalesce(string_agg(transaction_id, ' ' ORDER BY transaction_id), '') FROM transactions WHERE statement_number IS NULL"; }
oct="statement 2026-10-C1-CHF: 3 lines, net payout 630.73 CHF"
nov="statement 2026-11-C1-CHF: 5 lines, net payout -615.20 CHF"
dec="statement 2026-12-C1-CHF: 2 lines, net payout 0.00 CHF"

load_clean 2026-09-01 cases.csv
expect_eq "case numbers" "$(sql "SELECT string_agg(case_id || '=' || creditor_reference, ' ' ORDER BY case_id) FROM cases")" \
	"1=R-A 2=R-B 3=R-C 4=R-D"

# October: R-A paid off, R-C paid in part, then withdrawn; no reversal, so
# the statement has the form of one written before reversals existed
load_clean 2026-10-31 tx-10.csv
settle "$oct" --period 2026-10 --as-of 2026-11-02
same 2026-10 C1-CHF.csv C1-CHF.xml
grep -q reversals "$OUT/2026-10/C1-CHF.xml" && fail "October has a reversals total"
expect_eq "R-A paid" "$(status_of R-A)" "closed/closed/2026-10-10"
expect_eq "R-C withdrawn" "$(status_of R-C)" "withdrawn/withdrawn/2026-10-20"
cp -a "$OUT/2026-10" "$TMP/oct"

# November: the bank takes back T-A1 (settled in October) and T-C1 (of the
# case withdrawn since), and T-B1 of this month, the day before its
# booking date; T-D1, booked in December, is reversed on 11-25: that
# reversal waits for it
reversal BANK-7 2026-11-05 T-A1
reversal BANK-9 2026-11-12 T-C1
load_clean 2026-12-05 tx-11.csv
reversal BANK-8 2026-11-09 T-B1
reversal BANK-10 2026-11-25 T-D1
settle "$nov" --period 2026-11 --as-of 2026-12-06
same 2026-11 C1-CHF.csv C1-CHF.xml
expect_eq "November: waiting" "$(unsettled)" "BANK-10 T-D1"
expect_eq "R-A open again" "$(status_of R-A)" "open/open/-"
expect_eq "R-C still withdrawn" "$(status_of R-C)" "withdrawn/withdrawn/2026-10-20"
expect_eq "November row" "$(sql "SELECT reversals || ' ' || reopened_cases || ' ' || paid_cases || ' ' || open_cases || ' ' || open_principal || ' ' || commission || ' ' || vat || ' ' || net_payout FROM statements WHERE period = '2026-11'")" \
	"108400 1 0 3 119505 -10990 -890 -61520"
expect_eq "BANK-9 keeps R-C written off" "$(sql "SELECT principal_after + fees_after + interest_after FROM statement_lines WHERE transaction_id = 'BANK-9'")" "0"
"$SETTLEMENT" cases --conf "$CONF" --creditor C1 --as-of 2026-12-06 >"$TMP/cases-nov.csv" || fail "cases"
# (the columns of SPEC 10; payment_reference and stage are not what this test is about)
expect_eq "case list after November" "$(cut -d, -f1-9 "$TMP/cases-nov.csv")" \
"case_id,creditor_reference,debtor_name,status,original_amount,principal,fees,interest,last_transaction_date
1,R-A,Rita Aebi,open,730.00,730.00,50.00,4.00,2026-11-05
2,R-B,Bruno Bühler,open,365.00,319.05,0.00,0.00,2026-11-20
3,R-C,Casutt & Partner GmbH,withdrawn,292.00,0.00,0.00,0.00,2026-11-12
4,R-D,Doris Dähler,open,146.00,146.00,50.00,0.00,"
# the case R-A is open again: the loader takes its transactions
printf 'creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason\nC1,R-A,T-A2,payment,2026-12-04,1.00,CHF,\n' >"$TMP/tx-ra.csv"
"$LOADER" load --conf "$CONF" --as-of 2026-12-05 --dry-run "$TMP/tx-ra.csv" >"$TMP/load.out" 2>&1 || { cat "$TMP/load.out" >&2; fail "dry run on R-A"; }
grep -q " 1 accepted" "$TMP/load.out" || { cat "$TMP/load.out" >&2; fail "R-A does not take a payment"; }

# re-runs: nothing new, the same bytes
cp -a "$OUT/2026-11" "$TMP/nov"
settle "$oct" --period 2026-10 --as-of 2026-12-07
settle "$nov" --period 2026-11 --as-of 2026-12-07
diff -r "$TMP/oct" "$OUT/2026-10" >/dev/null || fail "October re-run changed the files"
diff -r "$TMP/nov" "$OUT/2026-11" >/dev/null || fail "November re-run changed the files"

# December: T-D1, then its reversal booked on 11-25
settle "$dec" --period 2026-12 --as-of 2027-01-02
same 2026-12 C1-CHF.csv C1-CHF.xml
expect_eq "all settled" "$(unsettled)" ""
expect_eq "each once" "$(sql "SELECT count(*) || '/' || count(DISTINCT tx_id) FROM statement_lines")" \
	"$(sql "SELECT count(*) || '/' || count(*) FROM transactions")"
expect_eq "reconciled" "$(sql "SELECT count(*) FROM (SELECT open_cases, registered_cases - withdrawn_cases - paid_cases + reopened_cases + coalesce(lag(open_cases) OVER w, 0) AS want FROM statements WINDOW w AS (PARTITION BY creditor_id, currency ORDER BY period)) s WHERE open_cases <> want")" "0"
expect_eq "open principal = open cases" "$(sql "SELECT count(*) || ' ' || sum(principal) FROM cases WHERE booked_status = 'open'")" "3 119505"
expect_eq "each reversal negates its payment's line" "$(sql "SELECT count(*) FROM statement_lines r JOIN transactions t ON t.tx_id = r.tx_id JOIN statement_lines o ON o.tx_id = t.reverses
	WHERE r.amount = o.amount AND (r.to_fees, r.to_interest, r.to_principal, r.overpaid, r.creditor_share, r.commission, r.payout_effect)
	= (-o.to_fees, -o.to_interest, -o.to_principal, -o.overpaid, -o.creditor_share, -o.commission, -o.payout_effect)
	AND (r.statement_number, r.line_no) > (o.statement_number, o.line_no)")" "4"

# a reversal that is not one stops the run: exit 3, nothing issued; once
# the bad rows are gone the period settles
bad_run() { # WHAT MESSAGE
	local rc=0
	"$SETTLEMENT" run --conf "$CONF" --out "$OUT" --period 2027-01 --as-of 2027-02-02 >"$TMP/bad.out" 2>"$TMP/bad.err" || rc=$?
	expect_eq "$1: exit" "$rc" "3"
	grep -qF "$2" "$TMP/bad.err" || { cat "$TMP/bad.err" >&2; fail "$1: message"; }
	expect_eq "$1: nothing issued" "$(sql "SELECT count(*) FROM statements WHERE period = '2027-01'")/$(sql "SELECT count(*) FROM settlement_runs WHERE period = '2027-01'")" "0/0"
	[ ! -e "$OUT/2027-01" ] || fail "$1: files written"
	sql "DELETE FROM transactions WHERE statement_number IS NULL" >/dev/null
}
reversal BANK-11 2027-01-04 T-C2 100
bad_run "a reversal of a withdrawal" "which is no payment of its case settled before or booked in this run"
reversal BANK-12 2027-01-04 T-B2
reversal BANK-13 2027-01-05 T-B2
bad_run "two reversals of one payment" "is reversed by 2 transactions"
reversal BANK-14 2027-01-04 T-B2 9999
bad_run "another amount" "its amount 9999 is not the amount 10000 of the payment it reverses"
settle "" --period 2027-01 --as-of 2027-02-02
[ -z "$(find "$OUT" -name '*.tmp.*')" ] || fail "temporary files left behind"
echo "ok"
