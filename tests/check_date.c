/* Unit tests for common/date.c.
 *
 * Day numbers are days since 1970-01-01, worked out by hand (and checked
 * with Python's datetime): 2000-01-01 is 30 years of 365 days plus the 7
 * leap days 1972..1996 = 10957; 2000-03-01 adds 31 + 29 = 11017;
 * 1900-01-01 is -(70 * 365 + 17 leap days 1904..1968) = -25567.
 * The round trip test walks the calendar with its own leap-year rule and
 * month table, not date.c's.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "date.h"

Suite *date_suite(void);

#define UNTOUCHED INT32_C(-4242)

static int parse(const char *s, int32_t *out)
{
	*out = UNTOUCHED;
	return date_parse(out, s, strlen(s));
}

#define DATE_OK(s, want)                                                             \
	do {                                                                         \
		int32_t d_;                                                          \
		ck_assert_msg(parse((s), &d_) == 0, "'%s' not accepted", (s));       \
		ck_assert_msg(d_ == (want), "'%s' is day %d, want %d", (s), (int)d_, (int)(want)); \
	} while (0)
#define DATE_BAD(s)                                                                  \
	do {                                                                         \
		int32_t d_;                                                          \
		ck_assert_msg(parse((s), &d_) == -1, "'%s' accepted as day %d", (s), (int)d_); \
		ck_assert_int_eq(d_, UNTOUCHED);                                     \
	} while (0)

START_TEST(test_known_days)
{
	DATE_OK("1970-01-01", 0);
	DATE_OK("1970-01-02", 1);
	DATE_OK("1969-12-31", -1);
	DATE_OK("2000-01-01", 10957);
	DATE_OK("2000-02-29", 11016);
	DATE_OK("2000-03-01", 11017);
	DATE_OK("1900-01-01", -25567);
	DATE_OK("2024-02-29", 19782);  /* 2024-01-01 = 54*365 + 13 leap days = 19723; + 31 + 28 */
	DATE_OK("2026-01-02", 20455);  /* 56*365 + 14 leap days + 1 */
	DATE_OK("2100-12-31", 47846);
	DATE_OK("1000-01-01", -354285); /* smallest accepted year */
	DATE_OK("9999-12-31", 2932896);
}
END_TEST

START_TEST(test_leap_days)
{
	DATE_OK("2024-02-29", 19782);
	DATE_OK("2000-02-29", 11016);  /* divisible by 400 */
	DATE_BAD("2026-02-29");
	DATE_BAD("1900-02-29");        /* divisible by 100, not by 400 */
	DATE_BAD("2100-02-29");
	DATE_BAD("2024-02-30");
	ck_assert(date_is_leap(2024));
	ck_assert(date_is_leap(2000));
	ck_assert(date_is_leap(2400));
	ck_assert(!date_is_leap(2026));
	ck_assert(!date_is_leap(1900));
	ck_assert(!date_is_leap(2100));
	ck_assert_int_eq(date_days_in_month(2024, 2), 29);
	ck_assert_int_eq(date_days_in_month(2026, 2), 28);
	ck_assert_int_eq(date_days_in_month(1900, 2), 28);
	ck_assert_int_eq(date_days_in_month(2026, 4), 30);
	ck_assert_int_eq(date_days_in_month(2026, 12), 31);
	ck_assert_int_eq(date_days_in_month(2026, 0), 0);
	ck_assert_int_eq(date_days_in_month(2026, 13), 0);
}
END_TEST

START_TEST(test_parse_rejects)
{
	DATE_BAD("2026-1-05");    /* month needs two digits */
	DATE_BAD("2026-01-5");
	DATE_BAD("2026-13-01");
	DATE_BAD("2026-00-10");
	DATE_BAD("2026-04-31");
	DATE_BAD("2026-01-32");
	DATE_BAD("2026-01-00");
	DATE_BAD("20260102");
	DATE_BAD("today");
	DATE_BAD("epoch");
	DATE_BAD("infinity");
	DATE_BAD(" 2026-01-02");
	DATE_BAD("2026-01-02 ");
	DATE_BAD("2026-01-02T00:00");
	DATE_BAD("2026/01/02");
	DATE_BAD("02.01.2026");
	DATE_BAD("01/02/2026");
	DATE_BAD("2026-0a-02");
	DATE_BAD("2026-+1-02");
	DATE_BAD("+026-01-02");
	DATE_BAD("-026-01-02");
	DATE_BAD("0999-12-31");   /* years 1000..9999 only */
	DATE_BAD("0000-01-01");
	DATE_BAD("");
	DATE_BAD("2026-01-");
}
END_TEST

START_TEST(test_parse_length_not_nul)
{
	int32_t d = UNTOUCHED;

	ck_assert_int_eq(date_parse(&d, "2026-01-02XYZ", 10), 0);
	ck_assert_int_eq(d, 20455);
	d = UNTOUCHED;
	ck_assert_int_eq(date_parse(&d, "2026-01-02", 9), -1);
	ck_assert_int_eq(d, UNTOUCHED);
	ck_assert_int_eq(date_parse(&d, "2026-01-0\0", 10), -1);
	ck_assert_int_eq(d, UNTOUCHED);
}
END_TEST

