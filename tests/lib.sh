# tests/lib.sh: sourced by every integration test.
#   ROOT, LOADER, SETTLEMENT, TMP, PGHOST, PGPORT, PGUSER come from scripts/check.sh.
set -euo pipefail

FIX="$ROOT/fixtures"

# On a Citus cluster (SPEC 17: make check-citus, 80_citus), the tests' own
# queries may join distributed tables on any column and make triggers on
# them (54's injected failures): Citus does either only when asked to. The
# programs never get these settings.
psql() {
	if [ -n "${CITUS_WORKERS:-}" ]; then
		PGOPTIONS="-c citus.enable_repartition_joins=on -c citus.enable_unsafe_triggers=on ${PGOPTIONS:-}" \
			command psql "$@"
	else
		command psql "$@"
	fi
}
CONF="$TMP/engine.conf"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# new_db NAME: a fresh database with the schema, the test configuration
# (report_dir under $TMP) and the fixture creditors.
new_db() {
	export PGDATABASE="t_$1_$$"
	sed "s|@REPORT_DIR@|$TMP/reports|" "$ROOT/tests/conf/test.conf" >"$CONF"
	make_db
}

# make_db: the database $PGDATABASE, new, with the schema; on the Citus
# cluster of make check-citus (SPEC 17) when CITUS_WORKERS is set.
make_db() {
	if [ -n "${CITUS_WORKERS:-}" ]; then
		"$ROOT/scripts/citus-cluster.sh" add-db "$PGDATABASE"
	else
		dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1 || true
		createdb "$PGDATABASE"
	fi
	"$LOADER" init-db --conf "$CONF" >/dev/null || fail "init-db"
}

# db_like TEMPLATE NAME: PGDATABASE becomes NAME, a copy of TEMPLATE, a
# database with the schema and creditors. On the Citus cluster a template
# is a database of one node: there NAME gets the schema again and the
# template's creditors.
db_like() {
	export PGDATABASE=$2
	if [ -n "${CITUS_WORKERS:-}" ]; then
		make_db
		psql -X -q -d "$1" -c "\copy creditors TO STDOUT" | psql -X -q -c "\copy creditors FROM STDIN"
	else
		createdb -T "$1" "$PGDATABASE"
	fi
}

# add_agency CUR=IBAN...: the test agency ([agency], SPEC 3) with these
# accounts, appended to $CONF
add_agency() {
	local a
	printf '[agency]\nname = Inkasso Test AG\naddress = Bahnhofstrasse 1, 8001 Zürich\nbic = POFICHBEXXX\n' >>"$CONF"
	for a in "$@"; do
		printf 'account.%s = %s\n' "${a%%=*}" "${a#*=}" >>"$CONF"
	done
}

# The ISO 20022 schemas (../shared/iso20022), for xmllint --schema.
ISO20022="${ISO20022_XSD_DIR:-$ROOT/../shared/iso20022}"

# valid_xml XSD FILE...: each file is valid against the schema
valid_xml() {
	local xsd=$1 f
	shift
	for f in "$@"; do
		xmllint --noout --nonet --schema "$xsd" "$f" 2>"$TMP/xmllint" ||
			{ cat "$TMP/xmllint" >&2; fail "$f is not valid against $(basename "$xsd")"; }
	done
}

# camt_file FILE ACCOUNT MSGID [--statement]: a camt.054.001.08 (with
# --statement a camt.053.001.08) of the account from the entries on stdin
# (tests/tools/camt.py), valid against its schema
camt_file() {
	local xsd=camt.054.001.08.xsd
	[ "${4:-}" = --statement ] && xsd=camt.053.001.08.xsd
	python3 "$ROOT/tests/tools/camt.py" ${4:+"$4"} "$2" "$3" >"$1"
	valid_xml "$ISO20022/$xsd" "$1"
}

load_creditors() {
	"$LOADER" creditors --conf "$CONF" "${1:-$FIX/creditors.csv}" >/dev/null || fail "creditors"
}

