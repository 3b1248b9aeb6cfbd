#!/usr/bin/env bash
# Property check of the settlement over many random months with the real
# programs (tests/tools/settle_property.py says what it checks): late loads,
# backdated cases, withdrawals loaded before their booking date, --creditor
# runs, skipped and re-run periods; after every run, each transaction in the
# statement the model of SPEC 9 v2 expects (once, never twice, none left at
# the end), the registered cases the model expects, every portfolio
# reconciling with the previous statement and with the open cases, re-runs
# that change no byte. SETTLE_PROPERTY_SEEDS and SETTLE_PROPERTY_MONTHS
# choose the runs (default: seeds 1 2 3, 8 months each).
source "$ROOT/tests/lib.sh"

new_db settle_property
load_creditors
template=$PGDATABASE
for seed in ${SETTLE_PROPERTY_SEEDS:-1 2 3}; do
	db_like "$template" "${template}_$seed"
	work="$TMP/seed-$seed"
	mkdir -p "$work"
	CONF="$CONF" python3 "$ROOT/tests/tools/settle_property.py" "$seed" "${SETTLE_PROPERTY_MONTHS:-8}" "$work" ||
		fail "property check, seed $seed (files in $work)"
done
echo "ok"
