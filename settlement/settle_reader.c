/* settle_reader.c: the settling pass's reader and the marking of what it
 * reads (settle_reader.h). */
#include "settle_reader.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "settle.h"
#include "settle_pg.h"

/* The same rows in the reader (ORDER BY, columns Q_*) and in the marking
 * UPDATE (WHERE): $1 the creditors whose period is not closed, $2 the
 * period end. Every transaction booked up to the period end that no
 * statement settled, also one booked in a closed period and loaded later;
 * but not a reversal whose original payment is not settled and booked
 * after the period end: it waits for a run that books its original.
 * (NOT EXISTS alone, true for a row that reverses nothing, is an anti
 * join over the few unsettled transactions booked after the period end;
 * "reverses IS NULL OR NOT EXISTS" made the planner cost a subplan per
 * row and trade the sequential scan for a far slower index scan.) A
 * reversal, its original payment and their case are of one creditor: every
 * join says so, and on Citus (SPEC 17) runs on the creditor's shard. */
#define UNSETTLED_WHERE \
	" t.creditor_id = ANY ($1::text[]) AND t.statement_number IS NULL" \
	" AND t.booking_date <= $2::date" \
	" AND NOT EXISTS (SELECT 1 FROM transactions w WHERE w.creditor_id = t.creditor_id AND w.tx_id = t.reverses" \
	"                 AND w.statement_number IS NULL AND w.booking_date > $2::date)"

/* A column of a reversal's original payment when this run books it too
 * and it comes after the reversal in booking order, else NULL (also on
 * rows that are no reversal: the subquery runs for reversals only). */
#define ORIGINAL_AFTER(col) \
	"CASE WHEN t.reverses IS NOT NULL THEN (SELECT " col " FROM transactions o" \
	" WHERE o.creditor_id = t.creditor_id AND o.tx_id = t.reverses AND o.statement_number IS NULL" \
	"   AND (o.booking_date, o.tx_id) > (t.booking_date, t.tx_id)) END"

int reader_send_fetch(PGconn *reader, struct err *e)
{
	return spg_send(reader, "FETCH " SETTLE_CHUNK_TEXT " FROM settle_tx", e);
}

/* A second connection to the server and database of conn, as the same
 * user, with the same options (the server actually connected to, even
 * when the conninfo names several). */