sql() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1" >&2
		echo "  expected: $3" >&2
		echo "  actual:   $2" >&2
		exit 1
	fi
}

# without_report_lines TEXT: stderr without the lines that follow a summary
# when records were rejected (the report's path, most frequent codes, the
# encoding hint: SPEC 7.3 v2), i.e. only warnings and errors.
without_report_lines() {
	grep -Ev '^loader: batch [0-9]+: (reject report |hint: )' <<<"$1" || true
}

# run_loader ARGS...: sets $out, $err, $rc
run_loader() {
	set +e
	out=$("$LOADER" "$@" 2>"$TMP/stderr")
	rc=$?
	set -e
	err=$(cat "$TMP/stderr")
	cat "$TMP/stderr" >>"$TMP/all-stderr"
}

# The reject report of a batch, without the header, as code lines.
rejects_of() {
	tail -n +2 "$TMP/reports/batch-$1.rejects.csv"
}

# report_rows FILE: the first five columns of a reject report (parsed as
# CSV by PostgreSQL, so quoting is honoured), header included.
report_rows() {
	echo "record,line,creditor_reference,field,code"
	psql -X -A -t -q -v ON_ERROR_STOP=1 -F, <<SQL
CREATE TEMP TABLE r (record bigint, line bigint, creditor_reference text, field text, code text, message text, value text);
\copy r from '$1' with (format csv, header)
SELECT record, line, creditor_reference, field, code FROM r;
SQL
}

# Table-driven fixture files (fixtures/bad/csv, fixtures/bad/gz): each file
# is loaded alone into a fresh database and checked against its row of
# expected.tsv (file, exit status, summary, cases stored, why) and its
# <stem>.expected-rejects.csv.
#   fixtures_from DIR NAME   set up: a template database with the schema and
#                            the fixture creditors (cheaper than init-db)
#   expect_fixture FILE      load DIR/FILE and check it; with
#                            FIXTURE_QUIET=1 stderr must also be empty
fixtures_from() {
	BAD=$1
	new_db "$2"
	load_creditors
	TEMPLATE=$PGDATABASE
	fixture_n=0
}

fresh_db() {
	fixture_n=$((fixture_n + 1))
	db_like "$TEMPLATE" "${TEMPLATE}_$fixture_n"
	rm -rf "$TMP/reports"
}

expect_fixture() {
	local f=$1 row exp_rc exp_summary exp_cases why stem nrej
	row=$(awk -F'\t' -v f="$f" '$1 == f' "$BAD/expected.tsv")
	[ -n "$row" ] || fail "$f: no row in expected.tsv"
	IFS=$'\t' read -r _ exp_rc exp_summary exp_cases why <<<"$row"
	stem=${f%%.*}
	fresh_db
	run_loader load --conf "$CONF" --as-of 2026-11-01 "$BAD/$f"
	expect_eq "$f ($why): exit status" "$rc" "$exp_rc"
	expect_eq "$f: summary" "$out" "batch 1 $exp_summary"
	[ "${FIXTURE_QUIET:-0}" = 1 ] && expect_eq "$f: stderr" "$(without_report_lines "$err")" ""
	report_rows "$TMP/reports/batch-1.rejects.csv" >"$TMP/got.csv"
	diff -u "$BAD/$stem.expected-rejects.csv" "$TMP/got.csv" || fail "$f: reject report differs"
	expect_eq "$f: report mode" "$(stat -c %a "$TMP/reports/batch-1.rejects.csv")" 600
	# the batch row, the rejects table (rows of the report, a real CSV
	# file) and the cases, in one query
	nrej=$(python3 -c 'import csv, sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' \
		"$TMP/reports/batch-1.rejects.csv")
	expect_eq "$f: database" "$(sql "SELECT (SELECT status || ': ' || records || ' records, '
		|| accepted || ' accepted, ' || skipped || ' skipped, ' || rejected || ' rejected' FROM batches)
		|| ' / ' || (SELECT count(*) FROM rejects WHERE batch_id = 1) || ' rejects / '
		|| (SELECT count(*) FROM cases) || ' cases'")" "$exp_summary / $nrej rejects / $exp_cases cases"
}

