/* Unit tests for loader/validate.c: every rule and reject code of SPEC 5.1
 * (cases) and 6 (transactions) that needs no database, one at a time, with
 * the exact code and field; then records with several errors.
 *
 * The configuration, the creditors and the base records are those of
 * validate_test.h; the v2 fields of cases and event files are in
 * check_validate_v2.c.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate_test.h"

Suite *validate_suite(void);

/* ---- cases ---- */

START_TEST(test_valid_cases)
{
	case_ok(case_with(case_ch, -1, NULL, -1, NULL), "CH base");
	ck_assert_int_eq(verdict.num[CF_ORIGINAL_AMOUNT], 120050);
	ck_assert_int_eq(verdict.num[CF_PAID_AMOUNT], 20050);
	ck_assert(!verdict.num[CF_DISPUTED]);
	ck_assert(verdict.key_ok);

	case_ok(case_with(case_se, -1, NULL, -1, NULL), "SE base");
	ck_assert_int_eq(verdict.num[CF_ORIGINAL_AMOUNT], 500000);
	ck_assert_int_eq(verdict.num[CF_PAID_AMOUNT], 0);
	ck_assert(verdict.key_ok);

	/* Optional fields may be absent altogether. */
	case_ok(case_with(case_ch, CF_DEBTOR_EMAIL, ABSENT, CF_PAID_AMOUNT, ABSENT), "no optional columns");
	ck_assert_int_eq(verdict.num[CF_PAID_AMOUNT], 0);
	case_ok(case_with(case_ch, CF_REMINDER_DATE, ABSENT, CF_DEBTOR_BIRTH_DATE, ABSENT), "no optional columns");

	/* Values are trimmed of surrounding spaces (in place). */
	case_ok(case_with(case_ch, CF_CREDITOR_ID, "  C1 ", CF_ORIGINAL_AMOUNT, " 1200.50\t"), "padded");
	ck_assert_int_eq(verdict.num[CF_ORIGINAL_AMOUNT], 120050);
	ck_assert_str_eq(record_value(&rec, CF_CREDITOR_ID), "C1");
	ck_assert_uint_eq(rec.f[CF_CREDITOR_ID].len, 2);
	ck_assert_str_eq(record_value(&rec, CF_ORIGINAL_AMOUNT), "1200.50");
}
END_TEST

START_TEST(test_missing_field)
{
	static const int required[] = {
		CF_CREDITOR_ID, CF_CREDITOR_REFERENCE, CF_DEBTOR_TYPE, CF_DEBTOR_NAME, CF_DEBTOR_STREET,
		CF_DEBTOR_POSTAL_CODE, CF_DEBTOR_CITY, CF_DEBTOR_COUNTRY, CF_INVOICE_NUMBER,
		CF_INVOICE_DATE, CF_DUE_DATE, CF_ORIGINAL_AMOUNT, CF_CURRENCY, CF_CLAIM_TYPE, CF_DISPUTED,
	};
	static const char *const empties[] = { "", "   ", " \t ", ABSENT };

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		for (size_t k = 0; k < sizeof(empties) / sizeof(empties[0]); k++) {
			char what[96];

			snprintf(what, sizeof(what), "field %d value '%s'", required[i],
				 empties[k] ? empties[k] : "(absent)");
			case_only(case_with(case_ch, required[i], empties[k], -1, NULL), RC_MISSING_FIELD,
				  required[i], what);
		}
	}
	/* Empty optional fields are fine. */
	static const int optional[] = { CF_DEBTOR_NATIONAL_ID, CF_DEBTOR_BIRTH_DATE, CF_DEBTOR_EMAIL,
					CF_DEBTOR_PHONE, CF_PAID_AMOUNT, CF_FEE_AMOUNT, CF_INTEREST_AMOUNT,
					CF_REMINDER_DATE };
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++)
		case_ok(case_with(case_ch, optional[i], "  ", -1, NULL), "optional empty");
}
END_TEST

START_TEST(test_missing_key_field)
{
	validate_case(&vctx, case_with(case_ch, CF_CREDITOR_REFERENCE, "", -1, NULL), &verdict);
	ck_assert(!verdict.key_ok);
	validate_case(&vctx, case_with(case_ch, CF_CREDITOR_ID, "", -1, NULL), &verdict);
	ck_assert(!verdict.key_ok);
}
END_TEST

START_TEST(test_field_too_long)
{
	char buf[1200];

	/* debtor_name: 1-200 characters, counted as characters, not bytes. */
	case_ok(case_with(case_ch, CF_DEBTOR_NAME, repeat(buf, sizeof(buf), "a", 200), -1, NULL), "200 a");
	case_only(case_with(case_ch, CF_DEBTOR_NAME, repeat(buf, sizeof(buf), "a", 201), -1, NULL),
		  RC_FIELD_TOO_LONG, CF_DEBTOR_NAME, "201 a");
	case_ok(case_with(case_ch, CF_DEBTOR_NAME, repeat(buf, sizeof(buf), "\xc3\xbc", 200), -1, NULL),
		"200 u-umlaut (400 bytes)");
	case_only(case_with(case_ch, CF_DEBTOR_NAME, repeat(buf, sizeof(buf), "\xc3\xbc", 201), -1, NULL),
		  RC_FIELD_TOO_LONG, CF_DEBTOR_NAME, "201 u-umlaut");
	/* creditor_reference: 1-64 characters; the euro sign is 3 bytes. */
	case_ok(case_with(case_ch, CF_CREDITOR_REFERENCE, repeat(buf, sizeof(buf), "\xe2\x82\xac", 64), -1, NULL),
		"64 euro signs (192 bytes)");
	ck_assert(verdict.key_ok);
	case_only(case_with(case_ch, CF_CREDITOR_REFERENCE, repeat(buf, sizeof(buf), "\xe2\x82\xac", 65), -1,
			    NULL),
		  RC_FIELD_TOO_LONG, CF_CREDITOR_REFERENCE, "65 euro signs");
	ck_assert(!verdict.key_ok);
	case_only(case_with(case_ch, CF_CREDITOR_REFERENCE, repeat(buf, sizeof(buf), "R", 65), -1, NULL),
		  RC_FIELD_TOO_LONG, CF_CREDITOR_REFERENCE, "65 R");
	/* a 4-byte character: 64 of them are 256 bytes, still 64 characters */
	case_ok(case_with(case_ch, CF_CREDITOR_REFERENCE, repeat(buf, sizeof(buf), "\xf0\x9f\x98\x80", 64), -1,
			  NULL),
		"64 emoji");
	case_only(case_with(case_ch, CF_DEBTOR_CITY, repeat(buf, sizeof(buf), "x", 101), -1, NULL),
		  RC_FIELD_TOO_LONG, CF_DEBTOR_CITY, "city 101");
	case_ok(case_with(case_ch, CF_DEBTOR_CITY, repeat(buf, sizeof(buf), "x", 100), -1, NULL), "city 100");
	case_only(case_with(case_ch, CF_DEBTOR_STREET, repeat(buf, sizeof(buf), "s", 201), -1, NULL),
		  RC_FIELD_TOO_LONG, CF_DEBTOR_STREET, "street 201");
	case_only(case_with(case_ch, CF_INVOICE_NUMBER, repeat(buf, sizeof(buf), "9", 65), -1, NULL),
		  RC_FIELD_TOO_LONG, CF_INVOICE_NUMBER, "invoice_number 65");
	case_ok(case_with(case_ch, CF_INVOICE_NUMBER, repeat(buf, sizeof(buf), "9", 64), -1, NULL),
		"invoice_number 64");
	/* Surrounding spaces do not count. */
	{
		char padded[1300];

		snprintf(padded, sizeof(padded), "  %s  ", repeat(buf, sizeof(buf), "a", 200));
		case_ok(case_with(case_ch, CF_DEBTOR_NAME, padded, -1, NULL), "200 a padded");
	}
	/* Longer than the raw cap of the record: flagged by record_set_field. */
	case_only(case_with(case_ch, CF_DEBTOR_EMAIL, repeat(buf, sizeof(buf), "e", RECORD_FIELD_MAX_BYTES + 1),
			    -1, NULL),
		  RC_FIELD_TOO_LONG, CF_DEBTOR_EMAIL, "raw cap");
	ck_assert(rec.f[CF_DEBTOR_EMAIL].flags & FIELD_TOO_LONG);
	/* ... also in a field that has no length rule of its own */
	case_only(case_with(case_ch, CF_ORIGINAL_AMOUNT, repeat(buf, sizeof(buf), "1", RECORD_FIELD_MAX_BYTES + 1),
			    -1, NULL),
		  RC_FIELD_TOO_LONG, CF_ORIGINAL_AMOUNT, "raw cap amount");
}
END_TEST

