/* settle_pass.c: the settling pass (settle_pass.h).
 *
 * The settling pass streams, set-wise, with memory that does not grow with
 * the number of transactions:
 *  - the settling transaction exports its snapshot; a second connection
 *    (the reader, settle_reader.c) imports it and declares a cursor over
 *    every unsettled transaction of the creditors whose period is not
 *    closed, ordered by creditor, creditor_reference, case, booking_date
 *    and load order;
 *  - while the reader's server process sorts, the settling transaction
 *    marks the same rows settled in one UPDATE (same snapshot, same WHERE;
 *    the count is checked against the lines);
 *  - the reader's rows are fetched SETTLE_CHUNK at a time, the next chunk
 *    while one is booked; only the case being booked is in memory; every
 *    line goes to statement_lines in one COPY and to the spooled files,
 *    the final balance of each case to a temporary file;
 *  - then the balances go to a temporary table (COPY), for settle_store.c
 *    to move into cases in one UPDATE.
 * Nothing is checked row by row by a trigger (see 0002_settlement.sql). */
#include "settle_pass.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "copy_text.h"
#include "db.h"
#include "log.h"
#include "pdf_rows.h"
#include "phase.h"
#include "settle_pdf.h"
#include "settle_pg.h"
#include "settle_reader.h"
#include "statement.h"

/* Case balances kept in memory before they go to a temporary file. */
#define SETTLE_CASES_SPILL ((size_t)256 * 1024)

/* The terms of a creditor that has a transaction to book: its country's
 * (ERR_CONFIG when that is not configured) and its own. */
static int creditor_terms(struct creditor *c, const struct config *conf, struct err *e)
{
	if (c->cc != NULL)
		return 0;
	c->cc = config_country(conf, c->country);
	if (c->cc == NULL)
		return ERR_SET(e, ERR_CONFIG, "creditor '%s': country '%s' is not configured in '%s'",
			       c->id, c->country, conf->path);
	if (c->cc->interest_days_per_year != 360 && c->cc->interest_days_per_year != 365) {
		c->cc = NULL;
		return ERR_SET(e, ERR_CONFIG, "country '%s': interest_days_per_year must be "
			       "360 or 365", c->country);
	}
	c->params.interest_rate_bp = c->cc->interest_rate_bp;
	c->params.interest_days_per_year = c->cc->interest_days_per_year;
	c->params.commission_bp = c->commission_bp;
	c->params.interest_to_creditor = strcmp(c->interest_to, "creditor") == 0;
	c->params.withdrawal_fee = c->cc->withdrawal_fee;
	for (int k = 0; k < STAGE__COUNT; k++) {
		c->params.stage_fee[k].set = c->cc->stage_withdrawal_fee[k] >= 0;
		c->params.stage_fee[k].fee = c->cc->stage_withdrawal_fee[k];
	}
	c->params.vat_bp = c->cc->vat_bp;
	return 0;
}

static int status_from_row(enum booking_status *out, const PGresult *res, int i, int col,
			   struct err *e)
{
	int status = booking_status_parse(spg_text(res, i, col));

	if (status < 0)
		return ERR_SET(e, ERR_DB, "unknown case status '%s'", spg_text(res, i, col));
	*out = (enum booking_status)status;
	return 0;
}

/* A statement of the current creditor being booked, and its files. */
struct render {
	struct issue is;
	struct statement_info info; /* number, creditor, period, currency */
	struct spool csv;
	struct spool xml;
	struct spool rows;          /* the lines for the PDF (pdf_rows.h) */
	struct spool_out csv_spool; /* the spools as statement_out writers */
	struct spool_out xml_spool;
	struct spool_out rows_spool;
	struct buf rec;             /* one record of rows */
	struct statement_out csv_out;
	struct statement_out xml_out;
	struct statement_xml lines; /* <line> elements into xml_out */
};

/* A payment of the case being booked, booked in this run: a reversal
 * after it in the run takes its line (SPEC 9.1 v2). */
