/* Unit tests for common/money.c.
 *
 * Every expected value is worked out by hand in a comment (the large
 * muldiv_round cases were also checked with exact rational arithmetic in
 * Python's fractions module). SPEC 2: digits, optionally '.' (or ',' in a
 * ';'-delimited CSV) and one or two fraction digits; no sign, no spaces, no
 * exponent, no thousands separator.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "money.h"

Suite *money_suite(void);

/* A sentinel that no test input parses to: shows *out is left alone. */
#define UNTOUCHED INT64_C(-777)

static int parse(const char *s, bool allow_comma, int64_t *out)
{
	*out = UNTOUCHED;
	return money_parse(out, s, strlen(s), allow_comma);
}

#define PARSE_OK(s, comma, want)                                                           \
	do {                                                                               \
		int64_t got_;                                                              \
		ck_assert_msg(parse((s), (comma), &got_) == 0, "'%s' (comma %d) not accepted", \
			      (s), (int)(comma));                                          \
		ck_assert_msg(got_ == (want), "'%s' parsed to %lld, want %lld", (s),       \
			      (long long)got_, (long long)(want));                         \
	} while (0)

#define PARSE_BAD(s, comma)                                                                \
	do {                                                                               \
		int64_t got_;                                                              \
		ck_assert_msg(parse((s), (comma), &got_) == -1, "'%s' (comma %d) accepted as %lld", \
			      (s), (int)(comma), (long long)got_);                         \
		ck_assert_msg(got_ == UNTOUCHED, "'%s': *out written on failure", (s));    \
	} while (0)

START_TEST(test_parse_valid)
{
	PARSE_OK("0", false, 0);
	PARSE_OK("0.00", false, 0);
	PARSE_OK("0.0", false, 0);
	PARSE_OK("0.5", false, 50);       /* one fraction digit is tenths */
	PARSE_OK("0.05", false, 5);
	PARSE_OK("0.50", false, 50);
	PARSE_OK("1", false, 100);
	PARSE_OK("1234", false, 123400);
	PARSE_OK("1234.5", false, 123450);
	PARSE_OK("1234.50", false, 123450);
	PARSE_OK("1234.05", false, 123405);
	PARSE_OK("1234.99", false, 123499);
	PARSE_OK("007.10", false, 710);   /* leading zeros are still digits */
	PARSE_OK("10000000.00", false, 1000000000);
}
END_TEST

START_TEST(test_parse_rejects)
{
	PARSE_BAD("", false);
	PARSE_BAD("12.345", false);   /* three fraction digits */
	PARSE_BAD("0.001", false);
	PARSE_BAD("-5", false);
	PARSE_BAD("+5", false);
	PARSE_BAD("-0", false);
	PARSE_BAD("1,200.00", false); /* thousands separator */
	PARSE_BAD("1'200.00", false);
	PARSE_BAD("1 200", false);
	PARSE_BAD("1e3", false);
	PARSE_BAD("1E3", false);
	PARSE_BAD("1.5e2", false);
	PARSE_BAD(" 10", false);
	PARSE_BAD("10 ", false);
	PARSE_BAD("\t10", false);
	PARSE_BAD("10\n", false);
	PARSE_BAD("12.", false);
	PARSE_BAD(".5", false);
	PARSE_BAD(".", false);
	PARSE_BAD("1.2.3", false);
	PARSE_BAD("1..2", false);
	PARSE_BAD("NaN", false);
	PARSE_BAD("nan", false);
	PARSE_BAD("inf", false);
	PARSE_BAD("Infinity", false);
	PARSE_BAD("0x10", false);
	PARSE_BAD("12a", false);
	PARSE_BAD("CHF 12", false);
	PARSE_BAD("\xef\xbc\x91", false); /* U+FF11 FULLWIDTH DIGIT ONE */
	PARSE_BAD("1234,50", false);      /* decimal comma only when allowed */
	PARSE_BAD("12,5", false);
}
END_TEST

