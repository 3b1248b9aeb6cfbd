/* statement.c: CSV and XML rendering of statements and of the case list. */
#include "statement.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvout.h"
#include "date.h"
#include "money.h"
#include "utf8.h"

#define CSV_EOL "\n"
/* Bytes of a row kept inside struct rowbuf; a longer row goes to the heap
 * (up to STATEMENT_ROW_MAX). Statement lines are a few hundred bytes, so
 * rendering a line allocates nothing. */
#define ROWBUF_INLINE 2048

void statement_out_init(struct statement_out *out,
			int (*write)(void *ctx, const void *data, size_t len, struct err *e),
			void *ctx)
{
	out->write = write;
	out->ctx = ctx;
	buf_init(&out->row, STATEMENT_ROW_MAX);
}

void statement_out_release(struct statement_out *out)
{
	buf_release(&out->row);
}

/* One rendered XML row, written with a single call to out->write. */
struct rowbuf {
	char *data; /* inline, or the heap once the row outgrew it */
	size_t len;
	size_t cap;
	bool failed; /* sticky: out of memory or over STATEMENT_ROW_MAX */
	char inline_data[ROWBUF_INLINE];
};

static void rowbuf_init(struct rowbuf *b)
{
	b->data = b->inline_data;
	b->len = 0;
	b->cap = sizeof(b->inline_data);
	b->failed = false;
}

static void rowbuf_release(struct rowbuf *b)
{
	if (b->data != b->inline_data)
		free(b->data);
	rowbuf_init(b);
}

/* Make room for n more bytes; false (and failed) when it cannot. */
static bool rowbuf_reserve(struct rowbuf *b, size_t n)
{
	char *p;
	size_t cap;

	if (b->failed)
		return false;
	if (n > STATEMENT_ROW_MAX - b->len) {
		b->failed = true;
		return false;
	}
	if (b->len + n <= b->cap)
		return true;
	cap = b->cap;
	while (cap < b->len + n)
		cap *= 2;
	if (cap > STATEMENT_ROW_MAX)
		cap = STATEMENT_ROW_MAX;
	if (b->data == b->inline_data) {
		p = malloc(cap);
		if (p != NULL)
			memcpy(p, b->data, b->len);
	} else {
		p = realloc(b->data, cap);
	}
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

static void rowbuf_put(struct rowbuf *b, const char *s, size_t n)
{
	if (!rowbuf_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static void rowbuf_putc(struct rowbuf *b, char c)
{
	if (b->len < b->cap && !b->failed && b->len < STATEMENT_ROW_MAX)
		b->data[b->len++] = c;
	else
		rowbuf_put(b, &c, 1);
}

static void rowbuf_puts(struct rowbuf *b, const char *s)
{
	rowbuf_put(b, s, strlen(s));
}

/* Hand the row to the output and release it. */
static int rowbuf_flush(struct rowbuf *b, const struct statement_out *out, struct err *e)
{
	int rc = 0;

	if (b->failed)
		rc = ERR_SET(e, ERR_LIMIT, "statement row larger than %zu bytes or out of memory",
			     STATEMENT_ROW_MAX);
	else if (b->len > 0)
		rc = out->write(out->ctx, b->data, b->len, e);
	rowbuf_release(b);
	return rc;
}

/* ---- numbers: the bytes of "%" PRId64, money_format and date_format,
 * without printf ---- */

/* Decimal digits of v, written backwards ending at end; returns the start. */
static char *u64_digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

static void put_i64(struct rowbuf *b, int64_t v)
{
	char buf[24];
	char *end = buf + sizeof(buf);
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char *p = u64_digits(end, mag);

	if (v < 0)
		*--p = '-';
	rowbuf_put(b, p, (size_t)(end - p));
}

/* Minor units as "-1234.05" (money_format). */
static void put_money(struct rowbuf *b, int64_t v)
{
	char buf[32];
	char *end = buf + sizeof(buf);
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char *p;

	*--end = (char)('0' + mag % 10);
	*--end = (char)('0' + mag / 10 % 10);
	*--end = '.';
	p = u64_digits(end, mag / 100);
	if (v < 0)
		*--p = '-';
	rowbuf_put(b, p, (size_t)(buf + sizeof(buf) - p));
}

/* "YYYY-MM-DD" (date_format); nothing for BOOKING_NO_DATE. */
static void put_date(struct rowbuf *b, int32_t days)
{
	char buf[DATE_FMT_MAX];
	int y, m, d;

	if (days == BOOKING_NO_DATE)
		return;
	date_to_ymd(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		rowbuf_puts(b, date_format(buf, sizeof(buf), days));
		return;
	}
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	rowbuf_put(b, buf, 10);
}

/* ---- CSV ---- */

/* Numbers in a struct buf, the bytes of "%" PRId64, money_format and
 * date_format. */

/* Minor units as "-1234.05" (money_format). */
static int buf_money(struct buf *b, int64_t v, struct err *e)
{
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	const char cents[3] = { '.', (char)('0' + mag / 10 % 10), (char)('0' + mag % 10) };
	int rc = v < 0 ? buf_addch(b, '-', e) : 0;

	if (rc == 0)
		rc = buf_add_i64(b, (int64_t)(mag / 100), e);
	if (rc == 0)
		rc = buf_add(b, cents, sizeof(cents), e);
	return rc;
}

/* "YYYY-MM-DD" (date_format); nothing for BOOKING_NO_DATE. */
static int buf_date(struct buf *b, int32_t days, struct err *e)
{
	char buf[DATE_FMT_MAX];
	int y, m, d;

	if (days == BOOKING_NO_DATE)
		return 0;
	date_to_ymd(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return buf_addstr(b, date_format(buf, sizeof(buf), days), e);
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	return buf_add(b, buf, 10, e);
}

/* ---- CSV ---- */

/* Text fields, each after a ',' (csvout: quoting and the formula rule). */
static int csv_texts(struct buf *b, const char *const *v, size_t n, struct err *e)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = buf_addch(b, ',', e);
		if (rc == 0)
			rc = csvout_add(b, v[i], strlen(v[i]), true, e);
	}
	return rc;
}

/* Amounts, each after a ','. */
static int csv_amounts(struct buf *b, const int64_t *v, size_t n, struct err *e)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = buf_addch(b, ',', e);
		if (rc == 0)
			rc = buf_money(b, v[i], e);
	}
	return rc;
}

