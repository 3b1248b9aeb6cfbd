/* settle.c: monthly settlement against PostgreSQL (SPEC 9) and the case
 * list (SPEC 9.3). See settle.h for the steps. */
#include "settle.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "booking.h"
#include "date.h"
#include "db.h"
#include "log.h"
#include "money.h"
#include "statement.h"

/* Advisory lock namespace of the settlement ('STLM'); the second key is
 * hashtext(creditor_id). A collision only serialises two creditors. */
#define SETTLE_LOCK_CLASS "1398033485"
/* Longest array literal sent in one parameter. */
#define SETTLE_ARRAY_MAX (8u << 20)

#define EPOCH_DAYS(col) "(" col " - DATE '1970-01-01')"

struct creditor {
	char id[24];
	char country[8];
	char interest_to[16];
	int64_t commission_bp;
	const struct country_conf *cc;
	struct booking_params params;
};

struct creditor_list {
	struct creditor *v;
	size_t n;
};

/* A line computed in this run, not yet stored. */
struct pline {
	int64_t tx_id;
	int64_t case_id;
	int cur; /* index into work.currencies */
	struct booking_line line;
	int64_t principal_after;
	int64_t fees_after;
	int64_t interest_after;
};

struct pcase {
	int64_t case_id;
	struct booking_case bal;
};

struct work {
	struct pline *lines;
	size_t nlines;
	size_t lines_cap;
	struct pcase *cases;
	size_t ncases;
	size_t cases_cap;
	char currencies[SETTLE_MAX_CURRENCIES][4];
	int ncur;
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
};

/* ---- small helpers ---- */

static int parse_i64(int64_t *out, const char *s, struct err *e)
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

static int col_i64(const PGresult *res, int row, int col, int64_t *out, struct err *e)
{
	if (PQgetisnull(res, row, col))
		return ERR_SET(e, ERR_DB, "unexpected NULL in column '%s'", PQfname(res, col));
	return parse_i64(out, PQgetvalue(res, row, col), e);
}

/* Days since the epoch, BOOKING_NO_DATE for NULL. */
static int col_date(const PGresult *res, int row, int col, int32_t *out, struct err *e)
{
	int64_t v = 0;
	int rc;

	if (PQgetisnull(res, row, col)) {
		*out = BOOKING_NO_DATE;
		return 0;
	}
	rc = parse_i64(&v, PQgetvalue(res, row, col), e);
	if (rc != 0)
		return rc;
	if (v < -1000000 || v > 3000000)
		return ERR_SET(e, ERR_DB, "date out of range from the database");
	*out = (int32_t)v;
	return 0;
}

static const char *col_text(const PGresult *res, int row, int col)
{
	return PQgetvalue(res, row, col);
}

/* A serialization failure or a deadlock: the transaction may be retried. */
static bool retryable(const struct err *e)
{
	const char *st = db_last_sqlstate();

	return e->code == ERR_DB && (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0);
}

static void rollback(PGconn *conn)
{
	struct err ignored = ERR_INIT;

	(void)db_exec(conn, "ROLLBACK", &ignored);
}

/* ---- array literals for unnest() parameters ---- */

struct arr {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
};

static void arr_put(struct arr *a, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (a->failed)
		return;
	if (n + 2 > SETTLE_ARRAY_MAX - a->len) {
		a->failed = true;
		return;
	}
	if (a->len + n + 1 > a->cap) {
		cap = a->cap ? a->cap : 4096;
		while (cap < a->len + n + 1)
			cap *= 2;
		p = realloc(a->data, cap);
		if (p == NULL) {
			a->failed = true;
			return;
		}
		a->data = p;
		a->cap = cap;
	}
	memcpy(a->data + a->len, s, n);
	a->len += n;
	a->data[a->len] = '\0';
}

static void arr_begin(struct arr *a)
{
	a->len = 0;
	a->failed = false;
	arr_put(a, "{", 1);
}

static void arr_sep(struct arr *a)
{
	if (a->len > 1)
		arr_put(a, ",", 1);
}

static void arr_i64(struct arr *a, int64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);

	arr_sep(a);
	arr_put(a, buf, (size_t)n);
}

static void arr_date(struct arr *a, int32_t days)
{
	if (days == BOOKING_NO_DATE) {
		arr_sep(a);
		arr_put(a, "NULL", 4);
	} else {
		arr_i64(a, days);
	}
}

/* Only for tokens that need no quoting (status names, currency codes). */
static void arr_token(struct arr *a, const char *s)
{
	arr_sep(a);
	arr_put(a, s, strlen(s));
}

static void arr_end(struct arr *a)
{
	arr_put(a, "}", 1);
}

static void arr_release(struct arr *a)
{
	free(a->data);
	a->data = NULL;
	a->len = 0;
	a->cap = 0;
}

static int arrs_check(struct arr *a, size_t n, struct err *e)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].failed)
			return ERR_SET(e, ERR_LIMIT, "array parameter over %u bytes or out of memory",
				       SETTLE_ARRAY_MAX);
	return 0;
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

		snprintf(c->id, sizeof(c->id), "%s", col_text(res, i, 0));
		snprintf(c->country, sizeof(c->country), "%s", col_text(res, i, 1));
		snprintf(c->interest_to, sizeof(c->interest_to), "%s", col_text(res, i, 2));
		rc = col_i64(res, i, 3, &c->commission_bp, e);
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

