/* check_booking_reversal.c: reversals (SPEC 9.1 v2), a payment that the
 * bank took back. Its line is the original payment's line negated (the
 * amount stays the original's), its allocation goes back onto the case,
 * interest accrues before it as before any transaction. Expected amounts
 * are computed by hand in the comment above each check.
 *
 * The creditor is the default of booking_test.h (commission 15.00 %,
 * interest to the creditor, 5.00 % on 365 days, VAT 8.10 %, withdrawal fee
 * 50.00) unless a test says otherwise. Amounts in minor units. */
#include <check.h>
#include <stdint.h>

#include "booking.h"
#include "booking_test.h"
#include "date.h"
#include "err.h"
#include "money.h"

Suite *booking_reversal_suite(void); /* for the runner; no header of its own */

/* The line l is the original o negated, with o's amount. */
static void assert_negated(const struct booking_line *l, const struct booking_line *o)
{
	ck_assert_int_eq(l->kind, BOOKING_REVERSAL);
	ck_assert_int_eq(l->amount, o->amount);
	ck_assert_int_eq(l->to_fees, -o->to_fees);
	ck_assert_int_eq(l->to_interest, -o->to_interest);
	ck_assert_int_eq(l->to_principal, -o->to_principal);
	ck_assert_int_eq(l->overpaid, -o->overpaid);
	ck_assert_int_eq(l->creditor_share, -o->creditor_share);
	ck_assert_int_eq(l->commission, -o->commission);
	ck_assert_int_eq(l->payout_effect, -o->payout_effect);
	ck_assert_int_eq(l->written_off, 0);
	ck_assert_int_eq(l->withdrawal_fee, 0);
}

START_TEST(test_reversal_names)
{
	ck_assert_int_eq(booking_kind_parse("reversal"), BOOKING_REVERSAL);
	ck_assert_str_eq(booking_kind_name(BOOKING_REVERSAL), "reversal");
	/* SPEC 9.3: the case list follows what the bookings made of a case
	 * that a reversal opened again, unless a loaded withdrawal waits */
	ck_assert_int_eq(booking_listed_status(BOOKING_CLOSED, BOOKING_OPEN, false), BOOKING_OPEN);
	ck_assert_int_eq(booking_listed_status(BOOKING_WITHDRAWN, BOOKING_OPEN, false),
			 BOOKING_WITHDRAWN);
}
END_TEST

/* A payment settled in October, reversed in November. Case 1000.00 /
 * fees 50.00, accrued to 2026-10-01.
 * - payment 300.00 on 2026-10-11: 10 days, 100000 x 500 x 10 / 3650000 =
 *   136.99 -> 137; fees 5000, interest 137, principal 24863; commission
 *   24863 x 15 % = 3729.45 -> 3729; share 24863 + 137 = 25000; payout
 *   25000 - 3729 = 21271. Principal 75137.
 * - reversal on 2026-11-10: 30 days on 75137, 75137 x 500 x 30 / 3650000
 *   = 308.78 -> 309 accrued first; line 300.00, -50.00, -1.37, -248.63,
 *   0.00, -250.00, -37.29, -212.71; fees 5000, interest 309 + 137 = 446,
 *   principal 100000 again, open, accrued to 2026-11-10.
 * November's statement, the reversal alone: payments 0.00, reversals
 * 300.00, share -250.00, commission -37.29, payout -212.71, VAT -3729 x
 * 8.10 % = -302.05 -> -302, net -21271 + 302 = -20969; the open principal
 * grows by 248.63, no case closes or opens. */
