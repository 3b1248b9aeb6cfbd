/* settle.c: monthly settlement against PostgreSQL (SPEC 9). See settle.h
 * for the steps; the statement files are staged by settle_stage.c, the
 * case list (SPEC 9.3) is settle_cases.c.
 *
 * The settling pass streams, set-wise, with memory that does not grow with
 * the number of transactions:
 *  - the settling transaction exports its snapshot; a second connection
 *    (the reader) imports it and declares a cursor over every unsettled
 *    transaction of the locked creditors, ordered by creditor,
 *    creditor_reference, case, booking_date and load order;
 *  - while the reader's server process sorts, the settling transaction
 *    marks the same rows settled in one UPDATE (same snapshot, same WHERE;
 *    the count is checked against the lines);
 *  - the reader's rows are fetched SETTLE_CHUNK at a time, the next chunk
 *    while one is booked; only the case being booked is in memory; every
 *    line goes to statement_lines in one COPY and to the spooled files,
 *    the final balance of each case to a temporary file;
 *  - then the balances go to a temporary table (COPY) and into cases in one
 *    UPDATE, and each statement row is inserted.
 * Nothing is checked row by row by a trigger (see 0002_settlement.sql). */
#include "settle.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "booking.h"
#include "date.h"
#include "db.h"
#include "log.h"
#include "money.h"
#include "settle_buf.h"
#include "settle_pg.h"
#include "settle_stage.h"
#include "statement.h"

/* Advisory lock namespace of the settlement ('STLM'); the second key is
 * hashtext(creditor_id). A collision only serialises two creditors. */
#define SETTLE_LOCK_CLASS "1398033485"
/* Case balances kept in memory before they go to a temporary file. */
#define SETTLE_CASES_SPILL ((size_t)256 * 1024)
/* Memory of the sorts of the settling pass (SET LOCAL work_mem). */
#define SETTLE_WORK_MEM "64MB"

/* A statement this run issues: one currency of a creditor. */
struct issue {
	const struct creditor *c;
	char currency[4];
	char number[STATEMENT_NUMBER_MAX];
	struct booking_totals totals; /* totals.lines numbers the lines */
};

struct creditor {
	char id[24];
	char country[8];
	char interest_to[16];
	int64_t commission_bp;
	const struct country_conf *cc;
	struct booking_params params;
	int64_t nlines; /* lines booked for it in this attempt */
};

struct creditor_list {
	struct creditor *v;
	size_t n;
};

struct run {
	PGconn *conn;
	const struct settle_opts *o;
	char period[8];
	char first[DATE_FMT_MAX];
	char last[DATE_FMT_MAX];
	char as_of[DATE_FMT_MAX];
	int64_t issued;   /* statements issued by this run */
	int64_t settled;  /* transactions settled by this run */
	struct issue *issues; /* the statements of this attempt, in creditor order */
	size_t nissues;
	size_t issues_cap;
};

/* SETTLE_TIMING=1 logs the duration of each phase on stderr; phase(NULL)
 * starts the clock. */