/* The row rendered in out->row (rc: how that went) goes to the output in
 * one write; the buffer stays for the next row. */
static int row_done(struct statement_out *out, int rc, struct err *e)
{
	if (rc == ERR_LIMIT)
		rc = ERR_SET(e, ERR_LIMIT, "statement row larger than %zu bytes", STATEMENT_ROW_MAX);
	if (rc == 0)
		rc = out->write(out->ctx, out->row.data, out->row.len, e);
	buf_reset(&out->row);
	return rc;
}

int statement_number(char *buf, size_t size, const char *period,
		     const char *creditor_id, const char *currency, struct err *e)
{
	int n = snprintf(buf, size, "%s-%s-%s", period, creditor_id, currency);

	if (n < 0 || (size_t)n >= size)
		return ERR_SET(e, ERR_LIMIT, "statement number too long");
	return 0;
}

int statement_csv_header(struct statement_out *out, struct err *e)
{
	static const char header[] =
		"statement_number,case_id,creditor_reference,debtor_name,transaction_id,"
		"kind,booking_date,amount,to_fees,to_interest,to_principal,overpaid,"
		"creditor_share,commission,payout_effect" CSV_EOL;

	return out->write(out->ctx, header, sizeof(header) - 1, e);
}

int statement_csv_row(struct statement_out *out, const struct statement_info *info,
		      const struct statement_row *row, struct err *e)
{
	const struct booking_line *l = &row->line;
	const char *const texts[] = { row->creditor_reference, row->debtor_name,
				      row->transaction_id, booking_kind_name(l->kind) };
	const int64_t amounts[] = { l->amount,   l->to_fees,        l->to_interest,
				    l->to_principal, l->overpaid, l->creditor_share,
				    l->commission, l->payout_effect };
	struct buf *b = &out->row;
	int rc;

	buf_reset(b);
	rc = csvout_add(b, info->number, strlen(info->number), true, e);
	if (rc == 0)
		rc = buf_addch(b, ',', e);
	if (rc == 0)
		rc = buf_add_i64(b, row->case_id, e);
	if (rc == 0)
		rc = csv_texts(b, texts, sizeof(texts) / sizeof(texts[0]), e);
	if (rc == 0)
		rc = buf_addch(b, ',', e);
	if (rc == 0)
		rc = buf_date(b, l->booking_date, e);
	if (rc == 0)
		rc = csv_amounts(b, amounts, sizeof(amounts) / sizeof(amounts[0]), e);
	if (rc == 0)
		rc = buf_addstr(b, CSV_EOL, e);
	return row_done(out, rc, e);
}

