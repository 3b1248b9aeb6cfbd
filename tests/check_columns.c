/* Unit tests for loader/columns.c: the database side of a record kind is
 * made from its field table, written out here by hand. */
#include <check.h>
#include <string.h>

#include "columns.h"

Suite *columns_suite(void);

START_TEST(test_stage_defs)
{
	char out[COLUMNS_SQL_MAX];
	struct err e = ERR_INIT;

	ck_assert_int_eq(columns_stage_defs(out, sizeof(out), KIND_TRANSACTIONS, &e), 0);
	ck_assert_str_eq(out, "creditor_id text, creditor_reference text, transaction_id text, kind text,"
			      " booking_date date, amount bigint, currency text, reason text");
	ck_assert_int_eq(columns_stage_defs(out, sizeof(out), KIND_CASES, &e), 0);
	ck_assert_str_eq(out, "creditor_id text, creditor_reference text, debtor_type text, debtor_name text,"
			      " debtor_national_id text, debtor_birth_date date, debtor_street text,"
			      " debtor_postal_code text, debtor_city text, debtor_country text, debtor_email text,"
			      " debtor_phone text, invoice_number text, invoice_date date, due_date date,"
			      " original_amount bigint, currency text, paid_amount bigint, claim_type text,"
			      " disputed boolean, reminder_date date, notice_date date, request_notice boolean");
	ck_assert_uint_eq(columns_stored(KIND_CASES), 23); /* 25 fields, fee and interest not stored */
	ck_assert_uint_eq(columns_stored(KIND_TRANSACTIONS), 8);
}
END_TEST

START_TEST(test_lists)
{
	static const struct columns_override cur = { "currency", "coalesce(s.currency, o.case_currency)" };
	char out[COLUMNS_SQL_MAX];
	struct err e = ERR_INIT;

	ck_assert_int_eq(columns_list(out, sizeof(out), KIND_TRANSACTIONS, false, "s.", &cur, &e), 0);
	ck_assert_str_eq(out, "s.creditor_id, s.creditor_reference, s.transaction_id, s.kind, s.booking_date,"
			      " s.amount, coalesce(s.currency, o.case_currency), s.reason");
	/* the content compared for `skipped`: no keys, no currency (classify.c) */
	ck_assert_int_eq(columns_list(out, sizeof(out), KIND_TRANSACTIONS, true, "t.", NULL, &e), 0);
	ck_assert_str_eq(out, "t.creditor_reference, t.kind, t.booking_date, t.amount, t.reason");
	ck_assert_int_eq(columns_list(out, sizeof(out), KIND_CASES, true, "c.", NULL, &e), 0);
	ck_assert_str_eq(out, "c.debtor_type, c.debtor_name, c.debtor_national_id, c.debtor_birth_date,"
			      " c.debtor_street, c.debtor_postal_code, c.debtor_city, c.debtor_country,"
			      " c.debtor_email, c.debtor_phone, c.invoice_number, c.invoice_date, c.due_date,"
			      " c.original_amount, c.currency, c.paid_amount, c.claim_type, c.reminder_date,"
			      " c.notice_date, c.request_notice");
	/* too small: an error, never a cut list */
	ck_assert_int_eq(columns_list(out, 40, KIND_CASES, false, "", NULL, &e), ERR_LIMIT);
	ck_assert_int_eq(columns_stage_defs(out, 40, KIND_CASES, &e), ERR_LIMIT);
}
END_TEST

Suite *columns_suite(void)
{
	Suite *s = suite_create("columns");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_stage_defs);
	tcase_add_test(tc, test_lists);
	suite_add_tcase(s, tc);
	return s;
}
