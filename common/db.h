/* db.h: libpq helpers. Parameters always go through PQexecParams; a failed
 * result sets ERR_DB with the server's message and SQLSTATE. Passwords are
 * never printed: messages come from the server, never from the conninfo. */
#ifndef COMMON_DB_H
#define COMMON_DB_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "err.h"

/* conninfo NULL or "" uses libpq's environment (PGHOST, PGDATABASE, ...). */
int db_connect(PGconn **out, const char *conninfo, const char *application_name,
	       struct err *e);
void db_close(PGconn *conn);

/* Run a command (or several) without parameters; no rows expected. */
int db_exec(PGconn *conn, const char *sql, struct err *e);
/* Run a parameterised statement (all text parameters; NULL for SQL NULL).
 * With out != NULL the caller owns *out (PQclear) and it holds the rows. */
int db_query(PGconn *conn, PGresult **out, const char *sql, int nparams,
	     const char *const *params, struct err *e);

/* A statement with one value: the first column of the first row copied
 * into out (NUL-terminated, "" for no row or NULL). out may be NULL. */
int db_value(PGconn *conn, const char *sql, int nparams, const char *const *params, char *out, size_t outsz,
	     struct err *e);

/* SPEC 17: is the database a Citus coordinator (has the citus extension)? */
int db_citus(PGconn *conn, bool *yes, struct err *e);

/* On Citus a statement sees each node as of its own moment: there is no
 * snapshot across nodes. The settlement reads the transactions it settles
 * on one connection and marks them on another, which on one server share a
 * snapshot; on Citus the settlement holds this advisory lock exclusively
 * (session) while it settles, and every load holds it shared (its
 * transaction), so that the rows read are the rows marked. */
#define DB_CITUS_LEDGER_LOCK "1822, 0"

/* SQLSTATE of the last failure recorded by these helpers on this thread,
 * "" when none. Class "08" and "57P" are connection losses. */
const char *db_last_sqlstate(void);
/* Did the connection break (as opposed to a statement failing)? */
bool db_connection_lost(PGconn *conn);

/* COPY ... FROM STDIN helpers: buffered PQputCopyData in large chunks. */
struct db_copy {
	PGconn *conn;
	char *buf;
	size_t len;
	size_t cap;
	unsigned long long rows;
};
int db_copy_begin(struct db_copy *cp, PGconn *conn, const char *copy_sql, struct err *e);
/* Append bytes to the COPY stream (flushes in large chunks). */
int db_copy_write(struct db_copy *cp, const void *data, size_t len, struct err *e);
/* Finish: send the end, collect results until NULL, and compare the row
 * count the server reports with cp->rows. */
int db_copy_end(struct db_copy *cp, struct err *e);
/* Abort with a reason (PQputCopyEnd(conn, reason)); drains results. */
void db_copy_abort(struct db_copy *cp, const char *reason);
/* Is a COPY in progress (begun, neither ended nor aborted nor failed)? */
bool db_copy_active(const struct db_copy *cp);
void db_copy_release(struct db_copy *cp);

/* COPY (query) TO STDOUT into a file descriptor-like sink. */
int db_copy_out(PGconn *conn, const char *copy_sql,
		int (*sink)(void *ctx, const char *data, size_t len), void *ctx,
		struct err *e);

#endif