/* ---- work area ---- */

static void work_reset(struct work *w)
{
	w->nlines = 0;
	w->ncases = 0;
	w->ncur = 0;
}

static void work_release(struct work *w)
{
	free(w->lines);
	free(w->cases);
	memset(w, 0, sizeof(*w));
}

static int work_currency(struct work *w, const char *cur, struct err *e)
{
	for (int i = 0; i < w->ncur; i++)
		if (strcmp(w->currencies[i], cur) == 0)
			return i;
	if (w->ncur >= SETTLE_MAX_CURRENCIES)
		return ERR_SET(e, ERR_LIMIT, "more than %d currencies for one creditor",
			       SETTLE_MAX_CURRENCIES);
	if (strlen(cur) != 3)
		return ERR_SET(e, ERR_DB, "bad currency '%s' in the database", cur);
	memcpy(w->currencies[w->ncur], cur, 4);
	return w->ncur++;
}

static struct pline *work_add_line(struct work *w, struct err *e)
{
	if (w->nlines == w->lines_cap) {
		size_t cap = w->lines_cap ? w->lines_cap * 2 : 1024;
		struct pline *p;

		if (w->nlines >= SETTLE_MAX_LINES) {
			ERR_SET(e, ERR_LIMIT, "more than %d transactions for one creditor",
				SETTLE_MAX_LINES);
			return NULL;
		}
		p = realloc(w->lines, cap * sizeof(*p));
		if (p == NULL) {
			ERR_SET(e, ERR_NOMEM, "out of memory");
			return NULL;
		}
		w->lines = p;
		w->lines_cap = cap;
	}
	return &w->lines[w->nlines++];
}

static struct pcase *work_add_case(struct work *w, struct err *e)
{
	if (w->ncases == w->cases_cap) {
		size_t cap = w->cases_cap ? w->cases_cap * 2 : 256;
		struct pcase *p = realloc(w->cases, cap * sizeof(*p));

		if (p == NULL) {
			ERR_SET(e, ERR_NOMEM, "out of memory");
			return NULL;
		}
		w->cases = p;
		w->cases_cap = cap;
	}
	return &w->cases[w->ncases++];
}

/* ---- settling one creditor ---- */

/* Currencies that already have a statement of the period, as an array
 * literal ("{CHF}"); those are never settled again in this period. */
static int existing_currencies(struct run *r, const struct creditor *c, struct arr *out,
			       struct err *e)
{
	static const char sql[] =
		"SELECT currency FROM statements WHERE creditor_id = $1 AND period = $2"
		" ORDER BY currency";
	const char *params[2] = { c->id, r->period };
	PGresult *res = NULL;
	int rc;

	rc = db_query(r->conn, &res, sql, 2, params, e);
	if (rc != 0)
		return rc;
	arr_begin(out);
	for (int i = 0; i < PQntuples(res); i++)
		arr_token(out, col_text(res, i, 0)); /* [A-Z]{3} by constraint */
	arr_end(out);
	PQclear(res);
	return arrs_check(out, 1, e);
}

enum {
	TX_ID, TX_CASE, TX_KIND, TX_DATE, TX_AMOUNT, TX_CURRENCY, CS_PRINCIPAL, CS_FEES,
	CS_INTEREST, CS_ACCRUED, CS_STATUS, CS_CLOSED, CS_LAST, CS_WITHDRAWN
};

static int case_from_row(struct booking_case *bal, const PGresult *res, int i, struct err *e)
{
	int status;
	int rc;

	memset(bal, 0, sizeof(*bal));
	rc = col_i64(res, i, CS_PRINCIPAL, &bal->principal, e);
	if (rc == 0)
		rc = col_i64(res, i, CS_FEES, &bal->fees, e);
	if (rc == 0)
		rc = col_i64(res, i, CS_INTEREST, &bal->interest, e);
	if (rc == 0)
		rc = col_date(res, i, CS_ACCRUED, &bal->accrued_to, e);
	if (rc == 0)
		rc = col_date(res, i, CS_CLOSED, &bal->closed_date, e);
	if (rc == 0)
		rc = col_date(res, i, CS_LAST, &bal->last_transaction_date, e);
	if (rc != 0)
		return rc;
	status = booking_status_parse(col_text(res, i, CS_STATUS));
	if (status < 0)
		return ERR_SET(e, ERR_DB, "unknown case status '%s'", col_text(res, i, CS_STATUS));
	bal->status = (enum booking_status)status;
	bal->withdrawal_booked = strcmp(col_text(res, i, CS_WITHDRAWN), "t") == 0;
	return 0;
}

/* Read the unsettled transactions and apply the booking logic, case by
 * case, in the order of 9.1. */
