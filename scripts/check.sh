#!/usr/bin/env bash
# make check: the unit suites, then every integration test against a
# private PostgreSQL started here and stopped at the end, all built with
# AddressSanitizer and UndefinedBehaviorSanitizer.
#
# T="28 60" (or T=28,60): only the integration tests whose number (or
# name) is given, and neither the unit tests nor fuzzing unless asked for
# with UNIT=1 or FUZZ_SECONDS=N. The server is started and stopped as
# without T.
#
# CITUS=1 (make check-citus, SPEC 17): a Citus coordinator and two workers
# are started too (scripts/citus-cluster.sh; Citus must be installed), and
# the integration tests of CITUS_TESTS (or T) run against the coordinator,
# each making its databases on the cluster (tests/lib.sh); a test named
# *_citus starts its own cluster and compares it with the single server,
# so it gets the single server. No unit tests or fuzzing unless asked for.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export ROOT
# the programs find build/san/conf/engine.conf as bin/ finds conf/: not an
# operator's configuration from the environment
unset ENGINE_CONF
export LOADER="$ROOT/build/san/bin/loader"
export SETTLEMENT="$ROOT/build/san/bin/settlement"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# The integration tests that matter on a Citus cluster: every load kind,
# the fast path, stages and events, PDFs, the settlement and its property
# check, payouts, kills and signals, a full disk, concurrent loaders and
# runs, roles, a restart, operations, status; not those whose subject is
# the files or the programs' own output (20-24, 26, 27, 30, 42, 71), nor
# those of a single server's own machinery (59's v1 schema, 66's COMMIT
# trigger on a reference table), nor 67, whose load runs beside the
# settlement: on the cluster it waits for it (80_citus checks that).
CITUS_TESTS=${CITUS_TESTS:-"10 25 28 40 41 44 45 47 48 49 50 51 52 53 54 55 56 57 58 5a 60 61 62 63 64 65 70 72 73 74 80"}
citus=${CITUS:-0}
if [ "$citus" != 0 ]; then
	T=${T:-$CITUS_TESTS}
	# one seed of the property check: each database of the cluster is slower
	export SETTLE_PROPERTY_SEEDS=${SETTLE_PROPERTY_SEEDS:-1}
fi

# The tests T names, before anything runs: a typo fails at once.
tests=()
if [ -n "${T:-}" ]; then
	for want in ${T//,/ }; do
		want=${want%.sh}
		found=0
		for t in "$ROOT"/tests/integration/[0-9]*.sh; do
			name=$(basename "$t" .sh)
			case $name in "$want" | "${want}_"*)
				found=1
				[[ " ${tests[*]} " == *" $t "* ]] || tests+=("$t")
				;;
			esac
		done
		[ $found = 1 ] || { echo "check: T: no integration test tests/integration/${want}_*.sh" >&2; exit 2; }
	done
	run_unit=${UNIT:-0}
	fuzz_secs=${FUZZ_SECONDS:-0}
else
	tests=("$ROOT"/tests/integration/[0-9]*.sh)
	run_unit=${UNIT:-1}
	fuzz_secs=${FUZZ_SECONDS:-30}
fi

unit_rc=0
if [ "$run_unit" != 0 ]; then
	echo "== unit tests"
	"$ROOT/build/san/tests/unit" || unit_rc=1
else
	echo "== unit tests skipped${T:+ (T=$T; UNIT=1 runs them)}"
fi

work=$(mktemp -d /tmp/engine-check.XXXXXX)
chmod 755 "$work"
port=$((20000 + RANDOM % 20000))
cleanup() {
	"$ROOT/scripts/pg.sh" stop "$work/pg" || true
	[ "$citus" = 0 ] || "$ROOT/scripts/citus-cluster.sh" stop "$work/citus" || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "== starting a private PostgreSQL in $work/pg"
eval "$("$ROOT/scripts/pg.sh" start "$work/pg" "$port")" || { echo "cannot start PostgreSQL"; exit 1; }
export PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
export PGDIR="$work/pg"
cluster_env=
if [ "$citus" != 0 ]; then
	echo "== starting a Citus coordinator and two workers in $work/citus"
	cluster_env=$("$ROOT/scripts/citus-cluster.sh" start "$work/citus" $((port + 10))) ||
		{ echo "cannot start the Citus cluster"; exit 1; }
fi

echo "== integration tests"
passed=0
failed=0
failed_names=()
for t in "${tests[@]}"; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	tmp="$work/t/$name"
	mkdir -p "$tmp"
	chmod 777 "$tmp"
	start=$(date +%s)
	if (
		# on the cluster, but for a test that compares it with the single server
		if [ -n "$cluster_env" ] && [[ $name != *_citus ]]; then
			eval "$cluster_env"
			export CITUS_WORKERS PGDIR="$work/citus/coordinator"
		fi
		TMP="$tmp" bash "$t"
		rc=$?
		# a Citus database holds nine connections (scripts/citus-cluster.sh)
		[ -z "${CITUS_WORKERS:-}" ] || "$ROOT/scripts/citus-cluster.sh" drop-dbs || true
		exit $rc
	) >"$tmp/log" 2>&1; then
		passed=$((passed + 1))
		printf 'PASS %-40s %3ss\n' "$name" "$(($(date +%s) - start))"
	else
		failed=$((failed + 1))
		failed_names+=("$name")
		printf 'FAIL %-40s %3ss\n' "$name" "$(($(date +%s) - start))"
		sed 's/^/    | /' "$tmp/log" | tail -n 40
	fi
done

fuzz_rc=0
if [ "$fuzz_secs" != 0 ]; then
	echo "== fuzzing ($fuzz_secs s per harness)"
	"$ROOT/scripts/fuzz.sh" "$fuzz_secs" || fuzz_rc=1
fi

[ $fuzz_rc -eq 0 ] || echo "fuzzing found a failure (build/fuzz/*.log)"
[ $unit_rc -eq 0 ] || echo "unit tests failed"
[ $failed -eq 0 ] || echo "failed integration tests: ${failed_names[*]}"
all=("$ROOT"/tests/integration/[0-9]*.sh)
echo "integration: $passed passed, $failed failed${T:+, $((${#all[@]} - ${#tests[@]})) not run (T=$T)}"
[ $unit_rc -eq 0 ] && [ $failed -eq 0 ] && [ $fuzz_rc -eq 0 ]