struct booked_payment {
	int64_t tx_id;
	struct booking_line line;
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
	struct booking_case bal; /* its balances so far, as booked */
	enum booking_status listed; /* the status the case list showed before */
	int32_t listed_closed;   /* and its closed_date */
	bool withdrawal_booked;  /* a withdrawal of it was booked now */
	bool late;               /* registered after the period, counted by no statement */
	bool uncounted;          /* late, and its first line is still to come */
	int64_t registered;      /* its principal at registration */
	struct buf paid;         /* its payments booked in this run (struct booked_payment) */
	struct buf row;          /* one COPY row of statement_lines */
	struct buf cases;        /* COPY rows of settle_cases, SETTLE_CASES_SPILL at most */
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
	rd->csv_spool.sp = &rd->csv;
	rd->csv_spool.st = s->st;
	rd->xml_spool.sp = &rd->xml;
	rd->xml_spool.st = s->st;
	rd->rows_spool.sp = &rd->rows;
	rd->rows_spool.st = s->st;
	buf_init(&rd->rec, PDF_ROW_MAX + 16);
	statement_out_init(&rd->csv_out, spool_write, &rd->csv_spool);
	statement_out_init(&rd->xml_out, spool_write, &rd->xml_spool);
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
	    spool_open(&rd->xml, s->st, &rd->info, "xml", e) != 0 ||
	    (!s->st->no_pdf && spool_open(&rd->rows, s->st, &rd->info, "row", e) != 0) ||
	    statement_xml_open(&rd->lines, &rd->xml_out, STATEMENT_XML_LINES, e) != 0)
		return NULL;
	return rd;
}

/* Fields of the settlement's COPY rows (copy_text.h), each after a tab. */
static int copy_texts(struct buf *b, const char *const *v, size_t n, struct err *e)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = copy_text_sep(b, e);
		if (rc == 0)
			rc = copy_text_str(b, v[i], strlen(v[i]), e);
	}
	return rc;
}

static int copy_nums(struct buf *b, const int64_t *v, size_t n, struct err *e)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = copy_text_sep(b, e);
		if (rc == 0)
			rc = copy_text_i64(b, v[i], e);
	}
	return rc;
}

/* A date as days since the epoch, \N when not set. */
static int copy_days(struct buf *b, int32_t days, struct err *e)
{
	int rc = copy_text_sep(b, e);

	if (rc == 0)
		rc = days == BOOKING_NO_DATE ? copy_text_null(b, e) : copy_text_i64(b, days, e);
	return rc;
}

static int stream_spill_cases(struct stream *s, struct err *e);

/* The first row of a case: its balances and statuses before this run. The
 * bookings start from the status they gave it (booked_status), never from
 * the one the loader marked (SPEC 9.1 v2). */
static int stream_begin_case(struct stream *s, const PGresult *res, int i, int64_t case_id,
			     struct err *e)
{
	struct booking_case *bal = &s->bal;
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
		rc = spg_date(res, i, Q_CLOSED, &s->listed_closed, e);
	if (rc == 0)
		rc = spg_date(res, i, Q_LAST, &bal->last_transaction_date, e);
	if (rc == 0)
		rc = status_from_row(&s->listed, res, i, Q_STATUS, e);
	if (rc == 0)
		rc = status_from_row(&bal->status, res, i, Q_BOOKED, e);
	if (rc == 0)
		rc = spg_i64(res, i, Q_REGISTERED, &s->registered, e);
	if (rc != 0)
		return rc;
	/* closed_date is the booked closing date once the bookings closed it */
	bal->closed_date = bal->status == BOOKING_OPEN ? BOOKING_NO_DATE : s->listed_closed;
	s->late = strcmp(spg_text(res, i, Q_LATE), "t") == 0;
	s->uncounted = s->late;
	s->withdrawal_booked = false;
	buf_reset(&s->paid);
	s->case_id = case_id;
	s->in_case = true;
	return 0;
}

/* The case being booked is complete: queue its balances, the status the
 * case list shows (SPEC 9.3 v2) with its closed_date, the status as
 * booked, and whether its first line counted it as registered. */
