/* settle_pdf.c: the PDF of each statement, staged (settle_pdf.h). */
#include "settle_pdf.h"

#include <errno.h>
#include <malloc.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "pdf_rows.h"
#include "qrbill.h"
#include "settle_pg.h"

/* The creditor's name and IBAN a PDF begun for the statement shows, or
 * NULLs when none is begun. */
static void begun_creditor(struct stage *st, const char *number, const char **name,
			   const char **iban);

/* Threads rendering the PDFs of a run: one per core, at most this many. */
#define PDF_THREADS_MAX 4

/* Read buffer of a spool of lines. */
#define ROWS_READ_BUF ((size_t)256 * 1024)

/* The account a creditor is asked to pay the negative net payout of a
 * statement in currency to: the agency's account of the currency,
 * checked for a QR-bill in CHF and EUR (ERR_CONFIG naming the key);
 * NULL for a net payout that is not negative, or another currency with
 * no account configured. */
int stage_pay_account(const char **out, const struct config *conf, const char *number,
		      const char *currency, bool owes, struct err *e)
{
	struct statement_info probe;
	struct qrbill bill;

	*out = NULL;
	if (!owes)
		return 0;
	*out = config_agency_account(conf, currency);
	memset(&probe, 0, sizeof(probe));
	snprintf(probe.currency, sizeof(probe.currency), "%s", currency);
	probe.totals.net_payout = -1;
	if (!pdf_statement_has_bill(&probe))
		return 0;
	if (*out == NULL)
		return ERR_SET(e, ERR_CONFIG,
			       "configuration '%s': the QR-bill of statement '%s' needs [agency] account.%s",
			       conf->path, number, currency);
	/* the bill as the PDF will make it (any id will do) */
	if (qrbill_make(&bill, *out, conf->agency.name, conf->agency.address, currency, 1, 1,
			number, e) != 0)
		return err_prefix(e, "configuration '%s': the QR-bill of statement '%s'", conf->path,
				  number);
	return 0;
}

int stage_documents(struct stage *st, PGconn *conn, const char *creditor_id,
		    const char *period, struct err *e)
{
	static const char missing_sql[] =
		"SELECT s.statement_number, s.currency, s.net_payout < 0 FROM statements s"
		" WHERE s.creditor_id = $1 AND s.period = $2 AND NOT EXISTS"
		"  (SELECT 1 FROM statement_documents d WHERE d.creditor_id = s.creditor_id"
		"   AND d.statement_number = s.statement_number)"
		" ORDER BY s.currency";
	static const char insert_sql[] =
		"INSERT INTO statement_documents (creditor_id, statement_number, agency_name,"
		"  agency_address, creditor_name, creditor_iban, pay_account)"
		" SELECT c.creditor_id, $2, $3, $4, coalesce($6, c.name), coalesce($7, c.iban), $5"
		" FROM creditors c"
		" WHERE c.creditor_id = $1";
	const struct config *conf = st->conf;
	const char *params[2] = { creditor_id, period };
	PGresult *res = NULL;
	int rc;

	rc = db_query(conn, &res, missing_sql, 2, params, e);
	if (rc == 0 && PQntuples(res) > 0) {
		if (conf->agency.name[0] == '\0')
			rc = ERR_SET(e, ERR_CONFIG, "configuration '%s': PDF statements need [agency] name",
				     conf->path);
		else if (conf->agency.address[0] == '\0')
			rc = ERR_SET(e, ERR_CONFIG,
				     "configuration '%s': PDF statements need [agency] address",
				     conf->path);
	}
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		const char *number = spg_text(res, i, 0);
		const char *account = NULL;
		PGresult *ins = NULL;

		const char *cname = NULL, *ciban = NULL;

		begun_creditor(st, number, &cname, &ciban);
		rc = stage_pay_account(&account, conf, number, spg_text(res, i, 1),
				       strcmp(spg_text(res, i, 2), "t") == 0, e);
		if (rc == 0) {
			/* a PDF begun while the lines were booked shows the creditor
			 * as the run read it: its document says the same */
			const char *p[7] = { creditor_id, number, conf->agency.name, conf->agency.address,
					     account, cname, ciban };

			rc = db_query(conn, &ins, insert_sql, 7, p, e);
		}
		if (rc == 0)
			rc = spg_check_count(ins, 1, "statement document", e);
		PQclear(ins);
	}
	PQclear(res);
	return rc;
}

