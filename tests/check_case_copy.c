/* Unit tests for loader/case_copy.c: the binary COPY tuple is decoded here
 * by hand from PostgreSQL's documented format (int16 field count, then per
 * field an int32 length, -1 for NULL, and the bytes; int8 and date big
 * endian, dates as days since 2000-01-01), the key filter is checked for
 * misses and false alarms, and the receipt merge against hand-written
 * expected files.
 *
 * Dates, worked out with Python's datetime (date - date(2000, 1, 1)):
 * 2026-06-30 is day 9677, 2026-07-15 is 9692, 2026-08-31 is 9739,
 * 2026-11-20 is 9820, 1980-05-17 is -7168.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic_file.h"
#include "case_copy.h"
#include "date.h"

Suite *case_copy_suite(void);

static struct record rec;

static void set(int f, const char *v)
{
	record_set_field(&rec, f, v, strlen(v));
}

static void base_case(void)
{
	record_reset(&rec, KIND_CASES);
	rec.ordinal = 42;
	rec.line = 43;
	set(CF_CREDITOR_ID, "C1");
	set(CF_CREDITOR_REFERENCE, "R-1");
	set(CF_DEBTOR_TYPE, "person");
	set(CF_DEBTOR_NAME, "Zoë Müller");
	set(CF_DEBTOR_BIRTH_DATE, "1980-05-17");
	set(CF_DEBTOR_STREET, "Bahnhofstrasse 1");
	set(CF_DEBTOR_POSTAL_CODE, "8001");
	set(CF_DEBTOR_CITY, "Zürich");
	set(CF_DEBTOR_COUNTRY, "CH");
	set(CF_INVOICE_NUMBER, "INV-7");
	set(CF_INVOICE_DATE, "2026-06-30");
	set(CF_DUE_DATE, "2026-08-31");
	set(CF_ORIGINAL_AMOUNT, "1234.50");
	set(CF_CURRENCY, "CHF");
	set(CF_CLAIM_TYPE, "invoice");
	set(CF_DISPUTED, "false");
	set(CF_REMINDER_DATE, "2026-07-15");
}

/* ---- a reader of the binary tuple ---- */

struct rd {
	const unsigned char *p;
	const unsigned char *end;
};

static uint64_t be(struct rd *r, int n)
{
	uint64_t v = 0;

	ck_assert_msg(r->p + n <= r->end, "tuple ends early");
	for (int i = 0; i < n; i++)
		v = v << 8 | r->p[i];
	r->p += n;
	return v;
}

/* The next field: its length (-1 for NULL) and bytes. */
static int32_t field(struct rd *r, const unsigned char **data)
{
	int32_t len = (int32_t)(uint32_t)be(r, 4);

	*data = r->p;
	if (len > 0)
		r->p += len;
	return len;
}

static void expect_text(struct rd *r, const char *want)
{
	const unsigned char *d;
	int32_t len = field(r, &d);

	if (want == NULL) {
		ck_assert_int_eq(len, -1);
		return;
	}
	ck_assert_int_eq(len, (int32_t)strlen(want));
	ck_assert_msg(memcmp(d, want, (size_t)len) == 0, "field is not '%s'", want);
}

static void expect_i64(struct rd *r, int64_t want)
{
	const unsigned char *d;
	struct rd sub;

	ck_assert_int_eq(field(r, &d), 8);
	sub.p = d;
	sub.end = d + 8;
	ck_assert_int_eq((int64_t)be(&sub, 8), want);
}

static void expect_day(struct rd *r, int32_t want)
{
	const unsigned char *d;
	struct rd sub;

	ck_assert_int_eq(field(r, &d), 4);
	sub.p = d;
	sub.end = d + 4;
	ck_assert_int_eq((int32_t)(uint32_t)be(&sub, 4), want);
}

START_TEST(test_header_trailer)
{
	char buf[32];
	static const unsigned char want[19] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0,
						0, 0, 0, 0, 0, 0, 0, 0 };

	ck_assert_uint_eq(case_copy_header(buf), 19);
	ck_assert(memcmp(buf, want, 19) == 0);
	ck_assert_uint_eq(case_copy_trailer(buf), 2);
	ck_assert_int_eq((unsigned char)buf[0], 0xff);
	ck_assert_int_eq((unsigned char)buf[1], 0xff);
}
END_TEST