static int reader_connect(PGconn *conn, PGconn **out, struct err *e)
{
	enum { MAX_OPTS = 64 };
	PQconninfoOption *opts = PQconninfo(conn);
	const char *keys[MAX_OPTS + 1];
	const char *vals[MAX_OPTS + 1];
	PGconn *reader;
	int n = 0;

	*out = NULL;
	if (opts == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	for (const PQconninfoOption *o = opts; o->keyword != NULL && n < MAX_OPTS; o++) {
		const char *v = o->val;

		if (strcmp(o->keyword, "host") == 0)
			v = PQhost(conn);
		else if (strcmp(o->keyword, "port") == 0)
			v = PQport(conn);
		else if (strcmp(o->keyword, "hostaddr") == 0 && v != NULL && *v != '\0')
			v = PQhostaddr(conn);
		else if (strcmp(o->keyword, "application_name") == 0)
			v = "settlement run (reader)";
		if (v == NULL || *v == '\0')
			continue;
		keys[n] = o->keyword;
		vals[n] = v;
		n++;
	}
	keys[n] = NULL;
	vals[n] = NULL;
	reader = PQconnectdbParams(keys, vals, 0);
	PQconninfoFree(opts);
	if (reader == NULL)
		return ERR_SET(e, ERR_NOMEM, "cannot connect to the database: out of memory");
	if (PQstatus(reader) != CONNECTION_OK) {
		char msg[ERR_MESSAGE_MAX];
		size_t len;

		snprintf(msg, sizeof(msg), "%s", PQerrorMessage(reader));
		len = strlen(msg);
		while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
			msg[--len] = '\0';
		for (char *p = msg; *p != '\0'; p++)
			if (*p == '\n')
				*p = ' ';
		PQfinish(reader);
		return ERR_SET(e, ERR_DB, "cannot open the reading connection: %s", msg);
	}
	*out = reader;
	return 0;
}

int reader_open(PGconn *conn, PGconn **out, const char *snapshot, const char *creditors,
		const char *last, struct err *e)
{
	static const char declare_sql[] =
		"DECLARE settle_tx NO SCROLL CURSOR FOR"
		" SELECT t.creditor_id, t.tx_id, t.case_id, t.kind, " EPOCH_DAYS("t.booking_date") ","
		"  t.amount, t.currency, t.transaction_id, c.creditor_reference, c.debtor_name,"
		"  c.principal, c.fees, c.interest, " EPOCH_DAYS("c.accrued_to") ", c.status,"
		"  " EPOCH_DAYS("c.closed_date") ", " EPOCH_DAYS("c.last_transaction_date") ","
		"  c.booked_status,"
		/* a case registered after the period's last day (a transaction
		 * booked before its case's registration, which loaders before SPEC
		 * v2 let in) that no statement counted: its first line counts it */
		"  CASE WHEN c.registered > $2::date THEN c.registered_statement IS NULL AND NOT EXISTS"
		"   (SELECT 1 FROM registered_batches b WHERE b.creditor_id = c.creditor_id"
		"    AND b.currency = c.currency AND b.batch_id = c.batch_id) END,"
		"  c.original_amount - c.paid_amount, t.reverses,"
		/* a reversal's original, settled before as a payment of its case */
		"  CASE WHEN t.reverses IS NOT NULL THEN (SELECT ARRAY[l.amount, l.to_fees,"
		"   l.to_interest, l.to_principal, l.overpaid, l.creditor_share, l.commission,"
		"   l.payout_effect] FROM statement_lines l WHERE l.creditor_id = t.creditor_id"
		"   AND l.tx_id = t.reverses AND l.case_id = t.case_id AND l.kind = 'payment') END,"
		"  CASE WHEN t.reverses IS NOT NULL THEN (SELECT count(*) FROM transactions r"
		"   WHERE r.creditor_id = t.creditor_id AND r.case_id = t.case_id AND r.reverses = t.reverses) END,"
		/* a withdrawal's fee is that of the stage on its booking date */
		"  CASE WHEN t.kind = 'withdrawal' THEN " STAGE_ON("c", "t.booking_date") " END"
		" FROM transactions t JOIN cases c ON c.creditor_id = t.creditor_id AND c.case_id = t.case_id"
		" WHERE" UNSETTLED_WHERE
		/* booking order; a reversal right after its original (the last
		 * key only orders a reversal after the payment it was moved to) */
		" ORDER BY t.creditor_id COLLATE \"C\", c.creditor_reference COLLATE \"C\", t.case_id,"
		"          coalesce(" ORIGINAL_AFTER("o.booking_date") ", t.booking_date),"
		"          coalesce(" ORIGINAL_AFTER("o.tx_id") ", t.tx_id), t.reverses IS NOT NULL";
	const char *params[2] = { creditors, last };
	PGconn *reader = NULL;
	char *literal = NULL;
	char sql[256];
	int rc;

	*out = NULL;
	rc = reader_connect(conn, &reader, e);
	if (rc != 0)
		return rc;
	rc = db_exec(reader, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
	if (rc == 0) {
		/* SET takes no parameter: the id (from the server) goes in quoted */
		literal = PQescapeLiteral(reader, snapshot, strlen(snapshot));
		if (literal == NULL || snprintf(sql, sizeof(sql), "SET TRANSACTION SNAPSHOT %s",
						literal) >= (int)sizeof(sql))
			rc = ERR_SET(e, ERR_DB, "bad snapshot id from the database");
		PQfreemem(literal);
	}
	if (rc == 0)
		rc = db_exec(reader, sql, e);
	/* the cursor is read to its end: planned for all its rows (hash joins
	 * and one sort), not for a fast first one; the sort's memory is the
	 * settling transaction's */
	if (rc == 0)
		rc = db_exec(reader, "SET LOCAL jit = off; SET LOCAL cursor_tuple_fraction = 1;"
				     " SET LOCAL work_mem = '" SETTLE_WORK_MEM "'", e);
	if (rc == 0)
		rc = db_query(reader, NULL, declare_sql, 2, params, e);
	if (rc == 0)
		rc = reader_send_fetch(reader, e);
	if (rc != 0) {
		db_close(reader);
		return rc;
	}
	*out = reader;
	return 0;
}

int reader_mark_settled(PGconn *conn, const char *creditors, const char *last,
			const char *period, int64_t *marked, struct err *e)
{
	static const char sql[] =
		"UPDATE transactions t"
		"   SET statement_number = $3 || '-' || t.creditor_id || '-' || t.currency"
		" WHERE" UNSETTLED_WHERE;
	const char *params[3] = { creditors, last, period };
	PGresult *res = NULL;
	int rc;

	rc = db_query(conn, &res, sql, 3, params, e);
	if (rc == 0 && spg_parse_i64(marked, PQcmdTuples(res), e) != 0)
		rc = ERR_SET(e, ERR_DB, "marking transactions settled: no row count");
	PQclear(res);
	return rc;
}
