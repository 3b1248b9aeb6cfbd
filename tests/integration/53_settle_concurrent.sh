#!/usr/bin/env bash
# Settlement runs started at once never settle a transaction twice: several
# runs of the same period (all creditors, and single creditors) are held at
# the creditor lock and released together; every run succeeds, each
# transaction is in exactly one statement, and the files are the expected
# ones. The database refuses a second settlement of a transaction even
# without the lock.
source "$ROOT/tests/lib.sh"

SF="$FIX/settlement"
EXP="$SF/expected"
OUT="$TMP/statements"

new_db settle_concurrent
load_creditors
"$LOADER" load --conf "$CONF" --as-of 2024-01-25 "$SF/cases-2024-01.csv" >/dev/null || fail "load January cases"
"$LOADER" load --conf "$CONF" --as-of 2024-02-05 "$SF/cases-2024-02.csv" >/dev/null || fail "load February cases"
"$LOADER" load --conf "$CONF" --as-of 2024-03-01 "$SF/transactions-2024-02.csv" >/dev/null || fail "load transactions"

# Hold the settlement lock of C1 (the advisory lock of settle.c) so the runs
# queue up behind it, then let them go together.
psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<'SQL' &
SELECT pg_advisory_lock(1398033485, hashtext('C1'));
SELECT pg_sleep(3);
SQL
holder=$!
sleep 1

pids=()
for i in 1 2 3 4 5 6; do
	case $i in
	1 | 2 | 3) args=() ;;
	4) args=(--creditor C1) ;;
	5) args=(--creditor S1) ;;
	6) args=(--creditor D1) ;;
	esac
	"$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --out "$OUT" "${args[@]}" \
		>"$TMP/out.$i" 2>"$TMP/err.$i" &
	pids+=($!)
done
wait "$holder" || true
for i in 1 2 3 4 5 6; do
	wait "${pids[$((i - 1))]}" || { cat "$TMP/err.$i" >&2; fail "run $i failed"; }
done

all="statement 2024-02-C1-CHF: 6 lines, net payout 488.60 CHF
statement 2024-02-D1-DKK: 2 lines, net payout 508.48 DKK
statement 2024-02-S1-SEK: 2 lines, net payout -391.10 SEK"
for i in 1 2 3; do
	expect_eq "run $i stdout" "$(cat "$TMP/out.$i")" "$all"
done
expect_eq "run 4 stdout" "$(cat "$TMP/out.4")" "statement 2024-02-C1-CHF: 6 lines, net payout 488.60 CHF"
expect_eq "run 5 stdout" "$(cat "$TMP/out.5")" "statement 2024-02-S1-SEK: 2 lines, net payout -391.10 SEK"
expect_eq "run 6 stdout" "$(cat "$TMP/out.6")" "statement 2024-02-D1-DKK: 2 lines, net payout 508.48 DKK"
expect_eq "issued once in total" "$(cat "$TMP"/err.* | sed -n 's/.*: \([0-9]*\) statements\{0,1\} issued.*/\1/p' | awk '{ s += $1 } END { print s }')" "3"

expect_eq "statements" "$(sql "SELECT count(*) FROM statements")" "3"
expect_eq "lines" "$(sql "SELECT count(*) FROM statement_lines")" "10"
expect_eq "distinct transactions" "$(sql "SELECT count(DISTINCT tx_id) FROM statement_lines")" "10"
expect_eq "settled" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NOT NULL")" "10"
expect_eq "balances applied once" "$(sql "SELECT principal FROM cases WHERE creditor_reference = 'C1-A'")" "75411"
for f in C1-CHF D1-DKK S1-SEK; do
	for ext in csv xml; do
		cmp "$EXP/2024-02/$f.$ext" "$OUT/2024-02/$f.$ext" || fail "$f.$ext differs from the expected file"
	done
done
[ -z "$(ls -A "$OUT/2024-02" | grep -v -e '\.csv$' -e '\.xml$' -e '\.pdf$')" ] || fail "temporary files left behind"

# the last line of defence: a transaction cannot be settled twice, nor a
# statement number issued twice, whatever a program does
if sql "INSERT INTO statement_lines SELECT creditor_id, statement_number, 99, tx_id, case_id, creditor_reference, debtor_name, transaction_id, kind, booking_date, amount, to_fees, to_interest, to_principal, overpaid, creditor_share, commission, payout_effect, interest_accrued, written_off, withdrawal_fee, principal_after, fees_after, interest_after FROM statement_lines WHERE line_no = 1 AND statement_number = '2024-02-C1-CHF'" 2>/dev/null; then
	fail "a transaction was settled twice"
fi
if sql "INSERT INTO statements SELECT * FROM statements WHERE statement_number = '2024-02-C1-CHF'" 2>/dev/null; then
	fail "a statement number was issued twice"
fi
echo "ok"
