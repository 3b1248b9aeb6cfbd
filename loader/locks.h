/* locks.h: the loader's PostgreSQL advisory lock classes, in one place.
 * A two-key advisory lock (class, key) shows in pg_locks as classid =
 * class, objid = key, objsubid = 2. */
#ifndef LOADER_LOCKS_H
#define LOADER_LOCKS_H

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

#define LOCK_CLASS_SCHEMA_SQL LOCKS_STR(LOCK_CLASS_SCHEMA)
#define LOCK_CLASS_FILE_SQL LOCKS_STR(LOCK_CLASS_FILE)
#define LOCK_CLASS_CREDITOR_SQL LOCKS_STR(LOCK_CLASS_CREDITOR)

#endif
