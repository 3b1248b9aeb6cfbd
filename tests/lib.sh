# tests/lib.sh: sourced by every integration test.
#   ROOT, LOADER, SETTLEMENT, TMP, PGHOST, PGPORT, PGUSER come from scripts/check.sh.
set -euo pipefail

FIX="$ROOT/fixtures"
CONF="$TMP/engine.conf"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# new_db NAME: a fresh database with the schema, the test configuration
# (report_dir under $TMP) and the fixture creditors.
new_db() {
	export PGDATABASE="t_$1_$$"
	dropdb --if-exists "$PGDATABASE" >/dev/null 2>&1 || true
	createdb "$PGDATABASE"
	sed "s|@REPORT_DIR@|$TMP/reports|" "$ROOT/tests/conf/test.conf" >"$CONF"
	"$LOADER" init-db --conf "$CONF" >/dev/null || fail "init-db"
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
	export PGDATABASE="${TEMPLATE}_$fixture_n"
	createdb -T "$TEMPLATE" "$PGDATABASE"
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
