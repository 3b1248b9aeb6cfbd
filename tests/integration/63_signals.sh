#!/usr/bin/env bash
# SIGTERM and SIGINT during a load, on the fast path and on the staged one.
# Each signal is sent while the batch is 'loading', as seen in the database
# with the loader frozen (signal_at in lib.sh), and is proven to have
# landed: the loader says it was interrupted and the batch rolled back,
# exits 3, prints a failed summary, stores nothing and marks the batch
# 'failed'. Then a re-run loads it exactly once. When the load gets past a
# moment before it is seen, the test starts again with a file twice as
# large; it never passes without its signals.
. "$ROOT/tests/lib.sh"

# signal_once SIG WHEN [staged]: one load of the file, sent SIG at WHEN.
# Sets missed=1 when the load got past WHEN first.
signal_once() {
	local sig=$1 when=$2 path=${3:-fast} pid rc=0 what

	load_in_background "$path"
	if ! signal_at "$when" "$sig" $pid; then
		wait $pid || true
		echo "SIG$sig, $path path, $when: the load got past this moment before it was seen: $(cat "$TMP/out")"
		missed=1
		return 0
	fi
	wait $pid || rc=$?
	what="SIG$sig, $path path, $when"
	echo "$what: sent while the backend was $moment"
	expect_eq "$what: exit" "$rc" 3
	grep -q 'interrupted by a signal; the batch was rolled back' "$TMP/err" ||
		fail "$what: no message that the batch was rolled back: $(cat "$TMP/err")"
	grep -q '^batch 1 failed: ' "$TMP/out" || fail "$what: not a failed summary: $(cat "$TMP/out")"
	expect_eq "$what: nothing partial" "$(sql "SELECT count(*) FROM cases")" 0
	expect_eq "$what: status" "$(sql "SELECT status FROM batches WHERE batch_id = 1")" failed
}

# attempt N: a fresh database and a file of N cases, a signal at every
# moment; missed=1 when a moment was missed.
attempt() {
	N=$1
	missed=0
	new_db "signals_$N"
	python3 "$ROOT/tests/tools/gen.py" creditors 40 "$TMP/creditors.csv"
	load_creditors "$TMP/creditors.csv"
	python3 "$ROOT/tests/tools/gen.py" cases "$N" "$TMP/cases.csv"
	for step in "TERM copy:1 fast" "INT copy:50 fast" "TERM insert staged" "INT copy-out staged"; do
		# shellcheck disable=SC2086
		signal_once $step
		[ $missed = 0 ] || return 0
	done
}

for n in 150000 300000 600000; do
	attempt "$n"
	[ $missed = 1 ] || break
done
[ $missed = 0 ] || fail "even with $N cases the load got past a moment before it was seen"

run_loader rerun --conf "$CONF" 1
expect_eq "rerun" "$out" "batch 1 loaded: $N records, $N accepted, 0 skipped, 0 rejected"
expect_eq "exactly once" "$(sql "SELECT count(*), count(DISTINCT creditor_reference) FROM cases")" "$N|$N"
