/* booking_test.h: what the booking suites (check_booking.c,
 * check_booking_v2.c, check_booking_reversal.c) share: the default
 * creditor, dates, an open case and one booking (or reversal) that must
 * succeed.
 *
 * The default creditor has commission 15.00 %, interest to the creditor,
 * and its country 5.00 % interest on a 365-day year, VAT 8.10 % and a
 * withdrawal fee of 50.00. Amounts are in minor units. */
#ifndef TESTS_BOOKING_TEST_H
#define TESTS_BOOKING_TEST_H

#include <check.h>
#include <stdint.h>

#include "booking.h"
#include "date.h"
#include "err.h"

static inline struct booking_params params(void)
{
	struct booking_params p = {
		.interest_rate_bp = 500,
		.interest_days_per_year = 365,
		.commission_bp = 1500,
		.interest_to_creditor = true,
		.withdrawal_fee = 5000,
		.vat_bp = 810,
	};
	return p;
}

static inline int32_t d(int y, int m, int day)
{
	return date_from_ymd(y, m, day);
}

static inline struct booking_case open_case(int64_t principal, int64_t fees, int64_t interest,
					    int32_t accrued_to)
{
	struct booking_case c = {
		.principal = principal,
		.fees = fees,
		.interest = interest,
		.accrued_to = accrued_to,
		.status = BOOKING_OPEN,
		.closed_date = BOOKING_NO_DATE,
		.last_transaction_date = BOOKING_NO_DATE,
	};
	return c;
}

static inline struct booking_line apply(struct booking_case *c, const struct booking_params *p,
					enum booking_kind kind, int32_t date, int64_t amount)
{
	struct booking_tx tx = { kind, date, amount, NULL, STAGE_COLLECTION };
	struct booking_line l;
	struct err e = ERR_INIT;

	ck_assert_int_eq(booking_apply(&l, c, p, &tx, &e), 0);
	return l;
}

/* A reversal (SPEC 9.1 v2) of the payment whose line is original. */
static inline struct booking_line reverse(struct booking_case *c, const struct booking_params *p,
					  int32_t date, const struct booking_line *original)
{
	struct booking_tx tx = { BOOKING_REVERSAL, date, original->amount, original, STAGE_COLLECTION };
	struct booking_line l;
	struct err e = ERR_INIT;

	ck_assert_int_eq(booking_apply(&l, c, p, &tx, &e), 0);
	return l;
}

#endif
