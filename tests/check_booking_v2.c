/* check_booking_v2.c: the clarifications of SPEC version 2 to the booking
 * logic (9.1): shares only on money paid, booking order over load order,
 * the accrued-to date never moving back. Expected amounts are computed by
 * hand in the comment above each check.
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

Suite *booking_v2_suite(void); /* for the runner; no header of its own */

/* Item 1 of issue 11: a credit note of 601.07 used to show creditor_share
 * 601.07, and the statement's creditorShare included it.
 * Case 1000.00 / fees 50.00, accrued to 2026-10-01.
 * - credit note 601.07 on 2026-10-01 (no day, no interest): to_principal
 *   601.07, share 0.00, commission 0.00, payout 0.00; principal 398.93.
 * - payment 100.00 on 2026-10-01: fees 50.00, principal 50.00;
 *   commission 5000 x 15 % = 750; share 50.00; payout 5000 - 750 = 4250.
 * - withdrawal on 2026-10-11: 10 days on 348.93:
 *   34893 x 500 x 10 / 3650000 = 47.80 -> 48; written off 34893 + 48 =
 *   34941; share 0.00, commission 0.00, payout -50.00.
 * Totals: payments 100.00, credit notes 601.07, withdrawal fees 50.00,
 * creditor share 50.00 (not 651.07), commission 7.50, payout effects
 * 4250 - 5000 = -750; VAT (750 + 5000) x 8.10 % = 465.75 -> 466;
 * net -750 - 466 = -1216. */
START_TEST(test_share_only_on_payments)
{
	struct booking_params p = params();
	struct booking_case c = open_case(100000, 5000, 0, d(2026, 10, 1));
	struct booking_totals t;
	struct booking_line l;
	struct err e = ERR_INIT;

	booking_totals_init(&t);
	l = apply(&c, &p, BOOKING_CREDIT_NOTE, d(2026, 10, 1), 60107);
	ck_assert_int_eq(l.to_principal, 60107);
	ck_assert_int_eq(l.overpaid, 0);
	ck_assert_int_eq(l.creditor_share, 0);
	ck_assert_int_eq(l.commission, 0);
	ck_assert_int_eq(l.payout_effect, 0);
	ck_assert_int_eq(c.principal, 39893);
	ck_assert_int_eq(booking_totals_add(&t, &l, &e), 0);

	l = apply(&c, &p, BOOKING_PAYMENT, d(2026, 10, 1), 10000);
	ck_assert_int_eq(l.to_fees, 5000);
	ck_assert_int_eq(l.to_principal, 5000);
	ck_assert_int_eq(l.creditor_share, 5000);
	ck_assert_int_eq(l.commission, 750);
	ck_assert_int_eq(l.payout_effect, 4250);
	ck_assert_int_eq(booking_totals_add(&t, &l, &e), 0);

	l = apply(&c, &p, BOOKING_WITHDRAWAL, d(2026, 10, 11), 0);
	ck_assert_int_eq(l.interest_accrued, 48);
	ck_assert_int_eq(l.written_off, 34941);
	ck_assert_int_eq(l.creditor_share, 0);
	ck_assert_int_eq(l.commission, 0);
	ck_assert_int_eq(l.payout_effect, -5000);
	ck_assert_int_eq(booking_totals_add(&t, &l, &e), 0);

	ck_assert_int_eq(booking_totals_finish(&t, p.vat_bp, &e), 0);
	ck_assert_int_eq(t.payments, 10000);
	ck_assert_int_eq(t.credit_notes, 60107);
	ck_assert_int_eq(t.withdrawal_fees, 5000);
	ck_assert_int_eq(t.creditor_share, 5000);
	ck_assert_int_eq(t.commission, 750);
	ck_assert_int_eq(t.payout_effect, -750);
	ck_assert_int_eq(t.vat, 466);
	ck_assert_int_eq(t.net_payout, -1216);
}
END_TEST

/* With interest to the agency, a credit note that meets accrued interest
 * still has no share: case 500.00, no fees, accrued to 2026-01-01; credit
 * note 100.00 on 2026-03-02 (60 days): interest 50000 x 500 x 60 /
 * 3650000 = 410.96 -> 411 stays as interest (a credit note reduces
 * principal only); to_principal 100.00, share 0, commission 0. */
START_TEST(test_credit_note_share_interest_to_agency)
{
	struct booking_params p = params();
	struct booking_case c = open_case(50000, 0, 0, d(2026, 1, 1));
	struct booking_line l;

	p.interest_to_creditor = false;
	l = apply(&c, &p, BOOKING_CREDIT_NOTE, d(2026, 3, 2), 10000);
	ck_assert_int_eq(l.interest_accrued, 411);
	ck_assert_int_eq(l.to_interest, 0);
	ck_assert_int_eq(l.to_principal, 10000);
	ck_assert_int_eq(l.creditor_share, 0);
	ck_assert_int_eq(l.commission, 0);
	ck_assert_int_eq(l.payout_effect, 0);
	ck_assert_int_eq(c.interest, 411);
	ck_assert_int_eq(c.principal, 40000);
}
END_TEST

Suite *booking_v2_suite(void)
{
	Suite *s = suite_create("booking_v2");
	TCase *tc = tcase_create("booking_v2");

	tcase_add_test(tc, test_share_only_on_payments);
	tcase_add_test(tc, test_credit_note_share_interest_to_agency);
	suite_add_tcase(s, tc);
	return s;
}