START_TEST(test_parse_decimal_comma)
{
	PARSE_OK("1234,50", true, 123450);
	PARSE_OK("1234,5", true, 123450);
	PARSE_OK("0,05", true, 5);
	PARSE_OK("12", true, 1200);
	PARSE_OK("1234.50", true, 123450); /* the point stays accepted */
	PARSE_BAD("1,200.00", true);       /* still no thousands separator */
	PARSE_BAD("1.200,00", true);
	PARSE_BAD("1,2,3", true);
	PARSE_BAD("12,", true);
	PARSE_BAD(",5", true);
	PARSE_BAD("12,345", true);
	PARSE_BAD("-1,50", true);
}
END_TEST

START_TEST(test_parse_limits)
{
	/* MONEY_MAX is 10^15 minor units: 10^13 major units, 14 digits. */
	ck_assert(MONEY_MAX == INT64_C(1000000000000000));
	PARSE_OK("10000000000000.00", false, MONEY_MAX);
	PARSE_OK("10000000000000", false, MONEY_MAX);
	PARSE_OK("9999999999999.99", false, MONEY_MAX - 1);
	PARSE_BAD("10000000000000.01", false); /* MONEY_MAX + 1 */
	PARSE_BAD("10000000000001", false);
	PARSE_BAD("99999999999999.99", false);
	PARSE_BAD("100000000000000", false);    /* 15 digits */
	PARSE_BAD("1000000000000000", false);   /* 16 digits */
	PARSE_BAD("12345678901234567", false);  /* 17 digits */
	PARSE_BAD("92233720368547758.07", false); /* INT64_MAX minor units */
	PARSE_BAD("99999999999999999999", false); /* would wrap int64 */
	PARSE_BAD("999999999999999999999999999999.99", false);
}
END_TEST

START_TEST(test_parse_length_not_nul)
{
	int64_t v = UNTOUCHED;

	/* Only len bytes are looked at: "12.34" of "12.345". */
	ck_assert_int_eq(money_parse(&v, "12.345", 5, false), 0);
	ck_assert_int_eq(v, 1234);
	ck_assert_int_eq(money_parse(&v, "99x", 2, false), 0);
	ck_assert_int_eq(v, 9900);
	/* An embedded NUL is a byte like any other: not a digit. */
	v = UNTOUCHED;
	ck_assert_int_eq(money_parse(&v, "1\0", 2, false), -1);
	ck_assert_int_eq(v, UNTOUCHED);
	/* Zero length is empty. */
	ck_assert_int_eq(money_parse(&v, "5", 0, false), -1);
	ck_assert_int_eq(v, UNTOUCHED);
}
END_TEST

#define FMT_IS(v, want)                                                              \
	do {                                                                         \
		char buf_[MONEY_FMT_MAX];                                            \
		memset(buf_, 'x', sizeof(buf_));                                     \
		ck_assert_ptr_eq(money_format(buf_, sizeof(buf_), (v)), buf_);       \
		ck_assert_str_eq(buf_, (want));                                      \
	} while (0)

START_TEST(test_format)
{
	FMT_IS(0, "0.00");
	FMT_IS(5, "0.05");
	FMT_IS(-5, "-0.05");
	FMT_IS(50, "0.50");
	FMT_IS(-50, "-0.50");
	FMT_IS(100, "1.00");
	FMT_IS(-100, "-1.00");
	FMT_IS(-101, "-1.01");
	FMT_IS(123456, "1234.56");
	FMT_IS(-123456, "-1234.56");
	FMT_IS(1000000000, "10000000.00");
	FMT_IS(MONEY_MAX, "10000000000000.00");
	FMT_IS(-MONEY_MAX, "-10000000000000.00");
	/* int64 extremes: INT64_MIN has no positive twin. */
	FMT_IS(INT64_MAX, "92233720368547758.07");
	FMT_IS(INT64_MIN, "-92233720368547758.08");
}
END_TEST

