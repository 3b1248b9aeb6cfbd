/* settle_pdf.h: the PDF of each statement (SPEC 15), staged beside its CSV
 * and XML in the settling transaction and published with them.
 *
 * What the PDF shows beyond the statement and its lines (the agency, the
 * creditor's name and IBAN, the account a negative net payout is paid to,
 * the statement's numeric id) is stored in statement_documents when the
 * statement's PDF is first written (schemas/0009), so that re-runs write
 * the same bytes whatever the configuration says by then. Writing it
 * needs [agency] name and address, and for a CHF or EUR statement whose
 * net payout is negative the account of that currency, fit for a QR-bill:
 * a missing or unfit key is a configuration error naming it, and the run
 * issues nothing.
 *
 * The PDF's lines come from a spool (pdf_rows.h): written while they are
 * booked for a statement of this run, while they are read back from
 * statement_lines for one issued before. */
#ifndef SETTLEMENT_SETTLE_PDF_H
#define SETTLEMENT_SETTLE_PDF_H

#include <libpq-fe.h>

#include "err.h"
#include "pdf_statement.h"
#include "settle_stage.h"

/* Store the document of every statement of the period of the creditor
 * that has none yet. */
int stage_documents(struct stage *st, PGconn *conn, const char *creditor_id,
		    const char *period, struct err *e);

/* Columns of a statement's document, in this order, for a query that
 * joins statement_documents d (stage_creditor's). */
#define STAGE_DOCUMENT_COLS \
	"d.agency_name, d.agency_address, d.creditor_name, d.creditor_iban, d.statement_id," \
	" d.pay_account"

/* The parties of the document in the row i of res, from column col on
 * (their texts point into res). */
int stage_parties(struct pdf_parties *p, const PGresult *res, int i, int col, struct err *e);

/* The PDFs are rendered by threads while the run goes on (settle_pdf.c
 * says how); each one's bytes do not depend on the thread. Each of these
 * takes the spool st->spools[index] (complete) and copies what it needs.
 *
 * The PDF of a statement of this run, queued when its lines are booked:
 * info (number, creditor, period, currency, issue date, finished totals)
 * and parties (the agency and the creditor as configured and read by the
 * run, the account a negative net payout is paid to; no statement id) as
 * far as they are known; its table pages are drawn at once. */
int stage_pdf_begin(struct stage *st, const struct statement_info *info,
		    const struct pdf_parties *parties, size_t index, struct err *e);
/* The statement row and document of a PDF begun: its summary is drawn. */
int stage_pdf_final(struct stage *st, const struct statement_info *info,
		    const struct pdf_parties *parties, struct err *e);
/* The PDF of a statement issued before, rendered from its stored rows. */
int stage_pdf(struct stage *st, const struct statement_info *info,
	      const struct pdf_parties *parties, size_t index, struct err *e);

/* Render every PDF queued and wait for them: by one thread per core (at
 * most four, each with fonts of its own). The error is the one of the
 * first failed statement in the queue's order; a PDF begun for a
 * statement that is not stored is ERR_DB. */
int stage_pdfs(struct stage *st, struct err *e);
/* Stop the threads and forget the PDFs, removing their files (after a
 * failed attempt; safe when there are none). */
void stage_pdfs_clear(struct stage *st);

/* The account a creditor is asked to pay a negative net payout of a
 * statement to (NULL: none), as its document will store it; ERR_CONFIG
 * naming the key when a CHF or EUR statement's QR-bill cannot be made. */
int stage_pay_account(const char **out, const struct config *conf, const char *number,
		      const char *currency, bool owes, struct err *e);

#endif