static int stream_end_case(struct stream *s, struct err *e)
{
	const struct booking_case *b = &s->bal;
	const char *const creditor[] = { s->c->id };
	const int64_t balances[] = { b->principal, b->fees, b->interest };
	enum booking_status listed;
	const char *status, *booked;
	const char *counted = s->late ? "t" : "f";
	int32_t closed;
	int rc;

	if (!s->in_case)
		return 0;
	listed = booking_listed_status(s->listed, b->status, s->withdrawal_booked);
	status = booking_status_name(listed);
	booked = booking_status_name(b->status);
	/* a loaded withdrawal still waiting keeps its booking date, unless
	 * the bookings closed the case earlier */
	closed = listed == BOOKING_WITHDRAWN && b->status == BOOKING_OPEN ? s->listed_closed
									  : b->closed_date;
	rc = copy_text_i64(&s->cases, s->case_id, e);
	if (rc == 0)
		rc = copy_texts(&s->cases, creditor, 1, e);
	if (rc == 0)
		rc = copy_nums(&s->cases, balances, sizeof(balances) / sizeof(balances[0]), e);
	if (rc == 0)
		rc = copy_days(&s->cases, b->accrued_to, e);
	if (rc == 0)
		rc = copy_texts(&s->cases, &status, 1, e);
	if (rc == 0)
		rc = copy_days(&s->cases, closed, e);
	if (rc == 0)
		rc = copy_days(&s->cases, b->last_transaction_date, e);
	if (rc == 0)
		rc = copy_texts(&s->cases, &booked, 1, e);
	if (rc == 0)
		rc = copy_texts(&s->cases, &counted, 1, e);
	if (rc == 0)
		rc = copy_text_end(&s->cases, e);
	if (rc != 0)
		return rc;
	s->in_case = false;
	s->ncases++;
	return s->cases.len >= SETTLE_CASES_SPILL ? stream_spill_cases(s, e) : 0;
}

/* The PDF of a statement whose lines are all booked, begun now (settle_pdf.h)
 * with what the run knows: the finished totals, the agency as configured,
 * the creditor as the run read it; its document will say the same. */
static int begin_pdf(struct stream *s, struct render *rd, struct err *e)
{
	const struct config *conf = s->r->o->conf;
	const struct creditor *c = rd->is.c;
	struct statement_info info = rd->info;
	struct pdf_parties parties = { conf->agency.name, conf->agency.address, c->name, c->iban, 0,
				       NULL };
	int rc;

	info.issued = s->r->o->as_of;
	info.totals = rd->is.totals;
	rc = booking_totals_finish(&info.totals, c->params.vat_bp, e);
	if (rc != 0)
		return rc;
	/* (a configuration unfit for the QR-bill is refused when the document
	 * is stored) */
	if (info.totals.net_payout < 0)
		parties.pay_account = config_agency_account(conf, info.currency);
	return stage_pdf_begin(s->st, &info, &parties, rd->rows.index, e);
}

/* Close the files of the current creditor's statements; with ok, they
 * are complete and the statements join r->issues. */
