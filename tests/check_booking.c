/* check_booking.c: the booking logic of SPEC 9.1, with expected amounts
 * computed by hand (the arithmetic is in the comment above each check).
 *
 * Unless a test says otherwise the creditor is the default of
 * booking_test.h: commission 15.00 %, interest to the creditor, and its
 * country 5.00 % interest on a 365-day year, VAT 8.10 % and a withdrawal fee
 * of 50.00. Amounts are in minor units. */
#include <check.h>
#include <stdint.h>

#include "booking.h"
#include "booking_test.h"
#include "date.h"
#include "err.h"

Suite *booking_suite(void); /* for the runner; no header of its own */

static int64_t interest(int64_t principal, int64_t rate_bp, int dpy, int32_t from, int32_t to)
{
	struct err e = ERR_INIT;
	int64_t v = -1;

	ck_assert_int_eq(booking_interest(&v, principal, rate_bp, dpy, from, to, &e), 0);
	return v;
}

START_TEST(test_kind_names)
{
	ck_assert_int_eq(booking_kind_parse("payment"), BOOKING_PAYMENT);
	ck_assert_int_eq(booking_kind_parse("direct_payment"), BOOKING_DIRECT_PAYMENT);
	ck_assert_int_eq(booking_kind_parse("credit_note"), BOOKING_CREDIT_NOTE);
	ck_assert_int_eq(booking_kind_parse("withdrawal"), BOOKING_WITHDRAWAL);
	ck_assert_int_eq(booking_kind_parse("Payment"), -1);
	ck_assert_str_eq(booking_kind_name(BOOKING_CREDIT_NOTE), "credit_note");
	ck_assert_int_eq(booking_status_parse("withdrawn"), BOOKING_WITHDRAWN);
	ck_assert_int_eq(booking_status_parse("paid"), -1);
	ck_assert_str_eq(booking_status_name(BOOKING_CLOSED), "closed");
}
END_TEST

/* Registration: principal = 1000.00 - 200.00 = 800.00, fees = the
 * collection fee 50.00, no interest, accrued to the due date. */
START_TEST(test_register)
{
	struct booking_case c;
	struct err e = ERR_INIT;

	ck_assert_int_eq(booking_case_register(&c, 100000, 20000, 5000, d(2024, 1, 31), &e), 0);
	ck_assert_int_eq(c.principal, 80000);
	ck_assert_int_eq(c.fees, 5000);
	ck_assert_int_eq(c.interest, 0);
	ck_assert_int_eq(c.accrued_to, d(2024, 1, 31));
	ck_assert_int_eq(c.status, BOOKING_OPEN);
	ck_assert_int_eq(c.closed_date, BOOKING_NO_DATE);
	ck_assert_int_eq(booking_case_register(&c, 100, 100, 0, d(2024, 1, 31), &e), ERR_LIMIT);
}
END_TEST

/* 2024-02-28 -> 2024-03-01 is 2 days (29 February counts), on a 365-day
 * basis: 100000.00 x 5 % x 2 / 365 = 10000000 x 500 x 2 / 3650000 =
 * 2739.73 minor units -> 27.40. The same dates in 2023 are 1 day:
 * 1369.86 -> 13.70. */
START_TEST(test_interest_leap_day)
{
	ck_assert_int_eq(d(2024, 3, 1) - d(2024, 2, 28), 2);
	ck_assert_int_eq(interest(10000000, 500, 365, d(2024, 2, 28), d(2024, 3, 1)), 2740);
	ck_assert_int_eq(interest(10000000, 500, 365, d(2023, 2, 28), d(2023, 3, 1)), 1370);
}
END_TEST

/* The whole leap year 2024-01-01 -> 2025-01-01 is 366 days:
 * 1000.00 x 5 % x 366 / 365 = 100000 x 500 x 366 / 3650000 = 5013.70 -> 50.14;
 * on a 360-day basis (Denmark) 7 % for 30 days on 100000.00:
 * 10000000 x 700 x 30 / 3600000 = 58333.33 -> 583.33. */
