/* Unit tests for common/buf.c: a buffer with a maximum (hitting it is an
 * error and changes nothing), reset keeps the memory, printf grows the
 * buffer, an allocation failure is ERR_NOMEM. Expected values by hand. */
#include <check.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"

Suite *buf_suite(void);

START_TEST(test_add_up_to_the_limit)
{
	struct buf b;
	struct err e = ERR_INIT;

	buf_init(&b, 8);
	ck_assert_ptr_null(b.data);
	ck_assert_int_eq(buf_add(&b, "abcd", 4, &e), 0);
	ck_assert_int_eq(buf_addstr(&b, "efg", &e), 0);
	ck_assert_int_eq(buf_addch(&b, 'h', &e), 0);
	ck_assert_uint_eq(b.len, 8);
	ck_assert_str_eq(b.data, "abcdefgh");
	ck_assert_uint_le(b.cap, 9);
	/* one byte more: an error, and the buffer is as it was */
	ck_assert_int_eq(buf_addch(&b, 'i', &e), ERR_LIMIT);
	ck_assert_str_eq(e.message, "more than the 8 bytes a buffer may hold");
	ck_assert_int_eq(buf_add(&b, "", 0, &e), 0);
	ck_assert_int_eq(buf_reserve(&b, 1, &e), ERR_LIMIT);
	ck_assert_uint_eq(b.len, 8);
	ck_assert_str_eq(b.data, "abcdefgh");
	buf_release(&b);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.max, 8);
}
END_TEST

START_TEST(test_limit_in_one_add)
{
	struct buf b;
	struct err e = ERR_INIT;

	buf_init(&b, 5);
	ck_assert_int_eq(buf_add(&b, "abc", 3, &e), 0);
	ck_assert_int_eq(buf_add(&b, "def", 3, &e), ERR_LIMIT);
	ck_assert_str_eq(b.data, "abc");
	ck_assert_int_eq(buf_add(&b, "de", 2, &e), 0);
	ck_assert_str_eq(b.data, "abcde");
	buf_release(&b);
	/* a zero maximum: only the empty string */
	buf_init(&b, 0);
	ck_assert_int_eq(buf_add(&b, NULL, 0, &e), 0);
	ck_assert_str_eq(b.data, "");
	ck_assert_int_eq(buf_addch(&b, 'x', &e), ERR_LIMIT);
	buf_release(&b);
}
END_TEST

START_TEST(test_reset_keeps_memory)
{
	struct buf b;
	struct err e = ERR_INIT;
	char *data;
	size_t cap;

	buf_init(&b, 1 << 20);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(buf_addstr(&b, "0123456789", &e), 0);
	ck_assert_uint_eq(b.len, 1000);
	data = b.data;
	cap = b.cap;
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(b.data, "");
	ck_assert_ptr_eq(b.data, data);
	ck_assert_uint_eq(b.cap, cap);
	ck_assert_int_eq(buf_addstr(&b, "row 2", &e), 0);
	ck_assert_str_eq(b.data, "row 2");
	ck_assert_ptr_eq(b.data, data);
	buf_release(&b);
	/* reset of a buffer that never held memory */
	buf_reset(&b);
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_printf_grows)
{
	struct buf b;
	struct err e = ERR_INIT;

	buf_init(&b, 4096);
	ck_assert_int_eq(buf_printf(&b, &e, "%s=%d", "x", 42), 0);
	ck_assert_str_eq(b.data, "x=42");
	/* past the first allocation (256 bytes) */
	ck_assert_int_eq(buf_printf(&b, &e, "%600s|", "y"), 0);
	ck_assert_uint_eq(b.len, 4 + 600 + 1);
	ck_assert_int_eq(memcmp(b.data, "x=42    ", 8), 0);
	ck_assert_str_eq(b.data + 600, "   y|");
	ck_assert_uint_ge(b.cap, 606);
	ck_assert_int_eq(buf_printf(&b, &e, "%s", ""), 0);
	ck_assert_uint_eq(b.len, 605);
	buf_release(&b);
}
END_TEST

START_TEST(test_printf_limit)
{
	struct buf b;
	struct err e = ERR_INIT;

	buf_init(&b, 10);
	ck_assert_int_eq(buf_printf(&b, &e, "%d", 12345), 0);
	ck_assert_int_eq(buf_printf(&b, &e, "%s", "abcde"), 0);
	ck_assert_str_eq(b.data, "12345abcde");
	ck_assert_int_eq(buf_printf(&b, &e, "%c", 'z'), ERR_LIMIT);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_str_eq(b.data, "12345abcde");
	buf_reset(&b);
	/* the piece that fitted before the limit was found is taken back */
	ck_assert_int_eq(buf_printf(&b, &e, "%s", "0123"), 0);
	ck_assert_int_eq(buf_printf(&b, &e, "%s", "456789abc"), ERR_LIMIT);
	ck_assert_str_eq(b.data, "0123");
	buf_release(&b);
}
END_TEST

START_TEST(test_add_i64)
{
	struct buf b;
	struct err e = ERR_INIT;

	buf_init(&b, 64);
	ck_assert_int_eq(buf_add_i64(&b, 0, &e), 0);
	ck_assert_int_eq(buf_addch(&b, ' ', &e), 0);
	ck_assert_int_eq(buf_add_i64(&b, -42, &e), 0);
	ck_assert_int_eq(buf_addch(&b, ' ', &e), 0);
	ck_assert_int_eq(buf_add_i64(&b, INT64_MIN, &e), 0);
	ck_assert_int_eq(buf_addch(&b, ' ', &e), 0);
	ck_assert_int_eq(buf_add_i64(&b, INT64_MAX, &e), 0);
	ck_assert_str_eq(b.data, "0 -42 -9223372036854775808 9223372036854775807");
	buf_release(&b);
}
END_TEST

START_TEST(test_out_of_memory)
{
	struct buf b;
	struct err e = ERR_INIT;
	long live = alloc_live();

	buf_init(&b, 1 << 20);
	alloc_fail_at(1);
	ck_assert_int_eq(buf_addstr(&b, "abc", &e), ERR_NOMEM);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(buf_addstr(&b, "abc", &e), 0);
	/* growing fails: what the buffer held stays */
	alloc_fail_at(1);
	ck_assert_int_eq(buf_printf(&b, &e, "%1000d", 7), ERR_NOMEM);
	ck_assert_str_eq(b.data, "abc");
	buf_release(&b);
	ck_assert_int_eq(alloc_live(), live);
}
END_TEST

Suite *buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_add_up_to_the_limit);
	tcase_add_test(tc, test_limit_in_one_add);
	tcase_add_test(tc, test_reset_keeps_memory);
	tcase_add_test(tc, test_printf_grows);
	tcase_add_test(tc, test_printf_limit);
	tcase_add_test(tc, test_add_i64);
	tcase_add_test(tc, test_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}
