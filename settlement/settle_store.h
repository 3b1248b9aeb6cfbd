/* settle_store.h: what a settlement run stores besides the statement lines,
 * each in one statement inside the settling transaction: which creditors
 * the period is closed for, the new case balances and statuses, the cases
 * that the new statements count as registered, the statement rows with
 * their portfolios, and the run's coverage (settlement_runs).
 *
 * Arrays go in as one array-literal parameter ("{C1,D1}"): no round trip
 * per row. */
#ifndef SETTLEMENT_SETTLE_STORE_H
#define SETTLEMENT_SETTLE_STORE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "booking.h"
#include "err.h"

/* The period of a run and the dates the statements carry, as text. */
struct store_period {
	const char *period; /* YYYY-MM */
	const char *first;  /* YYYY-MM-DD */
	const char *last;
	const char *as_of;
};

/* One statement to store. */
struct store_statement {
	const char *creditor_id;
	const char *number;
	const char *currency;
	const char *interest_to; /* "creditor" or "agency" */
	int64_t commission_bp;
	const struct booking_params *params;
	const struct booking_totals *totals;   /* finished: vat and net payout */
	const struct booking_portfolio *moves; /* what its lines did */
};

/* The creditors of the array whose period p->period is closed: a run
 * covered it or a later period. *out has one column, creditor_id, in
 * byte order; the caller clears it. */
int store_closed_creditors(PGconn *conn, PGresult **out, const struct store_period *p,
			   const char *creditors, struct err *e);

/* The balances and statuses of every case booked, from the temporary table
 * settle_cases (ncases rows), in one UPDATE; a case registered after the
 * period's last day that its first line counted (settle_pass.c) is marked
 * counted by its statement of p->period. */
int store_case_balances(PGconn *conn, const struct store_period *p, int64_t ncases,
			struct err *e);

/* The cases that the statements numbered in the array (of the creditors
 * of the other array) count as registered without their first line: the
 * creditor's cases in the statement's currency registered on or before the
 * period's last day that no earlier statement counted, booked now or not. They are counted per
 * batch in registered_batches (0013_registered_batches.sql); their number
 * and principal per creditor and currency go to the temporary table
 * settle_portfolio. */
int store_registrations(PGconn *conn, const struct store_period *p, const char *creditors,
			const char *numbers, struct err *e);

/* The statement row, with its portfolio: the previous statement of the
 * creditor in this currency, the moves of its lines and the cases of
 * settle_portfolio. */
int store_statement(PGconn *conn, const struct store_period *p,
		    const struct store_statement *s, struct err *e);

/* One row of settlement_runs per creditor that the run covered, under one
 * new run number: the three arrays are the creditor ids, the statements
 * issued and the transactions settled for each. */
int store_run(PGconn *conn, const struct store_period *p, const char *creditors,
	      const char *statements, const char *transactions, struct err *e);

#endif
