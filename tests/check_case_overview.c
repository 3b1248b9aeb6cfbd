/* check_case_overview.c: the output of `settlement case` (SPEC 16,
 * settlement/case_overview.c) without a database: the text layout (values
 * as wide as the widest, amounts to the right, a withdrawal's reason and
 * fee under it, "-" for a transaction not settled yet, events without
 * amounts, outside text escaped, ids cut after OVERVIEW_ID_MAX characters)
 * and the JSON object, both written out here by hand. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_overview.h"

Suite *case_overview_suite(void); /* for the runner */

static const struct overview_case the_case = {
	.case_id = 17,
	.creditor_id = "C1",
	.creditor_reference = "C1-A",
	.invoice_number = "INV-1",
	.payment_reference = "RF18539007547034",
	.as_of = "2026-12-01",
	.status = "withdrawn",
	.stage = "legal",
	.registration_stage = "collection",
	.debtor_name = "Anna\nMuster",
	.debtor_city = "Z\xc3\xbcrich",
	.currency = "CHF",
	.registered = "2026-10-01",
	.original_amount = 120050,
	.paid_amount = 20050,
	.original = { 100000, 5000, 0 },
	.balance = { 0, 0, 0 },
	.last_statement = "2026-11-C1-CHF",
};

static const struct overview_item items[] = {
	{ OVERVIEW_TRANSACTION, "2026-10-05", "PAY-1", "payment", 30000, NULL, "2026-10-C1-CHF", 5000, 137, 24863, 0, 0 },
	{ OVERVIEW_EVENT, "2026-10-20", "EV-1", "legal", 0, NULL, NULL, 0, 0, 0, 0, 0 },
	{ OVERVIEW_TRANSACTION, "2026-10-20", "REV-1-WITH-A-VERY-LONG-TRANSACTION-ID", "reversal", 30000, NULL,
	  "2026-11-C1-CHF", -5000, -137, -24863, 0, 0 },
	{ OVERVIEW_TRANSACTION, "2026-11-12", "W-1", "withdrawal", 0, "goodwill", "2026-11-C1-CHF", 0, 0, 0, 0, 30000 },
	{ OVERVIEW_TRANSACTION, "2026-12-01", "PAY-2", "payment", 1000, NULL, NULL, 0, 0, 0, 0, 0 },
};

