#!/usr/bin/env bash
# Two loaders on one file load it once; two files with overlapping
# references at once: each reference once, the loser gets DUPLICATE.
. "$ROOT/tests/lib.sh"
new_db two
python3 "$ROOT/tests/tools/gen.py" creditors 40 "$TMP/creditors.csv"
load_creditors "$TMP/creditors.csv"
N=30000
python3 "$ROOT/tests/tools/gen.py" cases $N "$TMP/cases.csv"

load_twice_at_once "$TMP/cases.csv"
expect_eq "one loads, the other says so" "$outs" \
	"$(printf 'already loaded as batch 1\nbatch 1 loaded: %d records, %d accepted, 0 skipped, 0 rejected' $N $N)"
expect_eq "cases once" "$(sql "SELECT count(*) FROM cases")" $N

# two different files sharing 10000 references with other content
head -n 20001 "$TMP/cases.csv" | tail -n 20000 | sed 's/^\(CR[0-9]*\),REF-/\1,NEW-/' >"$TMP/body"
{ head -n 1 "$TMP/cases.csv"; head -n 10000 "$TMP/body"; } >"$TMP/x.csv"
{ head -n 1 "$TMP/cases.csv"; head -n 10000 "$TMP/body" | sed 's/,false,/,no,/'; tail -n 10000 "$TMP/body"; } >"$TMP/y.csv"
"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/x.csv" >"$TMP/x.out" 2>&1 &
x=$!
"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/y.csv" >"$TMP/y.out" 2>&1 &
y=$!
wait $x || fail "x: $(cat "$TMP/x.out")"
wait $y || fail "y: $(cat "$TMP/y.out")"
# 'false' and 'no' are the same value: the overlapping records are
# identical, so whichever loses sees them as skipped
expect_eq "each reference once" "$(sql "SELECT count(*), count(DISTINCT creditor_reference) FROM cases WHERE creditor_reference LIKE 'NEW-%'")" "20000|20000"
expect_eq "loser skipped" "$(sql "SELECT sum(skipped) FROM batches WHERE batch_id > 1")" 10000

# now with other content: DUPLICATE for the loser
sed 's/,NEW-/,NEW2-/' "$TMP/x.csv" >"$TMP/x2.csv"
sed -e 's/,NEW-/,NEW2-/' -e 's/INV-/INVX-/' "$TMP/x.csv" >"$TMP/y2.csv"
"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/x2.csv" >"$TMP/x2.out" 2>&1 &
x=$!
"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/y2.csv" >"$TMP/y2.out" 2>&1 &
y=$!
wait $x || fail "x2: $(cat "$TMP/x2.out")"
wait $y || fail "y2: $(cat "$TMP/y2.out")"
expect_eq "NEW2 once" "$(sql "SELECT count(*) FROM cases WHERE creditor_reference LIKE 'NEW2-%'")" 10000
expect_eq "loser rejected all as DUPLICATE" "$(sql "SELECT count(*) FROM rejects WHERE code = 'DUPLICATE'")" 10000