int stage_parties(struct pdf_parties *p, const PGresult *res, int i, int col, struct err *e)
{
	memset(p, 0, sizeof(*p));
	p->agency_name = spg_text(res, i, col);
	p->agency_address = spg_text(res, i, col + 1);
	p->creditor_name = spg_text(res, i, col + 2);
	p->creditor_iban = spg_text(res, i, col + 3);
	p->pay_account = PQgetisnull(res, i, col + 5) ? NULL : spg_text(res, i, col + 5);
	return spg_i64(res, i, col + 4, &p->statement_id, e);
}

/* ---- the spooled lines as the PDF's source ---- */

struct rows_in {
	FILE *fp;
	const char *path;
	struct buf rec;
};

static int rows_rewind(void *ctx, struct err *e)
{
	struct rows_in *in = ctx;

	if (fseek(in->fp, 0, SEEK_SET) != 0)
		return ERR_SET(e, ERR_IO, "cannot read '%s': %s", in->path, strerror(errno));
	clearerr(in->fp);
	return 0;
}

static int rows_next(void *ctx, struct statement_row *row, bool *end, struct err *e)
{
	struct rows_in *in = ctx;
	int rc = pdf_rows_read(in->fp, &in->rec, row, end, e);

	return rc == 0 ? 0 : err_prefix(e, "'%s'", in->path);
}

static int pdf_out(void *ctx, const void *data, size_t len, struct err *e)
{
	return outfile_write(ctx, data, len, e);
}

/* ---- the PDFs of a run, rendered by a few threads ----
 *
 * A statement of this run is queued (stage_pdf_begin) as soon as its lines
 * are booked, before its statement row exists: the early thread draws its
 * table pages while the database works on the rest of the run (booking the
 * next creditors, the case balances, the registered cases: a minute of
 * 1,000,000 transactions in which the client waits), then sets it aside
 * (suspended: its cairo document and staged file open) until the statement
 * row and its document are there (stage_pdf_final) and draws the summary.
 * Suspended documents are the early thread's, drawn with its fonts (a
 * document is drawn with one set of fonts, so that its bytes do not depend
 * on the thread); at most PDF_SUSPENDED_MAX at a time. A statement issued
 * before is queued complete (stage_pdf). stage_pdfs() starts one more
 * thread per core for the rest and waits for all. */

/* Most documents the early thread keeps suspended (each holds a staged
 * file and its buffer). */
#define PDF_SUSPENDED_MAX 32

enum job_state { JOB_QUEUED, JOB_SUSPENDED, JOB_DONE };

struct pdf_job {
	struct statement_info info;  /* as known when queued */
	struct pdf_parties parties;  /* texts point into text */
	char *text;
	struct statement_info final_info; /* from the statement row */
	struct pdf_parties final_parties; /* texts point into final_text */
	char *final_text;
	bool final;        /* final_info and final_parties are set */
	char *spool;       /* the spooled lines (the job owns the file) */
	enum job_state state;
	struct pdf_render *render; /* suspended */
	struct outfile out;        /* from the start of drawing to its end */
	int rc;
	struct err err;
};

struct pdf_pool {
	struct stage *st;
	pthread_mutex_t lock; /* everything below */
	pthread_cond_t cond;  /* a job was queued, got its final or was done */
	struct pdf_job **jobs;
	size_t njobs;
	size_t cap;
	size_t next;      /* the next queued job to take, in order */
	size_t suspended; /* jobs suspended by the early thread */
	size_t finals;    /* where stage_pdf_final looks first */
	bool closing;     /* every final is posted: finish and stop */
	bool cancel;      /* the attempt failed: stop */
	bool early;       /* the early thread runs */
	pthread_t early_thread;
	pthread_t threads[PDF_THREADS_MAX];
	size_t nthreads;
};

/* "a\0b\0..." for the parties' texts, each pointer moved into it. */
static int copy_parties(struct pdf_parties *dst, char **text, const struct pdf_parties *src,
			struct err *e)
{
	const char *v[5] = { src->agency_name, src->agency_address, src->creditor_name,
			     src->creditor_iban, src->pay_account ? src->pay_account : "" };
	const char **to[5] = { &dst->agency_name, &dst->agency_address, &dst->creditor_name,
			       &dst->creditor_iban, &dst->pay_account };
	size_t len = 0, off = 0;

