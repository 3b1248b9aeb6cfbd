#!/usr/bin/env bash
# A private PostgreSQL 15 for tests and the demo, Unix socket only.
#   scripts/pg.sh start DIR [PORT]   initdb (once) and start; prints shell exports
#   scripts/pg.sh stop DIR           stop the server started in DIR
# As root the server runs as the postgres user; DIR is chmod 711 so a root
# client reaches the socket.
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

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres: "$dir"
		chmod 711 "$dir"
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$PGBIN/initdb" -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$dir/data" >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
	fi
	as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-c listen_addresses='' -k $dir -p $port -c fsync=on -c max_connections=50" start >/dev/null ||
		{ tail -n 20 "$dir/server.log" >&2; exit 1; }
	echo "export PGHOST='$dir' PGPORT='$port' PGUSER=postgres"
	;;
stop)
	dir=$(cd "$dir" && pwd)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
			kill "$(head -n 1 "$dir/data/postmaster.pid")" 2>/dev/null || true
	fi
	;;
*)
	echo "usage: pg.sh start|stop DIR [PORT]" >&2
	exit 2
	;;
esac
