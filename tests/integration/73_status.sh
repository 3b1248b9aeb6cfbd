#!/usr/bin/env bash
# Issue 10, findings 3 and 9: 'status' as an operations view (filters, 120
# columns, why a batch failed in one line without SQL text, wall-clock run
# times), and a loader that waits for another one's lock says which batch
# it waits for.
. "$ROOT/tests/lib.sh"
new_db status
python3 "$ROOT/tests/tools/gen.py" creditors 4 "$TMP/creditors.csv"
load_creditors "$TMP/creditors.csv"
N=60000
python3 "$ROOT/tests/tools/gen.py" cases $N "$TMP/big.csv" 4
# CR000 and CR001 only
python3 "$ROOT/tests/tools/gen.py" cases 2 "$TMP/two.csv" 2
printf 'creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason\nCR002,REF-000000002,T1,payment,2026-10-15,10.00,NOK,\n' >"$TMP/tx.csv"

run_loader load --conf "$CONF" --as-of 2026-10-01 "$TMP/big.csv"
expect_eq "setup" "$out" "batch 1 loaded: $N records, $N accepted, 0 skipped, 0 rejected"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/tx.csv"
expect_eq "setup" "$out" "batch 2 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected"
# refused: an empty file
: >"$TMP/empty.csv"
run_loader load --conf "$CONF" --as-of 2026-10-01 "$TMP/empty.csv"
expect_eq "refused" "$rc" 1
# failed: a statement timeout in the middle of a load
cp "$TMP/big.csv" "$TMP/big2.csv"
sed -i 's/,REF-/,REX-/' "$TMP/big2.csv"
set +e
PGOPTIONS='-c statement_timeout=300' "$LOADER" load --conf "$CONF" --as-of 2026-10-01 "$TMP/big2.csv" >"$TMP/out" 2>"$TMP/err"
rc=$?
set -e
expect_eq "failed: exit" "$rc" 3
run_loader load --conf "$CONF" --as-of 2026-10-01 "$TMP/two.csv"
expect_eq "skipped" "$out" "batch 5 loaded: 2 records, 0 accepted, 2 skipped, 0 rejected"

# ---- the text view: 120 columns, one reason line, no SQL
run_loader status --conf "$CONF"
expect_eq "status: exit" "$rc" 0
awk 'length($0) > 120 { print; exit 1 }' <<<"$out" || fail "status is wider than 120 columns"
expect_eq "status: batches and statuses" "$(awk '$1 ~ /^[0-9]+$/ { print $1, $3 }' <<<"$out" | tr '\n' ' ')" \
	"1 loaded 2 loaded 3 refused 4 failed 5 loaded "
