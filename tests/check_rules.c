/* Unit tests for loader/rules.c.
 *
 * Every valid example is checked by hand in a comment: the weighted sum and
 * the check digit it gives. No test recomputes a check digit with code of
 * its own; the mutation tests only change digits of known-valid numbers.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"

Suite *rules_suite(void);

#define ID_OK(country, company, s)                                                        \
	ck_assert_msg(rules_national_id_ok(country, company, s) == true,                  \
		      "expected valid: %s %s '%s'", country, (company) ? "company" : "person", \
		      s)
#define ID_BAD(country, company, s)                                                       \
	ck_assert_msg(rules_national_id_ok(country, company, s) == false,                 \
		      "expected invalid: %s %s '%s'", country, (company) ? "company" : "person", \
		      s)
#define IBAN_OK(s) ck_assert_msg(rules_iban_ok(s) == true, "expected valid IBAN '%s'", s)
#define IBAN_BAD(s) ck_assert_msg(rules_iban_ok(s) == false, "expected invalid IBAN '%s'", s)

#define BUF_MAX 64

/* Replaces each digit of a valid number, in turn, by each of the nine other
 * digits, skipping the first `skip` characters: every result must be
 * rejected. A check digit scheme that catches every single-digit error
 * (Luhn, mod 11 with weights prime to 11, EAN-13) must pass this. */
static void assert_digit_changes_rejected(const char *country, bool company, const char *valid,
					  size_t skip)
{
	char buf[BUF_MAX];
	size_t len = strlen(valid);

	ck_assert_uint_lt(len, sizeof(buf));
	ck_assert_msg(rules_national_id_ok(country, company, valid) == true, "base '%s' invalid",
		      valid);
	for (size_t i = skip; i < len; i++) {
		if (valid[i] < '0' || valid[i] > '9')
			continue;
		for (int d = '0'; d <= '9'; d++) {
			if (d == valid[i])
				continue;
			memcpy(buf, valid, len + 1);
			buf[i] = (char)d;
			ck_assert_msg(rules_national_id_ok(country, company, buf) == false,
				      "'%s' (changed from '%s') accepted", buf, valid);
		}
	}
}

static void assert_iban_digit_changes_rejected(const char *valid)
{
	char buf[BUF_MAX];
	size_t len = strlen(valid);

	ck_assert_uint_lt(len, sizeof(buf));
	IBAN_OK(valid);
	for (size_t i = 2; i < len; i++) {
		if (valid[i] < '0' || valid[i] > '9')
			continue;
		for (int d = '0'; d <= '9'; d++) {
			if (d == valid[i])
				continue;
			memcpy(buf, valid, len + 1);
			buf[i] = (char)d;
			IBAN_BAD(buf);
		}
	}
}

/* ---- SE ---------------------------------------------------------------- */

/* 811218-9876: Luhn over 8 1 1 2 1 8 9 8 7 6, doubling every other digit
 * from the left: 16->7, 1, 2, 2, 2, 8, 18->9, 8, 14->5, 6 = 50, 0 mod 10. */
START_TEST(test_se_personnummer_valid)
{
	ID_OK("SE", false, "811218-9876");
	ID_OK("SE", false, "8112189876");
	ID_OK("SE", false, "811218+9876"); /* '+': aged 100 or more */
	ID_OK("SE", false, "19811218-9876");
	ID_OK("SE", false, "198112189876");
	ID_OK("SE", false, "19811218+9876");
	/* Luhn is on the last 10 digits only: the century is not covered. */
	ID_OK("SE", false, "20811218-9876");
}
END_TEST

START_TEST(test_se_personnummer_invalid)
{
	ID_BAD("SE", false, "811218-9875"); /* check digit */
	ID_BAD("SE", false, "811218-9877");
	ID_BAD("SE", false, "811218-9867"); /* adjacent swap 76 -> 67: sum 49 */
	ID_BAD("SE", false, "811218-987");  /* length */
	ID_BAD("SE", false, "811218-98765");
	ID_BAD("SE", false, "81121898766");   /* 11 digits */
	ID_BAD("SE", false, "1981121898765"); /* 13 digits */
	ID_BAD("SE", false, "811218 9876");   /* wrong separator */
	ID_BAD("SE", false, "811218--9876");
	ID_BAD("SE", false, "81121-89876"); /* separator in the wrong place */
	ID_BAD("SE", false, "1981121-89876");
	ID_BAD("SE", false, "811218-98A6"); /* letter */
	ID_BAD("SE", false, "81121B-9876");
	ID_BAD("SE", false, "");
	ID_BAD("SE", false, "-");
	ID_BAD("SE", false, " 811218-9876"); /* not trimmed */
	ID_BAD("SE", false, "811218-9876 ");
	ID_BAD("SE", false, "８１１２１８-９８７６"); /* full-width digits */
}
END_TEST

/* 556036-0793: 10->1, 5, 12->3, 0, 6, 6, 0, 7, 18->9, 3 = 40.
 * 556012-5790: 10->1, 5, 12->3, 0, 2, 2, 10->1, 7, 18->9, 0 = 30. */