START_TEST(test_bad_encoding)
{
	case_only(case_with(case_ch, CF_DEBTOR_NAME, "Z\xfcrich", -1, NULL), RC_BAD_ENCODING, CF_DEBTOR_NAME,
		  "latin-1");
	case_only(case_with(case_ch, CF_DEBTOR_CITY, "a\xc0\xaf" "b", -1, NULL), RC_BAD_ENCODING, CF_DEBTOR_CITY,
		  "overlong");
	case_only(case_with(case_ch, CF_DEBTOR_STREET, "\xed\xa0\x80", -1, NULL), RC_BAD_ENCODING,
		  CF_DEBTOR_STREET, "surrogate");
	case_only(case_with(case_ch, CF_INVOICE_NUMBER, "INV\xe2\x82", -1, NULL), RC_BAD_ENCODING,
		  CF_INVOICE_NUMBER, "cut sequence");
	case_only(case_with(case_ch, CF_CREDITOR_REFERENCE, "R\xff", -1, NULL), RC_BAD_ENCODING,
		  CF_CREDITOR_REFERENCE, "0xff");
	ck_assert(!verdict.key_ok);
	/* a NUL byte inside the value */
	case_with(case_ch, -1, NULL, -1, NULL);
	record_set_field(&rec, CF_DEBTOR_NAME, "An\0na", 5);
	case_only(&rec, RC_BAD_ENCODING, CF_DEBTOR_NAME, "NUL");
	/* more invalid bytes than characters allowed: still BAD_ENCODING */
	{
		char buf[600];

		memset(buf, '\xfc', 300);
		buf[300] = '\0';
		case_only(case_with(case_ch, CF_DEBTOR_NAME, buf, -1, NULL), RC_BAD_ENCODING, CF_DEBTOR_NAME,
			  "300 bad bytes");
	}
}
END_TEST

START_TEST(test_bad_format)
{
	case_only(case_with(case_ch, CF_DEBTOR_TYPE, "Person", -1, NULL), RC_BAD_FORMAT, CF_DEBTOR_TYPE, "Person");
	case_only(case_with(case_ch, CF_DEBTOR_TYPE, "firm", -1, NULL), RC_BAD_FORMAT, CF_DEBTOR_TYPE, "firm");
	case_only(case_with(case_ch, CF_DEBTOR_POSTAL_CODE, "800", -1, NULL), RC_BAD_FORMAT,
		  CF_DEBTOR_POSTAL_CODE, "CH 3 digits");
	case_only(case_with(case_ch, CF_DEBTOR_POSTAL_CODE, "CH-8001", -1, NULL), RC_BAD_FORMAT,
		  CF_DEBTOR_POSTAL_CODE, "CH prefix");
	case_ok(case_with(case_se, CF_DEBTOR_POSTAL_CODE, "12345", -1, NULL), "SE 5 digits");
	case_only(case_with(case_se, CF_DEBTOR_POSTAL_CODE, "1234", -1, NULL), RC_BAD_FORMAT,
		  CF_DEBTOR_POSTAL_CODE, "SE 4 digits");
	case_only(case_with(case_ch, CF_DEBTOR_EMAIL, "anna.example.ch", -1, NULL), RC_BAD_FORMAT,
		  CF_DEBTOR_EMAIL, "no @");
	case_only(case_with(case_ch, CF_DEBTOR_EMAIL, "anna@example", -1, NULL), RC_BAD_FORMAT, CF_DEBTOR_EMAIL,
		  "no dot");
	case_only(case_with(case_ch, CF_DEBTOR_EMAIL, "an na@example.ch", -1, NULL), RC_BAD_FORMAT,
		  CF_DEBTOR_EMAIL, "space");
	case_only(case_with(case_ch, CF_DEBTOR_PHONE, "12345", -1, NULL), RC_BAD_FORMAT, CF_DEBTOR_PHONE,
		  "5 digits");
	case_only(case_with(case_ch, CF_DEBTOR_PHONE, "044-123-45-67", -1, NULL), RC_BAD_FORMAT, CF_DEBTOR_PHONE,
		  "dashes");
	case_ok(case_with(case_ch, CF_DEBTOR_PHONE, "0441234567", -1, NULL), "plain digits");
	case_only(case_with(case_ch, CF_CLAIM_TYPE, "loan", -1, NULL), RC_BAD_FORMAT, CF_CLAIM_TYPE, "loan");
	case_only(case_with(case_ch, CF_CLAIM_TYPE, "Goods", -1, NULL), RC_BAD_FORMAT, CF_CLAIM_TYPE, "Goods");
	case_only(case_with(case_ch, CF_DISPUTED, "maybe", -1, NULL), RC_BAD_FORMAT, CF_DISPUTED, "maybe");
	case_only(case_with(case_ch, CF_DISPUTED, "2", -1, NULL), RC_BAD_FORMAT, CF_DISPUTED, "2");
	case_only(case_with(case_ch, CF_CREDITOR_REFERENCE, "C1\x01" "1001", -1, NULL), RC_BAD_FORMAT,
		  CF_CREDITOR_REFERENCE, "control character");
	ck_assert(!verdict.key_ok);
	case_only(case_with(case_ch, CF_CREDITOR_REFERENCE, "C1\x7f", -1, NULL), RC_BAD_FORMAT,
		  CF_CREDITOR_REFERENCE, "DEL");
}
END_TEST

