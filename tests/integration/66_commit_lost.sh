#!/usr/bin/env bash
# statement_timeout during a load, and the connection lost during COMMIT:
# the loader asks the database whether the batch committed, never loads
# twice; the batch is failed and a rerun completes it exactly once.
. "$ROOT/tests/lib.sh"
new_db commitlost
python3 "$ROOT/tests/tools/gen.py" creditors 40 "$TMP/creditors.csv"
load_creditors "$TMP/creditors.csv"
N=100000
python3 "$ROOT/tests/tools/gen.py" cases $N "$TMP/cases.csv"

# 1. statement_timeout: a statement of the load runs too long
PGOPTIONS="-c statement_timeout=300" run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/cases.csv"
expect_eq "timeout: exit" "$rc" 3
echo "$err" | grep -q "statement timeout" || fail "timeout: unclear message: $err"
expect_eq "timeout: nothing partial" "$(sql "SELECT count(*) FROM cases")" 0
expect_eq "timeout: status" "$(sql "SELECT status FROM batches WHERE batch_id = 1")" failed

# 2. the connection is lost during COMMIT: a deferred trigger makes COMMIT
# wait, and the backend is terminated while it waits
sql "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS
     \$\$ BEGIN PERFORM pg_sleep(3); RETURN NULL; END \$\$;
     CREATE CONSTRAINT TRIGGER slow_commit AFTER UPDATE ON batches DEFERRABLE INITIALLY DEFERRED
     FOR EACH ROW WHEN (NEW.status = 'loaded') EXECUTE FUNCTION slow_commit();" >/dev/null
"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/cases.csv" >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 1 200); do
	[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'loader' AND wait_event = 'PgSleep'")" = 1 ] && break
	sleep 0.1
done
expect_eq "COMMIT is waiting" "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'loader' AND wait_event = 'PgSleep'")" 1
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'loader' AND wait_event = 'PgSleep'" >/dev/null
set +e
wait $pid
rc=$?
set -e
expect_eq "lost at COMMIT: exit" "$rc" 3
expect_eq "lost at COMMIT: not committed, nothing partial" "$(sql "SELECT count(*) FROM cases")" 0
st=$("$LOADER" status --conf "$CONF" --json 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
expect_eq "lost at COMMIT: status" "$st" failed
[ ! -e "$TMP/reports/batch-1.receipt.csv" ] || fail "a receipt for a batch that did not commit"

sql "DROP TRIGGER slow_commit ON batches" >/dev/null
run_loader rerun --conf "$CONF" 1
expect_eq "rerun" "$out" "batch 1 loaded: $N records, $N accepted, 0 skipped, 0 rejected"
expect_eq "exactly once" "$(sql "SELECT count(*), count(DISTINCT creditor_reference) FROM cases")" "$N|$N"
