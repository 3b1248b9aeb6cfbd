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

/* Item 3 of issue 11: a case paid off on 2026-10-10 whose withdrawal is
 * booked 2026-11-01. Case 100.00 / fees 50.00, accrued to 2026-10-10.
 * - payment 150.00 on 2026-10-10 (no day): fees 50.00, principal 100.00;
 *   commission 15.00, share 100.00, payout 85.00; closed as paid.
 * - withdrawal on 2026-11-01: nothing accrues, nothing to write off, no
 *   fee, payout 0.00, share 0.00; the case stays closed as paid on
 *   2026-10-10, accrued to 2026-10-10; only its last transaction date
 *   moves. */
START_TEST(test_withdrawal_after_paid_changes_nothing)
{
	struct booking_params p = params();
	struct booking_case c = open_case(10000, 5000, 0, d(2026, 10, 10));
	struct booking_line l = apply(&c, &p, BOOKING_PAYMENT, d(2026, 10, 10), 15000);

	ck_assert_int_eq(l.to_fees, 5000);
	ck_assert_int_eq(l.to_principal, 10000);
	ck_assert_int_eq(l.overpaid, 0);
	ck_assert_int_eq(l.commission, 1500);
	ck_assert_int_eq(l.payout_effect, 8500);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
	ck_assert_int_eq(c.closed_date, d(2026, 10, 10));

	l = apply(&c, &p, BOOKING_WITHDRAWAL, d(2026, 11, 1), 0);
	ck_assert_int_eq(l.kind, BOOKING_WITHDRAWAL);
	ck_assert_int_eq(l.amount, 0);
	ck_assert_int_eq(l.interest_accrued, 0);
	ck_assert_int_eq(l.written_off, 0);
	ck_assert_int_eq(l.withdrawal_fee, 0);
	ck_assert_int_eq(l.payout_effect, 0);
	ck_assert_int_eq(l.creditor_share, 0);
	ck_assert_int_eq(l.commission, 0);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
	ck_assert_int_eq(c.closed_date, d(2026, 10, 10));
	ck_assert_int_eq(c.principal + c.fees + c.interest, 0);
	ck_assert_int_eq(c.accrued_to, d(2026, 10, 10));
	ck_assert_int_eq(c.last_transaction_date, d(2026, 11, 1));
}
END_TEST

/* Booking order decides, whatever was loaded first: a payment of 100.00
 * booked 2026-10-20 and a withdrawal booked 2026-10-05 of a case 200.00 /
 * fees 50.00 accrued to 2026-10-01, applied by booking date.
 * - withdrawal 2026-10-05: 4 days, 20000 x 500 x 4 / 3650000 = 10.96 ->
 *   11; written off 20000 + 5000 + 11 = 25011; fee 50.00, payout -50.00.
 * - payment 2026-10-20: nothing left to pay, all 100.00 overpaid; share,
 *   commission and payout 0.00; the case stays withdrawn on 2026-10-05. */
START_TEST(test_withdrawal_before_payment)
{
	struct booking_params p = params();
	struct booking_case c = open_case(20000, 5000, 0, d(2026, 10, 1));
	struct booking_line l = apply(&c, &p, BOOKING_WITHDRAWAL, d(2026, 10, 5), 0);

	ck_assert_int_eq(l.interest_accrued, 11);
	ck_assert_int_eq(l.written_off, 25011);
	ck_assert_int_eq(l.withdrawal_fee, 5000);
	ck_assert_int_eq(l.payout_effect, -5000);
	ck_assert_int_eq(c.status, BOOKING_WITHDRAWN);

	l = apply(&c, &p, BOOKING_PAYMENT, d(2026, 10, 20), 10000);
	ck_assert_int_eq(l.to_fees + l.to_interest + l.to_principal, 0);
	ck_assert_int_eq(l.overpaid, 10000);
	ck_assert_int_eq(l.creditor_share, 0);
	ck_assert_int_eq(l.commission, 0);
	ck_assert_int_eq(l.payout_effect, 0);
	ck_assert_int_eq(c.status, BOOKING_WITHDRAWN);
	ck_assert_int_eq(c.closed_date, d(2026, 10, 5));
}
END_TEST