START_TEST(test_interest_basis)
{
	ck_assert_int_eq(interest(100000, 500, 365, d(2024, 1, 1), d(2025, 1, 1)), 5014);
	ck_assert_int_eq(interest(10000000, 700, 360, d(2024, 4, 1), d(2024, 5, 1)), 58333);
	/* no interest for no days, for negative days, on zero principal */
	ck_assert_int_eq(interest(100000, 500, 365, d(2024, 1, 1), d(2024, 1, 1)), 0);
	ck_assert_int_eq(interest(100000, 500, 365, d(2024, 2, 1), d(2024, 1, 1)), 0);
	ck_assert_int_eq(interest(0, 500, 365, d(2024, 1, 1), d(2025, 1, 1)), 0);
}
END_TEST

/* Half a minor unit rounds up: 73 days at 5 % on 365 are exactly 1 %
 * (500 x 73 / 3650000 = 1/100). 12345.50 x 1 % = 123.455 -> 123.46;
 * 12345.49 x 1 % = 123.4549 -> 123.45. On 360 days 36 days at 5 % are
 * 1/200: 3.00 x 1/200 = 1.5 minor units -> 0.02. */
START_TEST(test_interest_half_up)
{
	ck_assert_int_eq(d(2023, 3, 15) - d(2023, 1, 1), 73);
	ck_assert_int_eq(interest(1234550, 500, 365, d(2023, 1, 1), d(2023, 3, 15)), 12346);
	ck_assert_int_eq(interest(1234549, 500, 365, d(2023, 1, 1), d(2023, 3, 15)), 12345);
	ck_assert_int_eq(interest(300, 500, 360, d(2023, 1, 1), d(2023, 2, 6)), 2);
	ck_assert_int_eq(interest(100, 500, 360, d(2023, 1, 1), d(2023, 2, 6)), 1); /* 0.5 */
	ck_assert_int_eq(interest(99, 500, 360, d(2023, 1, 1), d(2023, 2, 6)), 0);  /* 0.495 */
}
END_TEST

/* The same half case through booking_apply: a payment of 100.00 on
 * 2023-03-15 on a case of principal 12345.50 accrued to 2023-01-01 first
 * accrues 123.46 (as above); 100.00 is less than that interest, so
 * to_interest = 100.00, to_principal = 0, and 23.46 interest is left. */
START_TEST(test_apply_interest_half_up)
{
	struct booking_params p = params();
	struct booking_case c = open_case(1234550, 0, 0, d(2023, 1, 1));
	struct booking_line l = apply(&c, &p, BOOKING_PAYMENT, d(2023, 3, 15), 10000);

	ck_assert_int_eq(l.interest_accrued, 12346);
	ck_assert_int_eq(l.to_fees, 0);
	ck_assert_int_eq(l.to_interest, 10000);
	ck_assert_int_eq(l.to_principal, 0);
	ck_assert_int_eq(l.overpaid, 0);
	/* creditor share: interest goes to the creditor: 0 + 100.00 */
	ck_assert_int_eq(l.creditor_share, 10000);
	/* commission only on principal: 0 */
	ck_assert_int_eq(l.commission, 0);
	ck_assert_int_eq(l.payout_effect, 10000);
	ck_assert_int_eq(c.interest, 2346);
	ck_assert_int_eq(c.principal, 1234550);
	ck_assert_int_eq(c.accrued_to, d(2023, 3, 15));
	ck_assert_int_eq(c.last_transaction_date, d(2023, 3, 15));
}
END_TEST

/* A payment smaller than the fees. Case 800.00 principal, 50.00 fees,
 * accrued to 2024-01-31; payment of 30.00 on 2024-02-10 (10 days):
 * interest 80000 x 500 x 10 / 3650000 = 109.59 -> 1.10; the 30.00 all go
 * to fees (20.00 left), nothing to interest or principal; creditor share 0,
 * commission 0, payout 0. */