START_TEST(test_reversal_open_case_next_month)
{
	struct booking_params p = params();
	struct booking_case c = open_case(100000, 5000, 0, d(2026, 10, 1));
	struct booking_portfolio nov = { 0 };
	struct booking_totals t;
	struct booking_case before;
	struct booking_line o, l;
	struct err e = ERR_INIT;

	o = apply(&c, &p, BOOKING_PAYMENT, d(2026, 10, 11), 30000);
	ck_assert_int_eq(o.interest_accrued, 137);
	ck_assert_int_eq(o.to_fees, 5000);
	ck_assert_int_eq(o.to_interest, 137);
	ck_assert_int_eq(o.to_principal, 24863);
	ck_assert_int_eq(o.commission, 3729);
	ck_assert_int_eq(o.creditor_share, 25000);
	ck_assert_int_eq(o.payout_effect, 21271);
	ck_assert_int_eq(c.principal, 75137);

	before = c;
	l = reverse(&c, &p, d(2026, 11, 10), &o);
	assert_negated(&l, &o);
	ck_assert_int_eq(l.amount, 30000);
	ck_assert_int_eq(l.payout_effect, -21271);
	ck_assert_int_eq(l.interest_accrued, 309);
	ck_assert_int_eq(c.fees, 5000);
	ck_assert_int_eq(c.interest, 446);
	ck_assert_int_eq(c.principal, 100000);
	ck_assert_int_eq(c.status, BOOKING_OPEN);
	ck_assert_int_eq(c.closed_date, BOOKING_NO_DATE);
	ck_assert_int_eq(c.accrued_to, d(2026, 11, 10));
	ck_assert_int_eq(c.last_transaction_date, d(2026, 11, 10));
	ck_assert_int_eq(booking_portfolio_book(&nov, &before, &c, &e), 0);
	ck_assert_int_eq(nov.paid_cases + nov.withdrawn_cases + nov.reopened_cases, 0);
	ck_assert_int_eq(nov.open_principal_change, 24863);

	booking_totals_init(&t);
	ck_assert_int_eq(booking_totals_add(&t, &l, &e), 0);
	ck_assert_int_eq(booking_totals_finish(&t, p.vat_bp, &e), 0);
	ck_assert_int_eq(t.lines, 1);
	ck_assert_int_eq(t.payments, 0);
	ck_assert_int_eq(t.reversals, 30000);
	ck_assert_int_eq(t.creditor_share, -25000);
	ck_assert_int_eq(t.commission, -3729);
	ck_assert_int_eq(t.payout_effect, -21271);
	ck_assert_int_eq(t.vat, -302);
	ck_assert_int_eq(t.net_payout, -20969);
}
END_TEST

static void book(struct booking_portfolio *pf, struct booking_totals *t, struct booking_case *c,
		 const struct booking_line *l, const struct booking_case *before)
{
	struct err e = ERR_INIT;

	ck_assert_int_eq(booking_portfolio_book(pf, before, c, &e), 0);
	ck_assert_int_eq(booking_totals_add(t, l, &e), 0);
}

/* A paid case opened again, then paid again, in one statement. Case
 * 100.00 / fees 50.00, accrued to 2026-10-10.
 * - payment 150.00 on 2026-10-10: fees 5000, principal 10000; commission
 *   1500, share 10000, payout 8500; closed as paid (paid 1, open principal
 *   -100.00).
 * - reversal on 2026-10-20: nothing accrues on principal 0; line -50.00,
 *   0.00, -100.00, 0.00, -100.00, -15.00, -85.00; fees 5000 and principal
 *   10000 again: open again, no closing date (reopened 1, +100.00).
 * - payment 160.00 on 2026-10-30: 10 days, 10000 x 500 x 10 / 3650000 =
 *   13.70 -> 14; fees 5000, interest 14, principal 10000, overpaid 986;
 *   commission 1500, share 10014, payout 8514; closed as paid again on
 *   10-30 (paid 2, -100.00).
 * Totals: payments 310.00, reversals 150.00, share 100.14, commission
 * 15.00, payout 85.14, VAT 1500 x 8.10 % = 121.5 -> 122, net 83.92;
 * portfolio: paid 2, reopened 1 (openCases -1), open principal -100.00. */