static int stream_close_renders(struct stream *s, bool ok, struct err *e)
{
	int rc = 0;

	for (int i = 0; i < s->ncur; i++) {
		struct render *rd = &s->cur[i];
		int xrc = statement_xml_close(&rd->lines, ok && rc == 0 ? e : NULL);

		if (xrc != 0 && ok && rc == 0)
			rc = xrc;
		if (spool_close(&rd->csv, s->st, ok && rc == 0, rd->is.totals.lines, e) != 0 &&
		    rc == 0)
			rc = e->code;
		if (spool_close(&rd->xml, s->st, ok && rc == 0, rd->is.totals.lines, e) != 0 &&
		    rc == 0)
			rc = e->code;
		if (!s->st->no_pdf &&
		    spool_close(&rd->rows, s->st, ok && rc == 0, rd->is.totals.lines, e) != 0 &&
		    rc == 0)
			rc = e->code;
		buf_release(&rd->rec);
		statement_out_release(&rd->csv_out);
		statement_out_release(&rd->xml_out);
		if (ok && rc == 0)
			rc = run_add_issue(s->r, &rd->is, e);
		if (ok && rc == 0 && !s->st->no_pdf)
			rc = begin_pdf(s, rd, e);
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

/* Book one transaction of the current case into the statement of its
 * currency: the line, the totals, and what it does to the portfolio (a
 * late case counted as registered with its first line; closings and
 * reopenings; open principal). The others are counted per batch
 * (store_registrations()). */
static int stream_book(struct stream *s, struct render *rd, const struct booking_tx *tx,
		       struct booking_line *l, struct err *e)
{
	struct booking_case before = s->bal;
	int rc = 0;

	if (s->uncounted) {
		rc = booking_portfolio_register(&rd->is.moves, s->registered, e);
		s->uncounted = false;
	}
	if (rc == 0)
		rc = booking_apply(l, &s->bal, &s->c->params, tx, e);
	if (rc == 0)
		rc = booking_portfolio_book(&rd->is.moves, &before, &s->bal, e);
	if (rc == 0)
		rc = booking_totals_add(&rd->is.totals, l, e);
	if (rc == 0 && tx->kind == BOOKING_WITHDRAWAL)
		s->withdrawal_booked = true;
	return rc;
}

/* Remember a payment just booked, for a reversal later in the run. */
static int stream_note_payment(struct stream *s, int64_t tx_id, const struct booking_line *l,
			       struct err *e)
{
	struct booked_payment p = { tx_id, *l };
	int rc = buf_add(&s->paid, &p, sizeof(p), e);

	if (rc == ERR_LIMIT)
		rc = ERR_SET(e, ERR_LIMIT, "more than %zu payments of one case in one run",
			     s->paid.max / sizeof(p));
	return rc;
}

/* The line of a payment of the case booked earlier in this run. */
static bool stream_find_payment(const struct stream *s, int64_t tx_id, struct booking_line *out)
{
	struct booked_payment p;

	for (size_t k = s->paid.len / sizeof(p); k-- > 0;) {
		memcpy(&p, s->paid.data + k * sizeof(p), sizeof(p));
		if (p.tx_id == tx_id) {
			*out = p.line;
			return true;
		}
	}
	return false;
}

/* The line of the payment that the reversal in row i reverses (SPEC 9.1
 * v2): one a statement settled before (Q_ORIGINAL), or one of the case
 * booked earlier in this run (the reader orders a reversal after its
 * original). It must be a payment of the same case, reversed by no other
 * transaction, of the reversal's amount: anything else is wrong data,
 * which stops the run (nothing is issued). */
static int stream_original(struct stream *s, const PGresult *res, int i,
			   const struct booking_tx *tx, struct booking_line *out, struct err *e)
{
	int64_t reverses = 0, reversals = 0;
	bool found = false;
	int rc;

	rc = spg_i64(res, i, Q_REVERSES, &reverses, e);
	if (rc == 0)
		rc = spg_i64(res, i, Q_REVERSALS, &reversals, e);
	if (rc != 0)
		return rc;
	if (reversals != 1)
		return ERR_SET(e, ERR_DB, "transaction %" PRId64 " is reversed by %" PRId64
			       " transactions", reverses, reversals);
	memset(out, 0, sizeof(*out));
	if (!PQgetisnull(res, i, Q_ORIGINAL)) {
		int64_t v[ORIGINAL_VALUES];

		rc = spg_i64_array(res, i, Q_ORIGINAL, v, ORIGINAL_VALUES, e);
		if (rc != 0)
			return rc;
		out->kind = BOOKING_PAYMENT;
		out->amount = v[0];
		out->to_fees = v[1];
		out->to_interest = v[2];
		out->to_principal = v[3];
		out->overpaid = v[4];
		out->creditor_share = v[5];
		out->commission = v[6];
		out->payout_effect = v[7];
		found = true;
	} else {
		found = stream_find_payment(s, reverses, out);
	}
	if (!found)
		return ERR_SET(e, ERR_DB, "it reverses transaction %" PRId64 ", which is no payment"
			       " of its case settled before or booked in this run", reverses);
	if (out->amount != tx->amount)
		return ERR_SET(e, ERR_DB, "its amount %" PRId64 " is not the amount %" PRId64
			       " of the payment it reverses (transaction %" PRId64 ")", tx->amount,
			       out->amount, reverses);
	return 0;
}

/* The COPY row of statement_lines of a line just booked, in s->row. */
static int line_row(struct stream *s, const struct render *rd, const PGresult *res, int i,
		    int64_t tx_id, int64_t case_id, const struct booking_line *l, struct err *e)
{
	char date[DATE_FMT_MAX];
	const char *const number[] = { rd->is.number };
	const int64_t ids[] = { rd->is.totals.lines /* line_no: 1, 2, ... in file order */,
				tx_id, case_id };
	const char *const texts[] = { spg_text(res, i, Q_REFERENCE), spg_text(res, i, Q_DEBTOR),
				      spg_text(res, i, Q_TXID), booking_kind_name(l->kind),
				      date_format(date, sizeof(date), l->booking_date) };
	const int64_t nums[] = { l->amount,         l->to_fees,        l->to_interest,
				 l->to_principal,   l->overpaid,       l->creditor_share,
				 l->commission,     l->payout_effect,  l->interest_accrued,
				 l->written_off,    l->withdrawal_fee, s->bal.principal,
				 s->bal.fees,       s->bal.interest };
	struct buf *row = &s->row;
	int rc;

	buf_reset(row);
	rc = copy_text_str(row, s->c->id, strlen(s->c->id), e);
	if (rc == 0)
		rc = copy_texts(row, number, 1, e);
	if (rc == 0)
		rc = copy_nums(row, ids, sizeof(ids) / sizeof(ids[0]), e);
	if (rc == 0)
		rc = copy_texts(row, texts, sizeof(texts) / sizeof(texts[0]), e);
	if (rc == 0)
		rc = copy_nums(row, nums, sizeof(nums) / sizeof(nums[0]), e);
	if (rc == 0)
		rc = copy_text_end(row, e);
	return rc;
}

/* Book one transaction row, send its statement line and render it. */
static int stream_row(struct stream *s, const PGresult *res, int i, struct db_copy *cp,
		      struct err *e)
{
	const char *creditor_id = spg_text(res, i, Q_CREDITOR);
	struct creditor *c = s->c;
	struct statement_row out;
	struct booking_line original;
	struct booking_line l;
	struct booking_tx tx;
	struct render *rd;
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
		rc = creditor_terms(c, s->r->o->conf, e);
		if (rc != 0)
			return rc;
	}
	rc = spg_i64(res, i, Q_CASE, &case_id, e);
	if (rc == 0)
		rc = spg_i64(res, i, Q_TX, &tx_id, e);
	if (rc != 0)
		return rc;
	if (!s->in_case || s->case_id != case_id) {
		rc = stream_end_case(s, e);
		if (rc == 0)
			rc = stream_begin_case(s, res, i, case_id, e);
		if (rc != 0)
			return rc;
	}
	kind = booking_kind_parse(spg_text(res, i, Q_KIND));
	if (kind < 0)
		return ERR_SET(e, ERR_DB, "unknown transaction kind '%s'", spg_text(res, i, Q_KIND));
	tx.kind = (enum booking_kind)kind;
	tx.original = NULL;
	tx.stage = STAGE_COLLECTION;
	if (tx.kind == BOOKING_WITHDRAWAL) {
		int stage = case_stage_parse(spg_text(res, i, Q_STAGE));

		if (stage < 0)
			return ERR_SET(e, ERR_DB, "unknown stage '%s' of case %" PRId64, spg_text(res, i, Q_STAGE),
				       case_id);
		tx.stage = (enum case_stage)stage;
	}
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
	if (tx.kind == BOOKING_REVERSAL) {
		rc = stream_original(s, res, i, &tx, &original, e);
		tx.original = &original;
	}
	if (rc == 0)
		rc = stream_book(s, rd, &tx, &l, e);
	if (rc == 0 && tx.kind == BOOKING_PAYMENT)
		rc = stream_note_payment(s, tx_id, &l, e);
	if (rc != 0) {
		err_prefix(e, "case %" PRId64 ", transaction %" PRId64, case_id, tx_id);
		goto booking_failed;
	}
	c->nlines++;
	s->nlines++;

	rc = line_row(s, rd, res, i, tx_id, case_id, &l, e);
	if (rc == 0)
		rc = db_copy_write(cp, s->row.data, s->row.len, e);
	if (rc != 0)
		return rc;
	cp->rows++;

	/* the line, as the files show it */
	out.case_id = case_id;
	out.creditor_reference = spg_text(res, i, Q_REFERENCE);
	out.debtor_name = spg_text(res, i, Q_DEBTOR);
	out.transaction_id = spg_text(res, i, Q_TXID);
	out.line = l;
	rc = statement_csv_row(&rd->csv_out, &rd->info, &out, e);
	if (rc == 0)
		rc = statement_xml_line(&rd->lines, &rd->info, &out, e);
	if (rc == 0 && !s->st->no_pdf)
		rc = pdf_rows_encode(&rd->rec, &out, e);
	if (rc == 0 && !s->st->no_pdf)
		rc = spool_write(&rd->rows_spool, rd->rec.data, rd->rec.len, e);
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
	buf_reset(&s->cases);
	return 0;
}

/* Send the balances of every case booked to settle_cases. */
static int stream_flush_cases(struct stream *s, struct err *e)
{
	static const char sql[] =
		"COPY settle_cases (case_id, creditor_id, principal, fees, interest, accrued_to,"
		" status, closed_date, last_tx, booked_status, counted) FROM STDIN";
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
		if (n > 0 && PQnfields(res) != Q__COUNT)
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

int pass_book(struct run *r, struct creditor_list *cl, struct stage *st, const char *open,
	      int64_t *ncases, struct err *e)
{
	static const char setup_sql[] =
		/* the queries of this pass run once each over many rows: compiling
		 * them costs more than it saves */
		"SET LOCAL jit = off;"
		"SET LOCAL work_mem = '" SETTLE_WORK_MEM "';"
		"CREATE TEMPORARY TABLE settle_cases (case_id bigint, creditor_id text,"
		" principal bigint, fees bigint, interest bigint, accrued_to integer, status text,"
		" closed_date integer, last_tx integer, booked_status text, counted boolean) ON COMMIT DROP;"
		"CREATE TEMPORARY TABLE settle_portfolio (creditor_id text, currency text,"
		" registered_cases bigint, registered_principal bigint) ON COMMIT DROP";
	struct stream *s = NULL;
	PGresult *res = NULL;
	PGconn *reader = NULL;
	int64_t marked = 0;
	int rc;

	*ncases = 0;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	s->r = r;
	s->cl = cl;
	s->st = st;
	buf_init(&s->row, SETTLE_BUF_MAX);
	buf_init(&s->cases, SETTLE_BUF_MAX);
	buf_init(&s->paid, SETTLE_BUF_MAX);
	/* the snapshot of this transaction, before it changes anything */
	rc = db_query(r->conn, &res, "SELECT pg_export_snapshot()", 0, NULL, e);
	if (rc == 0 && PQntuples(res) != 1)
		rc = ERR_SET(e, ERR_DB, "no snapshot from the database");
	if (rc == 0)
		rc = reader_open(r->conn, &reader, PQgetvalue(res, 0, 0), open, r->last, e);
	PQclear(res);
	if (rc == 0)
		rc = db_exec(r->conn, setup_sql, e);
	phase_mark("snapshot and reader");
	if (rc == 0)
		rc = reader_mark_settled(r->conn, open, r->last, r->period, &marked, e);
	phase_mark("mark transactions settled (reader sorting)");
	if (rc == 0)
		rc = stream_all(s, reader, e);
	log_progress_done();
	phase_mark("book, COPY and render lines");
	if (rc == 0)
		rc = db_exec(reader, "COMMIT", e);
	db_close(reader);
	if (rc == 0 && marked != s->nlines)
		rc = ERR_SET(e, ERR_DB, "%" PRId64 " transactions marked settled, %" PRId64
			     " lines computed", marked, s->nlines);
	*ncases = s->ncases;
	buf_release(&s->row);
	buf_release(&s->cases);
	buf_release(&s->paid);
	if (s->cases_file != NULL)
		fclose(s->cases_file);
	free(s);
	return rc;
}

