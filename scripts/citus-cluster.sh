#!/usr/bin/env bash
# A private Citus cluster for tests (SPEC 17): one coordinator and two
# workers, each a private PostgreSQL 15 of scripts/pg.sh (Unix socket only)
# with shared_preload_libraries = citus.
#   scripts/citus-cluster.sh start DIR PORT   start the coordinator on PORT and
#                                             the workers on PORT+1 and PORT+2;
#                                             prints shell exports: PGHOST,
#                                             PGPORT, PGUSER of the coordinator
#                                             and CITUS_WORKERS ("host:port ...")
#   scripts/citus-cluster.sh add-db NAME      (with those exports) create the
#                                             database NAME on every node, the
#                                             citus extension in each, and add
#                                             the workers to the coordinator's
#                                             (a database of that name is
#                                             dropped first)
#   scripts/citus-cluster.sh extend-db NAME   the same for the coordinator's
#                                             database NAME that exists (a
#                                             database of one server that
#                                             becomes a Citus database)
#   scripts/citus-cluster.sh drop-dbs         drop every database but postgres
#                                             and the templates, on every node
#   scripts/citus-cluster.sh stop DIR         stop the three servers
# Citus must be installed (scripts/citus-build.sh). The nodes reach each
# other through their socket folders: a Citus node name may be a folder, as
# libpq's host.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: citus-cluster.sh start DIR PORT | add-db NAME | extend-db NAME | drop-dbs | stop DIR"
cmd=${1:?$usage}

# Citus commits a transaction that wrote on two nodes with two-phase
# commit (max_prepared_transactions); a query over the shards opens
# several connections to each worker; each database has a Citus
# maintenance daemon on every node (a background worker) with connections
# to the other nodes, nine connections a database in all, and a test makes
# several databases (drop-dbs between tests). Eight shards a table keep the
# schema's DDL quick on a test machine (Citus' default is 32).
node_opts="-c shared_preload_libraries=citus -c max_prepared_transactions=100 -c max_connections=300 -c max_worker_processes=128"
coord_opts="$node_opts -c citus.shard_count=8"

case "$cmd" in
start)
	dir=${2:?usage: citus-cluster.sh start DIR PORT}
	port=${3:?usage: citus-cluster.sh start DIR PORT}
	mkdir -p "$dir"
	workers=()
	for i in 1 2; do
		exports=$(PG_OPTS=$node_opts "$root/scripts/pg.sh" start "$dir/worker$i" $((port + i)))
		workers+=("$(eval "$exports" && echo "$PGHOST:$PGPORT")")
	done
	PG_OPTS=$coord_opts "$root/scripts/pg.sh" start "$dir/coordinator" "$port"
	echo "export CITUS_WORKERS='${workers[*]}'"
	;;
add-db | extend-db)
	db=${2:?usage: citus-cluster.sh $cmd NAME}
	: "${CITUS_WORKERS:?$cmd needs the exports of start}"
	if [ "$cmd" = add-db ]; then
		dropdb --force --if-exists "$db" 2>/dev/null || true
		createdb "$db"
	fi
	for w in $CITUS_WORKERS; do
		dropdb --force --if-exists -h "${w%:*}" -p "${w##*:}" "$db" 2>/dev/null
		createdb -h "${w%:*}" -p "${w##*:}" "$db"
		psql -X -q -h "${w%:*}" -p "${w##*:}" -d "$db" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION citus"
	done
	{
		echo "SET client_min_messages = warning;"
		echo "CREATE EXTENSION citus;"
		echo "SELECT citus_set_coordinator_host('$PGHOST', $PGPORT);"
		for w in $CITUS_WORKERS; do
			echo "SELECT citus_add_node('${w%:*}', ${w##*:});"
		done
	} | psql -X -q -d "$db" -v ON_ERROR_STOP=1 >/dev/null
	;;
drop-dbs)
	: "${CITUS_WORKERS:?$cmd needs the exports of start}"
	for db in $(psql -X -A -t -q -d postgres -c "SELECT datname FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')"); do
		dropdb --force "$db"
		for w in $CITUS_WORKERS; do
			dropdb --force --if-exists -h "${w%:*}" -p "${w##*:}" "$db"
		done
	done
	;;
stop)
	dir=${2:?usage: citus-cluster.sh stop DIR}
	for n in coordinator worker1 worker2; do
		[ -d "$dir/$n" ] && "$root/scripts/pg.sh" stop "$dir/$n"
	done
	;;
*)
	echo "$usage" >&2
	exit 2
	;;
esac
