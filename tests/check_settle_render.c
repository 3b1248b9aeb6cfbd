/* check_settle_render.c: the statement renderer (settlement/statement.c)
 * formats numbers, dates and escaped text without printf and without an
 * allocation per row. These tests pin its bytes to the reference
 * functions it replaced: money_format(), date_format(), "%" PRId64 and a
 * byte-by-byte XML escape; and a row longer than the renderer's inline
 * buffer. */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "money.h"
#include "statement.h"

Suite *settle_render_suite(void); /* for the runner */

struct membuf {
	char *data;
	size_t len;
};

static int mem_write(void *ctx, const void *data, size_t len, struct err *e)
{
	struct membuf *m = ctx;
	char *p = realloc(m->data, m->len + len + 1);

	if (p == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	memcpy(p + m->len, data, len);
	m->len += len;
	p[m->len] = '\0';
	m->data = p;
	return 0;
}

static void info_init(struct statement_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->number, sizeof(info->number), "2024-03-ACME-CHF");
	snprintf(info->creditor_id, sizeof(info->creditor_id), "ACME");
	snprintf(info->period, sizeof(info->period), "2024-03");
	snprintf(info->currency, sizeof(info->currency), "CHF");
	info->issued = date_from_ymd(2024, 4, 2);
}

static char *csv_row(const struct statement_row *row)
{
	struct membuf m = { NULL, 0 };
	struct statement_out out;
	struct statement_info info;
	struct err e = ERR_INIT;

	statement_out_init(&out, mem_write, &m);
	info_init(&info);
	ck_assert_int_eq(statement_csv_row(&out, &info, row, &e), 0);
	statement_out_release(&out);
	return m.data;
}

/* One <line> element, as a spool holds it. */
static char *xml_line(const struct statement_row *row)
{
	struct membuf m = { NULL, 0 };
	struct statement_out out;
	struct statement_xml x;
	struct statement_info info;
	struct err e = ERR_INIT;

	statement_out_init(&out, mem_write, &m);
	info_init(&info);
	ck_assert_int_eq(statement_xml_open(&x, &out, STATEMENT_XML_LINES, &e), 0);
	ck_assert_int_eq(statement_xml_line(&x, &info, row, &e), 0);
	ck_assert_int_eq(statement_xml_close(&x, &e), 0);
	statement_out_release(&out);
	return m.data;
}

static const int64_t amounts[] = {
	0, 1, -1, 9, -9, 10, 99, -99, 100, -100, 101, 12345, -12345, 999999, 1000000,
	MONEY_MAX, -MONEY_MAX, INT64_MAX, INT64_MIN, INT64_MIN + 1, INT64_MAX - 1,
};

/* Every amount, in every money column and as the case number. */
START_TEST(test_numbers_as_printf)
{
	for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++) {
		int64_t v = amounts[i];
		struct statement_row row = {
			.case_id = v, .creditor_reference = "R", .debtor_name = "D",
			.transaction_id = "T",
			.line = { .kind = BOOKING_PAYMENT, .booking_date = date_from_ymd(2024, 3, 1),
				  .amount = v, .to_fees = v, .to_interest = v, .to_principal = v,
				  .overpaid = v, .creditor_share = v, .commission = v,
				  .payout_effect = v },
		};
		char m[MONEY_FMT_MAX];
		char want[1024];
		char *got;

		money_format(m, sizeof(m), v);
		snprintf(want, sizeof(want),
			 "2024-03-ACME-CHF,%" PRId64 ",R,D,T,payment,2024-03-01,%s,%s,%s,%s,%s,%s,"
			 "%s,%s\n", v, m, m, m, m, m, m, m, m);
		got = csv_row(&row);
		ck_assert_msg(strcmp(got, want) == 0, "amount %" PRId64 ": got [%s] want [%s]", v,
			      got, want);
		free(got);

		got = xml_line(&row);
		snprintf(want, sizeof(want), "      <caseId>%" PRId64 "</caseId>\n", v);
		ck_assert_ptr_nonnull(strstr(got, want));
		snprintf(want, sizeof(want), "      <payoutEffect>%s</payoutEffect>\n", m);
		ck_assert_ptr_nonnull(strstr(got, want));
		free(got);

		{
			struct membuf mb = { NULL, 0 };
			struct statement_out out;
			struct statement_case_row cr = {
				.case_id = v, .creditor_reference = "R", .debtor_name = "D",
				.status = "open", .original_amount = v, .principal = v, .fees = v,
				.interest = v, .last_transaction_date = BOOKING_NO_DATE,
				.payment_reference = "RF18539007547034", .stage = "legal",
			};
			struct err e = ERR_INIT;

			snprintf(want, sizeof(want), "%" PRId64 ",R,D,open,%s,%s,%s,%s,,RF18539007547034,legal\n", v, m,
				 m, m, m);
			statement_out_init(&out, mem_write, &mb);
			ck_assert_int_eq(statement_cases_row(&out, &cr, &e), 0);
			statement_out_release(&out);
			ck_assert_str_eq(mb.data, want);
			free(mb.data);
		}
	}
}
END_TEST

