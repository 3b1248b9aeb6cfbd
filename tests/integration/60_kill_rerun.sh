#!/usr/bin/env bash
# SIGKILL of the loader at chosen moments of a large load, on the fast path
# and on the staged one. Each kill is sent while the batch is 'loading',
# as seen in the database with the loader frozen (signal_at in lib.sh), and
# is proven to have landed: the loader died of it (exit 137) with no
# summary, nothing of the batch is stored, and its status is 'failed'
# (never 'loading' forever). Then `rerun 1` completes it exactly once and
# loading the file again says it is loaded. When the load gets past a
# moment before it is seen, the test starts again with a file twice as
# large; it never passes without its kills.
. "$ROOT/tests/lib.sh"

# kill_at WHEN [staged]: one load of the file, SIGKILLed at WHEN. Sets
# missed=1 when the load got past WHEN first.
kill_at() {
	local when=$1 path=${2:-fast} pid rc=0

	load_in_background "$path"
	if ! signal_at "$when" KILL $pid; then
		wait $pid || true
		echo "$path path, $when: the load got past this moment before it was seen: $(cat "$TMP/out")"
		missed=1
		return 0
	fi
	wait $pid || rc=$?
	echo "$path path, $when: SIGKILL while the backend was $moment"
	expect_eq "$path path, $when: the loader died of the SIGKILL" "$rc" 137
	expect_eq "$path path, $when: no summary" "$(cat "$TMP/out")" ""
	wait_backend_gone "$backend_pid"
	expect_eq "$path path, $when: nothing of the batch stored" "$(sql "SELECT count(*) FROM cases")" 0
	expect_eq "$path path, $when: status of the killed batch" "$(status_of 1)" failed
}

# attempt N: a fresh database and a file of N cases, killed at every
# moment; missed=1 when a moment was missed.
attempt() {
	N=$1
	missed=0
	new_db "kill_$N"
	python3 "$ROOT/tests/tools/gen.py" creditors 40 "$TMP/creditors.csv"
	load_creditors "$TMP/creditors.csv"
	python3 "$ROOT/tests/tools/gen.py" cases "$N" "$TMP/cases.csv"
	for step in "copy:1 fast" "copy:75 fast" "copy:50 staged" "insert staged" "copy-out staged"; do
		# shellcheck disable=SC2086
		kill_at $step
		[ $missed = 0 ] || return 0
	done
}

for n in 150000 300000 600000; do
	attempt "$n"
	[ $missed = 1 ] || break
done
[ $missed = 0 ] || fail "even with $N cases the load got past a moment before it was seen"

run_loader rerun --conf "$CONF" 1
expect_eq "rerun exit" "$rc" 0
expect_eq "rerun summary" "$out" "batch 1 loaded: $N records, $N accepted, 0 skipped, 0 rejected"
expect_eq "exactly once" "$(sql "SELECT count(*), count(DISTINCT creditor_reference) FROM cases")" "$N|$N"
expect_eq "one batch" "$(sql "SELECT count(*) FROM batches")" 1
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/cases.csv"
expect_eq "load again" "$out" "already loaded as batch 1"
expect_eq "no temporary files left" "$(ls "$TMP/reports" | grep -c '\.tmp\.' || true)" 0