START_TEST(test_row_columns)
{
	static char buf[CASE_COPY_ROW_MAX];
	struct verdict v;
	struct rd r;
	const unsigned char *d;
	size_t n;

	base_case();
	memset(&v, 0, sizeof(v));
	v.num[CF_ORIGINAL_AMOUNT] = 123450;
	v.num[CF_PAID_AMOUNT] = 450;
	v.collection_fee = 3000;
	v.num[CF_REQUEST_NOTICE] = 1;
	set(CF_NOTICE_DATE, "2026-07-20");
	n = case_copy_row(buf, &rec, &v, 1234, "RF891234", 7, date_from_ymd(2026, 11, 20));
	r.p = (const unsigned char *)buf;
	r.end = r.p + n;
	ck_assert_int_eq((int)be(&r, 2), 31);
	expect_i64(&r, 1234);        /* case number */
	expect_text(&r, "C1");
	expect_text(&r, "R-1");
	expect_text(&r, "person");
	expect_text(&r, "Zoë Müller");
	expect_text(&r, NULL);       /* national id: empty is NULL */
	expect_day(&r, -7168);       /* birth date */
	expect_text(&r, "Bahnhofstrasse 1");
	expect_text(&r, "8001");
	expect_text(&r, "Zürich");
	expect_text(&r, "CH");
	expect_text(&r, NULL);       /* email */
	expect_text(&r, NULL);       /* phone */
	expect_text(&r, "INV-7");
	expect_day(&r, 9677);        /* invoice date */
	expect_day(&r, 9739);        /* due date */
	expect_i64(&r, 123450);      /* original amount, minor units */
	expect_text(&r, "CHF");
	expect_i64(&r, 450);         /* paid */
	expect_text(&r, "invoice");
	ck_assert_int_eq(field(&r, &d), 1);
	ck_assert_int_eq(d[0], 0);   /* disputed false */
	expect_day(&r, 9692);        /* reminder date */
	expect_day(&r, 9697);        /* notice date (v2) */
	ck_assert_int_eq(field(&r, &d), 1);
	ck_assert_int_eq(d[0], 1);   /* request_notice true (v2) */
	expect_text(&r, "RF891234"); /* payment reference */
	expect_i64(&r, 7);           /* batch */
	expect_i64(&r, 42);          /* record ordinal */
	expect_day(&r, 9820);        /* registered: the as-of date */
	expect_i64(&r, 123000);      /* principal = original - paid */
	expect_i64(&r, 3000);        /* fees: the collection fee */
	expect_day(&r, 9739);        /* accrued_to: the due date */
	ck_assert_msg(r.p == r.end, "%td bytes left over", r.end - r.p);
}
END_TEST

START_TEST(test_row_null_dates)
{
	static char buf[CASE_COPY_ROW_MAX];
	struct verdict v;
	struct rd r;
	const unsigned char *d;

	base_case();
	set(CF_DEBTOR_BIRTH_DATE, "");
	set(CF_REMINDER_DATE, "");
	memset(&v, 0, sizeof(v));
	v.num[CF_ORIGINAL_AMOUNT] = 1;
	r.p = (const unsigned char *)buf;
	r.end = r.p + case_copy_row(buf, &rec, &v, 1, "RF471", 1, 0);
	be(&r, 2);
	field(&r, &d); /* case number */
	for (int i = 0; i < 5; i++)
		field(&r, &d);
	ck_assert_int_eq(field(&r, &d), -1); /* birth date */
	for (int i = 0; i < 14; i++)
		field(&r, &d);
	ck_assert_int_eq(field(&r, &d), -1); /* reminder date */
	ck_assert_int_eq(field(&r, &d), -1); /* notice date: none */
	ck_assert_int_eq(field(&r, &d), 1);  /* request_notice: false when not given */
	ck_assert_int_eq(d[0], 0);
}
END_TEST

START_TEST(test_key_filter)
{
	struct key_filter kf;
	struct err e = ERR_INIT;
	char ref[32];
	int alarms = 0;

	ck_assert_int_eq(key_filter_init(&kf, 20, &e), 0);
	for (int i = 0; i < 50000; i++) {
		int n = snprintf(ref, sizeof(ref), "REF-%d", i);

		alarms += key_filter_add(&kf, "C1", 2, ref, (size_t)n);
	}
	/* every key added is found again: a filter never misses */
	for (int i = 0; i < 50000; i++) {
		int n = snprintf(ref, sizeof(ref), "REF-%d", i);

		ck_assert_msg(key_filter_add(&kf, "C1", 2, ref, (size_t)n), "REF-%d missed", i);
	}
	/* the same references of another creditor are new keys; at 2^20 bits
	 * and 100k keys the false alarm rate is about 1 %, far below 5 % */
	for (int i = 0; i < 50000; i++) {
		int n = snprintf(ref, sizeof(ref), "REF-%d", i);

		alarms += key_filter_add(&kf, "C2", 2, ref, (size_t)n);
	}
	ck_assert_msg(alarms < 2500, "%d false alarms of 100000", alarms);
	/* the separator: ("C1", "23") is not ("C12", "3") */
	ck_assert(!key_filter_add(&kf, "X1", 2, "23", 2));
	ck_assert(!key_filter_add(&kf, "X12", 3, "3", 1));
	key_filter_free(&kf);
}
END_TEST