	for (int i = 0; i < 5; i++)
		len += strlen(v[i]) + 1;
	*text = malloc(len);
	if (*text == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	*dst = *src;
	for (int i = 0; i < 5; i++) {
		size_t n = strlen(v[i]) + 1;

		memcpy(*text + off, v[i], n);
		*to[i] = *text + off;
		off += n;
	}
	if (src->pay_account == NULL)
		dst->pay_account = NULL;
	return 0;
}

static void job_free(struct pdf_job *j)
{
	if (j == NULL)
		return;
	pdf_render_abort(j->render);
	outfile_close(&j->out);
	if (j->spool != NULL)
		unlink(j->spool);
	free(j->spool);
	free(j->text);
	free(j->final_text);
	free(j);
}

static struct pdf_job *find_job(struct stage *st, const char *number)
{
	struct pdf_pool *pool = st->pdf;

	for (size_t k = 0; pool != NULL && k < pool->njobs; k++) {
		size_t i = (pool->finals + k) % pool->njobs;

		if (strcmp(pool->jobs[i]->info.number, number) == 0)
			return pool->jobs[i];
	}
	return NULL;
}

static void begun_creditor(struct stage *st, const char *number, const char **name,
			   const char **iban)
{
	const struct pdf_job *j = find_job(st, number);

	*name = j != NULL ? j->parties.creditor_name : NULL;
	*iban = j != NULL ? j->parties.creditor_iban : NULL;
}

/* Read the spooled lines into a render begun, or drawn whole with final. */
static int draw_job(struct pdf_pool *pool, struct pdf_fonts *fonts, struct pdf_job *j)
{
	struct rows_in in = { NULL, j->spool, { NULL, 0, 0, 0 } };
	struct pdf_source src = { rows_rewind, rows_next, &in };
	struct err *e = &j->err;
	char *rbuf = malloc(ROWS_READ_BUF);
	int rc = 0;

	buf_init(&in.rec, PDF_ROW_MAX + 16);
	in.fp = fopen(j->spool, "rb");
	if (in.fp == NULL)
		rc = ERR_SET(e, ERR_IO, "cannot open '%s': %s", j->spool, strerror(errno));
	else if (rbuf == NULL || setvbuf(in.fp, rbuf, _IOFBF, ROWS_READ_BUF) != 0)
		rc = ERR_SET(e, ERR_NOMEM, "out of memory");
	if (rc == 0)
		rc = outfile_open(&j->out, pool->st, &j->info, "pdf", e);
	if (rc == 0)
		rc = pdf_render_begin(&j->render, fonts, &j->info, &j->parties, &src, pdf_out, &j->out,
				      e);
	if (in.fp != NULL)
		fclose(in.fp);
	free(rbuf);
	buf_release(&in.rec);
	return rc;
}

/* Draw the summary of a begun render and stage the file. */
static int finish_job(struct pdf_job *j)
{
	struct pdf_render *r = j->render;
	int rc;

	j->render = NULL;
	rc = pdf_render_finish(r, &j->final_info, &j->final_parties, &j->err);
	if (rc == 0)
		rc = outfile_commit(&j->out, &j->err);
	outfile_close(&j->out);
	if (rc == 0) {
		unlink(j->spool);
		free(j->spool);
		j->spool = NULL;
	}
	return rc;
}

/* What a thread does next, under the lock: a suspended job of its own
 * whose final came, else the next queued one (one without its final only
 * for the early thread, and only while it may suspend more). */
static struct pdf_job *take(struct pdf_pool *pool, bool early)
{
	if (pool->cancel)
		return NULL;
	for (size_t i = 0; early && pool->suspended > 0 && i < pool->next; i++) {
		struct pdf_job *j = pool->jobs[i];

		if (j->state == JOB_SUSPENDED && j->final)
			return j;
	}
	if (pool->next < pool->njobs) {
		struct pdf_job *j = pool->jobs[pool->next];

		if (j->final || (early && pool->suspended < PDF_SUSPENDED_MAX)) {
			pool->next++;
			return j;
		}
	}
	return NULL;
}

/* Done with the thread: nothing to take and none will come. */
static bool idle_for_good(const struct pdf_pool *pool, bool early)
{
	return pool->cancel ||
	       (pool->closing && pool->next >= pool->njobs && (!early || pool->suspended == 0));
}

static void run_jobs(struct pdf_pool *pool, bool early)
{
	struct pdf_fonts fonts;
	struct err ferr = ERR_INIT;
	int frc = pdf_fonts_init(&fonts, &ferr);

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		struct pdf_job *j = take(pool, early);
		bool resume;

		if (j == NULL) {
			if (idle_for_good(pool, early))
				break;
			pthread_cond_wait(&pool->cond, &pool->lock);
			continue;
		}
		resume = j->state == JOB_SUSPENDED;
		if (resume)
			pool->suspended--;
		pthread_mutex_unlock(&pool->lock);
		if (frc != 0) {
			j->err = ferr;
			j->rc = frc;
		} else if (!resume) {
			j->rc = draw_job(pool, &fonts, j);
		}
		pthread_mutex_lock(&pool->lock);
		if (j->rc == 0 && !j->final) {
			/* the statement row is not there yet */
			j->state = JOB_SUSPENDED;
			pool->suspended++;
			continue;
		}
		pthread_mutex_unlock(&pool->lock);
		if (j->rc == 0)
			j->rc = finish_job(j);
		pthread_mutex_lock(&pool->lock);
		j->state = JOB_DONE;
		pthread_cond_broadcast(&pool->cond);
	}
	pthread_mutex_unlock(&pool->lock);
	pdf_fonts_release(&fonts);
}