START_TEST(test_se_organisationsnummer)
{
	ID_OK("SE", true, "556036-0793");
	ID_OK("SE", true, "5560360793");
	ID_OK("SE", true, "556012-5790");
	ID_BAD("SE", true, "556036-0794");  /* check digit */
	ID_BAD("SE", true, "556036+0793");  /* '+' is for persons only */
	ID_BAD("SE", true, "165560360793"); /* 12 digits: persons only */
	ID_BAD("SE", true, "16556036-0793");
	ID_BAD("SE", true, "556036-079");
	ID_BAD("SE", true, "55603-60793");
	ID_BAD("SE", true, "556036-07X3");
	ID_BAD("SE", true, "SE556036079301"); /* VAT number form */
	ID_BAD("SE", true, "");
	/* The same Luhn rule, so a personnummer passes as 10 digits. */
	ID_OK("SE", true, "811218-9876");
}
END_TEST

START_TEST(test_se_every_digit_change)
{
	assert_digit_changes_rejected("SE", false, "811218-9876", 0);
	assert_digit_changes_rejected("SE", false, "19811218-9876", 2);
	assert_digit_changes_rejected("SE", true, "5560360793", 0);
}
END_TEST

/* ---- NO ---------------------------------------------------------------- */

/* 15076500565: k1 = 1*3 + 5*7 + 0*6 + 7*1 + 6*8 + 5*9 + 0*4 + 0*5 + 5*2
 *   = 3+35+0+7+48+45+0+0+10 = 148, 148 % 11 = 5, 11 - 5 = 6 (digit 10).
 *   k2 = 1*5 + 5*4 + 0*3 + 7*2 + 6*7 + 5*6 + 0*5 + 0*4 + 5*3 + 6*2
 *   = 5+20+0+14+42+30+0+0+15+12 = 138, 138 % 11 = 6, 11 - 6 = 5 (digit 11).
 * 01010150074: k1 = 7+1+9+5*4 = 37, 37 % 11 = 4 -> 7;
 *   k2 = 1*4 + 1*2 + 1*6 + 5*5 + 7*2 = 51, 51 % 11 = 7 -> 4.
 * 01010150902 (k1 from 11 -> 0): k1 = 37 + 9*2 = 55, 55 % 11 = 0 -> 0;
 *   k2 = 4+2+6+25 + 9*3 + 0*2 = 64, 64 % 11 = 9 -> 2.
 * 01010100050 (k2 from 11 -> 0): k1 = 7+1+9 = 17, 17 % 11 = 6 -> 5;
 *   k2 = 4+2+6 + 5*2 = 22, 22 % 11 = 0 -> 0. */
START_TEST(test_no_fodselsnummer_valid)
{
	ID_OK("NO", false, "15076500565");
	ID_OK("NO", false, "01010150074");
	ID_OK("NO", false, "01010150902");
	ID_OK("NO", false, "01010100050");
}
END_TEST

/* 010101504xx: k1 = 37 + 4*2 = 45, 45 % 11 = 1 -> 10: no valid number.
 * 0101010143x: k1 = 7+1+9 + 1*5 + 4*2 = 30, 30 % 11 = 8 -> 3 (right);
 *   k2 = 4+2+6 + 1*4 + 4*3 + 3*2 = 34, 34 % 11 = 1 -> 10: no valid k2. */
START_TEST(test_no_fodselsnummer_invalid)
{
	ID_BAD("NO", false, "15076500566"); /* k2 */
	ID_BAD("NO", false, "15076500575"); /* k1 */
	ID_BAD("NO", false, "01010150054"); /* k1 should be 7 */
	ID_BAD("NO", false, "01010150400");
	ID_BAD("NO", false, "01010150410");
	ID_BAD("NO", false, "01010150499");
	ID_BAD("NO", false, "01010101430");
	ID_BAD("NO", false, "01010101439");
	ID_BAD("NO", false, "1507650056");   /* 10 digits */
	ID_BAD("NO", false, "150765005650"); /* 12 digits */
	ID_BAD("NO", false, "150765-00565");
	ID_BAD("NO", false, "150765 00565");
	ID_BAD("NO", false, "1507650056A");
	ID_BAD("NO", false, "");
	ID_BAD("NO", false, "15076500565 ");
}
END_TEST

/* 923609016: 9*3 + 2*2 + 3*7 + 6*6 + 0*5 + 9*4 + 0*3 + 1*2
 *   = 27+4+21+36+0+36+0+2 = 126, 126 % 11 = 5, 11 - 5 = 6.
 * 984851006: 27 + 16 + 28 + 48 + 25 + 4 + 0 + 0 = 148, 148 % 11 = 5 -> 6.
 * 100000040 (11 -> 0): 1*3 + 4*2 = 11, 11 % 11 = 0 -> 0.
 * 10000013x: 1*3 + 1*3 + 3*2 = 12, 12 % 11 = 1 -> 10: no valid number. */
START_TEST(test_no_organisasjonsnummer)
{
	ID_OK("NO", true, "923609016");
	ID_OK("NO", true, "923 609 016");
	ID_OK("NO", true, "984851006");
	ID_OK("NO", true, "100000040");
	ID_BAD("NO", true, "923609017"); /* check digit */
	ID_BAD("NO", true, "923609061"); /* swap */
	ID_BAD("NO", true, "100000130");
	ID_BAD("NO", true, "100000131");
	ID_BAD("NO", true, "100000139");
	ID_BAD("NO", true, "92360901");   /* 8 digits */
	ID_BAD("NO", true, "9236090160"); /* 10 digits */
	ID_BAD("NO", true, "923  609 016");
	ID_BAD("NO", true, "9236 09016");
	ID_BAD("NO", true, "923-609-016");
	ID_BAD("NO", true, "923.609.016");
	ID_BAD("NO", true, "NO923609016MVA");
	ID_BAD("NO", true, "92360901X");
	ID_BAD("NO", true, "");
	/* Persons and companies have separate rules. */
	ID_BAD("NO", false, "923609016");
	ID_BAD("NO", true, "15076500565");
}
END_TEST

