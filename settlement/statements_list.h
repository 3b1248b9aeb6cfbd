/* statements_list.h: bin/settlement statements (SPEC 14): the statements
 * issued, with the payout file that holds each and the date the bank
 * paid it.
 *
 * Text: one line per statement under a header, in columns as wide as
 * their widest value (at most 28 + 16 + 3 + 18 + 35 + 10 characters and
 * five separators of two spaces: 120 columns), amounts right-aligned with two
 * decimals, "-" for no payout file or no paid date. JSON: an array of
 * objects with the keys number, creditor_id, currency, net_payout (a
 * string with two decimals), payout_msgid and paid_date (null when none).
 * Ordered by period, creditor and currency. */
#ifndef SETTLEMENT_STATEMENTS_LIST_H
#define SETTLEMENT_STATEMENTS_LIST_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

struct statements_opts {
	const char *period;      /* "YYYY-MM", NULL: every period */
	const char *creditor_id; /* NULL: every creditor (else it must exist) */
	bool json;
	FILE *out;
};

int statements_list(PGconn *conn, const struct statements_opts *o, struct err *e);

/* ---- the text layout, without a database ---- */

enum { SL_NUMBER, SL_CREDITOR, SL_CURRENCY, SL_NET, SL_MSGID, SL_PAID, SL__COUNT };

/* Most characters of a value of each column. */
#define STATEMENTS_COL_MAX { 28, 16, 3, 18, 35, 10 }
/* The longest line, and its NUL. */
#define STATEMENTS_LINE_SIZE 128

struct statements_row {
	const char *number;
	const char *creditor_id;
	const char *currency;
	int64_t net_payout;
	const char *msgid;     /* NULL: in no payout file */
	const char *paid_date; /* NULL: not paid */
};

/* Widths of the columns for these rows and the header. */
void statements_widths(size_t width[SL__COUNT], const struct statements_row *rows, size_t n);
/* One line without its newline: the header when row is NULL. A value
 * longer than its column's most is cut. Returns buf. */
char *statements_line(char *buf, size_t size, const size_t width[SL__COUNT],
		      const struct statements_row *row);

#endif