START_TEST(test_reversal_reopens_paid_case)
{
	struct booking_params p = params();
	struct booking_case c = open_case(10000, 5000, 0, d(2026, 10, 10));
	struct booking_portfolio pf = { 0 };
	struct booking_totals t;
	struct booking_case before = c;
	struct booking_line o, l;
	struct err e = ERR_INIT;

	booking_totals_init(&t);
	o = apply(&c, &p, BOOKING_PAYMENT, d(2026, 10, 10), 15000);
	ck_assert_int_eq(o.to_fees, 5000);
	ck_assert_int_eq(o.to_principal, 10000);
	ck_assert_int_eq(o.commission, 1500);
	ck_assert_int_eq(o.payout_effect, 8500);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
	book(&pf, &t, &c, &o, &before);
	ck_assert_int_eq(pf.paid_cases, 1);

	before = c;
	l = reverse(&c, &p, d(2026, 10, 20), &o);
	assert_negated(&l, &o);
	ck_assert_int_eq(l.interest_accrued, 0);
	ck_assert_int_eq(l.to_fees, -5000);
	ck_assert_int_eq(l.to_principal, -10000);
	ck_assert_int_eq(l.creditor_share, -10000);
	ck_assert_int_eq(l.commission, -1500);
	ck_assert_int_eq(l.payout_effect, -8500);
	ck_assert_int_eq(c.status, BOOKING_OPEN);
	ck_assert_int_eq(c.closed_date, BOOKING_NO_DATE);
	ck_assert_int_eq(c.fees, 5000);
	ck_assert_int_eq(c.principal, 10000);
	ck_assert_int_eq(c.interest, 0);
	ck_assert_int_eq(c.accrued_to, d(2026, 10, 20));
	book(&pf, &t, &c, &l, &before);
	ck_assert_int_eq(pf.reopened_cases, 1);
	ck_assert_int_eq(pf.open_principal_change, 0);

	before = c;
	l = apply(&c, &p, BOOKING_PAYMENT, d(2026, 10, 30), 16000);
	ck_assert_int_eq(l.interest_accrued, 14);
	ck_assert_int_eq(l.to_fees, 5000);
	ck_assert_int_eq(l.to_interest, 14);
	ck_assert_int_eq(l.to_principal, 10000);
	ck_assert_int_eq(l.overpaid, 986);
	ck_assert_int_eq(l.creditor_share, 10014);
	ck_assert_int_eq(l.payout_effect, 8514);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
	ck_assert_int_eq(c.closed_date, d(2026, 10, 30));
	book(&pf, &t, &c, &l, &before);

	ck_assert_int_eq(booking_totals_finish(&t, p.vat_bp, &e), 0);
	ck_assert_int_eq(t.lines, 3);
	ck_assert_int_eq(t.payments, 31000);
	ck_assert_int_eq(t.reversals, 15000);
	ck_assert_int_eq(t.creditor_share, 10014);
	ck_assert_int_eq(t.commission, 1500);
	ck_assert_int_eq(t.payout_effect, 8514);
	ck_assert_int_eq(t.vat, 122);
	ck_assert_int_eq(t.net_payout, 8392);
	ck_assert_int_eq(pf.paid_cases, 2);
	ck_assert_int_eq(pf.reopened_cases, 1);
	ck_assert_int_eq(pf.withdrawn_cases, 0);
	ck_assert_int_eq(pf.open_principal_change, -10000);
}
END_TEST

/* A withdrawn case stays withdrawn. Case 200.00 / fees 50.00, accrued to
 * 2026-10-01.
 * - payment 100.00 on 2026-10-01: fees 5000, principal 5000; commission
 *   750, share 5000, payout 4250. Principal 15000.
 * - withdrawal on 2026-10-05: 4 days, 15000 x 500 x 4 / 3650000 = 8.22 ->
 *   8; written off 15008, fee 50.00, payout -50.00.
 * - reversal on 2026-10-20: nothing accrues; its line is still the
 *   payment's negated (-50.00, 0.00, -50.00, 0.00, -50.00, -7.50,
 *   -42.50), but nothing goes back on the case: 0.00 owed, withdrawn on
 *   10-05; no closing or opening, open principal unchanged.
 * Totals: payments 100.00, reversals 100.00, withdrawal fees 50.00, share
 * 0.00, commission 0.00, payout 4250 - 5000 - 4250 = -50.00, VAT 5000 x
 * 8.10 % = 4.05, net -54.05. */