START_TEST(test_no_every_digit_change)
{
	assert_digit_changes_rejected("NO", false, "15076500565", 0);
	assert_digit_changes_rejected("NO", false, "01010150902", 0);
	assert_digit_changes_rejected("NO", true, "923609016", 0);
	assert_digit_changes_rejected("NO", true, "923 609 016", 0);
	assert_digit_changes_rejected("NO", true, "100000040", 0);
}
END_TEST

/* ---- DK ---------------------------------------------------------------- */

START_TEST(test_dk_cpr)
{
	ID_OK("DK", false, "0101011234");
	ID_OK("DK", false, "010101-1234");
	ID_OK("DK", false, "311299-0000");
	ID_OK("DK", false, "290200-1234"); /* 2000-02-29 */
	ID_OK("DK", false, "290204-1234"); /* a leap year in every century */
	ID_OK("DK", false, "290296-1234");
	ID_OK("DK", false, "280201-1234");
	ID_OK("DK", false, "300400-9999");
	ID_OK("DK", false, "310100-0000");
	ID_BAD("DK", false, "290201-1234"); /* never a leap year */
	ID_BAD("DK", false, "290298-1234");
	ID_BAD("DK", false, "300200-1234");
	ID_BAD("DK", false, "310400-1234"); /* 31 April */
	ID_BAD("DK", false, "310600-1234");
	ID_BAD("DK", false, "310900-1234");
	ID_BAD("DK", false, "311100-1234");
	ID_BAD("DK", false, "320100-1234");
	ID_BAD("DK", false, "000100-1234"); /* day 0 */
	ID_BAD("DK", false, "010000-1234"); /* month 0 */
	ID_BAD("DK", false, "011300-1234"); /* month 13 */
	ID_BAD("DK", false, "010101123");   /* 9 digits */
	ID_BAD("DK", false, "01010112345"); /* 11 digits */
	ID_BAD("DK", false, "01010-11234");
	ID_BAD("DK", false, "010101 1234");
	ID_BAD("DK", false, "010101+1234");
	ID_BAD("DK", false, "010101-123A");
	ID_BAD("DK", false, "");
}
END_TEST

/* 24256790: 2*2 + 4*7 + 2*6 + 5*5 + 6*4 + 7*3 + 9*2 + 0*1
 *   = 4+28+12+25+24+21+18+0 = 132 = 12 * 11.
 * 10150817: 2 + 0 + 6 + 25 + 0 + 24 + 2 + 7 = 66 = 6 * 11.
 * 61056416: 12 + 7 + 0 + 25 + 24 + 12 + 2 + 6 = 88 = 8 * 11. */
START_TEST(test_dk_cvr)
{
	ID_OK("DK", true, "24256790");
	ID_OK("DK", true, "10150817");
	ID_OK("DK", true, "61056416");
	ID_BAD("DK", true, "24256791"); /* sum 133 */
	ID_BAD("DK", true, "24256709"); /* swap: sum 132 - 18 + 9 = 123 */
	ID_BAD("DK", true, "2425679");
	ID_BAD("DK", true, "242567900");
	ID_BAD("DK", true, "24 25 67 90");
	ID_BAD("DK", true, "DK24256790");
	ID_BAD("DK", true, "2425679O"); /* letter O */
	ID_BAD("DK", true, "");
	/* A CPR number is not a CVR number, nor the other way round. */
	ID_BAD("DK", true, "0101011234");
	ID_BAD("DK", false, "24256790");
}
END_TEST

START_TEST(test_dk_every_digit_change)
{
	assert_digit_changes_rejected("DK", true, "24256790", 0);
	assert_digit_changes_rejected("DK", true, "61056416", 0);
}
END_TEST

/* ---- CH ---------------------------------------------------------------- */

/* 756.9217.0769.85: EAN-13 weights 1 3 1 3 ... over 7 5 6 9 2 1 7 0 7 6 9 8:
 *   7+15+6+27+2+3+7+0+7+18+9+24 = 125, (10 - 125 % 10) % 10 = 5.
 * 756.1234.5678.97: 7+15+6+3+2+9+4+15+6+21+8+27 = 123 -> 7.
 * 756.0000.0000.40: 7+15+6 + 4*3 = 40 -> (10 - 0) % 10 = 0. */
START_TEST(test_ch_ahv)
{
	ID_OK("CH", false, "756.9217.0769.85");
	ID_OK("CH", false, "7569217076985");
	ID_OK("CH", false, "756.1234.5678.97");
	ID_OK("CH", false, "756.0000.0000.40");
	ID_BAD("CH", false, "756.9217.0769.86"); /* check digit */
	ID_BAD("CH", false, "7569217076984");
	ID_BAD("CH", false, "756.9217.0796.85"); /* swap 69 -> 96 */
	ID_BAD("CH", false, "757.9217.0769.85"); /* not 756 */
	ID_BAD("CH", false, "1234567890128");    /* valid EAN-13, not 756 */
	ID_BAD("CH", false, "756.9217.0769.8");
	ID_BAD("CH", false, "756.9217.0769.855");
	ID_BAD("CH", false, "756921707698");
	ID_BAD("CH", false, "75692170769855");
	ID_BAD("CH", false, "756.92170769.85"); /* dots elsewhere or missing */
	ID_BAD("CH", false, "7569.217.0769.85");
	ID_BAD("CH", false, "756.9217.076985");
	ID_BAD("CH", false, "756-9217-0769-85");
	ID_BAD("CH", false, "756 9217 0769 85");
	ID_BAD("CH", false, "756.9217.0769.8X");
	ID_BAD("CH", false, "");
	ID_BAD("CH", false, "756");
}
END_TEST

