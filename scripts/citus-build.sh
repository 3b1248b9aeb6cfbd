#!/usr/bin/env bash
# Builds Citus 13.2.2 (the last release for PostgreSQL 15, SPEC 17) from the
# vendored source and installs it into the PostgreSQL 15 of this machine,
# when it is not installed yet. Debian does not package Citus.
#
#   scripts/citus-build.sh        install when missing; exit 0 when installed
#
# The build (about 3 minutes on 2 cores) is kept in var/citus/ (CITUS_CACHE),
# so a machine that lost the installed files only runs `make install` again.
# Exit 2 means the build is impossible here (Citus not installed, and no
# vendored source, not root, or the packages it needs cannot be installed):
# the Citus test skips on it and says why. Any other failure (the build
# itself) is an error.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
vendor=${CITUS_VENDOR:-$root/../shared/vendor}
cache=${CITUS_CACHE:-$root/var/citus}
version=13.2.2
pg_server_config=/usr/lib/postgresql/15/bin/pg_config

installed() {
	[ -x "$pg_server_config" ] &&
		[ -f "$("$pg_server_config" --pkglibdir)/citus.so" ] &&
		[ -f "$("$pg_server_config" --sharedir)/extension/citus.control" ]
}
impossible() {
	echo "citus: cannot build Citus here: $*" >&2
	exit 2
}

installed && exit 0
tarball=$vendor/citus-$version.tar.gz
[ -f "$tarball" ] || impossible "no source '$tarball' (set CITUS_VENDOR to the folder that holds it)"
[ "$(id -u)" -eq 0 ] || impossible "not root, and Citus installs into PostgreSQL's own folders (run 'sudo $0')"

# The headers of the installed server's version and the libraries Citus
# links (scripts/deps.sh citus).
"$root/scripts/deps.sh" citus || impossible "the packages it needs cannot be installed (scripts/deps.sh citus)"
server=$(dpkg-query -W -f='${Version}' postgresql-15)

# The cached build is reused when it was made from the same source, patch
# and server version.
stamp="$(sha256sum "$tarball" "$vendor"/citus-$version-*.patch 2>/dev/null | cut -c1-64 | tr '\n' ' ')$server"
src=$cache/citus-$version
if [ "$(cat "$cache/stamp" 2>/dev/null)" != "$stamp" ] || [ ! -f "$src/src/backend/distributed/citus.so" ]; then
	echo "citus: building $version for PostgreSQL $server in $cache (a few minutes)" >&2
	rm -rf "$cache"
	mkdir -p "$cache"
	tar -C "$cache" -xzf "$tarball"
	for p in "$vendor"/citus-$version-*.patch; do
		[ -f "$p" ] && patch -d "$src" -p1 -s <"$p"
	done
	(cd "$src" && ./configure --without-libcurl PG_CONFIG="$pg_server_config" >configure.log 2>&1) ||
		{ tail -20 "$src/configure.log" >&2; exit 1; }
	(cd "$src" && make -s -j"$(nproc)" >make.log 2>&1) || { tail -30 "$src/make.log" >&2; exit 1; }
	echo "$stamp" >"$cache/stamp"
fi
(cd "$src" && make -s install >install.log 2>&1) || { tail -20 "$src/install.log" >&2; exit 1; }
installed || { echo "citus: installed, but citus.so is not where PostgreSQL looks" >&2; exit 1; }
echo "citus: $version installed into $("$pg_server_config" --pkglibdir)" >&2
