/* check_qrbill.c: the Swiss QR-bill of a PDF statement (settlement/qrbill.c):
 * the payload of SPEC 15 written out by hand, element by element, from the
 * SIX implementation guidelines (version 0200, coding 1, the agency's
 * structured address, 7 empty lines for the ultimate creditor and for the
 * debtor, QRR or SCOR from the statement's numeric id, "Statement
 * <number>", EPD, no line break after the last element); the references
 * worked out by hand; the address split; the printed forms. */
#include <check.h>
#include <string.h>

#include "qrbill.h"

Suite *qrbill_suite(void); /* for the runner */

#define QR_IBAN "CH4431999123000889012"   /* IID 31999: a QR-IBAN */
#define PLAIN_IBAN "CH9300762011623852957" /* IID 00762 */

/* QRR of id 1234: 22 zeros, 1234, then the check digit of the recursive
 * mod 10 (table 0 9 4 6 8 2 7 1 3 5): carry 0 -> 1: 9 -> 2: t[1] = 9 ->
 * 3: t[2] = 4 -> 4: t[8] = 3; check (10 - 3) mod 10 = 7. */
#define QRR_1234 "000000000000000000000012347"
/* SCOR of id 1234: "1234RF00" -> 1234271500 mod 97 = 44, check 98 - 44 = 54. */
#define SCOR_1234 "RF541234"

START_TEST(test_payload_qrr)
{
	struct qrbill q;
	struct err e = ERR_INIT;
	char p[QRBILL_PAYLOAD_SIZE];
	const char *want = "SPC\n"
			   "0200\n"
			   "1\n"
			   "CH4431999123000889012\n"
			   "S\n"
			   "Inkasso Muster AG\n"
			   "Bahnhofstrasse\n"
			   "1\n"
			   "8001\n"
			   "Z\xc3\xbcrich\n"
			   "CH\n"
			   "\n\n\n\n\n\n\n"
			   "1949.75\n"
			   "CHF\n"
			   "\n\n\n\n\n\n\n"
			   "QRR\n" QRR_1234 "\n"
			   "Statement 2026-10-C1-CHF\n"
			   "EPD";

	ck_assert_int_eq(qrbill_make(&q, QR_IBAN, "Inkasso Muster AG",
				     "Bahnhofstrasse 1, 8001 Z\xc3\xbcrich", "CHF", 194975, 1234,
				     "2026-10-C1-CHF", &e),
			 0);
	ck_assert_int_eq(qrbill_payload(p, sizeof(p), &q, &e), 0);
	ck_assert_str_eq(p, want);
	/* 31 elements: 30 line feeds */
	{
		int lf = 0;

		for (const char *s = p; *s; s++)
			lf += *s == '\n';
		ck_assert_int_eq(lf, 30);
	}
}
END_TEST

START_TEST(test_payload_scor_eur)
{
	struct qrbill q;
	struct err e = ERR_INIT;
	char p[QRBILL_PAYLOAD_SIZE];
	const char *want = "SPC\n0200\n1\nCH9300762011623852957\n"
			   "S\nInkasso Muster AG\nRue du Lac\n12b\n1200\nGen\xc3\xa8ve\nCH\n"
			   "\n\n\n\n\n\n\n"
			   "0.05\nEUR\n"
			   "\n\n\n\n\n\n\n"
			   "SCOR\n" SCOR_1234 "\nStatement 2026-10-E1-EUR\nEPD";

	ck_assert_int_eq(qrbill_make(&q, PLAIN_IBAN, "Inkasso Muster AG",
				     " Rue du Lac 12b ,  1200 Gen\xc3\xa8ve ", "EUR", 5, 1234,
				     "2026-10-E1-EUR", &e),
			 0);
	ck_assert_int_eq(q.ref_type, REF_SCOR);
	ck_assert_int_eq(qrbill_payload(p, sizeof(p), &q, &e), 0);
	ck_assert_str_eq(p, want);
}
END_TEST

/* No building number; a number that is not the last word; an amount too
 * large for a QR-bill is left out. */
