/* settle_pg.c: libpq helpers of the settlement: values of result
 * columns, results of asynchronous queries, row counts, retries. */
#include "settle_pg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "db.h"

int spg_parse_i64(int64_t *out, const char *s, struct err *e)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return ERR_SET(e, ERR_DB, "unexpected value '%s' from the database", s);
	*out = (int64_t)v;
	return 0;
}

int spg_i64(const PGresult *res, int row, int col, int64_t *out, struct err *e)
{
	if (PQgetisnull(res, row, col))
		return ERR_SET(e, ERR_DB, "unexpected NULL in column '%s'", PQfname(res, col));
	return spg_parse_i64(out, PQgetvalue(res, row, col), e);
}

int spg_i64_array(const PGresult *res, int row, int col, int64_t *out, size_t n,
		  struct err *e)
{
	const char *s = PQgetvalue(res, row, col);
	const char *p = s + 1;

	if (PQgetisnull(res, row, col))
		return ERR_SET(e, ERR_DB, "unexpected NULL in column '%s'", PQfname(res, col));
	if (*s != '{')
		goto bad;
	for (size_t i = 0; i < n; i++) {
		char *end = NULL;
		long long v;

		errno = 0;
		v = strtoll(p, &end, 10);
		if (errno != 0 || end == p || *end != (i + 1 < n ? ',' : '}'))
			goto bad;
		out[i] = (int64_t)v;
		p = end + 1;
	}
	if (*p == '\0')
		return 0;
bad:
	return ERR_SET(e, ERR_DB, "unexpected array '%s' from the database", s);
}

int spg_date(const PGresult *res, int row, int col, int32_t *out, struct err *e)
{
	int64_t v = 0;
	int rc;

	if (PQgetisnull(res, row, col)) {
		*out = BOOKING_NO_DATE;
		return 0;
	}
	rc = spg_parse_i64(&v, PQgetvalue(res, row, col), e);
	if (rc != 0)
		return rc;
	if (v < -1000000 || v > 3000000)
		return ERR_SET(e, ERR_DB, "date out of range from the database");
	*out = (int32_t)v;
	return 0;
}

bool spg_retryable(const struct err *e)
{
	const char *st = db_last_sqlstate();

	return e->code == ERR_DB && (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0);
}

void spg_rollback(PGconn *conn)
{
	struct err ignored = ERR_INIT;

	(void)db_exec(conn, "ROLLBACK", &ignored);
}

int spg_result(PGconn *conn, PGresult **out, const char *what, struct err *e)
{
	PGresult *res;
	int rc = 0;

	*out = NULL;
	while ((res = PQgetResult(conn)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (rc == 0 && st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			char clean[ERR_MESSAGE_MAX];
			size_t n;

			snprintf(clean, sizeof(clean), "%s",
				 msg != NULL ? msg : PQerrorMessage(conn));
			n = strlen(clean);
			while (n > 0 && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
				clean[--n] = '\0';
			rc = ERR_SET(e, ERR_DB, "%s failed: %s%s%s%s", what, clean,
				     state != NULL ? " (SQLSTATE " : "", state != NULL ? state : "",
				     state != NULL ? ")" : "");
		}
		if (rc == 0 && *out == NULL && st == PGRES_TUPLES_OK) {
			*out = res;
			continue;
		}
		PQclear(res);
	}
	if (rc == 0 && *out == NULL)
		rc = ERR_SET(e, ERR_DB, "%s failed: %s", what, PQerrorMessage(conn));
	if (rc != 0) {
		PQclear(*out);
		*out = NULL;
	}
	return rc;
}

void spg_drain(PGconn *conn)
{
	PGresult *res;

	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
}

int spg_send(PGconn *conn, const char *sql, struct err *e)
{
	if (PQsendQuery(conn, sql) != 1)
		return ERR_SET(e, ERR_DB, "'%s' failed: %s", sql, PQerrorMessage(conn));
	return 0;
}

int spg_check_count(PGresult *res, int64_t want, const char *what, struct err *e)
{
	const char *t = PQcmdTuples(res);
	int64_t got = -1;

	if (t[0] == '\0' || spg_parse_i64(&got, t, e) != 0 || got != want)
		return ERR_SET(e, ERR_DB, "%s: %s rows changed, %" PRId64 " expected", what,
			       t[0] ? t : "no", want);
	return 0;
}
