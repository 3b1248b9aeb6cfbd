#!/usr/bin/env bash
# make demo: the main job end to end on a private PostgreSQL under var/:
# schema, creditors, a night's case file (CSV), transactions (CSV and its
# XML twin), the bank's camt.054 of the agency's CHF account (payments
# matched by payment reference, suspense, a reversal), an assignment file
# that books a suspense item, an event file of stage changes, the monthly
# settlement, where the statements are, the overview of one case, and the
# payout files that pay them.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
mkdir -p var
chmod 755 var
# the project's own configuration (conf/engine.conf, found from bin/), not an operator's
unset ENGINE_CONF
port=${DEMO_PORT:-54329}
eval "$(scripts/pg.sh start var/pg "$port")"
trap 'scripts/pg.sh stop var/pg' EXIT
# every demo starts from an empty database and empty output directories
dropdb --if-exists engine >/dev/null 2>&1
createdb engine
rm -rf var/reports var/statements
export PGDATABASE=engine
L=bin/loader
S=bin/settlement

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "schema"
$L init-db
step "creditors (fixtures/creditors.csv)"
$L creditors fixtures/creditors.csv
step "nightly case file: fixtures/cases/cases-mixed.csv (as of 2026-11-01)"
$L load --as-of 2026-11-01 fixtures/cases/cases-mixed.csv || true
id=$($L status --json | python3 -c 'import json,sys; print(max(b["batch_id"] for b in json.load(sys.stdin) if b["kind"] == "cases"))' 2>/dev/null || echo 1)
echo "-- reject report var/reports/batch-$id.rejects.csv (first lines):"
head -n 8 "var/reports/batch-$id.rejects.csv"
step "transactions: fixtures/transactions/transactions-mixed.csv, then its XML twin"
$L load --as-of 2026-11-20 fixtures/transactions/transactions-mixed.csv fixtures/xml/transactions-mixed.xml || true
step "the bank's notification: fixtures/demo/camt054-2026-11-18.xml (camt.054, CHF account)"
$L load --as-of 2026-11-20 fixtures/demo/camt054-2026-11-18.xml
echo "-- receipt var/reports/batch-4.receipt.csv:"
cat var/reports/batch-4.receipt.csv
step "the suspense list: money that found no case"
$L suspense
step "an operator books suspense item 1 on case C1-1003: fixtures/demo/assignments-2026-11-20.csv"
$L load --as-of 2026-11-20 fixtures/demo/assignments-2026-11-20.csv
$L suspense --all
step "the agency's workflow: stage changes in fixtures/demo/events-2026-11-20.csv"
$L load --as-of 2026-11-20 fixtures/demo/events-2026-11-20.csv
step "batches"
$L status
if [ -x "$S" ]; then
	step "monthly settlement of 2026-11 (as of 2026-12-01)"
	$S run --period 2026-11 --as-of 2026-12-01
	step "statements in var/statements/2026-11/"
	ls -l var/statements/2026-11/
	f=$(ls var/statements/2026-11/*.csv | head -n 1)
	echo "-- $f:"
	cat "$f"
	step "the case overview of C1-1001 (as of 2026-12-01)"
	$S case --creditor C1 --as-of 2026-12-01 C1-1001
	step "payout of 2026-11: pain.001.001.09 files for the bank (as of 2026-12-01)"
	$S payout --period 2026-11 --as-of 2026-12-01
	$S statements --period 2026-11
	for f in var/statements/2026-11/payout-*.xml; do
		echo "-- $f:"
		grep -E '<(MsgId|CtrlSum|EndToEndId|InstdAmt)' "$f" | sed 's/^ *//' | sort -u | tr '\n' ' '
		echo
	done
	step "PDF statements (SPEC 15): one beside each CSV and XML"
	for f in var/statements/2026-11/*.pdf; do
		pages=$(pdfinfo "$f" 2>/dev/null | sed -n 's/^Pages: *//p')
		printf '%s  (%s page%s)\n' "$ROOT/$f" "${pages:-?}" "$([ "${pages:-0}" = 1 ] || echo s)"
	done
	echo "-- open one: xdg-open $ROOT/$(ls var/statements/2026-11/*.pdf | head -n 1)"
fi
# a hint that works when pasted into a shell anywhere
printf '\nThe database stays in var/pg. To look at it again:\n'
printf '  cd %q\n' "$ROOT"
printf '  eval "$(scripts/pg.sh start var/pg %s)"; export PGDATABASE=engine\n' "$port"
printf '  psql -c "SELECT creditor_id, status, count(*) FROM cases GROUP BY 1, 2 ORDER BY 1, 2"\n'
printf '  bin/loader status\n'
printf '  scripts/pg.sh stop var/pg\n'