/* SPEC 9.3 v2: withdrawn from the moment a withdrawal is loaded; once a
 * settlement books it, what the bookings made of the case. */
START_TEST(test_listed_status)
{
	/* a loaded withdrawal not booked yet (booked after the period) */
	ck_assert_int_eq(booking_listed_status(BOOKING_WITHDRAWN, BOOKING_OPEN, false),
			 BOOKING_WITHDRAWN);
	ck_assert_int_eq(booking_listed_status(BOOKING_WITHDRAWN, BOOKING_CLOSED, false),
			 BOOKING_WITHDRAWN);
	/* booked after the case was paid: closed */
	ck_assert_int_eq(booking_listed_status(BOOKING_WITHDRAWN, BOOKING_CLOSED, true),
			 BOOKING_CLOSED);
	/* booked on an open case: withdrawn */
	ck_assert_int_eq(booking_listed_status(BOOKING_WITHDRAWN, BOOKING_WITHDRAWN, true),
			 BOOKING_WITHDRAWN);
	ck_assert_int_eq(booking_listed_status(BOOKING_WITHDRAWN, BOOKING_WITHDRAWN, false),
			 BOOKING_WITHDRAWN);
	/* no withdrawal: the bookings decide */
	ck_assert_int_eq(booking_listed_status(BOOKING_OPEN, BOOKING_OPEN, false), BOOKING_OPEN);
	ck_assert_int_eq(booking_listed_status(BOOKING_OPEN, BOOKING_CLOSED, false),
			 BOOKING_CLOSED);
	ck_assert_int_eq(booking_listed_status(BOOKING_CLOSED, BOOKING_CLOSED, false),
			 BOOKING_CLOSED);
}
END_TEST

static void book(struct booking_portfolio *pf, struct booking_case *c,
		 const struct booking_params *p, enum booking_kind kind, int32_t date,
		 int64_t amount)
{
	struct booking_case before = *c;
	struct err e = ERR_INIT;

	(void)apply(c, p, kind, date, amount);
	ck_assert_int_eq(booking_portfolio_book(pf, &before, c, &e), 0);
}

/* What the lines of two statements do to the portfolio (SPEC 9.2 v2).
 * October: case A (100.00 / fees 50.00) paid off on 10-10 by 150.00;
 * case B (200.00 / fees 50.00, accrued to 10-01) withdrawn on 10-05;
 * case C (300.00, no fees, accrued to 10-01) registered now, credit note
 * 100.00 on 10-01. Registered 1 case, 300.00; paid 1, withdrawn 1; open
 * principal change -100.00 (A) - 200.00 (B) - 100.00 (C) = -400.00.
 * November: A's withdrawal booked 11-01 changes nothing: no closing, no
 * change of open principal. A paid case opened again (as a reversal does,
 * check_booking_reversal.c) counts one reopening and adds its principal
 * back. */