START_TEST(test_reversal_withdrawn_case)
{
	struct booking_params p = params();
	struct booking_case c = open_case(20000, 5000, 0, d(2026, 10, 1));
	struct booking_portfolio pf = { 0 };
	struct booking_totals t;
	struct booking_case before;
	struct booking_line o, w, l;
	struct err e = ERR_INIT;

	o = apply(&c, &p, BOOKING_PAYMENT, d(2026, 10, 1), 10000);
	ck_assert_int_eq(o.commission, 750);
	ck_assert_int_eq(o.payout_effect, 4250);
	w = apply(&c, &p, BOOKING_WITHDRAWAL, d(2026, 10, 5), 0);
	ck_assert_int_eq(w.interest_accrued, 8);
	ck_assert_int_eq(w.written_off, 15008);
	ck_assert_int_eq(c.status, BOOKING_WITHDRAWN);

	before = c;
	l = reverse(&c, &p, d(2026, 10, 20), &o);
	assert_negated(&l, &o);
	ck_assert_int_eq(l.interest_accrued, 0);
	ck_assert_int_eq(l.to_principal, -5000);
	ck_assert_int_eq(l.payout_effect, -4250);
	ck_assert_int_eq(c.principal + c.fees + c.interest, 0);
	ck_assert_int_eq(c.status, BOOKING_WITHDRAWN);
	ck_assert_int_eq(c.closed_date, d(2026, 10, 5));
	ck_assert_int_eq(c.last_transaction_date, d(2026, 10, 20));
	ck_assert_int_eq(booking_portfolio_book(&pf, &before, &c, &e), 0);
	ck_assert_int_eq(pf.paid_cases + pf.withdrawn_cases + pf.reopened_cases, 0);
	ck_assert_int_eq(pf.open_principal_change, 0);

	booking_totals_init(&t);
	ck_assert_int_eq(booking_totals_add(&t, &o, &e), 0);
	ck_assert_int_eq(booking_totals_add(&t, &w, &e), 0);
	ck_assert_int_eq(booking_totals_add(&t, &l, &e), 0);
	ck_assert_int_eq(booking_totals_finish(&t, p.vat_bp, &e), 0);
	ck_assert_int_eq(t.payments, 10000);
	ck_assert_int_eq(t.reversals, 10000);
	ck_assert_int_eq(t.withdrawal_fees, 5000);
	ck_assert_int_eq(t.creditor_share, 0);
	ck_assert_int_eq(t.commission, 0);
	ck_assert_int_eq(t.payout_effect, -5000);
	ck_assert_int_eq(t.vat, 405);
	ck_assert_int_eq(t.net_payout, -5405);
}
END_TEST

/* A payment booked after the case was paid was all overpaid; its reversal
 * takes back the overpaid money only, and the case, which owes nothing,
 * stays closed as paid. Case 100.00, no fees, accrued to 2026-10-01:
 * payment 100.00 on 10-01 closes it; payment 20.00 on 10-05: overpaid
 * 2000, share, commission and payout 0.00; its reversal on 10-09: amount
 * 20.00, overpaid -20.00, everything else 0.00; closed on 10-01 still. */
START_TEST(test_reversal_of_overpaid_payment)
{
	struct booking_params p = params();
	struct booking_case c = open_case(10000, 0, 0, d(2026, 10, 1));
	struct booking_portfolio pf = { 0 };
	struct booking_case before;
	struct booking_line o, l;
	struct err e = ERR_INIT;

	(void)apply(&c, &p, BOOKING_PAYMENT, d(2026, 10, 1), 10000);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
	o = apply(&c, &p, BOOKING_PAYMENT, d(2026, 10, 5), 2000);
	ck_assert_int_eq(o.overpaid, 2000);
	ck_assert_int_eq(o.payout_effect, 0);

	before = c;
	l = reverse(&c, &p, d(2026, 10, 9), &o);
	assert_negated(&l, &o);
	ck_assert_int_eq(l.amount, 2000);
	ck_assert_int_eq(l.overpaid, -2000);
	ck_assert_int_eq(l.to_fees + l.to_interest + l.to_principal, 0);
	ck_assert_int_eq(l.payout_effect, 0);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
	ck_assert_int_eq(c.closed_date, d(2026, 10, 1));
	ck_assert_int_eq(booking_portfolio_book(&pf, &before, &c, &e), 0);
	ck_assert_int_eq(pf.reopened_cases, 0);
}
END_TEST

