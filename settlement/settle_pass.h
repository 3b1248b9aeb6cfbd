/* settle_pass.h: what settle.c (the run) and settle_pass.c (the settling
 * pass over the transactions) share: the creditors a run covers, the
 * statements it issues, and the pass itself. Not for other modules. */
#ifndef SETTLEMENT_SETTLE_PASS_H
#define SETTLEMENT_SETTLE_PASS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "booking.h"
#include "config.h"
#include "date.h"
#include "err.h"
#include "settle.h"
#include "buf.h"
#include "settle_stage.h"
#include "statement.h"

/* Largest buffer of the settlement: an array literal sent in one
 * parameter, one COPY row, one chunk's case balances. */
#define SETTLE_BUF_MAX ((size_t)8 << 20)

/* A statement this run issues: one currency of a creditor. */
struct issue {
	const struct creditor *c;
	char currency[4];
	char number[STATEMENT_NUMBER_MAX];
	struct booking_totals totals;    /* totals.lines numbers the lines */
	struct booking_portfolio moves; /* what its lines do to the portfolio */
};

struct creditor {
	char id[24];
	char country[8];
	char interest_to[16];
	int64_t commission_bp;
	const struct country_conf *cc; /* NULL until creditor_terms() */
	struct booking_params params;
	bool closed;    /* the period is closed for it (a run covered it or a later one) */
	int64_t nlines; /* lines booked for it in this attempt */
	char *name;     /* as the run read them, for the PDFs drawn while it books */
	char *iban;
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
	size_t closed;    /* creditors whose period was closed before this run */
	struct issue *issues; /* the statements of this attempt, in creditor order */
	size_t nissues;
	size_t issues_cap;
};

/* Book every unsettled transaction booked up to the period end of the
 * creditors in the array literal open (none of them with a closed period),
 * in the caller's REPEATABLE READ transaction: the lines go to
 * statement_lines and to spools of st, the transactions are marked
 * settled, the statements join r->issues (totals and portfolio moves, not
 * finished), the new balances of the *ncases cases booked wait in the
 * temporary table settle_cases; settle_portfolio is created empty. */
int pass_book(struct run *r, struct creditor_list *cl, struct stage *st, const char *open,
	      int64_t *ncases, struct err *e);

#endif