START_TEST(test_portfolio_moves)
{
	struct booking_params p = params();
	struct booking_case a = open_case(10000, 5000, 0, d(2026, 10, 10));
	struct booking_case b = open_case(20000, 5000, 0, d(2026, 10, 1));
	struct booking_case c = open_case(30000, 0, 0, d(2026, 10, 1));
	struct booking_portfolio oct = { 0 }, nov = { 0 }, later = { 0 };
	struct booking_case reopened;
	struct err e = ERR_INIT;

	book(&oct, &a, &p, BOOKING_PAYMENT, d(2026, 10, 10), 15000);
	book(&oct, &b, &p, BOOKING_WITHDRAWAL, d(2026, 10, 5), 0);
	ck_assert_int_eq(booking_portfolio_register(&oct, 30000, &e), 0);
	book(&oct, &c, &p, BOOKING_CREDIT_NOTE, d(2026, 10, 1), 10000);
	ck_assert_int_eq(oct.registered_cases, 1);
	ck_assert_int_eq(oct.registered_principal, 30000);
	ck_assert_int_eq(oct.paid_cases, 1);
	ck_assert_int_eq(oct.withdrawn_cases, 1);
	ck_assert_int_eq(oct.reopened_cases, 0);
	ck_assert_int_eq(oct.open_principal_change, -40000);

	book(&nov, &a, &p, BOOKING_WITHDRAWAL, d(2026, 11, 1), 0);
	ck_assert_int_eq(nov.paid_cases + nov.withdrawn_cases + nov.reopened_cases, 0);
	ck_assert_int_eq(nov.open_principal_change, 0);

	reopened = a;
	reopened.status = BOOKING_OPEN;
	reopened.principal = 10000;
	ck_assert_int_eq(booking_portfolio_book(&later, &a, &reopened, &e), 0);
	ck_assert_int_eq(later.reopened_cases, 1);
	ck_assert_int_eq(later.paid_cases, 0);
	ck_assert_int_eq(later.open_principal_change, 10000);

	ck_assert_int_eq(booking_portfolio_register(&later, -1, &e), ERR_LIMIT);
	ck_assert_int_eq(later.registered_cases, 0);
}
END_TEST

/* Item 4 of issue 11 (SPEC 9.1 step 1, v2): the accrued-to date never
 * moves back, so no day is charged twice. A credit note loaded late,
 * booked 2026-03-10, on a case settled up to 2026-03-31 (principal
 * 600.00, interest 5.00 accrued): no interest, principal 500.00, accrued
 * to still 2026-03-31. A payment of 20.00 on 2026-04-30 then accrues 30
 * days (not 51) on 500.00: 50000 x 500 x 30 / 3650000 = 205.48 -> 205;
 * interest 7.05 paid, principal 12.95; commission 1295 x 15 % = 194.25 ->
 * 194; share 20.00; payout 2000 - 194 = 1806. */
START_TEST(test_accrued_to_credit_note_late)
{
	struct booking_params p = params();
	struct booking_case c = open_case(60000, 0, 500, d(2026, 3, 31));
	struct booking_line l = apply(&c, &p, BOOKING_CREDIT_NOTE, d(2026, 3, 10), 10000);

	ck_assert_int_eq(l.interest_accrued, 0);
	ck_assert_int_eq(l.to_principal, 10000);
	ck_assert_int_eq(c.principal, 50000);
	ck_assert_int_eq(c.interest, 500);
	ck_assert_int_eq(c.accrued_to, d(2026, 3, 31));

	l = apply(&c, &p, BOOKING_PAYMENT, d(2026, 4, 30), 2000);
	ck_assert_int_eq(l.interest_accrued, 205);
	ck_assert_int_eq(l.to_interest, 705);
	ck_assert_int_eq(l.to_principal, 1295);
	ck_assert_int_eq(l.commission, 194);
	ck_assert_int_eq(l.creditor_share, 2000);
	ck_assert_int_eq(l.payout_effect, 1806);
	ck_assert_int_eq(c.accrued_to, d(2026, 4, 30));
}
END_TEST

/* A withdrawal booked before the accrued-to date: no interest; what is
 * there is written off (400.00 + 50.00 + 3.00 = 453.00), the fee is
 * charged, the case is withdrawn on the withdrawal's booking date; neither
 * the accrued-to date nor the last transaction date moves back. */
