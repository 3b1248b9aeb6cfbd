/* settle_pg.h: libpq helpers of the settlement: values of result columns,
 * results of queries sent asynchronously (a cursor's next chunk is read
 * while this one is booked or rendered), row counts, retries. */
#ifndef SETTLEMENT_SETTLE_PG_H
#define SETTLEMENT_SETTLE_PG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* A date column as days since the epoch, for spg_date(). */
#define EPOCH_DAYS(col) "(" col " - DATE '1970-01-01')"

/* The stage on date d of the case of alias c (SPEC 16): case_stage_on() of
 * schemas/0009_stages.sql written out with the case's creditor_id, so that
 * on Citus (SPEC 17) it runs on the case's shard; a function that reads a
 * distributed table cannot run inside a query of the shards. c needs
 * creditor_id, case_id and request_notice. */
#define STAGE_ON(c, d)                                                                             \
	"coalesce((SELECT e.stage FROM case_events e WHERE e.creditor_id = " c ".creditor_id"         \
	" AND e.case_id = " c ".case_id AND e.event_date <= " d                                      \
	" ORDER BY e.event_date DESC, e.event_seq DESC LIMIT 1),"                                    \
	" CASE WHEN " c ".request_notice THEN 'notice' ELSE 'collection' END)"

/* A decimal integer from the database (ERR_DB when it is not one). */
int spg_parse_i64(int64_t *out, const char *s, struct err *e);
/* An integer column; NULL is ERR_DB. */
int spg_i64(const PGresult *res, int row, int col, int64_t *out, struct err *e);
/* An array column of exactly n integers ("{1,-2,3}"); NULL is ERR_DB. */
int spg_i64_array(const PGresult *res, int row, int col, int64_t *out, size_t n,
		  struct err *e);
/* A column of EPOCH_DAYS(): days since the epoch, BOOKING_NO_DATE for NULL. */
int spg_date(const PGresult *res, int row, int col, int32_t *out, struct err *e);

static inline const char *spg_text(const PGresult *res, int row, int col)
{
	return PQgetvalue(res, row, col);
}

/* A serialization failure or a deadlock: the transaction may be retried. */
bool spg_retryable(const struct err *e);
/* ROLLBACK, ignoring any error. */
void spg_rollback(PGconn *conn);

/* Send a query without waiting for it (a cursor's FETCH). */
int spg_send(PGconn *conn, const char *sql, struct err *e);
/* The results of a query sent with spg_send(): the rows in *out (which
 * the caller clears), ERR_DB with the server's message on failure. */
int spg_result(PGconn *conn, PGresult **out, const char *what, struct err *e);
/* Discard the results of a query sent with spg_send(). */
void spg_drain(PGconn *conn);

/* ERR_DB unless the command changed exactly want rows. */
int spg_check_count(PGresult *res, int64_t want, const char *what, struct err *e);

#endif
