#!/usr/bin/env bash
# Transaction files: every transaction code, withdrawals closing cases at
# once, identical resends skipped, kind detection and --kind.
. "$ROOT/tests/lib.sh"
new_db transactions
load_creditors
run_loader load --conf "$CONF" --as-of 2026-11-01 "$FIX/cases/cases-mixed.csv"
expect_eq "cases loaded" "$rc" 0

run_loader load --conf "$CONF" --as-of 2026-11-20 "$FIX/transactions/transactions-mixed.csv"
expect_eq "exit" "$rc" 0
expect_eq "summary" "$out" "batch 2 loaded: 14 records, 4 accepted, 0 skipped, 10 rejected"
report_rows "$TMP/reports/batch-2.rejects.csv" >"$TMP/got.csv"
diff -u "$FIX/transactions/transactions-mixed.expected-rejects.csv" "$TMP/got.csv" || fail "reject report differs"
expect_eq "stored" "$(sql "SELECT string_agg(creditor_id || '/' || transaction_id || ':' || kind || ':' || amount || ':' || currency || ':' || coalesce(reason, '-') || ':' || case_id || ':' || record, ' ' ORDER BY tx_id) FROM transactions")" \
	"C1/T-1:payment:10000:CHF:-:1:1 C1/T-2:direct_payment:5000:CHF:-:1:2 S1/T-1:credit_note:50000:SEK:-:2:3 N1/T-3:withdrawal:0:NOK:goodwill:3:4"
expect_eq "withdrawn at once" "$(sql "SELECT status, closed_date FROM cases WHERE creditor_reference = 'N1-3001'")" "withdrawn|2026-11-08"
expect_eq "batch kind" "$(sql "SELECT kind FROM batches WHERE batch_id = 2")" "transactions"
expect_eq "receipt" "$(cat "$TMP/reports/batch-2.receipt.csv")" "$(printf 'record,creditor_reference,transaction_id,case_id,outcome\n1,C1-1001,T-1,1,accepted\n2,C1-1001,T-2,1,accepted\n3,S1-2001,T-1,2,accepted\n4,N1-3001,T-3,3,accepted')"

# later transactions for the withdrawn case: CASE_CLOSED; a resend of an
# identical transaction (even for the withdrawn case) is skipped
cat >"$TMP/later.csv" <<'CSV'
creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason
N1,N1-3001,T-20,payment,2026-11-15,10.00,NOK,
N1,N1-3001,T-3,withdrawal,2026-11-08,,,goodwill
C1,C1-1001,T-1,payment,2026-11-05,100.00,CHF,
C1,C1-1001,T-2,direct_payment,2026-11-06,50.01,CHF,
C1,C1-1001,T-21,payment,2026-11-15,"1,5",CHF,
CSV
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/later.csv"
expect_eq "later exit" "$rc" 0
expect_eq "later summary" "$out" "batch 3 loaded: 5 records, 0 accepted, 2 skipped, 3 rejected"
expect_eq "later rejects" "$(report_rows "$TMP/reports/batch-3.rejects.csv" | tail -n +2)" \
	"$(printf '1,2,N1-3001,creditor_reference,CASE_CLOSED\n4,5,C1-1001,transaction_id,DUPLICATE\n5,6,C1-1001,amount,BAD_AMOUNT')"
expect_eq "still 4 transactions" "$(sql "SELECT count(*) FROM transactions")" 4

# --kind forces the kind: a transaction file read as cases lacks columns
{ cat "$TMP/later.csv"; echo; } >"$TMP/later2.csv"
run_loader load --conf "$CONF" --kind cases --as-of 2026-11-20 "$TMP/later2.csv"
expect_eq "forced kind refused" "$rc" 1
expect_eq "forced kind code" "$(report_rows "$TMP/reports/batch-4.rejects.csv" | tail -n +2 | cut -d, -f5)" "FILE_HEADER"