/* CHE-116.281.710: weights 5 4 3 2 7 6 5 4 over 1 1 6 2 8 1 7 1:
 *   5+4+18+4+56+6+35+4 = 132, 132 % 11 = 0, 11 - 0 = 11 -> 0.
 * CHE-109.322.551: 5+0+27+6+14+12+25+20 = 109, 109 % 11 = 10 -> 1.
 * CHE-123.456.789 (the format example in the spec): 5+8+9+8+35+36+35+32
 *   = 168, 168 % 11 = 3 -> 8, not 9: invalid.
 * CHE-100.000.16x: 5 + 1*5 + 6*4 = 34, 34 % 11 = 1 -> 10: no valid number. */
START_TEST(test_ch_uid)
{
	ID_OK("CH", true, "CHE-116.281.710");
	ID_OK("CH", true, "CHE116281710");
	ID_OK("CH", true, "CHE-109.322.551");
	ID_OK("CH", true, "CHE-123.456.788");
	ID_BAD("CH", true, "CHE-123.456.789");
	ID_BAD("CH", true, "CHE-116.281.711");
	ID_BAD("CH", true, "CHE-100.000.160");
	ID_BAD("CH", true, "CHE-100.000.161");
	ID_BAD("CH", true, "CHE-100.000.169");
	ID_BAD("CH", true, "che-116.281.710"); /* lower case */
	ID_BAD("CH", true, "CHE 116.281.710");
	ID_BAD("CH", true, "CHE-116281710"); /* mixed forms */
	ID_BAD("CH", true, "CHE116.281.710");
	ID_BAD("CH", true, "CHE-116.281.710 MWST");
	ID_BAD("CH", true, "116281710"); /* no prefix */
	ID_BAD("CH", true, "116.281.710");
	ID_BAD("CH", true, "CHE-116.281.71");
	ID_BAD("CH", true, "CHE-116.281.7100");
	ID_BAD("CH", true, "CHE-116.28A.710");
	ID_BAD("CH", true, "CHE");
	ID_BAD("CH", true, "");
	/* AHV for persons, UID for companies. */
	ID_BAD("CH", false, "CHE-116.281.710");
	ID_BAD("CH", true, "756.9217.0769.85");
}
END_TEST

START_TEST(test_ch_every_digit_change)
{
	/* The 756 prefix is literal: changing it is rejected as well. */
	assert_digit_changes_rejected("CH", false, "756.9217.0769.85", 0);
	assert_digit_changes_rejected("CH", false, "7561234567897", 0);
	assert_digit_changes_rejected("CH", true, "CHE-116.281.710", 0);
	assert_digit_changes_rejected("CH", true, "CHE109322551", 0);
}
END_TEST

/* ---- other countries ----------------------------------------------------- */

START_TEST(test_other_countries_unchecked)
{
	ID_OK("DE", false, "anything");
	ID_OK("DE", true, "HRB 12345");
	ID_OK("FI", false, "131052-308T");
	ID_OK("GB", true, "");
	ID_OK("US", false, "811218-9875");
	/* Countries are matched exactly, as rules_country_ok requires. */
	ID_OK("se", false, "811218-9875");
	ID_OK("", false, "x");
}
END_TEST

/* ---- postal codes ------------------------------------------------------ */

START_TEST(test_postal_code_nordic_ch)
{
	ck_assert(rules_postal_code_ok("CH", "8001") == true);
	ck_assert(rules_postal_code_ok("NO", "0150") == true);
	ck_assert(rules_postal_code_ok("DK", "2100") == true);
	ck_assert(rules_postal_code_ok("CH", "800") == false);
	ck_assert(rules_postal_code_ok("CH", "80011") == false);
	ck_assert(rules_postal_code_ok("CH", "80a1") == false);
	ck_assert(rules_postal_code_ok("CH", "CH-8001") == false);
	ck_assert(rules_postal_code_ok("NO", "01 50") == false);
	ck_assert(rules_postal_code_ok("DK", "DK-2100") == false);
	ck_assert(rules_postal_code_ok("DK", "") == false);

	ck_assert(rules_postal_code_ok("SE", "11455") == true);
	ck_assert(rules_postal_code_ok("SE", "114 55") == true);
	ck_assert(rules_postal_code_ok("SE", "1145") == false);
	ck_assert(rules_postal_code_ok("SE", "114555") == false);
	ck_assert(rules_postal_code_ok("SE", "11 455") == false);
	ck_assert(rules_postal_code_ok("SE", "114  55") == false);
	ck_assert(rules_postal_code_ok("SE", "114-55") == false);
	ck_assert(rules_postal_code_ok("SE", "SE-114 55") == false);
	ck_assert(rules_postal_code_ok("SE", "114 5A") == false);
	ck_assert(rules_postal_code_ok("SE", "") == false);
}
END_TEST

