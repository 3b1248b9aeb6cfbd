#!/usr/bin/env bash
# Issue 10, what operators hit: the configuration found from the program
# (cron starts it from /), a missing configuration, $ENGINE_CONF; rerun of
# a loaded batch (the way out of a load with the wrong options); an unknown
# --creditor; options a command does not take; --version; four init-db at
# once; a malformed conninfo with a password.
. "$ROOT/tests/lib.sh"
new_db ops
python3 "$ROOT/tests/tools/gen.py" creditors 2 "$TMP/creditors.csv"
load_creditors "$TMP/creditors.csv"
# 6 cases: CR000 (CH) has records 1, 3, 5; CR001 (SE) has 2, 4, 6
python3 "$ROOT/tests/tools/gen.py" cases 6 "$TMP/night.csv" 2

# ---- an installation: bin/, conf/engine.conf, schemas/, started from /
inst="$TMP/inst"
mkdir -p "$inst/bin" "$inst/conf"
cp "$LOADER" "$inst/bin/loader"
cp "$SETTLEMENT" "$inst/bin/settlement"
ln -s "$ROOT/schemas" "$inst/schemas"
# relative paths in the file are relative to the file's folder (SPEC 2 v2)
sed -e "s|@REPORT_DIR@|../var/reports|" "$ROOT/tests/conf/test.conf" >"$inst/conf/engine.conf"
printf '[settlement]\nout_dir = ../var/statements\n' >>"$inst/conf/engine.conf"
chmod -R a+rX "$inst"

set +e
out=$(cd / && env -u ENGINE_CONF "$inst/bin/loader" load --as-of 2026-10-01 "$TMP/night.csv" 2>"$TMP/err")
rc=$?
set -e
expect_eq "from /: exit" "$rc" 0
expect_eq "from /: summary (countries of the installation's configuration)" "$out" \
	"batch 1 loaded: 6 records, 6 accepted, 0 skipped, 0 rejected"
[ -f "$inst/var/reports/batch-1.receipt.csv" ] || fail "from /: the receipt is not in <install>/var/reports"
expect_eq "from /: init-db finds <install>/schemas" \
	"$(cd / && env -u ENGINE_CONF "$inst/bin/loader" init-db)" "schema up to date: 0 migrations applied"
printf 'creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason\nCR000,REF-000000000,T1,payment,2026-10-15,10.00,CHF,\n' >"$TMP/tx.csv"
expect_eq "from /: transactions" "$(cd / && env -u ENGINE_CONF "$inst/bin/loader" load --as-of 2026-11-01 "$TMP/tx.csv")" \
	"batch 2 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected"
expect_eq "from /: settlement" "$(cd / && env -u ENGINE_CONF "$inst/bin/settlement" run --period 2026-10 --as-of 2026-11-02 |
	cut -d: -f1)" "statement 2026-10-CR000-CHF"
[ -f "$inst/var/statements/2026-10/CR000-CHF.csv" ] || fail "settlement: out_dir is not relative to the configuration's folder"

# a missing configuration is exit 2, nothing done: never built-in defaults
mv "$inst/conf/engine.conf" "$inst/conf/engine.conf.off"
batches_before=$(sql "SELECT count(*) FROM batches")
set +e
out=$(cd / && env -u ENGINE_CONF "$inst/bin/loader" load --as-of 2026-10-01 "$TMP/night.csv" 2>"$TMP/err")
rc=$?
set -e
expect_eq "missing configuration: exit" "$rc" 2
expect_eq "missing configuration: message" "$(cat "$TMP/err")" \
	"loader: error: cannot open configuration '$inst/conf/engine.conf': No such file or directory"
expect_eq "missing configuration: nothing done" "$(sql "SELECT count(*) FROM batches")" "$batches_before"
set +e
(cd / && env -u ENGINE_CONF "$inst/bin/settlement" cases --creditor CR000 >/dev/null 2>&1)
rc=$?
set -e
expect_eq "missing configuration: settlement exit" "$rc" 2
# $ENGINE_CONF names it
set +e
out=$(cd / && ENGINE_CONF="$inst/conf/engine.conf.off" "$inst/bin/loader" load --as-of 2026-10-01 "$TMP/night.csv" 2>&1)
set -e
expect_eq "ENGINE_CONF" "$out" "already loaded as batch 1"
mv "$inst/conf/engine.conf.off" "$inst/conf/engine.conf"

