/* settle.c: monthly settlement against PostgreSQL (SPEC 9) and the case
 * list (SPEC 9.3). See settle.h for the steps.
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
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
/* Largest buffer of this file: an array literal sent in one parameter, one
 * COPY row, one chunk's case balances. */
#define SETTLE_BUF_MAX ((size_t)8 << 20)
/* Case balances kept in memory before they go to a temporary file. */
#define SETTLE_CASES_SPILL ((size_t)256 * 1024)
/* Output buffer of each statement file. */
#define SETTLE_FILE_BUF ((size_t)256 * 1024)
/* Memory of the sorts of the settling pass (SET LOCAL work_mem). */
#define SETTLE_WORK_MEM "64MB"

#define EPOCH_DAYS(col) "(" col " - DATE '1970-01-01')"

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

/* ---- byte buffers: array literals for parameters, COPY rows ---- */

struct sbuf {
	char *data; /* NUL-terminated */
	size_t len;
	size_t cap;
	bool failed; /* sticky: over SETTLE_BUF_MAX or out of memory */
};

static void sbuf_put(struct sbuf *a, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (a->failed)
		return;
	if (n + 1 > SETTLE_BUF_MAX - a->len) {
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

static void sbuf_putc(struct sbuf *a, char c)
{
	if (!a->failed && a->len + 2 <= a->cap) {
		a->data[a->len++] = c;
		a->data[a->len] = '\0';
	} else {
		sbuf_put(a, &c, 1);
	}
}

static void sbuf_reset(struct sbuf *a)
{
	a->len = 0;
	a->failed = false;
	if (a->data != NULL)
		a->data[0] = '\0';
}

static void sbuf_release(struct sbuf *a)
{
	free(a->data);
	memset(a, 0, sizeof(*a));
}

static int sbuf_check(const struct sbuf *a, struct err *e)
{
	if (a->failed)
		return ERR_SET(e, ERR_LIMIT, "buffer over %zu bytes or out of memory", SETTLE_BUF_MAX);
	return 0;
}

static void sbuf_i64(struct sbuf *a, int64_t v)
{
	char buf[24];
	char *end = buf + sizeof(buf);
	char *p = end;
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag != 0);
	if (v < 0)
		*--p = '-';
	sbuf_put(a, p, (size_t)(end - p));
}

/* Array literals ("{a,b}"), only for tokens that need no quoting
 * (creditor ids, statement numbers). */
static void arr_begin(struct sbuf *a)
{
	sbuf_reset(a);
	sbuf_putc(a, '{');
}

static void arr_token(struct sbuf *a, const char *s)
{
	if (a->len > 1)
		sbuf_putc(a, ',');
	sbuf_put(a, s, strlen(s));
}

static void arr_end(struct sbuf *a)
{
	sbuf_putc(a, '}');
}

/* COPY text format: fields separated by tabs, \N for NULL, a backslash,
 * tab, newline or carriage return in text escaped. */
static void copy_text(struct sbuf *a, const char *s)
{
	for (;;) {
		size_t run = strcspn(s, "\\\t\n\r");

		sbuf_put(a, s, run);
		s += run;
		switch (*s) {
		case '\0': return;
		case '\\': sbuf_put(a, "\\\\", 2); break;
		case '\t': sbuf_put(a, "\\t", 2); break;
		case '\n': sbuf_put(a, "\\n", 2); break;
		default: sbuf_put(a, "\\r", 2); break;
		}
		s++;
	}
}

static void copy_i64(struct sbuf *a, int64_t v)
{
	sbuf_putc(a, '\t');
	sbuf_i64(a, v);
}

/* A date as days since the epoch, \N when not set. */
static void copy_days(struct sbuf *a, int32_t days)
{
	sbuf_putc(a, '\t');
	if (days == BOOKING_NO_DATE)
		sbuf_put(a, "\\N", 2);
	else
		sbuf_i64(a, days);
}

/* A date as YYYY-MM-DD. */
static void copy_date(struct sbuf *a, int32_t days)
{
	char buf[DATE_FMT_MAX];

	date_format(buf, sizeof(buf), days);
	sbuf_putc(a, '\t');
	sbuf_put(a, buf, strlen(buf));
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

/* ---- files ----
 *
 * Statement files are staged inside the settling transaction:
 * "<final>.tmp.<pid>.staged" beside their final names, written whole and
 * fsync'd by atomic_file. Only after COMMIT are they renamed into place;
 * any failure before that rolls back and removes them, so an I/O failure
 * issues nothing. Staged and spooled files of a run that died are removed
 * by atomic_file_clean_stale().
 *
 * A statement issued by this run is rendered while its lines are booked
 * (the main connection's server process is the bottleneck then, not this
 * one): its CSV rows and XML <line> elements go to two spools
 * ("<final>.tmp.<pid>.XXXXXX", never synced) that stage_files() frames
 * with the header, the portfolio and the totals once the statement row
 * exists. A statement issued before is rendered from the stored rows. The
 * rendering functions and the values are the same either way, so a re-run
 * rewrites the same bytes. */

struct staged {
	char *staged_path;
	char *final_path;
};

/* The CSV rows or XML lines of a statement of this run, waiting for
 * their frame. */
struct spooled {
	char *path;
	char creditor_id[24];
	char currency[4];
	char ext[4]; /* "csv" or "xml" */
	int64_t lines;
};

struct stage {
	struct staged *files;
	size_t nfiles;
	size_t cap;
	struct spooled *spools; /* in creditor order, as the settling pass made them */
	size_t nspools;
	size_t spools_cap;
	struct statement_info *infos; /* for the stdout lines, in order */
	size_t ninfos;
	size_t infos_cap;
	char dir[4096];
	bool dir_made;
	char made[4096]; /* the outermost directory this attempt created, "" if none */
};

static void stage_discard(struct stage *st)
{
	for (size_t i = 0; i < st->nfiles; i++) {
		if (st->files[i].staged_path != NULL)
			unlink(st->files[i].staged_path);
		free(st->files[i].staged_path);
		free(st->files[i].final_path);
	}
	for (size_t i = 0; i < st->nspools; i++) {
		if (st->spools[i].path != NULL)
			unlink(st->spools[i].path);
		free(st->spools[i].path);
	}
	st->nfiles = 0;
	st->nspools = 0;
	st->ninfos = 0;
}

/* After a failed attempt: remove the directories it created, when empty
 * (a run that issues nothing leaves nothing behind). */
static void stage_unmake_dir(struct stage *st)
{
	char buf[sizeof(st->dir)];

	if (st->made[0] != '\0') {
		memcpy(buf, st->dir, sizeof(buf));
		while (rmdir(buf) == 0 && strcmp(buf, st->made) != 0) {
			char *slash = strrchr(buf, '/');

			if (slash == NULL || slash == buf)
				break;
			*slash = '\0';
		}
	}
	st->made[0] = '\0';
	st->dir_made = false;
}

static void stage_release(struct stage *st)
{
	stage_discard(st);
	free(st->files);
	free(st->spools);
	free(st->infos);
	st->files = NULL;
	st->spools = NULL;
	st->infos = NULL;
	st->cap = 0;
	st->spools_cap = 0;
	st->infos_cap = 0;
}

/* The statement directory, made on first use. */
static int stage_dir(struct stage *st, struct err *e)
{
	char buf[sizeof(st->dir)];
	size_t n = strlen(st->dir);
	struct stat sb;
	int rc;

	if (st->dir_made)
		return 0;
	/* remember what does not exist yet, for stage_unmake_dir() */
	st->made[0] = '\0';
	memcpy(buf, st->dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (stat(buf, &sb) != 0 && errno == ENOENT) {
			memcpy(st->made, buf, i + 1);
			break;
		}
		buf[i] = st->dir[i];
	}
	rc = make_dirs(st->dir, e);
	if (rc != 0)
		return rc;
	atomic_file_clean_stale(st->dir);
	st->dir_made = true;
	return 0;
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

/* A staged statement file with its own output buffer: rows are a few
 * hundred bytes, written in SETTLE_FILE_BUF pieces. */
struct outfile {
	struct atomic_file af;
	char *buf;
	size_t len;
};

static int outfile_open(struct outfile *f, const char *path, struct err *e)
{
	memset(f, 0, sizeof(*f));
	f->buf = malloc(SETTLE_FILE_BUF);
	if (f->buf == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	return atomic_file_open(&f->af, path, SETTLE_FILE_MODE, e);
}

static int outfile_flush(struct outfile *f, struct err *e)
{
	int rc = 0;

	if (f->len > 0)
		rc = atomic_file_write(&f->af, f->buf, f->len, e);
	f->len = 0;
	return rc;
}

static int outfile_write(void *ctx, const void *data, size_t len, struct err *e)
{
	struct outfile *f = ctx;
	int rc;

	if (len > SETTLE_FILE_BUF - f->len) {
		rc = outfile_flush(f, e);
		if (rc != 0)
			return rc;
		if (len >= SETTLE_FILE_BUF)
			return atomic_file_write(&f->af, data, len, e);
	}
	memcpy(f->buf + f->len, data, len);
	f->len += len;
	return 0;
}

/* Flush, fsync and close (the name stays the staged one). */
static int outfile_commit(struct outfile *f, struct err *e)
{
	int rc = outfile_flush(f, e);

	if (rc == 0)
		rc = atomic_file_commit(&f->af, e);
	return rc;
}

/* Remove what is not committed and free the buffer. */
static void outfile_close(struct outfile *f)
{
	atomic_file_abort(&f->af);
	free(f->buf);
	f->buf = NULL;
}


/* A spool: a temporary file in the statement directory,
 * "<final>.tmp.<pid>.XXXXXX", written through a SETTLE_FILE_BUF stdio
 * buffer and never synced. The stage owns its path from the start. */
struct spool {
	FILE *fp;
	char *buf;
	size_t index; /* of its entry in st->spools */
};

static int spool_open(struct spool *sp, struct stage *st, const struct statement_info *info,
		      const char *ext, struct err *e)
{
	struct spooled *entry;
	char *path;
	int fd;
	int n;

	memset(sp, 0, sizeof(*sp));
	if (st->nspools == st->spools_cap) {
		size_t cap = st->spools_cap ? st->spools_cap * 2 : 16;
		struct spooled *p = realloc(st->spools, cap * sizeof(*p));

		if (p == NULL)
			return ERR_SET(e, ERR_NOMEM, "out of memory");
		st->spools = p;
		st->spools_cap = cap;
	}
	n = snprintf(NULL, 0, "%s/%s-%s.%s.tmp.%ld.XXXXXX", st->dir, info->creditor_id,
		     info->currency, ext, (long)getpid());
	path = n > 0 ? malloc((size_t)n + 1) : NULL;
	sp->buf = malloc(SETTLE_FILE_BUF);
	if (path == NULL || sp->buf == NULL) {
		free(path);
		free(sp->buf);
		sp->buf = NULL;
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	}
	snprintf(path, (size_t)n + 1, "%s/%s-%s.%s.tmp.%ld.XXXXXX", st->dir, info->creditor_id,
		 info->currency, ext, (long)getpid());
	fd = mkstemp(path);
	if (fd < 0 && errno == ENOENT && make_dirs(st->dir, e) == 0) {
		/* a failed run next door removed the directory it had made */
		snprintf(path, (size_t)n + 1, "%s/%s-%s.%s.tmp.%ld.XXXXXX", st->dir,
			 info->creditor_id, info->currency, ext, (long)getpid());
		fd = mkstemp(path);
	}
	if (fd < 0) {
		int saved = errno;

		free(path);
		free(sp->buf);
		sp->buf = NULL;
		return ERR_SET(e, ERR_IO, "cannot create a temporary file in '%s': %s", st->dir,
			       strerror(saved));
	}
	entry = &st->spools[st->nspools];
	memset(entry, 0, sizeof(*entry));
	entry->path = path;
	snprintf(entry->creditor_id, sizeof(entry->creditor_id), "%s", info->creditor_id);
	memcpy(entry->currency, info->currency, sizeof(entry->currency));
	snprintf(entry->ext, sizeof(entry->ext), "%s", ext);
	sp->index = st->nspools++;
	sp->fp = fdopen(fd, "w");
	if (sp->fp == NULL) {
		int saved = errno;

		close(fd);
		return ERR_SET(e, ERR_IO, "cannot open '%s': %s", path, strerror(saved));
	}
	if (setvbuf(sp->fp, sp->buf, _IOFBF, SETTLE_FILE_BUF) != 0)
		return ERR_SET(e, ERR_IO, "cannot open '%s': no buffer", path);
	return 0;
}

struct spool_out {
	struct spool *sp;
	struct stage *st;
};

static int spool_write(void *ctx, const void *data, size_t len, struct err *e)
{
	struct spool_out *o = ctx;

	if (fwrite(data, 1, len, o->sp->fp) != len)
		return ERR_SET(e, ERR_IO, "cannot write '%s': %s", o->st->spools[o->sp->index].path,
			       strerror(errno));
	return 0;
}

/* Close the spool; with ok, record its line count (it is complete). */
static int spool_close(struct spool *sp, struct stage *st, bool ok, int64_t lines,
		       struct err *e)
{
	int rc = 0;

	if (sp->fp != NULL) {
		if (fclose(sp->fp) != 0 && ok)
			rc = ERR_SET(e, ERR_IO, "cannot write '%s': %s", st->spools[sp->index].path,
				     strerror(errno));
		sp->fp = NULL;
	}
	free(sp->buf);
	sp->buf = NULL;
	if (ok && rc == 0)
		st->spools[sp->index].lines = lines;
	return rc;
}

/* Append a spool to a file and remove it. */
static int spool_copy(struct spooled *sd, struct outfile *to, struct err *e)
{
	char *buf = malloc(SETTLE_FILE_BUF);
	int fd = -1;
	int rc = 0;

	if (buf == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	fd = open(sd->path, O_RDONLY);
	if (fd < 0)
		rc = ERR_SET(e, ERR_IO, "cannot open '%s': %s", sd->path, strerror(errno));
	while (rc == 0) {
		ssize_t n = read(fd, buf, SETTLE_FILE_BUF);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = ERR_SET(e, ERR_IO, "cannot read '%s': %s", sd->path, strerror(errno));
		if (n <= 0)
			break;
		rc = outfile_write(to, buf, (size_t)n, e);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	if (rc == 0) {
		unlink(sd->path);
		free(sd->path);
		sd->path = NULL;
	}
	return rc;
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
	rc = col_i64(res, i, Q_PRINCIPAL, &bal->principal, e);
	if (rc == 0)
		rc = col_i64(res, i, Q_FEES, &bal->fees, e);
	if (rc == 0)
		rc = col_i64(res, i, Q_INTEREST, &bal->interest, e);
	if (rc == 0)
		rc = col_date(res, i, Q_ACCRUED, &bal->accrued_to, e);
	if (rc == 0)
		rc = col_date(res, i, Q_CLOSED, &bal->closed_date, e);
	if (rc == 0)
		rc = col_date(res, i, Q_LAST, &bal->last_transaction_date, e);
	if (rc != 0)
		return rc;
	status = booking_status_parse(col_text(res, i, Q_STATUS));
	if (status < 0)
		return ERR_SET(e, ERR_DB, "unknown case status '%s'", col_text(res, i, Q_STATUS));
	bal->status = (enum booking_status)status;
	bal->withdrawal_booked = strcmp(col_text(res, i, Q_WITHDRAWN), "t") == 0;
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
	copy_i64(&s->cases, b->principal);
	copy_i64(&s->cases, b->fees);
	copy_i64(&s->cases, b->interest);
	copy_days(&s->cases, b->accrued_to);
	sbuf_putc(&s->cases, '\t');
	sbuf_put(&s->cases, status, strlen(status));
	copy_days(&s->cases, b->closed_date);
	copy_days(&s->cases, b->last_transaction_date);
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
	const char *creditor_id = col_text(res, i, Q_CREDITOR);
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
	rc = col_i64(res, i, Q_CASE, &case_id, e);
	if (rc == 0)
		rc = col_i64(res, i, Q_TX, &tx_id, e);
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
	kind = booking_kind_parse(col_text(res, i, Q_KIND));
	if (kind < 0)
		return ERR_SET(e, ERR_DB, "unknown transaction kind '%s'", col_text(res, i, Q_KIND));
	tx.kind = (enum booking_kind)kind;
	rc = col_date(res, i, Q_DATE, &tx.booking_date, e);
	if (rc == 0)
		rc = col_i64(res, i, Q_AMOUNT, &tx.amount, e);
	if (rc != 0)
		return rc;
	if (c->nlines >= SETTLE_MAX_LINES) {
		ERR_SET(e, ERR_LIMIT, "more than %d transactions for one creditor",
			SETTLE_MAX_LINES);
		goto booking_failed;
	}
	rd = stream_render(s, col_text(res, i, Q_CURRENCY), e);
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
	copy_i64(row, rd->is.totals.lines); /* line_no: 1, 2, ... in file order */
	copy_i64(row, tx_id);
	copy_i64(row, case_id);
	sbuf_putc(row, '\t');
	copy_text(row, col_text(res, i, Q_REFERENCE));
	sbuf_putc(row, '\t');
	copy_text(row, col_text(res, i, Q_DEBTOR));
	sbuf_putc(row, '\t');
	copy_text(row, col_text(res, i, Q_TXID));
	sbuf_putc(row, '\t');
	sbuf_put(row, booking_kind_name(l.kind), strlen(booking_kind_name(l.kind)));
	copy_date(row, l.booking_date);
	copy_i64(row, l.amount);
	copy_i64(row, l.to_fees);
	copy_i64(row, l.to_interest);
	copy_i64(row, l.to_principal);
	copy_i64(row, l.overpaid);
	copy_i64(row, l.creditor_share);
	copy_i64(row, l.commission);
	copy_i64(row, l.payout_effect);
	copy_i64(row, l.interest_accrued);
	copy_i64(row, l.written_off);
	copy_i64(row, l.withdrawal_fee);
	copy_i64(row, s->bal.principal);
	copy_i64(row, s->bal.fees);
	copy_i64(row, s->bal.interest);
	sbuf_putc(row, '\n');
	rc = sbuf_check(row, e);
	if (rc == 0)
		rc = db_copy_write(cp, row->data, row->len, e);
	if (rc != 0)
		return rc;
	cp->rows++;

	/* the line, as the files show it */
	out.case_id = case_id;
	out.creditor_reference = col_text(res, i, Q_REFERENCE);
	out.debtor_name = col_text(res, i, Q_DEBTOR);
	out.transaction_id = col_text(res, i, Q_TXID);
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

/* The results of a query sent with PQsendQuery: the rows in *out (which
 * the caller clears), ERR_DB with the server's message on failure. */
static int async_result(PGconn *conn, PGresult **out, const char *what, struct err *e)
{
	PGresult *res;
	int rc = 0;

	*out = NULL;
	while ((res = PQgetResult(conn)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (rc == 0 && st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			char clean[ERR_MESSAGE_MAX];
			size_t n;

			snprintf(clean, sizeof(clean), "%s",
				 msg != NULL ? msg : PQerrorMessage(conn));
			n = strlen(clean);
			while (n > 0 && (clean[n - 1] == '\n' || clean[n - 1] == ' '))
				clean[--n] = '\0';
			rc = ERR_SET(e, ERR_DB, "%s failed: %s%s%s%s", what, clean,
				     state != NULL ? " (SQLSTATE " : "", state != NULL ? state : "",
				     state != NULL ? ")" : "");
		}
		if (rc == 0 && *out == NULL && st == PGRES_TUPLES_OK) {
			*out = res;
			continue;
		}
		PQclear(res);
	}
	if (rc == 0 && *out == NULL)
		rc = ERR_SET(e, ERR_DB, "%s failed: %s", what, PQerrorMessage(conn));
	if (rc != 0) {
		PQclear(*out);
		*out = NULL;
	}
	return rc;
}

/* Discard the results of a query sent with PQsendQuery. */
static void drain(PGconn *conn)
{
	PGresult *res;

	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
}

/* Ask for the next chunk of a cursor; async_result() gets it. */
static int send_fetch(PGconn *conn, const char *fetch_sql, struct err *e)
{
	if (PQsendQuery(conn, fetch_sql) != 1)
		return ERR_SET(e, ERR_DB, "'%s' failed: %s", fetch_sql, PQerrorMessage(conn));
	return 0;
}

static int reader_send_fetch(PGconn *conn, struct err *e)
{
	return send_fetch(conn, "FETCH " SETTLE_CHUNK_TEXT " FROM settle_tx", e);
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

		rc = async_result(reader, &res, "reading the transactions", e);
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

static int check_count(PGresult *res, int64_t want, const char *what, struct err *e)
{
	const char *t = PQcmdTuples(res);
	int64_t got = -1;

	if (t[0] == '\0' || parse_i64(&got, t, e) != 0 || got != want)
		return ERR_SET(e, ERR_DB, "%s: %s rows changed, %" PRId64 " expected", what,
			       t[0] ? t : "no", want);
	return 0;
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
		rc = check_count(res, ncases, "updating case balances", e);
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
		rc = check_count(res, 1, "inserting the statement", e);
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
	if (rc == 0 && parse_i64(marked, PQcmdTuples(res), e) != 0)
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
	arr_begin(&creditors);
	for (size_t i = 0; i < cl->n; i++)
		arr_token(&creditors, cl->v[i].id);
	arr_end(&creditors);
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
	arr_begin(&creditors);
	for (size_t i = 0; i < r->nissues; i++)
		if (i == 0 || r->issues[i].c != r->issues[i - 1].c)
			arr_token(&creditors, r->issues[i].c->id);
	arr_end(&creditors);
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
	struct outfile csv;
	struct outfile xml;
	struct statement_out csv_out = { outfile_write, &csv };
	struct statement_out xml_out = { outfile_write, &xml };
	const char *params[2] = { info->creditor_id, info->number };
	struct staged *fcsv, *fxml;
	bool cursor_open = false;
	bool pending = false; /* a FETCH is on its way */
	int64_t rows = 0;
	int rc;

	memset(&csv, 0, sizeof(csv));
	memset(&xml, 0, sizeof(xml));
	fcsv = stage_add_file(st, info, "csv", e);
	if (fcsv == NULL)
		return e->code;
	rc = outfile_open(&csv, fcsv->staged_path, e);
	if (rc != 0)
		goto out;
	fxml = stage_add_file(st, info, "xml", e);
	if (fxml == NULL) {
		rc = e->code;
		goto out;
	}
	rc = outfile_open(&xml, fxml->staged_path, e);
	if (rc == 0)
		rc = statement_csv_header(&csv_out, e);
	if (rc == 0)
		rc = statement_xml_begin(&xml_out, info, e);
	if (rc == 0)
		rc = db_query(r->conn, NULL, declare_sql, 2, params, e);
	cursor_open = rc == 0;
	if (rc == 0)
		rc = send_fetch(r->conn, fetch_sql, e);
	while (rc == 0) {
		PGresult *res = NULL;
		int nrows;

		/* the next chunk is read while this one is rendered */
		rc = async_result(r->conn, &res, fetch_sql, e);
		if (rc != 0)
			break;
		pending = false;
		nrows = PQntuples(res);
		if (nrows > 0) {
			rc = send_fetch(r->conn, fetch_sql, e);
			pending = rc == 0;
		}
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
	if (pending)
		drain(r->conn); /* a failed row: the connection must be idle again */
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
		rc = outfile_commit(&csv, e);
	if (rc == 0)
		rc = outfile_commit(&xml, e);
out:
	outfile_close(&csv);
	outfile_close(&xml);
	if (rc != 0)
		err_prefix(e, "statement '%s'", info->number);
	return rc;
}

/* One staged file of a statement of this run: what comes before the
 * spool (the CSV header, the XML header and portfolio), the spool, what
 * comes after (the XML totals). */
static int stage_spooled_file(struct stage *st, struct spooled *sd,
			      const struct statement_info *info, struct err *e)
{
	struct outfile f;
	struct statement_out out = { outfile_write, &f };
	bool xml = strcmp(sd->ext, "xml") == 0;
	struct staged *sf;
	int rc;

	memset(&f, 0, sizeof(f));
	if (sd->lines != info->totals.lines)
		return ERR_SET(e, ERR_DB, "%" PRId64 " lines rendered, %" PRId64 " stored",
			       sd->lines, info->totals.lines);
	sf = stage_add_file(st, info, sd->ext, e);
	if (sf == NULL)
		return e->code;
	rc = outfile_open(&f, sf->staged_path, e);
	if (rc == 0)
		rc = xml ? statement_xml_begin(&out, info, e) : statement_csv_header(&out, e);
	if (rc == 0)
		rc = spool_copy(sd, &f, e);
	if (rc == 0 && xml)
		rc = statement_xml_end(&out, info, e);
	if (rc == 0)
		rc = outfile_commit(&f, e);
	outfile_close(&f);
	return rc;
}

/* The files of a statement of this run from its spools (CSV, XML). */
static int stage_spooled(struct stage *st, struct spooled *csv, struct spooled *xml,
			 const struct statement_info *info, struct err *e)
{
	int rc = stage_spooled_file(st, csv, info, e);

	if (rc == 0)
		rc = stage_spooled_file(st, xml, info, e);
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
	size_t k = 0; /* spools are in creditor order too */
	int rc = 0;

	for (size_t c = 0; c < cl->n && rc == 0; c++) {
		const char *params[2] = { cl->v[c].id, r->period };
		PGresult *res = NULL;
		size_t first;

		first = k;
		while (k < st->nspools && strcmp(st->spools[k].creditor_id, cl->v[c].id) == 0)
			k++;
		/* spools [first, k) are this creditor's */
		rc = db_query(r->conn, &res, sql, 2, params, e);
		for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
			struct statement_info info;
			struct spooled *csv = NULL, *xml = NULL;

			rc = info_from_row(&info, res, i, e);
			if (rc != 0)
				break;
			for (size_t j = first; j < k; j++) {
				if (strcmp(st->spools[j].currency, info.currency) != 0)
					continue;
				if (strcmp(st->spools[j].ext, "csv") == 0)
					csv = &st->spools[j];
				else
					xml = &st->spools[j];
			}
			rc = stage_dir(st, e);
			if (rc == 0 && csv != NULL && xml != NULL)
				rc = stage_spooled(st, csv, xml, &info, e);
			else if (rc == 0)
				rc = stage_statement(r, st, &info, e);
			if (rc == 0)
				rc = stage_add_info(st, &info, e);
		}
		PQclear(res);
	}
	for (size_t j = 0; j < st->nspools && rc == 0; j++)
		if (st->spools[j].path != NULL)
			rc = ERR_SET(e, ERR_DB, "statement '%s-%s-%s' not stored", r->period,
				     st->spools[j].creditor_id, st->spools[j].currency);
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
	if (rc == 0)
		rc = stage_files(r, cl, st, e);
	phase("render and sync the files");
	if (rc == 0)
		rc = db_exec(r->conn, "COMMIT", e);
	phase("commit");
	if (rc != 0) {
		rollback(r->conn);
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
	free(r.issues);
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