/* Dates as date_format() writes them into DATE_FMT_MAX bytes, years 1 to
 * 9999 and beyond (the loader accepts four-digit years only). */
START_TEST(test_dates_as_date_format)
{
	const int32_t days[] = {
		date_from_ymd(2024, 2, 29), date_from_ymd(1970, 1, 1), date_from_ymd(1969, 12, 31),
		date_from_ymd(2000, 1, 1),  date_from_ymd(1, 1, 1),    date_from_ymd(999, 12, 31),
		date_from_ymd(9999, 12, 31), date_from_ymd(9999, 12, 31) + 1, -1000000, 3000000,
	};

	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		struct statement_row row = {
			.case_id = 1, .creditor_reference = "R", .debtor_name = "D",
			.transaction_id = "T",
			.line = { .kind = BOOKING_CREDIT_NOTE, .booking_date = days[i] },
		};
		char d[DATE_FMT_MAX];
		char want[256];
		char *got;

		date_format(d, sizeof(d), days[i]);
		snprintf(want, sizeof(want),
			 "2024-03-ACME-CHF,1,R,D,T,credit_note,%s,0.00,0.00,0.00,0.00,0.00,0.00,"
			 "0.00,0.00\n", d);
		got = csv_row(&row);
		ck_assert_msg(strcmp(got, want) == 0, "day %d: got [%s] want [%s]", (int)days[i],
			      got, want);
		free(got);
		got = xml_line(&row);
		snprintf(want, sizeof(want), "<bookingDate>%s</bookingDate>", d);
		ck_assert_ptr_nonnull(strstr(got, want));
		free(got);
	}
}
END_TEST

/* The escape of one byte at a time that the renderer had before. */
static size_t ref_utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

static void ref_xml_text(char *out, size_t size, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len = 0;

	out[0] = '\0';
	while (*s != '\0') {
		const char *piece = NULL;
		char one[5] = { 0 };
		size_t n;

		switch (*s) {
		case '&': piece = "&amp;"; break;
		case '<': piece = "&lt;"; break;
		case '>': piece = "&gt;"; break;
		case '"': piece = "&quot;"; break;
		case '\t': piece = "&#9;"; break;
		case '\n': piece = "&#10;"; break;
		case '\r': piece = "&#13;"; break;
		default: break;
		}
		n = 1;
		if (piece == NULL && *s < 0x20) {
			piece = "\xef\xbf\xbd";
		} else if (piece == NULL) {
			n = ref_utf8_seq(s);
			if (n == 0) {
				piece = "\xef\xbf\xbd";
				n = 1;
			} else {
				memcpy(one, s, n);
				piece = one;
			}
		}
		ck_assert_uint_lt(len + strlen(piece), size);
		memcpy(out + len, piece, strlen(piece) + 1);
		len += strlen(piece);
		s += n;
	}
}

/* Every byte value alone and inside plain text, and multi-byte sequences
 * valid and not: the same bytes as the reference escape. */
