#!/usr/bin/env bash
# SPEC 9 version 2 over three months (fixtures/settlement/v2, arithmetic in
# its README): a run covers every creditor and closes the period for it,
# statement or not; --creditor runs; a run of an earlier period and re-runs
# of old periods issue nothing new and rewrite the same bytes; transactions
# and cases loaded late go to the creditor's next period run; a withdrawal
# loaded before the October run but booked in November does not stop the
# case from being paid in October; the portfolio reconciles from one
# statement to the next, also across a period closed without a statement.
source "$ROOT/tests/lib.sh"

SF="$FIX/settlement/v2"
EXP="$SF/expected"
OUT="$TMP/statements"

new_db settle_v2
load_creditors
load() { load_clean "$@"; }
sep_c1="statement 2026-09-C1-CHF: 3 lines, net payout 210.10 CHF"
sep_n1="statement 2026-09-N1-NOK: 1 lines, net payout 382.62 NOK"
oct_c1="statement 2026-10-C1-CHF: 4 lines, net payout 450.27 CHF"
nov_c1="statement 2026-11-C1-CHF: 3 lines, net payout 69.74 CHF"
nov_n1="statement 2026-11-N1-NOK: 2 lines, net payout 193.71 NOK"
unsettled() { sql "SELECT coalesce(string_agg(transaction_id, ' ' ORDER BY transaction_id), '') FROM transactions WHERE statement_number IS NULL"; }
status_of() { sql "SELECT status || '/' || booked_status || '/' || coalesce(closed_date::text, '-') FROM cases WHERE creditor_reference = '$1'"; }

load 2026-08-01 cases-08.csv
load 2026-10-01 tx-09.csv
expect_eq "case numbers" "$(sql "SELECT string_agg(case_id || '=' || creditor_reference, ' ' ORDER BY case_id) FROM cases")" \
	"1=V-A 2=V-B 3=V-C 4=V-D 5=N-A"

# September, first for C1 alone (T-A1, booked in August, which no run
# covered, goes into it), then for every creditor: C1 is closed, its files
# are rewritten the same; N1 gets its statement
settle "$sep_c1" --period 2026-09 --creditor C1 --as-of 2026-10-02
same 2026-09 C1-CHF.csv C1-CHF.xml
expect_eq "after September C1: unsettled" "$(unsettled)" "T-NA1"
settle "$sep_c1
$sep_n1" --period 2026-09 --as-of 2026-10-02
same 2026-09 C1-CHF.csv C1-CHF.xml N1-NOK.csv N1-NOK.xml
cp -a "$OUT/2026-09" "$TMP/sep"

# August after September: closed for every creditor, nothing new, no file
settle "" --period 2026-08 --as-of 2026-10-02
[ ! -e "$OUT/2026-08" ] || fail "a run of August wrote files"
expect_eq "no August statement" "$(sql "SELECT count(*) FROM statements WHERE period = '2026-08'")" "0"

