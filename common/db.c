#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_CHUNK (32u * 1024u)

static _Thread_local char last_sqlstate[6];

const char *db_last_sqlstate(void)
{
	return last_sqlstate;
}

/* libpq's messages run over lines ("...failed: ...\n\tIs the server
 * running ...?"): one line, each run of white space one space. */
static void one_line(char *dst, size_t size, const char *src)
{
	size_t o = 0;
	bool space = false;

	for (; *src != '\0' && o + 1 < size; src++) {
		if (*src == '\n' || *src == '\t' || *src == '\r' || *src == ' ') {
			space = o > 0;
			continue;
		}
		if (space && o + 2 < size)
			dst[o++] = ' ';
		space = false;
		dst[o++] = *src;
	}
	dst[o] = '\0';
}

/* The server's primary message on one line. what names the operation
 * ("COPY"), or NULL for a statement: the statement's text is not shown
 * (an operator reads these messages in 'loader status'). */
static void result_error(struct err *e, PGconn *conn, const PGresult *res, const char *what)
{
	const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	/* The primary message only: DETAIL may quote row values ("Failing row
	 * contains ..."), which would put debtor data in the logs. */
	const char *msg = res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char clean[ERR_MESSAGE_MAX];

	if (msg == NULL || *msg == '\0')
		msg = PQerrorMessage(conn);
	one_line(clean, sizeof(clean), msg != NULL && *msg != '\0' ? msg : "unknown error");
	snprintf(last_sqlstate, sizeof(last_sqlstate), "%s", state != NULL ? state : "");
	if (state == NULL && PQstatus(conn) == CONNECTION_BAD)
		snprintf(last_sqlstate, sizeof(last_sqlstate), "08006");
	ERR_SET(e, ERR_DB, "%s%s: %s%s%s%s", what != NULL ? what : "database error",
		what != NULL ? " failed" : "", clean, state != NULL ? " (SQLSTATE " : "",
		state != NULL ? state : "", state != NULL ? ")" : "");
}

int db_citus(PGconn *conn, bool *yes, struct err *e)
{
	char v[8];
	int rc = db_value(conn, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')", 0, NULL, v,
			  sizeof(v), e);

	*yes = rc == 0 && v[0] == 't';
	return rc;
}

bool db_connection_lost(PGconn *conn)
{
	return conn == NULL || PQstatus(conn) == CONNECTION_BAD ||
	       strncmp(last_sqlstate, "08", 2) == 0 || strncmp(last_sqlstate, "57P", 3) == 0;
}

int db_connect(PGconn **out, const char *conninfo, const char *application_name, struct err *e)
{
	const char *keys[] = { "dbname", "application_name", "client_encoding", NULL };
	const char *vals[] = { conninfo != NULL ? conninfo : "", application_name, "UTF8", NULL };
	PGconn *conn;
	PQconninfoOption *parsed;
	char *perr = NULL;

	*out = NULL;
	/* A conninfo that does not parse: libpq's message quotes it, password
	 * and all (SPEC 2 v2), so say it without libpq's words. */
	if (conninfo != NULL && *conninfo != '\0') {
		parsed = PQconninfoParse(conninfo, &perr);
		if (parsed == NULL) {
			bool nomem = perr == NULL;

			PQfreemem(perr);
			if (nomem)
				return ERR_SET(e, ERR_NOMEM, "cannot connect to the database: out of memory");
			return ERR_SET(e, ERR_CONFIG, "the database connection string (--db or database.conninfo) "
				       "does not parse as a conninfo or postgresql:// URI; it is not shown, as it may "
				       "hold a password");
		}
		PQconninfoFree(parsed);
	}
	/* expand_dbname=1: dbname may hold a whole conninfo string or URI. */
	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL)
		return ERR_SET(e, ERR_NOMEM, "cannot connect to the database: out of memory");
	if (PQstatus(conn) != CONNECTION_OK) {
		char msg[ERR_MESSAGE_MAX];

		one_line(msg, sizeof(msg), PQerrorMessage(conn));
		PQfinish(conn);
		snprintf(last_sqlstate, sizeof(last_sqlstate), "08001");
		return ERR_SET(e, ERR_DB, "cannot connect to the database: %s", msg);
	}
	*out = conn;
	return 0;
}

void db_close(PGconn *conn)
{
	if (conn != NULL)
		PQfinish(conn);
}

int db_exec(PGconn *conn, const char *sql, struct err *e)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		result_error(e, conn, res, NULL);
		rc = ERR_DB;
	}
	PQclear(res);
	return rc;
}

int db_query(PGconn *conn, PGresult **out, const char *sql, int nparams,
	     const char *const *params, struct err *e)
{
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (out != NULL)
		*out = NULL;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		result_error(e, conn, res, NULL);
		PQclear(res);
		return ERR_DB;
	}
	if (out != NULL)
		*out = res;
	else
		PQclear(res);
	return 0;
}

