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

/* Read buffer of a spool of lines. */
#define ROWS_READ_BUF ((size_t)256 * 1024)

/* The account a creditor is asked to pay the negative net payout of a
 * statement in currency to: the agency's account of the currency,
 * checked for a QR-bill in CHF and EUR (ERR_CONFIG naming the key);
 * NULL for a net payout that is not negative, or another currency with
 * no account configured. */
static int pay_account(const char **out, const struct config *conf, const char *number,
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
		" SELECT c.creditor_id, $2, $3, $4, c.name, c.iban, $5 FROM creditors c"
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

		rc = pay_account(&account, conf, number, spg_text(res, i, 1),
				 strcmp(spg_text(res, i, 2), "t") == 0, e);
		if (rc == 0) {
			const char *p[5] = { creditor_id, number, conf->agency.name,
					     conf->agency.address, account };

			rc = db_query(conn, &ins, insert_sql, 5, p, e);
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

/* ---- the PDFs of a run, rendered by a few threads ---- */

/* A PDF to render: the statement, its document's texts (copied: the
 * query's result is gone by then), its spooled lines. */
struct pdf_job {
	struct statement_info info;
	struct pdf_parties parties; /* texts point into text */
	char *text;
	size_t spool; /* index in st->spools */
	int rc;
	struct err err;
};

/* Threads rendering the PDFs of a run: one per core, at most this many. */
#define PDF_THREADS_MAX 4

struct pdf_pool {
	struct stage *st;
	pthread_mutex_t lock; /* next, failed, st->pub */
	size_t next;          /* the next job to take */
	bool failed;          /* a job failed: take no more */
};

static void job_release(struct pdf_job *j)
{
	free(j->text);
	j->text = NULL;
}

int stage_pdf(struct stage *st, const struct statement_info *info,
	      const struct pdf_parties *parties, size_t index, struct err *e)
{
	const char *src[5] = { parties->agency_name, parties->agency_address,
			       parties->creditor_name, parties->creditor_iban,
			       parties->pay_account ? parties->pay_account : "" };
	const char **dst[5];
	struct pdf_job *j;
	size_t len = 0, off = 0;

	if (st->spools[index].lines != info->totals.lines)
		return ERR_SET(e, ERR_DB, "statement '%s': %" PRId64 " lines spooled, %" PRId64
			       " stored", info->number, st->spools[index].lines, info->totals.lines);
	if (st->njobs == st->jobs_cap) {
		size_t cap = st->jobs_cap ? st->jobs_cap * 2 : 16;
		struct pdf_job *p = realloc(st->jobs, cap * sizeof(*p));

		if (p == NULL)
			return ERR_SET(e, ERR_NOMEM, "out of memory");
		st->jobs = p;
		st->jobs_cap = cap;
	}
	j = &st->jobs[st->njobs];
	memset(j, 0, sizeof(*j));
	for (int i = 0; i < 5; i++)
		len += strlen(src[i]) + 1;
	j->text = malloc(len);
	if (j->text == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	j->info = *info;
	j->parties = *parties;
	dst[0] = &j->parties.agency_name;
	dst[1] = &j->parties.agency_address;
	dst[2] = &j->parties.creditor_name;
	dst[3] = &j->parties.creditor_iban;
	dst[4] = &j->parties.pay_account;
	for (int i = 0; i < 5; i++) {
		size_t n = strlen(src[i]) + 1;

		memcpy(j->text + off, src[i], n);
		*dst[i] = j->text + off;
		off += n;
	}
	if (parties->pay_account == NULL)
		j->parties.pay_account = NULL;
	j->spool = index;
	err_clear(&j->err);
	st->njobs++;
	return 0;
}

/* Render one PDF from its spool into its staged file; the spool goes. */
static int render_job(struct pdf_pool *pool, struct pdf_fonts *fonts, struct pdf_job *j)
{
	struct stage *st = pool->st;
	struct spooled *sd = &st->spools[j->spool];
	struct rows_in in = { NULL, sd->path, { NULL, 0, 0, 0 } };
	struct pdf_source src = { rows_rewind, rows_next, &in };
	struct err *e = &j->err;
	struct outfile f;
	char *rbuf = NULL;
	int rc = 0;

	buf_init(&in.rec, PDF_ROW_MAX + 16);
	outfile_init(&f);
	in.fp = fopen(sd->path, "rb");
	rbuf = malloc(ROWS_READ_BUF);
	if (in.fp == NULL)
		rc = ERR_SET(e, ERR_IO, "cannot open '%s': %s", sd->path, strerror(errno));
	else if (rbuf == NULL || setvbuf(in.fp, rbuf, _IOFBF, ROWS_READ_BUF) != 0)
		rc = ERR_SET(e, ERR_NOMEM, "out of memory");
	if (rc == 0) {
		pthread_mutex_lock(&pool->lock);
		rc = outfile_open(&f, st, &j->info, "pdf", e);
		pthread_mutex_unlock(&pool->lock);
	}
	if (rc == 0)
		rc = pdf_statement_write(fonts, &j->info, &j->parties, &src, pdf_out, &f, e);
	if (rc == 0)
		rc = outfile_commit(&f, e);
	outfile_close(&f);
	if (in.fp != NULL)
		fclose(in.fp);
	free(rbuf);
	buf_release(&in.rec);
	if (rc == 0) {
		unlink(sd->path);
		free(sd->path);
		sd->path = NULL;
	}
	return rc;
}

/* A thread: fonts of its own (pango's are not to be shared), then jobs
 * until there are none or one failed. */
static void *worker(void *arg)
{
	struct pdf_pool *pool = arg;
	struct stage *st = pool->st;
	struct pdf_fonts fonts;
	struct err ferr = ERR_INIT;
	int frc = pdf_fonts_init(&fonts, &ferr);

	for (;;) {
		struct pdf_job *j;

		pthread_mutex_lock(&pool->lock);
		j = !pool->failed && pool->next < st->njobs ? &st->jobs[pool->next++] : NULL;
		pthread_mutex_unlock(&pool->lock);
		if (j == NULL)
			break;
		if (frc != 0) {
			j->err = ferr;
			j->rc = frc;
		} else {
			j->rc = render_job(pool, &fonts, j);
		}
		if (j->rc != 0) {
			pthread_mutex_lock(&pool->lock);
			pool->failed = true;
			pthread_mutex_unlock(&pool->lock);
		}
	}
	pdf_fonts_release(&fonts);
	return NULL;
}

static size_t pool_threads(size_t jobs)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cores > 0 ? (size_t)cores : 1;

	n = n < PDF_THREADS_MAX ? n : PDF_THREADS_MAX;
	return n < jobs ? n : jobs;
}

int stage_pdfs(struct stage *st, struct err *e)
{
	struct pdf_pool pool = { st, PTHREAD_MUTEX_INITIALIZER, 0, false };
	pthread_t threads[PDF_THREADS_MAX];
	size_t nthreads = pool_threads(st->njobs), started = 0;
	int rc = 0;

	if (st->njobs == 0)
		return 0;
	/* cairo records each page in large blocks and frees them when the page
	 * is written: served by mmap, every page costs fresh zeroed pages from
	 * the kernel (a sixth of the time); from the heap they are reused */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	/* one thread here does the work itself (and a failure to start the
	 * others leaves it to the ones that did start) */
	for (size_t i = 1; i < nthreads; i++) {
		if (pthread_create(&threads[started], NULL, worker, &pool) != 0)
			break;
		started++;
	}
	worker(&pool);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&pool.lock);
	/* the first failure in the order of the statements */
	for (size_t i = 0; i < st->njobs && rc == 0; i++) {
		if (st->jobs[i].rc != 0) {
			*e = st->jobs[i].err;
			rc = e->code;
		}
	}
	stage_pdfs_clear(st);
	return rc;
}

void stage_pdfs_clear(struct stage *st)
{
	for (size_t i = 0; i < st->njobs; i++)
		job_release(&st->jobs[i]);
	st->njobs = 0;
}