START_TEST(test_format_parse_round_trip)
{
	static const int64_t values[] = { 0, 1, 9, 10, 99, 100, 101, 12345, 999999,
					  1000000000, MONEY_MAX - 1, MONEY_MAX };

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char buf[MONEY_FMT_MAX];
		int64_t back = UNTOUCHED;

		money_format(buf, sizeof(buf), values[i]);
		ck_assert_msg(money_parse(&back, buf, strlen(buf), false) == 0, "'%s' not parsed", buf);
		ck_assert_int_eq(back, values[i]);
	}
}
END_TEST

#define PCT_OK(s, want)                                                              \
	do {                                                                         \
		int64_t bp_ = UNTOUCHED;                                             \
		ck_assert_msg(pct_parse(&bp_, (s), strlen(s)) == 0, "'%s' not accepted", (s)); \
		ck_assert_int_eq(bp_, (want));                                       \
	} while (0)
#define PCT_BAD(s)                                                                   \
	do {                                                                         \
		int64_t bp_ = UNTOUCHED;                                             \
		ck_assert_msg(pct_parse(&bp_, (s), strlen(s)) == -1, "'%s' accepted", (s)); \
		ck_assert_int_eq(bp_, UNTOUCHED);                                    \
	} while (0)

START_TEST(test_pct_parse)
{
	PCT_OK("8.10", 810);
	PCT_OK("8.1", 810);
	PCT_OK("5.00", 500);
	PCT_OK("5", 500);
	PCT_OK("10.25", 1025);
	PCT_OK("0", 0);
	PCT_OK("0.01", 1);
	PCT_OK("100", 10000);
	PCT_OK("100.00", 10000);
	PCT_BAD("100.01");
	PCT_BAD("101");
	PCT_BAD("8.100");
	PCT_BAD("-1");
	PCT_BAD("8,10");
	PCT_BAD("8.10%");
	PCT_BAD("");
	PCT_BAD("abc");
}
END_TEST

#define MDR(a, b, c, want)                                                           \
	ck_assert_msg(muldiv_round((a), (b), (c)) == (want),                         \
		      "muldiv_round(%lld, %lld, %lld) = %lld, want %lld", (long long)(a), \
		      (long long)(b), (long long)(c), (long long)muldiv_round((a), (b), (c)), \
		      (long long)(want))

START_TEST(test_muldiv_small)
{
	MDR(0, 7, 3, 0);
	MDR(10, 3, 5, 6);     /* exact */
	MDR(14, 1, 10, 1);    /* 1.4 */
	MDR(16, 1, 10, 2);    /* 1.6 */
	MDR(-14, 1, 10, -1);
	MDR(-16, 1, 10, -2);
	MDR(1, 1, 3, 0);      /* 0.333 */
	MDR(2, 1, 3, 1);      /* 0.667 */
	MDR(-2, 1, 3, -1);
	MDR(2, -1, 3, -1);    /* the sign may come from b */
	MDR(-2, -1, 3, 1);
}
END_TEST

START_TEST(test_muldiv_exact_halves)
{
	/* Half away from zero, not half to even and not half up toward +inf. */
	MDR(5, 1, 10, 1);     /* 0.5 -> 1 */
	MDR(-5, 1, 10, -1);   /* -0.5 -> -1 */
	MDR(15, 1, 10, 2);    /* 1.5 -> 2 */
	MDR(-15, 1, 10, -2);
	MDR(25, 1, 10, 3);    /* 2.5 -> 3 (half to even would give 2) */
	MDR(-25, 1, 10, -3);
	MDR(5, -1, 10, -1);
	MDR(1, 1, 2, 1);
	MDR(-1, 1, 2, -1);
	MDR(3, 1, 2, 2);
	MDR(-3, 1, 2, -2);
	MDR(49, 1, 100, 0);   /* just under a half */
	MDR(-49, 1, 100, 0);
	MDR(51, 1, 100, 1);
}
END_TEST

