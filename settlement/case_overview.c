/* case_overview.c: bin/settlement case (case_overview.h). */
#include "case_overview.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "db.h"
#include "money.h"
#include "settle_pg.h"
#include "utf8.h"

/* Most characters of a statement number in the text (SPEC 9: period,
 * creditor id of 16, currency). */
#define OVERVIEW_STATEMENT_MAX 28
/* One text value after escaping: 200 characters of 4 bytes at most. */
#define OVERVIEW_VALUE_SIZE ((size_t)1024)
/* The widest history line: 10 history columns of OVERVIEW_VALUE_SIZE. */
#define OVERVIEW_LINE_SIZE ((size_t)10 * OVERVIEW_VALUE_SIZE)

/* ---- text ---- */

/* Characters of valid UTF-8 (the escaped values are). */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Outside text as printed (SPEC 2 v2): control characters escaped, at
 * most max characters ("..." when cut). */
static const char *shown(char *buf, const char *s, size_t max)
{
	utf8_escape(buf, OVERVIEW_VALUE_SIZE, s != NULL ? s : "", s != NULL ? strlen(s) : 0, max);
	return buf;
}

/* s padded to width characters, left or right aligned, into out at *o. */
static void put_col(char *out, size_t *o, const char *s, size_t width, bool right)
{
	size_t n = chars(s), len = strlen(s);

	if (right)
		for (; n < width && *o + 1 < OVERVIEW_LINE_SIZE; n++)
			out[(*o)++] = ' ';
	if (*o + len + 1 < OVERVIEW_LINE_SIZE) {
		memcpy(out + *o, s, len);
		*o += len;
	}
	if (!right)
		for (; n < width && *o + 1 < OVERVIEW_LINE_SIZE; n++)
			out[(*o)++] = ' ';
	out[*o] = '\0';
}

/* The history's columns. */
enum { H_DATE, H_WHAT, H_ID, H_AMOUNT, H_FEES, H_INTEREST, H_PRINCIPAL, H_OVERPAID, H_STATEMENT, H__COUNT };

static const char *const h_headers[H__COUNT] = { "date",         "what",     "id",      "amount",  "to fees",
						 "to interest",  "to principal", "overpaid", "statement" };

struct h_row {
	char v[H__COUNT][OVERVIEW_VALUE_SIZE];
};

/* The values of an item's columns ("" where it has none). */
static void h_values(struct h_row *r, const struct overview_item *it)
{
	const int64_t alloc[] = { it->amount, it->to_fees, it->to_interest, it->to_principal, it->overpaid };

	memset(r, 0, sizeof(*r));
	shown(r->v[H_DATE], it->date, 10);
	shown(r->v[H_ID], it->id, OVERVIEW_ID_MAX);
	if (it->type == OVERVIEW_EVENT) {
		snprintf(r->v[H_WHAT], OVERVIEW_VALUE_SIZE, "stage %s", it->what);
		return;
	}
	shown(r->v[H_WHAT], it->what, 20);
	money_format(r->v[H_AMOUNT], OVERVIEW_VALUE_SIZE, it->amount);
	if (it->statement_number == NULL) {
		snprintf(r->v[H_STATEMENT], OVERVIEW_VALUE_SIZE, "-");
		return;
	}
	for (int c = H_FEES; c <= H_OVERPAID; c++)
		money_format(r->v[c], OVERVIEW_VALUE_SIZE, alloc[c - H_AMOUNT]);
	shown(r->v[H_STATEMENT], it->statement_number, OVERVIEW_STATEMENT_MAX);
}

static void h_line(char *line, const size_t width[H__COUNT], char v[H__COUNT][OVERVIEW_VALUE_SIZE])
{
	size_t o = 0;

	line[0] = '\0';
	for (int c = 0; c < H__COUNT; c++) {
		if (c > 0)
			put_col(line, &o, "  ", 0, false);
		put_col(line, &o, v[c], c == H__COUNT - 1 ? 0 : width[c], c >= H_AMOUNT && c <= H_OVERPAID);
	}
	while (o > 0 && line[o - 1] == ' ') /* no trailing blanks (events, last column) */
		line[--o] = '\0';
}