int statement_cases_header(struct statement_out *out, struct err *e)
{
	static const char header[] =
		"case_id,creditor_reference,debtor_name,status,original_amount,principal,"
		"fees,interest,last_transaction_date" CSV_EOL;

	return out->write(out->ctx, header, sizeof(header) - 1, e);
}

int statement_cases_row(struct statement_out *out, const struct statement_case_row *row,
			struct err *e)
{
	const char *const texts[] = { row->creditor_reference, row->debtor_name, row->status };
	const int64_t amounts[] = { row->original_amount, row->principal, row->fees,
				    row->interest };
	struct buf *b = &out->row;
	int rc;

	buf_reset(b);
	rc = buf_add_i64(b, row->case_id, e);
	if (rc == 0)
		rc = csv_texts(b, texts, sizeof(texts) / sizeof(texts[0]), e);
	if (rc == 0)
		rc = csv_amounts(b, amounts, sizeof(amounts) / sizeof(amounts[0]), e);
	if (rc == 0)
		rc = buf_addch(b, ',', e);
	if (rc == 0)
		rc = buf_date(b, row->last_transaction_date, e);
	if (rc == 0)
		rc = buf_addstr(b, CSV_EOL, e);
	return row_done(out, rc, e);
}

/* ---- XML ---- */

/* Length of the UTF-8 sequence at s that XML allows (1-4), or 0. */
static size_t xml_char_seq(const unsigned char *s)
{
	size_t n = utf8_seq(s, (size_t)-1); /* s is NUL-terminated */

	/* U+FFFE and U+FFFF are well formed but not XML characters */
	if (n == 3 && s[0] == 0xef && s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf))
		return 0;
	return n;
}

/* Bytes written as they are in XML character data: printable ASCII other
 * than the five that are escaped. */
static bool xml_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '&' && c != '<' && c != '>' && c != '"';
}

/* Escaped character data, usable in text and in double-quoted attributes. */
static void xml_text(struct rowbuf *b, const char *str)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *s = (const unsigned char *)str;

	while (*s != '\0') {
		const unsigned char *run = s;
		size_t n;

		while (xml_plain(*s))
			s++;
		if (s > run)
			rowbuf_put(b, (const char *)run, (size_t)(s - run));
		if (*s == '\0')
			break;
		switch (*s) {
		case '&': rowbuf_puts(b, "&amp;"); s++; continue;
		case '<': rowbuf_puts(b, "&lt;"); s++; continue;
		case '>': rowbuf_puts(b, "&gt;"); s++; continue;
		case '"': rowbuf_puts(b, "&quot;"); s++; continue;
		case '\t': rowbuf_puts(b, "&#9;"); s++; continue;
		case '\n': rowbuf_puts(b, "&#10;"); s++; continue;
		case '\r': rowbuf_puts(b, "&#13;"); s++; continue;
		default: break;
		}
		if (*s < 0x20) {
			rowbuf_puts(b, replacement);
			s++;
			continue;
		}
		n = xml_char_seq(s);
		if (n == 0) {
			rowbuf_puts(b, replacement);
			s++;
			continue;
		}
		rowbuf_put(b, (const char *)s, n);
		s += n;
	}
}

static void xml_open(struct rowbuf *b, const char *indent, const char *name)
{
	rowbuf_puts(b, indent);
	rowbuf_putc(b, '<');
	rowbuf_puts(b, name);
	rowbuf_putc(b, '>');
}

static void xml_close(struct rowbuf *b, const char *name)
{
	rowbuf_put(b, "</", 2);
	rowbuf_puts(b, name);
	rowbuf_put(b, ">\n", 2);
}

static void xml_elem_text(struct rowbuf *b, const char *indent, const char *name,
			  const char *value)
{
	xml_open(b, indent, name);
	xml_text(b, value);
	xml_close(b, name);
}

/* Numbers need no escaping: digits, '-' and '.'. */
static void xml_elem_money(struct rowbuf *b, const char *indent, const char *name,
			   int64_t v)
{
	xml_open(b, indent, name);
	put_money(b, v);
	xml_close(b, name);
}

static void xml_elem_int(struct rowbuf *b, const char *indent, const char *name, int64_t v)
{
	xml_open(b, indent, name);
	put_i64(b, v);
	xml_close(b, name);
}

static void xml_elem_date(struct rowbuf *b, const char *indent, const char *name,
			  int32_t days)
{
	char buf[DATE_FMT_MAX];

	xml_open(b, indent, name);
	if (days == BOOKING_NO_DATE)
		rowbuf_puts(b, date_format(buf, sizeof(buf), days));
	else
		put_date(b, days);
	xml_close(b, name);
}

