#!/usr/bin/env bash
# SPEC 17: the same engine on a Citus cluster. Starts a coordinator and two
# workers (scripts/citus-cluster.sh, Citus built from ../shared/vendor by
# scripts/citus-build.sh when it is missing; the test skips, saying why,
# only when that build is impossible here), then:
#  1. runs the same job on the single server of make check and on the
#     cluster: the demo's night (cases CSV and XML, a resend, transactions
#     CSV and XML, the bank's camt.054 with payments, suspense and a
#     reversal, an assignment, an event file, a rerun of a loaded batch),
#     the November settlement and its re-run, the case lists, a case
#     overview, the payout and the bank's debit that pays a statement, and
#     the months of fixtures/settlement/v2;
#     every exit code and stdout line, every file written (reject reports,
#     receipts, statements, case lists, payout files) and every row of every
#     table but wall-clock timestamps must be the same, byte for byte;
#  2. checks what is the cluster's own: the tables distributed as SPEC 17
#     says, init-db again changing nothing, a database loaded on one server
#     distributed by init-db once it has the extension, a loader killed
#     (SIGKILL) mid-COPY and its rerun, two loaders on one file, two
#     settlement runs at once, and a load during a settlement (it waits for
#     the settlement's ledger lock, then loads: nothing lost, nothing twice).
source "$ROOT/tests/lib.sh"

set +e
"$ROOT/scripts/citus-build.sh" 2>"$TMP/citus-build.log"
built=$?
set -e
if [ $built -eq 2 ]; then
	echo "SKIP: $(tail -n 1 "$TMP/citus-build.log")"
	exit 0
fi
[ $built -eq 0 ] || { cat "$TMP/citus-build.log" >&2; fail "building Citus"; }

SINGLE_HOST=$PGHOST
SINGLE_PORT=$PGPORT
cluster="$TMP/cluster"
"$ROOT/scripts/citus-cluster.sh" start "$cluster" $((30000 + RANDOM % 20000)) >"$TMP/cluster.env" ||
	fail "cannot start the Citus cluster"
trap '"$ROOT/scripts/citus-cluster.sh" stop "$cluster"' EXIT
CLUSTER_ENV=$(cat "$TMP/cluster.env")

on_single() {
	unset CITUS_WORKERS
	export PGHOST=$SINGLE_HOST PGPORT=$SINGLE_PORT
}
on_cluster() {
	eval "$CLUSTER_ENV"
	export CITUS_WORKERS
}

# ---- 1. the same job on both ----

# step LABEL COMMAND...: its exit code and stdout, in $D/stdout
step() {
	local label=$1 code
	shift
	echo "== $label" >>"$D/stdout"
	set +e
	"$@" >>"$D/stdout" 2>>"$D/stderr"
	code=$?
	set -e
	echo "exit $code" >>"$D/stdout"
}

# status without the wall-clock times
status_json() {
	"$LOADER" status --conf "$CONF" --json | python3 -c '
import json, sys
for b in json.load(sys.stdin):
    for k in ("started", "finished"):
        b.pop(k, None)
    print(json.dumps(b, sort_keys=True))'
}