static int compute(struct run *r, const struct creditor *c, const char *existing,
		   struct work *w, struct err *e)
{
	static const char sql[] =
		"SELECT t.tx_id, t.case_id, t.kind, " EPOCH_DAYS("t.booking_date") ", t.amount,"
		"       t.currency, c.principal, c.fees, c.interest, " EPOCH_DAYS("c.accrued_to") ","
		"       c.status, " EPOCH_DAYS("c.closed_date") ", "
		EPOCH_DAYS("c.last_transaction_date") ","
		"       EXISTS (SELECT 1 FROM transactions w WHERE w.case_id = t.case_id"
		"               AND w.kind = 'withdrawal' AND w.statement_number IS NOT NULL)"
		"  FROM transactions t JOIN cases c ON c.case_id = t.case_id"
		" WHERE t.creditor_id = $1 AND t.statement_number IS NULL"
		"   AND t.booking_date <= $2::date AND NOT (t.currency = ANY ($3::text[]))"
		" ORDER BY c.creditor_reference COLLATE \"C\", t.case_id, t.booking_date, t.tx_id";
	const char *params[3] = { c->id, r->last, existing };
	PGresult *res = NULL;
	struct pcase *pc = NULL;
	int rc;
	int n;

	rc = db_query(r->conn, &res, sql, 3, params, e);
	if (rc != 0)
		goto out;
	n = PQntuples(res);
	for (int i = 0; i < n; i++) {
		struct booking_tx tx;
		struct pline *pl;
		int64_t case_id = 0;
		int kind;
		int cur;

		if (i % 1024 == 0)
			log_progress("transactions booked", (uint64_t)i, (uint64_t)n);
		rc = col_i64(res, i, TX_CASE, &case_id, e);
		if (rc != 0)
			goto out;
		if (pc == NULL || pc->case_id != case_id) {
			pc = work_add_case(w, e);
			if (pc == NULL) {
				rc = e->code;
				goto out;
			}
			pc->case_id = case_id;
			rc = case_from_row(&pc->bal, res, i, e);
			if (rc != 0)
				goto out;
		}
		kind = booking_kind_parse(col_text(res, i, TX_KIND));
		if (kind < 0) {
			rc = ERR_SET(e, ERR_DB, "unknown transaction kind '%s'",
				     col_text(res, i, TX_KIND));
			goto out;
		}
		tx.kind = (enum booking_kind)kind;
		rc = col_date(res, i, TX_DATE, &tx.booking_date, e);
		if (rc == 0)
			rc = col_i64(res, i, TX_AMOUNT, &tx.amount, e);
		if (rc != 0)
			goto out;
		cur = work_currency(w, col_text(res, i, TX_CURRENCY), e);
		if (cur < 0) {
			rc = cur;
			goto out;
		}
		pl = work_add_line(w, e);
		if (pl == NULL) {
			rc = e->code;
			goto out;
		}
		rc = col_i64(res, i, TX_ID, &pl->tx_id, e);
		if (rc != 0)
			goto out;
		pl->case_id = case_id;
		pl->cur = cur;
		rc = booking_apply(&pl->line, &pc->bal, &c->params, &tx, e);
		if (rc != 0) {
			err_prefix(e, "case %" PRId64 ", transaction %" PRId64, case_id, pl->tx_id);
			goto out;
		}
		pl->principal_after = pc->bal.principal;
		pl->fees_after = pc->bal.fees;
		pl->interest_after = pc->bal.interest;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}

static int check_count(PGresult *res, size_t want, const char *what, struct err *e)
{
	const char *t = PQcmdTuples(res);
	int64_t got = -1;

	if (t[0] == '\0' || parse_i64(&got, t, e) != 0 || got != (int64_t)want)
		return ERR_SET(e, ERR_DB, "%s: %s rows changed, %zu expected", what,
			       t[0] ? t : "no", want);
	return 0;
}

static int update_cases(struct run *r, const struct creditor *c, const struct work *w,
			struct err *e)
{
	static const char sql[] =
		"UPDATE cases c SET principal = v.principal, fees = v.fees, interest = v.interest,"
		"       accrued_to = DATE '1970-01-01' + v.accrued_to, status = v.status,"
		"       closed_date = DATE '1970-01-01' + v.closed_date,"
		"       last_transaction_date = DATE '1970-01-01' + v.last_tx"
		"  FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::int[],"
		"              $7::text[], $8::int[], $9::int[])"
		"       AS v(case_id, principal, fees, interest, accrued_to, status, closed_date,"
		"            last_tx)"
		" WHERE c.case_id = v.case_id AND c.creditor_id = $1";
	struct arr a[8];
	int rc = 0;

