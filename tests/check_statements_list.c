/* check_statements_list.c: the text layout of `settlement statements`
 * (settlement/statements_list.c): columns as wide as their widest value,
 * amounts right-aligned with two decimals, "-" for none, the widest values
 * there can be within 120 columns, a value too long for its column cut. */
#include <check.h>
#include <string.h>

#include "statements_list.h"

Suite *statements_list_suite(void); /* for the runner */

static const struct statements_row rows[] = {
	{ "2026-11-C1-CHF", "C1", "CHF", 40157, "2026-11-CHF-1", "2026-12-08" },
	{ "2026-11-C1-EUR", "C1", "EUR", 0, NULL, NULL },
	{ "2026-11-SOMEONE-SEK", "SOMEONE", "SEK", -123456789, NULL, NULL },
	{ "2026-11-S1-SEK", "S1", "SEK", 500, "2026-11-SEK-12", NULL },
};

START_TEST(test_lines)
{
	size_t width[SL__COUNT];
	char line[STATEMENTS_LINE_SIZE];
	const char *const want[] = {
		"statement            creditor  cur   net payout  payout          paid",
		"2026-11-C1-CHF       C1        CHF       401.57  2026-11-CHF-1   2026-12-08",
		"2026-11-C1-EUR       C1        EUR         0.00  -               -",
		"2026-11-SOMEONE-SEK  SOMEONE   SEK  -1234567.89  -               -",
		"2026-11-S1-SEK       S1        SEK         5.00  2026-11-SEK-12  -",
	};

	statements_widths(width, rows, 4);
	ck_assert_str_eq(statements_line(line, sizeof(line), width, NULL), want[0]);
	for (size_t i = 0; i < 4; i++)
		ck_assert_str_eq(statements_line(line, sizeof(line), width, &rows[i]), want[i + 1]);
}
END_TEST

START_TEST(test_header_only)
{
	size_t width[SL__COUNT];
	char line[STATEMENTS_LINE_SIZE];

	statements_widths(width, NULL, 0);
	ck_assert_str_eq(statements_line(line, sizeof(line), width, NULL),
			 "statement  creditor  cur  net payout  payout  paid");
}
END_TEST

/* The widest values there are: 28 + 16 + 3 + 18 + 35 + 10 and separators
 * (the largest amount the engine has is MONEY_MAX minor units). */
START_TEST(test_widest)
{
	const struct statements_row wide[] = {
		{ "2026-11-ABCDEFGHIJKLMNOP-CHF", "ABCDEFGHIJKLMNOP", "CHF", -INT64_C(1000000000000000),
		  "2026-11-CHF-12345678901234567890123", "2026-12-08" },
		{ "2026-11-ABCDEFGHIJKLMNOP-CHF-AND-MORE", "ABCDEFGHIJKLMNOPQRS", "CHF", 1,
		  "2026-11-CHF-1234567890123456789012345678", "2026-12-08" },
	};
	size_t width[SL__COUNT];
	char line[STATEMENTS_LINE_SIZE];

	statements_widths(width, wide, 2);
	statements_line(line, sizeof(line), width, &wide[0]);
	ck_assert_uint_eq(strlen(line), 120);
	ck_assert_str_eq(line, "2026-11-ABCDEFGHIJKLMNOP-CHF  ABCDEFGHIJKLMNOP  CHF  "
			       "-10000000000000.00  2026-11-CHF-12345678901234567890123  2026-12-08");
	/* too long for the column: cut, the columns stay aligned */
	statements_line(line, sizeof(line), width, &wide[1]);
	ck_assert_uint_le(strlen(line), 120);
	ck_assert_str_eq(line, "2026-11-ABCDEFGHIJKLMNOP-CHF  ABCDEFGHIJKLMNOP  CHF  "
			       "              0.01  2026-11-CHF-12345678901234567890123  2026-12-08");
}
END_TEST

Suite *statements_list_suite(void)
{
	Suite *s = suite_create("statements_list");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, test_lines);
	tcase_add_test(tc, test_header_only);
	tcase_add_test(tc, test_widest);
	suite_add_tcase(s, tc);
	return s;
}