/* A withdrawal's reason and the fee its stage charged the creditor. */
static void h_note(FILE *out, const struct overview_item *it, size_t indent)
{
	char reason[OVERVIEW_VALUE_SIZE], fee[MONEY_FMT_MAX];

	if (it->type != OVERVIEW_TRANSACTION || strcmp(it->what, "withdrawal") != 0)
		return;
	fprintf(out, "%*sreason %s", (int)indent, "", shown(reason, it->reason, 40));
	if (it->statement_number != NULL)
		fprintf(out, ", withdrawal fee %s charged to the creditor",
			money_format(fee, sizeof(fee), it->withdrawal_fee));
	fputc('\n', out);
}

static int write_history(FILE *out, const struct overview_item *items, size_t n, struct err *e)
{
	struct h_row *rows = calloc(n + 1, sizeof(*rows));
	size_t width[H__COUNT];
	char *line = malloc(OVERVIEW_LINE_SIZE);

	if (rows == NULL || line == NULL) {
		free(rows);
		free(line);
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	}
	for (int c = 0; c < H__COUNT; c++) {
		snprintf(rows[0].v[c], OVERVIEW_VALUE_SIZE, "%s", h_headers[c]);
		width[c] = chars(h_headers[c]);
	}
	for (size_t i = 0; i < n; i++) {
		h_values(&rows[i + 1], &items[i]);
		for (int c = 0; c < H__COUNT; c++)
			if (chars(rows[i + 1].v[c]) > width[c])
				width[c] = chars(rows[i + 1].v[c]);
	}
	for (size_t i = 0; i <= n; i++) {
		h_line(line, width, rows[i].v);
		fprintf(out, "%s\n", line);
		if (i > 0)
			h_note(out, &items[i - 1], width[H_DATE] + 2);
	}
	free(rows);
	free(line);
	return 0;
}

/* The balance table: at registration, and as of the last settlement. */
static void write_balances(FILE *out, const struct overview_case *c)
{
	static const char *const headers[OV__BALANCES] = { "principal", "fees", "interest" };
	char v[2][OV__BALANCES][MONEY_FMT_MAX];
	size_t width[OV__BALANCES];

	for (int k = 0; k < OV__BALANCES; k++) {
		money_format(v[0][k], MONEY_FMT_MAX, c->original[k]);
		money_format(v[1][k], MONEY_FMT_MAX, c->balance[k]);
		width[k] = strlen(headers[k]);
		for (int r = 0; r < 2; r++)
			if (strlen(v[r][k]) > width[k])
				width[k] = strlen(v[r][k]);
	}
	fprintf(out, "  %-18s", "balances");
	for (int k = 0; k < OV__BALANCES; k++)
		fprintf(out, "  %*s", (int)width[k], headers[k]);
	fprintf(out, "\n  %-18s", "at registration");
	for (int k = 0; k < OV__BALANCES; k++)
		fprintf(out, "  %*s", (int)width[k], v[0][k]);
	fprintf(out, "\n  %-18s", "last settlement");
	for (int k = 0; k < OV__BALANCES; k++)
		fprintf(out, "  %*s", (int)width[k], v[1][k]);
	if (c->last_statement != NULL)
		fprintf(out, "  statement %s\n", c->last_statement);
	else
		fprintf(out, "  no statement yet\n");
}

int overview_write_text(FILE *out, const struct overview_case *c, const struct overview_item *items, size_t n,
			struct err *e)
{
	char a[OVERVIEW_VALUE_SIZE], b[OVERVIEW_VALUE_SIZE], m1[MONEY_FMT_MAX], m2[MONEY_FMT_MAX];
	int rc;

	fprintf(out, "case %lld of creditor %s on %s\n", (long long)c->case_id, c->creditor_id, c->as_of);
	fprintf(out, "  %-18s  %s\n", "creditor reference", shown(a, c->creditor_reference, 64));
	fprintf(out, "  %-18s  %s\n", "invoice number", shown(a, c->invoice_number, 64));
	fprintf(out, "  %-18s  %s\n", "payment reference", c->payment_reference != NULL ? c->payment_reference : "-");
	fprintf(out, "  %-18s  %s, %s\n", "debtor", shown(a, c->debtor_name, 200), shown(b, c->debtor_city, 100));
	fprintf(out, "  %-18s  %s\n", "currency", c->currency);
	fprintf(out, "  %-18s  %s in stage %s\n", "registered", c->registered, c->registration_stage);
	fprintf(out, "  %-18s  %s\n", "status", c->status);
	fprintf(out, "  %-18s  %s\n", "stage", c->stage);
	fprintf(out, "  %-18s  %s, paid before handover %s\n", "original amount",
		money_format(m1, sizeof(m1), c->original_amount), money_format(m2, sizeof(m2), c->paid_amount));
	fputc('\n', out);
	write_balances(out, c);
	fputc('\n', out);
	rc = write_history(out, items, n, e);
	if (rc == 0 && ferror(out))
		rc = ERR_SET(e, ERR_IO, "cannot write to standard output");
	return rc;
}

