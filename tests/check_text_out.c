/* Unit tests for the engine's text output (issue 10): utf8_escape (outside
 * text made safe, SPEC 2 v2), csvout's one quoting and formula rule, and
 * copy_csv (COPY text-format rows to CSV, SPEC 7.1 v2). Expected strings
 * are written out by hand. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "copy_csv.h"
#include "csvout.h"
#include "utf8.h"

Suite *text_out_suite(void);

static const char *esc(const char *s, size_t len, size_t max_chars)
{
	static char out[512];

	utf8_escape(out, sizeof(out), s, len, max_chars);
	return out;
}

START_TEST(test_escape_controls)
{
	ck_assert_str_eq(esc("plain.csv", 9, (size_t)-1), "plain.csv");
	ck_assert_str_eq(esc("a\nb\tc\rd", 7, (size_t)-1), "a\\nb\\tc\\rd");
	ck_assert_str_eq(esc("esc\x1b[31mred.csv", 15, (size_t)-1), "esc\\x1b[31mred.csv");
	ck_assert_str_eq(esc("del\x7f", 4, (size_t)-1), "del\\x7f");
	ck_assert_str_eq(esc("a\0b", 3, (size_t)-1), "a\\x00b");
	/* C1: NEL and CSI as code points; U+00A0 and letters stay */
	ck_assert_str_eq(esc("x\xc2\x85y\xc2\x9b", 6, (size_t)-1), "x\\u0085y\\u009b");
	ck_assert_str_eq(esc("Z\xc3\xbcrich\xc2\xa0", 9, (size_t)-1), "Z\xc3\xbcrich\xc2\xa0");
	/* the backslash itself is shown as it is */
	ck_assert_str_eq(esc("a\\b", 3, (size_t)-1), "a\\b");
}
END_TEST

START_TEST(test_escape_invalid_utf8)
{
	ck_assert_str_eq(esc("caf\xe9.csv", 8, (size_t)-1), "caf\\xe9.csv");
	ck_assert_str_eq(esc("\xc3", 1, (size_t)-1), "\\xc3");           /* cut short */
	ck_assert_str_eq(esc("\xc0\xaf", 2, (size_t)-1), "\\xc0\\xaf");    /* overlong */
	ck_assert_str_eq(esc("\xed\xa0\x80", 3, (size_t)-1), "\\xed\\xa0\\x80"); /* surrogate */
}
END_TEST

START_TEST(test_escape_limits)
{
	char small[8];

	/* max_chars counts characters, not bytes; a cut value ends in "..." */
	ck_assert_str_eq(esc("\xc3\xa5\xc3\xa5\xc3\xa5", 6, 2), "\xc3\xa5\xc3\xa5...");
	ck_assert_str_eq(esc("abc", 3, 3), "abc");
	ck_assert_str_eq(esc("\n\n\n", 3, 2), "\\n\\n...");
	/* the output size: whole pieces only, always terminated */
	ck_assert_uint_eq(utf8_escape(small, sizeof(small), "ab\x1b" "cd", 5, (size_t)-1), 7);
	ck_assert_str_eq(small, "ab\\x1bc");
	ck_assert_uint_eq(utf8_escape(small, sizeof(small), "abcd\x1b", 5, (size_t)-1), 4);
	ck_assert_str_eq(small, "abcd"); /* "\x1b" does not fit whole: left out */
	ck_assert_uint_eq(utf8_escape(small, sizeof(small), "abcdefghij", 10, (size_t)-1), 7);
	ck_assert_str_eq(small, "abcdefg");
}
END_TEST

static const char *enc(const char *s)
{
	static char out[256];
	size_t n = csvout_encode(out, s, strlen(s), true);

	out[n] = '\0';
	return out;
}