START_TEST(test_payment_smaller_than_fees)
{
	struct booking_params p = params();
	struct booking_case c = open_case(80000, 5000, 0, d(2024, 1, 31));
	struct booking_line l = apply(&c, &p, BOOKING_PAYMENT, d(2024, 2, 10), 3000);

	ck_assert_int_eq(l.interest_accrued, 110);
	ck_assert_int_eq(l.amount, 3000);
	ck_assert_int_eq(l.to_fees, 3000);
	ck_assert_int_eq(l.to_interest, 0);
	ck_assert_int_eq(l.to_principal, 0);
	ck_assert_int_eq(l.overpaid, 0);
	ck_assert_int_eq(l.creditor_share, 0);
	ck_assert_int_eq(l.commission, 0);
	ck_assert_int_eq(l.payout_effect, 0);
	ck_assert_int_eq(c.fees, 2000);
	ck_assert_int_eq(c.interest, 110);
	ck_assert_int_eq(c.principal, 80000);
	ck_assert_int_eq(c.status, BOOKING_OPEN);
}
END_TEST

/* Allocation order fees -> interest -> principal, and commission with a
 * half minor unit. Case 800.00 / fees 50.00 accrued to 2024-01-31, payment
 * of 174.39 on 2024-03-01 (30 days: 29 in February):
 * interest 80000 x 500 x 30 / 3650000 = 328.77 -> 3.29;
 * to_fees 50.00, to_interest 3.29, to_principal 174.39 - 53.29 = 121.10;
 * commission 12110 x 15 % = 1816.5 -> 18.17 (half up);
 * creditor share 121.10 + 3.29 = 124.39; payout 124.39 - 18.17 = 106.22. */
START_TEST(test_payment_allocation_commission_half_up)
{
	struct booking_params p = params();
	struct booking_case c = open_case(80000, 5000, 0, d(2024, 1, 31));
	struct booking_line l = apply(&c, &p, BOOKING_PAYMENT, d(2024, 3, 1), 17439);

	ck_assert_int_eq(l.interest_accrued, 329);
	ck_assert_int_eq(l.to_fees, 5000);
	ck_assert_int_eq(l.to_interest, 329);
	ck_assert_int_eq(l.to_principal, 12110);
	ck_assert_int_eq(l.overpaid, 0);
	ck_assert_int_eq(l.commission, 1817);
	ck_assert_int_eq(l.creditor_share, 12439);
	ck_assert_int_eq(l.payout_effect, 10622);
	ck_assert_int_eq(c.principal, 80000 - 12110);
	ck_assert_int_eq(c.fees, 0);
	ck_assert_int_eq(c.interest, 0);

	/* the same with interest to the agency: share 121.10, payout
	 * 121.10 - 18.17 = 102.93 */
	p.interest_to_creditor = false;
	c = open_case(80000, 5000, 0, d(2024, 1, 31));
	l = apply(&c, &p, BOOKING_PAYMENT, d(2024, 3, 1), 17439);
	ck_assert_int_eq(l.creditor_share, 12110);
	ck_assert_int_eq(l.commission, 1817);
	ck_assert_int_eq(l.payout_effect, 10293);
}
END_TEST

/* Commission rounding just below and at the half: 15 % of 0.10 = 1.5 -> 2;
 * 15 % of 0.03 = 0.45 -> 0. */
START_TEST(test_commission_rounding_small)
{
	struct booking_params p = params();
	struct booking_case c = open_case(10, 0, 0, d(2024, 1, 1));
	struct booking_line l = apply(&c, &p, BOOKING_PAYMENT, d(2024, 1, 1), 10);

	ck_assert_int_eq(l.to_principal, 10);
	ck_assert_int_eq(l.commission, 2);
	ck_assert_int_eq(l.payout_effect, 8);
	c = open_case(3, 0, 0, d(2024, 1, 1));
	l = apply(&c, &p, BOOKING_PAYMENT, d(2024, 1, 1), 3);
	ck_assert_int_eq(l.commission, 0);
	ck_assert_int_eq(l.payout_effect, 3);
}
END_TEST

/* Overpayment: principal 100.00, no fees, no interest, accrued to the
 * booking date; payment 120.00: to_principal 100.00, overpaid 20.00,
 * commission 15.00, share 100.00, payout 85.00; the case is closed as
 * paid on the booking date. A later payment is all overpaid. */
