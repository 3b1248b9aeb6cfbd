/* settle_cases.c: the case list of SPEC 9.3 (bin/settlement cases). */
#include "settle.h"

#include <errno.h>
#include <string.h>

#include "date.h"
#include "db.h"
#include "settle_pg.h"
#include "statement.h"

int settle_case_filter_parse(const char *s)
{
	static const char *const names[] = { "all", "open", "closed", "withdrawn" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

static int file_write(void *ctx, const void *data, size_t len, struct err *e)
{
	if (fwrite(data, 1, len, ctx) != len)
		return ERR_SET(e, ERR_IO, "cannot write the case list: %s", strerror(errno));
	return 0;
}

int settle_cases(PGconn *conn, const struct settle_cases_opts *o, struct err *e)
{
	static const char exists_sql[] = "SELECT 1 FROM creditors WHERE creditor_id = $1";
	/* status and stage as of the as-of date: a case closed or withdrawn
	 * after it was still open then; its stage that of its latest event on
	 * or before it */
	static const char declare_sql[] =
		"DECLARE settle_cases NO SCROLL CURSOR FOR"
		" SELECT case_id, creditor_reference, debtor_name, status_as_of, original_amount,"
		"  principal, fees, interest, " EPOCH_DAYS("last_transaction_date") ","
		"  coalesce(payment_reference, ''), " STAGE_ON("c", "$2::date") /* SPEC 16 */
		" FROM (SELECT *, CASE WHEN status <> 'open' AND closed_date > $2::date"
		"                      THEN 'open' ELSE status END AS status_as_of"
		"         FROM cases WHERE creditor_id = $1 AND registered <= $2::date) c"
		" WHERE $3 = 'all' OR status_as_of = $3"
		" ORDER BY creditor_reference COLLATE \"C\", case_id";
	static const char *const filters[] = { "all", "open", "closed", "withdrawn" };
	static const char fetch_sql[] = "FETCH " SETTLE_CHUNK_TEXT " FROM settle_cases";
	struct statement_out out;
	char as_of[DATE_FMT_MAX];
	const char *params[3];
	PGresult *res = NULL;
	bool in_tx = false;
	int rc;

	statement_out_init(&out, file_write, o->out);
	params[0] = o->creditor_id;
	params[1] = date_format(as_of, sizeof(as_of), o->as_of);
	params[2] = filters[o->filter];
	rc = db_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
	if (rc != 0)
		goto out;
	in_tx = true;
	rc = db_query(conn, &res, exists_sql, 1, params, e);
	if (rc != 0)
		goto out;
	if (PQntuples(res) == 0) {
		rc = ERR_SET(e, ERR_USAGE, "unknown creditor '%s'", o->creditor_id);
		goto out;
	}
	PQclear(res);
	res = NULL;
	rc = db_query(conn, NULL, declare_sql, 3, params, e);
	if (rc == 0)
		rc = statement_cases_header(&out, e);
	while (rc == 0) {
		int n;

		PQclear(res);
		rc = db_query(conn, &res, fetch_sql, 0, NULL, e);
		if (rc != 0)
			break;
		n = PQntuples(res);
		if (n == 0)
			break;
		for (int i = 0; i < n && rc == 0; i++) {
			struct statement_case_row row;

			memset(&row, 0, sizeof(row));
			rc = spg_i64(res, i, 0, &row.case_id, e);
			if (rc == 0)
				rc = spg_i64(res, i, 4, &row.original_amount, e);
			if (rc == 0)
				rc = spg_i64(res, i, 5, &row.principal, e);
			if (rc == 0)
				rc = spg_i64(res, i, 6, &row.fees, e);
			if (rc == 0)
				rc = spg_i64(res, i, 7, &row.interest, e);
			if (rc == 0)
				rc = spg_date(res, i, 8, &row.last_transaction_date, e);
			if (rc != 0)
				break;
			row.creditor_reference = spg_text(res, i, 1);
			row.debtor_name = spg_text(res, i, 2);
			row.status = spg_text(res, i, 3);
			row.payment_reference = spg_text(res, i, 9);
			row.stage = spg_text(res, i, 10);
			rc = statement_cases_row(&out, &row, e);
		}
	}
	if (rc == 0 && fflush(o->out) != 0)
		rc = ERR_SET(e, ERR_IO, "cannot write the case list: %s", strerror(errno));
	if (rc == 0) {
		rc = db_exec(conn, "COMMIT", e);
		in_tx = rc != 0;
	}
out:
	PQclear(res);
	if (in_tx)
		spg_rollback(conn);
	statement_out_release(&out);
	return rc;
}