START_TEST(test_address_forms)
{
	struct qrbill q;
	struct err e = ERR_INIT;
	char p[QRBILL_PAYLOAD_SIZE];

	ck_assert_int_eq(qrbill_make(&q, QR_IBAN, "A", "Postfach, 8021 Z\xc3\xbcrich 1", "CHF",
				     QRBILL_AMOUNT_MAX + 1, 5, "2026-10-C1-CHF", &e),
			 0);
	ck_assert_str_eq(q.street, "Postfach");
	ck_assert_str_eq(q.building, "");
	ck_assert_str_eq(q.postcode, "8021");
	ck_assert_str_eq(q.town, "Z\xc3\xbcrich 1");
	ck_assert_int_eq(q.amount, 0);
	/* QRR of 5: 25 zeros, 5 -> t[5] = 2, check 8 */
	ck_assert_str_eq(q.reference, "000000000000000000000000058");
	ck_assert_int_eq(qrbill_payload(p, sizeof(p), &q, &e), 0);
	ck_assert_ptr_nonnull(strstr(p, "\nCH\n\n\n\n\n\n\n\n\nCHF\n"));
	ck_assert_int_eq(qrbill_make(&q, QR_IBAN, "A", "Via 4 Novembre, 6900 Lugano", "CHF", 1, 5,
				     "N", &e),
			 0);
	ck_assert_str_eq(q.street, "Via 4 Novembre");
	ck_assert_str_eq(q.building, "");
	ck_assert_int_eq(qrbill_make(&q, QR_IBAN, "A", "9490 Vaduz", "CHF", 1, 5, "N", &e),
			 ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.message, "[agency] address"));
	ck_assert_int_eq(qrbill_make(&q, QR_IBAN, "A", "Street 1, 8001", "CHF", 1, 5, "N", &e),
			 ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.message, "town is missing"));
}
END_TEST

START_TEST(test_refused)
{
	struct qrbill q;
	struct err e = ERR_INIT;
	char name[80];

	ck_assert_int_eq(qrbill_make(&q, "DE89370400440532013000", "A", "S 1, 1000 T", "EUR", 1, 5,
				     "N", &e),
			 ERR_CONFIG);
	ck_assert_str_eq(e.message,
			 "[agency] account.EUR must be a Swiss or Liechtenstein IBAN for a QR-bill");
	ck_assert_int_eq(qrbill_make(&q, QR_IBAN, "A", "S 1, 1000 T", "SEK", 1, 5, "N", &e),
			 ERR_USAGE);
	ck_assert_int_eq(qrbill_make(&q, QR_IBAN, "A", "S 1, 1000 T", "CHF", 0, 5, "N", &e),
			 ERR_USAGE);
	memset(name, 'x', 71);
	name[71] = '\0';
	ck_assert_int_eq(qrbill_make(&q, QR_IBAN, name, "S 1, 1000 T", "CHF", 1, 5, "N", &e),
			 ERR_CONFIG);
	name[70] = '\0';
	ck_assert_int_eq(qrbill_make(&q, QR_IBAN, name, "S 1, 1000 T", "CHF", 1, 5, "N", &e), 0);
	/* a LI account, and its country */
	ck_assert_int_eq(qrbill_make(&q, "LI21088100002324013AA", "A", "S 1, 9490 Vaduz", "CHF",
				     1, 5, "N", &e),
			 0);
	ck_assert_str_eq(q.country, "LI");
}
END_TEST

START_TEST(test_printed)
{
	struct qrbill q;
	struct err e = ERR_INIT;
	char out[64];

	ck_assert_str_eq(qrbill_print_iban(out, sizeof(out), QR_IBAN), "CH44 3199 9123 0008 8901 2");
	ck_assert_str_eq(qrbill_print_amount(out, sizeof(out), 194975), "1 949.75");
	ck_assert_str_eq(qrbill_print_amount(out, sizeof(out), 5), "0.05");
	ck_assert_str_eq(qrbill_print_amount(out, sizeof(out), 99999), "999.99");
	ck_assert_str_eq(qrbill_print_amount(out, sizeof(out), 100000), "1 000.00");
	ck_assert_str_eq(qrbill_print_amount(out, sizeof(out), QRBILL_AMOUNT_MAX),
			 "999 999 999.99");
	ck_assert_int_eq(qrbill_make(&q, QR_IBAN, "A", "Bahnhofstrasse 1, 8001 Z\xc3\xbcrich", "CHF",
				     1, 5, "N", &e),
			 0);
	ck_assert_str_eq(qrbill_print_street(out, sizeof(out), &q), "Bahnhofstrasse 1");
	ck_assert_str_eq(qrbill_print_town(out, sizeof(out), &q), "8001 Z\xc3\xbcrich");
}
END_TEST

Suite *qrbill_suite(void)
{
	Suite *s = suite_create("qrbill");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_payload_qrr);
	tcase_add_test(tc, test_payload_scor_eur);
	tcase_add_test(tc, test_address_forms);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_printed);
	suite_add_tcase(s, tc);
	return s;
}