START_TEST(test_accrued_to_withdrawal_late)
{
	struct booking_params p = params();
	struct booking_case c = open_case(40000, 5000, 300, d(2026, 5, 31));
	struct booking_line l;

	c.last_transaction_date = d(2026, 5, 31);
	l = apply(&c, &p, BOOKING_WITHDRAWAL, d(2026, 5, 15), 0);
	ck_assert_int_eq(l.interest_accrued, 0);
	ck_assert_int_eq(l.written_off, 45300);
	ck_assert_int_eq(l.withdrawal_fee, 5000);
	ck_assert_int_eq(c.status, BOOKING_WITHDRAWN);
	ck_assert_int_eq(c.closed_date, d(2026, 5, 15));
	ck_assert_int_eq(c.accrued_to, d(2026, 5, 31));
	ck_assert_int_eq(c.last_transaction_date, d(2026, 5, 31));
}
END_TEST

/* Every day is charged once: principal 365.00 at 5 % on 365 days is
 * exactly 0.05 a day (36500 x 500 / 3650000 = 5). Payments of 0.01 booked
 * 2026-06-10, then 2026-06-01 (loaded late), 2026-06-10 again and
 * 2026-06-12 accrue 9 days from 2026-06-01, nothing, nothing and 2 days:
 * 45 + 0 + 0 + 10 = 55 in all, the 11 days from 06-01 to 06-12. */
START_TEST(test_accrued_to_each_day_once)
{
	struct booking_params p = params();
	struct booking_case c = open_case(36500, 0, 0, d(2026, 6, 1));
	int64_t total = 0;

	total += apply(&c, &p, BOOKING_PAYMENT, d(2026, 6, 10), 1).interest_accrued;
	ck_assert_int_eq(total, 45);
	total += apply(&c, &p, BOOKING_PAYMENT, d(2026, 6, 1), 1).interest_accrued;
	ck_assert_int_eq(c.accrued_to, d(2026, 6, 10));
	total += apply(&c, &p, BOOKING_PAYMENT, d(2026, 6, 10), 1).interest_accrued;
	total += apply(&c, &p, BOOKING_PAYMENT, d(2026, 6, 12), 1).interest_accrued;
	ck_assert_int_eq(total, 55);
	ck_assert_int_eq(c.accrued_to, d(2026, 6, 12));
	/* the four cents went to interest: 0.55 - 0.04 left */
	ck_assert_int_eq(c.interest, 51);
	ck_assert_int_eq(c.principal, 36500);
}
END_TEST

/* SPEC 9.1 v2 and 16: the withdrawal fee of the case's stage on the
 * withdrawal's booking date. The country configures withdrawal_fee.legal
 * = 300.00 and withdrawal_fee.notice = 0.00 beside withdrawal_fee = 50.00;
 * collection and surveillance have none of their own.
 * - case A (1000.00 / 50.00) withdrawn in stage legal on the accrued-to
 *   date: no interest, written off 1050.00, fee 300.00, payout -300.00;
 * - case B (200.00 / 50.00) in stage collection: fee 50.00, payout -50.00;
 * - case C (200.00 / 50.00) in stage notice: fee 0.00 (configured), payout
 *   0.00; case D in stage surveillance: fee 50.00, payout -50.00.
 * Totals: withdrawal fees 300 + 50 + 0 + 50 = 400.00, payout effects
 * -400.00; VAT 40000 x 8.10 % = 3240; net -40000 - 3240 = -43240. */
