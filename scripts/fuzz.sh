#!/usr/bin/env bash
# make fuzz [FUZZ_SECONDS=60]: build the libFuzzer harnesses with clang 14
# (ASan + UBSan) and run each for a bounded time over a seed corpus made
# from fixtures/. Exits non-zero on the first crash, leak or invariant.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
secs=${1:-${FUZZ_SECONDS:-60}}
CC=${FUZZ_CC:-clang-14}
out=build/fuzz
mkdir -p "$out"
flags="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined
 -fno-sanitize-recover=undefined -Icommon -Iloader $(pkg-config --cflags libxml-2.0 libpq)"
libs="$(pkg-config --libs libxml-2.0 zlib inih libcrypto libpq jansson) -lcsv"
src="common/*.c loader/record.c loader/rules.c loader/source.c loader/csv_decode.c loader/xml_lex.c loader/xml_walk.c loader/xml_decode.c loader/camt_decode.c loader/camt_totals.c loader/validate.c loader/validate_bank.c"
for h in csv xml camt gzip; do
	# shellcheck disable=SC2086
	$CC $flags -o "$out/fuzz_$h" fuzz/fuzz_$h.c fuzz/fuzz_common.c $src $libs
done
mkdir -p "$out/corpus-csv" "$out/corpus-xml" "$out/corpus-camt" "$out/corpus-gzip"
cp fixtures/*.csv fixtures/cases/*.csv fixtures/transactions/*.csv "$out/corpus-csv/" 2>/dev/null || true
cp fixtures/bad/csv/* "$out/corpus-csv/" 2>/dev/null || true
cp fixtures/xml/*.xml fixtures/bad/xml/*.xml "$out/corpus-xml/" 2>/dev/null || true
# bank files: the good ones and the small hostile ones
find fixtures/bank -name '*.xml' -size -16k -exec cp {} "$out/corpus-camt/" \;
for f in fixtures/cases/*.csv; do gzip -c "$f" | tail -c +3 >"$out/corpus-gzip/$(basename "$f").gz"; done
for h in csv xml camt gzip; do
	echo "fuzz: $h for ${secs}s"
	dict=()
	[ -f "fuzz/$h.dict" ] && dict=(-dict="fuzz/$h.dict")
	"$out/fuzz_$h" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=1024 -timeout=10 \
		-print_final_stats=1 "${dict[@]}" "$out/corpus-$h" 2>"$out/$h.log" || { tail -n 40 "$out/$h.log"; exit 1; }
	grep -E 'stat::number_of_executed_units|Done' "$out/$h.log" | tail -n 2
done
