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

/* The PDF of a statement from its spooled lines (st->spools[index],
 * complete): queued, with a copy of the parties, for stage_pdfs(). */
int stage_pdf(struct stage *st, const struct statement_info *info,
	      const struct pdf_parties *parties, size_t index, struct err *e);

/* Render every queued PDF into its staged file, removing its spool: by one
 * thread per core (at most four, each with fonts of its own), since cairo
 * takes about 20 us a line and a run has a million; statements are
 * independent and each one's bytes do not depend on the thread. The error
 * is the one of the first failed statement in the queue's order. */
int stage_pdfs(struct stage *st, struct err *e);
/* Forget the queued PDFs (after a failed attempt). */
void stage_pdfs_clear(struct stage *st);

#endif