int db_copy_begin(struct db_copy *cp, PGconn *conn, const char *copy_sql, struct err *e)
{
	PGresult *res;

	memset(cp, 0, sizeof(*cp));
	cp->conn = conn;
	cp->cap = COPY_CHUNK;
	cp->buf = malloc(cp->cap);
	if (cp->buf == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	res = PQexec(conn, copy_sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		result_error(e, conn, res, "COPY");
		PQclear(res);
		free(cp->buf);
		cp->buf = NULL;
		cp->conn = NULL;
		return ERR_DB;
	}
	PQclear(res);
	return 0;
}

static int copy_flush(struct db_copy *cp, struct err *e)
{
	if (cp->len == 0)
		return 0;
	if (cp->conn == NULL)
		return ERR_SET(e, ERR_DB, "COPY is no longer in progress");
	if (PQputCopyData(cp->conn, cp->buf, (int)cp->len) != 1) {
		/* Usually the server refused a row and said why: take its error
		 * (with the SQLSTATE) rather than libpq's "no COPY in progress". */
		PGresult *res = PQgetResult(cp->conn);

		if (res != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR)
			result_error(e, cp->conn, res, "COPY");
		else
			result_error(e, cp->conn, NULL, "COPY data");
		while (res != NULL) {
			PQclear(res);
			res = PQgetResult(cp->conn);
		}
		cp->conn = NULL; /* the COPY is over */
		return ERR_DB;
	}
	cp->len = 0;
	/* Read what the server sent meanwhile, so that an error it raised
	 * stops the next PQputCopyData instead of the whole file being sent. */
	PQconsumeInput(cp->conn);
	return 0;
}

int db_copy_write(struct db_copy *cp, const void *data, size_t len, struct err *e)
{
	const char *p = data;

	while (len > 0) {
		size_t room = cp->cap - cp->len;
		size_t n = len < room ? len : room;

		memcpy(cp->buf + cp->len, p, n);
		cp->len += n;
		p += n;
		len -= n;
		if (cp->len == cp->cap && copy_flush(cp, e) != 0)
			return ERR_DB;
	}
	return 0;
}

int db_copy_end(struct db_copy *cp, struct err *e)
{
	PGresult *res;
	int rc = 0;

	if (copy_flush(cp, e) != 0)
		return ERR_DB;
	if (PQputCopyEnd(cp->conn, NULL) != 1) {
		result_error(e, cp->conn, NULL, "COPY end");
		cp->conn = NULL;
		return ERR_DB;
	}
	while ((res = PQgetResult(cp->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (rc == 0)
				result_error(e, cp->conn, res, "COPY");
			rc = ERR_DB;
		} else if (rc == 0) {
			const char *tuples = PQcmdTuples(res);
			unsigned long long n = strtoull(tuples, NULL, 10);

			if (n != cp->rows) {
				ERR_SET(e, ERR_DB, "COPY stored %llu rows but %llu were sent", n, cp->rows);
				rc = ERR_DB;
			}
		}
		PQclear(res);
	}
	cp->conn = NULL; /* the COPY is over */
	return rc;
}

void db_copy_abort(struct db_copy *cp, const char *reason)
{
	PGresult *res;

	if (cp->conn == NULL)
		return;
	if (PQputCopyEnd(cp->conn, reason) == 1)
		while ((res = PQgetResult(cp->conn)) != NULL)
			PQclear(res);
	cp->conn = NULL;
}

bool db_copy_active(const struct db_copy *cp)
{
	return cp->conn != NULL;
}

void db_copy_release(struct db_copy *cp)
{
	free(cp->buf);
	cp->buf = NULL;
	cp->len = cp->cap = 0;
}

int db_copy_out(PGconn *conn, const char *copy_sql,
		int (*sink)(void *ctx, const char *data, size_t len), void *ctx, struct err *e)
{
	PGresult *res = PQexec(conn, copy_sql);
	char *row = NULL;
	int n, rc = 0;

	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		result_error(e, conn, res, "COPY TO");
		PQclear(res);
		return ERR_DB;
	}
	PQclear(res);
	while ((n = PQgetCopyData(conn, &row, 0)) > 0) {
		if (rc == 0 && sink(ctx, row, (size_t)n) != 0)
			rc = ERR_IO; /* keep draining; the sink set e */
		PQfreemem(row);
		row = NULL;
	}
	if (n == -2) {
		result_error(e, conn, NULL, "COPY TO");
		return ERR_DB;
	}
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
			result_error(e, conn, res, "COPY TO");
			rc = ERR_DB;
		}
		PQclear(res);
	}
	return rc;
}

int db_value(PGconn *conn, const char *sql, int nparams, const char *const *params, char *out, size_t outsz,
	     struct err *e)
{
	PGresult *res = NULL;
	int rc = db_query(conn, &res, sql, nparams, params, e);

	if (rc != 0)
		return rc;
	if (out != NULL) {
		if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
			snprintf(out, outsz, "%s", PQgetvalue(res, 0, 0));
		else if (outsz > 0)
			out[0] = '\0';
	}
	PQclear(res);
	return 0;
}