# ---- rerun of a loaded batch: the way out of a load with wrong options
new_db ops_rerun
load_creditors "$TMP/creditors.csv"
run_loader load --conf "$CONF" --creditor CR000 --as-of 2026-11-01 "$TMP/night.csv"
expect_eq "restricted load" "$out" "batch 1 loaded: 6 records, 3 accepted, 0 skipped, 3 rejected"
expect_eq "restricted load: codes" "$(rejects_of 1 | cut -d, -f1,5 | tr '\n' ' ')" \
	"2,CREDITOR_MISMATCH 4,CREDITOR_MISMATCH 6,CREDITOR_MISMATCH "
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/night.csv"
expect_eq "the same file again" "$out" "already loaded as batch 1"
run_loader rerun --conf "$CONF" --all-creditors 1
expect_eq "rerun --all-creditors: exit" "$rc" 0
expect_eq "rerun --all-creditors" "$out" "batch 2 loaded: 6 records, 3 accepted, 3 skipped, 0 rejected"
expect_eq "rerun: receipt" "$(tail -n +2 "$TMP/reports/batch-2.receipt.csv" | cut -d, -f1,4 | tr '\n' ' ')" \
	"1,skipped 2,accepted 3,skipped 4,accepted 5,skipped 6,accepted "
expect_eq "rerun: nothing twice" "$(sql "SELECT count(*), count(DISTINCT creditor_reference) FROM cases")" "6|6"
expect_eq "rerun: the batches" "$(sql "SELECT string_agg(batch_id || ':' || status || ':' || coalesce(rerun_of::text, '-')
	|| ':' || coalesce(creditor_filter, '-') || ':' || as_of, ' ' ORDER BY batch_id) FROM batches")" \
	"1:loaded:-:CR000:2026-11-01 2:loaded:1:-:2026-11-01"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/night.csv"
expect_eq "after the rerun: still the first batch" "$out" "already loaded as batch 1"
# the original options by default; --as-of replaces the date
run_loader rerun --conf "$CONF" --as-of 2026-11-05 1
expect_eq "rerun with the original --creditor" "$out" "batch 3 loaded: 6 records, 0 accepted, 3 skipped, 3 rejected"
expect_eq "rerun: its as-of" "$(sql "SELECT as_of || ' ' || creditor_filter FROM batches WHERE batch_id = 3")" "2026-11-05 CR000"
# a configuration without the creditors' countries, then fixed: rerun
new_db ops_rerun_conf
load_creditors "$TMP/creditors.csv"
grep -v -e '^\[country' -e '^currency' -e '^reminder' -e '^special' -e '^collection' -e '^interest' \
	-e '^vat' -e '^withdrawal' "$CONF" >"$TMP/nocountries.conf"
run_loader load --conf "$TMP/nocountries.conf" --as-of 2026-11-01 "$TMP/night.csv"
expect_eq "no countries" "$out" "batch 1 loaded: 6 records, 0 accepted, 0 skipped, 6 rejected"
run_loader rerun --conf "$CONF" 1
expect_eq "rerun after the fix" "$out" "batch 2 loaded: 6 records, 6 accepted, 0 skipped, 0 rejected"

# ---- --creditor must name a known creditor (SPEC 5 v2): exit 2, nothing done
before=$(sql "SELECT count(*) FROM batches")
run_loader load --conf "$CONF" --creditor ch100 --as-of 2026-11-01 "$TMP/night.csv"
expect_eq "lower-case --creditor: exit" "$rc" 2
run_loader load --conf "$CONF" --creditor CH100 --as-of 2026-11-01 "$TMP/night.csv"
expect_eq "unknown --creditor: exit" "$rc" 2
expect_eq "unknown --creditor: message" "$err" \
	"loader: error: --creditor 'CH100' is not a known creditor; nothing was loaded"