START_TEST(test_overpayment_closes)
{
	struct booking_params p = params();
	struct booking_case c = open_case(10000, 0, 0, d(2024, 5, 10));
	struct booking_line l = apply(&c, &p, BOOKING_PAYMENT, d(2024, 5, 10), 12000);

	ck_assert_int_eq(l.interest_accrued, 0);
	ck_assert_int_eq(l.to_principal, 10000);
	ck_assert_int_eq(l.overpaid, 2000);
	ck_assert_int_eq(l.commission, 1500);
	ck_assert_int_eq(l.creditor_share, 10000);
	ck_assert_int_eq(l.payout_effect, 8500);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
	ck_assert_int_eq(c.closed_date, d(2024, 5, 10));

	l = apply(&c, &p, BOOKING_PAYMENT, d(2024, 6, 1), 500);
	ck_assert_int_eq(l.overpaid, 500);
	ck_assert_int_eq(l.to_principal, 0);
	ck_assert_int_eq(l.payout_effect, 0);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
	ck_assert_int_eq(c.closed_date, d(2024, 5, 10));
}
END_TEST

/* Direct payment. Case 1000.00 / fees 50.00 accrued to 2024-01-01; the
 * debtor pays 500.00 to the creditor on 2024-03-01 (60 days: 31 + 29):
 * interest 100000 x 500 x 60 / 3650000 = 821.92 -> 8.22;
 * to_fees 50.00, to_interest 8.22, to_principal 500.00 - 58.22 = 441.78;
 * commission 44178 x 15 % = 6626.7 -> 66.27.
 * interest_to creditor: share 441.78 + 8.22 = 450.00,
 *   payout -(50.00 + 0 + 66.27) = -116.27.
 * interest_to agency: share 441.78,
 *   payout -(50.00 + 8.22 + 66.27) = -124.49. */
START_TEST(test_direct_payment_interest_to_creditor)
{
	struct booking_params p = params();
	struct booking_case c = open_case(100000, 5000, 0, d(2024, 1, 1));
	struct booking_line l = apply(&c, &p, BOOKING_DIRECT_PAYMENT, d(2024, 3, 1), 50000);

	ck_assert_int_eq(l.interest_accrued, 822);
	ck_assert_int_eq(l.to_fees, 5000);
	ck_assert_int_eq(l.to_interest, 822);
	ck_assert_int_eq(l.to_principal, 44178);
	ck_assert_int_eq(l.commission, 6627);
	ck_assert_int_eq(l.creditor_share, 45000);
	ck_assert_int_eq(l.payout_effect, -11627);
	ck_assert_int_eq(c.principal, 55822);
	ck_assert_int_eq(c.fees, 0);
	ck_assert_int_eq(c.interest, 0);
	ck_assert_int_eq(c.status, BOOKING_OPEN);
}
END_TEST

START_TEST(test_direct_payment_interest_to_agency)
{
	struct booking_params p = params();
	struct booking_case c = open_case(100000, 5000, 0, d(2024, 1, 1));
	struct booking_line l;

	p.interest_to_creditor = false;
	l = apply(&c, &p, BOOKING_DIRECT_PAYMENT, d(2024, 3, 1), 50000);
	ck_assert_int_eq(l.to_interest, 822);
	ck_assert_int_eq(l.to_principal, 44178);
	ck_assert_int_eq(l.commission, 6627);
	ck_assert_int_eq(l.creditor_share, 44178);
	ck_assert_int_eq(l.payout_effect, -12449);
}
END_TEST

/* A direct payment that overpays: the overpaid part stays with the creditor
 * and does not enter the payout. Case 100.00, no fees, accrued to the
 * booking date, direct payment 150.00: to_principal 100.00, overpaid 50.00,
 * commission 15.00, payout -15.00; closed. */
START_TEST(test_direct_payment_overpaid)
{
	struct booking_params p = params();
	struct booking_case c = open_case(10000, 0, 0, d(2024, 1, 1));
	struct booking_line l = apply(&c, &p, BOOKING_DIRECT_PAYMENT, d(2024, 1, 1), 15000);

	ck_assert_int_eq(l.to_principal, 10000);
	ck_assert_int_eq(l.overpaid, 5000);
	ck_assert_int_eq(l.commission, 1500);
	ck_assert_int_eq(l.payout_effect, -1500);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
}
END_TEST