START_TEST(test_postal_code_other)
{
	ck_assert(rules_postal_code_ok("GB", "SW1A 1AA") == true);
	ck_assert(rules_postal_code_ok("PL", "00-950") == true);
	ck_assert(rules_postal_code_ok("NL", "1012 AB") == true);
	ck_assert(rules_postal_code_ok("DE", "10115") == true);
	ck_assert(rules_postal_code_ok("US", "12345-6789") == true);
	ck_assert(rules_postal_code_ok("IE", "D02 X285") == true);
	ck_assert(rules_postal_code_ok("DE", "1") == true);
	ck_assert(rules_postal_code_ok("DE", "a") == true);
	ck_assert(rules_postal_code_ok("DE", "1234567890123456") == true); /* 16 */
	ck_assert(rules_postal_code_ok("DE", "12345678901234567") == false);
	ck_assert(rules_postal_code_ok("DE", "") == false);
	ck_assert(rules_postal_code_ok("DE", "-") == false);
	ck_assert(rules_postal_code_ok("DE", "- -") == false);
	ck_assert(rules_postal_code_ok("DE", "12_45") == false);
	ck_assert(rules_postal_code_ok("DE", "12.45") == false);
	ck_assert(rules_postal_code_ok("DE", "12\t45") == false);
	ck_assert(rules_postal_code_ok("DE", "Ö123") == false);
	/* The country is matched exactly. */
	ck_assert(rules_postal_code_ok("se", "1234567") == true);
}
END_TEST

/* ---- email, phone -------------------------------------------------------- */

START_TEST(test_email)
{
	ck_assert(rules_email_ok("anna@example.se") == true);
	ck_assert(rules_email_ok("a@b.c") == true);
	ck_assert(rules_email_ok("first.last+tag@mail.example.co.uk") == true);
	ck_assert(rules_email_ok("björn@exempel.se") == true);
	ck_assert(rules_email_ok("") == false);
	ck_assert(rules_email_ok("anna.example.se") == false); /* no '@' */
	ck_assert(rules_email_ok("@example.se") == false);     /* empty local part */
	ck_assert(rules_email_ok("anna@") == false);
	ck_assert(rules_email_ok("anna@@example.se") == false);
	ck_assert(rules_email_ok("an@na@example.se") == false);
	ck_assert(rules_email_ok("anna@localhost") == false); /* no dot */
	ck_assert(rules_email_ok("anna@.example") == false);  /* dot first */
	ck_assert(rules_email_ok("anna@example.") == false);  /* dot last */
	ck_assert(rules_email_ok("anna@example..se") == false);
	ck_assert(rules_email_ok("anna@.") == false);
	ck_assert(rules_email_ok("an na@example.se") == false);
	ck_assert(rules_email_ok("anna@exam ple.se") == false);
	ck_assert(rules_email_ok("anna@example.se\t") == false);
	ck_assert(rules_email_ok("anna\n@example.se") == false);
	ck_assert(rules_email_ok("anna@example.se\x7f") == false);
	/* Dots in the local part are not the domain's business. */
	ck_assert(rules_email_ok(".anna@example.se") == true);
}
END_TEST

START_TEST(test_phone)
{
	ck_assert(rules_phone_ok("+46701234567") == true);
	ck_assert(rules_phone_ok("+46 70 123 45 67") == true);
	ck_assert(rules_phone_ok("0701234567") == true);
	ck_assert(rules_phone_ok("123456") == true);            /* 6 digits */
	ck_assert(rules_phone_ok("+1234567890123456") == true); /* 16 digits */
	ck_assert(rules_phone_ok("1 2 3 4 5 6") == true);
	ck_assert(rules_phone_ok("+ 41 44 123 45 67") == true);
	ck_assert(rules_phone_ok("12345") == false);
	ck_assert(rules_phone_ok("+12345") == false);
	ck_assert(rules_phone_ok("12345678901234567") == false); /* 17 digits */
	ck_assert(rules_phone_ok("") == false);
	ck_assert(rules_phone_ok("+") == false);
	ck_assert(rules_phone_ok("      ") == false);
	ck_assert(rules_phone_ok("++46701234567") == false);
	ck_assert(rules_phone_ok("46+701234567") == false);
	ck_assert(rules_phone_ok("070-123 45 67") == false);
	ck_assert(rules_phone_ok("(070) 1234567") == false);
	ck_assert(rules_phone_ok("070123456a") == false);
	ck_assert(rules_phone_ok("070\t1234567") == false);
}
END_TEST

/* ---- IBAN ---------------------------------------------------------------- */

/* The examples of the SWIFT IBAN registry. Each satisfies mod 97 == 1
 * (rearranged: BBAN, country letters as 10-35, check digits). */
static const char *const registry_ibans[] = {
	"CH9300762011623852957",	    "SE4550000000058398257466",
	"NO9386011117947",		    "DK5000400440116243",
	"DE89370400440532013000",	    "GB82WEST12345698765432",
	"FR1420041010050500013M02606",	    "NL91ABNA0417164300",
	"BE68539007547034",		    "FI2112345600000785",
	"AT611904300234573201",		    "IT60X0542811101000000123456",
	"ES9121000418450200051332",	    "MT84MALT011000012345MTLCAST001S",
	"LC55HEMM000100010012001200023015", "XK051212012345678906",
};

