/* statements_list.c: bin/settlement statements (statements_list.h). */
#include "statements_list.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "money.h"
#include "settle_pg.h"

static const char *const headers[SL__COUNT] = { "statement", "creditor", "cur", "net payout",
						"payout", "paid" };
static const size_t col_max[SL__COUNT] = STATEMENTS_COL_MAX;

/* The values of a row as text ("-" for none); net is the amount's buffer. */
static void row_values(const char *v[SL__COUNT], const struct statements_row *r, char *net, size_t size)
{
	if (r == NULL) {
		memcpy(v, headers, sizeof(headers));
		return;
	}
	v[SL_NUMBER] = r->number;
	v[SL_CREDITOR] = r->creditor_id;
	v[SL_CURRENCY] = r->currency;
	v[SL_NET] = money_format(net, size, r->net_payout);
	v[SL_MSGID] = r->msgid != NULL ? r->msgid : "-";
	v[SL_PAID] = r->paid_date != NULL ? r->paid_date : "-";
}

void statements_widths(size_t width[SL__COUNT], const struct statements_row *rows, size_t n)
{
	for (size_t i = 0; i <= n; i++) {
		const char *v[SL__COUNT];
		char net[MONEY_FMT_MAX];

		row_values(v, i == 0 ? NULL : &rows[i - 1], net, sizeof(net));
		for (int c = 0; c < SL__COUNT; c++) {
			size_t len = strlen(v[c]);

			if (len > col_max[c])
				len = col_max[c];
			if (i == 0 || len > width[c])
				width[c] = len;
		}
	}
}

char *statements_line(char *buf, size_t size, const size_t width[SL__COUNT],
		      const struct statements_row *row)
{
	const char *v[SL__COUNT];
	char net[MONEY_FMT_MAX];
	size_t o = 0;

	row_values(v, row, net, sizeof(net));
	for (int c = 0; c < SL__COUNT && o < size; c++) {
		int len = (int)(strlen(v[c]) < col_max[c] ? strlen(v[c]) : col_max[c]);
		int w = (int)width[c];
		int n;

		if (c == SL__COUNT - 1) /* the last column is not padded */
			n = snprintf(buf + o, size - o, "%.*s", len, v[c]);
		else if (c == SL_NET)   /* amounts to the right */
			n = snprintf(buf + o, size - o, "%*.*s  ", w, len, v[c]);
		else
			n = snprintf(buf + o, size - o, "%-*.*s  ", w, len, v[c]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	if (size > 0 && o >= size)
		buf[size - 1] = '\0';
	return buf;
}

/* ---- the command ---- */

enum { Q_NUMBER, Q_CREDITOR, Q_CURRENCY, Q_NET, Q_MSGID, Q_PAID };

static int print_text(FILE *out, PGresult *res, struct err *e)
{
	int n = PQntuples(res);
	struct statements_row *rows = calloc((size_t)n + 1, sizeof(*rows));
	size_t width[SL__COUNT];
	char line[STATEMENTS_LINE_SIZE];
	int rc = 0;

	if (rows == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	for (int i = 0; i < n && rc == 0; i++) {
		struct statements_row *r = &rows[i];

		r->number = spg_text(res, i, Q_NUMBER);
		r->creditor_id = spg_text(res, i, Q_CREDITOR);
		r->currency = spg_text(res, i, Q_CURRENCY);
		r->msgid = PQgetisnull(res, i, Q_MSGID) ? NULL : spg_text(res, i, Q_MSGID);
		r->paid_date = PQgetisnull(res, i, Q_PAID) ? NULL : spg_text(res, i, Q_PAID);
		rc = spg_i64(res, i, Q_NET, &r->net_payout, e);
	}
	if (rc == 0) {
		statements_widths(width, rows, (size_t)n);
		fprintf(out, "%s\n", statements_line(line, sizeof(line), width, NULL));
		for (int i = 0; i < n; i++)
			fprintf(out, "%s\n", statements_line(line, sizeof(line), width, &rows[i]));
	}
	free(rows);
	return rc;
}

/* A text column as a JSON string, or null. */
static json_t *json_text(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? json_null() : json_string(PQgetvalue(res, row, col));
}

static int print_json(FILE *out, PGresult *res, struct err *e)
{
	json_t *arr = json_array();
	char *text = NULL;
	int rc = 0;

	for (int i = 0; arr != NULL && i < PQntuples(res) && rc == 0; i++) {
		json_t *o = json_object();
		char net[MONEY_FMT_MAX];
		int64_t v = 0;

		rc = spg_i64(res, i, Q_NET, &v, e);
		if (o == NULL || rc != 0) {
			json_decref(o);
			break;
		}
		json_object_set_new(o, "number", json_text(res, i, Q_NUMBER));
		json_object_set_new(o, "creditor_id", json_text(res, i, Q_CREDITOR));
		json_object_set_new(o, "currency", json_text(res, i, Q_CURRENCY));
		json_object_set_new(o, "net_payout", json_string(money_format(net, sizeof(net), v)));
		json_object_set_new(o, "payout_msgid", json_text(res, i, Q_MSGID));
		json_object_set_new(o, "paid_date", json_text(res, i, Q_PAID));
		json_array_append_new(arr, o);
	}
	if (rc == 0 && arr != NULL)
		text = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (rc == 0 && text == NULL)
		rc = ERR_SET(e, ERR_NOMEM, "out of memory");
	else if (rc == 0)
		fprintf(out, "%s\n", text);
	free(text);
	json_decref(arr);
	return rc;
}

int statements_list(PGconn *conn, const struct statements_opts *o, struct err *e)
{
	static const char exists_sql[] = "SELECT 1 FROM creditors WHERE creditor_id = $1";
	static const char sql[] =
		"SELECT s.statement_number, s.creditor_id, s.currency, s.net_payout, p.msgid,"
		" p.paid_date::text"
		" FROM statements s LEFT JOIN payout_transfers p"
		"  ON p.creditor_id = s.creditor_id AND p.statement_number = s.statement_number"
		" WHERE ($1::text IS NULL OR s.period = $1) AND ($2::text IS NULL OR s.creditor_id = $2)"
		" ORDER BY s.period, s.creditor_id COLLATE \"C\", s.currency";
	const char *params[2] = { o->period, o->creditor_id };
	PGresult *res = NULL;
	int rc = 0;

	if (o->creditor_id != NULL) {
		rc = db_query(conn, &res, exists_sql, 1, params + 1, e);
		if (rc == 0 && PQntuples(res) == 0)
			rc = ERR_SET(e, ERR_USAGE, "unknown creditor '%s'", o->creditor_id);
		PQclear(res);
		res = NULL;
	}
	if (rc == 0)
		rc = db_query(conn, &res, sql, 2, params, e);
	if (rc == 0)
		rc = o->json ? print_json(o->out, res, e) : print_text(o->out, res, e);
	if (rc == 0 && (fflush(o->out) != 0 || ferror(o->out)))
		rc = ERR_SET(e, ERR_IO, "cannot write to standard output");
	PQclear(res);
	return rc;
}
