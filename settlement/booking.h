/* booking.h: the booking logic of SPEC 9.1 as pure functions over one case's
 * balances and its transactions, in integer minor units.
 *
 * No database, no files, no logging: settle.c reads the balances and the
 * transactions, calls booking_apply() for each transaction in the order of
 * 9.1 (booking_date, then load order), and stores what comes back.
 *
 * Rounding: "half up" is half away from zero (muldiv_round), applied to each
 * interest accrual, to each line's commission and to the statement's VAT.
 */
#ifndef SETTLEMENT_BOOKING_H
#define SETTLEMENT_BOOKING_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

enum booking_kind {
	BOOKING_PAYMENT,
	BOOKING_DIRECT_PAYMENT,
	BOOKING_CREDIT_NOTE,
	BOOKING_WITHDRAWAL,
	BOOKING__KIND_COUNT
};

enum booking_status {
	BOOKING_OPEN,
	BOOKING_CLOSED,   /* fees, interest and principal reached zero */
	BOOKING_WITHDRAWN /* withdrawn by the creditor */
};

/* A date that is not set (closed_date, last_transaction_date). */
#define BOOKING_NO_DATE INT32_MIN

/* The parameters of one creditor: its own terms and its country's. */
struct booking_params {
	int64_t interest_rate_bp;   /* 5.00 % -> 500 */
	int interest_days_per_year; /* 365 or 360 */
	int64_t commission_bp;      /* 15.00 % -> 1500 */
	bool interest_to_creditor;  /* creditors.interest_to = 'creditor' */
	int64_t withdrawal_fee;     /* minor units, charged to the creditor */
	int64_t vat_bp;             /* on commission and withdrawal fees */
};

/* A case's balances, as kept in the cases table. */
struct booking_case {
	int64_t principal;
	int64_t fees;
	int64_t interest;
	int32_t accrued_to;            /* interest accrued up to this date */
	enum booking_status status;
	int32_t closed_date;           /* BOOKING_NO_DATE when not closed */
	int32_t last_transaction_date; /* BOOKING_NO_DATE before the first */
	bool withdrawal_booked;        /* a withdrawal was already settled */
};

struct booking_tx {
	enum booking_kind kind;
	int32_t booking_date;
	int64_t amount; /* >= 0; 0 for a withdrawal */
};

/* One settled transaction line (SPEC 9.1 and 9.2). */
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
	int64_t withdrawal_fees; /* sum of withdrawal fees charged */
	int64_t creditor_share;
	int64_t commission;
	int64_t payout_effect;   /* sum of the lines' payout_effect */
	int64_t vat;             /* set by booking_totals_finish */
	int64_t net_payout;      /* set by booking_totals_finish */
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

/* Simple interest on principal from one date to another: principal x
 * rate_bp / 10000 x days / days_per_year, rounded half up; 0 when to is
 * not after from. ERR_LIMIT when the result exceeds MONEY_MAX. */
int booking_interest(int64_t *out, int64_t principal, int64_t rate_bp,
		     int days_per_year, int32_t from, int32_t to, struct err *e);

/* Apply one transaction to the balances in c and describe it in *out:
 * interest accrual, allocation, write-off, closing, creditor share,
 * commission and payout effect. Fails (ERR_LIMIT) only when an amount
 * leaves the range the engine handles, with c unchanged. */
int booking_apply(struct booking_line *out, struct booking_case *c,
		  const struct booking_params *p, const struct booking_tx *tx,
		  struct err *e);

void booking_totals_init(struct booking_totals *t);
/* Add one line to the totals (ERR_LIMIT on overflow). */
int booking_totals_add(struct booking_totals *t, const struct booking_line *l,
		       struct err *e);
/* VAT on commission plus withdrawal fees, and the net payout. */
int booking_totals_finish(struct booking_totals *t, int64_t vat_bp, struct err *e);

#endif