static void phase(const char *name)
{
	static struct timespec last;
	static int enabled = -1;
	struct timespec now;

	if (enabled < 0)
		enabled = getenv("SETTLE_TIMING") != NULL;
	if (!enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (name != NULL)
		log_info("phase %s: %.3f s", name,
			 (double)(now.tv_sec - last.tv_sec) +
				 (double)(now.tv_nsec - last.tv_nsec) / 1e9);
	last = now;
}

/* ---- period ---- */

int settle_check_period(int32_t *first, int32_t *last, int year, int month,
			int32_t as_of, struct err *e)
{
	char l[DATE_FMT_MAX];
	char a[DATE_FMT_MAX];

	if (!date_valid(year, month, 1))
		return ERR_SET(e, ERR_USAGE, "invalid period");
	*first = date_from_ymd(year, month, 1);
	*last = date_from_ymd(year, month, date_days_in_month(year, month));
	if (*last >= as_of)
		return ERR_SET(e, ERR_USAGE,
			       "period '%04d-%02d' has not ended: its last day %s is not before "
			       "the as-of date %s",
			       year, month, date_format(l, sizeof(l), *last),
			       date_format(a, sizeof(a), as_of));
	return 0;
}

/* ---- creditors ---- */

static void creditor_list_release(struct creditor_list *cl)
{
	free(cl->v);
	cl->v = NULL;
	cl->n = 0;
}

/* Creditor rows: creditor_id, country, interest_to, commission in bp. */
#define CREDITOR_COLS \
	"c.creditor_id, c.country, c.interest_to, (c.commission_pct * 100)::bigint"

static int load_creditors(struct run *r, struct creditor_list *out, struct err *e)
{
	static const char one_sql[] =
		"SELECT " CREDITOR_COLS " FROM creditors c WHERE c.creditor_id = $1";
	static const char all_sql[] =
		"SELECT " CREDITOR_COLS " FROM creditors c"
		" WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.creditor_id = c.creditor_id"
		"               AND t.statement_number IS NULL AND t.booking_date <= $1::date)"
		"    OR EXISTS (SELECT 1 FROM statements s WHERE s.creditor_id = c.creditor_id"
		"               AND s.period = $2)"
		" ORDER BY c.creditor_id COLLATE \"C\"";
	const struct settle_opts *o = r->o;
	PGresult *res = NULL;
	const char *params[2];
	int rc;
	int n;

	if (o->creditor_id != NULL) {
		params[0] = o->creditor_id;
		rc = db_query(r->conn, &res, one_sql, 1, params, e);
	} else {
		params[0] = r->last;
		params[1] = r->period;
		rc = db_query(r->conn, &res, all_sql, 2, params, e);
	}
	if (rc != 0)
		goto out;
	n = PQntuples(res);
	if (o->creditor_id != NULL && n == 0) {
		rc = ERR_SET(e, ERR_USAGE, "unknown creditor '%s'", o->creditor_id);
		goto out;
	}
	out->v = calloc((size_t)n + 1, sizeof(*out->v));
	if (out->v == NULL) {
		rc = ERR_SET(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct creditor *c = &out->v[i];

		snprintf(c->id, sizeof(c->id), "%s", spg_text(res, i, 0));
		snprintf(c->country, sizeof(c->country), "%s", spg_text(res, i, 1));
		snprintf(c->interest_to, sizeof(c->interest_to), "%s", spg_text(res, i, 2));
		rc = spg_i64(res, i, 3, &c->commission_bp, e);
		if (rc != 0)
			goto out;
		c->cc = config_country(o->conf, c->country);
		if (c->cc == NULL) {
			rc = ERR_SET(e, ERR_CONFIG,
				     "creditor '%s': country '%s' is not configured in '%s'", c->id,
				     c->country, o->conf->path);
			goto out;
		}
		if (c->cc->interest_days_per_year != 360 && c->cc->interest_days_per_year != 365) {
			rc = ERR_SET(e, ERR_CONFIG, "country '%s': interest_days_per_year must be "
				     "360 or 365", c->country);
			goto out;
		}
		c->params.interest_rate_bp = c->cc->interest_rate_bp;
		c->params.interest_days_per_year = c->cc->interest_days_per_year;
		c->params.commission_bp = c->commission_bp;
		c->params.interest_to_creditor = strcmp(c->interest_to, "creditor") == 0;
		c->params.withdrawal_fee = c->cc->withdrawal_fee;
		c->params.vat_bp = c->cc->vat_bp;
		out->n++;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

/* Session advisory locks, in creditor_id order (no deadlock between runs). */
static int lock_creditors(struct run *r, const struct creditor_list *cl, struct err *e)
{
	static const char try_sql[] =
		"SELECT pg_try_advisory_lock(" SETTLE_LOCK_CLASS ", hashtext($1))";
	static const char lock_sql[] =
		"SELECT pg_advisory_lock(" SETTLE_LOCK_CLASS ", hashtext($1))";

	for (size_t i = 0; i < cl->n; i++) {
		const char *params[1] = { cl->v[i].id };
		PGresult *res = NULL;
		bool got;
		int rc;

		rc = db_query(r->conn, &res, try_sql, 1, params, e);
		if (rc != 0)
			return rc;
		got = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		PQclear(res);
		if (got)
			continue;
		log_info("creditor '%s' is being settled by another run; waiting", cl->v[i].id);
		rc = db_query(r->conn, NULL, lock_sql, 1, params, e);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void unlock_creditors(PGconn *conn)
{
	struct err ignored = ERR_INIT;

	(void)db_query(conn, NULL, "SELECT pg_advisory_unlock_all()", 0, NULL, &ignored);
}


/* ---- the settling pass ---- */

/* Columns of the settling cursor. */
enum {
	Q_CREDITOR, Q_TX, Q_CASE, Q_KIND, Q_DATE, Q_AMOUNT, Q_CURRENCY, Q_TXID, Q_REFERENCE,
	Q_DEBTOR, Q_PRINCIPAL, Q_FEES, Q_INTEREST, Q_ACCRUED, Q_STATUS, Q_CLOSED, Q_LAST,
	Q_WITHDRAWN
};

static int case_from_row(struct booking_case *bal, const PGresult *res, int i, struct err *e)
{
	int status;
	int rc;

	memset(bal, 0, sizeof(*bal));
	rc = spg_i64(res, i, Q_PRINCIPAL, &bal->principal, e);
	if (rc == 0)
		rc = spg_i64(res, i, Q_FEES, &bal->fees, e);
	if (rc == 0)
		rc = spg_i64(res, i, Q_INTEREST, &bal->interest, e);
	if (rc == 0)
		rc = spg_date(res, i, Q_ACCRUED, &bal->accrued_to, e);
	if (rc == 0)
		rc = spg_date(res, i, Q_CLOSED, &bal->closed_date, e);
	if (rc == 0)
		rc = spg_date(res, i, Q_LAST, &bal->last_transaction_date, e);
	if (rc != 0)
		return rc;
	status = booking_status_parse(spg_text(res, i, Q_STATUS));
	if (status < 0)
		return ERR_SET(e, ERR_DB, "unknown case status '%s'", spg_text(res, i, Q_STATUS));
	bal->status = (enum booking_status)status;
	bal->withdrawal_booked = strcmp(spg_text(res, i, Q_WITHDRAWN), "t") == 0;
	return 0;
}

/* A statement of the current creditor being booked, and its files. */
struct render {
	struct issue is;
	struct statement_info info; /* number, creditor, period, currency */
	struct spool csv;
	struct spool xml;
};

/* State of the settling pass between rows and chunks. */
struct stream {
	struct run *r;
	struct creditor_list *cl;
	struct stage *st;
	struct creditor *c;      /* creditor of the current rows; NULL before the first */
	size_t next;             /* where to look for the next creditor in cl */
	struct render cur[SETTLE_MAX_CURRENCIES]; /* the creditor's statements */
	int ncur;
	bool in_case;            /* a case is being booked */
	int64_t case_id;
	struct booking_case bal; /* its balances so far */
	struct sbuf row;         /* one COPY row of statement_lines */
	struct sbuf cases;       /* COPY rows of settle_cases, SETTLE_CASES_SPILL at most */
	FILE *cases_file;        /* and the ones before, sent once the lines are */
	int64_t ncases;          /* cases whose balances this attempt changes */
	int64_t nlines;          /* lines this attempt computed */
};

static int run_add_issue(struct run *r, const struct issue *is, struct err *e)
{
	if (r->nissues == r->issues_cap) {
		size_t cap = r->issues_cap ? r->issues_cap * 2 : 16;
		struct issue *p = realloc(r->issues, cap * sizeof(*p));

		if (p == NULL)
			return ERR_SET(e, ERR_NOMEM, "out of memory");
		r->issues = p;
		r->issues_cap = cap;
	}
	r->issues[r->nissues++] = *is;
	return 0;
}

/* The statement of this currency, started (files opened) on its first line. */
static struct render *stream_render(struct stream *s, const char *currency, struct err *e)
{
	struct creditor *c = s->c;
	struct render *rd;

	for (int i = 0; i < s->ncur; i++)
		if (strcmp(s->cur[i].is.currency, currency) == 0)
			return &s->cur[i];
	if (s->ncur >= SETTLE_MAX_CURRENCIES) {
		ERR_SET(e, ERR_LIMIT, "more than %d currencies for one creditor",
			SETTLE_MAX_CURRENCIES);
		return NULL;
	}
	if (strlen(currency) != 3) {
		ERR_SET(e, ERR_DB, "bad currency '%s' in the database", currency);
		return NULL;
	}
	rd = &s->cur[s->ncur];
	memset(rd, 0, sizeof(*rd));
	s->ncur++;
	rd->is.c = c;
	memcpy(rd->is.currency, currency, 4);
	booking_totals_init(&rd->is.totals);
	if (statement_number(rd->is.number, sizeof(rd->is.number), s->r->period, c->id, currency,
			     e) != 0)
		return NULL;
	memcpy(rd->info.number, rd->is.number, sizeof(rd->info.number));
	snprintf(rd->info.creditor_id, sizeof(rd->info.creditor_id), "%s", c->id);
	memcpy(rd->info.period, s->r->period, sizeof(rd->info.period));
	memcpy(rd->info.currency, currency, 4);
	if (stage_dir(s->st, e) != 0 || spool_open(&rd->csv, s->st, &rd->info, "csv", e) != 0 ||
	    spool_open(&rd->xml, s->st, &rd->info, "xml", e) != 0)
		return NULL;
	return rd;
}

static int stream_spill_cases(struct stream *s, struct err *e);

/* The case being booked is complete: queue its balances. */
static int stream_end_case(struct stream *s, struct err *e)
{
	const struct booking_case *b = &s->bal;
	const char *status = booking_status_name(b->status);

	if (!s->in_case)
		return 0;
	sbuf_i64(&s->cases, s->case_id);
	sbuf_putc(&s->cases, '\t');
	sbuf_put(&s->cases, s->c->id, strlen(s->c->id)); /* [A-Z0-9] by constraint */
	sbuf_copy_i64(&s->cases, b->principal);
	sbuf_copy_i64(&s->cases, b->fees);
	sbuf_copy_i64(&s->cases, b->interest);
	sbuf_copy_days(&s->cases, b->accrued_to);
	sbuf_putc(&s->cases, '\t');
	sbuf_put(&s->cases, status, strlen(status));
	sbuf_copy_days(&s->cases, b->closed_date);
	sbuf_copy_days(&s->cases, b->last_transaction_date);
	sbuf_putc(&s->cases, '\n');
	s->in_case = false;
	s->ncases++;
	if (sbuf_check(&s->cases, e) != 0)
		return e->code;
	return s->cases.len >= SETTLE_CASES_SPILL ? stream_spill_cases(s, e) : 0;
}

/* Close the files of the current creditor's statements; with ok, they
 * are complete and the statements join r->issues. */
static int stream_close_renders(struct stream *s, bool ok, struct err *e)
{
	int rc = 0;

	for (int i = 0; i < s->ncur; i++) {
		struct render *rd = &s->cur[i];

		if (spool_close(&rd->csv, s->st, ok && rc == 0, rd->is.totals.lines, e) != 0 &&
		    rc == 0)
			rc = e->code;
		if (spool_close(&rd->xml, s->st, ok && rc == 0, rd->is.totals.lines, e) != 0 &&
		    rc == 0)
			rc = e->code;
		if (ok && rc == 0)
			rc = run_add_issue(s->r, &rd->is, e);
	}
	s->ncur = 0;
	return rc;
}

/* The creditor's rows are all booked. */
static int stream_end_creditor(struct stream *s, struct err *e)
{
	int rc = stream_end_case(s, e);

	if (rc == 0)
		rc = stream_close_renders(s, true, e);
	return rc;
}

/* Book one transaction row, send its statement line and render it. */
static int stream_row(struct stream *s, const PGresult *res, int i, struct db_copy *cp,
		      struct err *e)
{
	const char *creditor_id = spg_text(res, i, Q_CREDITOR);
	struct creditor *c = s->c;
	struct statement_out csv_out, xml_out;
	struct spool_out csv_spool, xml_spool;
	struct statement_row out;
	struct booking_line l;
	struct booking_tx tx;
	struct render *rd;
	struct sbuf *row = &s->row;
	int64_t tx_id = 0;
	int64_t case_id = 0;
	int kind;
	int rc;

	if (c == NULL || strcmp(c->id, creditor_id) != 0) {
		if (c != NULL) {
			rc = stream_end_creditor(s, e);
			if (rc != 0)
				return rc;
		}
		/* rows come in creditor_id order, like the list */
		while (s->next < s->cl->n && strcmp(s->cl->v[s->next].id, creditor_id) != 0)
			s->next++;
		if (s->next == s->cl->n)
			return ERR_SET(e, ERR_DB, "unexpected creditor '%s' from the database",
				       creditor_id);
		c = s->c = &s->cl->v[s->next++];
	}
	rc = spg_i64(res, i, Q_CASE, &case_id, e);
	if (rc == 0)
		rc = spg_i64(res, i, Q_TX, &tx_id, e);
	if (rc != 0)
		return rc;
	if (!s->in_case || s->case_id != case_id) {
		rc = stream_end_case(s, e);
		if (rc == 0)
			rc = case_from_row(&s->bal, res, i, e);
		if (rc != 0)
			return rc;
		s->case_id = case_id;
		s->in_case = true;
	}
	kind = booking_kind_parse(spg_text(res, i, Q_KIND));
	if (kind < 0)
		return ERR_SET(e, ERR_DB, "unknown transaction kind '%s'", spg_text(res, i, Q_KIND));
	tx.kind = (enum booking_kind)kind;
	rc = spg_date(res, i, Q_DATE, &tx.booking_date, e);
	if (rc == 0)
		rc = spg_i64(res, i, Q_AMOUNT, &tx.amount, e);
	if (rc != 0)
		return rc;
	if (c->nlines >= SETTLE_MAX_LINES) {
		ERR_SET(e, ERR_LIMIT, "more than %d transactions for one creditor",
			SETTLE_MAX_LINES);
		goto booking_failed;
	}
	rd = stream_render(s, spg_text(res, i, Q_CURRENCY), e);
	if (rd == NULL)
		goto booking_failed;
	rc = booking_apply(&l, &s->bal, &c->params, &tx, e);
	if (rc != 0) {
		err_prefix(e, "case %" PRId64 ", transaction %" PRId64, case_id, tx_id);
		goto booking_failed;
	}
	if (booking_totals_add(&rd->is.totals, &l, e) != 0)
		goto booking_failed;
	c->nlines++;
	s->nlines++;

	/* the line, as stored */
	sbuf_reset(row);
	sbuf_put(row, c->id, strlen(c->id));
	sbuf_putc(row, '\t');
	sbuf_put(row, rd->is.number, strlen(rd->is.number));
	sbuf_copy_i64(row, rd->is.totals.lines); /* line_no: 1, 2, ... in file order */
	sbuf_copy_i64(row, tx_id);
	sbuf_copy_i64(row, case_id);
	sbuf_putc(row, '\t');
	sbuf_copy_text(row, spg_text(res, i, Q_REFERENCE));
	sbuf_putc(row, '\t');
	sbuf_copy_text(row, spg_text(res, i, Q_DEBTOR));
	sbuf_putc(row, '\t');
	sbuf_copy_text(row, spg_text(res, i, Q_TXID));
	sbuf_putc(row, '\t');
	sbuf_put(row, booking_kind_name(l.kind), strlen(booking_kind_name(l.kind)));
	sbuf_copy_date(row, l.booking_date);
	sbuf_copy_i64(row, l.amount);
	sbuf_copy_i64(row, l.to_fees);
	sbuf_copy_i64(row, l.to_interest);
	sbuf_copy_i64(row, l.to_principal);
	sbuf_copy_i64(row, l.overpaid);
	sbuf_copy_i64(row, l.creditor_share);
	sbuf_copy_i64(row, l.commission);
	sbuf_copy_i64(row, l.payout_effect);
	sbuf_copy_i64(row, l.interest_accrued);
	sbuf_copy_i64(row, l.written_off);
	sbuf_copy_i64(row, l.withdrawal_fee);
	sbuf_copy_i64(row, s->bal.principal);
	sbuf_copy_i64(row, s->bal.fees);
	sbuf_copy_i64(row, s->bal.interest);
	sbuf_putc(row, '\n');
	rc = sbuf_check(row, e);
	if (rc == 0)
		rc = db_copy_write(cp, row->data, row->len, e);
	if (rc != 0)
		return rc;
	cp->rows++;

	/* the line, as the files show it */
	out.case_id = case_id;
	out.creditor_reference = spg_text(res, i, Q_REFERENCE);
	out.debtor_name = spg_text(res, i, Q_DEBTOR);
	out.transaction_id = spg_text(res, i, Q_TXID);
	out.line = l;
	csv_spool.sp = &rd->csv;
	csv_spool.st = s->st;
	csv_out.write = spool_write;
	csv_out.ctx = &csv_spool;
	xml_spool.sp = &rd->xml;
	xml_spool.st = s->st;
	xml_out.write = spool_write;
	xml_out.ctx = &xml_spool;
	rc = statement_csv_row(&csv_out, &rd->info, &out, e);
	if (rc == 0)
		rc = statement_xml_line(&xml_out, &rd->info, &out, e);
	return rc;
booking_failed:
	return err_prefix(e, "creditor '%s'", c->id);
}

/* Move the queued case balances to the temporary file. */
static int stream_spill_cases(struct stream *s, struct err *e)
{
	if (s->cases.len == 0)
		return 0;
	if (s->cases_file == NULL) {
		s->cases_file = tmpfile();
		if (s->cases_file == NULL)
			return ERR_SET(e, ERR_IO, "cannot create a temporary file: %s",
				       strerror(errno));
	}
	if (fwrite(s->cases.data, 1, s->cases.len, s->cases_file) != s->cases.len)
		return ERR_SET(e, ERR_IO, "cannot write a temporary file: %s", strerror(errno));
	sbuf_reset(&s->cases);
	return 0;
}

/* Send the balances of every case booked to settle_cases. */
static int stream_flush_cases(struct stream *s, struct err *e)
{
	static const char sql[] =
		"COPY settle_cases (case_id, creditor_id, principal, fees, interest, accrued_to,"
		" status, closed_date, last_tx) FROM STDIN";
	struct db_copy cp;
	int rc;

	if (s->ncases == 0)
		return 0;
	rc = db_copy_begin(&cp, s->r->conn, sql, e);
	if (rc != 0)
		return rc;
	cp.rows = (unsigned long long)s->ncases;
	if (s->cases_file != NULL) {
		if (fflush(s->cases_file) != 0 || fseek(s->cases_file, 0, SEEK_SET) != 0)
			rc = ERR_SET(e, ERR_IO, "cannot read a temporary file: %s", strerror(errno));
		while (rc == 0) {
			char buf[65536];
			size_t n = fread(buf, 1, sizeof(buf), s->cases_file);

			if (n == 0) {
				if (ferror(s->cases_file))
					rc = ERR_SET(e, ERR_IO, "cannot read a temporary file");
				break;
			}
			rc = db_copy_write(&cp, buf, n, e);
		}
	}
	if (rc == 0)
		rc = db_copy_write(&cp, s->cases.data, s->cases.len, e);
	if (rc == 0)
		rc = db_copy_end(&cp, e);
	else
		db_copy_abort(&cp, "settlement failed");
	db_copy_release(&cp);
	return rc;
}

/* ---- the reader ----
 *
 * The transactions are read on a second connection, in a read-only
 * transaction that imports the snapshot of the settling transaction before
 * that one changes anything: it sees exactly what the settling transaction
 * saw at its start. Its server process sorts while the settling one marks
 * the transactions settled, and fetches the next chunk while this process
 * books the current one. */

/* The same rows in the reader (ORDER BY, columns Q_*) and in the marking
 * UPDATE (WHERE): $1 the creditors, $2 the period end, $3 the period. */
#define UNSETTLED_WHERE \
	" t.creditor_id = ANY ($1::text[]) AND t.statement_number IS NULL" \
	" AND t.booking_date <= $2::date" \
	" AND NOT EXISTS (SELECT 1 FROM statements s WHERE s.creditor_id = t.creditor_id" \
	"                 AND s.period = $3 AND s.currency = t.currency)"

static int reader_send_fetch(PGconn *conn, struct err *e)
{
	return spg_send(conn, "FETCH " SETTLE_CHUNK_TEXT " FROM settle_tx", e);
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

/* Connect the reader, import the snapshot, open the cursor and ask for
 * the first chunk (which sorts). */
static int reader_open(struct run *r, PGconn **out, const char *snapshot,
		       const char *creditors, struct err *e)
{
	static const char declare_sql[] =
		"DECLARE settle_tx NO SCROLL CURSOR FOR"
		" SELECT t.creditor_id, t.tx_id, t.case_id, t.kind, " EPOCH_DAYS("t.booking_date") ","
		"  t.amount, t.currency, t.transaction_id, c.creditor_reference, c.debtor_name,"
		"  c.principal, c.fees, c.interest, " EPOCH_DAYS("c.accrued_to") ", c.status,"
		"  " EPOCH_DAYS("c.closed_date") ", " EPOCH_DAYS("c.last_transaction_date") ","
		/* a withdrawal settled earlier (only a withdrawn case can have one) */
		"  c.status = 'withdrawn' AND EXISTS (SELECT 1 FROM transactions w"
		"   WHERE w.case_id = c.case_id AND w.kind = 'withdrawal'"
		"     AND w.statement_number IS NOT NULL)"
		" FROM transactions t JOIN cases c ON c.case_id = t.case_id"
		" WHERE" UNSETTLED_WHERE
		" ORDER BY t.creditor_id COLLATE \"C\", c.creditor_reference COLLATE \"C\","
		"          t.case_id, t.booking_date, t.tx_id";
	const char *params[3] = { creditors, r->last, r->period };
	PGconn *conn = NULL;
	char *literal = NULL;
	char sql[256];
	int rc;

	*out = NULL;
	rc = reader_connect(r->conn, &conn, e);
	if (rc != 0)
		return rc;
	rc = db_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
	if (rc == 0) {
		/* SET takes no parameter: the id (from the server) goes in quoted */
		literal = PQescapeLiteral(conn, snapshot, strlen(snapshot));
		if (literal == NULL || snprintf(sql, sizeof(sql), "SET TRANSACTION SNAPSHOT %s",
						literal) >= (int)sizeof(sql))
			rc = ERR_SET(e, ERR_DB, "bad snapshot id from the database");
		PQfreemem(literal);
	}
	if (rc == 0)
		rc = db_exec(conn, sql, e);
	if (rc == 0)
		rc = db_exec(conn, "SET LOCAL jit = off", e);
	if (rc == 0)
		rc = db_query(conn, NULL, declare_sql, 3, params, e);
	if (rc == 0)
		rc = reader_send_fetch(conn, e);
	if (rc != 0) {
		db_close(conn);
		return rc;
	}
	*out = conn;
	return 0;
}

/* Book every row of the reader, in one COPY of the lines to
 * statement_lines, then send the balances of the cases booked. The next
 * chunk is being fetched while one is booked. */
static int stream_all(struct stream *s, PGconn *reader, struct err *e)
{
	static const char lines_sql[] =
		"COPY statement_lines (creditor_id, statement_number, line_no, tx_id, case_id,"
		" creditor_reference, debtor_name, transaction_id, kind, booking_date, amount,"
		" to_fees, to_interest, to_principal, overpaid, creditor_share, commission,"
		" payout_effect, interest_accrued, written_off, withdrawal_fee, principal_after,"
		" fees_after, interest_after) FROM STDIN";
	struct db_copy cp;
	int rc;

	rc = db_copy_begin(&cp, s->r->conn, lines_sql, e);
	if (rc != 0)
		return rc;
	for (;;) {
		PGresult *res = NULL;
		int n;

		rc = spg_result(reader, &res, "reading the transactions", e);
		if (rc != 0)
			break;
		n = PQntuples(res);
		if (n > 0 && PQnfields(res) != Q_WITHDRAWN + 1)
			rc = ERR_SET(e, ERR_DB, "unexpected columns from the database");
		if (rc == 0 && n > 0)
			rc = reader_send_fetch(reader, e);
		for (int i = 0; i < n && rc == 0; i++)
			rc = stream_row(s, res, i, &cp, e);
		PQclear(res);
		if (rc != 0 || n == 0)
			break;
		log_progress("transactions booked", (uint64_t)s->nlines, 0);
	}
	if (rc == 0 && s->c != NULL)
		rc = stream_end_creditor(s, e);
	if (rc == 0)
		rc = db_copy_end(&cp, e);
	else
		db_copy_abort(&cp, "settlement failed");
	db_copy_release(&cp);
	if (rc == 0)
		rc = stream_flush_cases(s, e);
	if (rc != 0)
		(void)stream_close_renders(s, false, e);
	return rc;
}


/* The new balances of every case booked, in one statement. */
static int update_cases(struct run *r, int64_t ncases, struct err *e)
{
	static const char sql[] =
		"UPDATE cases c SET principal = v.principal, fees = v.fees, interest = v.interest,"
		"       accrued_to = DATE '1970-01-01' + v.accrued_to, status = v.status,"
		"       closed_date = DATE '1970-01-01' + v.closed_date,"
		"       last_transaction_date = DATE '1970-01-01' + v.last_tx"
		"  FROM (SELECT * FROM settle_cases ORDER BY case_id) v" /* front to back */
		" WHERE c.case_id = v.case_id AND c.creditor_id = v.creditor_id";
	PGresult *res = NULL;
	int rc;

	rc = db_query(r->conn, &res, sql, 0, NULL, e);
	if (rc == 0)
		rc = spg_check_count(res, ncases, "updating case balances", e);
	PQclear(res);
	return rc;
}

static char *pct_text(char *buf, size_t size, int64_t bp)
{
	return money_format(buf, size, bp); /* 810 -> "8.10" */
}

/* The portfolio (SPEC 9.2) of every creditor and currency of these
 * creditors as of the new balances, into settle_portfolio: one pass over
 * their cases rather than one per statement. */
static int compute_portfolios(struct run *r, const char *creditors, struct err *e)
{
	static const char sql[] =
		"INSERT INTO settle_portfolio"
		" SELECT creditor_id, currency,"
		"  count(*) FILTER (WHERE registered BETWEEN $2::date AND $3::date),"
		"  coalesce(sum(original_amount - paid_amount)"
		"           FILTER (WHERE registered BETWEEN $2::date AND $3::date), 0),"
		"  count(*) FILTER (WHERE registered <= $3::date"
		"                   AND (status = 'open' OR closed_date > $3::date)),"
		"  coalesce(sum(principal) FILTER (WHERE registered <= $3::date"
		"                   AND (status = 'open' OR closed_date > $3::date)), 0),"
		"  count(*) FILTER (WHERE status = 'withdrawn'"
		"                   AND closed_date BETWEEN $2::date AND $3::date),"
		"  count(*) FILTER (WHERE status = 'closed'"
		"                   AND closed_date BETWEEN $2::date AND $3::date)"
		" FROM cases WHERE creditor_id = ANY ($1::text[])"
		" GROUP BY creditor_id, currency";
	const char *params[3] = { creditors, r->first, r->last };

	return db_query(r->conn, NULL, sql, 3, params, e);
}

/* The statement row, with its portfolio from settle_portfolio (none when
 * the creditor has no case in that currency). */
static int insert_statement(struct run *r, const struct creditor *c, const struct issue *is,
			    struct err *e)
{
	static const char sql[] =
		"INSERT INTO statements (creditor_id, statement_number, period, currency,"
		"  period_start, period_end, issued, commission_pct, interest_to,"
		"  interest_rate_pct, interest_days_per_year, vat_pct, withdrawal_fee,"
		"  registered_cases, registered_principal, open_cases, open_principal,"
		"  withdrawn_cases, paid_cases, lines, payments, direct_payments, credit_notes,"
		"  withdrawal_fees, creditor_share, commission, payout_effect, vat, net_payout)"
		" SELECT $1, $2, $3, $4, $5::date, $6::date, $7::date, $8::numeric, $9,"
		"  $10::numeric, $11::int, $12::numeric, $13::bigint,"
		"  coalesce(p.registered_cases, 0), coalesce(p.registered_principal, 0),"
		"  coalesce(p.open_cases, 0), coalesce(p.open_principal, 0),"
		"  coalesce(p.withdrawn_cases, 0), coalesce(p.paid_cases, 0),"
		"  $14::bigint, $15::bigint, $16::bigint, $17::bigint, $18::bigint, $19::bigint,"
		"  $20::bigint, $21::bigint, $22::bigint, $23::bigint"
		" FROM (VALUES (1)) AS one (x)"
		" LEFT JOIN settle_portfolio p ON p.creditor_id = $1 AND p.currency = $4";
	const struct booking_totals *t = &is->totals;
	char nums[16][32];
	const char *params[23];
	PGresult *res = NULL;
	const int64_t v[] = { t->lines, t->payments, t->direct_payments, t->credit_notes,
			      t->withdrawal_fees, t->creditor_share, t->commission,
			      t->payout_effect, t->vat, t->net_payout };
	int rc;

	params[0] = c->id;
	params[1] = is->number;
	params[2] = r->period;
	params[3] = is->currency;
	params[4] = r->first;
	params[5] = r->last;
	params[6] = r->as_of;
	params[7] = pct_text(nums[0], sizeof(nums[0]), c->commission_bp);
	params[8] = c->interest_to;
	params[9] = pct_text(nums[1], sizeof(nums[1]), c->params.interest_rate_bp);
	snprintf(nums[2], sizeof(nums[2]), "%d", c->params.interest_days_per_year);
	params[10] = nums[2];
	params[11] = pct_text(nums[3], sizeof(nums[3]), c->params.vat_bp);
	snprintf(nums[4], sizeof(nums[4]), "%" PRId64, c->params.withdrawal_fee);
	params[12] = nums[4];
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(nums[5 + i], sizeof(nums[5 + i]), "%" PRId64, v[i]);
		params[13 + i] = nums[5 + i];
	}
	rc = db_query(r->conn, &res, sql, 23, params, e);
	if (rc == 0)
		rc = spg_check_count(res, 1, "inserting the statement", e);
	PQclear(res);
	return rc;
}

/* Mark the transactions that the reader returns settled, in one pass over
 * the table, with the number of the statement of their creditor and
 * currency; *marked = their count, which must equal the lines stored. Runs
 * before the statements exist, in the settling transaction's snapshot:
 * the same rows as the reader's. */
static int mark_settled(struct run *r, const char *creditors, int64_t *marked, struct err *e)
{
	static const char sql[] =
		"UPDATE transactions t"
		"   SET statement_number = $3 || '-' || t.creditor_id || '-' || t.currency"
		" WHERE" UNSETTLED_WHERE;
	const char *params[3] = { creditors, r->last, r->period };
	PGresult *res = NULL;
	int rc;

	rc = db_query(r->conn, &res, sql, 3, params, e);
	if (rc == 0 && spg_parse_i64(marked, PQcmdTuples(res), e) != 0)
		rc = ERR_SET(e, ERR_DB, "marking transactions settled: no row count");
	PQclear(res);
	return rc;
}

/* Settle every creditor of the list inside the caller's transaction. */
static int settle_all(struct run *r, struct creditor_list *cl, struct stage *st,
		      struct err *e)
{
	static const char setup_sql[] =
		/* the queries of this pass run once each over many rows: compiling
		 * them costs more than it saves */
		"SET LOCAL jit = off;"
		"SET LOCAL work_mem = '" SETTLE_WORK_MEM "';"
		"CREATE TEMPORARY TABLE settle_cases (case_id bigint, creditor_id text,"
		" principal bigint, fees bigint, interest bigint, accrued_to integer, status text,"
		" closed_date integer, last_tx integer) ON COMMIT DROP;"
		"CREATE TEMPORARY TABLE settle_portfolio (creditor_id text, currency text,"
		" registered_cases bigint, registered_principal bigint, open_cases bigint,"
		" open_principal bigint, withdrawn_cases bigint, paid_cases bigint) ON COMMIT DROP";
	struct stream *s = NULL;
	struct sbuf creditors = { NULL, 0, 0, false };
	PGresult *res = NULL;
	PGconn *reader = NULL;
	int64_t marked = 0;
	int rc;

	r->nissues = 0;
	for (size_t i = 0; i < cl->n; i++)
		cl->v[i].nlines = 0;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	s->r = r;
	s->cl = cl;
	s->st = st;
	sbuf_arr_begin(&creditors);
	for (size_t i = 0; i < cl->n; i++)
		sbuf_arr_token(&creditors, cl->v[i].id);
	sbuf_arr_end(&creditors);
	rc = sbuf_check(&creditors, e);
	/* the snapshot of this transaction, before it changes anything */
	if (rc == 0)
		rc = db_query(r->conn, &res, "SELECT pg_export_snapshot()", 0, NULL, e);
	if (rc == 0 && PQntuples(res) != 1)
		rc = ERR_SET(e, ERR_DB, "no snapshot from the database");
	if (rc == 0)
		rc = reader_open(r, &reader, PQgetvalue(res, 0, 0), creditors.data, e);
	PQclear(res);
	if (rc == 0)
		rc = db_exec(r->conn, setup_sql, e);
	phase("snapshot and reader");
	if (rc == 0)
		rc = mark_settled(r, creditors.data, &marked, e);
	phase("mark transactions settled (reader sorting)");
	if (rc == 0)
		rc = stream_all(s, reader, e);
	log_progress_done();
	phase("book, COPY and render lines");
	if (rc == 0)
		rc = db_exec(reader, "COMMIT", e);
	db_close(reader);
	if (rc == 0 && marked != s->nlines)
		rc = ERR_SET(e, ERR_DB, "%" PRId64 " transactions marked settled, %" PRId64
			     " lines computed", marked, s->nlines);
	if (rc != 0 || s->nlines == 0)
		goto out;
	rc = update_cases(r, s->ncases, e);
	phase("update cases");
	/* the portfolios of the creditors that have a new statement */
	sbuf_arr_begin(&creditors);
	for (size_t i = 0; i < r->nissues; i++)
		if (i == 0 || r->issues[i].c != r->issues[i - 1].c)
			sbuf_arr_token(&creditors, r->issues[i].c->id);
	sbuf_arr_end(&creditors);
	if (rc == 0)
		rc = sbuf_check(&creditors, e);
	if (rc == 0)
		rc = compute_portfolios(r, creditors.data, e);
	for (size_t i = 0; i < r->nissues && rc == 0; i++) {
		struct issue *is = &r->issues[i];

		rc = booking_totals_finish(&is->totals, is->c->params.vat_bp, e);
		if (rc == 0)
			rc = insert_statement(r, is->c, is, e);
		if (rc == 0) {
			r->issued++;
			r->settled += is->totals.lines;
		} else {
			err_prefix(e, "creditor '%s'", is->c->id);
		}
	}
	phase("insert statements");
out:
	sbuf_release(&s->row);
	sbuf_release(&s->cases);
	if (s->cases_file != NULL)
		fclose(s->cases_file);
	free(s);
	sbuf_release(&creditors);
	return rc;
}


/* One attempt: settle, stage the files, commit once. */
static int settle_attempt(struct run *r, struct creditor_list *cl, struct stage *st,
			  struct err *e)
{
	int rc;

	r->issued = 0;
	r->settled = 0;
	phase(NULL);
	rc = db_exec(r->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ", e);
	if (rc != 0)
		return rc;
	rc = settle_all(r, cl, st, e);
	for (size_t i = 0; i < cl->n && rc == 0; i++)
		rc = stage_creditor(st, r->conn, r->period, cl->v[i].id, e);
	if (rc == 0)
		rc = stage_check_spools(st, r->period, e);
	phase("render and sync the files");
	if (rc == 0)
		rc = db_exec(r->conn, "COMMIT", e);
	phase("commit");
	if (rc != 0) {
		spg_rollback(r->conn);
		stage_discard(st);
		stage_unmake_dir(st);
	}
	return rc;
}

int settle_run(PGconn *conn, const struct settle_opts *o, struct err *e)
{
	struct creditor_list cl = { NULL, 0 };
	struct stage st;
	struct run r;
	int32_t first = 0, last = 0;
	bool locked = false;
	int rc;
	int n;

	memset(&r, 0, sizeof(r));
	memset(&st, 0, sizeof(st));
	r.conn = conn;
	r.o = o;
	rc = settle_check_period(&first, &last, o->year, o->month, o->as_of, e);
	if (rc != 0)
		return rc;
	snprintf(r.period, sizeof(r.period), "%04d-%02d", o->year, o->month);
	date_format(r.first, sizeof(r.first), first);
	date_format(r.last, sizeof(r.last), last);
	date_format(r.as_of, sizeof(r.as_of), o->as_of);
	n = snprintf(st.dir, sizeof(st.dir), "%s/%s", o->out_dir, r.period);
	if (n < 0 || (size_t)n >= sizeof(st.dir))
		return ERR_SET(e, ERR_USAGE, "output directory name too long");

	rc = load_creditors(&r, &cl, e);
	if (rc != 0)
		goto out;
	if (cl.n == 0) {
		log_info("period %s: nothing to settle", r.period);
		goto out;
	}
	rc = lock_creditors(&r, &cl, e);
	locked = true;
	if (rc != 0)
		goto out;
	for (int attempt = 1;; attempt++) {
		err_clear(e);
		rc = settle_attempt(&r, &cl, &st, e);
		if (rc == 0 || !spg_retryable(e) || attempt >= SETTLE_MAX_ATTEMPTS)
			break;
		log_info("period %s: concurrent update, retrying (%s)", r.period, e->message);
	}
	if (rc != 0)
		goto out;
	log_info("period %s: %" PRId64 " statements issued, %" PRId64 " transactions settled",
		 r.period, r.issued, r.settled);
	rc = stage_publish(&st, e);
	for (size_t i = 0; i < st.ninfos && rc == 0; i++) {
		char line[256];

		fprintf(o->out, "%s\n", statement_summary(line, sizeof(line), &st.infos[i]));
		if (fflush(o->out) != 0 || ferror(o->out))
			rc = ERR_SET(e, ERR_IO, "cannot write to standard output");
	}
out:
	if (locked)
		unlock_creditors(conn);
	stage_release(&st);
	free(r.issues);
	creditor_list_release(&cl);
	return rc;
}