static void *early_main(void *arg)
{
	run_jobs(arg, true);
	return NULL;
}

static void *pool_main(void *arg)
{
	run_jobs(arg, false);
	return NULL;
}

static int pool_get(struct stage *st, struct pdf_pool **out, struct err *e)
{
	struct pdf_pool *pool = st->pdf;

	if (pool == NULL) {
		pool = calloc(1, sizeof(*pool));
		if (pool == NULL)
			return ERR_SET(e, ERR_NOMEM, "out of memory");
		pool->st = st;
		pthread_mutex_init(&pool->lock, NULL);
		pthread_cond_init(&pool->cond, NULL);
		st->pdf = pool;
	}
	*out = pool;
	return 0;
}

/* Queue a job for the spool st->spools[index] (the job takes the file). */
static int queue(struct stage *st, const struct statement_info *info,
		 const struct pdf_parties *parties, size_t index, bool final, struct err *e)
{
	struct spooled *sd = &st->spools[index];
	struct pdf_pool *pool = NULL;
	struct pdf_job *j;
	int rc;

	if (sd->lines != info->totals.lines)
		return ERR_SET(e, ERR_DB, "statement '%s': %" PRId64 " lines spooled, %" PRId64
			       " stored", info->number, sd->lines, info->totals.lines);
	rc = pool_get(st, &pool, e);
	if (rc != 0 || pool == NULL)
		return rc;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	outfile_init(&j->out);
	j->info = *info;
	rc = copy_parties(&j->parties, &j->text, parties, e);
	if (rc == 0 && final) {
		j->final_info = *info;
		rc = copy_parties(&j->final_parties, &j->final_text, parties, e);
		j->final = true;
	}
	pthread_mutex_lock(&pool->lock);
	if (rc == 0 && pool->njobs == pool->cap) {
		size_t cap = pool->cap ? pool->cap * 2 : 64;
		struct pdf_job **p = realloc(pool->jobs, cap * sizeof(pool->jobs[0]));

		if (p == NULL)
			rc = ERR_SET(e, ERR_NOMEM, "out of memory");
		else {
			pool->jobs = p;
			pool->cap = cap;
		}
	}
	if (rc == 0) {
		/* the job owns the spool from now on */
		j->spool = sd->path;
		sd->path = NULL;
		pool->jobs[pool->njobs++] = j;
		pthread_cond_broadcast(&pool->cond);
	}
	pthread_mutex_unlock(&pool->lock);
	if (rc != 0) {
		job_free(j);
		return rc;
	}
	if (!final && !pool->early) {
		if (pthread_create(&pool->early_thread, NULL, early_main, pool) == 0)
			pool->early = true; /* else the threads of stage_pdfs do it all */
	}
	return 0;
}