START_TEST(test_bad_date)
{
	case_only(case_with(case_ch, CF_INVOICE_DATE, "2026-02-30", -1, NULL), RC_BAD_DATE, CF_INVOICE_DATE,
		  "not a calendar date");
	case_only(case_with(case_ch, CF_INVOICE_DATE, "01.08.2026", -1, NULL), RC_BAD_DATE, CF_INVOICE_DATE,
		  "not ISO");
	case_only(case_with(case_ch, CF_INVOICE_DATE, "today", -1, NULL), RC_BAD_DATE, CF_INVOICE_DATE, "today");
	/* invoice after as-of (the due date is then after it too) */
	case_only(case_with(case_ch, CF_INVOICE_DATE, "2026-10-01", CF_DUE_DATE, "2026-09-01"), RC_BAD_DATE,
		  CF_INVOICE_DATE, "invoice after as-of");
	case_only(case_with(case_ch, CF_INVOICE_DATE, AS_OF, CF_DUE_DATE, AS_OF), RC_NOT_OVERDUE, CF_DUE_DATE,
		  "invoice on as-of is no BAD_DATE");
	case_ok(case_with(case_ch, CF_INVOICE_DATE, "2026-09-29", CF_DUE_DATE, "2026-09-29"), "invoice before as-of");
	case_only(case_with(case_ch, CF_INVOICE_DATE, "2026-08-01", CF_DUE_DATE, "2026-07-31"), RC_BAD_DATE,
		  CF_DUE_DATE, "due before invoice");
	case_ok(case_with(case_ch, CF_INVOICE_DATE, "2026-08-31", CF_DUE_DATE, "2026-08-31"), "due == invoice");
	case_only(case_with(case_ch, CF_DUE_DATE, "2026-08-32", -1, NULL), RC_BAD_DATE, CF_DUE_DATE, "due 32nd");
	case_only(case_with(case_ch, CF_DEBTOR_BIRTH_DATE, "2026-10-01", -1, NULL), RC_BAD_DATE,
		  CF_DEBTOR_BIRTH_DATE, "born after as-of");
	case_ok(case_with(case_ch, CF_DEBTOR_BIRTH_DATE, AS_OF, -1, NULL), "born on as-of");
	case_only(case_with(case_ch, CF_DEBTOR_BIRTH_DATE, "17.05.1980", -1, NULL), RC_BAD_DATE,
		  CF_DEBTOR_BIRTH_DATE, "birth not ISO");
	case_only(case_with(case_ch, CF_DEBTOR_TYPE, "company", -1, NULL), RC_BAD_DATE, CF_DEBTOR_BIRTH_DATE,
		  "company with a birth date");
	case_ok(case_with(case_ch, CF_DEBTOR_TYPE, "company", CF_DEBTOR_BIRTH_DATE, ""), "company");
	/* Not required, so a bad reminder_date in Switzerland is BAD_DATE. */
	case_only(case_with(case_ch, CF_REMINDER_DATE, "2026-13-01", -1, NULL), RC_BAD_DATE, CF_REMINDER_DATE,
		  "CH reminder not a date");
	case_only(case_with(case_ch, CF_REMINDER_DATE, "2026-08-30", -1, NULL), RC_BAD_DATE, CF_REMINDER_DATE,
		  "CH reminder before due");
	case_ok(case_with(case_ch, CF_REMINDER_DATE, "2026-09-10", -1, NULL), "CH reminder");
}
END_TEST

