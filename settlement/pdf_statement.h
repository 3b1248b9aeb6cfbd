/* pdf_statement.h: the PDF of a statement (SPEC 15), with cairo and pango.
 *
 * Pages: A4 landscape for the statement (its eleven columns at a readable
 * size), and, when the creditor owes a CHF or EUR amount, one A4 portrait
 * page more with the Swiss QR-bill's receipt and payment part at its foot,
 * where the style guide puts them (pdf_slip.h).
 *
 *   page 1      the agency (name, address); "Statement <number>", the
 *               period and the issue date; the creditor (name, id, IBAN);
 *               the portfolio of SPEC 9.2; then the line table
 *   pages 2..   a heading line (agency, number, creditor), the line table
 *   every page  the table's header row on each page of the table, and at
 *               the foot the statement number and "page N of M"
 *   last table  after the last row (never alone: see pdf_pager.h) the
 *   page        totals of SPEC 9.2 and where the money goes: the net
 *               payout and the IBAN it goes to, nothing, or the amount the
 *               creditor owes and how to pay it
 *
 * The output is a function of the arguments only: the document's dates
 * (CreationDate, ModDate) are the issue date, the fonts are fixed files
 * (pdf_font.h), nothing else varies, so the same statement gives the same
 * bytes. Amounts are written as in the CSV ("-1234.50"), texts as they are.
 *
 * Memory does not grow with the lines: they are read twice from a source
 * (count the pages, then draw them), and cairo writes each page out when it
 * is done. */
#ifndef SETTLEMENT_PDF_STATEMENT_H
#define SETTLEMENT_PDF_STATEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "pdf_font.h"
#include "statement.h"

/* What a statement's PDF shows beyond the statement row and its lines,
 * fixed when the statement's PDF is first written (statement_documents). */
struct pdf_parties {
	const char *agency_name;
	const char *agency_address;
	const char *creditor_name;
	const char *creditor_iban;
	int64_t statement_id;    /* the statement's numeric id (SPEC 15) */
	const char *pay_account; /* the agency's account of the currency when the
				    creditor owes money; NULL when none */
};

/* The lines of a statement, in order, as many times as asked. */
struct pdf_source {
	int (*rewind)(void *ctx, struct err *e);
	/* the next line into *row (valid until the next call); *end after the last */
	int (*next)(void *ctx, struct statement_row *row, bool *end, struct err *e);
	void *ctx;
};

/* Where the bytes go. */
typedef int (*pdf_write_fn)(void *ctx, const void *data, size_t len, struct err *e);

/* A statement gets a QR-bill payment part: it owes a CHF or EUR amount. */
bool pdf_statement_has_bill(const struct statement_info *info);

/* The PDF of a statement with info->totals.lines lines from src. ERR_DB
 * when src has another number of lines; the configuration errors of
 * qrbill_make for the payment part. pdf_render_begin, then
 * pdf_render_finish with the same arguments. */
int pdf_statement_write(struct pdf_fonts *f, const struct statement_info *info,
			const struct pdf_parties *parties, struct pdf_source *src,
			pdf_write_fn write, void *wctx, struct err *e);

/* The same in two steps, for a statement whose lines are known before its
 * statement row is stored (the settlement renders them while the database
 * works on the rest of the run): begin draws the table pages from info and
 * parties as far as they are known (the lines, the totals, the names; not
 * the portfolio nor the statement's numeric id), finish draws the summary
 * and the QR-bill with the final ones, which must agree with the first on
 * everything drawn already (else ERR_DB). Either way the bytes are the
 * same. Between the two, the fonts may serve other documents, but finish
 * must use the fonts begin used. finish frees the render, also on failure;
 * pdf_render_abort frees one that is not to be finished. */
struct pdf_render;

int pdf_render_begin(struct pdf_render **out, struct pdf_fonts *f,
		     const struct statement_info *info, const struct pdf_parties *parties,
		     struct pdf_source *src, pdf_write_fn write, void *wctx, struct err *e);
int pdf_render_finish(struct pdf_render *r, const struct statement_info *info,
		      const struct pdf_parties *parties, struct err *e);
void pdf_render_abort(struct pdf_render *r);

#endif
