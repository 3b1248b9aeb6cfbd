#!/usr/bin/env bash
# Least privilege: the loader runs as a login role in engine_loader (no
# superuser), the reporting role reads but cannot write.
. "$ROOT/tests/lib.sh"
new_db roles
load_creditors
psql -X -q -c "DROP ROLE IF EXISTS t_nightly_$$; CREATE ROLE t_nightly_$$ LOGIN IN ROLE engine_loader" \
	-c "DROP ROLE IF EXISTS t_analyst_$$; CREATE ROLE t_analyst_$$ LOGIN IN ROLE engine_reporting"
trap 'psql -X -q -c "DROP OWNED BY t_nightly_$$, t_analyst_$$; DROP ROLE t_nightly_$$; DROP ROLE t_analyst_$$" >/dev/null 2>&1 || true' EXIT
expect_eq "not superuser" "$(sql "SELECT rolsuper FROM pg_roles WHERE rolname = 'engine_loader'")" f

PGUSER=t_nightly_$$ run_loader load --conf "$CONF" --as-of 2026-11-01 "$FIX/cases/cases-mixed.csv"
expect_eq "load as engine_loader" "$out" "batch 1 loaded: 16 records, 5 accepted, 0 skipped, 11 rejected"
PGUSER=t_nightly_$$ run_loader load --conf "$CONF" --as-of 2026-11-20 "$FIX/transactions/transactions-mixed.csv"
expect_eq "transactions as engine_loader" "$out" "batch 2 loaded: 14 records, 4 accepted, 0 skipped, 10 rejected"
PGUSER=t_nightly_$$ run_loader status --conf "$CONF" 1
expect_eq "status as engine_loader" "$rc" 0

expect_eq "reporting reads" "$(PGUSER=t_analyst_$$ sql "SELECT count(*) FROM cases")" 5
set +e
PGUSER=t_analyst_$$ psql -X -q -c "DELETE FROM cases" 2>"$TMP/denied"
set -e
grep -q "permission denied" "$TMP/denied" || fail "reporting role could write"
set +e
PGUSER=t_nightly_$$ psql -X -q -c "DROP TABLE cases" 2>"$TMP/denied2"
set -e
grep -q "must be owner" "$TMP/denied2" || fail "loader role could drop a table"