START_TEST(test_withdrawal_fee_by_stage)
{
	static const struct {
		enum case_stage stage;
		int64_t principal, fee;
	} w[] = {
		{ STAGE_LEGAL, 100000, 30000 },
		{ STAGE_COLLECTION, 20000, 5000 },
		{ STAGE_NOTICE, 20000, 0 },
		{ STAGE_SURVEILLANCE, 20000, 5000 },
	};
	struct booking_params p = params();
	struct booking_totals t;
	struct err e = ERR_INIT;

	p.stage_fee[STAGE_LEGAL] = (struct booking_stage_fee){ true, 30000 };
	p.stage_fee[STAGE_NOTICE] = (struct booking_stage_fee){ true, 0 };
	ck_assert_int_eq(booking_withdrawal_fee(&p, STAGE_LEGAL), 30000);
	ck_assert_int_eq(booking_withdrawal_fee(&p, STAGE_NOTICE), 0);
	ck_assert_int_eq(booking_withdrawal_fee(&p, STAGE_COLLECTION), 5000);
	ck_assert_int_eq(booking_withdrawal_fee(&p, STAGE_SURVEILLANCE), 5000);
	booking_totals_init(&t);
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		struct booking_case c = open_case(w[i].principal, 5000, 0, d(2026, 10, 1));
		struct booking_tx tx = { BOOKING_WITHDRAWAL, d(2026, 10, 1), 0, NULL, w[i].stage };
		struct booking_line l;

		ck_assert_int_eq(booking_apply(&l, &c, &p, &tx, &e), 0);
		ck_assert_int_eq(l.amount, 0);
		ck_assert_int_eq(l.written_off, w[i].principal + 5000);
		ck_assert_int_eq(l.withdrawal_fee, w[i].fee);
		ck_assert_int_eq(l.payout_effect, -w[i].fee);
		ck_assert_int_eq(l.creditor_share, 0);
		ck_assert_int_eq(l.commission, 0);
		ck_assert_int_eq(c.status, BOOKING_WITHDRAWN);
		ck_assert_int_eq(booking_totals_add(&t, &l, &e), 0);
	}
	ck_assert_int_eq(booking_totals_finish(&t, p.vat_bp, &e), 0);
	ck_assert_int_eq(t.withdrawal_fees, 40000);
	ck_assert_int_eq(t.payout_effect, -40000);
	ck_assert_int_eq(t.vat, 3240);
	ck_assert_int_eq(t.net_payout, -43240);
}
END_TEST

/* A withdrawal of a case closed as paid is charged no fee, whatever its
 * stage's; a stage's fee out of range is refused like the base fee. */
START_TEST(test_withdrawal_fee_by_stage_edges)
{
	struct booking_params p = params();
	struct booking_case c = open_case(10000, 0, 0, d(2026, 10, 1));
	struct booking_tx tx = { BOOKING_WITHDRAWAL, d(2026, 10, 5), 0, NULL, STAGE_LEGAL };
	struct booking_line l;
	struct err e = ERR_INIT;

	p.stage_fee[STAGE_LEGAL] = (struct booking_stage_fee){ true, 30000 };
	apply(&c, &p, BOOKING_PAYMENT, d(2026, 10, 1), 10000);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
	ck_assert_int_eq(booking_apply(&l, &c, &p, &tx, &e), 0);
	ck_assert_int_eq(l.withdrawal_fee, 0);
	ck_assert_int_eq(l.payout_effect, 0);
	ck_assert_int_eq(c.status, BOOKING_CLOSED);
	c = open_case(10000, 0, 0, d(2026, 10, 1));
	p.stage_fee[STAGE_LEGAL].fee = -1;
	ck_assert_int_eq(booking_apply(&l, &c, &p, &tx, &e), ERR_LIMIT);
	ck_assert_int_eq(c.status, BOOKING_OPEN);
}
END_TEST

Suite *booking_v2_suite(void)
{
	Suite *s = suite_create("booking_v2");
	TCase *tc = tcase_create("booking_v2");

	tcase_add_test(tc, test_share_only_on_payments);
	tcase_add_test(tc, test_credit_note_share_interest_to_agency);
	tcase_add_test(tc, test_withdrawal_after_paid_changes_nothing);
	tcase_add_test(tc, test_withdrawal_before_payment);
	tcase_add_test(tc, test_listed_status);
	tcase_add_test(tc, test_portfolio_moves);
	tcase_add_test(tc, test_accrued_to_credit_note_late);
	tcase_add_test(tc, test_accrued_to_withdrawal_late);
	tcase_add_test(tc, test_accrued_to_each_day_once);
	tcase_add_test(tc, test_withdrawal_fee_by_stage);
	tcase_add_test(tc, test_withdrawal_fee_by_stage_edges);
	suite_add_tcase(s, tc);
	return s;
}
