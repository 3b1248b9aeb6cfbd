#!/usr/bin/env bash
# registeredCases (SPEC 9.2 v2) counted per batch (schemas/0013): the
# cases of one creditor, currency and batch registered by the period's end
# are counted together by one statement, with one row of
# registered_batches and no case row written; a case loaded later with an
# as-of date in a closed period goes into the next statement; a case
# registered after the period's end whose transaction is booked in the
# period (as loaders before SPEC v2 let in) is counted by its first line,
# on its own row; no case is counted twice.
source "$ROOT/tests/lib.sh"

SF="$FIX/settlement"
EXP="$SF/expected"
OUT="$TMP/statements"
COUNTED_BY="coalesce(registered_statement, (SELECT b.statement_number FROM registered_batches b
 WHERE b.creditor_id = cases.creditor_id AND b.currency = cases.currency AND b.batch_id = cases.batch_id))"

new_db settle_registered
load_creditors
"$LOADER" load --conf "$CONF" --as-of 2024-01-25 "$SF/cases-2024-01.csv" >/dev/null || fail "load January cases"
"$LOADER" load --conf "$CONF" --as-of 2024-02-05 "$SF/cases-2024-02.csv" >/dev/null || fail "load February cases"
"$LOADER" load --conf "$CONF" --as-of 2024-03-01 "$SF/transactions-2024-02.csv" >/dev/null || fail "load transactions"
# C1-A (a payment booked 2024-02-14) as if registered after February
sql "UPDATE cases SET registered = '2024-03-02' WHERE creditor_reference = 'C1-A'" >/dev/null

"$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --out "$OUT" >/dev/null || fail "settle February"
# the same six C1 cases as always: the five of the two batches, C1-A by its line
diff -r -x '*.pdf' "$EXP/2024-02" "$OUT/2024-02" >&2 || fail "February files differ from the expected ones"
expect_eq "February portfolio" "$(sql "SELECT registered_cases || ' ' || registered_principal FROM statements WHERE statement_number = '2024-02-C1-CHF'")" "6 398450"
# C1-F 250.00 in January's batch; B 400.00, C 800.00, D 300.00, E 1234.50 in February's
expect_eq "C1 batches" "$(sql "SELECT string_agg(cases || ':' || principal || ':' || statement_number, ' ' ORDER BY batch_id) FROM registered_batches WHERE creditor_id = 'C1'")" \
	"1:25000:2024-02-C1-CHF 4:273450:2024-02-C1-CHF"
expect_eq "case rows written" "$(sql "SELECT string_agg(creditor_reference || '=' || registered_statement, ' ') FROM cases WHERE registered_statement IS NOT NULL")" \
	"C1-A=2024-02-C1-CHF"

# a case loaded into the closed February, paid in March
{ head -n 1 "$SF/cases-2024-02.csv"; grep '^C1,C1-D,' "$SF/cases-2024-02.csv" | sed 's/^C1,C1-D,/C1,C1-Z,/'; } >"$TMP/cases-z.csv"
printf 'creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason\nC1,C1-Z,C1-T20,payment,2024-03-10,10.00,CHF,\n' >"$TMP/tx-z.csv"
"$LOADER" load --conf "$CONF" --as-of 2024-02-20 "$TMP/cases-z.csv" >/dev/null || fail "load the late case"
"$LOADER" load --conf "$CONF" --as-of 2024-03-20 "$TMP/tx-z.csv" >/dev/null || fail "load its payment"
out=$("$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-03-25 --out "$OUT") || fail "re-run February"
diff -r -x '*.pdf' "$EXP/2024-02" "$OUT/2024-02" >&2 || fail "February files changed"
"$SETTLEMENT" run --conf "$CONF" --period 2024-03 --as-of 2024-04-02 --out "$OUT" >/dev/null || fail "settle March"
# C1-Z alone (300.00): C1-A is not counted again
expect_eq "March portfolio" "$(sql "SELECT registered_cases || ' ' || registered_principal FROM statements WHERE statement_number = '2024-03-C1-CHF'")" "1 30000"
expect_eq "reconciled" "$(sql "SELECT count(*) FROM (SELECT open_cases, registered_cases - withdrawn_cases - paid_cases + reopened_cases + coalesce(lag(open_cases) OVER w, 0) AS want FROM statements WINDOW w AS (PARTITION BY creditor_id, currency ORDER BY period)) s WHERE open_cases <> want")" "0"
expect_eq "counted by" "$(sql "SELECT string_agg(creditor_reference || '=' || $COUNTED_BY, ' ' ORDER BY creditor_reference) FROM cases WHERE creditor_id = 'C1'")" \
	"C1-A=2024-02-C1-CHF C1-B=2024-02-C1-CHF C1-C=2024-02-C1-CHF C1-D=2024-02-C1-CHF C1-E=2024-02-C1-CHF C1-F=2024-02-C1-CHF C1-Z=2024-03-C1-CHF"
# April: nothing new, nothing counted twice
"$SETTLEMENT" run --conf "$CONF" --period 2024-04 --as-of 2024-05-02 --out "$OUT" >/dev/null || fail "settle April"
expect_eq "rows" "$(sql "SELECT count(*) FROM registered_batches WHERE creditor_id = 'C1'")" "3"
echo "ok"