START_TEST(test_muldiv_large)
{
	/* Products beyond int64: 10^15 * 12345 = 1.2345e19 > INT64_MAX. */
	MDR(MONEY_MAX, 12345, 10000, INT64_C(1234500000000000));
	/* (10^15 + 1) * 12345 / 10^4 = 1234500000000001.2345 */
	MDR(MONEY_MAX + 1, 12345, 10000, INT64_C(1234500000000001));
	/* (2*10^15 + 1) * 5000 / 10^4 = 10^15 + 0.5: an exact half. */
	MDR(2 * MONEY_MAX + 1, 5000, 10000, INT64_C(1000000000000001));
	MDR(-(2 * MONEY_MAX + 1), 5000, 10000, -INT64_C(1000000000000001));
	MDR(MONEY_MAX, 10000, 10000, MONEY_MAX);
	MDR(INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX);
	MDR(INT64_MAX, INT64_MAX - 1, INT64_MAX, INT64_MAX - 1);
	MDR(INT64_MAX, 2, 2, INT64_MAX);
	/* (2^63 - 1) * 3 / 6 = 2^62 - 0.5 -> 2^62 */
	MDR(INT64_MAX, 3, 6, INT64_C(4611686018427387904));
	MDR(-INT64_MAX, 3, 6, -INT64_C(4611686018427387904));
	MDR(INT64_MIN, 1, 1, INT64_MIN);
	MDR(INT64_MIN, -1, 2, INT64_C(4611686018427387904)); /* 2^63 / 2 */
}
END_TEST

START_TEST(test_money_pct)
{
	ck_assert_int_eq(money_pct(1000, 810), 81);        /* 10.00 * 8.1 % = 0.81 */
	ck_assert_int_eq(money_pct(1234, 810), 100);       /* 99.954 -> 100 */
	ck_assert_int_eq(money_pct(123456, 810), 10000);   /* 9999.936 -> 10000 */
	ck_assert_int_eq(money_pct(5, 1000), 1);           /* 0.5 -> 1 */
	ck_assert_int_eq(money_pct(-5, 1000), -1);         /* -0.5 -> -1 */
	ck_assert_int_eq(money_pct(1, 5000), 1);           /* 0.5 -> 1 */
	ck_assert_int_eq(money_pct(1, 4999), 0);           /* 0.4999 -> 0 */
	ck_assert_int_eq(money_pct(-1, 4999), 0);
	ck_assert_int_eq(money_pct(10000, 10000), 10000);  /* 100 % */
	ck_assert_int_eq(money_pct(987654, 0), 0);
	ck_assert_int_eq(money_pct(200000, 2500), 50000);  /* 25 % of 2000.00 */
	ck_assert_int_eq(money_pct(MONEY_MAX, 10000), MONEY_MAX);
	ck_assert_int_eq(money_pct(-MONEY_MAX, 2500), -MONEY_MAX / 4);
}
END_TEST

Suite *money_suite(void)
{
	Suite *s = suite_create("money");
	TCase *tc_parse = tcase_create("parse");
	TCase *tc_format = tcase_create("format");
	TCase *tc_arith = tcase_create("arithmetic");

	tcase_add_test(tc_parse, test_parse_valid);
	tcase_add_test(tc_parse, test_parse_rejects);
	tcase_add_test(tc_parse, test_parse_decimal_comma);
	tcase_add_test(tc_parse, test_parse_limits);
	tcase_add_test(tc_parse, test_parse_length_not_nul);
	suite_add_tcase(s, tc_parse);

	tcase_add_test(tc_format, test_format);
	tcase_add_test(tc_format, test_format_parse_round_trip);
	tcase_add_test(tc_format, test_pct_parse);
	suite_add_tcase(s, tc_format);

	tcase_add_test(tc_arith, test_muldiv_small);
	tcase_add_test(tc_arith, test_muldiv_exact_halves);
	tcase_add_test(tc_arith, test_muldiv_large);
	tcase_add_test(tc_arith, test_money_pct);
	suite_add_tcase(s, tc_arith);

	return s;
}
