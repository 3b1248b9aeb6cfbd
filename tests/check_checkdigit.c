/* Unit tests for common/checkdigit.c.
 *
 * Expected values are published examples, SPEC 12's vectors, or worked
 * by hand here (and checked once with a separate Python script):
 * - Luhn of 7992739871 is 3 (ISO/IEC 7812's usual example): from the
 *   right 1*2=2, 7, 8*2=16->7, 9, 3*2=6, 7, 2*2=4, 9, 9*2=18->9, 7 sum
 *   to 67, and 67 + 3 = 70. Luhn of 9: 9*2=18->9, so 1.
 * - recursive mod 10 of 123: the carry 0 -> table[1] = 9 ->
 *   table[(9+2)%10 = 1] = 9 -> table[(9+3)%10 = 2] = 4, check
 *   (10-4)%10 = 6. Of 9: table[9] = 5, check 5.
 * - mod 97: IBANs of the usual examples (GB82WEST12345698765432,
 *   DE89370400440532013000) and SPEC 3's give 1; with "00" as check
 *   digits GB gives 98 - 82 = 16 and ISO 11649's RF18... gives 98 - 18 =
 *   80; ABCD, four characters, moves onto itself: 10111213 = 97 * 104239
 *   + 30.
 */
#include <check.h>
#include <string.h>

#include "checkdigit.h"

Suite *checkdigit_suite(void);

#define LUHN(s) checkdigit_luhn((s), strlen(s))
#define MOD10R(s) checkdigit_mod10r((s), strlen(s))
#define MOD97(s) checkdigit_mod97((s), strlen(s))

START_TEST(test_luhn)
{
	ck_assert_int_eq(LUHN("7992739871"), 3);
	ck_assert_int_eq(LUHN("9"), 1);
	ck_assert_int_eq(LUHN("123"), 0);            /* 3*2=6 + 2 + 1*2=2 = 10 */
	ck_assert_int_eq(LUHN("1235"), 1);           /* SPEC 12: OCR 12351 */
	ck_assert_int_eq(LUHN("234567"), 6);         /* SPEC 12: KID 2345676 */
	ck_assert_int_eq(LUHN("02684014996532"), 8); /* SPEC 12: FIK ...328 */
	ck_assert_int_eq(LUHN("00000"), 0);
	ck_assert_int_eq(LUHN(""), 0);
	/* only digits, and only the n bytes given */
	ck_assert_int_eq(LUHN("12a"), -1);
	ck_assert_int_eq(LUHN("1 2"), -1);
	ck_assert_int_eq(LUHN("/"), -1);
	ck_assert_int_eq(LUHN(":"), -1);
	ck_assert_int_eq(checkdigit_luhn("1235x", 4), 1);
}
END_TEST

START_TEST(test_mod10r)
{
	ck_assert_int_eq(MOD10R("123"), 6);
	ck_assert_int_eq(MOD10R("9"), 5);
	ck_assert_int_eq(MOD10R("0"), 0);
	ck_assert_int_eq(MOD10R(""), 0);
	ck_assert_int_eq(MOD10R("21000000000313947143000901"), 7); /* SPEC 12's QRR */
	ck_assert_int_eq(MOD10R("00000000000000000000000001"), 1);
	ck_assert_int_eq(MOD10R("1x"), -1);
	ck_assert_int_eq(MOD10R("/"), -1);
	ck_assert_int_eq(checkdigit_mod10r("123z", 3), 6);
}
END_TEST

START_TEST(test_mod97)
{
	ck_assert_int_eq(MOD97("GB82WEST12345698765432"), 1);
	ck_assert_int_eq(MOD97("DE89370400440532013000"), 1);
	ck_assert_int_eq(MOD97("CH4431999123000889012"), 1); /* SPEC 3 */
	ck_assert_int_eq(MOD97("CH9300762011623852957"), 1); /* SPEC 3 */
	ck_assert_int_eq(MOD97("RF18539007547034"), 1);      /* ISO 11649, SPEC 12 */
	ck_assert_int_eq(MOD97("RF17539007547034"), 0);
	ck_assert_int_eq(MOD97("GB00WEST12345698765432"), 16);
	ck_assert_int_eq(MOD97("RF00539007547034"), 80);
	ck_assert_int_eq(MOD97("ABCD"), 30);
	ck_assert_int_eq(MOD97("0000"), 0);
	/* at least four characters, digits and upper-case letters only */
	ck_assert_int_eq(MOD97("RF1"), -1);
	ck_assert_int_eq(MOD97(""), -1);
	ck_assert_int_eq(MOD97("rf18539007547034"), -1);
	ck_assert_int_eq(MOD97("RF18 5390"), -1);
	ck_assert_int_eq(MOD97("RF18-5390"), -1);
	ck_assert_int_eq(MOD97("RF18\xc3\x9c"), -1);
	ck_assert_int_eq(checkdigit_mod97("RF18539007547034 trailing", 16), 1);
}
END_TEST

Suite *checkdigit_suite(void)
{
	Suite *s = suite_create("checkdigit");
	TCase *tc = tcase_create("checkdigit");

	tcase_add_test(tc, test_luhn);
	tcase_add_test(tc, test_mod10r);
	tcase_add_test(tc, test_mod97);
	suite_add_tcase(s, tc);
	return s;
}
