/* settle_stage.c: statement files staged beside their final names in the
 * settling transaction, renamed into place after COMMIT (settle_stage.h). */
#include "settle_stage.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "buf.h"
#include "db.h"
#include "pdf_rows.h"
#include "settle.h"
#include "settle_pdf.h"
#include "settle_pg.h"

/* Output buffer of each statement file. */
#define STAGE_FILE_BUF ((size_t)256 * 1024)

void stage_init(struct stage *st)
{
	memset(st, 0, sizeof(*st));
	publish_init(&st->pub);
	pthread_mutex_init(&st->pub_lock, NULL);
}

void stage_discard(struct stage *st)
{
	stage_pdfs_clear(st);
	publish_discard(&st->pub);
	for (size_t i = 0; i < st->nspools; i++) {
		if (st->spools[i].path != NULL)
			unlink(st->spools[i].path);
		free(st->spools[i].path);
	}
	st->nspools = 0;
	st->ninfos = 0;
}

void stage_unmake_dir(struct stage *st)
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

void stage_release(struct stage *st)
{
	stage_discard(st);
	publish_release(&st->pub);
	free(st->spools);
	free(st->infos);
	stage_pdfs_clear(st);
	pthread_mutex_destroy(&st->pub_lock);
	st->spools = NULL;
	st->infos = NULL;
	st->spools_cap = 0;
	st->infos_cap = 0;
}

int stage_dir(struct stage *st, struct err *e)
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

void outfile_init(struct outfile *f)
{
	memset(&f->af, 0, sizeof(f->af));
	buf_init(&f->buf, STAGE_FILE_BUF);
	statement_out_init(&f->out, outfile_write, f);
}

int outfile_open(struct outfile *f, struct stage *st, const struct statement_info *info,
		 const char *ext, struct err *e)
{
	struct buf path;
	int rc;

	buf_init(&path, sizeof(st->dir) + 64);
	rc = buf_printf(&path, e, "%s/%s-%s.%s", st->dir, info->creditor_id, info->currency, ext);
	if (rc == 0) {
		pthread_mutex_lock(&st->pub_lock);
		rc = publish_open(&st->pub, &f->af, path.data, STAGE_FILE_MODE, e);
		pthread_mutex_unlock(&st->pub_lock);
	}
	buf_release(&path);
	return rc;
}

static int outfile_flush(struct outfile *f, struct err *e)
{
	int rc = 0;

	if (f->buf.len > 0)
		rc = atomic_file_write(&f->af, f->buf.data, f->buf.len, e);
	buf_reset(&f->buf);
	return rc;
}

int outfile_write(void *ctx, const void *data, size_t len, struct err *e)
{
	struct outfile *f = ctx;
	int rc;

	if (len > f->buf.max - f->buf.len) {
		rc = outfile_flush(f, e);
		if (rc != 0)
			return rc;
		if (len >= f->buf.max)
			return atomic_file_write(&f->af, data, len, e);
	}
	return buf_add(&f->buf, data, len, e);
}

int outfile_commit(struct outfile *f, struct err *e)
{
	int rc = outfile_flush(f, e);

	if (rc == 0)
		rc = atomic_file_commit(&f->af, e);
	return rc;
}

void outfile_close(struct outfile *f)
{
	atomic_file_abort(&f->af);
	buf_release(&f->buf);
	statement_out_release(&f->out);
}


int spool_open(struct spool *sp, struct stage *st, const struct statement_info *info,
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
	sp->buf = malloc(STAGE_FILE_BUF);
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
	if (setvbuf(sp->fp, sp->buf, _IOFBF, STAGE_FILE_BUF) != 0)
		return ERR_SET(e, ERR_IO, "cannot open '%s': no buffer", path);
	return 0;
}

int spool_write(void *ctx, const void *data, size_t len, struct err *e)
{
	struct spool_out *o = ctx;

	if (fwrite(data, 1, len, o->sp->fp) != len)
		return ERR_SET(e, ERR_IO, "cannot write '%s': %s", o->st->spools[o->sp->index].path,
			       strerror(errno));
	return 0;
}

