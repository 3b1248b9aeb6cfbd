#!/usr/bin/env bash
# init-db upgrades a database settled under SPEC version 1 to the v2
# settlement (schemas/0005_settlement_v2.sql) and is safe to run again:
# the statements issued before close their periods (settlement_runs), a
# case's booked status is read from what was settled (a withdrawal loaded
# but not settled leaves it open as booked), the cases that a statement
# counted are marked. Then February settles C1 and D1 as on a new database
# and rewrites S1's earlier statement byte for byte.
#
# S1's February statement stands in for one issued by the v1 program: its
# rows are those of fixtures/settlement/README.md, inserted by hand.
source "$ROOT/tests/lib.sh"

SF="$FIX/settlement"
EXP="$SF/expected"
OUT="$TMP/statements"

new_db settle_upgrade
# the v1 schema: migrations 0001 to 0004, and the loader's own later
# migrations 0006, 0007 and 0009 (this loader needs them); the upgrade
# applies the settlement's 0005, 0008, 0010 and 0013, and 0011 (identifiers
# compared bytewise) and 0014 (no payment reference index)
mkdir -p "$TMP/v1"
cp "$ROOT"/schemas/000[1-4]_*.sql "$ROOT"/schemas/000[679]_*.sql "$TMP/v1/"
dropdb "$PGDATABASE"
createdb "$PGDATABASE"
"$LOADER" init-db --conf "$CONF" --schemas "$TMP/v1" >/dev/null || fail "init-db v1"
load_creditors
"$LOADER" load --conf "$CONF" --as-of 2024-01-25 "$SF/cases-2024-01.csv" >/dev/null || fail "load January cases"
"$LOADER" load --conf "$CONF" --as-of 2024-02-05 "$SF/cases-2024-02.csv" >/dev/null || fail "load February cases"
"$LOADER" load --conf "$CONF" --as-of 2024-03-01 "$SF/transactions-2024-02.csv" >/dev/null || fail "load transactions"

# S1's February statement as v1 issued it
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
BEGIN;
INSERT INTO statements (creditor_id, statement_number, period, currency, period_start, period_end,
  issued, issued_at, commission_pct, interest_to, interest_rate_pct, interest_days_per_year, vat_pct,
  withdrawal_fee, registered_cases, registered_principal, open_cases, open_principal, withdrawn_cases,
  paid_cases, lines, payments, direct_payments, credit_notes, withdrawal_fees, creditor_share,
  commission, payout_effect, vat, net_payout)
VALUES ('S1', '2024-02-S1-SEK', '2024-02', 'SEK', '2024-02-01', '2024-02-29', '2024-03-05',
  '2024-03-05 10:00+00', 12.50, 'agency', 10.50, 365, 25.00, 0, 2, 300000, 1, 68575, 1, 0, 2, 0,
  150000, 0, 0, 131425, 16428, -35003, 4107, -39110);
INSERT INTO statement_lines (creditor_id, statement_number, line_no, tx_id, case_id,
  creditor_reference, debtor_name, transaction_id, kind, booking_date, amount, to_fees, to_interest,
  to_principal, overpaid, creditor_share, commission, payout_effect, interest_accrued, written_off,
  withdrawal_fee, principal_after, fees_after, interest_after)
SELECT 'S1', '2024-02-S1-SEK', v.line_no, t.tx_id, t.case_id, c.creditor_reference, c.debtor_name,
  t.transaction_id, t.kind, t.booking_date, t.amount, v.to_fees, v.to_interest, v.to_principal, 0,
  v.share, v.commission, v.payout, 575, v.written_off, 0, v.principal, 0, 0
FROM (VALUES (1, 'S1-T1', 0, 0, 0, 0, 0, 0, 118575, 0),
             (2, 'S1-T2', 18000, 575, 131425, 131425, 16428, -35003, 0, 68575))
  AS v (line_no, transaction_id, to_fees, to_interest, to_principal, share, commission, payout,
        written_off, principal)
JOIN transactions t ON t.creditor_id = 'S1' AND t.transaction_id = v.transaction_id
JOIN cases c ON c.case_id = t.case_id;
UPDATE transactions SET statement_number = '2024-02-S1-SEK' WHERE transaction_id IN ('S1-T1', 'S1-T2');
UPDATE cases SET principal = 0, fees = 0, interest = 0, accrued_to = '2024-02-20',
  last_transaction_date = '2024-02-20' WHERE creditor_reference = 'S1-A';
UPDATE cases SET principal = 68575, fees = 0, interest = 0, accrued_to = '2024-02-10',
  last_transaction_date = '2024-02-10' WHERE creditor_reference = 'S1-B';
COMMIT;
SQL

# upgrade, twice: 0005 (settlement v2), 0008 (payouts), 0010 (the PDFs'
# documents), 0013 (registrations counted per batch)
expect_eq "upgrade" "$("$LOADER" init-db --conf "$CONF")" "schema up to date: 6 migrations applied"
expect_eq "again" "$("$LOADER" init-db --conf "$CONF")" "schema up to date: 0 migrations applied"
state() {
	sql "SELECT string_agg(creditor_id || ':' || period || ':' || run_id || ':' || statements || '/' || transactions, ' ' ORDER BY creditor_id, run_id) FROM settlement_runs"
	sql "SELECT string_agg(creditor_reference || ':' || status || '/' || booked_status || '/' || coalesce(coalesce(registered_statement, (SELECT b.statement_number FROM registered_batches b WHERE b.creditor_id = cases.creditor_id AND b.currency = cases.currency AND b.batch_id = cases.batch_id)), '-'), ' ' ORDER BY case_id) FROM cases"
}
expect_eq "after the upgrade" "$(state)" "S1:2024-02:0:1/2
C1-F:open/open/- C1-A:open/open/- C1-B:open/open/- C1-C:open/open/- C1-D:withdrawn/open/- C1-E:open/open/- D1-A:open/open/- D1-B:open/open/- S1-A:withdrawn/withdrawn/2024-02-S1-SEK S1-B:open/open/2024-02-S1-SEK"
# the migration itself is safe to run again by hand
before=$(state)
psql -X -q -v ON_ERROR_STOP=1 -f "$ROOT/schemas/0005_settlement_v2.sql" >/dev/null 2>&1 || fail "0005 run again"
expect_eq "0005 run again" "$(state)" "$before"

# February: C1 and D1 are settled as on a new database, S1 is closed and
# its statement is written from the stored rows
out=$("$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --out "$OUT" 2>"$TMP/err") ||
	{ cat "$TMP/err" >&2; fail "settle February"; }
expect_eq "February" "$out" "statement 2024-02-C1-CHF: 6 lines, net payout 488.60 CHF
statement 2024-02-D1-DKK: 2 lines, net payout 508.48 DKK
statement 2024-02-S1-SEK: 2 lines, net payout -391.10 SEK"
diff -r -x '*.pdf' "$EXP/2024-02" "$OUT/2024-02" >&2 || fail "February files differ from the expected ones"
expect_eq "settled" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NULL")" "1"
# and still safe to run again after a v2 run
before=$(state)
psql -X -q -v ON_ERROR_STOP=1 -f "$ROOT/schemas/0005_settlement_v2.sql" >/dev/null 2>&1 || fail "0005 run after February"
expect_eq "0005 run after February" "$(state)" "$before"
echo "ok"