START_TEST(test_iban_valid)
{
	for (size_t i = 0; i < sizeof(registry_ibans) / sizeof(registry_ibans[0]); i++)
		IBAN_OK(registry_ibans[i]);
	/* Paper form: groups of four, one space. */
	IBAN_OK("CH93 0076 2011 6238 5295 7");
	IBAN_OK("SE45 5000 0000 0583 9825 7466");
	IBAN_OK("NO93 8601 1117 947");
	IBAN_OK("GB82 WEST 1234 5698 7654 32");
	IBAN_OK("DE89 3704 0044 0532 0130 00");
}
END_TEST

START_TEST(test_iban_one_digit_changed)
{
	IBAN_BAD("CH9300762011623852958");
	IBAN_BAD("SE4550000000058398257467");
	IBAN_BAD("NO9386011117948");
	IBAN_BAD("DK5000400440116244");
	IBAN_BAD("DE89370400440532013001");
	IBAN_BAD("GB82WEST12345698765433");
	IBAN_BAD("CH9400762011623852957"); /* check digits */
	IBAN_BAD("DE88370400440532013000");
	IBAN_BAD("GB82WEST12345698765423"); /* swap */
	IBAN_BAD("GB82WEST12345698756432");
	IBAN_BAD("GB82WEBT12345698765432"); /* letter */
	for (size_t i = 0; i < sizeof(registry_ibans) / sizeof(registry_ibans[0]); i++)
		assert_iban_digit_changes_rejected(registry_ibans[i]);
}
END_TEST

/* Numbers below were made for these tests: the check digits are
 * 98 - (BBAN + country + "00") mod 97, so mod 97 holds and only the rule
 * named in the comment is broken. */
START_TEST(test_iban_format)
{
	IBAN_BAD("");
	IBAN_BAD("CH");
	IBAN_BAD("ch9300762011623852957"); /* lower case */
	IBAN_BAD("CH93 0076 2011 6238 5295 7 ");
	IBAN_BAD(" CH93 0076 2011 6238 5295 7");
	IBAN_BAD("CH93  0076 2011 6238 5295 7");  /* double space */
	IBAN_BAD("CH9300 762011623852957");       /* not groups of four */
	IBAN_BAD("CH93 0076 2011 6238 52957");    /* last group too long */
	IBAN_BAD("CH93 007 62011 6238 5295 7");   /* group too short */
	IBAN_BAD("CH93-0076-2011-6238-5295-7");
	IBAN_BAD("CH9300762011623852957\n");
	IBAN_BAD("IBAN CH93 0076 2011 6238 5295 7");
	IBAN_BAD("9300762011623852957CH");
	IBAN_BAD("C19300762011623852957");   /* country not two letters */
	IBAN_BAD("CHA300762011623852957");   /* check digits not digits */
	IBAN_BAD("CH93007620116238529_7");
	IBAN_BAD("CH93 0076 2011 6238 5295 É");
	/* Length: the registry's for its countries (mod 97 holds for both). */
	IBAN_BAD("NO10860111179471");     /* 16, NO is 15 */
	IBAN_BAD("CH800076201162385295"); /* 20, CH is 21 */
	/* Check digits 02-98 only. DE02... is valid; DE99 with the same BBAN
	 * still gives mod 97 == 1 (99 = 2 + 97) but is never issued. */
	IBAN_OK("DE02370400440532010007");
	IBAN_OK("DE98370400440532010025");
	IBAN_BAD("DE99370400440532010007");
}
END_TEST

START_TEST(test_iban_unregistered_country)
{
	/* US has no IBAN registry entry: an ISO 3166-1 code and 15-34
	 * characters are enough. */
	IBAN_OK("US281234567890123456");
	IBAN_OK("US24123456789AB");                    /* 15 */
	IBAN_OK("US86123456789012345678901234567890"); /* 34 */
	IBAN_BAD("US781234567890");                     /* 14 */
	IBAN_BAD("US331234567890123456789012345678901"); /* 35 */
	IBAN_BAD("US291234567890123456");               /* mod 97 */
	IBAN_BAD("ZZ591234567890123456");               /* not ISO 3166-1 */
}
END_TEST

/* ---- country and currency codes ------------------------------------------ */