START_TEST(test_bad_amount)
{
	static const char *const bad[] = { "0", "0.00", "-5", "+5", "1e3", "12.345", "1,200.00", "1200,50",
					   "NaN", "12.", ".5", "CHF 12" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		case_only(case_with(case_ch, CF_ORIGINAL_AMOUNT, bad[i], CF_PAID_AMOUNT, ""), RC_BAD_AMOUNT,
			  CF_ORIGINAL_AMOUNT, bad[i]);
	/* max_amount is 10000000.00 */
	case_ok(case_with(case_ch, CF_ORIGINAL_AMOUNT, "10000000.00", -1, NULL), "max_amount");
	ck_assert_int_eq(verdict.num[CF_ORIGINAL_AMOUNT], 1000000000);
	case_only(case_with(case_ch, CF_ORIGINAL_AMOUNT, "10000000.01", -1, NULL), RC_BAD_AMOUNT,
		  CF_ORIGINAL_AMOUNT, "above max_amount");
	case_only(case_with(case_ch, CF_ORIGINAL_AMOUNT, "99999999999999999999", -1, NULL), RC_BAD_AMOUNT,
		  CF_ORIGINAL_AMOUNT, "huge");
	case_ok(case_with(case_ch, CF_ORIGINAL_AMOUNT, "0.01", CF_PAID_AMOUNT, ""), "one cent");
	ck_assert_int_eq(verdict.num[CF_ORIGINAL_AMOUNT], 1);
	case_only(case_with(case_ch, CF_PAID_AMOUNT, "-1.00", -1, NULL), RC_BAD_AMOUNT, CF_PAID_AMOUNT,
		  "negative paid");
	case_only(case_with(case_ch, CF_PAID_AMOUNT, "abc", -1, NULL), RC_BAD_AMOUNT, CF_PAID_AMOUNT, "paid abc");
	case_only(case_with(case_ch, CF_FEE_AMOUNT, "x", -1, NULL), RC_BAD_AMOUNT, CF_FEE_AMOUNT, "fee x");
	case_only(case_with(case_ch, CF_INTEREST_AMOUNT, "1.234", -1, NULL), RC_BAD_AMOUNT, CF_INTEREST_AMOUNT,
		  "interest 3 decimals");
}
END_TEST

START_TEST(test_decimal_comma)
{
	case_only(case_with(case_ch, CF_ORIGINAL_AMOUNT, "1200,50", CF_PAID_AMOUNT, ""), RC_BAD_AMOUNT,
		  CF_ORIGINAL_AMOUNT, "comma without ';'");
	case_only(case_with(case_ch, CF_PAID_AMOUNT, "200,50", -1, NULL), RC_BAD_AMOUNT, CF_PAID_AMOUNT,
		  "paid comma without ';'");
	vctx.decimal_comma = true;
	case_ok(case_with(case_ch, CF_ORIGINAL_AMOUNT, "1200,50", CF_PAID_AMOUNT, "200,5"), "comma allowed");
	ck_assert_int_eq(verdict.num[CF_ORIGINAL_AMOUNT], 120050);
	ck_assert_int_eq(verdict.num[CF_PAID_AMOUNT], 20050);
	case_ok(case_with(case_ch, CF_ORIGINAL_AMOUNT, "1200.50", -1, NULL), "point still allowed");
	case_only(case_with(case_ch, CF_ORIGINAL_AMOUNT, "1.200,50", -1, NULL), RC_BAD_AMOUNT,
		  CF_ORIGINAL_AMOUNT, "thousands point");
	tx_ok(tx_with(TF_AMOUNT, "99,90", -1, NULL), "tx comma");
	ck_assert_int_eq(verdict.num[TF_AMOUNT], 9990);
	vctx.decimal_comma = false;
	tx_only(tx_with(TF_AMOUNT, "99,90", -1, NULL), RC_BAD_AMOUNT, TF_AMOUNT, "tx comma not allowed");
}
END_TEST

START_TEST(test_bad_country)
{
	static const char *const bad[] = { "XX", "ch", "CHE", "C", "ZZ", "EU" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		case_only(case_with(case_ch, CF_DEBTOR_COUNTRY, bad[i], -1, NULL), RC_BAD_COUNTRY, CF_DEBTOR_COUNTRY,
			  bad[i]);
}
END_TEST

START_TEST(test_bad_currency)
{
	case_only(case_with(case_ch, CF_CURRENCY, "EUR", -1, NULL), RC_BAD_CURRENCY, CF_CURRENCY, "EUR for CH");
	case_only(case_with(case_ch, CF_CURRENCY, "chf", -1, NULL), RC_BAD_CURRENCY, CF_CURRENCY, "lower case");
	case_only(case_with(case_ch, CF_CURRENCY, "SEK", -1, NULL), RC_BAD_CURRENCY, CF_CURRENCY, "SEK for CH");
	case_only(case_with(case_se, CF_CURRENCY, "CHF", -1, NULL), RC_BAD_CURRENCY, CF_CURRENCY, "CHF for SE");
}
END_TEST

START_TEST(test_bad_id)
{
	/* AHV 756.9217.0769.85: EAN-13 over 756921707698 with weights 1,3,...
	 * = 125, check digit (10 - 5) mod 10 = 5. */
	case_ok(case_with(case_ch, CF_DEBTOR_NATIONAL_ID, "756.9217.0769.85", -1, NULL), "valid AHV");
	case_only(case_with(case_ch, CF_DEBTOR_NATIONAL_ID, "756.9217.0769.84", -1, NULL), RC_BAD_ID,
		  CF_DEBTOR_NATIONAL_ID, "AHV check digit");
	case_only(case_with(case_ch, CF_DEBTOR_NATIONAL_ID, "hello", -1, NULL), RC_BAD_ID, CF_DEBTOR_NATIONAL_ID,
		  "not a number");
	/* A company needs a UID, not an AHV number. */
	case_with(case_ch, CF_DEBTOR_TYPE, "company", CF_DEBTOR_BIRTH_DATE, "");
	case_only(put(CF_DEBTOR_NATIONAL_ID, "756.9217.0769.85"), RC_BAD_ID, CF_DEBTOR_NATIONAL_ID,
		  "AHV for a company");
	/* Other countries are not checked (the debtor abroad is special). */
	case_with(case_ch, CF_DEBTOR_COUNTRY, "DE", CF_DEBTOR_POSTAL_CODE, "10115");
	case_only(put(CF_DEBTOR_NATIONAL_ID, "12345"), RC_SPECIAL_HANDLING, CF_DEBTOR_COUNTRY, "DE id");
	/* With a bad debtor_type the id cannot be checked. */
	case_only(case_with(case_ch, CF_DEBTOR_TYPE, "x", CF_DEBTOR_NATIONAL_ID, "756.9217.0769.84"), RC_BAD_FORMAT,
		  CF_DEBTOR_TYPE, "type unknown");
}
END_TEST

START_TEST(test_unknown_creditor)
{
	case_only(case_with(case_ch, CF_CREDITOR_ID, "ZZ", -1, NULL), RC_UNKNOWN_CREDITOR, CF_CREDITOR_ID,
		  "unknown");
	ck_assert(!verdict.key_ok);
	case_only(case_with(case_ch, CF_CREDITOR_ID, "C2", -1, NULL), RC_UNKNOWN_CREDITOR, CF_CREDITOR_ID,
		  "inactive");
	ck_assert(!verdict.key_ok);
	case_only(case_with(case_ch, CF_CREDITOR_ID, "c1", -1, NULL), RC_UNKNOWN_CREDITOR, CF_CREDITOR_ID,
		  "lower case");
	/* a creditor whose country has no section in the configuration */
	case_only(case_with(case_ch, CF_CREDITOR_ID, "F1", -1, NULL), RC_UNKNOWN_CREDITOR, CF_CREDITOR_ID,
		  "country not configured");
	ck_assert_ptr_null(creditor_find(&creditors, "C0"));
	ck_assert_ptr_null(creditor_find(&creditors, "Z9"));
	ck_assert_ptr_eq(creditor_find(&creditors, "N1"), &creditor_items[4]);
	ck_assert_ptr_null(creditor_find(NULL, "C1"));
}
END_TEST

START_TEST(test_creditor_mismatch)
{
	vctx.creditor_filter = "S1";
	case_only(case_with(case_ch, -1, NULL, -1, NULL), RC_CREDITOR_MISMATCH, CF_CREDITOR_ID, "C1 in S1 batch");
	ck_assert(!verdict.key_ok);
	case_ok(case_with(case_se, -1, NULL, -1, NULL), "S1 in S1 batch");
	tx_only(tx_with(-1, NULL, -1, NULL), RC_CREDITOR_MISMATCH, TF_CREDITOR_ID, "tx C1 in S1 batch");
	vctx.creditor_filter = "C1";
	case_ok(case_with(case_ch, -1, NULL, -1, NULL), "C1 in C1 batch");
	vctx.creditor_filter = NULL;
}
END_TEST

START_TEST(test_not_overdue)
{
	/* due_date must be before as-of: on as-of it is not overdue yet. */
	case_only(case_with(case_ch, CF_DUE_DATE, AS_OF, -1, NULL), RC_NOT_OVERDUE, CF_DUE_DATE, "due on as-of");
	case_only(case_with(case_ch, CF_DUE_DATE, "2026-12-31", -1, NULL), RC_NOT_OVERDUE, CF_DUE_DATE,
		  "due later");
	case_ok(case_with(case_ch, CF_DUE_DATE, "2026-09-29", -1, NULL), "due the day before");
}
END_TEST

START_TEST(test_nothing_outstanding)
{
	case_only(case_with(case_ch, CF_PAID_AMOUNT, "1200.50", -1, NULL), RC_NOTHING_OUTSTANDING, CF_PAID_AMOUNT,
		  "paid all");
	case_only(case_with(case_ch, CF_PAID_AMOUNT, "1300", -1, NULL), RC_NOTHING_OUTSTANDING, CF_PAID_AMOUNT,
		  "paid more");
	case_ok(case_with(case_ch, CF_PAID_AMOUNT, "1200.49", -1, NULL), "one cent left");
	ck_assert_int_eq(verdict.num[CF_PAID_AMOUNT], 120049);
	case_ok(case_with(case_ch, CF_PAID_AMOUNT, "0.00", -1, NULL), "nothing paid");
}
END_TEST

START_TEST(test_fees_included)
{
	case_only(case_with(case_ch, CF_FEE_AMOUNT, "5.00", -1, NULL), RC_FEES_INCLUDED, CF_FEE_AMOUNT, "fee");
	case_only(case_with(case_ch, CF_INTEREST_AMOUNT, "0.01", -1, NULL), RC_FEES_INCLUDED, CF_INTEREST_AMOUNT,
		  "interest");
	case_ok(case_with(case_ch, CF_FEE_AMOUNT, "0", CF_INTEREST_AMOUNT, "0.00"), "zeros");
	case_ok(case_with(case_ch, CF_FEE_AMOUNT, "0.0", CF_INTEREST_AMOUNT, " 0 "), "zeros");
}
END_TEST

START_TEST(test_disputed)
{
	static const char *const yes[] = { "true", "TRUE", "True", "yes", "YES", "Yes", "1" };
	static const char *const no[] = { "false", "FALSE", "no", "No", "0", " false " };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		case_only(case_with(case_ch, CF_DISPUTED, yes[i], -1, NULL), RC_DISPUTED, CF_DISPUTED, yes[i]);
		ck_assert(verdict.num[CF_DISPUTED]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		case_ok(case_with(case_ch, CF_DISPUTED, no[i], -1, NULL), no[i]);
		ck_assert(!verdict.num[CF_DISPUTED]);
	}
}
END_TEST

START_TEST(test_no_reminder)
{
	/* SE, NO and DK require a reminder: due 2026-07-31, as-of 2026-09-30. */
	case_only(case_with(case_se, CF_REMINDER_DATE, "", -1, NULL), RC_NO_REMINDER, CF_REMINDER_DATE, "empty");
	case_only(case_with(case_se, CF_REMINDER_DATE, ABSENT, -1, NULL), RC_NO_REMINDER, CF_REMINDER_DATE,
		  "absent");
	case_only(case_with(case_se, CF_REMINDER_DATE, "2026-07-30", -1, NULL), RC_NO_REMINDER, CF_REMINDER_DATE,
		  "before due");
	case_only(case_with(case_se, CF_REMINDER_DATE, "2026-10-01", -1, NULL), RC_NO_REMINDER, CF_REMINDER_DATE,
		  "after as-of");
	/* SPEC 16: a reminder_date that is not a date is BAD_DATE, required or not */
	case_only(case_with(case_se, CF_REMINDER_DATE, "2026-02-30", -1, NULL), RC_BAD_DATE, CF_REMINDER_DATE,
		  "not a date");
	case_ok(case_with(case_se, CF_REMINDER_DATE, "2026-07-31", -1, NULL), "on the due date");
	case_ok(case_with(case_se, CF_REMINDER_DATE, AS_OF, -1, NULL), "on as-of");
	/* Norway and Denmark too; not Switzerland. */
	case_with(case_se, CF_CREDITOR_ID, "N1", CF_CURRENCY, "NOK");
	put(CF_DEBTOR_COUNTRY, "NO");
	put(CF_DEBTOR_POSTAL_CODE, "0150");
	case_ok(&rec, "NO with reminder");
	case_with(case_se, CF_CREDITOR_ID, "N1", CF_CURRENCY, "NOK");
	put(CF_DEBTOR_COUNTRY, "NO");
	put(CF_DEBTOR_POSTAL_CODE, "0150");
	case_only(put(CF_REMINDER_DATE, ""), RC_NO_REMINDER, CF_REMINDER_DATE, "NO without reminder");
	case_with(case_se, CF_CREDITOR_ID, "D1", CF_CURRENCY, "DKK");
	put(CF_DEBTOR_COUNTRY, "DK");
	put(CF_DEBTOR_POSTAL_CODE, "2100");
	case_only(put(CF_REMINDER_DATE, ABSENT), RC_NO_REMINDER, CF_REMINDER_DATE, "DK without reminder");
	case_ok(case_with(case_ch, CF_REMINDER_DATE, "", -1, NULL), "CH without reminder");
}
END_TEST

START_TEST(test_special_handling)
{
	/* CH: rent, consumer_credit, energy; SE and NO: consumer_credit; DK: rent. */
	static const char *const ch_special[] = { "rent", "consumer_credit", "energy" };
	static const char *const ch_normal[] = { "goods", "services", "other" };

	for (size_t i = 0; i < 3; i++) {
		case_only(case_with(case_ch, CF_CLAIM_TYPE, ch_special[i], -1, NULL), RC_SPECIAL_HANDLING,
			  CF_CLAIM_TYPE, ch_special[i]);
		case_ok(case_with(case_ch, CF_CLAIM_TYPE, ch_normal[i], -1, NULL), ch_normal[i]);
	}
	case_ok(case_with(case_se, CF_CLAIM_TYPE, "rent", -1, NULL), "SE rent");
	case_only(case_with(case_se, CF_CLAIM_TYPE, "consumer_credit", -1, NULL), RC_SPECIAL_HANDLING,
		  CF_CLAIM_TYPE, "SE consumer_credit");
	/* The creditor's country decides, not the debtor's: a Swedish
	 * creditor's debtor in Switzerland is abroad, but rent is not special
	 * for a Swedish creditor. */
	case_with(case_se, CF_DEBTOR_COUNTRY, "CH", CF_DEBTOR_POSTAL_CODE, "8001");
	case_only(put(CF_CLAIM_TYPE, "rent"), RC_SPECIAL_HANDLING, CF_DEBTOR_COUNTRY, "SE creditor, CH debtor");
	/* Denmark: rent is special. */
	case_with(case_se, CF_CREDITOR_ID, "D1", CF_CURRENCY, "DKK");
	put(CF_DEBTOR_COUNTRY, "DK");
	put(CF_DEBTOR_POSTAL_CODE, "2100");
	case_only(put(CF_CLAIM_TYPE, "rent"), RC_SPECIAL_HANDLING, CF_CLAIM_TYPE, "DK rent");
	/* Debtor abroad: outside the creditor's country. */
	case_only(case_with(case_ch, CF_DEBTOR_COUNTRY, "DE", CF_DEBTOR_POSTAL_CODE, "10115"), RC_SPECIAL_HANDLING,
		  CF_DEBTOR_COUNTRY, "CH creditor, DE debtor");
	case_only(case_with(case_ch, CF_DEBTOR_COUNTRY, "LI", CF_DEBTOR_POSTAL_CODE, "9490"), RC_SPECIAL_HANDLING,
		  CF_DEBTOR_COUNTRY, "CH creditor, LI debtor");
}
END_TEST

START_TEST(test_bad_record)
{
	case_with(case_ch, CF_DEBTOR_NAME, "", CF_ORIGINAL_AMOUNT, "x");
	rec.bad_record = true;
	snprintf(rec.problem, sizeof(rec.problem), "the row has 22 fields but the header has 23");
	case_only(&rec, RC_BAD_RECORD, -1, "bad record");
	ck_assert_str_eq(verdict.items[0].message, "the row has 22 fields but the header has 23");
	ck_assert(!verdict.key_ok);
	/* without a problem text */
	case_with(case_ch, -1, NULL, -1, NULL);
	rec.bad_record = true;
	case_only(&rec, RC_BAD_RECORD, -1, "bad record without text");

	tx_with(-1, NULL, -1, NULL);
	rec.bad_record = true;
	snprintf(rec.problem, sizeof(rec.problem), "unknown element 'note'");
	tx_only(&rec, RC_BAD_RECORD, -1, "bad tx record");
	ck_assert_str_eq(verdict.items[0].message, "unknown element 'note'");
}
END_TEST

/* A record collects all its errors, not only the first, in the order of
 * the fields of SPEC 5.1. */
START_TEST(test_several_errors)
{
	const char *vals[CF__COUNT];
	static const enum reject_code codes[] = {
		RC_MISSING_FIELD, RC_BAD_FORMAT, RC_FIELD_TOO_LONG, RC_BAD_DATE, RC_BAD_AMOUNT,
		RC_BAD_CURRENCY, RC_FEES_INCLUDED, RC_SPECIAL_HANDLING, RC_DISPUTED,
	};
	static const int fields[] = {
		CF_CREDITOR_REFERENCE, CF_DEBTOR_TYPE, CF_DEBTOR_NAME, CF_INVOICE_DATE, CF_ORIGINAL_AMOUNT,
		CF_CURRENCY, CF_FEE_AMOUNT, CF_CLAIM_TYPE, CF_DISPUTED,
	};
	char name[300];

	memcpy(vals, case_ch, sizeof(vals));
	vals[CF_CREDITOR_REFERENCE] = "";
	vals[CF_DEBTOR_TYPE] = "robot";
	vals[CF_DEBTOR_NAME] = repeat(name, sizeof(name), "n", 201);
	vals[CF_DEBTOR_BIRTH_DATE] = ""; /* not checked: debtor_type is bad */
	vals[CF_INVOICE_DATE] = "yesterday";
	vals[CF_ORIGINAL_AMOUNT] = "-1";
	vals[CF_CURRENCY] = "EUR";
	vals[CF_PAID_AMOUNT] = "5000"; /* original_amount unusable: not compared */
	vals[CF_FEE_AMOUNT] = "10.00";
	vals[CF_CLAIM_TYPE] = "rent";
	vals[CF_DISPUTED] = "yes";
	fill(&rec, KIND_CASES, vals, CF__COUNT);
	ck_assert_uint_eq(validate_case(&vctx, &rec, &verdict), 9);
	expect_items(&verdict, 9, codes, fields, "several");
	ck_assert(!verdict.key_ok);
}
END_TEST

static int cmp_item_field(const void *a, const void *b)
{
	const struct reject_item *x = a, *y = b;

	return (x->field > y->field) - (x->field < y->field);
}

/* Errors in fields whose checks depend on each other (national id, postal
 * code: the debtor's country and type): all are collected. The check is
 * on the set, sorted by field; see test_several_errors for the order. */
START_TEST(test_several_errors_dependent_fields)
{
	struct verdict sorted;
	static const enum reject_code codes[] = { RC_BAD_ID, RC_MISSING_FIELD, RC_BAD_FORMAT, RC_MISSING_FIELD };
	static const int fields[] = { CF_DEBTOR_NATIONAL_ID, CF_DEBTOR_STREET, CF_DEBTOR_POSTAL_CODE,
				      CF_DEBTOR_CITY };

	case_with(case_ch, CF_DEBTOR_NATIONAL_ID, "756.9217.0769.84", CF_DEBTOR_STREET, "");
	put(CF_DEBTOR_POSTAL_CODE, "800");
	put(CF_DEBTOR_CITY, " ");
	ck_assert_uint_eq(validate_case(&vctx, &rec, &verdict), 4);
	sorted = verdict;
	qsort(sorted.items, sorted.n, sizeof(sorted.items[0]), cmp_item_field);
	expect_items(&sorted, 4, codes, fields, "dependent fields");
}
END_TEST

/* Every case error at once cannot overflow the verdict. */
START_TEST(test_all_fields_bad)
{
	const char *vals[CF__COUNT];

	for (int f = 0; f < CF__COUNT; f++)
		vals[f] = "\xff";
	fill(&rec, KIND_CASES, vals, CF__COUNT);
	ck_assert_uint_eq(validate_case(&vctx, &rec, &verdict), CF__COUNT);
	for (size_t i = 0; i < verdict.n; i++)
		ck_assert_int_eq(verdict.items[i].code, RC_BAD_ENCODING);
}
END_TEST

/* ---- transactions ---- */

START_TEST(test_tx_kinds)
{
	tx_ok(tx_with(-1, NULL, -1, NULL), "payment");
	ck_assert_int_eq(verdict.num[TF_AMOUNT], 10000);
	ck_assert(verdict.key_ok);
	ck_assert(verdict.txid_ok);
	tx_ok(tx_with(TF_KIND, "direct_payment", TF_AMOUNT, "0.05"), "direct_payment");
	ck_assert_int_eq(verdict.num[TF_AMOUNT], 5);
	tx_ok(tx_with(TF_KIND, "credit_note", TF_AMOUNT, "250"), "credit_note");
	ck_assert_int_eq(verdict.num[TF_AMOUNT], 25000);
	{
		static const char *const reasons[] = { "unjustified", "crossed_payment", "goodwill" };

		for (size_t i = 0; i < 3; i++) {
			const char *vals[TF__COUNT];

			memcpy(vals, tx_base, sizeof(vals));
			vals[TF_KIND] = "withdrawal";
			vals[TF_AMOUNT] = "";
			vals[TF_CURRENCY] = "";
			vals[TF_REASON] = reasons[i];
			fill(&rec, KIND_TRANSACTIONS, vals, TF__COUNT);
			tx_ok(&rec, reasons[i]);
			ck_assert_int_eq(verdict.num[TF_AMOUNT], 0);
		}
	}
	tx_only(tx_with(TF_KIND, "refund", -1, NULL), RC_BAD_FORMAT, TF_KIND, "refund");
	tx_only(tx_with(TF_KIND, "Payment", -1, NULL), RC_BAD_FORMAT, TF_KIND, "Payment");
	tx_only(tx_with(TF_KIND, "", -1, NULL), RC_MISSING_FIELD, TF_KIND, "no kind");
}
END_TEST

START_TEST(test_tx_amounts)
{
	tx_only(tx_with(TF_AMOUNT, "0", -1, NULL), RC_BAD_AMOUNT, TF_AMOUNT, "payment of 0");
	tx_only(tx_with(TF_AMOUNT, "0.00", -1, NULL), RC_BAD_AMOUNT, TF_AMOUNT, "payment of 0.00");
	tx_only(tx_with(TF_AMOUNT, "-10.00", -1, NULL), RC_BAD_AMOUNT, TF_AMOUNT, "negative");
	tx_only(tx_with(TF_AMOUNT, "1e2", -1, NULL), RC_BAD_AMOUNT, TF_AMOUNT, "exponent");
	tx_only(tx_with(TF_AMOUNT, "10.001", -1, NULL), RC_BAD_AMOUNT, TF_AMOUNT, "three decimals");
	tx_only(tx_with(TF_AMOUNT, "", -1, NULL), RC_MISSING_FIELD, TF_AMOUNT, "payment without amount");
	tx_only(tx_with(TF_KIND, "credit_note", TF_AMOUNT, "0"), RC_BAD_AMOUNT, TF_AMOUNT, "credit note of 0");
	tx_only(tx_with(TF_CURRENCY, "", -1, NULL), RC_MISSING_FIELD, TF_CURRENCY, "payment without currency");
	/* A withdrawal has no amount. */
	{
		const char *vals[TF__COUNT];

		memcpy(vals, tx_base, sizeof(vals));
		vals[TF_KIND] = "withdrawal";
		vals[TF_AMOUNT] = "10.00";
		vals[TF_CURRENCY] = "";
		vals[TF_REASON] = "goodwill";
		fill(&rec, KIND_TRANSACTIONS, vals, TF__COUNT);
		tx_only(&rec, RC_BAD_AMOUNT, TF_AMOUNT, "withdrawal with an amount");
	}
}
END_TEST


/* SPEC 2 v2: XML values are trimmed of the XML whitespace (the XSD's
 * token rule), CSV values of spaces and tabs only. */
START_TEST(test_xml_whitespace)
{
	vctx.xml = true;
	case_ok(case_with(case_ch, CF_DUE_DATE, "\n  2026-08-31\r\n", CF_ORIGINAL_AMOUNT, "\t1200.50\n"),
		"xml: line breaks around values");
	ck_assert_int_eq(verdict.num[CF_ORIGINAL_AMOUNT], 120050);
	case_ok(case_with(case_ch, CF_CREDITOR_REFERENCE, "\n C1-1001 \n", -1, NULL), "xml: reference");
	vctx.xml = false;
	case_only(case_with(case_ch, CF_DUE_DATE, "\n2026-08-31", -1, NULL), RC_BAD_DATE, CF_DUE_DATE,
		  "csv: a line break is not trimmed");
	case_only(case_with(case_ch, CF_CREDITOR_REFERENCE, "C1-1001\r", -1, NULL), RC_BAD_FORMAT,
		  CF_CREDITOR_REFERENCE, "csv: CR in a key is a control character");
	case_ok(case_with(case_ch, CF_DUE_DATE, " \t2026-08-31\t ", -1, NULL), "csv: spaces and tabs");
}
END_TEST

/* SPEC 2 v2: C1 controls in a key are BAD_FORMAT like C0 ones. */
START_TEST(test_c1_controls)
{
	case_only(case_with(case_ch, CF_CREDITOR_REFERENCE, "C1-10\xc2\x85" "01", -1, NULL), RC_BAD_FORMAT,
		  CF_CREDITOR_REFERENCE, "NEL");
	case_only(case_with(case_ch, CF_CREDITOR_REFERENCE, "\xc2\x9b" "31m", -1, NULL), RC_BAD_FORMAT,
		  CF_CREDITOR_REFERENCE, "CSI");
	case_ok(case_with(case_ch, CF_CREDITOR_REFERENCE, "C1-\xc2\xa0" "1", -1, NULL), "no-break space");
	tx_only(tx_with(TF_TRANSACTION_ID, "T\xc2\x80" "1", -1, NULL), RC_BAD_FORMAT, TF_TRANSACTION_ID, "tx id");
}
END_TEST

/* SPEC 6 v2: a transaction amount is at most max_amount (10000000.00). */
START_TEST(test_tx_max_amount)
{
	tx_only(tx_with(TF_AMOUNT, "9999999999999.99", -1, NULL), RC_BAD_AMOUNT, TF_AMOUNT, "overflowing");
	tx_only(tx_with(TF_AMOUNT, "10000000.01", -1, NULL), RC_BAD_AMOUNT, TF_AMOUNT, "a cent above");
	validate_transaction(&vctx, tx_with(TF_AMOUNT, "10000000.00", -1, NULL), &verdict);
	ck_assert_uint_eq(verdict.n, 0);
	ck_assert_int_eq(verdict.num[TF_AMOUNT], 1000000000);
}
END_TEST

START_TEST(test_tx_withdrawal_reason)
{
	const char *vals[TF__COUNT];

	memcpy(vals, tx_base, sizeof(vals));
	vals[TF_KIND] = "withdrawal";
	vals[TF_AMOUNT] = "";
	vals[TF_CURRENCY] = "";
	vals[TF_REASON] = "";
	fill(&rec, KIND_TRANSACTIONS, vals, TF__COUNT);
	tx_only(&rec, RC_BAD_FORMAT, TF_REASON, "withdrawal without reason");
	vals[TF_REASON] = ABSENT;
	fill(&rec, KIND_TRANSACTIONS, vals, TF__COUNT);
	tx_only(&rec, RC_BAD_FORMAT, TF_REASON, "withdrawal, no reason column");
	vals[TF_REASON] = "changed_mind";
	fill(&rec, KIND_TRANSACTIONS, vals, TF__COUNT);
	tx_only(&rec, RC_BAD_FORMAT, TF_REASON, "unknown reason");
	vals[TF_REASON] = "Goodwill";
	fill(&rec, KIND_TRANSACTIONS, vals, TF__COUNT);
	tx_only(&rec, RC_BAD_FORMAT, TF_REASON, "reason case");
	vals[TF_REASON] = " goodwill ";
	fill(&rec, KIND_TRANSACTIONS, vals, TF__COUNT);
	tx_ok(&rec, "reason padded");
}
END_TEST

START_TEST(test_tx_dates_and_keys)
{
	tx_only(tx_with(TF_BOOKING_DATE, "2026-10-01", -1, NULL), RC_BAD_DATE, TF_BOOKING_DATE, "after as-of");
	tx_ok(tx_with(TF_BOOKING_DATE, AS_OF, -1, NULL), "on as-of");
	tx_only(tx_with(TF_BOOKING_DATE, "2026-09-31", -1, NULL), RC_BAD_DATE, TF_BOOKING_DATE, "Sept 31");
	tx_only(tx_with(TF_BOOKING_DATE, "", -1, NULL), RC_MISSING_FIELD, TF_BOOKING_DATE, "no date");
	tx_only(tx_with(TF_CREDITOR_ID, "ZZ", -1, NULL), RC_UNKNOWN_CREDITOR, TF_CREDITOR_ID, "unknown creditor");
	ck_assert(!verdict.key_ok);
	ck_assert(!verdict.txid_ok);
	tx_only(tx_with(TF_CREDITOR_ID, "C2", -1, NULL), RC_UNKNOWN_CREDITOR, TF_CREDITOR_ID, "inactive");
	tx_only(tx_with(TF_CREDITOR_REFERENCE, "", -1, NULL), RC_MISSING_FIELD, TF_CREDITOR_REFERENCE, "no ref");
	ck_assert(!verdict.key_ok);
	ck_assert(verdict.txid_ok);
	tx_only(tx_with(TF_TRANSACTION_ID, "", -1, NULL), RC_MISSING_FIELD, TF_TRANSACTION_ID, "no id");
	ck_assert(verdict.key_ok);
	ck_assert(!verdict.txid_ok);
	{
		char buf[300];

		tx_only(tx_with(TF_TRANSACTION_ID, repeat(buf, sizeof(buf), "\xc3\xa5", 65), -1, NULL),
			RC_FIELD_TOO_LONG, TF_TRANSACTION_ID, "65 characters");
		ck_assert(!verdict.txid_ok);
		tx_ok(tx_with(TF_TRANSACTION_ID, repeat(buf, sizeof(buf), "\xc3\xa5", 64), -1, NULL),
		      "64 characters");
	}
	tx_only(tx_with(TF_TRANSACTION_ID, "TX\t1", -1, NULL), RC_BAD_FORMAT, TF_TRANSACTION_ID, "tab inside");
	tx_only(tx_with(TF_TRANSACTION_ID, "TX\xff", -1, NULL), RC_BAD_ENCODING, TF_TRANSACTION_ID, "bad UTF-8");
}
END_TEST

START_TEST(test_tx_several_errors)
{
	const char *vals[TF__COUNT];
	static const enum reject_code codes[] = { RC_UNKNOWN_CREDITOR, RC_MISSING_FIELD, RC_BAD_DATE,
						  RC_BAD_AMOUNT };
	static const int fields[] = { TF_CREDITOR_ID, TF_TRANSACTION_ID, TF_BOOKING_DATE, TF_AMOUNT };

	memcpy(vals, tx_base, sizeof(vals));
	vals[TF_CREDITOR_ID] = "XX";
	vals[TF_TRANSACTION_ID] = " ";
	vals[TF_BOOKING_DATE] = "2027-01-01";
	vals[TF_AMOUNT] = "0";
	fill(&rec, KIND_TRANSACTIONS, vals, TF__COUNT);
	ck_assert_uint_eq(validate_transaction(&vctx, &rec, &verdict), 4);
	expect_items(&verdict, 4, codes, fields, "tx several");
}
END_TEST

Suite *validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc_case = tcase_create("cases");
	TCase *tc_tx = tcase_create("transactions");

	tcase_add_checked_fixture(tc_case, setup, teardown);
	tcase_add_test(tc_case, test_valid_cases);
	tcase_add_test(tc_case, test_missing_field);
	tcase_add_test(tc_case, test_missing_key_field);
	tcase_add_test(tc_case, test_field_too_long);
	tcase_add_test(tc_case, test_bad_encoding);
	tcase_add_test(tc_case, test_bad_format);
	tcase_add_test(tc_case, test_bad_date);
	tcase_add_test(tc_case, test_bad_amount);
	tcase_add_test(tc_case, test_decimal_comma);
	tcase_add_test(tc_case, test_bad_country);
	tcase_add_test(tc_case, test_bad_currency);
	tcase_add_test(tc_case, test_bad_id);
	tcase_add_test(tc_case, test_unknown_creditor);
	tcase_add_test(tc_case, test_creditor_mismatch);
	tcase_add_test(tc_case, test_not_overdue);
	tcase_add_test(tc_case, test_nothing_outstanding);
	tcase_add_test(tc_case, test_fees_included);
	tcase_add_test(tc_case, test_disputed);
	tcase_add_test(tc_case, test_no_reminder);
	tcase_add_test(tc_case, test_special_handling);
	tcase_add_test(tc_case, test_bad_record);
	tcase_add_test(tc_case, test_several_errors);
	tcase_add_test(tc_case, test_several_errors_dependent_fields);
	tcase_add_test(tc_case, test_all_fields_bad);
	suite_add_tcase(s, tc_case);

	tcase_add_checked_fixture(tc_tx, setup, teardown);
	tcase_add_test(tc_tx, test_tx_kinds);
	tcase_add_test(tc_tx, test_tx_amounts);
	tcase_add_test(tc_tx, test_tx_withdrawal_reason);
	tcase_add_test(tc_tx, test_tx_max_amount);
	tcase_add_test(tc_tx, test_c1_controls);
	tcase_add_test(tc_tx, test_xml_whitespace);
	tcase_add_test(tc_tx, test_tx_dates_and_keys);
	tcase_add_test(tc_tx, test_tx_several_errors);
	suite_add_tcase(s, tc_tx);
	return s;
}