expect_eq "unknown --creditor: nothing done" "$(sql "SELECT count(*) FROM batches")" "$before"
run_loader rerun --conf "$CONF" --creditor CH100 1
expect_eq "rerun with an unknown --creditor: exit" "$rc" 2
expect_eq "rerun with an unknown --creditor: nothing done" "$(sql "SELECT count(*) FROM batches")" "$before"

# ---- each command takes only its own options (SPEC 2 v2)
for args in "init-db --dry-run" "init-db --as-of 2026-11-01" "status --kind cases" "status --dry-run" \
	"creditors --json $TMP/creditors.csv" "load --json $TMP/night.csv" "load --schemas x $TMP/night.csv" \
	"load --all-creditors $TMP/night.csv" "rerun --dry-run 1" "status --since" "status --limit 0" \
	"status --status done" "rerun --creditor CR000 --all-creditors 1"; do
	# shellcheck disable=SC2086
	run_loader $args --conf "$CONF"
	expect_eq "'$args': exit" "$rc" 2
done
run_loader init-db --dry-run --conf "$CONF"
expect_eq "init-db --dry-run: message" "$(head -n 1 <<<"$err")" "loader: '--dry-run' is not an option of 'loader init-db'"
expect_eq "nothing done by refused options" "$(sql "SELECT count(*) FROM batches")" "$before"
set +e
"$SETTLEMENT" cases --conf "$CONF" --creditor CR000 --period 2026-10 >/dev/null 2>&1
rc=$?
set -e
expect_eq "settlement cases --period: exit" "$rc" 2

# ---- --version
expect_eq "loader --version" "$("$LOADER" --version | sed 's/[0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*$/X.Y.Z/')" "loader X.Y.Z"
expect_eq "settlement --version" "$("$SETTLEMENT" --version | sed 's/[0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*$/X.Y.Z/')" \
	"settlement X.Y.Z"
expect_eq "load --version" "$("$LOADER" load --version)" "$("$LOADER" --version)"

# ---- four init-db at once on a fresh database: all succeed
export PGDATABASE="t_ops_init_$$"
createdb "$PGDATABASE"
pids=()
for i in 1 2 3 4; do
	"$LOADER" init-db --conf "$CONF" >"$TMP/init$i.out" 2>"$TMP/init$i.err" &
	pids+=($!)
done
for i in 1 2 3 4; do
	wait "${pids[$((i - 1))]}" || fail "init-db $i: $(cat "$TMP/init$i.err")"
done
expect_eq "four init-db: migrations applied once" \
	"$(cat "$TMP"/init?.out | grep -o '[0-9]* migration' | awk '{ s += $1 } END { print s }')" \
	"$(ls "$ROOT"/schemas/[0-9][0-9][0-9][0-9]_*.sql | wc -l)"

# ---- a malformed conninfo with a password is never printed (SPEC 2 v2)
bad_uri='postgresql://postgres:Secret@[::1/db'
for cmd in "$LOADER status" "$SETTLEMENT cases --creditor CR000" "$LOADER load"; do
	set +e
	# shellcheck disable=SC2086
	msg=$($cmd --conf "$CONF" --db "$bad_uri" $([ "${cmd##* }" = load ] && echo "$TMP/night.csv") 2>&1)
	rc=$?
	set -e
	expect_eq "malformed conninfo ($cmd): exit" "$rc" 2
	if grep -q Secret <<<"$msg"; then fail "the password is printed: $msg"; fi
	grep -q 'does not parse' <<<"$msg" || fail "malformed conninfo: no clear message: $msg"
done
# a connection that fails: libpq's message on one line, no tab
set +e
msg=$("$LOADER" status --conf "$CONF" --db "host=$TMP/nowhere port=1" 2>&1)
set -e
expect_eq "connection failure: one line" "$(wc -l <<<"$msg")" 1
if grep -q $'\t' <<<"$msg"; then fail "a tab in the message: $msg"; fi
echo "ok"
