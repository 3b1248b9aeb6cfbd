#!/usr/bin/env bash
# tests/layer_probe.sh OUT DIR HEADER build|fail CC FLAGS...: compile a
# one-line source that includes HEADER as if it were in DIR/ (with the
# flags the Makefile gives DIR/, the probe itself under OUT/DIR/, where no
# header lives) and check that it builds, or that it fails because HEADER
# is not found. Run by `make layers` (and so by `make check`).
set -uo pipefail
out=$1 dir=$2 header=$3 want=$4
shift 4
mkdir -p "$out/$dir"
probe="$out/$dir/probe.c"
printf '#include "%s"\n' "$header" >"$probe"
if "$@" -fsyntax-only "$probe" 2>"$probe.err"; then
	got=build
elif grep -qF -e "$header: No such file or directory" -e "'$header' file not found" "$probe.err"; then
	got=fail
else
	cat "$probe.err" >&2
	echo "layers: $dir/ including \"$header\" failed for another reason than a missing header" >&2
	exit 1
fi
if [ "$got" != "$want" ]; then
	[ "$got" = build ] || cat "$probe.err" >&2
	echo "layers: $dir/ including \"$header\" should $want, but it does ${got/fail/not build}" >&2
	exit 1
fi