START_TEST(test_country)
{
	char code[3] = { 0 };
	int count = 0;
	static const char *const good[] = { "SE", "NO", "DK", "CH", "DE", "GB", "AD", "ZW",
					    "AX", "SS", "BQ", "CW", "SX", "EH", "AQ", "UM" };
	static const char *const bad[] = { "XK", "UK", "EU", "EL", "AN", "YU", "CS", "ZZ",
					   "AA", "se", "Se", "S",  "",	 "SWE", "S1", "S " };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(rules_country_ok(good[i]) == true, "'%s' refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(rules_country_ok(bad[i]) == false, "'%s' accepted", bad[i]);
	for (code[0] = 'A'; code[0] <= 'Z'; code[0]++)
		for (code[1] = 'A'; code[1] <= 'Z'; code[1]++)
			count += rules_country_ok(code);
	ck_assert_int_eq(count, 249);
}
END_TEST

START_TEST(test_currency)
{
	char code[4] = { 0 };
	int count = 0;
	static const char *const good[] = { "EUR", "CHF", "SEK", "NOK", "DKK", "GBP", "USD",
					    "JPY", "ISK", "XCG", "ZWG", "XAD", "SLE", "VED",
					    "CHE", "CHW", "XAU", "XXX", "AED", "ZMW" };
	static const char *const bad[] = { "HRK", "BGN", "ANG", "ZWL", "CUC", "SLL", "DEM",
					   "VEF", "LTL", "eur", "Eur", "EU",  "EURO", "",
					   "E1R", "XBT", "BTC", "RMB", "NTD" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(rules_currency_ok(good[i]) == true, "'%s' refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(rules_currency_ok(bad[i]) == false, "'%s' accepted", bad[i]);
	for (code[0] = 'A'; code[0] <= 'Z'; code[0]++)
		for (code[1] = 'A'; code[1] <= 'Z'; code[1]++)
			for (code[2] = 'A'; code[2] <= 'Z'; code[2]++)
				count += rules_currency_ok(code);
	ck_assert_int_eq(count, 178);
}
END_TEST

/* ---- UTF-8 --------------------------------------------------------------- */

#define UTF8_OK(lit) ck_assert(rules_utf8_ok(lit, sizeof(lit) - 1) == true)
#define UTF8_BAD(lit) ck_assert(rules_utf8_ok(lit, sizeof(lit) - 1) == false)

START_TEST(test_utf8_valid)
{
	ck_assert(rules_utf8_ok(NULL, 0) == true);
	UTF8_OK("");
	UTF8_OK("plain ASCII ~");
	UTF8_OK("a\0b"); /* U+0000 is well-formed; controls are checked apart */
	UTF8_OK("\xc2\x80");		 /* U+0080, smallest two-byte */
	UTF8_OK("\xc3\x85sa");		 /* Åsa */
	UTF8_OK("\xdf\xbf");		 /* U+07FF */
	UTF8_OK("\xe0\xa0\x80");	 /* U+0800, smallest three-byte */
	UTF8_OK("\xe2\x82\xac");	 /* € */
	UTF8_OK("\xed\x9f\xbf");	 /* U+D7FF, before the surrogates */
	UTF8_OK("\xee\x80\x80");	 /* U+E000, after them */
	UTF8_OK("\xef\xbf\xbf");	 /* U+FFFF */
	UTF8_OK("\xef\xbb\xbf");	 /* BOM */
	UTF8_OK("\xf0\x90\x80\x80");	 /* U+10000, smallest four-byte */
	UTF8_OK("\xf0\x9f\x98\x80");	 /* 😀 */
	UTF8_OK("\xf4\x8f\xbf\xbf");	 /* U+10FFFF, the largest */
	UTF8_OK("M\xc3\xbcller, Z\xc3\xbcrich \xe2\x82\xac 5");
}
END_TEST

START_TEST(test_utf8_invalid)
{
	UTF8_BAD("\x80");		/* lone continuation */
	UTF8_BAD("a\xbf");
	UTF8_BAD("\xc0\x80");		/* overlong NUL */
	UTF8_BAD("\xc0\xaf");		/* overlong '/' */
	UTF8_BAD("\xc1\xbf");		/* overlong U+007F */
	UTF8_BAD("\xe0\x80\x80");	/* overlong */
	UTF8_BAD("\xe0\x9f\xbf");	/* overlong U+07FF */
	UTF8_BAD("\xf0\x80\x80\x80");	/* overlong */
	UTF8_BAD("\xf0\x8f\xbf\xbf");	/* overlong U+FFFF */
	UTF8_BAD("\xed\xa0\x80");	/* U+D800 */
	UTF8_BAD("\xed\xbf\xbf");	/* U+DFFF */
	UTF8_BAD("\xed\xa0\xbd\xed\xb8\x80"); /* CESU-8 surrogate pair */
	UTF8_BAD("\xf4\x90\x80\x80");	/* U+110000 */
	UTF8_BAD("\xf5\x80\x80\x80");
	UTF8_BAD("\xf7\xbf\xbf\xbf");
	UTF8_BAD("\xf8\x88\x80\x80\x80"); /* five-byte form */
	UTF8_BAD("\xfc\x84\x80\x80\x80\x80");
	UTF8_BAD("\xfe");
	UTF8_BAD("\xff");
	UTF8_BAD("\xc3");		/* truncated at the end */
	UTF8_BAD("abc\xe2\x82");
	UTF8_BAD("\xf0\x9f\x98");
	UTF8_BAD("\xc3" "a");		/* bad continuation */
	UTF8_BAD("\xe2\x82" "a");
	UTF8_BAD("\xe2" "a" "\xac");
	UTF8_BAD("\xf0\x9f\x98" "a");
	UTF8_BAD("\xf0\x9f" "a" "\x80");
	UTF8_BAD("\xc3\xc3\x85");
	/* The length is honoured: a sequence cut by len is truncated even
	 * when more bytes follow in memory. */
	ck_assert(rules_utf8_ok("\xe2\x82\xac", 2) == false);
	ck_assert(rules_utf8_ok("\xe2\x82\xac", 1) == false);
	ck_assert(rules_utf8_ok("a\xe2\x82\xac", 1) == true);
	ck_assert(rules_utf8_ok("\xf0\x9f\x98\x80", 3) == false);
}
END_TEST

START_TEST(test_utf8_chars)
{
	ck_assert_uint_eq(rules_utf8_chars(NULL, 0), 0);
	ck_assert_uint_eq(rules_utf8_chars("", 0), 0);
	ck_assert_uint_eq(rules_utf8_chars("abc", 3), 3);
	ck_assert_uint_eq(rules_utf8_chars("a\0b", 3), 3);
	ck_assert_uint_eq(rules_utf8_chars("\xc3\x85\xc3\xa4\xc3\xb6", 6), 3); /* Åäö */
	ck_assert_uint_eq(rules_utf8_chars("\xe2\x82\xac", 3), 1);
	ck_assert_uint_eq(rules_utf8_chars("\xf0\x9f\x98\x80" "a", 5), 2);
	ck_assert_uint_eq(rules_utf8_chars("\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf", 8), 2);
	ck_assert_uint_eq(rules_utf8_chars("abc", 2), 2);
	/* 64 times "Ö" is 128 bytes but 64 characters. */
	{
		char buf[128];

		for (size_t i = 0; i < sizeof(buf); i += 2) {
			buf[i] = '\xc3';
			buf[i + 1] = '\x96';
		}
		ck_assert(rules_utf8_ok(buf, sizeof(buf)) == true);
		ck_assert_uint_eq(rules_utf8_chars(buf, sizeof(buf)), 64);
	}
}
END_TEST

START_TEST(test_has_control)
{
	unsigned char c;

	ck_assert(rules_has_control(NULL, 0) == false);
	ck_assert(rules_has_control("", 0) == false);
	ck_assert(rules_has_control("Invoice 2026/17 ~", 17) == false);
	ck_assert(rules_has_control("a\tb", 3) == true);
	ck_assert(rules_has_control("a\nb", 3) == true);
	ck_assert(rules_has_control("a\rb", 3) == true);
	ck_assert(rules_has_control("a\0b", 3) == true);
	ck_assert(rules_has_control("\x1f", 1) == true);
	ck_assert(rules_has_control("\x1b[0m", 4) == true);
	ck_assert(rules_has_control("del\x7f", 4) == true);
	ck_assert(rules_has_control("\xc3\xa9", 2) == false);  /* é */
	/* SPEC 2 v2: C1 controls too (NEL, CSI, U+0080, U+009F), not U+00A0 */
	ck_assert(rules_has_control("\xc2\x85", 2) == true);
	ck_assert(rules_has_control("ref\xc2\x9b" "31m", 8) == true);
	ck_assert(rules_has_control("\xc2\x80", 2) == true);
	ck_assert(rules_has_control("\xc2\x9f", 2) == true);
	ck_assert(rules_has_control("\xc2\xa0", 2) == false);
	ck_assert(rules_has_control("\xc2", 1) == false); /* cut short: BAD_ENCODING's, not ours */
	ck_assert(rules_has_control("\xe2\x80\xa8", 3) == false);
	ck_assert(rules_has_control("ab\n", 2) == false); /* beyond len */
	for (unsigned v = 0; v < 256; v++) {
		c = (unsigned char)v;
		ck_assert_msg(rules_has_control((const char *)&c, 1) == (v < 0x20 || v == 0x7f),
			      "byte %u", v);
	}
}
END_TEST

Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc_id = tcase_create("national_id");
	TCase *tc_fields = tcase_create("fields");
	TCase *tc_iban = tcase_create("iban");
	TCase *tc_codes = tcase_create("codes");
	TCase *tc_utf8 = tcase_create("utf8");

	tcase_add_test(tc_id, test_se_personnummer_valid);
	tcase_add_test(tc_id, test_se_personnummer_invalid);
	tcase_add_test(tc_id, test_se_organisationsnummer);
	tcase_add_test(tc_id, test_se_every_digit_change);
	tcase_add_test(tc_id, test_no_fodselsnummer_valid);
	tcase_add_test(tc_id, test_no_fodselsnummer_invalid);
	tcase_add_test(tc_id, test_no_organisasjonsnummer);
	tcase_add_test(tc_id, test_no_every_digit_change);
	tcase_add_test(tc_id, test_dk_cpr);
	tcase_add_test(tc_id, test_dk_cvr);
	tcase_add_test(tc_id, test_dk_every_digit_change);
	tcase_add_test(tc_id, test_ch_ahv);
	tcase_add_test(tc_id, test_ch_uid);
	tcase_add_test(tc_id, test_ch_every_digit_change);
	tcase_add_test(tc_id, test_other_countries_unchecked);
	suite_add_tcase(s, tc_id);

	tcase_add_test(tc_fields, test_postal_code_nordic_ch);
	tcase_add_test(tc_fields, test_postal_code_other);
	tcase_add_test(tc_fields, test_email);
	tcase_add_test(tc_fields, test_phone);
	suite_add_tcase(s, tc_fields);

	tcase_add_test(tc_iban, test_iban_valid);
	tcase_add_test(tc_iban, test_iban_one_digit_changed);
	tcase_add_test(tc_iban, test_iban_format);
	tcase_add_test(tc_iban, test_iban_unregistered_country);
	suite_add_tcase(s, tc_iban);

	tcase_add_test(tc_codes, test_country);
	tcase_add_test(tc_codes, test_currency);
	suite_add_tcase(s, tc_codes);

	tcase_add_test(tc_utf8, test_utf8_valid);
	tcase_add_test(tc_utf8, test_utf8_invalid);
	tcase_add_test(tc_utf8, test_utf8_chars);
	tcase_add_test(tc_utf8, test_has_control);
	suite_add_tcase(s, tc_utf8);

	return s;
}