# pay_first CUR: a camt.054 of the agency's CUR account with the debit
# that pays the first statement of that currency in a payout file
pay_first() {
	local row
	row=$("$SETTLEMENT" statements --conf "$CONF" --json | python3 -c '
import json, sys
for s in json.load(sys.stdin):
    if s["payout_msgid"] and s["payout_msgid"].split("-")[2] == sys.argv[1]:
        print(s["number"] + "\t" + s["net_payout"]); break' "$1")
	[ -n "$row" ] || return 0
	printf 'BOOK\t2026-12-03\t%s\t%s\tDBIT\t-\t-\tPAY-1\t-\t%s\tPAY-N1\t-\n' "${row#*$'\t'}" "$1" "${row%%$'\t'*}" |
		camt_file "$TMP/paid.xml" "$(sed -n "s/^account\.$1 = //p" "$CONF")" PAY-1
	step "bank debit paying ${row%%$'\t'*}" "$LOADER" load --conf "$CONF" --as-of 2026-12-04 "$TMP/paid.xml"
}

# dump: every row of every table of $PGDATABASE, in order, without the
# columns a run cannot repeat (wall-clock times, the loader's backend)
dump() {
	local t cols
	mkdir -p "$D/rows"
	for t in $(sql "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"); do
		cols=$(sql "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
			FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '$t'
			AND data_type <> 'timestamp with time zone' AND column_name <> 'loader_pid'")
		psql -X -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT $cols FROM $t ORDER BY $cols) TO '$D/rows/$PGDATABASE-$t.tsv'"
	done
}

# job DIR: the job on the server of the environment, everything it gives in DIR
job() {
	D=$1
	mkdir -p "$D"
	: >"$D/stdout"
	# the demo's night, with the project's configuration
	export PGDATABASE=job_db
	sed -e "s|^report_dir = .*|report_dir = $D/reports|" -e "s|^out_dir = .*|out_dir = $D/statements|" \
		"$ROOT/conf/engine.conf" >"$CONF"
	make_db
	step creditors "$LOADER" creditors --conf "$CONF" "$FIX/creditors.csv"
	step "cases CSV" "$LOADER" load --conf "$CONF" --as-of 2026-11-01 "$FIX/cases/cases-mixed.csv"
	step "cases CSV again" "$LOADER" load --conf "$CONF" --as-of 2026-11-01 "$FIX/cases/cases-mixed.csv"
	step "cases XML" "$LOADER" load --conf "$CONF" --as-of 2026-11-01 "$FIX/xml/cases-good.xml"
	step transactions "$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$FIX/transactions/transactions-mixed.csv" \
		"$FIX/xml/transactions-mixed.xml"
	step "bank file" "$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$FIX/demo/camt054-2026-11-18.xml"
	step suspense "$LOADER" suspense --conf "$CONF" --json
	step assignments "$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$FIX/demo/assignments-2026-11-20.csv"
	step "suspense --all" "$LOADER" suspense --conf "$CONF" --all
	step events "$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$FIX/demo/events-2026-11-20.csv"
	step "rerun 1" "$LOADER" rerun --conf "$CONF" 1
	step status status_json
	step settlement "$SETTLEMENT" run --conf "$CONF" --period 2026-11 --as-of 2026-12-01
	step "settlement again" "$SETTLEMENT" run --conf "$CONF" --period 2026-11 --as-of 2026-12-01
	for c in $(sql "SELECT DISTINCT creditor_id FROM statements ORDER BY 1"); do
		step "cases of $c" "$SETTLEMENT" cases --conf "$CONF" --creditor "$c" --as-of 2026-12-01
	done
	step "overview of C1-1001" "$SETTLEMENT" case --conf "$CONF" --creditor C1 --as-of 2026-12-01 C1-1001
	step "overview of C1-1001, JSON" "$SETTLEMENT" case --conf "$CONF" --creditor C1 --as-of 2026-12-01 --json C1-1001
	step payout "$SETTLEMENT" payout --conf "$CONF" --period 2026-11 --as-of 2026-12-01
	pay_first CHF
	step statements "$SETTLEMENT" statements --conf "$CONF" --json
	step "payout again" "$SETTLEMENT" payout --conf "$CONF" --period 2026-11 --as-of 2026-12-05
	dump

	# the months of SPEC 9 v2 (57_settle_v2_months), with the test configuration
	export PGDATABASE=months_db
	sed "s|@REPORT_DIR@|$D/reports-months|" "$ROOT/tests/conf/test.conf" >"$CONF"
	make_db
	step creditors "$LOADER" creditors --conf "$CONF" "$FIX/creditors.csv"
	local sf="$FIX/settlement/v2" out="$D/months"
	for s in "load 2026-08-01 cases-08.csv" "load 2026-10-01 tx-09.csv" "run 2026-09 C1 2026-10-02" \
		"run 2026-09 - 2026-10-02" "run 2026-08 - 2026-10-02" "load 2026-10-05 cases-10.csv" \
		"load 2026-10-31 tx-10.csv" "load 2026-11-02 tx-10-withdrawal.csv" "run 2026-10 - 2026-11-05" \
		"load 2026-10-20 cases-10-late.csv" "load 2026-11-06 tx-10-late.csv" "run 2026-10 - 2026-11-07" \
		"run 2026-10 N1 2026-11-07" "load 2026-12-01 tx-11.csv" "run 2026-11 N1 2026-12-02" \
		"run 2026-11 - 2026-12-02" "cases C1 2026-12-02"; do
		set -- $s
		case $1 in
		load) step "$s" "$LOADER" load --conf "$CONF" --as-of "$2" "$sf/$3" ;;
		run) step "$s" "$SETTLEMENT" run --conf "$CONF" --out "$out" --period "$2" \
			$([ "$3" = - ] || echo "--creditor $3") --as-of "$4" ;;
		cases) step "$s" "$SETTLEMENT" cases --conf "$CONF" --creditor "$2" --as-of "$3" ;;
		esac
	done
	dump
}

