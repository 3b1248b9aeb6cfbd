#!/usr/bin/env bash
# A progress line on stderr while a long load runs, when stderr is a
# terminal (a pseudo-terminal from script(1)); none when it is not.
. "$ROOT/tests/lib.sh"
command -v script >/dev/null || { echo "skipped: no script(1)"; exit 0; }
new_db progress
python3 "$ROOT/tests/tools/gen.py" creditors 40 "$TMP/creditors.csv"
load_creditors "$TMP/creditors.csv"
python3 "$ROOT/tests/tools/gen.py" cases 140000 "$TMP/cases.csv"
cp "$TMP/cases.csv" "$TMP/cases2.csv"
echo >>"$TMP/cases2.csv"

script -qec "\"$LOADER\" load --conf \"$CONF\" --as-of 2026-11-20 \"$TMP/cases.csv\"" /dev/null >"$TMP/tty.out"
tr '\r' '\n' <"$TMP/tty.out" >"$TMP/tty.lines"
# the reading step: share of the bytes, records, rows/s (and the time left)
mb=$(awk -v b="$(stat -c %s "$TMP/cases.csv")" 'BEGIN { printf "%.1f", b / 1e6 }')
grep -Eq "^.*loader: reading cases.csv: [0-9]+% of $mb MB, [0-9]+ records, [1-9][0-9]* rows/s" "$TMP/tty.lines" ||
	fail "no progress line on a terminal: $(head -c 500 "$TMP/tty.lines")"
# the database steps are named
grep -Eq "loader: checking duplicates and cases: 140000, [0-9]+ s" "$TMP/tty.lines" || fail "no progress of the checks"
grep -Eq "loader: storing the accepted records: 140000, [0-9]+ s" "$TMP/tty.lines" || fail "no progress of the insert"
grep -q "batch 1 loaded: 140000 records" "$TMP/tty.lines" || fail "no summary"

run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/cases2.csv"
expect_eq "not a terminal: no progress" "$err" ""
