#!/usr/bin/env bash
# SIGKILL of the loader at random moments of a large load: no partial
# batch, status 'failed' (never 'loading' forever), and both `rerun N` and
# loading the file again complete it exactly once.
. "$ROOT/tests/lib.sh"
new_db kill
python3 "$ROOT/tests/tools/gen.py" creditors 40 "$TMP/creditors.csv"
load_creditors "$TMP/creditors.csv"
N=150000
python3 "$ROOT/tests/tools/gen.py" cases $N "$TMP/cases.csv"

# How long does a whole load take here? Kill at random points within it.
# The kill points spread over the load (about 4 s for 150000 cases with the
# sanitizer build): parsing and COPY, the set-wise checks, the insert, the
# reports and COMMIT; each with a random jitter.
for seed in 1 2 3 4 5; do
	RANDOM=$seed
	base=(0 150 1200 2400 3300 3900)
	delay_ms=$((base[seed] + RANDOM % 400))
	"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/cases.csv" >"$TMP/out.$seed" 2>>"$TMP/all-stderr" &
	pid=$!
	sleep "$(printf '0.%03d' $((delay_ms % 1000)))"
	sleep $((delay_ms / 1000))
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	loaded=$(sql "SELECT count(*) FROM batches WHERE status = 'loaded'")
	n=$(sql "SELECT count(*) FROM cases")
	if [ "$loaded" = 1 ]; then
		# the kill came after COMMIT: everything is there, exactly once
		expect_eq "seed $seed: complete batch" "$n" $N
		break
	fi
	echo "seed $seed: killed after ${delay_ms} ms, nothing partial"
	expect_eq "seed $seed (killed after ${delay_ms} ms): no partial batch" "$n" 0
	# the backend notices the dead client within about a second
	for _ in $(seq 1 20); do
		st=$("$LOADER" status --conf "$CONF" --json 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
		[ "$st" = failed ] && break
		sleep 0.5
	done
	expect_eq "seed $seed: status of the killed batch" "$st" failed
done

if [ "$(sql "SELECT count(*) FROM batches WHERE status = 'loaded'")" = 0 ]; then
	run_loader rerun --conf "$CONF" 1
	expect_eq "rerun exit" "$rc" 0
	expect_eq "rerun summary" "$out" "batch 1 loaded: $N records, $N accepted, 0 skipped, 0 rejected"
fi
expect_eq "exactly once" "$(sql "SELECT count(*), count(DISTINCT creditor_reference) FROM cases")" "$N|$N"
expect_eq "one batch" "$(sql "SELECT count(*) FROM batches")" 1
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/cases.csv"
expect_eq "load again" "$out" "already loaded as batch 1"
expect_eq "no temporary files left" "$(ls "$TMP/reports" | grep -c '\.tmp\.' || true)" 0
