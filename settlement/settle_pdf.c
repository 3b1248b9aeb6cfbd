/* settle_pdf.c: the PDF of each statement, staged (settle_pdf.h). */
#include "settle_pdf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "pdf_rows.h"
#include "qrbill.h"
#include "settle_pg.h"

/* Read buffer of a spool of lines. */
#define ROWS_READ_BUF ((size_t)256 * 1024)
/* Cells of the table, in points (pdf_statement.c lays out around it). */
#define CELL_PT 7.0

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

int stage_pdf(struct stage *st, const struct statement_info *info,
	      const struct pdf_parties *parties, size_t index, struct err *e)
{
	struct spooled *sd = &st->spools[index];
	struct rows_in in = { NULL, sd->path, { NULL, 0, 0, 0 } };
	struct pdf_source src = { rows_rewind, rows_next, &in };
	struct outfile f;
	char *rbuf = NULL;
	int rc = 0;

	if (sd->lines != info->totals.lines)
		return ERR_SET(e, ERR_DB, "statement '%s': %" PRId64 " lines spooled, %" PRId64
			       " stored", info->number, sd->lines, info->totals.lines);
	if (st->fonts == NULL) {
		st->fonts = calloc(1, sizeof(*st->fonts));
		if (st->fonts == NULL)
			return ERR_SET(e, ERR_NOMEM, "out of memory");
		rc = pdf_fonts_init(st->fonts, CELL_PT, e);
		if (rc != 0) {
			pdf_fonts_release(st->fonts);
			free(st->fonts);
			st->fonts = NULL;
			return rc;
		}
	}
	buf_init(&in.rec, PDF_ROW_MAX + 16);
	outfile_init(&f);
	in.fp = fopen(sd->path, "rb");
	rbuf = malloc(ROWS_READ_BUF);
	if (in.fp == NULL)
		rc = ERR_SET(e, ERR_IO, "cannot open '%s': %s", sd->path, strerror(errno));
	else if (rbuf == NULL || setvbuf(in.fp, rbuf, _IOFBF, ROWS_READ_BUF) != 0)
		rc = ERR_SET(e, ERR_NOMEM, "out of memory");
	if (rc == 0)
		rc = outfile_open(&f, st, info, "pdf", e);
	if (rc == 0)
		rc = pdf_statement_write(st->fonts, info, parties, &src, pdf_out, &f, e);
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