/* ---- JSON ---- */

static json_t *j_text(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *j_money(int64_t v)
{
	char buf[MONEY_FMT_MAX];

	return json_string(money_format(buf, sizeof(buf), v));
}

/* An allocation of a settled transaction, else null. */
static json_t *j_alloc(const struct overview_item *it, int64_t v)
{
	return it->statement_number != NULL ? j_money(v) : json_null();
}

static json_t *j_item(const struct overview_item *it)
{
	json_t *o = json_object();
	bool tx = it->type == OVERVIEW_TRANSACTION;

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "type", json_string(tx ? "transaction" : "event"));
	json_object_set_new(o, "date", j_text(it->date));
	if (!tx) {
		json_object_set_new(o, "event_date", j_text(it->date));
		json_object_set_new(o, "event_id", j_text(it->id));
		json_object_set_new(o, "stage", j_text(it->what));
		json_object_set_new(o, "statement_number", json_null());
		return o;
	}
	json_object_set_new(o, "booking_date", j_text(it->date));
	json_object_set_new(o, "transaction_id", j_text(it->id));
	json_object_set_new(o, "kind", j_text(it->what));
	json_object_set_new(o, "amount", j_money(it->amount));
	json_object_set_new(o, "reason", j_text(it->reason));
	json_object_set_new(o, "to_fees", j_alloc(it, it->to_fees));
	json_object_set_new(o, "to_interest", j_alloc(it, it->to_interest));
	json_object_set_new(o, "to_principal", j_alloc(it, it->to_principal));
	json_object_set_new(o, "overpaid", j_alloc(it, it->overpaid));
	json_object_set_new(o, "withdrawal_fee", j_alloc(it, it->withdrawal_fee));
	json_object_set_new(o, "statement_number", j_text(it->statement_number));
	return o;
}

int overview_write_json(FILE *out, const struct overview_case *c, const struct overview_item *items, size_t n,
			struct err *e)
{
	static const char *const orig[OV__BALANCES] = { "original_principal", "original_fees", "original_interest" };
	static const char *const bal[OV__BALANCES] = { "principal", "fees", "interest" };
	json_t *o = json_object(), *h = json_array();
	char *text = NULL;
	int rc = 0;

	if (o == NULL || h == NULL) {
		json_decref(o);
		json_decref(h);
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	}
	json_object_set_new(o, "case_id", json_integer(c->case_id));
	json_object_set_new(o, "creditor_id", j_text(c->creditor_id));
	json_object_set_new(o, "creditor_reference", j_text(c->creditor_reference));
	json_object_set_new(o, "invoice_number", j_text(c->invoice_number));
	json_object_set_new(o, "payment_reference", j_text(c->payment_reference));
	json_object_set_new(o, "as_of", j_text(c->as_of));
	json_object_set_new(o, "status", j_text(c->status));
	json_object_set_new(o, "stage", j_text(c->stage));
	json_object_set_new(o, "debtor_name", j_text(c->debtor_name));
	json_object_set_new(o, "debtor_city", j_text(c->debtor_city));
	json_object_set_new(o, "currency", j_text(c->currency));
	json_object_set_new(o, "registered", j_text(c->registered));
	json_object_set_new(o, "registration_stage", j_text(c->registration_stage));
	json_object_set_new(o, "original_amount", j_money(c->original_amount));
	json_object_set_new(o, "paid_amount", j_money(c->paid_amount));
	for (int k = 0; k < OV__BALANCES; k++)
		json_object_set_new(o, orig[k], j_money(c->original[k]));
	for (int k = 0; k < OV__BALANCES; k++)
		json_object_set_new(o, bal[k], j_money(c->balance[k]));
	json_object_set_new(o, "last_statement_number", j_text(c->last_statement));
	for (size_t i = 0; i < n && rc == 0; i++) {
		json_t *it = j_item(&items[i]);

		if (it == NULL || json_array_append_new(h, it) != 0)
			rc = ERR_SET(e, ERR_NOMEM, "out of memory");
	}
	json_object_set_new(o, "history", h);
	if (rc == 0)
		text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (rc == 0 && text == NULL)
		rc = ERR_SET(e, ERR_NOMEM, "out of memory");
	if (rc == 0 && (fprintf(out, "%s\n", text) < 0 || ferror(out)))
		rc = ERR_SET(e, ERR_IO, "cannot write to standard output");
	free(text);
	json_decref(o);
	return rc;
}

