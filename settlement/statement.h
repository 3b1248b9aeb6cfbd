/* statement.h: rendering of statement files (SPEC 9.2) and of the case list
 * (SPEC 9.3) from computed data. Nothing here computes an amount, reads the
 * database or opens a file: the caller passes rows and an output callback.
 *
 * CSV: common/csvout.h, the engine's one CSV writer: RFC 4180 (a field
 * holding ',', '"', CR or LF is quoted, quotes doubled; records end with
 * LF like every CSV the engine writes), and the formula rule of SPEC 9.2
 * on the text fields (statement number, creditor_reference, debtor_name,
 * transaction_id, kind, status): one that starts with '=', '+', '-', '@',
 * tab or CR gets a leading "'" so that spreadsheets never run it as a
 * formula. Numbers, amounts and dates are never prefixed.
 *
 * XML: libxml2's xmlTextWriter, namespace urn:inkasso:statement:1,
 * schemas/statement.xsd, UTF-8, two-space indentation, LF line ends.
 * Text is escaped here, not by xmlTextWriter (whose xmlTextWriterWriteString
 * leaves tab and LF as they are): '&', '<', '>' and '"' as entities, tab,
 * LF and CR as character references (&#9; &#10; &#13;), and characters XML
 * 1.0 cannot carry (C0 controls other than those, U+FFFE, U+FFFF, invalid
 * UTF-8) as U+FFFD; the writer takes the escaped text as it is.
 *
 * The output is a function of the input only, so rendering the same rows
 * again gives the same bytes.
 */
#ifndef SETTLEMENT_STATEMENT_H
#define SETTLEMENT_STATEMENT_H

#include <libxml/xmlwriter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "booking.h"
#include "buf.h"
#include "err.h"

#define STATEMENT_XML_NS "urn:inkasso:statement:1"
/* "<period>-<creditor_id>-<currency>": 7 + 1 + 16 + 1 + 3 and NUL */
#define STATEMENT_NUMBER_MAX 32
/* Largest rendered row; a longer one is ERR_LIMIT, never truncated. */
#define STATEMENT_ROW_MAX ((size_t)256 * 1024)

/* Where rendered bytes go (an atomic file, a spool, stdout, memory), and
 * the buffer a row is rendered in: each CSV row goes to write in one
 * call; the buffer is kept from row to row. */
struct statement_out {
	int (*write)(void *ctx, const void *data, size_t len, struct err *e);
	void *ctx;
	struct buf row; /* STATEMENT_ROW_MAX at most */
};

void statement_out_init(struct statement_out *out,
			int (*write)(void *ctx, const void *data, size_t len, struct err *e),
			void *ctx);
void statement_out_release(struct statement_out *out);

/* The portfolio of SPEC 9.2 (v2), for one creditor and currency; it
 * reconciles with the previous statement in that currency:
 * open_cases = previous open_cases + registered_cases - withdrawn_cases -
 * paid_cases + reopened_cases. */
struct statement_portfolio {
	int64_t registered_cases;     /* registered by the period end, counted by no earlier statement */
	int64_t registered_principal; /* their principal at registration */
	int64_t open_cases;           /* cases open after this statement's bookings */
	int64_t open_principal;       /* their outstanding principal */
	int64_t withdrawn_cases;      /* cases a line of this statement withdrew */
	int64_t paid_cases;           /* cases a line of this statement closed as paid */
	int64_t reopened_cases;       /* paid cases a line of this statement opened again */
};

struct statement_info {
	char number[STATEMENT_NUMBER_MAX];
	char creditor_id[24];
	char period[8];   /* "YYYY-MM" */
	char currency[4];
	int32_t issued;   /* as-of date of the run that issued it */
	struct statement_portfolio portfolio;
	struct booking_totals totals; /* vat and net_payout included */
};

/* One line: a settled transaction. */
struct statement_row {
	int64_t case_id;
	const char *creditor_reference;
	const char *debtor_name;
	const char *transaction_id;
	struct booking_line line;
};

/* One row of the case list of SPEC 9.3. */
struct statement_case_row {
	int64_t case_id;
	const char *creditor_reference;
	const char *debtor_name;
	const char *status;
	int64_t original_amount;
	int64_t principal;
	int64_t fees;
	int64_t interest;
	int32_t last_transaction_date; /* BOOKING_NO_DATE: empty */
	const char *payment_reference; /* "" for a case registered before SPEC v2 */
	const char *stage;             /* on the as-of date (SPEC 16) */
};