/* Credit note larger than the principal. Case 300.00 / fees 50.00,
 * accrued to the booking date; credit note 500.00: to_principal 300.00,
 * overpaid 200.00, nothing to fees; no creditor share and no commission
 * (v2: only payments carry them), payout 0; the fees of 50.00 stay, the
 * case stays open. */
START_TEST(test_credit_note_larger_than_principal)
{
	struct booking_params p = params();
	struct booking_case c = open_case(30000, 5000, 0, d(2024, 4, 2));
	struct booking_line l = apply(&c, &p, BOOKING_CREDIT_NOTE, d(2024, 4, 2), 50000);

	ck_assert_int_eq(l.amount, 50000);
	ck_assert_int_eq(l.to_fees, 0);
	ck_assert_int_eq(l.to_interest, 0);
	ck_assert_int_eq(l.to_principal, 30000);
	ck_assert_int_eq(l.overpaid, 20000);
	ck_assert_int_eq(l.creditor_share, 0);
	ck_assert_int_eq(l.commission, 0);
	ck_assert_int_eq(l.payout_effect, 0);
	ck_assert_int_eq(c.principal, 0);
	ck_assert_int_eq(c.fees, 5000);
	ck_assert_int_eq(c.status, BOOKING_OPEN);
}
END_TEST

/* A credit note that brings everything to zero closes the case as paid:
 * case 300.00, no fees, credit note 300.00 ten days after the due date at
 * 0 % interest. */
START_TEST(test_credit_note_closes)
{
	struct booking_params p = params();
	struct booking_case c = open_case(30000, 0, 0, d(2024, 4, 2));
	struct booking_line l;

	p.interest_rate_bp = 0;
	l = apply(&c, &p, BOOKING_CREDIT_NOTE, d(2024, 4, 12), 30000);
	ck_assert_int_eq(l.to_principal, 30000);
	ck_assert_int_eq(l.overpaid, 0);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
	ck_assert_int_eq(c.closed_date, d(2024, 4, 12));
}
END_TEST

/* Withdrawal with fee. Case 800.00 / fees 50.00 accrued to 2024-01-31,
 * withdrawn on 2024-03-01: interest 3.29 accrues (as above), then
 * 800.00 + 50.00 + 3.29 = 853.29 are written off; amount 0.00, no
 * allocation, payout -50.00 (the withdrawal fee). */
START_TEST(test_withdrawal_with_fee)
{
	struct booking_params p = params();
	struct booking_case c = open_case(80000, 5000, 0, d(2024, 1, 31));
	struct booking_line l = apply(&c, &p, BOOKING_WITHDRAWAL, d(2024, 3, 1), 0);

	ck_assert_int_eq(l.amount, 0);
	ck_assert_int_eq(l.interest_accrued, 329);
	ck_assert_int_eq(l.written_off, 85329);
	ck_assert_int_eq(l.to_fees + l.to_interest + l.to_principal + l.overpaid, 0);
	ck_assert_int_eq(l.creditor_share, 0);
	ck_assert_int_eq(l.commission, 0);
	ck_assert_int_eq(l.withdrawal_fee, 5000);
	ck_assert_int_eq(l.payout_effect, -5000);
	ck_assert_int_eq(c.principal + c.fees + c.interest, 0);
	ck_assert_int_eq(c.status, BOOKING_WITHDRAWN);
	ck_assert_int_eq(c.closed_date, d(2024, 3, 1));

	/* a second withdrawal of the same case charges no second fee */
	l = apply(&c, &p, BOOKING_WITHDRAWAL, d(2024, 3, 5), 0);
	ck_assert_int_eq(l.withdrawal_fee, 0);
	ck_assert_int_eq(l.payout_effect, 0);
	ck_assert_int_eq(c.closed_date, d(2024, 3, 1));

	/* a payment after the withdrawal has nothing to pay: all overpaid */
	l = apply(&c, &p, BOOKING_PAYMENT, d(2024, 3, 6), 1000);
	ck_assert_int_eq(l.overpaid, 1000);
	ck_assert_int_eq(l.payout_effect, 0);
	ck_assert_int_eq(c.status, BOOKING_WITHDRAWN);
}
END_TEST

