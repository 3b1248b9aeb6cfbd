/* booking.h: the booking logic of SPEC 9.1 as pure functions over one case's
 * balances and its transactions, in integer minor units.
 *
 * No database, no files, no logging: settle.c reads the balances and the
 * transactions, calls booking_apply() for each transaction in the order of
 * 9.1 (booking_date, then load order; a reversal after its original
 * payment), and stores what comes back.
 *
 * Rounding: "half up" is half away from zero (muldiv_round), applied to each
 * interest accrual, to each line's commission and to the statement's VAT.
 */
#ifndef SETTLEMENT_BOOKING_H
#define SETTLEMENT_BOOKING_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

enum booking_kind {
	BOOKING_PAYMENT,
	BOOKING_DIRECT_PAYMENT,
	BOOKING_CREDIT_NOTE,
	BOOKING_WITHDRAWAL,
	BOOKING_REVERSAL, /* v2: undoes one earlier payment that the bank took back */
	BOOKING__KIND_COUNT
};

/* A case's status as its bookings made it (cases.booked_status). The case
 * list shows a loaded but not yet booked withdrawal too (cases.status,
 * booking_listed_status()). */
enum booking_status {
	BOOKING_OPEN,
	BOOKING_CLOSED,   /* closed as paid: fees, interest and principal reached zero */
	BOOKING_WITHDRAWN /* withdrawn by a booked withdrawal */
};

/* A date that is not set (closed_date, last_transaction_date). */
#define BOOKING_NO_DATE INT32_MIN

/* A withdrawal fee of its own for one stage (v2: withdrawal_fee.<stage>). */
struct booking_stage_fee {
	bool set;    /* false: the stage pays withdrawal_fee */
	int64_t fee; /* minor units */
};

/* The parameters of one creditor: its own terms and its country's. */
struct booking_params {
	int64_t interest_rate_bp;   /* 5.00 % -> 500 */
	int interest_days_per_year; /* 365 or 360 */
	int64_t commission_bp;      /* 15.00 % -> 1500 */
	bool interest_to_creditor;  /* creditors.interest_to = 'creditor' */
	int64_t withdrawal_fee;     /* minor units, charged to the creditor */
	struct booking_stage_fee stage_fee[STAGE__COUNT]; /* v2, SPEC 9.1 and 16 */
	int64_t vat_bp;             /* on commission and withdrawal fees */
};

/* A case's balances, as kept in the cases table. */
struct booking_case {
	int64_t principal;
	int64_t fees;
	int64_t interest;
	int32_t accrued_to;            /* interest accrued up to this date; never moves back */
	enum booking_status status;    /* as booked, in booking order */
	int32_t closed_date;           /* BOOKING_NO_DATE when open */
	int32_t last_transaction_date; /* BOOKING_NO_DATE before the first */
};

struct booking_line;

struct booking_tx {
	enum booking_kind kind;
	int32_t booking_date;
	int64_t amount; /* >= 0; 0 for a withdrawal */
	/* A reversal: the line of the payment it reverses, settled before or
	 * earlier in this run (kind BOOKING_PAYMENT). NULL for other kinds. */
	const struct booking_line *original;
	/* A withdrawal (v2): the case's stage on its booking date, whose fee
	 * it is charged (booking_withdrawal_fee). Stages have no other money
	 * effect (SPEC 16). */
	enum case_stage stage;
};

/* One settled transaction line (SPEC 9.1 and 9.2). A reversal's line is
 * its original's, negated (its amount stays positive). */
struct booking_line {
	enum booking_kind kind;
	int32_t booking_date;
	int64_t amount;
	int64_t to_fees;
	int64_t to_interest;
	int64_t to_principal;
	int64_t overpaid;
	int64_t creditor_share;
	int64_t commission;
	int64_t payout_effect;
	/* Not in the statement files; kept for the audit trail. */
	int64_t interest_accrued; /* accrued before this transaction */
	int64_t written_off;      /* withdrawal: balances written off */
	int64_t withdrawal_fee;   /* withdrawal: fee charged to the creditor */
};

/* Statement totals (SPEC 9.1, last paragraph). */
struct booking_totals {
	int64_t lines;
	int64_t payments;        /* sum of payment amounts */
	int64_t direct_payments; /* sum of direct_payment amounts */
	int64_t credit_notes;    /* sum of credit_note amounts */
	int64_t reversals;       /* sum of reversal amounts (v2) */
	int64_t withdrawal_fees; /* sum of withdrawal fees charged */
	int64_t creditor_share;  /* reversals make these three smaller, even negative */
	int64_t commission;
	int64_t payout_effect;   /* sum of the lines' payout_effect */
	int64_t vat;             /* set by booking_totals_finish; negative on a negative base */
	int64_t net_payout;      /* set by booking_totals_finish */
};

