#!/usr/bin/env bash
# Installs the Debian 12 packages the engine needs to build and test, when
# missing (PDF statements: cairo, pango, the DejaVu fonts and libqrencode to
# build; poppler-utils, qpdf and zxing-cpp-tools to test them). As root it
# uses apt-get; otherwise it says what to install.
#   scripts/deps.sh          the engine's packages
#   scripts/deps.sh citus    what building Citus from ../shared/vendor needs
#                            (scripts/citus-build.sh, SPEC 17): PostgreSQL's
#                            server headers of the very version of the
#                            installed server (a citus.so built against
#                            other headers may not load), and the libraries
#                            Citus links
set -euo pipefail

if [ "${1:-}" = citus ]; then
	server=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null) || {
		echo "deps: postgresql-15 is not installed (run 'make deps' first)" >&2
		exit 1
	}
	packages=("postgresql-server-dev-15=$server" libkrb5-dev liblz4-dev libzstd-dev libssl-dev gcc make patch)
else
	packages=(gcc make pkg-config libcsv-dev libxml2-dev libxml2-utils libpq-dev
		postgresql-15 postgresql-client-15 zlib1g-dev libinih-dev libssl-dev libjansson-dev
		check libsubunit-dev time procps python3 clang-14 libclang-rt-14-dev
		libcairo2-dev libpango1.0-dev fonts-dejavu-core libqrencode-dev
		poppler-utils qpdf zxing-cpp-tools)
fi

missing=()
for p in "${packages[@]}"; do
	# NAME=VERSION: that version installed
	want=${p#*=}
	[ "$want" = "$p" ] && want=
	if ! dpkg-query -W -f='${Status} ${Version}\n' "${p%%=*}" 2>/dev/null |
		grep -q "^install ok installed ${want}"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