static void xml_attr(struct rowbuf *b, const char *name, const char *value)
{
	rowbuf_putc(b, ' ');
	rowbuf_puts(b, name);
	rowbuf_put(b, "=\"", 2);
	xml_text(b, value);
	rowbuf_putc(b, '"');
}

int statement_xml_begin(const struct statement_out *out,
			const struct statement_info *info, struct err *e)
{
	struct rowbuf b;
	const struct statement_portfolio *pf = &info->portfolio;
	char issued[DATE_FMT_MAX];

	rowbuf_init(&b);
	rowbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	rowbuf_puts(&b, "<statement xmlns=\"" STATEMENT_XML_NS "\"");
	xml_attr(&b, "number", info->number);
	xml_attr(&b, "creditorId", info->creditor_id);
	xml_attr(&b, "period", info->period);
	xml_attr(&b, "currency", info->currency);
	xml_attr(&b, "issued", date_format(issued, sizeof(issued), info->issued));
	rowbuf_puts(&b, ">\n  <portfolio>\n");
	xml_elem_int(&b, "    ", "registeredCases", pf->registered_cases);
	xml_elem_money(&b, "    ", "registeredPrincipal", pf->registered_principal);
	xml_elem_int(&b, "    ", "openCases", pf->open_cases);
	xml_elem_money(&b, "    ", "openPrincipal", pf->open_principal);
	xml_elem_int(&b, "    ", "withdrawnCases", pf->withdrawn_cases);
	xml_elem_int(&b, "    ", "paidCases", pf->paid_cases);
	xml_elem_int(&b, "    ", "reopenedCases", pf->reopened_cases);
	rowbuf_puts(&b, "  </portfolio>\n  <lines>\n");
	return rowbuf_flush(&b, out, e);
}

int statement_xml_line(const struct statement_out *out, const struct statement_info *info,
		       const struct statement_row *row, struct err *e)
{
	static const char in[] = "      ";
	struct rowbuf b;
	const struct booking_line *l = &row->line;

	rowbuf_init(&b);
	rowbuf_puts(&b, "    <line>\n");
	xml_elem_text(&b, in, "statementNumber", info->number);
	xml_elem_int(&b, in, "caseId", row->case_id);
	xml_elem_text(&b, in, "creditorReference", row->creditor_reference);
	xml_elem_text(&b, in, "debtorName", row->debtor_name);
	xml_elem_text(&b, in, "transactionId", row->transaction_id);
	xml_elem_text(&b, in, "kind", booking_kind_name(l->kind));
	xml_elem_date(&b, in, "bookingDate", l->booking_date);
	xml_elem_money(&b, in, "amount", l->amount);
	xml_elem_money(&b, in, "toFees", l->to_fees);
	xml_elem_money(&b, in, "toInterest", l->to_interest);
	xml_elem_money(&b, in, "toPrincipal", l->to_principal);
	xml_elem_money(&b, in, "overpaid", l->overpaid);
	xml_elem_money(&b, in, "creditorShare", l->creditor_share);
	xml_elem_money(&b, in, "commission", l->commission);
	xml_elem_money(&b, in, "payoutEffect", l->payout_effect);
	rowbuf_puts(&b, "    </line>\n");
	return rowbuf_flush(&b, out, e);
}

int statement_xml_end(const struct statement_out *out,
		      const struct statement_info *info, struct err *e)
{
	static const char in[] = "    ";
	struct rowbuf b;
	const struct booking_totals *t = &info->totals;

	rowbuf_init(&b);
	rowbuf_puts(&b, "  </lines>\n  <totals>\n");
	xml_elem_money(&b, in, "payments", t->payments);
	xml_elem_money(&b, in, "directPayments", t->direct_payments);
	xml_elem_money(&b, in, "creditNotes", t->credit_notes);
	xml_elem_money(&b, in, "withdrawalFees", t->withdrawal_fees);
	xml_elem_money(&b, in, "creditorShare", t->creditor_share);
	xml_elem_money(&b, in, "commission", t->commission);
	xml_elem_money(&b, in, "vat", t->vat);
	xml_elem_money(&b, in, "netPayout", t->net_payout);
	rowbuf_puts(&b, "  </totals>\n</statement>\n");
	return rowbuf_flush(&b, out, e);
}

char *statement_summary(char *buf, size_t size, const struct statement_info *info)
{
	char amount[MONEY_FMT_MAX];

	snprintf(buf, size, "statement %s: %" PRId64 " lines, net payout %s %s", info->number,
		 info->totals.lines, money_format(amount, sizeof(amount), info->totals.net_payout),
		 info->currency);
	return buf;
}