on_single
job "$TMP/single"
on_cluster
job "$TMP/cluster-run"
# the stderr of the two runs is not compared (the cluster's waits would be
# in it); everything else is
mv "$TMP/single/stderr" "$TMP/single.stderr"
mv "$TMP/cluster-run/stderr" "$TMP/cluster.stderr"
diff -r "$TMP/single" "$TMP/cluster-run" >"$TMP/job.diff" || { head -n 60 "$TMP/job.diff" >&2; fail "the cluster's run differs from the single server's"; }
# the job did what it is meant to: statements, a payout file, a paid one
for f in statements/2026-11/C1-CHF.xml statements/2026-11/payout-2026-11-CHF-1.xml months/2026-11/N1-NOK.csv; do
	[ -s "$TMP/single/$f" ] || fail "the job wrote no $f"
done
grep -q '"paid_date": "2026-12-03"' "$TMP/single/stdout" || fail "the bank's debit paid no statement"
echo "the same job on one server and on the cluster: $(wc -l <"$TMP/single/stdout") stdout lines," \
	"$(find "$TMP/single" -type f | wc -l) files, $(cat "$TMP/single/rows"/*.tsv | wc -l) rows, byte for byte"

# ---- 2. what is the cluster's own ----
on_cluster
export PGDATABASE=job_db
sed "s|@REPORT_DIR@|$TMP/reports|" "$ROOT/tests/conf/test.conf" >"$CONF"

# the layout of SPEC 17: creditors, batches (and payout_files) on every
# node; the batch tables by batch_id, the creditor tables by creditor_id,
# each group colocated, every key with its distribution column, shards on
# both workers
layout() {
	sql "SELECT string_agg(table_name || ' ' || citus_table_type || ' ' || distribution_column, ', '
		ORDER BY table_name::text) || ' / ' || (SELECT string_agg(n::text, ' ' ORDER BY n) FROM (SELECT count(DISTINCT
		colocation_id) AS n FROM citus_tables WHERE citus_table_type = 'distributed' GROUP BY distribution_column) g)
		|| ' / ' || (SELECT count(DISTINCT nodename) FROM citus_shards WHERE table_name = 'cases'::regclass)
		|| ' / ' || (SELECT string_agg(conrelid::regclass || ' ' || pg_get_constraintdef(oid), ', '
		ORDER BY conrelid::regclass::text, pg_get_constraintdef(oid))
		FROM pg_constraint WHERE contype IN ('p', 'u') AND conrelid IN (SELECT logicalrelid FROM pg_dist_partition
		WHERE partmethod = 'h')) FROM citus_tables"
}
want_layout="bank_records distributed batch_id, batches reference <none>, case_events distributed creditor_id, \
cases distributed creditor_id, creditors reference <none>, payout_files reference <none>, payout_transfers distributed creditor_id, \
registered_batches distributed creditor_id, rejects distributed batch_id, settlement_runs distributed creditor_id, statement_documents distributed creditor_id, \
statement_lines distributed creditor_id, \
statements distributed creditor_id, suspense distributed batch_id, transactions distributed creditor_id / 1 1 / 2 / \
bank_records PRIMARY KEY (batch_id, id), bank_records UNIQUE (batch_id, account, bank_reference), \
case_events PRIMARY KEY (creditor_id, event_seq), case_events UNIQUE (creditor_id, event_id), \
cases PRIMARY KEY (creditor_id, case_id), cases UNIQUE (creditor_id, creditor_reference), \
payout_transfers PRIMARY KEY (creditor_id, statement_number), payout_transfers UNIQUE (creditor_id, msgid, line_no), \
registered_batches PRIMARY KEY (creditor_id, currency, batch_id), \
settlement_runs PRIMARY KEY (creditor_id, period, run_id), statement_documents PRIMARY KEY (creditor_id, statement_number), \
statement_lines PRIMARY KEY (creditor_id, statement_number, line_no), \
statement_lines UNIQUE (creditor_id, tx_id), statements PRIMARY KEY (creditor_id, statement_number), \
statements UNIQUE (creditor_id, period, currency), suspense PRIMARY KEY (batch_id, id), \
suspense UNIQUE (batch_id, bank_record_id), transactions PRIMARY KEY (creditor_id, tx_id), \
transactions UNIQUE (creditor_id, transaction_id)"
expect_eq "the tables on the cluster" "$(layout)" "$want_layout"
# a creditor's rows live on one node: the shards of its cases and of its
# transactions are on the same worker
node_of() { echo "(SELECT nodename || ':' || nodeport FROM citus_shards WHERE shardid = get_shard_id_for_distribution_column('$1', c.creditor_id))"; }
expect_eq "colocated" "$(sql "SELECT count(*) FILTER (WHERE a = b) || '/' || count(*) FROM (SELECT $(node_of cases) AS a,
	$(node_of transactions) AS b FROM (SELECT DISTINCT creditor_id FROM transactions) c) x")" \
	"$(sql "SELECT count(DISTINCT creditor_id) || '/' || count(DISTINCT creditor_id) FROM transactions")"

