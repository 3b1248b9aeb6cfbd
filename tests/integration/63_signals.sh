#!/usr/bin/env bash
# SIGTERM and SIGINT during a load: the batch is rolled back cleanly, exit
# 3, status failed, and a re-run loads it exactly once.
. "$ROOT/tests/lib.sh"
new_db signals
python3 "$ROOT/tests/tools/gen.py" creditors 40 "$TMP/creditors.csv"
load_creditors "$TMP/creditors.csv"
N=200000
python3 "$ROOT/tests/tools/gen.py" cases $N "$TMP/cases.csv"

for sig in TERM INT; do
	for delay in 0.4 1.5; do
		"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/cases.csv" >"$TMP/out" 2>"$TMP/err" &
		pid=$!
		sleep $delay
		kill -s $sig $pid 2>/dev/null || true
		set +e
		wait $pid
		rc=$?
		set -e
		if grep -q 'loaded:' "$TMP/out"; then
			echo "($sig after $delay s: the load had finished)"
			break 2
		fi
		expect_eq "SIG$sig after $delay s: exit" "$rc" 3
		grep -q 'interrupted' "$TMP/err" || fail "SIG$sig: no message: $(cat "$TMP/err")"
		expect_eq "SIG$sig after $delay s: nothing partial" "$(sql "SELECT count(*) FROM cases")" 0
		expect_eq "SIG$sig after $delay s: status" "$(sql "SELECT status FROM batches WHERE batch_id = 1")" failed
		echo "SIG$sig after $delay s: rolled back, exit 3"
	done
done
if [ "$(sql "SELECT count(*) FROM cases")" = 0 ]; then
	run_loader rerun --conf "$CONF" 1
	expect_eq "rerun" "$out" "batch 1 loaded: $N records, $N accepted, 0 skipped, 0 rejected"
fi
expect_eq "exactly once" "$(sql "SELECT count(*), count(DISTINCT creditor_reference) FROM cases")" "$N|$N"