START_TEST(test_csvout_formula_rule)
{
	ck_assert_str_eq(enc("C1-1001"), "C1-1001");
	ck_assert_str_eq(enc("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
	ck_assert_str_eq(enc("+SUM(1)"), "'+SUM(1)");
	ck_assert_str_eq(enc("-R3"), "'-R3");
	ck_assert_str_eq(enc("@cmd"), "'@cmd");
	ck_assert_str_eq(enc("\tx"), "\"'\tx\"");
	ck_assert_str_eq(enc("\rx"), "\"'\rx\"");
	ck_assert_str_eq(enc("a,b"), "\"a,b\"");
	ck_assert_str_eq(enc("R-3"), "R-3"); /* only the first character counts */
	ck_assert_str_eq(enc(""), "");
}
END_TEST

/* csvout_add: the same bytes into a buffer, appended; near the buffer's
 * limit the exact length decides, not the worst case. */
START_TEST(test_csvout_add)
{
	static const char *const fields[] = { "C1-1001", "=HYPERLINK(\"x\")", "-R3", "\tx",
					      "a,b", "", "say \"hi\"" };
	struct buf b;
	struct err e = ERR_INIT;

	buf_init(&b, 1024);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *want = enc(fields[i]);

		buf_reset(&b);
		ck_assert_int_eq(buf_addstr(&b, "x,", &e), 0);
		ck_assert_int_eq(csvout_add(&b, fields[i], strlen(fields[i]), true, &e), 0);
		ck_assert_str_eq(b.data + 2, want);
		ck_assert_uint_eq(b.len, 2 + strlen(want));
	}
	buf_release(&b);
	/* "\"'=a\"\"b\"": 8 bytes, where the worst case is 2 * 5 + 3 */
	buf_init(&b, 8);
	ck_assert_int_eq(csvout_add(&b, "=a\"b", 4, true, &e), 0);
	ck_assert_str_eq(b.data, "\"'=a\"\"b\"");
	buf_release(&b);
	buf_init(&b, 7);
	ck_assert_int_eq(csvout_add(&b, "=a\"b", 4, true, &e), ERR_LIMIT);
	ck_assert_uint_eq(b.len, 0);
	buf_release(&b);
	/* without the formula rule: a number as it is */
	buf_init(&b, 5);
	ck_assert_int_eq(csvout_add(&b, "-12.5", 5, false, &e), 0);
	ck_assert_str_eq(b.data, "-12.5");
	buf_release(&b);
}
END_TEST

/* copy_csv_row into a file; returns what was written */
static const char *row(const char *text)
{
	static char got[1024];
	char path[] = "/tmp/check_text_out.XXXXXX";
	struct atomic_file af;
	struct err e = ERR_INIT;
	FILE *f;
	size_t n;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(atomic_file_open(&af, path, 0600, &e), 0);
	ck_assert_int_eq(copy_csv_row(&af, text, strlen(text), &e), 0);
	ck_assert_int_eq(atomic_file_commit(&af, &e), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	fclose(f);
	unlink(path);
	return got;
}

START_TEST(test_copy_text_rows)
{
	/* text format: tabs between fields, \N is NULL, backslash escapes */
	ck_assert_str_eq(row("1\t2\tC1-1\tdue_date\tBAD_DATE\tdue_date is not a date\t2026-02-30\n"),
			 "1,2,C1-1,due_date,BAD_DATE,due_date is not a date,2026-02-30\n");
	ck_assert_str_eq(row("\\N\t\\N\t\\N\t\\N\tREJECT_RATIO\t61 of 100, too many\t\\N\n"),
			 ",,,,REJECT_RATIO,\"61 of 100, too many\",\n");
	ck_assert_str_eq(row("5\ta\\tb\tx\\ny\tback\\\\slash\n"), "5,a\tb,\"x\ny\",back\\slash\n");
	/* the formula rule applies to every field of the row */
	ck_assert_str_eq(row("7\t=1+1\t+x\t-y\t@z\n"), "7,'=1+1,'+x,'-y,'@z\n");
	/* "\N" inside a value is not NULL */
	ck_assert_str_eq(row("a\\Nb\t\\N\n"), "aNb,\n");
	/* an empty string stays an empty field */
	ck_assert_str_eq(row("\t\n"), ",\n");
}
END_TEST

Suite *text_out_suite(void)
{
	Suite *s = suite_create("text_out");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_escape_controls);
	tcase_add_test(tc, test_escape_invalid_utf8);
	tcase_add_test(tc, test_escape_limits);
	tcase_add_test(tc, test_csvout_formula_rule);
	tcase_add_test(tc, test_csvout_add);
	tcase_add_test(tc, test_copy_text_rows);
	suite_add_tcase(s, tc);
	return s;
}
