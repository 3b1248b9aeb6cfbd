/* Unit tests for common/copy_text.c: COPY text-format fields (escapes,
 * NULL, the 64-bit extremes, separators), written out by hand. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "copy_text.h"

Suite *copy_text_suite(void);

static const char *text(struct buf *b, const char *s, size_t n)
{
	struct err e = ERR_INIT;

	buf_reset(b);
	ck_assert_int_eq(copy_text_str(b, s, n, &e), 0);
	return b->data;
}

START_TEST(test_escapes)
{
	struct buf b;

	buf_init(&b, 1024);
	ck_assert_str_eq(text(&b, "plain text", 10), "plain text");
	ck_assert_str_eq(text(&b, "", 0), "");
	ck_assert_str_eq(text(&b, "a\\b\tc\nd\re", 9), "a\\\\b\\tc\\nd\\re");
	ck_assert_str_eq(text(&b, "\\.", 2), "\\\\.");
	ck_assert_str_eq(text(&b, "\t\t", 2), "\\t\\t");
	ck_assert_str_eq(text(&b, "\r\n", 2), "\\r\\n");
	ck_assert_str_eq(text(&b, "end\\", 4), "end\\\\");
	/* other bytes, UTF-8 and controls alike, stand for themselves */
	ck_assert_str_eq(text(&b, "M\xc3\xbcller \x01\x1b,;\"'", 14), "M\xc3\xbcller \x01\x1b,;\"'");
	/* n counts, not a NUL */
	ck_assert_str_eq(text(&b, "ab\tcd", 3), "ab\\t");
	buf_release(&b);
}
END_TEST

START_TEST(test_null_sep_end)
{
	struct buf b;
	struct err e = ERR_INIT;

	buf_init(&b, 1024);
	ck_assert_int_eq(copy_text_i64(&b, 42, &e), 0);
	ck_assert_int_eq(copy_text_sep(&b, &e), 0);
	ck_assert_int_eq(copy_text_str(&b, "M\xc3\xbcller\t", 8, &e), 0);
	ck_assert_int_eq(copy_text_sep(&b, &e), 0);
	ck_assert_int_eq(copy_text_null(&b, &e), 0);
	ck_assert_int_eq(copy_text_sep(&b, &e), 0);
	ck_assert_int_eq(copy_text_str(&b, "\\N", 2, &e), 0); /* the text "\N" is not NULL */
	ck_assert_int_eq(copy_text_end(&b, &e), 0);
	ck_assert_str_eq(b.data, "42\tM\xc3\xbcller\\t\t\\N\t\\\\N\n");
	ck_assert_uint_eq(b.len, 20);
	buf_release(&b);
}
END_TEST

START_TEST(test_i64)
{
	static const struct {
		int64_t v;
		const char *text;
	} cases[] = {
		{ 0, "0" },
		{ 7, "7" },
		{ -1, "-1" },
		{ 10, "10" },
		{ -1234500, "-1234500" },
		{ INT64_MAX, "9223372036854775807" },
		{ INT64_MIN, "-9223372036854775808" },
		{ INT64_MIN + 1, "-9223372036854775807" },
	};
	struct buf b;
	struct err e = ERR_INIT;

	buf_init(&b, 64);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		ck_assert_int_eq(copy_text_i64(&b, cases[i].v, &e), 0);
		ck_assert_str_eq(b.data, cases[i].text);
	}
	buf_release(&b);
}
END_TEST

/* The buffer's limit holds for escaped bytes too: an error, nothing cut
 * silently. */
START_TEST(test_limit)
{
	struct buf b;
	struct err e = ERR_INIT;

	buf_init(&b, 4);
	ck_assert_int_eq(copy_text_str(&b, "ab\\", 3, &e), 0);
	ck_assert_str_eq(b.data, "ab\\\\");
	ck_assert_int_eq(copy_text_sep(&b, &e), ERR_LIMIT);
	buf_release(&b);
	buf_init(&b, 3);
	ck_assert_int_eq(copy_text_str(&b, "ab\\", 3, &e), ERR_LIMIT);
	ck_assert_uint_le(b.len, 3);
	buf_release(&b);
	buf_init(&b, 19);
	ck_assert_int_eq(copy_text_i64(&b, INT64_MIN, &e), ERR_LIMIT);
	ck_assert_int_eq(copy_text_i64(&b, INT64_MAX, &e), 0);
	buf_release(&b);
}
END_TEST

Suite *copy_text_suite(void)
{
	Suite *s = suite_create("copy_text");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_null_sep_end);
	tcase_add_test(tc, test_i64);
	tcase_add_test(tc, test_limit);
	suite_add_tcase(s, tc);
	return s;
}