/* ---- the command ---- */

/* The case on the as-of date ($3): status as the case list shows it (a
 * case closed or withdrawn after the date was open then) and stage; the
 * balances at registration, where the fees are read back from the first
 * line a statement booked (the fees before it: a payment's fees after it
 * plus what it paid to fees; a withdrawal's write-off less principal and
 * interest), or are the case's own while nothing was settled; and the
 * last statement that settled a transaction of it. */
static const char case_sql[] =
	"SELECT c.case_id, c.creditor_reference, c.invoice_number, c.payment_reference,"
	" CASE WHEN c.status <> 'open' AND c.closed_date > $3::date THEN 'open' ELSE c.status END,"
	" " STAGE_ON("c", "$3::date") ","
	" CASE WHEN c.request_notice THEN 'notice' ELSE 'collection' END,"
	" c.debtor_name, c.debtor_city, c.currency, c.registered::text, c.original_amount, c.paid_amount,"
	" coalesce((SELECT CASE WHEN l.kind = 'withdrawal'"
	"   THEN l.written_off - (c.original_amount - c.paid_amount) - l.interest_accrued"
	"   ELSE l.fees_after + l.to_fees END"
	"  FROM statement_lines l WHERE l.creditor_id = c.creditor_id AND l.case_id = c.case_id"
	"  ORDER BY l.statement_number, l.line_no LIMIT 1), c.fees),"
	" c.principal, c.fees, c.interest,"
	" (SELECT max(l.statement_number) FROM statement_lines l"
	"  WHERE l.creditor_id = c.creditor_id AND l.case_id = c.case_id)"
	" FROM cases c WHERE c.creditor_id = $1 AND c.creditor_reference = $2";
enum {
	C_ID, C_REF, C_INVOICE, C_PAYREF, C_STATUS, C_STAGE, C_REG_STAGE, C_NAME, C_CITY, C_CURRENCY,
	C_REGISTERED, C_ORIGINAL, C_PAID, C_FEES0, C_PRINCIPAL, C_FEES, C_INTEREST, C_LAST
};

/* Events and transactions in booking order: by date, on one date events
 * first, then load order; a settled transaction with its line. $1 the
 * case, $2 its creditor (one shard on Citus, SPEC 17). */
static const char history_sql[] =
	"SELECT 'event', e.event_date::text, e.event_id, e.stage, NULL::bigint, NULL, NULL,"
	"  NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, e.event_date, 0, e.event_seq"
	" FROM case_events e WHERE e.creditor_id = $2 AND e.case_id = $1::bigint"
	" UNION ALL"
	" SELECT 'transaction', t.booking_date::text, t.transaction_id, t.kind, t.amount, t.reason,"
	"  l.statement_number, l.to_fees, l.to_interest, l.to_principal, l.overpaid, l.withdrawal_fee,"
	"  t.booking_date, 1, t.tx_id"
	" FROM transactions t LEFT JOIN statement_lines l ON l.creditor_id = t.creditor_id AND l.tx_id = t.tx_id"
	" WHERE t.creditor_id = $2 AND t.case_id = $1::bigint"
	" ORDER BY 13, 14, 15";
enum { I_TYPE, I_DATE, I_ID, I_WHAT, I_AMOUNT, I_REASON, I_STATEMENT, I_FEES, I_INTEREST, I_PRINCIPAL,
       I_OVERPAID, I_WFEE };

static const char *null_or_text(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static int read_case(const PGresult *res, struct overview_case *c, struct err *e)
{
	const int cols[] = { C_ORIGINAL, C_PAID, C_FEES0, C_PRINCIPAL, C_FEES, C_INTEREST };
	int64_t *out[] = { &c->original_amount, &c->paid_amount, &c->original[OV_FEES], &c->balance[OV_PRINCIPAL],
			   &c->balance[OV_FEES], &c->balance[OV_INTEREST] };
	int rc = spg_i64(res, 0, C_ID, &c->case_id, e);

	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]) && rc == 0; k++)
		rc = spg_i64(res, 0, cols[k], out[k], e);
	if (rc != 0)
		return rc;
	/* at registration: principal = original - paid, no interest yet */
	c->original[OV_PRINCIPAL] = c->original_amount - c->paid_amount;
	c->original[OV_INTEREST] = 0;
	c->creditor_reference = spg_text(res, 0, C_REF);
	c->invoice_number = spg_text(res, 0, C_INVOICE);
	c->payment_reference = null_or_text(res, 0, C_PAYREF);
	c->status = spg_text(res, 0, C_STATUS);
	c->stage = spg_text(res, 0, C_STAGE);
	c->registration_stage = spg_text(res, 0, C_REG_STAGE);
	c->debtor_name = spg_text(res, 0, C_NAME);
	c->debtor_city = spg_text(res, 0, C_CITY);
	c->currency = spg_text(res, 0, C_CURRENCY);
	c->registered = spg_text(res, 0, C_REGISTERED);
	c->last_statement = null_or_text(res, 0, C_LAST);
	return 0;
}