/* Check records the place of every ck_assert (a write each): in the loop
 * over 73000 days, fail only on a difference. */
#define FAIL_UNLESS(cond, ...)                 \
	do {                                   \
		if (!(cond))                   \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

static bool leap(int y)
{
	if (y % 400 == 0)
		return true;
	if (y % 100 == 0)
		return false;
	return y % 4 == 0;
}

/* Every day from 1900-01-01 to 2100-12-31: consecutive day numbers, back
 * to the same year, month and day, and the same through parse/format. */
START_TEST(test_round_trip_1900_2100)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int32_t expect = -25567;

	for (int y = 1900; y <= 2100; y++) {
		for (int m = 1; m <= 12; m++) {
			int n = mdays[m - 1] + (m == 2 && leap(y));

			FAIL_UNLESS(date_days_in_month(y, m) == n, "%04d-%02d has %d days", y, m, date_days_in_month(y, m));
			FAIL_UNLESS(!date_valid(y, m, n + 1), "%04d-%02d-%02d valid", y, m, n + 1);
			FAIL_UNLESS(!date_valid(y, m, 0), "%04d-%02d-00 valid", y, m);
			for (int d = 1; d <= n; d++) {
				int yy = 0, mm = 0, dd = 0;
				char buf[DATE_FMT_MAX], want[40];
				int32_t parsed = UNTOUCHED;

				FAIL_UNLESS(date_valid(y, m, d), "%04d-%02d-%02d invalid", y, m, d);
				FAIL_UNLESS(date_from_ymd(y, m, d) == expect, "%04d-%02d-%02d is %d, want %d",
					      y, m, d, (int)date_from_ymd(y, m, d), (int)expect);
				date_to_ymd(expect, &yy, &mm, &dd);
				FAIL_UNLESS(yy == y && mm == m && dd == d, "day %d gave %d-%d-%d", (int)expect,
					      yy, mm, dd);
				snprintf(want, sizeof(want), "%04d-%02d-%02d", y, m, d);
				FAIL_UNLESS(strcmp(date_format(buf, sizeof(buf), expect), want) == 0, "day %d formats as %s", (int)expect, buf);
				FAIL_UNLESS(date_parse(&parsed, want, strlen(want)) == 0 && parsed == expect,
					    "'%s' parses to %d", want, (int)parsed);
				expect++;
			}
		}
	}
	ck_assert_int_eq(expect, 47846 + 1);
}
END_TEST

START_TEST(test_format)
{
	char buf[DATE_FMT_MAX];

	ck_assert_str_eq(date_format(buf, sizeof(buf), 0), "1970-01-01");
	ck_assert_str_eq(date_format(buf, sizeof(buf), -1), "1969-12-31");
	ck_assert_str_eq(date_format(buf, sizeof(buf), 11017), "2000-03-01");
	ck_assert_str_eq(date_format(buf, sizeof(buf), 19782), "2024-02-29");
	ck_assert_str_eq(date_format(buf, sizeof(buf), -25567), "1900-01-01");
	ck_assert_str_eq(date_format(buf, sizeof(buf), -354285), "1000-01-01");
	ck_assert_str_eq(date_format(buf, sizeof(buf), 2932896), "9999-12-31");
	ck_assert_ptr_eq(date_format(buf, sizeof(buf), 0), buf);
}
END_TEST

START_TEST(test_parse_period)
{
	int y = -1, m = -1;

	ck_assert_int_eq(date_parse_period(&y, &m, "2026-01"), 0);
	ck_assert_int_eq(y, 2026);
	ck_assert_int_eq(m, 1);
	ck_assert_int_eq(date_parse_period(&y, &m, "2024-12"), 0);
	ck_assert_int_eq(y, 2024);
	ck_assert_int_eq(m, 12);

	static const char *const bad[] = {
		"2026-13", "2026-00", "2026-1", "26-01", "2026-01-01", "2026/01", "", "2026-1a",
		"2026-+1", " 2026-01", "2026-01 ", "0999-01", "202601", "abcd-ef",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		y = -1;
		m = -1;
		ck_assert_msg(date_parse_period(&y, &m, bad[i]) == -1, "period '%s' accepted", bad[i]);
		ck_assert_int_eq(y, -1);
		ck_assert_int_eq(m, -1);
	}
}
END_TEST

START_TEST(test_today_plausible)
{
	/* The date of the run: after 2024-01-01 and before 2100. */
	int32_t t = date_today();

	ck_assert_int_gt(t, 19723);
	ck_assert_int_lt(t, 47846);
}
END_TEST

Suite *date_suite(void)
{
	Suite *s = suite_create("date");
	TCase *tc = tcase_create("date");

	tcase_add_test(tc, test_known_days);
	tcase_add_test(tc, test_leap_days);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_parse_length_not_nul);
	tcase_add_test(tc, test_round_trip_1900_2100);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_parse_period);
	tcase_add_test(tc, test_today_plausible);
	suite_add_tcase(s, tc);
	return s;
}
