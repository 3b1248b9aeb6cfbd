#!/usr/bin/env bash
# A settlement that fails mid-way issues nothing: a database failure while
# storing the last creditor's statement, or an I/O failure while writing the
# files, rolls everything back (no statement, no settled transaction, no
# balance changed, no file). A run killed while committing leaves either
# nothing or complete statements, and the next run writes the files.
source "$ROOT/tests/lib.sh"

SF="$FIX/settlement"
EXP="$SF/expected"
OUT="$TMP/statements"

new_db settle_atomic
load_creditors
"$LOADER" load --conf "$CONF" --as-of 2024-01-25 "$SF/cases-2024-01.csv" >/dev/null || fail "load January cases"
"$LOADER" load --conf "$CONF" --as-of 2024-02-05 "$SF/cases-2024-02.csv" >/dev/null || fail "load February cases"
"$LOADER" load --conf "$CONF" --as-of 2024-03-01 "$SF/transactions-2024-02.csv" >/dev/null || fail "load transactions"
balances="SELECT string_agg(case_id || ':' || principal || '/' || fees || '/' || interest || '/' || accrued_to || '/' || status, ' ' ORDER BY case_id) FROM cases"
before=$(sql "$balances")

nothing_issued() {
	expect_eq "$1: statements" "$(sql "SELECT count(*) FROM statements")" "0"
	expect_eq "$1: lines" "$(sql "SELECT count(*) FROM statement_lines")" "0"
	expect_eq "$1: settled" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NOT NULL")" "0"
	expect_eq "$1: balances" "$(sql "$balances")" "$before"
}

# 1. the database refuses S1's lines (the last creditor): C1 and D1, already
#    computed and stored in the same transaction, are not issued either
sql "CREATE FUNCTION fail_s1() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN IF NEW.creditor_id = 'S1' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END \$\$"
sql "CREATE TRIGGER fail_s1 BEFORE INSERT ON statement_lines FOR EACH ROW EXECUTE FUNCTION fail_s1()"
set +e
out=$("$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --out "$OUT" 2>"$TMP/err")
rc=$?
set -e
expect_eq "database failure exit" "$rc" "3"
expect_eq "database failure stdout" "$out" ""
grep -q "injected failure" "$TMP/err" || fail "the database error is not reported"
nothing_issued "database failure"
[ -z "$(ls -A "$OUT/2024-02" 2>/dev/null)" ] || fail "files written by a failed run"
sql "DROP TRIGGER fail_s1 ON statement_lines"

# 2. the statement directory cannot be written: nothing issued
mkdir -p "$OUT"
touch "$OUT/2024-02"
set +e
"$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --out "$OUT" >/dev/null 2>"$TMP/err"
rc=$?
set -e
expect_eq "I/O failure exit" "$rc" "3"
nothing_issued "I/O failure"
rm "$OUT/2024-02"

# 3. killed while committing (a deferred trigger makes the commit slow): the
#    statements are either all issued or not at all; the next run completes
#    the job and leaves no temporary file behind
sql "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN PERFORM pg_sleep(2); RETURN NULL; END \$\$"
sql "CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON statements DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.creditor_id = 'S1') EXECUTE FUNCTION slow_commit()"
"$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --out "$OUT" >"$TMP/out.killed" 2>&1 &
pid=$!
sleep 1
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
sleep 2
n=$(sql "SELECT count(*) FROM statements")
case "$n" in
0) nothing_issued "killed" ;;
3) expect_eq "killed: settled" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NOT NULL")" "10" ;;
*) fail "killed run left $n statements" ;;
esac
for f in "$OUT"/2024-02/*; do
	[ -e "$f" ] || continue
	case "$f" in
	*.csv | *.xml) cmp -s "$f" "$EXP/2024-02/$(basename "$f")" || fail "half-written $(basename "$f")" ;;
	esac
done
sql "DROP TRIGGER slow_commit ON statements"

out=$("$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --out "$OUT" 2>"$TMP/err") || { cat "$TMP/err" >&2; fail "run after the failures"; }
expect_eq "stdout" "$out" "statement 2024-02-C1-CHF: 6 lines, net payout 488.60 CHF
statement 2024-02-D1-DKK: 2 lines, net payout 508.48 DKK
statement 2024-02-S1-SEK: 2 lines, net payout -391.10 SEK"
expect_eq "files" "$(ls -A "$OUT/2024-02" | tr '\n' ' ')" "C1-CHF.csv C1-CHF.pdf C1-CHF.xml D1-DKK.csv D1-DKK.pdf D1-DKK.xml S1-SEK.csv S1-SEK.pdf S1-SEK.xml "
for f in C1-CHF D1-DKK S1-SEK; do
	for ext in csv xml; do
		cmp "$EXP/2024-02/$f.$ext" "$OUT/2024-02/$f.$ext" || fail "$f.$ext differs from the expected file"
	done
done
expect_eq "settled once" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NOT NULL")" "10"
echo "ok"
