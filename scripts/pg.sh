#!/usr/bin/env bash
# A private PostgreSQL 15 for tests and the demo, Unix socket only.
#   scripts/pg.sh start DIR [PORT]   initdb (once) and start; prints shell exports.
#                                    A server already running for DIR is kept and
#                                    its exports printed (on stderr a note when its
#                                    port is not PORT).
#   scripts/pg.sh stop DIR           stop the server started for DIR
# As root the server runs as the postgres user; its folder is owned by
# postgres and chmod 711 so a root client reaches the socket. When the
# postgres user cannot enter DIR (a folder above it is closed, e.g. /root),
# the server lives in /var/tmp/engine-pg-<hash of DIR's absolute path>
# instead, and the symbolic link DIR/server points there.
# PG_OPTS: more server options for start ("-c name=value ..."), after ours,
# e.g. the Citus nodes' shared_preload_libraries (scripts/citus-cluster.sh).
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
cmd=${1:?usage: pg.sh start|stop DIR [PORT]}
dir=${2:?usage: pg.sh start|stop DIR [PORT]}
port=${3:-5432}

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# where_of DIR: the folder that holds the data, the logs and the socket
where_of() {
	if [ -L "$1/server" ]; then
		readlink "$1/server"
	else
		echo "$1"
	fi
}

# relocate DIR: a folder the postgres user can reach, remembered in DIR/server
relocate() {
	local d=$1 home
	if [ -e "$d/data" ]; then
		echo "pg.sh: '$d/data' exists but the postgres user cannot enter '$d' any more (a folder above it is closed to it)" >&2
		exit 1
	fi
	home=/var/tmp/engine-pg-$(printf '%s' "$d" | sha256sum | cut -c 1-16)
	mkdir -p "$home"
	# /var/tmp is shared: refuse a link or a folder someone else made
	if [ -L "$home" ] || [ ! -d "$home" ] || ! [[ "$(stat -c %U "$home")" =~ ^(root|postgres)$ ]]; then
		echo "pg.sh: '$home' is not a folder of root or postgres; remove it" >&2
		exit 1
	fi
	ln -sfn "$home" "$d/server"
	echo "$home"
}

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	home=$(where_of "$dir")
	if [ "$(id -u)" -eq 0 ] && [ "$home" = "$dir" ] &&
		! runuser -u postgres -- test -x "$(dirname "$dir")"; then
		home=$(relocate "$dir")
	fi
	if [ "$home" != "$dir" ]; then
		echo "pg.sh: the postgres user cannot enter '$dir'; its server lives in '$home' ('$dir/server' points there)" >&2
	fi
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$home"
		chmod 711 "$home"
	fi
	if [ -f "$home/data/postmaster.pid" ] && as_owner "$PGBIN/pg_ctl" status -D "$home/data" >/dev/null 2>&1; then
		# already running: lines 4 and 5 of postmaster.pid are its port and socket folder
		run_port=$(sed -n 4p "$home/data/postmaster.pid")
		run_sock=$(sed -n 5p "$home/data/postmaster.pid")
		if [ -n "${3:-}" ] && [ "$run_port" != "$port" ]; then
			echo "pg.sh: the server of '$dir' already runs, on port $run_port, not $port" >&2
		fi
		echo "export PGHOST='${run_sock:-$home}' PGPORT='$run_port' PGUSER=postgres"
		exit 0
	fi
	if [ ! -f "$home/data/PG_VERSION" ]; then
		as_owner "$PGBIN/initdb" -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$home/data" >"$home/initdb.log" 2>&1 ||
			{ cat "$home/initdb.log" >&2; exit 1; }
	fi
	as_owner "$PGBIN/pg_ctl" -D "$home/data" -l "$home/server.log" -w -t 60 \
		-o "-c listen_addresses='' -k $home -p $port -c fsync=on -c max_connections=50 ${PG_OPTS:-}" start >/dev/null ||
		{ tail -n 20 "$home/server.log" >&2; exit 1; }
	echo "export PGHOST='$home' PGPORT='$port' PGUSER=postgres"
	;;
stop)
	dir=$(cd "$dir" && pwd)
	home=$(where_of "$dir")
	if [ -f "$home/data/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$home/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
			kill "$(head -n 1 "$home/data/postmaster.pid")" 2>/dev/null || true
	fi
	;;
*)
	echo "usage: pg.sh start|stop DIR [PORT]" >&2
	exit 2
	;;
esac