/* A reversal booked before its original payment's booking date (the run
 * books it right after the payment): interest accrues nothing and the
 * accrued-to date does not move back, so every day is still charged once.
 * Principal 365.00 at 5 % is 0.05 a day. Payment 100.00 on 2026-06-10: 9
 * days, interest 45, principal 9955, commission 9955 x 15 % = 1493.25 ->
 * 1493, payout 10000 - 1493 = 8507. Its reversal booked 06-05: nothing
 * accrues; interest 45 and principal 36500 again; accrued to and last
 * transaction 06-10. A payment of 0.10 on 06-12 accrues the 2 days left:
 * 10, so 55 in all for the 11 days. */
START_TEST(test_reversal_booked_before_original)
{
	struct booking_params p = params();
	struct booking_case c = open_case(36500, 0, 0, d(2026, 6, 1));
	struct booking_line o, l;

	o = apply(&c, &p, BOOKING_PAYMENT, d(2026, 6, 10), 10000);
	ck_assert_int_eq(o.interest_accrued, 45);
	ck_assert_int_eq(o.to_principal, 9955);
	ck_assert_int_eq(o.commission, 1493);
	ck_assert_int_eq(o.payout_effect, 8507);

	l = reverse(&c, &p, d(2026, 6, 5), &o);
	assert_negated(&l, &o);
	ck_assert_int_eq(l.booking_date, d(2026, 6, 5));
	ck_assert_int_eq(l.interest_accrued, 0);
	ck_assert_int_eq(c.interest, 45);
	ck_assert_int_eq(c.principal, 36500);
	ck_assert_int_eq(c.accrued_to, d(2026, 6, 10));
	ck_assert_int_eq(c.last_transaction_date, d(2026, 6, 10));

	l = apply(&c, &p, BOOKING_PAYMENT, d(2026, 6, 12), 10);
	ck_assert_int_eq(l.interest_accrued, 10);
	ck_assert_int_eq(c.interest, 45);
}
END_TEST

/* Interest to the agency: the share was the principal only, and so is
 * what the reversal takes back. Case 500.00 / fees 50.00, accrued to
 * 2026-01-01; payment 100.00 on 2026-03-02: 60 days, 50000 x 500 x 60 /
 * 3650000 = 410.96 -> 411; fees 5000, interest 411, principal 4589;
 * commission 688.35 -> 688; share 4589; payout 3901. Reversal on
 * 2026-03-12: 10 days on 45411, 62.21 -> 62; line -50.00, -4.11, -45.89,
 * 0.00, -45.89, -6.88, -39.01; interest 411 + 62 = 473, fees 5000,
 * principal 50000. */
START_TEST(test_reversal_interest_to_agency)
{
	struct booking_params p = params();
	struct booking_case c = open_case(50000, 5000, 0, d(2026, 1, 1));
	struct booking_line o, l;

	p.interest_to_creditor = false;
	o = apply(&c, &p, BOOKING_PAYMENT, d(2026, 3, 2), 10000);
	ck_assert_int_eq(o.to_interest, 411);
	ck_assert_int_eq(o.to_principal, 4589);
	ck_assert_int_eq(o.creditor_share, 4589);
	ck_assert_int_eq(o.commission, 688);
	ck_assert_int_eq(o.payout_effect, 3901);

	l = reverse(&c, &p, d(2026, 3, 12), &o);
	assert_negated(&l, &o);
	ck_assert_int_eq(l.interest_accrued, 62);
	ck_assert_int_eq(l.creditor_share, -4589);
	ck_assert_int_eq(l.payout_effect, -3901);
	ck_assert_int_eq(c.interest, 473);
	ck_assert_int_eq(c.fees, 5000);
	ck_assert_int_eq(c.principal, 50000);
}
END_TEST