static int read_history(const PGresult *res, struct overview_item *items, struct err *e)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct overview_item *it = &items[i];
		const int cols[] = { I_AMOUNT, I_FEES, I_INTEREST, I_PRINCIPAL, I_OVERPAID, I_WFEE };
		int64_t *out[] = { &it->amount, &it->to_fees, &it->to_interest, &it->to_principal, &it->overpaid,
				   &it->withdrawal_fee };

		memset(it, 0, sizeof(*it));
		it->type = strcmp(spg_text(res, i, I_TYPE), "event") == 0 ? OVERVIEW_EVENT : OVERVIEW_TRANSACTION;
		it->date = spg_text(res, i, I_DATE);
		it->id = spg_text(res, i, I_ID);
		it->what = spg_text(res, i, I_WHAT);
		it->reason = null_or_text(res, i, I_REASON);
		it->statement_number = null_or_text(res, i, I_STATEMENT);
		for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			if (!PQgetisnull(res, i, cols[k]) && spg_i64(res, i, cols[k], out[k], e) != 0)
				return e->code;
	}
	return 0;
}

int case_overview(PGconn *conn, const struct case_overview_opts *o, struct err *e)
{
	static const char exists_sql[] = "SELECT 1 FROM creditors WHERE creditor_id = $1";
	char as_of[DATE_FMT_MAX];
	const char *params[3] = { o->creditor_id, o->reference, date_format(as_of, sizeof(as_of), o->as_of) };
	PGresult *cres = NULL, *hres = NULL;
	struct overview_case c;
	struct overview_item *items = NULL;
	bool in_tx = false;
	int rc;

	memset(&c, 0, sizeof(c));
	c.creditor_id = o->creditor_id;
	c.as_of = as_of;
	/* one snapshot: the case and its history agree */
	rc = db_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
	in_tx = rc == 0;
	if (rc == 0)
		rc = db_query(conn, &cres, exists_sql, 1, params, e);
	if (rc == 0 && PQntuples(cres) == 0)
		rc = ERR_SET(e, ERR_USAGE, "unknown creditor '%s'", o->creditor_id);
	PQclear(cres);
	cres = NULL;
	if (rc == 0)
		rc = db_query(conn, &cres, case_sql, 3, params, e);
	if (rc == 0 && PQntuples(cres) == 0) {
		char ref[OVERVIEW_VALUE_SIZE];

		rc = ERR_SET(e, ERR_USAGE, "creditor '%s' has no case '%s'", o->creditor_id,
			     shown(ref, o->reference, 64));
	}
	if (rc == 0)
		rc = read_case(cres, &c, e);
	if (rc == 0) {
		char id[24];
		const char *p[2] = { id, o->creditor_id };

		snprintf(id, sizeof(id), "%lld", (long long)c.case_id);
		rc = db_query(conn, &hres, history_sql, 2, p, e);
	}
	if (rc == 0 && (items = calloc((size_t)PQntuples(hres) + 1, sizeof(*items))) == NULL)
		rc = ERR_SET(e, ERR_NOMEM, "out of memory");
	if (rc == 0)
		rc = read_history(hres, items, e);
	if (rc == 0)
		rc = (o->json ? overview_write_json : overview_write_text)(o->out, &c, items, (size_t)PQntuples(hres), e);
	if (rc == 0 && fflush(o->out) != 0)
		rc = ERR_SET(e, ERR_IO, "cannot write to standard output");
	if (rc == 0) {
		rc = db_exec(conn, "COMMIT", e);
		in_tx = rc != 0;
	}
	if (in_tx)
		spg_rollback(conn);
	free(items);
	PQclear(hres);
	PQclear(cres);
	return rc;
}
