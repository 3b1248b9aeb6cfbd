#!/usr/bin/env bash
# bin/settlement runs as a login role in engine_settlement (no superuser):
# it settles and writes the expected files, and that role can neither
# change an issued statement nor delete a settled transaction.
source "$ROOT/tests/lib.sh"

SF="$FIX/settlement"
EXP="$SF/expected"
OUT="$TMP/statements"
role="t_monthly_$$"

new_db settle_roles
load_creditors
"$LOADER" load --conf "$CONF" --as-of 2024-01-25 "$SF/cases-2024-01.csv" >/dev/null || fail "load January cases"
"$LOADER" load --conf "$CONF" --as-of 2024-02-05 "$SF/cases-2024-02.csv" >/dev/null || fail "load February cases"
"$LOADER" load --conf "$CONF" --as-of 2024-03-01 "$SF/transactions-2024-02.csv" >/dev/null || fail "load transactions"
psql -X -q -c "DROP ROLE IF EXISTS $role; CREATE ROLE $role LOGIN IN ROLE engine_settlement"
trap 'psql -X -q -c "DROP OWNED BY '"$role"'; DROP ROLE '"$role"'" >/dev/null 2>&1 || true' EXIT

PGUSER=$role "$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --out "$OUT" >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "settlement as engine_settlement"; }
diff -r -x '*.pdf' "$EXP/2024-02" "$OUT/2024-02" >/dev/null || fail "files differ from the expected ones"
[ -s "$OUT/2024-02/C1-CHF.pdf" ] || fail "no PDF written as engine_settlement"
PGUSER=$role "$SETTLEMENT" cases --conf "$CONF" --creditor C1 --as-of 2024-03-05 >"$TMP/cases.csv" || fail "cases as engine_settlement"
cmp "$EXP/cases-C1-2024-03-05.csv" "$TMP/cases.csv" || fail "case list differs"

set +e
PGUSER=$role psql -X -q -c "DELETE FROM statements" 2>"$TMP/denied1"
PGUSER=$role psql -X -q -c "DELETE FROM transactions" 2>"$TMP/denied2"
PGUSER=$role psql -X -q -c "UPDATE statement_lines SET amount = 0" 2>"$TMP/denied3"
set -e
for f in denied1 denied2 denied3; do
	grep -q -e "permission denied" -e "cannot change" "$TMP/$f" || fail "engine_settlement could change history ($f)"
done
expect_eq "statements kept" "$(sql "SELECT count(*) FROM statements")" "3"
echo "ok"
