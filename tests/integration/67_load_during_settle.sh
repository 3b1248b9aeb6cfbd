#!/usr/bin/env bash
# A load running while the settlement runs: the statement settles a
# consistent snapshot; transactions committed after it are settled by the
# next run, never lost, never twice.
. "$ROOT/tests/lib.sh"
new_db loadsettle
loaded_for_settling 20000 60000 3000

"$SETTLEMENT" run --conf "$CONF" --period 2026-10 --as-of 2026-11-20 --out "$TMP/st" >"$TMP/settle1.out" 2>"$TMP/settle1.err" &
spid=$!
sleep 0.3
"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/tx2.csv" >"$TMP/load.out" 2>&1 || fail "concurrent load: $(cat "$TMP/load.out")"
wait $spid || fail "settlement: $(cat "$TMP/settle1.err")"
expect_eq "concurrent load" "$(cat "$TMP/load.out")" "batch 3 loaded: 3000 records, 3000 accepted, 0 skipped, 0 rejected"

total=$(sql "SELECT count(*) FROM transactions")
expect_eq "all transactions stored" "$total" 63000
settled=$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NOT NULL")
# the snapshot holds either none or all of the concurrent batch, never part
late=$(sql "SELECT count(*) FROM transactions WHERE transaction_id LIKE 'TY-%' AND statement_number IS NULL")
[ "$late" = 0 ] || [ "$late" = 3000 ] || fail "part of a batch settled: $late of 3000 left"
expect_eq "lines = settled transactions" "$(sql "SELECT count(*) FROM statement_lines")" "$settled"
echo "first run settled $settled, $late of the concurrent batch left for the next run"

"$SETTLEMENT" run --conf "$CONF" --period 2026-11 --as-of 2026-12-01 --out "$TMP/st" >/dev/null 2>"$TMP/settle2.err" || fail "next run: $(cat "$TMP/settle2.err")"
expect_eq "nothing lost" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NULL")" 0
expect_eq "nothing twice" "$(sql "SELECT count(*), count(DISTINCT tx_id) FROM statement_lines")" "63000|63000"