# init-db again changes nothing
run_loader init-db --conf "$CONF"
expect_eq "init-db again" "$rc $out" "0 schema up to date: 0 migrations applied"
expect_eq "the tables after init-db again" "$(layout)" "$want_layout"

# a database of one server, loaded, then given the extension: init-db
# distributes it with its rows, and it goes on as if made on the cluster
export PGDATABASE=upgrade_db
dropdb --if-exists "$PGDATABASE" 2>/dev/null || true
createdb "$PGDATABASE"
"$LOADER" init-db --conf "$CONF" >/dev/null || fail "init-db on one server"
load_creditors
"$LOADER" load --conf "$CONF" --as-of 2024-01-25 "$FIX/settlement/cases-2024-01.csv" >/dev/null || fail "upgrade: load"
expect_eq "upgrade: a plain database" "$(sql "SELECT count(*) FROM pg_extension WHERE extname = 'citus'")" 0
before=$(sql "SELECT string_agg(case_id || ' ' || creditor_reference || ' ' || payment_reference, ', ' ORDER BY case_id) FROM cases")
"$ROOT/scripts/citus-cluster.sh" extend-db "$PGDATABASE"
run_loader init-db --conf "$CONF"
expect_eq "upgrade: init-db" "$rc $out" "0 schema up to date: 0 migrations applied"
expect_eq "upgrade: the tables" "$(layout)" "$want_layout"
expect_eq "upgrade: the cases kept" "$(sql "SELECT string_agg(case_id || ' ' || creditor_reference || ' ' || payment_reference, ', ' ORDER BY case_id) FROM cases")" "$before"
expect_eq "upgrade: the coordinator's copy emptied" "$(sql "SELECT sum(pg_relation_size(logicalrelid)) FROM pg_dist_partition")" 0
"$LOADER" load --conf "$CONF" --as-of 2024-02-05 "$FIX/settlement/cases-2024-02.csv" >/dev/null || fail "upgrade: load February"
"$LOADER" load --conf "$CONF" --as-of 2024-03-01 "$FIX/settlement/transactions-2024-02.csv" >/dev/null || fail "upgrade: load transactions"
run_settle() { "$SETTLEMENT" run --conf "$CONF" --out "$TMP/upgrade" --period 2024-02 --as-of 2024-03-05; }
expect_eq "upgrade: settlement" "$(run_settle)" "statement 2024-02-C1-CHF: 6 lines, net payout 488.60 CHF
statement 2024-02-D1-DKK: 2 lines, net payout 508.48 DKK
statement 2024-02-S1-SEK: 2 lines, net payout -391.10 SEK"
for f in C1-CHF.csv C1-CHF.xml D1-DKK.xml S1-SEK.csv; do
	cmp "$FIX/settlement/expected/2024-02/$f" "$TMP/upgrade/2024-02/$f" || fail "upgrade: $f is not the expected one"
done