/* "2024-03", "ACME", "CHF" -> "2024-03-ACME-CHF". */
int statement_number(char *buf, size_t size, const char *period,
		     const char *creditor_id, const char *currency, struct err *e);

int statement_csv_header(struct statement_out *out, struct err *e);
int statement_csv_row(struct statement_out *out, const struct statement_info *info,
		      const struct statement_row *row, struct err *e);

int statement_cases_header(struct statement_out *out, struct err *e);
int statement_cases_row(struct statement_out *out, const struct statement_case_row *row,
			struct err *e);

/* An XML statement: an xmlTextWriter over a statement_out (whose row
 * buffer holds escaped text, and each line). A document is
 *
 *   statement_xml_open(&x, out, STATEMENT_XML_DOCUMENT, e);
 *   statement_xml_begin(&x, info, e);    declaration, root, portfolio, <lines>
 *   statement_xml_line(&x, info, row, e);   once per line
 *   statement_xml_end(&x, info, e);      </lines>, totals, end of the root
 *   statement_xml_close(&x, e);
 *
 * The lines of a statement whose portfolio is not known yet go to a spool
 * through a writer opened at STATEMENT_XML_LINES (it writes only <line>
 * elements, indented as inside <lines>); the document is then framed
 * around the spool's bytes: begin, statement_xml_flush, the spool's bytes
 * written to the same output, end. Either way the bytes are the same.
 *
 * xmlTextWriter costs about 200 ns per element, four times the rest of
 * the rendering of a line (16 elements), on the settlement's critical
 * path. So once it is inside <lines> (at begin, or at open for a lines
 * writer), a writer writes one <line> with a mark for each value into
 * memory, its shape, and each line is that shape with the line's values
 * in place of the marks, written in one call to out->write: the bytes
 * xmlTextWriter writes for the line, at the cost of the old hand-written
 * renderer. The frame (declaration, root, attributes, portfolio, totals)
 * is written element by element. The writer buffers the frame: a write
 * error may show at a later call, at the latest at flush or close. */
enum statement_xml_at {
	STATEMENT_XML_DOCUMENT, /* before the declaration */
	STATEMENT_XML_LINES     /* inside <lines>, for <line> elements only */
};

/* Values of a <line>: statementNumber ... payoutEffect. */
#define STATEMENT_XML_LINE_VALUES 15
/* Largest shape of a <line> (about 600 bytes). */
#define STATEMENT_XML_SHAPE_MAX ((size_t)4096)

struct statement_xml {
	xmlTextWriterPtr w;       /* NULL when closed */
	struct statement_out *out;
	bool mute;                /* output dropped (what a lines writer leaves out) */
	struct buf *capture;      /* when set, the output goes here instead */
	int rc;                   /* the first error of out->write */
	struct err err;           /* its message */
	struct buf shape;         /* a <line> as the writer writes it, a mark for each value */
	size_t hole[STATEMENT_XML_LINE_VALUES]; /* where the marks are */
};

int statement_xml_open(struct statement_xml *x, struct statement_out *out,
		       enum statement_xml_at at, struct err *e);
/* The XML declaration, the root start tag, the portfolio and "<lines>". */
int statement_xml_begin(struct statement_xml *x, const struct statement_info *info,
			struct err *e);
int statement_xml_line(struct statement_xml *x, const struct statement_info *info,
		       const struct statement_row *row, struct err *e);
/* "</lines>", the totals and the end of the root. */
int statement_xml_end(struct statement_xml *x, const struct statement_info *info,
		      struct err *e);
/* Hand what the writer holds to the output. */
int statement_xml_flush(struct statement_xml *x, struct err *e);
/* Flush and free the writer; the first error of the output if any. Safe
 * on a closed writer, after a failed open, and on one never opened that
 * was set to { .w = NULL }. */
int statement_xml_close(struct statement_xml *x, struct err *e);

/* The stdout line of SPEC 9: "statement <number>: <lines> lines, net
 * payout <amount> <currency>" without the newline. */
char *statement_summary(char *buf, size_t size, const struct statement_info *info);

#endif