/* What a writer put into a memory stream, NUL-terminated (malloc). */
static char *written(int (*w)(FILE *, const struct overview_case *, const struct overview_item *, size_t,
			      struct err *),
		     size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct err e = ERR_INIT;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(w(f, &the_case, items, n, &e), 0);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

START_TEST(test_text)
{
	static const char want[] =
		"case 17 of creditor C1 on 2026-12-01\n"
		"  creditor reference  C1-A\n"
		"  invoice number      INV-1\n"
		"  payment reference   RF18539007547034\n"
		"  debtor              Anna\\nMuster, Z\xc3\xbcrich\n"
		"  currency            CHF\n"
		"  registered          2026-10-01 in stage collection\n"
		"  status              withdrawn\n"
		"  stage               legal\n"
		"  original amount     1200.50, paid before handover 200.50\n"
		"\n"
		"  balances            principal   fees  interest\n"
		"  at registration       1000.00  50.00      0.00\n"
		"  last settlement          0.00   0.00      0.00  statement 2026-11-C1-CHF\n"
		"\n"
		"date        what         id                           amount  to fees  to interest  to principal  overpaid  statement\n"
		"2026-10-05  payment      PAY-1                        300.00    50.00         1.37        248.63      0.00  2026-10-C1-CHF\n"
		"2026-10-20  stage legal  EV-1\n"
		"2026-10-20  reversal     REV-1-WITH-A-VERY-LONG-T...  300.00   -50.00        -1.37       -248.63      0.00  2026-11-C1-CHF\n"
		"2026-11-12  withdrawal   W-1                            0.00     0.00         0.00          0.00      0.00  2026-11-C1-CHF\n"
		"            reason goodwill, withdrawal fee 300.00 charged to the creditor\n"
		"2026-12-01  payment      PAY-2                         10.00                                                -\n";
	char *got = written(overview_write_text, 5);

	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

/* No history, no statement yet: the header line of the history alone. */
START_TEST(test_text_nothing_yet)
{
	struct overview_case c = the_case;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct err e = ERR_INIT;

	c.last_statement = NULL;
	c.payment_reference = NULL;
	ck_assert_int_eq(overview_write_text(f, &c, NULL, 0, &e), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "  payment reference   -\n"));
	ck_assert_ptr_nonnull(strstr(buf, "  last settlement          0.00   0.00      0.00  no statement yet\n\n"
					  "date  what  id  amount  to fees  to interest  to principal  overpaid  statement\n"));
	ck_assert_str_eq(buf + len - 80, "date  what  id  amount  to fees  to interest  to principal  overpaid  statement\n");
	free(buf);
}
END_TEST

START_TEST(test_json)
{
	static const char want[] =
		"{\n"
		"  \"case_id\": 17,\n"
		"  \"creditor_id\": \"C1\",\n"
		"  \"creditor_reference\": \"C1-A\",\n"
		"  \"invoice_number\": \"INV-1\",\n"
		"  \"payment_reference\": \"RF18539007547034\",\n"
		"  \"as_of\": \"2026-12-01\",\n"
		"  \"status\": \"withdrawn\",\n"
		"  \"stage\": \"legal\",\n"
		"  \"debtor_name\": \"Anna\\nMuster\",\n"
		"  \"debtor_city\": \"Z\xc3\xbcrich\",\n"
		"  \"currency\": \"CHF\",\n"
		"  \"registered\": \"2026-10-01\",\n"
		"  \"registration_stage\": \"collection\",\n"
		"  \"original_amount\": \"1200.50\",\n"
		"  \"paid_amount\": \"200.50\",\n"
		"  \"original_principal\": \"1000.00\",\n"
		"  \"original_fees\": \"50.00\",\n"
		"  \"original_interest\": \"0.00\",\n"
		"  \"principal\": \"0.00\",\n"
		"  \"fees\": \"0.00\",\n"
		"  \"interest\": \"0.00\",\n"
		"  \"last_statement_number\": \"2026-11-C1-CHF\",\n"
		"  \"history\": [\n"
		"    {\n"
		"      \"type\": \"event\",\n"
		"      \"date\": \"2026-10-20\",\n"
		"      \"event_date\": \"2026-10-20\",\n"
		"      \"event_id\": \"EV-1\",\n"
		"      \"stage\": \"legal\",\n"
		"      \"statement_number\": null\n"
		"    },\n"
		"    {\n"
		"      \"type\": \"transaction\",\n"
		"      \"date\": \"2026-11-12\",\n"
		"      \"booking_date\": \"2026-11-12\",\n"
		"      \"transaction_id\": \"W-1\",\n"
		"      \"kind\": \"withdrawal\",\n"
		"      \"amount\": \"0.00\",\n"
		"      \"reason\": \"goodwill\",\n"
		"      \"to_fees\": \"0.00\",\n"
		"      \"to_interest\": \"0.00\",\n"
		"      \"to_principal\": \"0.00\",\n"
		"      \"overpaid\": \"0.00\",\n"
		"      \"withdrawal_fee\": \"300.00\",\n"
		"      \"statement_number\": \"2026-11-C1-CHF\"\n"
		"    },\n"
		"    {\n"
		"      \"type\": \"transaction\",\n"
		"      \"date\": \"2026-12-01\",\n"
		"      \"booking_date\": \"2026-12-01\",\n"
		"      \"transaction_id\": \"PAY-2\",\n"
		"      \"kind\": \"payment\",\n"
		"      \"amount\": \"10.00\",\n"
		"      \"reason\": null,\n"
		"      \"to_fees\": null,\n"
		"      \"to_interest\": null,\n"
		"      \"to_principal\": null,\n"
		"      \"overpaid\": null,\n"
		"      \"withdrawal_fee\": null,\n"
		"      \"statement_number\": null\n"
		"    }\n"
		"  ]\n"
		"}\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct err e = ERR_INIT;

	/* an event, a settled withdrawal, a payment not settled */
	const struct overview_item three[3] = { items[1], items[3], items[4] };

	ck_assert_int_eq(overview_write_json(f, &the_case, three, 3, &e), 0);
	fclose(f);
	ck_assert_str_eq(buf, want);
	free(buf);
}
END_TEST

Suite *case_overview_suite(void)
{
	Suite *s = suite_create("case_overview");
	TCase *tc = tcase_create("output");

	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_text_nothing_yet);
	tcase_add_test(tc, test_json);
	suite_add_tcase(s, tc);
	return s;
}