# a loader killed (SIGKILL) in the middle of its COPY into the distributed
# cases: nothing of it stored, failed; the rerun loads it exactly once;
# two loaders on one file load it once
new_db kill
python3 "$ROOT/tests/tools/gen.py" creditors 40 "$TMP/creditors.csv"
load_creditors "$TMP/creditors.csv"
for N in 100000 200000 400000; do
	python3 "$ROOT/tests/tools/gen.py" cases $N "$TMP/cases.csv"
	load_in_background fast
	signal_at copy:40 KILL $pid && break
	wait $pid || true
	echo "the load of $N cases ended before it was seen at 40 % of its COPY: $(cat "$TMP/out")"
	new_db "kill_$N"
	load_creditors "$TMP/creditors.csv"
done
set +e
wait $pid
killed=$?
set -e
echo "SIGKILL while the backend was $moment"
expect_eq "killed: exit" "$killed" 137
wait_backend_gone "$backend_pid"
expect_eq "killed: nothing stored" "$(sql "SELECT count(*) FROM cases")" 0
expect_eq "killed: failed" "$(status_of 1)" failed
# the same file twice at once, while it is failed: one loader reruns it,
# the other waits and finds it loaded
load_twice_at_once "$TMP/cases.csv"
expect_eq "two loaders" "$outs" "already loaded as batch 1
batch 1 loaded: $N records, $N accepted, 0 skipped, 0 rejected"
expect_eq "exactly once" "$(sql "SELECT count(*), count(DISTINCT creditor_reference), count(DISTINCT case_id) FROM cases")" "$N|$N|$N"

# two settlement runs at once, and a load while a settlement runs: the
# runs settle each transaction once; the load waits for the settlement's
# ledger lock (no snapshot spans the nodes), then loads, and the next run
# settles it
new_db settle
loaded_for_settling 10000 30000 2000
for i in 1 2; do
	"$SETTLEMENT" run --conf "$CONF" --period 2026-10 --as-of 2026-11-20 --out "$TMP/st" >"$TMP/s$i.out" 2>"$TMP/s$i.err" &
	eval "s$i=\$!"
done
sleep 0.5
"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/tx2.csv" >"$TMP/load.out" 2>"$TMP/load.err" || fail "load during the settlement: $(cat "$TMP/load.err")"
wait "$s1" || fail "settlement 1: $(cat "$TMP/s1.err")"
wait "$s2" || fail "settlement 2: $(cat "$TMP/s2.err")"
cmp "$TMP/s1.out" "$TMP/s2.out" || fail "the two runs printed other statements"
[ -s "$TMP/s1.out" ] || fail "the runs issued no statement"
# it loads after the settlement: transactions of cases the settlement
# closed (paid off) are CASE_CLOSED now, as they would be on one server
# for a load that starts after the run
closed=$(sql "SELECT count(*) FROM rejects WHERE batch_id = 3 AND code = 'CASE_CLOSED'")
expect_eq "load during the settlement" "$(cat "$TMP/load.out") / $(sql "SELECT count(*) FROM rejects WHERE batch_id = 3")" \
	"batch 3 loaded: 2000 records, $((2000 - closed)) accepted, 0 skipped, $closed rejected / $closed"
grep -q "waiting for a settlement run to finish" "$TMP/load.err" || fail "the load did not wait for the settlement: $(cat "$TMP/load.err")"
expect_eq "the concurrent batch waits for the next run" "$(sql "SELECT count(*) FROM transactions WHERE transaction_id LIKE 'TY-%' AND statement_number IS NOT NULL")" 0
expect_eq "lines = settled transactions" "$(sql "SELECT count(*) FROM statement_lines")" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NOT NULL")"
"$SETTLEMENT" run --conf "$CONF" --period 2026-11 --as-of 2026-12-01 --out "$TMP/st" >/dev/null 2>"$TMP/s3.err" || fail "next run: $(cat "$TMP/s3.err")"
expect_eq "nothing lost, nothing twice" "$(sql "SELECT count(*) || ' ' || count(DISTINCT tx_id) FROM statement_lines") / $(sql "SELECT count(*) FROM transactions WHERE statement_number IS NULL")" "$((32000 - closed)) $((32000 - closed)) / 0"
echo "the cluster: the layout of SPEC 17, an upgraded database, a killed load rerun once, concurrent loaders and settlements"