	memset(a, 0, sizeof(a));
	for (size_t start = 0; start < w->ncases && rc == 0; start += SETTLE_CHUNK) {
		size_t end = start + SETTLE_CHUNK < w->ncases ? start + SETTLE_CHUNK : w->ncases;
		const char *params[9];
		PGresult *res = NULL;

		for (int k = 0; k < 8; k++)
			arr_begin(&a[k]);
		for (size_t i = start; i < end; i++) {
			const struct pcase *pc = &w->cases[i];

			arr_i64(&a[0], pc->case_id);
			arr_i64(&a[1], pc->bal.principal);
			arr_i64(&a[2], pc->bal.fees);
			arr_i64(&a[3], pc->bal.interest);
			arr_date(&a[4], pc->bal.accrued_to);
			arr_token(&a[5], booking_status_name(pc->bal.status));
			arr_date(&a[6], pc->bal.closed_date);
			arr_date(&a[7], pc->bal.last_transaction_date);
		}
		for (int k = 0; k < 8; k++)
			arr_end(&a[k]);
		rc = arrs_check(a, 8, e);
		if (rc != 0)
			break;
		params[0] = c->id;
		for (int k = 0; k < 8; k++)
			params[k + 1] = a[k].data;
		rc = db_query(r->conn, &res, sql, 9, params, e);
		if (rc == 0)
			rc = check_count(res, end - start, "updating case balances", e);
		PQclear(res);
	}
	for (int k = 0; k < 8; k++)
		arr_release(&a[k]);
	return rc;
}

static char *pct_text(char *buf, size_t size, int64_t bp)
{
	return money_format(buf, size, bp); /* 810 -> "8.10" */
}

static int insert_statement(struct run *r, const struct creditor *c, const char *number,
			    const char *currency, const struct booking_totals *t,
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
		"  count(*) FILTER (WHERE registered BETWEEN $5::date AND $6::date),"
		"  coalesce(sum(original_amount - paid_amount)"
		"           FILTER (WHERE registered BETWEEN $5::date AND $6::date), 0),"
		"  count(*) FILTER (WHERE registered <= $6::date"
		"                   AND (status = 'open' OR closed_date > $6::date)),"
		"  coalesce(sum(principal) FILTER (WHERE registered <= $6::date"
		"                   AND (status = 'open' OR closed_date > $6::date)), 0),"
		"  count(*) FILTER (WHERE status = 'withdrawn'"
		"                   AND closed_date BETWEEN $5::date AND $6::date),"
		"  count(*) FILTER (WHERE status = 'closed'"
		"                   AND closed_date BETWEEN $5::date AND $6::date),"
		"  $14::bigint, $15::bigint, $16::bigint, $17::bigint, $18::bigint, $19::bigint,"
		"  $20::bigint, $21::bigint, $22::bigint, $23::bigint"
		" FROM cases WHERE creditor_id = $1 AND currency = $4";
	char nums[16][32];
	const char *params[23];
	PGresult *res = NULL;
	const int64_t v[] = { t->lines, t->payments, t->direct_payments, t->credit_notes,
			      t->withdrawal_fees, t->creditor_share, t->commission,
			      t->payout_effect, t->vat, t->net_payout };
	int rc;

	params[0] = c->id;
	params[1] = number;
	params[2] = r->period;
	params[3] = currency;
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
		rc = check_count(res, 1, "inserting the statement", e);
	PQclear(res);
	return rc;
}

#define LINE_ARRAYS 16

/* Insert the lines of one statement and mark their transactions settled,
 * in chunks. */
static int insert_lines(struct run *r, const struct creditor *c, const char *number,
			const struct work *w, int cur, size_t nlines, struct err *e)
{
	static const char sql[] =
		"INSERT INTO statement_lines (creditor_id, statement_number, line_no, tx_id,"
		"  case_id, creditor_reference, debtor_name, transaction_id, kind, booking_date,"
		"  amount, to_fees, to_interest, to_principal, overpaid, creditor_share,"
		"  commission, payout_effect, interest_accrued, written_off, withdrawal_fee,"
		"  principal_after, fees_after, interest_after)"
		" SELECT $1, $2, v.line_no, t.tx_id, t.case_id, c.creditor_reference,"
		"  c.debtor_name, t.transaction_id, t.kind, t.booking_date, v.amount, v.to_fees,"
		"  v.to_interest, v.to_principal, v.overpaid, v.creditor_share, v.commission,"
		"  v.payout_effect, v.interest_accrued, v.written_off, v.withdrawal_fee,"
		"  v.principal_after, v.fees_after, v.interest_after"
		" FROM unnest($3::int[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[],"
		"   $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[],"
		"   $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[],"
		"   $18::bigint[])"
		"   AS v(line_no, tx_id, amount, to_fees, to_interest, to_principal, overpaid,"
		"        creditor_share, commission, payout_effect, interest_accrued, written_off,"
		"        withdrawal_fee, principal_after, fees_after, interest_after)"
		" JOIN transactions t ON t.tx_id = v.tx_id AND t.creditor_id = $1"
		"   AND t.statement_number IS NULL"
		" JOIN cases c ON c.case_id = t.case_id";
	static const char mark_sql[] =
		"UPDATE transactions SET statement_number = $2"
		" WHERE tx_id = ANY ($3::bigint[]) AND creditor_id = $1"
		"   AND statement_number IS NULL";
	struct arr a[LINE_ARRAYS];
	int64_t line_no = 0;
	size_t i = 0;
	int rc = 0;

	memset(a, 0, sizeof(a));
	while (i < w->nlines && rc == 0) {
		const char *params[LINE_ARRAYS + 2];
		PGresult *res = NULL;
		size_t chunk = 0;

		for (int k = 0; k < LINE_ARRAYS; k++)
			arr_begin(&a[k]);
		for (; i < w->nlines && chunk < SETTLE_CHUNK; i++) {
			const struct pline *pl = &w->lines[i];
			const struct booking_line *l = &pl->line;

			if (pl->cur != cur)
				continue;
			arr_i64(&a[0], ++line_no);
			arr_i64(&a[1], pl->tx_id);
			arr_i64(&a[2], l->amount);
			arr_i64(&a[3], l->to_fees);
			arr_i64(&a[4], l->to_interest);
			arr_i64(&a[5], l->to_principal);
			arr_i64(&a[6], l->overpaid);
			arr_i64(&a[7], l->creditor_share);
			arr_i64(&a[8], l->commission);
			arr_i64(&a[9], l->payout_effect);
			arr_i64(&a[10], l->interest_accrued);
			arr_i64(&a[11], l->written_off);
			arr_i64(&a[12], l->withdrawal_fee);
			arr_i64(&a[13], pl->principal_after);
			arr_i64(&a[14], pl->fees_after);
			arr_i64(&a[15], pl->interest_after);
			chunk++;
		}
		if (chunk == 0)
			break;
		for (int k = 0; k < LINE_ARRAYS; k++)
			arr_end(&a[k]);
		rc = arrs_check(a, LINE_ARRAYS, e);
		if (rc != 0)
			break;
		params[0] = c->id;
		params[1] = number;
		for (int k = 0; k < LINE_ARRAYS; k++)
			params[k + 2] = a[k].data;
		rc = db_query(r->conn, &res, sql, LINE_ARRAYS + 2, params, e);
		if (rc == 0)
			rc = check_count(res, chunk, "inserting statement lines", e);
		PQclear(res);
		res = NULL;
		/* the same transactions are settled now, once */
		params[2] = a[1].data;
		if (rc == 0)
			rc = db_query(r->conn, &res, mark_sql, 3, params, e);
		if (rc == 0)
			rc = check_count(res, chunk, "marking transactions settled", e);
		PQclear(res);
	}
	if (rc == 0 && line_no != (int64_t)nlines)
		rc = ERR_SET(e, ERR_DB, "statement '%s': %" PRId64 " lines stored, %zu computed",
			     number, line_no, nlines);
	for (int k = 0; k < LINE_ARRAYS; k++)
		arr_release(&a[k]);
	return rc;
}

static int settle_creditor(struct run *r, const struct creditor *c, struct work *w,
			   struct err *e)
{
	struct arr existing = { NULL, 0, 0, false };
	int rc;