/* Withdrawal in a country without a withdrawal fee: payout 0.00. A
 * withdrawal loaded with an amount still books 0.00. */
START_TEST(test_withdrawal_without_fee)
{
	struct booking_params p = params();
	struct booking_case c = open_case(80000, 0, 0, d(2024, 3, 1));
	struct booking_line l;

	p.withdrawal_fee = 0;
	l = apply(&c, &p, BOOKING_WITHDRAWAL, d(2024, 3, 1), 999);
	ck_assert_int_eq(l.amount, 0);
	ck_assert_int_eq(l.written_off, 80000);
	ck_assert_int_eq(l.withdrawal_fee, 0);
	ck_assert_int_eq(l.payout_effect, 0);
	ck_assert_int_eq(c.status, BOOKING_WITHDRAWN);
}
END_TEST

/* A transaction booked before the accrued-to date (loaded late, after a
 * later transaction was settled): no interest, and the accrued-to date does
 * not move back. Case 500.00, interest 10.00 accrued to 2024-03-31; payment
 * of 20.00 booked 2024-03-15: to_interest 10.00, to_principal 10.00
 * (commission 1.50, payout 20.00 - 1.50 = 18.50). The next payment on
 * 2024-04-30 accrues 30 days on 490.00: 49000 x 500 x 30 / 3650000 =
 * 201.37 -> 2.01, not 46 days. */
START_TEST(test_booked_before_accrued_to)
{
	struct booking_params p = params();
	struct booking_case c = open_case(50000, 0, 1000, d(2024, 3, 31));
	struct booking_line l = apply(&c, &p, BOOKING_PAYMENT, d(2024, 3, 15), 2000);

	ck_assert_int_eq(l.interest_accrued, 0);
	ck_assert_int_eq(l.to_interest, 1000);
	ck_assert_int_eq(l.to_principal, 1000);
	ck_assert_int_eq(l.commission, 150);
	ck_assert_int_eq(l.payout_effect, 1850);
	ck_assert_int_eq(c.accrued_to, d(2024, 3, 31));
	ck_assert_int_eq(c.last_transaction_date, d(2024, 3, 15));

	l = apply(&c, &p, BOOKING_PAYMENT, d(2024, 4, 30), 1);
	ck_assert_int_eq(l.interest_accrued, 201);
	ck_assert_int_eq(c.accrued_to, d(2024, 4, 30));
	ck_assert_int_eq(c.last_transaction_date, d(2024, 4, 30));
}
END_TEST

/* VAT with a half minor unit: commission 75.00 + withdrawal fee 50.00 =
 * 125.00 x 8.10 % = 10.125 -> 10.13. Payout effects 425.00 (payment) and
 * -50.00 (withdrawal): net 375.00 - 10.13 = 364.87. */
START_TEST(test_totals_vat_half_up)
{
	struct booking_totals t;
	struct booking_line pay = { .kind = BOOKING_PAYMENT, .amount = 50000,
				    .to_principal = 50000, .creditor_share = 50000,
				    .commission = 7500, .payout_effect = 42500 };
	struct booking_line wd = { .kind = BOOKING_WITHDRAWAL, .withdrawal_fee = 5000,
				   .payout_effect = -5000 };
	struct err e = ERR_INIT;

	booking_totals_init(&t);
	ck_assert_int_eq(booking_totals_add(&t, &pay, &e), 0);
	ck_assert_int_eq(booking_totals_add(&t, &wd, &e), 0);
	ck_assert_int_eq(booking_totals_finish(&t, 810, &e), 0);
	ck_assert_int_eq(t.lines, 2);
	ck_assert_int_eq(t.payments, 50000);
	ck_assert_int_eq(t.withdrawal_fees, 5000);
	ck_assert_int_eq(t.commission, 7500);
	ck_assert_int_eq(t.creditor_share, 50000);
	ck_assert_int_eq(t.payout_effect, 37500);
	ck_assert_int_eq(t.vat, 1013);
	ck_assert_int_eq(t.net_payout, 36487);

	/* 124.99 x 8.10 % = 10.124190 -> 10.12 */
	booking_totals_init(&t);
	pay.commission = 7499;
	ck_assert_int_eq(booking_totals_add(&t, &pay, &e), 0);
	ck_assert_int_eq(booking_totals_add(&t, &wd, &e), 0);
	ck_assert_int_eq(booking_totals_finish(&t, 810, &e), 0);
	ck_assert_int_eq(t.vat, 1012);
}
END_TEST