int stage_pdf_begin(struct stage *st, const struct statement_info *info,
		    const struct pdf_parties *parties, size_t index, struct err *e)
{
	return queue(st, info, parties, index, false, e);
}

int stage_pdf(struct stage *st, const struct statement_info *info,
	      const struct pdf_parties *parties, size_t index, struct err *e)
{
	return queue(st, info, parties, index, true, e);
}

int stage_pdf_final(struct stage *st, const struct statement_info *info,
		    const struct pdf_parties *parties, struct err *e)
{
	struct pdf_pool *pool = st->pdf;
	struct pdf_job *j = find_job(st, info->number);
	int rc;

	if (j == NULL || j->final)
		return ERR_SET(e, ERR_DB, "statement '%s' has no PDF begun", info->number);
	/* the job's final texts are its own until it is done */
	pthread_mutex_lock(&pool->lock);
	j->final_info = *info;
	rc = copy_parties(&j->final_parties, &j->final_text, parties, e);
	j->final = rc == 0;
	for (size_t i = 0; i < pool->njobs; i++)
		if (pool->jobs[i] == j)
			pool->finals = i + 1;
	pthread_cond_broadcast(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
	return rc;
}

/* Stop every thread (they finish the page they draw) and forget the jobs,
 * removing their files. */
static void pool_stop(struct pdf_pool *pool, bool cancel)
{
	pthread_mutex_lock(&pool->lock);
	pool->cancel = pool->cancel || cancel;
	pool->closing = true;
	pthread_cond_broadcast(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
	for (size_t i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	pool->nthreads = 0;
	if (pool->early)
		pthread_join(pool->early_thread, NULL);
	pool->early = false;
}

int stage_pdfs(struct stage *st, struct err *e)
{
	struct pdf_pool *pool = st->pdf;
	size_t want;
	int rc = 0;

	if (pool == NULL || pool->njobs == 0)
		return 0;
	/* a PDF begun for a statement that was not stored */
	for (size_t i = 0; i < pool->njobs && rc == 0; i++)
		if (!pool->jobs[i]->final)
			rc = ERR_SET(e, ERR_DB, "statement '%s' not stored", pool->jobs[i]->info.number);
	if (rc != 0) {
		stage_pdfs_clear(st);
		return rc;
	}
	/* One thread draws at a time: the early one, else one of these. Fonts
	 * of two threads drawing at once (each its own fontconfig and pango
	 * map, over cairo's process-wide cache of font files) made a document
	 * embed DejaVu Sans twice now and then, so a re-run's bytes differed
	 * (seen under load in 57_settle_v2_months); until that is understood,
	 * byte-identical PDFs come before the time saved by a second core. */
	want = pool->early ? 0 : 1;
	pthread_mutex_lock(&pool->lock);
	pool->closing = true;
	pthread_cond_broadcast(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
	for (size_t i = 0; i < want; i++) {
		if (pthread_create(&pool->threads[pool->nthreads], NULL, pool_main, pool) != 0)
			break;
		pool->nthreads++;
	}
	if (pool->nthreads == 0 && !pool->early)
		run_jobs(pool, false);
	pool_stop(pool, false);
	/* the first failure in the order of the statements */
	for (size_t i = 0; i < pool->njobs && rc == 0; i++) {
		if (pool->jobs[i]->rc != 0) {
			*e = pool->jobs[i]->err;
			rc = e->code;
		} else if (pool->jobs[i]->state != JOB_DONE) {
			rc = ERR_SET(e, ERR_DB, "the PDF of statement '%s' was not drawn",
				     pool->jobs[i]->info.number);
		}
	}
	stage_pdfs_clear(st);
	return rc;
}

void stage_pdfs_clear(struct stage *st)
{
	struct pdf_pool *pool = st->pdf;

	if (pool == NULL)
		return;
	pool_stop(pool, true);
	for (size_t i = 0; i < pool->njobs; i++)
		job_free(pool->jobs[i]);
	free(pool->jobs);
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->cond);
	free(pool);
	st->pdf = NULL;
}