/* VAT on a negative base rounds half away from zero too: the reversal of
 * a line with commission 5.00 (principal 33.33: 499.95 -> 500) makes the
 * totals' commission -5.00; VAT -500 x 8.10 % = -40.5 -> -41; payout
 * -(3333 - 500) = -2833, net -2833 + 41 = -2792. */
START_TEST(test_reversal_vat_negative_half)
{
	struct booking_params p = params();
	struct booking_case c = open_case(10000, 0, 0, d(2026, 10, 1));
	const struct booking_line o = { .kind = BOOKING_PAYMENT, .amount = 3333,
					.to_principal = 3333, .creditor_share = 3333,
					.commission = 500, .payout_effect = 2833 };
	struct booking_totals t;
	struct booking_line l;
	struct err e = ERR_INIT;

	l = reverse(&c, &p, d(2026, 10, 1), &o);
	booking_totals_init(&t);
	ck_assert_int_eq(booking_totals_add(&t, &l, &e), 0);
	ck_assert_int_eq(booking_totals_finish(&t, p.vat_bp, &e), 0);
	ck_assert_int_eq(t.reversals, 3333);
	ck_assert_int_eq(t.commission, -500);
	ck_assert_int_eq(t.vat, -41);
	ck_assert_int_eq(t.net_payout, -2792);
	ck_assert_int_eq(c.principal, 13333);
}
END_TEST

/* An original line out of range is an error and leaves the case as it
 * was; so does an allocation that no longer fits the balances (interest
 * at the largest int64: nothing accrues on the booking date itself, then
 * the 0.01 that goes back overflows). */
START_TEST(test_reversal_limits)
{
	struct booking_params p = params();
	struct booking_case c = open_case(10000, 0, 0, d(2026, 10, 1));
	const struct booking_case before = c;
	struct booking_line o = { .kind = BOOKING_PAYMENT, .amount = 100, .to_principal = -1 };
	struct booking_tx tx = { BOOKING_REVERSAL, d(2026, 10, 11), 100, &o, STAGE_COLLECTION };
	struct booking_line l;
	struct err e = ERR_INIT;

	ck_assert_int_eq(booking_apply(&l, &c, &p, &tx, &e), ERR_LIMIT);
	ck_assert_int_eq(c.principal, before.principal);
	ck_assert_int_eq(c.accrued_to, before.accrued_to);
	o.to_principal = MONEY_MAX + 1;
	ck_assert_int_eq(booking_apply(&l, &c, &p, &tx, &e), ERR_LIMIT);
	ck_assert_int_eq(c.principal, before.principal);

	o.to_principal = 0;
	o.to_interest = 1;
	tx.booking_date = d(2026, 10, 1);
	c.interest = INT64_MAX;
	ck_assert_int_eq(booking_apply(&l, &c, &p, &tx, &e), ERR_LIMIT);
	ck_assert_int_eq(c.interest, INT64_MAX);
	ck_assert_int_eq(c.principal, before.principal);
	c.interest = 0;
	ck_assert_int_eq(booking_apply(&l, &c, &p, &tx, &e), 0);
	ck_assert_int_eq(l.to_interest, -1);
	ck_assert_int_eq(c.interest, 1);
}
END_TEST

Suite *booking_reversal_suite(void)
{
	Suite *s = suite_create("booking_reversal");
	TCase *tc = tcase_create("booking_reversal");

	tcase_add_test(tc, test_reversal_names);
	tcase_add_test(tc, test_reversal_open_case_next_month);
	tcase_add_test(tc, test_reversal_reopens_paid_case);
	tcase_add_test(tc, test_reversal_withdrawn_case);
	tcase_add_test(tc, test_reversal_of_overpaid_payment);
	tcase_add_test(tc, test_reversal_booked_before_original);
	tcase_add_test(tc, test_reversal_interest_to_agency);
	tcase_add_test(tc, test_reversal_vat_negative_half);
	tcase_add_test(tc, test_reversal_limits);
	suite_add_tcase(s, tc);
	return s;
}