/* A negative net payout: the direct payment of test_direct_payment_
 * interest_to_creditor (payout -116.27, commission 66.27) and a withdrawal
 * fee of 50.00. VAT (66.27 + 50.00) x 8.10 % = 9.41787 -> 9.42; net
 * -116.27 - 50.00 - 9.42 = -175.69, owed by the creditor. Totals per kind:
 * direct payments 500.00, withdrawal fees 50.00, creditor share 450.00. */
START_TEST(test_totals_negative_net_payout)
{
	struct booking_params p = params();
	struct booking_case c1 = open_case(100000, 5000, 0, d(2024, 1, 1));
	struct booking_case c2 = open_case(80000, 5000, 0, d(2024, 3, 1));
	struct booking_line l1 = apply(&c1, &p, BOOKING_DIRECT_PAYMENT, d(2024, 3, 1), 50000);
	struct booking_line l2 = apply(&c2, &p, BOOKING_WITHDRAWAL, d(2024, 3, 1), 0);
	struct booking_totals t;
	struct err e = ERR_INIT;

	booking_totals_init(&t);
	ck_assert_int_eq(booking_totals_add(&t, &l1, &e), 0);
	ck_assert_int_eq(booking_totals_add(&t, &l2, &e), 0);
	ck_assert_int_eq(booking_totals_finish(&t, p.vat_bp, &e), 0);
	ck_assert_int_eq(t.direct_payments, 50000);
	ck_assert_int_eq(t.payments, 0);
	ck_assert_int_eq(t.credit_notes, 0);
	ck_assert_int_eq(t.withdrawal_fees, 5000);
	ck_assert_int_eq(t.creditor_share, 45000);
	ck_assert_int_eq(t.commission, 6627);
	ck_assert_int_eq(t.payout_effect, -16627);
	ck_assert_int_eq(t.vat, 942);
	ck_assert_int_eq(t.net_payout, -17569);
}
END_TEST

/* A case from registration to closing, in the order of 9.1, with a 360-day
 * country (Denmark: 8.05 % assumed here, no collection fee in the params
 * because it is in the registered balance). Register 2000.00 - 0.00, fee
 * 100.00, due 2024-01-15.
 * 1. payment 2024-02-14, 500.00: 30 days, 200000 x 805 x 30 / 3600000 =
 *    1341.67 -> 13.42; fees 100.00, interest 13.42, principal 386.58;
 *    commission 10 % of 386.58 = 38.658 -> 38.66.
 * 2. credit note 2024-03-15, 1000.00: 30 days on 1613.42:
 *    161342 x 805 x 30 / 3600000 = 1082.34 -> 10.82 (interest);
 *    to_principal 1000.00; principal 613.42, interest 10.82.
 * 3. payment 2024-03-15, 624.24 (same day, later load): no interest;
 *    interest 10.82, principal 613.42: exactly paid; commission
 *    61342 x 10 % = 6134.2 -> 61.34; closed 2024-03-15. */