why=$(grep -A1 -E '^ +4 ' <<<"$out" | tail -n 1)
grep -q '^ *why: ' <<<"$why" || fail "no reason under the failed batch: $out"
grep -q 'canceling statement due to statement' <<<"$why" || fail "the reason does not say why: $why"
if grep -Eq "SELECT|INSERT|CREATE|COPY \(|'" <<<"$why"; then fail "SQL text in the reason: $why"; fi
grep -A1 -E '^ +3 ' <<<"$out" | tail -n 1 | grep -q 'why: the file has no header row' || fail "no reason for the refusal: $out"
# wall-clock times: the run time of the large load is what it took
secs=$("$LOADER" status --conf "$CONF" --json 1 | python3 -c '
import json, sys, datetime
b = json.load(sys.stdin)
f = lambda s: datetime.datetime.fromisoformat(s)
print((f(b["finished"]) - f(b["started"])).total_seconds())')
python3 -c "import sys; sys.exit(0 if float('$secs') >= 0.3 else 1)" ||
	fail "finished - started is $secs s for a load of $N records (the transaction's start, not the clock)"
# one batch: every field
run_loader status --conf "$CONF" 4
grep -q "^sha256    $(sha256sum "$TMP/big2.csv" | cut -d' ' -f1)$" <<<"$out" || fail "status 4: no sha256: $out"
grep -Eq "^why       (reading the file|storing the records read|checking duplicates and cases): .*canceling statement due to statement timeout" <<<"$out" ||
	fail "status 4: no reason: $out"

# ---- filters
ids() { awk '$1 ~ /^[0-9]+$/ { print $1 }' <<<"$out" | tr '\n' ' '; }
run_loader status --conf "$CONF" --creditor CR002
expect_eq "--creditor CR002" "$(ids)" "1 2 4 "
run_loader status --conf "$CONF" --creditor CR001
expect_eq "--creditor CR001" "$(ids)" "1 4 5 "
run_loader status --conf "$CONF" --status failed
expect_eq "--status failed" "$(ids)" "4 "
run_loader status --conf "$CONF" --limit 2
expect_eq "--limit 2: the most recent, oldest first" "$(ids)" "4 5 "
run_loader status --conf "$CONF" --since "$(date +%Y-%m-%d)" --status loaded --limit 2
expect_eq "--since today, loaded, 2" "$(ids)" "2 5 "
run_loader status --conf "$CONF" --since 2999-01-01
expect_eq "--since the future: the header only" "$(wc -l <<<"$out")" 1
run_loader status --conf "$CONF" --json --creditor CR003 --status loaded
expect_eq "--json with filters" "$(python3 -c 'import json, sys; print([b["batch_id"] for b in json.load(sys.stdin)])' <<<"$out")" "[1]"

# ---- a loader that waits for another's lock says for which batch
sha_key() { python3 -c 'import struct, sys; print(struct.unpack(">i", bytes.fromhex(sys.argv[1][:8]))[0])' "$1"; }
hold() { # hold LOCK_SQL SHA SECONDS: a fake loader of batch 'holder.csv' that holds a lock
	psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<SQL &
INSERT INTO batches (sha256, file_name, file_path, as_of, status, loader_pid)
 VALUES ('$2', 'holder.csv', '/holder.csv', '2026-10-01', 'loading', pg_backend_pid());
SELECT $1;
SELECT pg_sleep($3);
SQL
	holder=$!
	for _ in $(seq 1 100); do
		[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()")" -ge 1 ] && return 0
		sleep 0.05
	done
	fail "the holder did not take its lock"
}
# a creditor's lock (a transaction file is checked under its creditors' locks)
printf 'creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason\nCR002,REF-000000002,T2,payment,2026-10-16,11.00,NOK,\n' >"$TMP/tx2.csv"
hold "pg_advisory_lock(1819, hashtext('CR002'))" "$(printf 'b%.0s' $(seq 64))" 2
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/tx2.csv"
wait $holder
holder_id=$(sql "SELECT max(batch_id) FROM batches WHERE file_name = 'holder.csv'")
expect_eq "creditor lock: loaded after the wait" "$out" "batch $((holder_id + 1)) loaded: 1 records, 1 accepted, 0 skipped, 0 rejected"
expect_eq "creditor lock: says for which batch" "$err" \
	"loader: batch $((holder_id + 1)): waiting for batch $holder_id to finish: it holds the lock of a creditor of this file"
# the file's lock: another loader of the same file
cp "$TMP/two.csv" "$TMP/three.csv"
echo >>"$TMP/three.csv"
sha3=$(sha256sum "$TMP/three.csv" | cut -d' ' -f1)
hold "pg_advisory_lock(1818, $(sha_key "$sha3"))" "$sha3" 2
run_loader load --conf "$CONF" --as-of 2026-10-01 "$TMP/three.csv"
wait $holder
holder_id=$(sql "SELECT max(batch_id) FROM batches WHERE sha256 = '$sha3'")
expect_eq "file lock: says for which batch" "$err" \
	"loader: 'three.csv' is being loaded by another loader as batch $holder_id; waiting for it"
# the dead holder's batch is taken over and completed
expect_eq "file lock: loaded after the wait" "$out" "batch $holder_id loaded: 2 records, 0 accepted, 2 skipped, 0 rejected"
echo ok