START_TEST(test_receipt_key_line)
{
	char buf[RECEIPT_LINE_MAX];
	size_t n;

	n = receipt_key_line(buf, 7, "C1-1", 4, 1001, "RF771001");
	ck_assert_str_eq(buf, "7,C1-1,1001,accepted,RF771001\n");
	ck_assert_uint_eq(n, 30);
	n = receipt_key_line(buf, 18, "a,b", 3, 5, "55");
	ck_assert(memcmp(buf, "18,\"a,b\",5,accepted,55\n", n) == 0 && n == 23);
	n = receipt_key_line(buf, 9, "say \"hi\"", 8, 6, "67");
	ck_assert(memcmp(buf, "9,\"say \"\"hi\"\"\",6,accepted,67\n", n) == 0 && n == 29);
	/* SPEC 7.1 v2: the formula rule of every CSV the engine writes */
	n = receipt_key_line(buf, 3, "=HYPERLINK(1)", 13, 1, "18");
	ck_assert(memcmp(buf, "3,'=HYPERLINK(1),1,accepted,18\n", n) == 0 && n == 31);
	n = receipt_key_line(buf, 4, "+SUM(1,2)", 9, 2, "26");
	ck_assert(memcmp(buf, "4,\"'+SUM(1,2)\",2,accepted,26\n", n) == 0 && n == 29);
}
END_TEST

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_case_copy.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static FILE *file_with(const char *text)
{
	FILE *f = tmpfile();

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	rewind(f);
	return f;
}

static const char *merge(FILE *keys, const char *const *rows, int nrows)
{
	struct atomic_file af;
	struct receipt_merge m;
	struct err e = ERR_INIT;
	char path[128];

	make_dir();
	snprintf(path, sizeof(path), "%s/r.csv", dir);
	ck_assert_int_eq(atomic_file_open(&af, path, 0600, &e), 0);
	receipt_merge_init(&m, keys, &af, &e);
	for (int i = 0; i < nrows; i++)
		ck_assert_int_eq(receipt_merge_row(&m, rows[i], strlen(rows[i])), 0);
	ck_assert_int_eq(receipt_merge_finish(&m), 0);
	ck_assert_int_eq(atomic_file_commit(&af, &e), 0);
	fclose(keys);
	return slurp(path);
}

START_TEST(test_merge)
{
	/* the fast rows are whole CSV rows; the staged ones come in COPY's
	 * text format; the receipt is CSV, in record order */
	static const char *const rows[] = { "3\tR3\t500\taccepted\t5005\n", "5\tR,5\t17\tskipped\t172\n",
					    "9\t=R9\t501\taccepted\t5013\n" };
	const char *got = merge(file_with("1,R1,100,accepted,1009\n2,R2,101,accepted,1017\n"
					  "4,\"R,4\",102,accepted,1025\n6,R6,103,accepted,1033\n"),
				rows, 3);

	ck_assert_str_eq(got, "1,R1,100,accepted,1009\n2,R2,101,accepted,1017\n3,R3,500,accepted,5005\n"
			      "4,\"R,4\",102,accepted,1025\n5,\"R,5\",17,skipped,172\n6,R6,103,accepted,1033\n"
			      "9,'=R9,501,accepted,5013\n");
}
END_TEST

START_TEST(test_merge_no_keys)
{
	static const char *const rows[] = { "1\tR1\t3\tskipped\t34\n", "2\tR2\t4\taccepted\t42\n" };
	const char *got = merge(file_with(""), rows, 2);

	ck_assert_str_eq(got, "1,R1,3,skipped,34\n2,R2,4,accepted,42\n");
}
END_TEST

Suite *case_copy_suite(void)
{
	Suite *s = suite_create("case_copy");
	TCase *tc = tcase_create("case_copy");

	tcase_add_test(tc, test_header_trailer);
	tcase_add_test(tc, test_row_columns);
	tcase_add_test(tc, test_row_null_dates);
	tcase_add_test(tc, test_key_filter);
	tcase_add_test(tc, test_receipt_key_line);
	tcase_add_test(tc, test_merge);
	tcase_add_test(tc, test_merge_no_keys);
	suite_add_tcase(s, tc);
	return s;
}