/* What the lines of one statement do to the creditor's portfolio in its
 * currency (SPEC 9.2 v2). With the previous statement's figures they give
 * this one's: openCases = previous openCases + registered_cases -
 * withdrawn_cases - paid_cases + reopened_cases, openPrincipal = previous
 * openPrincipal + registered_principal + open_principal_change. */
struct booking_portfolio {
	int64_t registered_cases;      /* cases no earlier statement counted */
	int64_t registered_principal;  /* their principal at registration */
	int64_t withdrawn_cases;       /* closings by a withdrawal */
	int64_t paid_cases;            /* closings as paid (step 5), per event */
	int64_t reopened_cases;        /* paid cases opened again, per event */
	int64_t open_principal_change; /* change of the principal of open cases */
};

/* "payment" -> BOOKING_PAYMENT; -1 when unknown. */
int booking_kind_parse(const char *s);
const char *booking_kind_name(enum booking_kind kind);
int booking_status_parse(const char *s);
const char *booking_status_name(enum booking_status status);

/* The balances of a newly registered case: principal = original - paid,
 * fees = the country's collection fee, no interest, accrued to the due date. */
int booking_case_register(struct booking_case *c, int64_t original_amount,
			  int64_t paid_amount, int64_t collection_fee,
			  int32_t due_date, struct err *e);

/* The withdrawal fee of a stage (SPEC 9.1 v2): withdrawal_fee.<stage> when
 * the country configures it, else withdrawal_fee. */
int64_t booking_withdrawal_fee(const struct booking_params *p, enum case_stage stage);

/* Simple interest on principal from one date to another: principal x
 * rate_bp / 10000 x days / days_per_year, rounded half up; 0 when to is
 * not after from. ERR_LIMIT when the result exceeds MONEY_MAX. */
int booking_interest(int64_t *out, int64_t principal, int64_t rate_bp,
		     int days_per_year, int32_t from, int32_t to, struct err *e);

/* Apply one transaction to the balances in c and describe it in *out:
 * interest accrual, allocation, write-off, closing, creditor share,
 * commission and payout effect. The caller applies a case's transactions
 * in booking order (booking_date, then load order), whatever the order
 * they were loaded in: c->status is what the bookings so far made of the
 * case, never what the loader marked. A withdrawal of a case closed as
 * paid changes nothing (amount 0.00, no interest, no fee, payout 0.00; the
 * case stays closed as paid, accrued to where it was; only its
 * last_transaction_date moves).
 *
 * A reversal (v2) accrues interest like any transaction, then its line is
 * tx->original's negated (amount: the original's). The original's to_fees,
 * to_interest and to_principal go back onto the case; a case closed as
 * paid is open again when anything went back on it (not after a payment
 * that was all overpaid); a withdrawn case stays withdrawn, its balances
 * written off. The caller checks that the original is a payment of the
 * same case, reversed once, of the reversal's amount.
 *
 * Fails (ERR_LIMIT) only when an amount leaves the range the engine
 * handles, with c unchanged. */
int booking_apply(struct booking_line *out, struct booking_case *c,
		  const struct booking_params *p, const struct booking_tx *tx,
		  struct err *e);

/* SPEC 9.3 v2: the status the case list shows once a settlement has booked
 * a case. listed: what it showed before (the loader marks a case
 * withdrawn as soon as a withdrawal is loaded); booked: what the bookings
 * made of it; withdrawal_booked: this settlement booked a withdrawal of
 * it. A loaded withdrawal that waits to be booked keeps the case
 * withdrawn; once booked, the bookings decide (closed when the case was
 * paid before the withdrawal's booking date). */
enum booking_status booking_listed_status(enum booking_status listed,
					  enum booking_status booked, bool withdrawal_booked);

/* A case that the statement counts as registered (SPEC 9.2 v2). */
int booking_portfolio_register(struct booking_portfolio *p, int64_t principal,
			       struct err *e);
/* One booking of a case, from the balances before it to those after it:
 * closings (withdrawn, paid), reopenings (a reversal of a paid case) and
 * the change of open principal. */
int booking_portfolio_book(struct booking_portfolio *p, const struct booking_case *before,
			   const struct booking_case *after, struct err *e);

void booking_totals_init(struct booking_totals *t);
/* Add one line to the totals (ERR_LIMIT on overflow). */
int booking_totals_add(struct booking_totals *t, const struct booking_line *l,
		       struct err *e);
/* VAT on commission plus withdrawal fees (negative when reversals make
 * that sum negative), and the net payout. */
int booking_totals_finish(struct booking_totals *t, int64_t vat_bp, struct err *e);

#endif