int spool_close(struct spool *sp, struct stage *st, bool ok, int64_t lines,
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
	char *buf = malloc(STAGE_FILE_BUF);
	int fd = -1;
	int rc = 0;

	if (buf == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	fd = open(sd->path, O_RDONLY);
	if (fd < 0)
		rc = ERR_SET(e, ERR_IO, "cannot open '%s': %s", sd->path, strerror(errno));
	while (rc == 0) {
		ssize_t n = read(fd, buf, STAGE_FILE_BUF);

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

enum {
	ST_NUMBER, ST_CREDITOR, ST_PERIOD, ST_CURRENCY, ST_ISSUED, ST_REG_CASES,
	ST_REG_PRINCIPAL, ST_OPEN_CASES, ST_OPEN_PRINCIPAL, ST_WITHDRAWN, ST_PAID, ST_REOPENED,
	ST_LINES,
	ST_PAYMENTS, ST_DIRECT, ST_CREDIT_NOTES, ST_WITHDRAWAL_FEES, ST_SHARE, ST_COMMISSION,
	ST_PAYOUT, ST_VAT, ST_NET, ST_REVERSALS, ST_DOCUMENT
};

static int info_from_row(struct statement_info *info, const PGresult *res, int i,
			 struct err *e)
{
	int64_t *const dst[] = {
		&info->portfolio.registered_cases, &info->portfolio.registered_principal,
		&info->portfolio.open_cases,       &info->portfolio.open_principal,
		&info->portfolio.withdrawn_cases,  &info->portfolio.paid_cases,
		&info->portfolio.reopened_cases,
		&info->totals.lines,               &info->totals.payments,
		&info->totals.direct_payments,     &info->totals.credit_notes,
		&info->totals.withdrawal_fees,     &info->totals.creditor_share,
		&info->totals.commission,          &info->totals.payout_effect,
		&info->totals.vat,                 &info->totals.net_payout,
		&info->totals.reversals,
	};
	int rc;

	memset(info, 0, sizeof(*info));
	snprintf(info->number, sizeof(info->number), "%s", spg_text(res, i, ST_NUMBER));
	snprintf(info->creditor_id, sizeof(info->creditor_id), "%s",
		 spg_text(res, i, ST_CREDITOR));
	snprintf(info->period, sizeof(info->period), "%s", spg_text(res, i, ST_PERIOD));
	snprintf(info->currency, sizeof(info->currency), "%s", spg_text(res, i, ST_CURRENCY));
	rc = spg_date(res, i, ST_ISSUED, &info->issued, e);
	for (size_t k = 0; k < sizeof(dst) / sizeof(dst[0]) && rc == 0; k++)
		rc = spg_i64(res, i, ST_REG_CASES + (int)k, dst[k], e);
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
	rc = spg_i64(res, i, LN_CASE, &row->case_id, e);
	if (rc == 0)
		rc = spg_date(res, i, LN_DATE, &l->booking_date, e);
	for (size_t k = 0; k < sizeof(dst) / sizeof(dst[0]) && rc == 0; k++)
		rc = spg_i64(res, i, LN_AMOUNT + (int)k, dst[k], e);
	if (rc != 0)
		return rc;
	kind = booking_kind_parse(spg_text(res, i, LN_KIND));
	if (kind < 0)
		return ERR_SET(e, ERR_DB, "unknown kind '%s'", spg_text(res, i, LN_KIND));
	l->kind = (enum booking_kind)kind;
	row->creditor_reference = spg_text(res, i, LN_REFERENCE);
	row->debtor_name = spg_text(res, i, LN_DEBTOR);
	row->transaction_id = spg_text(res, i, LN_TXID);
	return 0;
}

/* Render one stored statement into its three staged files: the CSV and
 * the XML as its lines are read, the PDF from them spooled. Runs inside
 * the caller's transaction. */
static int stage_statement(PGconn *conn, struct stage *st, const struct statement_info *info,
			   const struct pdf_parties *parties, struct err *e)
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
	struct statement_xml doc = { .w = NULL };
	struct spool rows = { NULL, NULL, 0 };
	struct spool_out rows_out = { &rows, st };
	struct buf rec;
	const char *params[2] = { info->creditor_id, info->number };
	bool cursor_open = false;
	bool pending = false; /* a FETCH is on its way */
	int64_t lines = 0;
	int rc;

	outfile_init(&csv);
	outfile_init(&xml);
	buf_init(&rec, PDF_ROW_MAX + 16);
	rc = outfile_open(&csv, st, info, "csv", e);
	if (rc == 0)
		rc = outfile_open(&xml, st, info, "xml", e);
	if (rc == 0 && !st->no_pdf)
		rc = spool_open(&rows, st, info, "row", e);
	if (rc == 0)
		rc = statement_csv_header(&csv.out, e);
	if (rc == 0)
		rc = statement_xml_open(&doc, &xml.out, STATEMENT_XML_DOCUMENT, e);
	if (rc == 0)
		rc = statement_xml_begin(&doc, info, e);
	if (rc == 0)
		rc = db_query(conn, NULL, declare_sql, 2, params, e);
	cursor_open = rc == 0;
	if (rc == 0)
		rc = spg_send(conn, fetch_sql, e);
	while (rc == 0) {
		PGresult *res = NULL;
		int nrows;

		/* the next chunk is read while this one is rendered */
		rc = spg_result(conn, &res, fetch_sql, e);
		if (rc != 0)
			break;
		pending = false;
		nrows = PQntuples(res);
		if (nrows > 0) {
			rc = spg_send(conn, fetch_sql, e);
			pending = rc == 0;
		}
		for (int i = 0; i < nrows && rc == 0; i++) {
			struct statement_row row;

			rc = row_from_line(&row, res, i, e);
			if (rc == 0)
				rc = statement_csv_row(&csv.out, info, &row, e);
			if (rc == 0)
				rc = statement_xml_line(&doc, info, &row, e);
			if (rc == 0 && !st->no_pdf)
				rc = pdf_rows_encode(&rec, &row, e);
			if (rc == 0 && !st->no_pdf)
				rc = spool_write(&rows_out, rec.data, rec.len, e);
			lines++;
		}
		PQclear(res);
		if (nrows == 0)
			break;
	}
	if (pending)
		spg_drain(conn); /* a failed row: the connection must be idle again */
	if (rc == 0 && cursor_open)
		rc = db_exec(conn, "CLOSE settle_lines", e);
	if (rc != 0)
		goto out;
	if (lines != info->totals.lines) {
		rc = ERR_SET(e, ERR_DB, "%" PRId64 " lines stored, %" PRId64 " expected", lines,
			     info->totals.lines);
		goto out;
	}
	rc = statement_xml_end(&doc, info, e);
	if (rc == 0)
		rc = statement_xml_close(&doc, e);
	if (rc == 0)
		rc = outfile_commit(&csv, e);
	if (rc == 0)
		rc = outfile_commit(&xml, e);
	if (rc == 0 && !st->no_pdf)
		rc = spool_close(&rows, st, true, lines, e);
	if (rc == 0 && !st->no_pdf)
		rc = stage_pdf(st, info, parties, rows.index, e);
out:
	statement_xml_close(&doc, NULL);
	outfile_close(&csv);
	outfile_close(&xml);
	spool_close(&rows, st, false, 0, NULL);
	buf_release(&rec);
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
	struct statement_xml doc = { .w = NULL };
	bool xml = strcmp(sd->ext, "xml") == 0;
	int rc;

	if (sd->lines != info->totals.lines)
		return ERR_SET(e, ERR_DB, "%" PRId64 " lines rendered, %" PRId64 " stored",
			       sd->lines, info->totals.lines);
	outfile_init(&f);
	rc = outfile_open(&f, st, info, sd->ext, e);
	if (rc == 0 && xml) {
		/* the document around the spooled <line> elements */
		rc = statement_xml_open(&doc, &f.out, STATEMENT_XML_DOCUMENT, e);
		if (rc == 0)
			rc = statement_xml_begin(&doc, info, e);
		if (rc == 0)
			rc = statement_xml_flush(&doc, e);
	} else if (rc == 0) {
		rc = statement_csv_header(&f.out, e);
	}
	if (rc == 0)
		rc = spool_copy(sd, &f, e);
	if (rc == 0 && xml)
		rc = statement_xml_end(&doc, info, e);
	if (rc == 0)
		rc = statement_xml_close(&doc, e);
	if (rc == 0)
		rc = outfile_commit(&f, e);
	statement_xml_close(&doc, NULL);
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

/* Stage the files of every statement of the period of one creditor: the
 * ones issued now (from their spools) and the ones issued before
 * (rewritten the same from the stored rows). */
int stage_creditor(struct stage *st, PGconn *conn, const char *period,
		   const char *creditor_id, struct err *e)
{
	static const char sql[] =
		"SELECT statement_number, creditor_id, period, currency, " EPOCH_DAYS("issued") ","
		"  registered_cases, registered_principal, open_cases, open_principal,"
		"  withdrawn_cases, paid_cases, reopened_cases, lines, payments, direct_payments,"
		"  credit_notes,"
		"  withdrawal_fees, creditor_share, commission, payout_effect, vat, net_payout,"
		"  reversals, " STAGE_DOCUMENT_COLS
		" FROM statements s LEFT JOIN statement_documents d USING (creditor_id, statement_number)"
		" WHERE s.creditor_id = $1 AND s.period = $2 ORDER BY s.currency";
	const char *params[2] = { creditor_id, period };
	PGresult *res = NULL;
	int rc;

	rc = st->no_pdf ? 0 : stage_documents(st, conn, creditor_id, period, e);
	if (rc == 0)
		rc = db_query(conn, &res, sql, 2, params, e);
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		struct statement_info info;
		struct pdf_parties parties;
		struct spooled *csv = NULL, *xml = NULL;

		rc = info_from_row(&info, res, i, e);
		if (rc == 0 && !st->no_pdf)
			rc = stage_parties(&parties, res, i, ST_DOCUMENT, e);
		if (rc != 0)
			break;
		for (size_t j = 0; j < st->nspools; j++) {
			struct spooled *sd = &st->spools[j];

			if (sd->path == NULL || strcmp(sd->creditor_id, creditor_id) != 0 ||
			    strcmp(sd->currency, info.currency) != 0)
				continue;
			if (strcmp(sd->ext, "csv") == 0)
				csv = sd;
			else if (strcmp(sd->ext, "xml") == 0)
				xml = sd;
		}
		rc = stage_dir(st, e);
		if (rc == 0 && csv != NULL && xml != NULL) {
			/* issued by this run: its PDF was begun when its lines were booked */
			rc = stage_spooled(st, csv, xml, &info, e);
			if (rc == 0 && !st->no_pdf)
				rc = stage_pdf_final(st, &info, &parties, e);
		} else if (rc == 0) {
			rc = stage_statement(conn, st, &info, &parties, e);
		}
		if (rc == 0)
			rc = stage_add_info(st, &info, e);
	}
	PQclear(res);
	return rc;
}

int stage_check_spools(const struct stage *st, const char *period, struct err *e)
{
	for (size_t j = 0; j < st->nspools; j++)
		if (st->spools[j].path != NULL)
			return ERR_SET(e, ERR_DB, "statement '%s-%s-%s' not stored", period,
				       st->spools[j].creditor_id, st->spools[j].currency);
	return 0;
}

int stage_publish(struct stage *st, struct err *e)
{
	return publish_commit(&st->pub, e);
}