# October: V-E registered; T-A0 booked in the closed September goes here;
# V-B is paid off on 10-10 although its withdrawal, booked 11-01, was loaded
# before the run (the case list shows it withdrawn from that load on); N1
# has nothing in October: no statement, but its October is closed
load 2026-10-05 cases-10.csv
load 2026-10-31 tx-10.csv
load 2026-11-02 tx-10-withdrawal.csv
expect_eq "V-B after its withdrawal is loaded" "$(status_of V-B)" "withdrawn/open/2026-11-01"
settle "$oct_c1" --period 2026-10 --as-of 2026-11-05
same 2026-10 C1-CHF.csv C1-CHF.xml
cp -a "$OUT/2026-10" "$TMP/oct"
expect_eq "after October: unsettled" "$(unsettled)" "T-B2"
expect_eq "V-B paid, its withdrawal waiting" "$(status_of V-B)" "withdrawn/closed/2026-10-10"
expect_eq "V-D withdrawn" "$(status_of V-D)" "withdrawn/withdrawn/2026-10-12"
"$SETTLEMENT" cases --conf "$CONF" --creditor C1 --as-of 2026-11-05 >"$TMP/cases-oct.csv" || fail "cases"
# the payment reference of a case number (SPEC 12, scor in the test configuration)
ref() { python3 "$ROOT/tests/tools/payref.py" scor "$1"; }
expect_eq "case list after October" "$(cat "$TMP/cases-oct.csv")" \
"case_id,creditor_reference,debtor_name,status,original_amount,principal,fees,interest,last_transaction_date,payment_reference,stage
1,V-A,Vera Amsler,open,730.00,286.14,0.00,0.00,2026-10-15,$(ref 1),collection
2,V-B,Beat Brunner,withdrawn,365.00,0.00,0.00,0.00,2026-10-10,$(ref 2),collection
3,V-C,Cadosch & Co. AG,open,1500.00,960.00,50.00,7.20,2026-09-05,$(ref 3),collection
4,V-D,Dario Dosch,withdrawn,292.00,0.00,0.00,0.00,2026-10-12,$(ref 4),collection
6,V-E,Emil Egli,open,365.00,365.00,50.00,0.00,,$(ref 6),collection"
# a withdrawn case takes no new transaction (CASE_CLOSED, SPEC 6)
printf 'creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason\nC1,V-B,T-B9,payment,2026-11-03,1.00,CHF,\n' >"$TMP/tx-vb.csv"
"$LOADER" load --conf "$CONF" --as-of 2026-11-05 "$TMP/tx-vb.csv" >/dev/null 2>&1 || true
expect_eq "V-B closed to new transactions" "$(sql "SELECT count(*) FROM rejects WHERE code = 'CASE_CLOSED'")" "1"

# late: V-F registered on 10-20 but loaded after the October run; N1's
# T-NA2 and C1's T-C2 booked in the closed October
load 2026-10-20 cases-10-late.csv
load 2026-11-06 tx-10-late.csv
# re-runs of October and September: nothing new, the same bytes; N1 still
# has no October statement
settle "$oct_c1" --period 2026-10 --as-of 2026-11-07
diff -r "$TMP/oct" "$OUT/2026-10" >/dev/null || fail "October re-run changed the files"
settle "$sep_c1
$sep_n1" --period 2026-09 --as-of 2026-11-07
diff -r "$TMP/sep" "$OUT/2026-09" >/dev/null || fail "September re-run changed the files"
settle "" --period 2026-10 --creditor N1 --as-of 2026-11-07
expect_eq "no N1 October statement" "$(sql "SELECT count(*) FROM statements WHERE period = '2026-10' AND creditor_id = 'N1'")" "0"
expect_eq "late ones wait" "$(unsettled)" "T-B2 T-C2 T-NA2"

# November, N1 first: T-NA2 from the closed October; N-B, registered in
# October when N1 had no statement, is counted now; the portfolio continues
# N1's September statement
load 2026-12-01 tx-11.csv
settle "$nov_n1" --period 2026-11 --creditor N1 --as-of 2026-12-02
same 2026-11 N1-NOK.csv N1-NOK.xml
# then every creditor: C1's T-B2 withdraws a case paid in October: 0.00,
# no fee, not a withdrawal in the portfolio; V-F is counted as registered
settle "$nov_c1
$nov_n1" --period 2026-11 --as-of 2026-12-02
same 2026-11 C1-CHF.csv C1-CHF.xml N1-NOK.csv N1-NOK.xml
expect_eq "V-B closed once its withdrawal is booked" "$(status_of V-B)" "closed/closed/2026-10-10"
expect_eq "case list V-B" "$("$SETTLEMENT" cases --conf "$CONF" --creditor C1 --as-of 2026-12-02 --status closed | tail -n +2)" \
	"2,V-B,Beat Brunner,closed,365.00,0.00,0.00,0.00,2026-11-01,$(ref 2),collection"
expect_eq "T-B2 line" "$(sql "SELECT written_off || '/' || withdrawal_fee || '/' || payout_effect FROM statement_lines WHERE transaction_id = 'T-B2'")" "0/0/0"
expect_eq "all settled" "$(unsettled)" ""
expect_eq "each once" "$(sql "SELECT count(*) || '/' || count(DISTINCT tx_id) FROM statement_lines")" \
	"$(sql "SELECT count(*) || '/' || count(*) FROM transactions")"

