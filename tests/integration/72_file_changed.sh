#!/usr/bin/env bash
# Issue 10, finding 4 (SPEC 7 v2): the recorded SHA-256 is that of the bytes
# loaded. A file overwritten in place, appended to or truncated while it
# loads fails the batch (exit 3, nothing loaded, the message says the file
# changed); it is never recorded under a hash its records do not have.
. "$ROOT/tests/lib.sh"
new_db changed
python3 "$ROOT/tests/tools/gen.py" creditors 40 "$TMP/creditors.csv"
load_creditors "$TMP/creditors.csv"
N=150000
python3 "$ROOT/tests/tools/gen.py" cases $N "$TMP/a.csv"
# B: the same size, other references
sed 's/,REF-/,REG-/' "$TMP/a.csv" >"$TMP/b.csv"
expect_eq "same size" "$(stat -c %s "$TMP/b.csv")" "$(stat -c %s "$TMP/a.csv")"
sha_a=$(sha256sum "$TMP/a.csv" | cut -d' ' -f1)
sha_b=$(sha256sum "$TMP/b.csv" | cut -d' ' -f1)

# change FILE HOW once the loader has claimed its batch (the hash is taken)
change_during_load() {
	local file=$1 how=$2 n=$3
	cp "$TMP/a.csv" "$file"
	"$LOADER" load --conf "$CONF" --as-of 2026-11-01 "$file" >"$TMP/out" 2>"$TMP/err" &
	local pid=$!
	for _ in $(seq 1 400); do
		[ "$(sql "SELECT count(*) FROM batches WHERE batch_id = $n AND status = 'loading'")" = 1 ] && break
		sleep 0.01
	done
	case $how in
	overwrite) python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.write(open(sys.argv[2], "rb").read()); f.close()' "$file" "$TMP/b.csv" ;;
	append) tail -n 1000 "$TMP/b.csv" >>"$file" ;;
	truncate) truncate -s $(($(stat -c %s "$file") / 2)) "$file" ;;
	esac
	set +e
	wait $pid
	rc=$?
	set -e
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

# the three attempts are the same file (A's hash): one batch, re-used
n=1
for how in overwrite append truncate; do
	change_during_load "$TMP/$how.csv" $how $n
	if [ "$rc" = 0 ]; then
		fail "$how: the load finished before the file was changed (make the file larger): $out"
	fi
	expect_eq "$how: exit" "$rc" 3
	expect_eq "$how: summary" "$out" "batch $n failed: 0 records, 0 accepted, 0 skipped, 0 rejected"
	expect_eq "$how: message" "$err" \
		"loader: error: '$TMP/$how.csv': '$how.csv' changed while it was being loaded (its SHA-256 is not the one taken at the start); nothing of it was loaded: load it again once it is complete"
	expect_eq "$how: nothing loaded" "$(sql "SELECT count(*) FROM cases")" 0
	expect_eq "$how: batch failed, never loaded" "$(sql "SELECT status FROM batches WHERE batch_id = $n")" failed
done

# the hashes on record are those of files really loaded
cp "$TMP/b.csv" "$TMP/b-copy.csv"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/b-copy.csv"
expect_eq "B loads" "$out" "batch 2 loaded: $N records, $N accepted, 0 skipped, 0 rejected"
expect_eq "B's hash" "$(sql "SELECT sha256 FROM batches WHERE batch_id = 2")" "$sha_b"
expect_eq "B's records" "$(sql "SELECT count(*) FROM cases WHERE creditor_reference LIKE 'REG-%'")" "$N"
# A was never recorded as loaded: sending it again loads it (the failed
# batch of the first attempt is completed)
cp "$TMP/a.csv" "$TMP/overwrite.csv"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/overwrite.csv"
expect_eq "A loads" "$out" "batch 1 loaded: $N records, $N accepted, 0 skipped, 0 rejected"
expect_eq "A's hash" "$(sql "SELECT sha256 FROM batches WHERE batch_id = 1")" "$sha_a"
expect_eq "exactly once" "$(sql "SELECT count(*), count(DISTINCT creditor_reference) FROM cases")" "$((2 * N))|$((2 * N))"
echo ok
