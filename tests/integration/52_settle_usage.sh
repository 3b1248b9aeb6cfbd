#!/usr/bin/env bash
# Usage errors of bin/settlement: exit 2 and nothing settled; --help exits 0.
source "$ROOT/tests/lib.sh"

SF="$FIX/settlement"
OUT="$TMP/statements"

new_db settle_usage
load_creditors
"$LOADER" load --conf "$CONF" --as-of 2024-02-05 "$SF/cases-2024-02.csv" >/dev/null || fail "load cases"
"$LOADER" load --conf "$CONF" --as-of 2024-03-01 "$SF/transactions-2024-02.csv" >/dev/null || fail "load transactions"

# run_settle EXPECTED_RC ARGS...
run_settle() {
	local want=$1
	shift
	set +e
	"$SETTLEMENT" "$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	set -e
	[ "$got" = "$want" ] || { cat "$TMP/err" >&2; fail "settlement $*: exit $got, expected $want"; }
}

# a period that has not ended: its last day is not before as-of
run_settle 2 run --conf "$CONF" --period 2024-02 --as-of 2024-02-29 --out "$OUT"
grep -q "has not ended" "$TMP/err" || fail "no reason given for an unended period"
run_settle 2 run --conf "$CONF" --period 2024-02 --as-of 2024-02-10 --out "$OUT"
run_settle 2 run --conf "$CONF" --period 2030-01 --as-of 2024-03-05 --out "$OUT"
run_settle 2 run --conf "$CONF" --period 2099-12 --out "$OUT" # default as-of: today
# malformed options
run_settle 2 run --conf "$CONF" --as-of 2024-03-05 --out "$OUT"
run_settle 2 run --conf "$CONF" --period 2024-13 --as-of 2024-03-05 --out "$OUT"
run_settle 2 run --conf "$CONF" --period 2024-2 --as-of 2024-03-05 --out "$OUT"
run_settle 2 run --conf "$CONF" --period 2024-02 --as-of 2024-02-30 --out "$OUT"
run_settle 2 run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --creditor c1 --out "$OUT"
run_settle 2 run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --bogus
run_settle 2 run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 extra-argument
run_settle 2 frobnicate
run_settle 2
# an unknown creditor
run_settle 2 run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --creditor NOSUCH --out "$OUT"
# a missing or broken configuration
run_settle 2 run --conf "$TMP/missing.conf" --period 2024-02 --as-of 2024-03-05 --out "$OUT"
printf '[country.CH]\nbogus = 1\n' >"$TMP/bad.conf"
run_settle 2 run --conf "$TMP/bad.conf" --period 2024-02 --as-of 2024-03-05 --out "$OUT"
# a creditor whose country is not configured: nothing issued for anyone
awk '/^\[country.DK\]/{skip=1; next} /^\[/{skip=0} !skip' "$CONF" >"$TMP/nodk.conf"
run_settle 2 run --conf "$TMP/nodk.conf" --period 2024-02 --as-of 2024-03-05 --out "$OUT"
grep -q "DK" "$TMP/err" || fail "the unconfigured country is not named"
# case list
run_settle 2 cases --conf "$CONF"
run_settle 2 cases --conf "$CONF" --creditor C1 --status paid
run_settle 2 cases --conf "$CONF" --creditor NOSUCH
run_settle 2 cases --conf "$CONF" --creditor C1 --period 2024-02

expect_eq "nothing settled" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NOT NULL")" "0"
expect_eq "no statements" "$(sql "SELECT count(*) FROM statements")" "0"
[ ! -e "$OUT" ] || fail "files written by a failed run"

# --help on the program and on each command
run_settle 0 --help
grep -q "run" "$TMP/out" || fail "--help does not list run"
run_settle 0 run --help
grep -q -- "--period" "$TMP/out" || fail "run --help"
run_settle 0 cases --help
grep -q -- "--status" "$TMP/out" || fail "cases --help"
echo "ok"