# Signals at a chosen moment of a load (60_kill_rerun, 63_signals).
#
# signal_at WHEN SIG PID: wait until the load of the loader PID (batch
# ${BATCH:-1}) reaches WHEN, freeze the loader (SIGSTOP), check in the
# database that its batch is still 'loading' and its transaction open and
# not being committed, send SIG and let the loader run on (SIGCONT; with
# SIG STOP it stays frozen, for the caller to continue). Sets $moment to
# what the loader's backend was doing then and $backend_pid to that
# backend. Returns 1, having sent nothing, when the load got past WHEN
# (or ended) before WHEN was seen: the caller tries again with a larger
# file, it never passes silently. WHEN is one of
#   copy:P    a COPY FROM STDIN has taken P % of $N records (at least one)
#   insert    an INSERT INTO cases runs (the staged path's insert)
#   copy-out  a COPY TO runs (the staged path's receipt)
signal_at() {
	local when=$1 sig=$2 pid=$3 cond state deadline
	local from="FROM batches b JOIN pg_stat_activity a ON a.pid = b.loader_pid
		LEFT JOIN pg_stat_progress_copy p ON p.pid = a.pid
		WHERE b.batch_id = ${BATCH:-1} AND b.status = 'loading'"
	case $when in
	copy:*) cond="p.command = 'COPY FROM' AND p.tuples_processed >= greatest(1, $N * ${when#copy:} / 100)" ;;
	insert) cond="a.state = 'active' AND a.query ILIKE 'INSERT INTO cases%'" ;;
	copy-out) cond="p.command = 'COPY TO'" ;;
	*) fail "signal_at: unknown moment '$when'" ;;
	esac
	deadline=$(($(date +%s) + 120))
	until [ "$(sql "SELECT count(*) $from AND $cond")" = 1 ]; do
		# a zombie still answers kill -0
		[[ "$(ps -o stat= -p "$pid" || true)" == [^Z]* ]] || return 1
		[ "$(date +%s)" -lt $deadline ] || fail "signal_at $when: the loader neither got there nor ended in 120 s"
		sleep 0.02
	done
	kill -STOP "$pid"
	state=$(sql "SELECT a.pid || '|' || a.state || ', ' || coalesce(p.command || ' ' || p.tuples_processed
		|| ' rows', left(regexp_replace(a.query, '\s+', ' ', 'g'), 40)) $from
		AND a.xact_start IS NOT NULL AND NOT (a.state = 'active' AND a.query ILIKE 'COMMIT%')")
	if [ -z "$state" ]; then
		kill -CONT "$pid"
		return 1
	fi
	backend_pid=${state%%|*}
	moment=${state#*|}
	kill -s "$sig" "$pid"
	# SIGKILL needs no SIGCONT (and the loader may be gone already)
	[ "$sig" = KILL ] || [ "$sig" = STOP ] || kill -CONT "$pid"
	return 0
}

# load_in_background fast|staged: load $TMP/cases.csv as of 2026-11-20 in
# the background, on the fast path or the staged one (LOADER_STAGED=1),
# stdout to $TMP/out, stderr to $TMP/err; $pid is the loader.
load_in_background() {
	if [ "$1" = staged ]; then
		LOADER_STAGED=1 "$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/cases.csv" >"$TMP/out" 2>"$TMP/err" &
	else
		"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/cases.csv" >"$TMP/out" 2>"$TMP/err" &
	fi
	pid=$!
}

# wait_backend_gone PID: the backend of a killed loader notices the dead
# client within about a second (client_connection_check_interval) and ends.
wait_backend_gone() {
	for _ in $(seq 1 100); do
		[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE pid = $1")" = 0 ] && return 0
		sleep 0.1
	done
	fail "the backend $1 of the killed loader is still there after 10 s"
}

