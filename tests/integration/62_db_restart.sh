#!/usr/bin/env bash
# The database restarted (fast and immediate) or the backend terminated in
# the middle of a load: exit 3 with a clear message, nothing partial, the
# batch failed, and a re-run completes it exactly once.
. "$ROOT/tests/lib.sh"
new_db restart
python3 "$ROOT/tests/tools/gen.py" creditors 40 "$TMP/creditors.csv"
load_creditors "$TMP/creditors.csv"
N=60000
python3 "$ROOT/tests/tools/gen.py" cases $N "$TMP/cases.csv"

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
wait_ready() {
	for _ in $(seq 1 60); do pg_isready -q && return 0; sleep 0.5; done
	fail "server did not come back"
}

for mode in terminate fast immediate; do
	"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/cases.csv" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	# wait until the load is under way
	for _ in $(seq 1 100); do
		[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'loader' AND state = 'active'")" -ge 1 ] && break
		sleep 0.05
	done
	sleep 0.3
	case $mode in
	terminate) sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'loader'" >/dev/null ;;
	# -t 300: after "immediate" the server recovers first, which on a busy
	# 2-core machine took longer than pg_ctl's default 60 s once
	*) as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m "$mode" -w -t 300 restart >/dev/null 2>&1 || fail "restart $mode" ;;
	esac
	set +e
	wait $pid
	rc=$?
	set -e
	wait_ready
	if grep -q 'loaded:' "$TMP/out"; then
		echo "($mode: the load finished before the fault)"
		break
	fi
	expect_eq "$mode: exit status" "$rc" 3
	grep -q 'error' "$TMP/err" || fail "$mode: no error message"
	expect_eq "$mode: nothing partial" "$(sql "SELECT count(*) FROM cases")" 0
	st=$("$LOADER" status --conf "$CONF" --json 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
	expect_eq "$mode: status" "$st" failed
done
if [ "$(sql "SELECT count(*) FROM cases")" = 0 ]; then
	run_loader rerun --conf "$CONF" 1
	expect_eq "rerun" "$out" "batch 1 loaded: $N records, $N accepted, 0 skipped, 0 rejected"
fi
expect_eq "exactly once" "$(sql "SELECT count(*), count(DISTINCT creditor_reference) FROM cases")" "$N|$N"