# after November, old periods still issue nothing new and keep their bytes
cp -a "$OUT/2026-11" "$TMP/nov"
settle "$oct_c1" --period 2026-10 --as-of 2026-12-03
settle "$nov_c1
$nov_n1" --period 2026-11 --as-of 2026-12-03
diff -r "$TMP/oct" "$OUT/2026-10" >/dev/null || fail "October changed after November"
diff -r "$TMP/nov" "$OUT/2026-11" >/dev/null || fail "November re-run changed the files"

# the portfolio reconciles: openCases = previous openCases + registered -
# withdrawn - paid + reopened, and so does openPrincipal with the lines
expect_eq "reconciled" "$(sql "SELECT count(*) FROM (SELECT open_cases, registered_cases - withdrawn_cases - paid_cases + reopened_cases + coalesce(lag(open_cases) OVER w, 0) AS want FROM statements WINDOW w AS (PARTITION BY creditor_id, currency ORDER BY period)) s WHERE open_cases <> want")" "0"
expect_eq "portfolios" "$(sql "SELECT string_agg(statement_number || ' ' || registered_cases || ' ' || registered_principal || ' ' || open_cases || ' ' || open_principal || ' ' || withdrawn_cases || ' ' || paid_cases || ' ' || reopened_cases, ', ' ORDER BY creditor_id, period) FROM statements")" \
	"2026-09-C1-CHF 4 284700 4 210096 0 0 0, 2026-10-C1-CHF 1 36500 3 161114 1 1 0, 2026-11-C1-CHF 1 14600 4 169386 0 0 0, 2026-09-N1-NOK 1 292000 1 254100 0 0 0, 2026-11-N1-NOK 1 58400 2 283466 0 0 0"
# openPrincipal after the last statement: the principal of the open cases
# that a statement counted (per case before 0013, per batch since)
expect_eq "open principal = open cases" "$(sql "SELECT string_agg(creditor_id || ' ' || n || ' ' || p, ', ' ORDER BY creditor_id) FROM (SELECT creditor_id, count(*) AS n, sum(principal) AS p FROM cases WHERE booked_status = 'open' AND coalesce(registered_statement, (SELECT b.statement_number FROM registered_batches b WHERE b.creditor_id = cases.creditor_id AND b.currency = cases.currency AND b.batch_id = cases.batch_id)) IS NOT NULL GROUP BY 1) x")" \
	"C1 4 169386, N1 2 283466"

# settlement_runs: every run covered every creditor it was asked for
expect_eq "runs" "$(sql "SELECT string_agg(period || ':' || creditors, ' ' ORDER BY run_id) FROM (SELECT run_id, period, string_agg(creditor_id || '=' || statements || '/' || transactions, ',' ORDER BY creditor_id) AS creditors FROM settlement_runs GROUP BY run_id, period) r")" \
	"2026-09:C1=1/3 2026-09:C1=0/0,D1=0/0,N1=1/1,S1=0/0,X9=0/0 2026-08:C1=0/0,D1=0/0,N1=0/0,S1=0/0,X9=0/0 2026-10:C1=1/4,D1=0/0,N1=0/0,S1=0/0,X9=0/0 2026-10:C1=0/0,D1=0/0,N1=0/0,S1=0/0,X9=0/0 2026-09:C1=0/0,D1=0/0,N1=0/0,S1=0/0,X9=0/0 2026-10:N1=0/0 2026-11:N1=1/2 2026-11:C1=1/3,D1=0/0,N1=0/0,S1=0/0,X9=0/0 2026-10:C1=0/0,D1=0/0,N1=0/0,S1=0/0,X9=0/0 2026-11:C1=0/0,D1=0/0,N1=0/0,S1=0/0,X9=0/0"
if sql "DELETE FROM settlement_runs WHERE period = '2026-10'" 2>/dev/null; then fail "a closed period was opened again"; fi
[ -z "$(find "$OUT" -name '*.tmp.*')" ] || fail "temporary files left behind"
echo "ok"
