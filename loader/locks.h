/* locks.h: the loader's PostgreSQL advisory lock classes, in one place.
 * A two-key advisory lock (class, key) shows in pg_locks as classid =
 * class, objid = key, objsubid = 2. */
#ifndef LOADER_LOCKS_H
#define LOADER_LOCKS_H

#include "db.h"
#include "err.h"

#define LOCKS_STR_(x) #x
#define LOCKS_STR(x) LOCKS_STR_(x)

/* init-db: one migration runner at a time (one key). */
#define LOCK_CLASS_SCHEMA 1817
/* "a loader holds this file": key = the first 32 bits of its SHA-256. */
#define LOCK_CLASS_FILE 1818
/* "cases or transactions of this creditor are being merged": key =
 * hashtext(creditor_id); key 0 orders fast case loads (shared) against
 * staged case loads (exclusive). */
#define LOCK_CLASS_CREDITOR 1819
/* "case numbers are being drawn or given back" (one key). */
#define LOCK_CLASS_CASE_IDS 1820
/* "bank records of this account are judged": key = hashtext(account). */
#define LOCK_CLASS_BANK 1821

#define LOCK_CLASS_SCHEMA_SQL LOCKS_STR(LOCK_CLASS_SCHEMA)
#define LOCK_CLASS_FILE_SQL LOCKS_STR(LOCK_CLASS_FILE)
#define LOCK_CLASS_CREDITOR_SQL LOCKS_STR(LOCK_CLASS_CREDITOR)
#define LOCK_CLASS_CASE_IDS_SQL LOCKS_STR(LOCK_CLASS_CASE_IDS)
#define LOCK_CLASS_BANK_SQL LOCKS_STR(LOCK_CLASS_BANK)

/* Which loading batches hold a creditor lock whose key is in the list
 * that follows ("IN (...)"): "batch 12, 14", or "". */
#define LOCK_HOLDERS_SQL(keys)                                                                    \
	"SELECT coalesce('batch ' || string_agg(DISTINCT b.batch_id::text, ', '), '')"              \
	" FROM pg_locks k JOIN batches b ON b.loader_pid = k.pid AND b.status = 'loading'"         \
	" WHERE k.locktype = 'advisory' AND k.granted AND k.pid <> pg_backend_pid()"                \
	" AND k.classid = " LOCK_CLASS_CREDITOR_SQL " AND k.objsubid = 2"                           \
	" AND k.objid::bigint IN (" keys ")"

/* Take a lock with try_sql (one boolean: got it); when another loader
 * holds it, say on stderr which batch this one waits for (holders_sql,
 * one text), then wait for it with lock_sql. */
int lock_take(PGconn *conn, long long batch_id, const char *try_sql, const char *lock_sql, const char *holders_sql,
	      const char *what, struct err *e);

#endif
