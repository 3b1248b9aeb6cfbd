/* settle.c: monthly settlement against PostgreSQL (SPEC 9). See settle.h
 * for the steps. The run is here: the creditors it covers, their locks,
 * the periods closed for them, the attempts and the commit. The settling
 * pass over the transactions is settle_pass.c, the rows stored besides the
 * lines settle_store.c, the statement files settle_stage.c, the case list
 * (SPEC 9.3) settle_cases.c. */
#include "settle_pass.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "date.h"
#include "db.h"
#include "log.h"
#include "phase.h"
#include "settle_pdf.h"
#include "settle_pg.h"
#include "settle_stage.h"
#include "settle_store.h"
#include "statement.h"

/* Advisory lock namespace of the settlement ('STLM'); the second key is
 * hashtext(creditor_id). A collision only serialises two creditors. */
#define SETTLE_LOCK_CLASS "1398033485"

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
	for (size_t i = 0; cl->v != NULL && i < cl->n; i++) {
		free(cl->v[i].name);
		free(cl->v[i].iban);
	}
	free(cl->v);
	cl->v = NULL;
	cl->n = 0;
}

/* Creditor rows: creditor_id, country, interest_to, commission in bp. */
#define CREDITOR_COLS \
	"c.creditor_id, c.country, c.interest_to, (c.commission_pct * 100)::bigint, c.name, c.iban"

/* Every creditor, or the one asked for: a run covers them all (SPEC 9 v2).
 * Their terms are looked up when their first transaction is booked, so
 * that a creditor with nothing to settle needs no configured country. */
