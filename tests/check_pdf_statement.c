/* check_pdf_statement.c: the PDF of a statement (settlement/pdf_statement.c)
 * rendered into memory: the same statement gives the same bytes; the
 * document's dates are the issue date; the pages (landscape table pages, a
 * portrait page with the QR-bill for a negative CHF net payout); a source
 * with a line too few is an error. The text itself is checked with
 * pdftotext in tests/integration/49_pdf.sh. */
#define _GNU_SOURCE /* memmem */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "date.h"
#include "pdf_statement.h"

Suite *pdf_statement_suite(void); /* for the runner */

/* n generated lines, read as often as asked */
struct gen {
	int64_t n;
	int64_t i;
	char ref[32];
	char txid[32];
};

static int gen_rewind(void *ctx, struct err *e)
{
	(void)e;
	((struct gen *)ctx)->i = 0;
	return 0;
}

static int gen_next(void *ctx, struct statement_row *row, bool *end, struct err *e)
{
	struct gen *g = ctx;

	(void)e;
	*end = g->i >= g->n;
	if (*end)
		return 0;
	memset(row, 0, sizeof(*row));
	snprintf(g->ref, sizeof(g->ref), "INV-%04d", (int)g->i);
	snprintf(g->txid, sizeof(g->txid), "TX-%06d", (int)g->i);
	row->case_id = g->i + 1;
	row->creditor_reference = g->ref;
	row->debtor_name = g->i % 2 ? "\xc3\x98ystein \xc3\x85s" : "M\xc3\xbcller & S\xc3\xb8n \xc3\xa6";
	row->transaction_id = g->txid;
	row->line.kind = BOOKING_PAYMENT;
	row->line.booking_date = date_from_ymd(2025, 10, 30);
	row->line.amount = 10000 + g->i;
	row->line.to_principal = 10000 + g->i;
	row->line.commission = 1500;
	row->line.payout_effect = 8500 + g->i;
	g->i++;
	return 0;
}

static int to_buf(void *ctx, const void *data, size_t len, struct err *e)
{
	return buf_add(ctx, data, len, e);
}

static const struct pdf_parties parties = { "Inkasso Muster AG",
					    "Bahnhofstrasse 1, 8001 Z\xc3\xbcrich",
					    "Alpenstrom AG",
					    "CH9300762011623852957",
					    4711,
					    "CH4431999123000889012" };

static void info_of(struct statement_info *in, int64_t lines, int64_t net)
{
	memset(in, 0, sizeof(*in));
	snprintf(in->number, sizeof(in->number), "2025-10-C1-CHF");
	snprintf(in->creditor_id, sizeof(in->creditor_id), "C1");
	snprintf(in->period, sizeof(in->period), "2025-10");
	snprintf(in->currency, sizeof(in->currency), "CHF");
	in->issued = date_from_ymd(2025, 11, 6);
	in->totals.lines = lines;
	in->totals.net_payout = net;
}

/* Render into b; returns the error code. */
static int render(struct pdf_fonts *fonts, struct buf *b, const struct statement_info *in,
		  int64_t rows, struct err *e)
{
	struct gen g = { rows, 0, "", "" };
	struct pdf_source src = { gen_rewind, gen_next, &g };

	buf_reset(b);
	return pdf_statement_write(fonts, in, &parties, &src, to_buf, b, e);
}

/* Occurrences of what in the bytes of b (compressed streams hold NULs). */
static int count_of(const struct buf *b, const char *what)
{
	size_t wl = strlen(what);
	int n = 0;

	for (const char *p = b->data; p != NULL && (size_t)(p - b->data) + wl <= b->len; p++) {
		p = memmem(p, b->len - (size_t)(p - b->data), what, wl);
		if (p == NULL)
			break;
		n++;
	}
	return n;
}

/* Each test's fonts and output. */
static struct pdf_fonts f;
static struct buf a;

static void setup(void)
{
	struct err e = ERR_INIT;

	buf_init(&a, 64 << 20);
	ck_assert_int_eq(pdf_fonts_init(&f, &e), 0);
}

static void teardown(void)
{
	pdf_fonts_release(&f);
	buf_release(&a);
}

START_TEST(test_same_bytes)
{
	struct err e = ERR_INIT;
	struct statement_info in;
	struct buf b;

	buf_init(&b, 64 << 20);
	info_of(&in, 100, 850000);
	ck_assert_int_eq(render(&f, &a, &in, 100, &e), 0);
	ck_assert_int_eq(memcmp(a.data, "%PDF-", 5), 0);
	if (getenv("PDF_DUMP") != NULL) {
		FILE *fp = fopen(getenv("PDF_DUMP"), "wb");

		fwrite(a.data, 1, a.len, fp);
		fclose(fp);
	}
	/* (cairo 1.16 leaves out the "D:" of a PDF date; readers take it) */
	ck_assert_int_eq(count_of(&a, "/CreationDate (20251106000000Z)"), 1);
	ck_assert_int_eq(count_of(&a, "/ModDate (20251106000000Z)"), 1);
	/* three landscape pages, no portrait one */
	ck_assert_int_eq(count_of(&a, "/MediaBox [ 0 0 841.8898 595.2756 ]"), 3);
	ck_assert_int_eq(count_of(&a, "/MediaBox [ 0 0 595.2756 841.8898 ]"), 0);
	/* other fonts the same process used in between change nothing */
	ck_assert_int_eq(render(&f, &b, &in, 100, &e), 0);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_int_eq(memcmp(a.data, b.data, a.len), 0);
	pdf_fonts_release(&f);
	/* nor do new fonts */
	ck_assert_int_eq(pdf_fonts_init(&f, &e), 0);
	ck_assert_int_eq(render(&f, &b, &in, 100, &e), 0);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_int_eq(memcmp(a.data, b.data, a.len), 0);
	buf_release(&b);
}
END_TEST

START_TEST(test_bill_page)
{
	struct err e = ERR_INIT;
	struct statement_info in;

	info_of(&in, 2, -12345);
	ck_assert(pdf_statement_has_bill(&in));
	ck_assert_int_eq(render(&f, &a, &in, 2, &e), 0);
	ck_assert_int_eq(count_of(&a, "/MediaBox [ 0 0 841.8898 595.2756 ]"), 1);
	ck_assert_int_eq(count_of(&a, "/MediaBox [ 0 0 595.2756 841.8898 ]"), 1);
	/* SEK: no QR-bill, one page */
	snprintf(in.currency, sizeof(in.currency), "SEK");
	ck_assert(!pdf_statement_has_bill(&in));
	ck_assert_int_eq(render(&f, &a, &in, 2, &e), 0);
	ck_assert_int_eq(count_of(&a, "/MediaBox [ 0 0 595.2756 841.8898 ]"), 0);
}
END_TEST

START_TEST(test_lines_missing)
{
	struct err e = ERR_INIT;
	struct statement_info in;

	info_of(&in, 5, 100);
	ck_assert_int_eq(render(&f, &a, &in, 4, &e), ERR_DB);
	ck_assert_str_eq(e.message, "PDF of statement '2025-10-C1-CHF': 4 lines stored, 5 expected");
}
END_TEST

Suite *pdf_statement_suite(void)
{
	Suite *s = suite_create("pdf_statement");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_same_bytes);
	tcase_add_test(tc, test_bill_page);
	tcase_add_test(tc, test_lines_missing);
	suite_add_tcase(s, tc);
	return s;
}