START_TEST(test_xml_escape_as_before)
{
	static const char *const samples[] = {
		"M\xc3\xbcller", "\xe2\x82\xac 5", "\xf0\x9f\x98\x80!", "\xed\xa0\x80x",
		"\xef\xbf\xbe\xef\xbf\xbf", "\xe0\x80\xaf", "\xf4\x90\x80\x80", "\xc3", "a\xc3",
		"\xe2\x82", "\xf0\x9f\x98", "plain text, nothing to escape", "&<>\"'\t\n\r",
	};
	char in[64];
	char want[512];
	char tag[600];

	for (int b = 1; b < 256; b++) {
		struct statement_row row = {
			.case_id = 1, .creditor_reference = "R", .debtor_name = in,
			.transaction_id = "T",
			.line = { .kind = BOOKING_PAYMENT, .booking_date = date_from_ymd(2024, 3, 1) },
		};
		char *got;

		snprintf(in, sizeof(in), "ab%ccd%c", b, b);
		ref_xml_text(want, sizeof(want), in);
		snprintf(tag, sizeof(tag), "<debtorName>%s</debtorName>\n", want);
		got = xml_line(&row);
		ck_assert_msg(strstr(got, tag) != NULL, "byte 0x%02x", b);
		free(got);
	}
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		struct statement_row row = {
			.case_id = 1, .creditor_reference = samples[i], .debtor_name = "D",
			.transaction_id = "T",
			.line = { .kind = BOOKING_PAYMENT, .booking_date = date_from_ymd(2024, 3, 1) },
		};
		char *got;

		ref_xml_text(want, sizeof(want), samples[i]);
		snprintf(tag, sizeof(tag), "<creditorReference>%s</creditorReference>\n", want);
		got = xml_line(&row);
		ck_assert_msg(strstr(got, tag) != NULL, "sample %zu", i);
		free(got);
	}
}
END_TEST

/* A row longer than the renderer's inline buffer (a few KiB) is written
 * whole, in one piece; quotes doubled across the whole length. */
START_TEST(test_long_row)
{
	size_t n = 100000;
	char *name = malloc(n + 1);
	char *want = malloc(2 * n + 256);
	struct statement_row row = {
		.case_id = 7, .creditor_reference = "R", .transaction_id = "T",
		.line = { .kind = BOOKING_PAYMENT, .booking_date = date_from_ymd(2024, 3, 1),
			  .amount = 5 },
	};
	size_t len;
	char *got;

	ck_assert_ptr_nonnull(name);
	ck_assert_ptr_nonnull(want);
	for (size_t i = 0; i < n; i++)
		name[i] = i % 7 == 3 ? '"' : (char)('a' + i % 26);
	name[n] = '\0';
	row.debtor_name = name;
	len = (size_t)snprintf(want, 64, "2024-03-ACME-CHF,7,R,\"");
	for (size_t i = 0; i < n; i++) {
		want[len++] = name[i];
		if (name[i] == '"')
			want[len++] = '"';
	}
	snprintf(want + len, 256,
		 "\",T,payment,2024-03-01,0.05,0.00,0.00,0.00,0.00,0.00,0.00,0.00\n");
	got = csv_row(&row);
	ck_assert_uint_eq(strlen(got), strlen(want));
	ck_assert(strcmp(got, want) == 0);
	free(got);
	got = xml_line(&row);
	ck_assert_ptr_nonnull(strstr(got, "<debtorName>abc&quot;efgh"));
	ck_assert_ptr_nonnull(strstr(got, "</debtorName>\n      <transactionId>T</transactionId>"));
	free(got);
	free(want);
	free(name);
}
END_TEST

Suite *settle_render_suite(void)
{
	Suite *s = suite_create("settle_render");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, test_numbers_as_printf);
	tcase_add_test(tc, test_dates_as_date_format);
	tcase_add_test(tc, test_xml_escape_as_before);
	tcase_add_test(tc, test_long_row);
	suite_add_tcase(s, tc);
	return s;
}