static int load_creditors(struct run *r, struct creditor_list *out, struct err *e)
{
	static const char sql[] =
		"SELECT " CREDITOR_COLS " FROM creditors c"
		" WHERE $1::text IS NULL OR c.creditor_id = $1"
		" ORDER BY c.creditor_id COLLATE \"C\"";
	const struct settle_opts *o = r->o;
	const char *params[1] = { o->creditor_id };
	PGresult *res = NULL;
	int rc;
	int n;

	rc = db_query(r->conn, &res, sql, 1, params, e);
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
		out->n++;
		rc = spg_i64(res, i, 3, &c->commission_bp, e);
		if (rc != 0)
			goto out;
		c->name = strdup(spg_text(res, i, 4));
		c->iban = strdup(spg_text(res, i, 5));
		if (c->name == NULL || c->iban == NULL) {
			rc = ERR_SET(e, ERR_NOMEM, "out of memory");
			goto out;
		}
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

/* On Citus, the loads that write now end first and the next wait (db.h):
 * a session lock, held across the attempts like the creditors'. */
static int lock_ledger(struct run *r, struct err *e)
{
	char got[8];
	bool citus = false;
	int rc = db_citus(r->conn, &citus, e);

	if (rc != 0 || !citus)
		return rc;
	rc = db_value(r->conn, "SELECT pg_try_advisory_lock(" DB_CITUS_LEDGER_LOCK ")", 0, NULL, got, sizeof(got), e);
	if (rc != 0 || got[0] == 't')
		return rc;
	log_info("period %s: waiting for the loads in progress on the Citus cluster to end", r->period);
	return db_value(r->conn, "SELECT pg_advisory_lock(" DB_CITUS_LEDGER_LOCK ")", 0, NULL, NULL, 0, e);
}

static void unlock_creditors(PGconn *conn)
{
	struct err ignored = ERR_INIT;

	(void)db_query(conn, NULL, "SELECT pg_advisory_unlock_all()", 0, NULL, &ignored);
}



/* ---- array literals ("{C1,D1}") sent as one parameter, for tokens
 * that need no quoting (creditor ids, statement numbers, numbers) ---- */

static int arr_begin(struct buf *b, struct err *e)
{
	buf_reset(b);
	return buf_addch(b, '{', e);
}

static int arr_token(struct buf *b, const char *s, struct err *e)
{
	int rc = b->len > 1 ? buf_addch(b, ',', e) : 0;

	return rc == 0 ? buf_addstr(b, s, e) : rc;
}

static int arr_end(struct buf *b, struct err *e)
{
	return buf_addch(b, '}', e);
}

/* Mark the creditors whose period is closed (SPEC 9 v2) and list the
 * others in *open, as an array literal. */
static int close_creditors(struct run *r, struct creditor_list *cl, struct buf *open,
			   struct err *e)
{
	struct store_period sp = { r->period, r->first, r->last, r->as_of };
	struct buf all;
	PGresult *res = NULL;
	size_t k = 0;
	int rc;

	buf_init(&all, SETTLE_BUF_MAX);
	rc = arr_begin(&all, e);
	for (size_t i = 0; i < cl->n && rc == 0; i++)
		rc = arr_token(&all, cl->v[i].id, e);
	if (rc == 0)
		rc = arr_end(&all, e);
	if (rc == 0)
		rc = store_closed_creditors(r->conn, &res, &sp, all.data, e);
	/* both lists are in creditor_id byte order */
	if (rc == 0)
		rc = arr_begin(open, e);
	for (size_t i = 0; i < cl->n && rc == 0; i++) {
		struct creditor *c = &cl->v[i];

		c->closed = k < (size_t)PQntuples(res) && strcmp(spg_text(res, (int)k, 0), c->id) == 0;
		if (c->closed)
			k++;
		else
			rc = arr_token(open, c->id, e);
	}
	if (rc == 0)
		rc = arr_end(open, e);
	if (rc == 0 && k != (size_t)PQntuples(res))
		rc = ERR_SET(e, ERR_DB, "closed periods of unexpected creditors from the database");
	PQclear(res);
	buf_release(&all);
	return rc;
}

/* The balances of the cases booked and the statements of this attempt,
 * with their portfolios. */
static int store_issues(struct run *r, int64_t ncases, struct err *e)
{
	struct store_period sp = { r->period, r->first, r->last, r->as_of };
	struct buf creditors;
	struct buf numbers;
	int rc;

	buf_init(&creditors, SETTLE_BUF_MAX);
	buf_init(&numbers, SETTLE_BUF_MAX);
	rc = store_case_balances(r->conn, &sp, ncases, e);
	phase_mark("update cases");
	if (rc == 0)
		rc = arr_begin(&creditors, e);
	if (rc == 0)
		rc = arr_begin(&numbers, e);
	for (size_t i = 0; i < r->nissues && rc == 0; i++) {
		if (i == 0 || r->issues[i].c != r->issues[i - 1].c)
			rc = arr_token(&creditors, r->issues[i].c->id, e);
		if (rc == 0)
			rc = arr_token(&numbers, r->issues[i].number, e);
	}
	if (rc == 0)
		rc = arr_end(&creditors, e);
	if (rc == 0)
		rc = arr_end(&numbers, e);
	if (rc == 0)
		rc = store_registrations(r->conn, &sp, creditors.data, numbers.data, e);
	phase_mark("count registered cases");
	for (size_t i = 0; i < r->nissues && rc == 0; i++) {
		struct issue *is = &r->issues[i];
		const struct creditor *c = is->c;
		struct store_statement ss = { c->id, is->number, is->currency, c->interest_to,
					      c->commission_bp, &c->params, &is->totals,
					      &is->moves };

		rc = booking_totals_finish(&is->totals, c->params.vat_bp, e);
		if (rc == 0)
			rc = store_statement(r->conn, &sp, &ss, e);
		if (rc == 0) {
			r->issued++;
			r->settled += is->totals.lines;
		} else {
			err_prefix(e, "creditor '%s'", c->id);
		}
	}
	phase_mark("insert statements");
	buf_release(&creditors);
	buf_release(&numbers);
	return rc;
}

/* settlement_runs: every creditor of the list is covered by this run,
 * with what it issued and settled for each (issues are in creditor order). */
static int record_run(struct run *r, const struct creditor_list *cl, struct err *e)
{
	struct store_period sp = { r->period, r->first, r->last, r->as_of };
	struct buf ids;
	struct buf stmts;
	struct buf txs;
	size_t k = 0;
	int rc;

	buf_init(&ids, SETTLE_BUF_MAX);
	buf_init(&stmts, SETTLE_BUF_MAX);
	buf_init(&txs, SETTLE_BUF_MAX);
	rc = arr_begin(&ids, e);
	if (rc == 0)
		rc = arr_begin(&stmts, e);
	if (rc == 0)
		rc = arr_begin(&txs, e);
	for (size_t i = 0; i < cl->n && rc == 0; i++) {
		int64_t nstmt = 0, ntx = 0;
		char num[24];

		for (; k < r->nissues && r->issues[k].c == &cl->v[i]; k++) {
			nstmt++;
			ntx += r->issues[k].totals.lines;
		}
		rc = arr_token(&ids, cl->v[i].id, e);
		snprintf(num, sizeof(num), "%" PRId64, nstmt);
		if (rc == 0)
			rc = arr_token(&stmts, num, e);
		snprintf(num, sizeof(num), "%" PRId64, ntx);
		if (rc == 0)
			rc = arr_token(&txs, num, e);
	}
	if (rc == 0)
		rc = arr_end(&ids, e);
	if (rc == 0)
		rc = arr_end(&stmts, e);
	if (rc == 0)
		rc = arr_end(&txs, e);
	if (rc == 0 && k != r->nissues)
		rc = ERR_SET(e, ERR_DB, "statements out of creditor order");
	if (rc == 0)
		rc = store_run(r->conn, &sp, ids.data, stmts.data, txs.data, e);
	buf_release(&ids);
	buf_release(&stmts);
	buf_release(&txs);
	return rc;
}

/* Settle every creditor of the list whose period is not closed, inside the
 * caller's transaction, and record that the run covered them all. */
static int settle_all(struct run *r, struct creditor_list *cl, struct stage *st,
		      struct err *e)
{
	struct buf open;
	int64_t ncases = 0;
	int rc;

	buf_init(&open, SETTLE_BUF_MAX);
	r->nissues = 0;
	r->closed = 0;
	for (size_t i = 0; i < cl->n; i++)
		cl->v[i].nlines = 0;
	rc = close_creditors(r, cl, &open, e);
	for (size_t i = 0; i < cl->n && rc == 0; i++)
		r->closed += cl->v[i].closed;
	if (rc == 0 && r->closed < cl->n)
		rc = pass_book(r, cl, st, open.data, &ncases, e);
	if (rc == 0 && r->nissues > 0)
		rc = store_issues(r, ncases, e);
	if (rc == 0)
		rc = record_run(r, cl, e);
	buf_release(&open);
	return rc;
}

/* One attempt: settle, stage the files, commit once. */
static int settle_attempt(struct run *r, struct creditor_list *cl, struct stage *st,
			  struct err *e)
{
	int rc;

	r->issued = 0;
	r->settled = 0;
	phase_mark(NULL);
	rc = db_exec(r->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ", e);
	if (rc != 0)
		return rc;
	rc = settle_all(r, cl, st, e);
	for (size_t i = 0; i < cl->n && rc == 0; i++)
		rc = stage_creditor(st, r->conn, r->period, cl->v[i].id, e);
	if (rc == 0)
		rc = stage_pdfs(st, e);
	if (rc == 0)
		rc = stage_check_spools(st, r->period, e);
	phase_mark("render and sync the files");
	if (rc == 0)
		rc = db_exec(r->conn, "COMMIT", e);
	phase_mark("commit");
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
	stage_init(&st);
	st.conf = o->conf;
	st.no_pdf = o->no_pdf;
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
	if (rc == 0)
		rc = lock_ledger(&r, e);
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
	log_info("period %s: %" PRId64 " statement%s issued, %" PRId64 " transaction%s settled"
		 " (%zu creditor%s covered, %zu of them closed for the period before)",
		 r.period, r.issued, r.issued == 1 ? "" : "s", r.settled, r.settled == 1 ? "" : "s", cl.n,
		 cl.n == 1 ? "" : "s", r.closed);
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

