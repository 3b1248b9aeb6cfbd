#!/usr/bin/env bash
# A transaction loaded after its month was settled is never lost: re-running
# that month settles nothing new and rewrites the same files; it goes into
# the next statement (March), applied before March's own transactions with
# no interest for the days already accrued (it is booked before the
# accrued-to date). Expected files: fixtures/settlement/expected/2024-03.
source "$ROOT/tests/lib.sh"

SF="$FIX/settlement"
EXP="$SF/expected"
OUT="$TMP/statements"

new_db settle_late
load_creditors
"$LOADER" load --conf "$CONF" --as-of 2024-01-25 "$SF/cases-2024-01.csv" >/dev/null || fail "load January cases"
"$LOADER" load --conf "$CONF" --as-of 2024-02-05 "$SF/cases-2024-02.csv" >/dev/null || fail "load February cases"
"$LOADER" load --conf "$CONF" --as-of 2024-03-01 "$SF/transactions-2024-02.csv" >/dev/null || fail "load transactions"
"$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --out "$OUT" >/dev/null || fail "settle February"
cp -a "$OUT/2024-02" "$TMP/feb"

# late: C1-T9 booked 2024-03-15 and C1-T8 booked 2024-02-10 (in a settled month)
"$LOADER" load --conf "$CONF" --as-of 2024-03-20 "$SF/transactions-late.csv" >/dev/null || fail "load late transactions"

out=$("$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-03-25 --out "$OUT") || fail "re-run February"
expect_eq "February re-run stdout" "$out" "statement 2024-02-C1-CHF: 6 lines, net payout 488.60 CHF
statement 2024-02-D1-DKK: 2 lines, net payout 508.48 DKK
statement 2024-02-S1-SEK: 2 lines, net payout -391.10 SEK"
diff -r "$TMP/feb" "$OUT/2024-02" >/dev/null || fail "February files changed"
expect_eq "late one unsettled" "$(sql "SELECT coalesce(statement_number, 'none') FROM transactions WHERE transaction_id = 'C1-T8'")" "none"

# March before its end: exit 2, nothing settled
set +e
"$SETTLEMENT" run --conf "$CONF" --period 2024-03 --as-of 2024-03-31 --out "$OUT" >/dev/null 2>&1
rc=$?
set -e
expect_eq "unended March" "$rc" "2"
expect_eq "nothing settled" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NULL")" "3"

out=$("$SETTLEMENT" run --conf "$CONF" --period 2024-03 --as-of 2024-04-02 --out "$OUT") || fail "settle March"
expect_eq "March stdout" "$out" "statement 2024-03-C1-CHF: 3 lines, net payout 293.73 CHF"
for ext in csv xml; do
	cmp "$EXP/2024-03/C1-CHF.$ext" "$OUT/2024-03/C1-CHF.$ext" ||
		{ diff "$EXP/2024-03/C1-CHF.$ext" "$OUT/2024-03/C1-CHF.$ext" >&2 || true; fail "March C1-CHF.$ext differs"; }
done
expect_eq "March files" "$(ls "$OUT/2024-03" | tr '\n' ' ')" "C1-CHF.csv C1-CHF.pdf C1-CHF.xml "
expect_eq "all settled" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NULL")" "0"
expect_eq "late one in March" "$(sql "SELECT statement_number FROM transactions WHERE transaction_id = 'C1-T8'")" "2024-03-C1-CHF"
expect_eq "C1-A accrued to" "$(sql "SELECT accrued_to || ' ' || principal || ' ' || interest || ' ' || last_transaction_date FROM cases WHERE creditor_reference = 'C1-A'")" \
	"2024-03-15 45680 0 2024-03-15"
# April: nothing left
out=$("$SETTLEMENT" run --conf "$CONF" --period 2024-04 --as-of 2024-05-02 --out "$OUT") || fail "settle April"
expect_eq "April stdout" "$out" ""
echo "ok"