	work_reset(w);
	rc = existing_currencies(r, c, &existing, e);
	if (rc == 0)
		rc = compute(r, c, existing.data, w, e);
	arr_release(&existing);
	if (rc != 0 || w->nlines == 0)
		return rc;
	rc = update_cases(r, c, w, e);
	for (int cur = 0; cur < w->ncur && rc == 0; cur++) {
		struct booking_totals t;
		char number[STATEMENT_NUMBER_MAX];

		booking_totals_init(&t);
		for (size_t i = 0; i < w->nlines && rc == 0; i++)
			if (w->lines[i].cur == cur)
				rc = booking_totals_add(&t, &w->lines[i].line, e);
		if (rc == 0)
			rc = booking_totals_finish(&t, c->params.vat_bp, e);
		if (rc == 0)
			rc = statement_number(number, sizeof(number), r->period, c->id,
					      w->currencies[cur], e);
		if (rc == 0)
			rc = insert_statement(r, c, number, w->currencies[cur], &t, e);
		if (rc == 0)
			rc = insert_lines(r, c, number, w, cur, (size_t)t.lines, e);
		if (rc == 0) {
			r->issued++;
			r->settled += t.lines;
		}
	}
	if (rc != 0)
		err_prefix(e, "creditor '%s'", c->id);
	return rc;
}

/* ---- files ----
 *
 * Files are rendered from the stored rows inside the settling transaction,
 * into staged files "<final>.tmp.<pid>.staged" beside their final names
 * (written whole and fsync'd by atomic_file). Only after COMMIT are they
 * renamed into place; any failure before that rolls back and removes them,
 * so an I/O failure issues nothing. Staged files of a run that died are
 * removed by atomic_file_clean_stale(). */

struct staged {
	char *staged_path;
	char *final_path;
};

struct stage {
	struct staged *files;
	size_t nfiles;
	size_t cap;
	struct statement_info *infos; /* for the stdout lines, in order */
	size_t ninfos;
	size_t infos_cap;
	char dir[4096];
	bool dir_made;
};

static void stage_discard(struct stage *st)
{
	for (size_t i = 0; i < st->nfiles; i++) {
		if (st->files[i].staged_path != NULL)
			unlink(st->files[i].staged_path);
		free(st->files[i].staged_path);
		free(st->files[i].final_path);
	}
	st->nfiles = 0;
	st->ninfos = 0;
}

static void stage_release(struct stage *st)
{
	stage_discard(st);
	free(st->files);
	free(st->infos);
	st->files = NULL;
	st->infos = NULL;
	st->cap = 0;
	st->infos_cap = 0;
}

static int stage_add_info(struct stage *st, const struct statement_info *info, struct err *e)
{
	if (st->ninfos == st->infos_cap) {
		size_t cap = st->infos_cap ? st->infos_cap * 2 : 16;
		struct statement_info *p = realloc(st->infos, cap * sizeof(*p));

		if (p == NULL)
			return ERR_SET(e, ERR_NOMEM, "out of memory");
		st->infos = p;
		st->infos_cap = cap;
	}
	st->infos[st->ninfos++] = *info;
	return 0;
}

/* Reserve a staged file for "<dir>/<creditor_id>-<currency>.<ext>". */
static struct staged *stage_add_file(struct stage *st, const struct statement_info *info,
				     const char *ext, struct err *e)
{
	struct staged *f;
	int n;

	if (st->nfiles == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct staged *p = realloc(st->files, cap * sizeof(*p));

		if (p == NULL) {
			ERR_SET(e, ERR_NOMEM, "out of memory");
			return NULL;
		}
		st->files = p;
		st->cap = cap;
	}
	f = &st->files[st->nfiles];
	f->staged_path = NULL;
	n = snprintf(NULL, 0, "%s/%s-%s.%s", st->dir, info->creditor_id, info->currency, ext);
	f->final_path = n > 0 ? malloc((size_t)n + 1) : NULL;
	if (f->final_path == NULL) {
		ERR_SET(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	snprintf(f->final_path, (size_t)n + 1, "%s/%s-%s.%s", st->dir, info->creditor_id,
		 info->currency, ext);
	n = snprintf(NULL, 0, "%s.tmp.%ld.staged", f->final_path, (long)getpid());
	f->staged_path = n > 0 ? malloc((size_t)n + 1) : NULL;
	if (f->staged_path == NULL) {
		free(f->final_path);
		ERR_SET(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	snprintf(f->staged_path, (size_t)n + 1, "%s.tmp.%ld.staged", f->final_path,
		 (long)getpid());
	st->nfiles++;
	return f;
}

static int af_write(void *ctx, const void *data, size_t len, struct err *e)
{
	return atomic_file_write(ctx, data, len, e);
}

enum {
	ST_NUMBER, ST_CREDITOR, ST_PERIOD, ST_CURRENCY, ST_ISSUED, ST_REG_CASES,
	ST_REG_PRINCIPAL, ST_OPEN_CASES, ST_OPEN_PRINCIPAL, ST_WITHDRAWN, ST_PAID, ST_LINES,
	ST_PAYMENTS, ST_DIRECT, ST_CREDIT_NOTES, ST_WITHDRAWAL_FEES, ST_SHARE, ST_COMMISSION,
	ST_PAYOUT, ST_VAT, ST_NET
};

static int info_from_row(struct statement_info *info, const PGresult *res, int i,
			 struct err *e)
{
	int64_t *const dst[] = {
		&info->portfolio.registered_cases, &info->portfolio.registered_principal,
		&info->portfolio.open_cases,       &info->portfolio.open_principal,
		&info->portfolio.withdrawn_cases,  &info->portfolio.paid_cases,
		&info->totals.lines,               &info->totals.payments,
		&info->totals.direct_payments,     &info->totals.credit_notes,
		&info->totals.withdrawal_fees,     &info->totals.creditor_share,
		&info->totals.commission,          &info->totals.payout_effect,
		&info->totals.vat,                 &info->totals.net_payout,
	};
	int rc;

	memset(info, 0, sizeof(*info));
	snprintf(info->number, sizeof(info->number), "%s", col_text(res, i, ST_NUMBER));
	snprintf(info->creditor_id, sizeof(info->creditor_id), "%s",
		 col_text(res, i, ST_CREDITOR));
	snprintf(info->period, sizeof(info->period), "%s", col_text(res, i, ST_PERIOD));
	snprintf(info->currency, sizeof(info->currency), "%s", col_text(res, i, ST_CURRENCY));
	rc = col_date(res, i, ST_ISSUED, &info->issued, e);
	for (size_t k = 0; k < sizeof(dst) / sizeof(dst[0]) && rc == 0; k++)
		rc = col_i64(res, i, ST_REG_CASES + (int)k, dst[k], e);
	return rc;
}

enum {
	LN_CASE, LN_REFERENCE, LN_DEBTOR, LN_TXID, LN_KIND, LN_DATE, LN_AMOUNT, LN_FEES,
	LN_INTEREST, LN_PRINCIPAL, LN_OVERPAID, LN_SHARE, LN_COMMISSION, LN_PAYOUT, LN_WFEE
};

static int row_from_line(struct statement_row *row, const PGresult *res, int i,
			 struct err *e)
{
	struct booking_line *l = &row->line;
	int64_t *const dst[] = { &l->amount,       &l->to_fees,        &l->to_interest,
				 &l->to_principal, &l->overpaid,       &l->creditor_share,
				 &l->commission,   &l->payout_effect,  &l->withdrawal_fee };
	int kind;
	int rc;

	memset(row, 0, sizeof(*row));
	rc = col_i64(res, i, LN_CASE, &row->case_id, e);
	if (rc == 0)
		rc = col_date(res, i, LN_DATE, &l->booking_date, e);
	for (size_t k = 0; k < sizeof(dst) / sizeof(dst[0]) && rc == 0; k++)
		rc = col_i64(res, i, LN_AMOUNT + (int)k, dst[k], e);
	if (rc != 0)
		return rc;
	kind = booking_kind_parse(col_text(res, i, LN_KIND));
	if (kind < 0)
		return ERR_SET(e, ERR_DB, "unknown kind '%s'", col_text(res, i, LN_KIND));
	l->kind = (enum booking_kind)kind;
	row->creditor_reference = col_text(res, i, LN_REFERENCE);
	row->debtor_name = col_text(res, i, LN_DEBTOR);
	row->transaction_id = col_text(res, i, LN_TXID);
	return 0;
}

/* Render one stored statement into its two staged files. Runs inside the
 * caller's transaction. */
static int stage_statement(struct run *r, struct stage *st, const struct statement_info *info,
			   struct err *e)
{
	static const char declare_sql[] =
		"DECLARE settle_lines NO SCROLL CURSOR FOR"
		" SELECT case_id, creditor_reference, debtor_name, transaction_id, kind,"
		"  " EPOCH_DAYS("booking_date") ", amount, to_fees, to_interest, to_principal,"
		"  overpaid, creditor_share, commission, payout_effect, withdrawal_fee"
		" FROM statement_lines WHERE creditor_id = $1 AND statement_number = $2"
		" ORDER BY line_no";
	static const char fetch_sql[] = "FETCH " SETTLE_CHUNK_TEXT " FROM settle_lines";
	struct atomic_file csv;
	struct atomic_file xml;
	struct statement_out csv_out = { af_write, &csv };
	struct statement_out xml_out = { af_write, &xml };
	const char *params[2] = { info->creditor_id, info->number };
	struct staged *fcsv, *fxml;
	bool cursor_open = false;
	int64_t rows = 0;
	int rc;

	memset(&csv, 0, sizeof(csv));
	memset(&xml, 0, sizeof(xml));
	fcsv = stage_add_file(st, info, "csv", e);
	if (fcsv == NULL)
		return e->code;
	rc = atomic_file_open(&csv, fcsv->staged_path, SETTLE_FILE_MODE, e);
	if (rc != 0)
		goto out;
	fxml = stage_add_file(st, info, "xml", e);
	if (fxml == NULL) {
		rc = e->code;
		goto out;
	}
	rc = atomic_file_open(&xml, fxml->staged_path, SETTLE_FILE_MODE, e);
	if (rc == 0)
		rc = statement_csv_header(&csv_out, e);
	if (rc == 0)
		rc = statement_xml_begin(&xml_out, info, e);
	if (rc == 0)
		rc = db_query(r->conn, NULL, declare_sql, 2, params, e);
	cursor_open = rc == 0;
	while (rc == 0) {
		PGresult *res = NULL;
		int nrows;

		rc = db_query(r->conn, &res, fetch_sql, 0, NULL, e);
		if (rc != 0)
			break;
		nrows = PQntuples(res);
		for (int i = 0; i < nrows && rc == 0; i++) {
			struct statement_row row;

			rc = row_from_line(&row, res, i, e);
			if (rc == 0)
				rc = statement_csv_row(&csv_out, info, &row, e);
			if (rc == 0)
				rc = statement_xml_line(&xml_out, info, &row, e);
			rows++;
		}
		PQclear(res);
		if (nrows == 0)
			break;
	}
	if (rc == 0 && cursor_open)
		rc = db_exec(r->conn, "CLOSE settle_lines", e);
	if (rc != 0)
		goto out;
	if (rows != info->totals.lines) {
		rc = ERR_SET(e, ERR_DB, "%" PRId64 " lines stored, %" PRId64 " expected", rows,
			     info->totals.lines);
		goto out;
	}
	rc = statement_xml_end(&xml_out, info, e);
	if (rc == 0)
		rc = atomic_file_commit(&csv, e);
	if (rc == 0)
		rc = atomic_file_commit(&xml, e);
out:
	atomic_file_abort(&csv);
	atomic_file_abort(&xml);
	if (rc != 0)
		err_prefix(e, "statement '%s'", info->number);
	return rc;
}

/* Stage the files of every statement of the period of these creditors:
 * the ones issued now and the ones issued before (rewritten the same). */
static int stage_files(struct run *r, const struct creditor_list *cl, struct stage *st,
		       struct err *e)
{
	static const char sql[] =
		"SELECT statement_number, creditor_id, period, currency, " EPOCH_DAYS("issued") ","
		"  registered_cases, registered_principal, open_cases, open_principal,"
		"  withdrawn_cases, paid_cases, lines, payments, direct_payments, credit_notes,"
		"  withdrawal_fees, creditor_share, commission, payout_effect, vat, net_payout"
		" FROM statements WHERE creditor_id = $1 AND period = $2 ORDER BY currency";
	int rc = 0;

	for (size_t c = 0; c < cl->n && rc == 0; c++) {
		const char *params[2] = { cl->v[c].id, r->period };
		PGresult *res = NULL;

		rc = db_query(r->conn, &res, sql, 2, params, e);
		for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
			struct statement_info info;

			if (!st->dir_made) {
				rc = make_dirs(st->dir, e);
				if (rc != 0)
					break;
				atomic_file_clean_stale(st->dir);
				st->dir_made = true;
			}
			rc = info_from_row(&info, res, i, e);
			if (rc == 0)
				rc = stage_statement(r, st, &info, e);
			if (rc == 0)
				rc = stage_add_info(st, &info, e);
		}
		PQclear(res);
	}
	return rc;
}

/* After COMMIT: move the staged files into place. */
static int stage_publish(struct stage *st, struct err *e)
{
	int rc = 0;
	int fd;

	for (size_t i = 0; i < st->nfiles && rc == 0; i++) {
		struct staged *f = &st->files[i];

		if (rename(f->staged_path, f->final_path) != 0) {
			rc = ERR_SET(e, ERR_IO, "cannot rename into '%s': %s", f->final_path,
				     strerror(errno));
			break;
		}
		free(f->staged_path);
		f->staged_path = NULL;
	}
	if (rc == 0 && st->nfiles > 0) {
		fd = open(st->dir, O_RDONLY | O_DIRECTORY);
		if (fd < 0 || fsync(fd) != 0)
			rc = ERR_SET(e, ERR_IO, "cannot sync the directory '%s': %s", st->dir,
				     strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return rc;
}

/* One attempt: settle, stage the files, commit once. */
static int settle_attempt(struct run *r, const struct creditor_list *cl, struct work *w,
			  struct stage *st, struct err *e)
{
	int rc;

	r->issued = 0;
	r->settled = 0;
	rc = db_exec(r->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ", e);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < cl->n && rc == 0; i++) {
		log_progress("creditors settled", i, cl->n);
		rc = settle_creditor(r, &cl->v[i], w, e);
	}
	log_progress_done();
	if (rc == 0)
		rc = stage_files(r, cl, st, e);
	if (rc == 0)
		rc = db_exec(r->conn, "COMMIT", e);
	if (rc != 0) {
		rollback(r->conn);
		stage_discard(st);
	}
	return rc;
}

int settle_run(PGconn *conn, const struct settle_opts *o, struct err *e)
{
	struct creditor_list cl = { NULL, 0 };
	struct stage st;
	struct work w;
	struct run r;
	int32_t first = 0, last = 0;
	bool locked = false;
	int rc;
	int n;

	memset(&w, 0, sizeof(w));
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
		rc = settle_attempt(&r, &cl, &w, &st, e);
		if (rc == 0 || !retryable(e) || attempt >= SETTLE_MAX_ATTEMPTS)
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
	work_release(&w);
	creditor_list_release(&cl);
	return rc;
}

/* ---- case list ---- */

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
	/* status as of the as-of date: a case closed or withdrawn after it was
	 * still open then */
	static const char declare_sql[] =
		"DECLARE settle_cases NO SCROLL CURSOR FOR"
		" SELECT case_id, creditor_reference, debtor_name, status_as_of, original_amount,"
		"  principal, fees, interest, " EPOCH_DAYS("last_transaction_date")
		" FROM (SELECT *, CASE WHEN status <> 'open' AND closed_date > $2::date"
		"                      THEN 'open' ELSE status END AS status_as_of"
		"         FROM cases WHERE creditor_id = $1 AND registered <= $2::date) c"
		" WHERE $3 = 'all' OR status_as_of = $3"
		" ORDER BY creditor_reference COLLATE \"C\", case_id";
	static const char *const filters[] = { "all", "open", "closed", "withdrawn" };
	static const char fetch_sql[] = "FETCH " SETTLE_CHUNK_TEXT " FROM settle_cases";
	struct statement_out out = { file_write, o->out };
	char as_of[DATE_FMT_MAX];
	const char *params[3];
	PGresult *res = NULL;
	bool in_tx = false;
	int rc;

	params[0] = o->creditor_id;
	params[1] = date_format(as_of, sizeof(as_of), o->as_of);
	params[2] = filters[o->filter];
	rc = db_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", e);
	if (rc != 0)
		return rc;
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
			rc = col_i64(res, i, 0, &row.case_id, e);
			if (rc == 0)
				rc = col_i64(res, i, 4, &row.original_amount, e);
			if (rc == 0)
				rc = col_i64(res, i, 5, &row.principal, e);
			if (rc == 0)
				rc = col_i64(res, i, 6, &row.fees, e);
			if (rc == 0)
				rc = col_i64(res, i, 7, &row.interest, e);
			if (rc == 0)
				rc = col_date(res, i, 8, &row.last_transaction_date, e);
			if (rc != 0)
				break;
			row.creditor_reference = col_text(res, i, 1);
			row.debtor_name = col_text(res, i, 2);
			row.status = col_text(res, i, 3);
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
		rollback(conn);
	return rc;
}
