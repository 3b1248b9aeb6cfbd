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
CREATE TEMP TABLE r (record bigint, line bigint, creditor_reference text, field text, code text, message text);
\copy r from '$1' with (format csv, header)
SELECT record, line, creditor_reference, field, code FROM r;
SQL
}