START_TEST(test_case_lifecycle_360)
{
	struct booking_params p = params();
	struct booking_case c;
	struct booking_line l;
	struct err e = ERR_INIT;

	p.interest_rate_bp = 805;
	p.interest_days_per_year = 360;
	p.commission_bp = 1000;
	ck_assert_int_eq(booking_case_register(&c, 200000, 0, 10000, d(2024, 1, 15), &e), 0);

	l = apply(&c, &p, BOOKING_PAYMENT, d(2024, 2, 14), 50000);
	ck_assert_int_eq(l.interest_accrued, 1342);
	ck_assert_int_eq(l.to_fees, 10000);
	ck_assert_int_eq(l.to_interest, 1342);
	ck_assert_int_eq(l.to_principal, 38658);
	ck_assert_int_eq(l.commission, 3866);
	ck_assert_int_eq(l.payout_effect, 38658 + 1342 - 3866);

	l = apply(&c, &p, BOOKING_CREDIT_NOTE, d(2024, 3, 15), 100000);
	ck_assert_int_eq(l.interest_accrued, 1082);
	ck_assert_int_eq(l.to_principal, 100000);
	ck_assert_int_eq(c.principal, 61342);
	ck_assert_int_eq(c.interest, 1082);

	l = apply(&c, &p, BOOKING_PAYMENT, d(2024, 3, 15), 62424);
	ck_assert_int_eq(l.interest_accrued, 0);
	ck_assert_int_eq(l.to_interest, 1082);
	ck_assert_int_eq(l.to_principal, 61342);
	ck_assert_int_eq(l.overpaid, 0);
	ck_assert_int_eq(l.commission, 6134);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
	ck_assert_int_eq(c.closed_date, d(2024, 3, 15));
}
END_TEST

/* Out-of-range input is an error and leaves the case unchanged. */
START_TEST(test_limits)
{
	struct booking_params p = params();
	struct booking_case c = open_case(100, 0, 0, d(2024, 1, 1));
	struct booking_case before = c;
	struct booking_tx tx = { BOOKING_PAYMENT, d(2024, 1, 2), -1, NULL, STAGE_COLLECTION };
	struct booking_line l;
	struct booking_totals t;
	struct booking_line big = { .kind = BOOKING_PAYMENT, .amount = INT64_MAX };
	struct err e = ERR_INIT;

	ck_assert_int_eq(booking_apply(&l, &c, &p, &tx, &e), ERR_LIMIT);
	ck_assert_int_eq(c.principal, before.principal);
	ck_assert_int_eq(c.accrued_to, before.accrued_to);
	c.principal = -5;
	tx.amount = 1;
	ck_assert_int_eq(booking_apply(&l, &c, &p, &tx, &e), ERR_LIMIT);

	booking_totals_init(&t);
	ck_assert_int_eq(booking_totals_add(&t, &big, &e), 0);
	ck_assert_int_eq(booking_totals_add(&t, &big, &e), ERR_LIMIT);
	ck_assert_int_eq(t.lines, 1);
}
END_TEST

Suite *booking_suite(void)
{
	Suite *s = suite_create("booking");
	TCase *tc = tcase_create("booking");

	tcase_add_test(tc, test_kind_names);
	tcase_add_test(tc, test_register);
	tcase_add_test(tc, test_interest_leap_day);
	tcase_add_test(tc, test_interest_basis);
	tcase_add_test(tc, test_interest_half_up);
	tcase_add_test(tc, test_apply_interest_half_up);
	tcase_add_test(tc, test_payment_smaller_than_fees);
	tcase_add_test(tc, test_payment_allocation_commission_half_up);
	tcase_add_test(tc, test_commission_rounding_small);
	tcase_add_test(tc, test_overpayment_closes);
	tcase_add_test(tc, test_direct_payment_interest_to_creditor);
	tcase_add_test(tc, test_direct_payment_interest_to_agency);
	tcase_add_test(tc, test_direct_payment_overpaid);
	tcase_add_test(tc, test_credit_note_larger_than_principal);
	tcase_add_test(tc, test_credit_note_closes);
	tcase_add_test(tc, test_withdrawal_with_fee);
	tcase_add_test(tc, test_withdrawal_without_fee);
	tcase_add_test(tc, test_booked_before_accrued_to);
	tcase_add_test(tc, test_totals_vat_half_up);
	tcase_add_test(tc, test_totals_negative_net_payout);
	tcase_add_test(tc, test_case_lifecycle_360);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	return s;
}