# status_of BATCH: the status `loader status` shows.
status_of() {
	"$LOADER" status --conf "$CONF" --json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])'
}

# loaded_for_settling CASES TX LATE: four generated creditors, CASES cases
# (as of 2026-10-01) and TX transactions (as of 2026-11-20) loaded, and a
# file $TMP/tx2.csv of LATE more (transaction ids TY-...), not loaded
# (67_load_during_settle, 80_citus)
loaded_for_settling() {
	python3 "$ROOT/tests/tools/gen.py" creditors 4 "$TMP/creditors.csv"
	load_creditors "$TMP/creditors.csv"
	python3 "$ROOT/tests/tools/gen.py" cases "$1" "$TMP/cases.csv" 4
	python3 "$ROOT/tests/tools/gen.py" transactions "$2" "$TMP/tx.csv" "$1" 4
	python3 "$ROOT/tests/tools/gen.py" transactions "$3" "$TMP/tx2.csv" "$1" 4
	sed -i 's/,TX-/,TY-/' "$TMP/tx2.csv"
	"$LOADER" load --conf "$CONF" --as-of 2026-10-01 "$TMP/cases.csv" >/dev/null || fail "setup load (cases)"
	"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/tx.csv" >/dev/null || fail "setup load"
}

# load_twice_at_once FILE: two loaders on FILE at once (as of 2026-11-20);
# $outs is their stdout, sorted (61_two_loaders, 80_citus)
load_twice_at_once() {
	local a b
	"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$1" >"$TMP/a.out" 2>"$TMP/a.err" &
	a=$!
	"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$1" >"$TMP/b.out" 2>"$TMP/b.err" &
	b=$!
	wait $a || fail "loader a failed: $(cat "$TMP/a.err")"
	wait $b || fail "loader b failed: $(cat "$TMP/b.err")"
	outs=$(cat "$TMP/a.out" "$TMP/b.out" | sort)
}

# The settlement tests over months of fixtures (57, 5a): SF is the
# fixture folder, EXP its expected statements, OUT the statement folder.
# load_clean AS_OF FILE: a file of $SF that must load with no reject.
load_clean() {
	"$LOADER" load --conf "$CONF" --as-of "$1" "$SF/$2" >"$TMP/load.out" 2>&1 || { cat "$TMP/load.out" >&2; fail "load $2"; }
	grep -q " 0 rejected" "$TMP/load.out" || { cat "$TMP/load.out" >&2; fail "$2: records rejected"; }
}
# settle EXPECTED_STDOUT ARGS...: a run that must succeed with this stdout
settle() {
	local want=$1 got
	shift
	got=$("$SETTLEMENT" run --conf "$CONF" --out "$OUT" "$@" 2>>"$TMP/err") || { cat "$TMP/err" >&2; fail "settlement run $*"; }
	expect_eq "stdout of run $*" "$got" "$want"
}
# same PERIOD FILE...: the statement files are the expected ones, byte for
# byte, valid against statement.xsd, each CSV with its PDF (SPEC 15), and
# no other
same() {
	local p=$1 f
	shift
	for f in "$@"; do
		cmp "$EXP/$p/$f" "$OUT/$p/$f" || { diff "$EXP/$p/$f" "$OUT/$p/$f" >&2 || true; fail "$p/$f differs from the expected file"; }
		case "$f" in
		*.xml) if command -v xmllint >/dev/null; then
			xmllint --noout --nonet --schema "$ROOT/schemas/statement.xsd" "$OUT/$p/$f" 2>"$TMP/xmllint" ||
				{ cat "$TMP/xmllint" >&2; fail "$p/$f is not valid against statement.xsd"; }
		fi ;;
		esac
	done
	expect_eq "$p: files" "$(ls "$OUT/$p" | tr '\n' ' ')" \
		"$(for f in "$@"; do echo "$f"; case "$f" in *.csv) echo "${f%.csv}.pdf" ;; esac; done | sort | tr '\n' ' ')"
}
