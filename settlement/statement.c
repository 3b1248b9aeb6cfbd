/* statement.c: CSV and XML rendering of statements and of the case list
 * (statement.h). */
#include "statement.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "csvout.h"
#include "date.h"
#include "money.h"
#include "utf8.h"

#define CSV_EOL "\n"

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

/* ---- numbers: the bytes of "%" PRId64, money_format and date_format,
 * without printf ---- */

/* Minor units as "-1234.05" (money_format). */
static int put_money(struct buf *b, int64_t v, struct err *e)
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
static int put_date(struct buf *b, int32_t days, struct err *e)
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
			rc = put_money(b, v[i], e);
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
		rc = put_date(b, l->booking_date, e);
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
		"fees,interest,last_transaction_date,payment_reference,stage" CSV_EOL;

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
		rc = put_date(b, row->last_transaction_date, e);
	if (rc == 0) {
		const char *const tail[] = { row->payment_reference, row->stage };

		rc = csv_texts(b, tail, sizeof(tail) / sizeof(tail[0]), e);
	}
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
 * than the four that are escaped. */
static bool xml_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '&' && c != '<' && c != '>' && c != '"';
}

/* Escaped character data, usable in text and in double-quoted attributes
 * (statement.h says which escape). */
static int xml_escape(struct buf *b, const char *str, struct err *e)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *s = (const unsigned char *)str;
	int rc = 0;

	while (*s != '\0' && rc == 0) {
		const unsigned char *run = s;
		const char *esc = NULL;
		size_t n;

		while (xml_plain(*s))
			s++;
		if (s > run)
			rc = buf_add(b, run, (size_t)(s - run), e);
		if (rc != 0 || *s == '\0')
			break;
		switch (*s) {
		case '&': esc = "&amp;"; break;
		case '<': esc = "&lt;"; break;
		case '>': esc = "&gt;"; break;
		case '"': esc = "&quot;"; break;
		case '\t': esc = "&#9;"; break;
		case '\n': esc = "&#10;"; break;
		case '\r': esc = "&#13;"; break;
		default: esc = *s < 0x20 ? replacement : NULL; break;
		}
		n = esc == NULL ? xml_char_seq(s) : 0;
		if (n == 0) {
			rc = buf_addstr(b, esc != NULL ? esc : replacement, e);
			s++;
		} else {
			rc = buf_add(b, s, n, e);
			s += n;
		}
	}
	return rc;
}

/* xmlOutputBuffer's write callback: the bytes go to the statement_out
 * (or to x->capture, or nowhere when muted); the first error is kept in x
 * (libxml2 only sees -1). */
static int xml_write(void *ctx, const char *data, int len)
{
	struct statement_xml *x = ctx;

	if (len <= 0 || (x->mute && x->capture == NULL))
		return len;
	if (x->rc == 0 && x->capture != NULL)
		x->rc = buf_add(x->capture, data, (size_t)len, &x->err);
	else if (x->rc == 0)
		x->rc = x->out->write(x->out->ctx, data, (size_t)len, &x->err);
	return x->rc == 0 ? len : -1;
}

static int xml_close(void *ctx)
{
	(void)ctx;
	return 0;
}

/* The error behind a failed xmlTextWriter call: the output's, or else
 * libxml2 ran out of memory. */
static int xml_failed(struct statement_xml *x, struct err *e)
{
	if (x->rc != 0) {
		if (e != NULL)
			*e = x->err;
		return x->rc;
	}
	return ERR_SET(e, ERR_NOMEM, "out of memory writing a statement's XML");
}

/* <name>content</name>, the content escaped already, in the scratch
 * buffer (out->row). */
static int xml_element(struct statement_xml *x, const char *name, struct err *e)
{
	const struct buf *t = &x->out->row;

	if (xmlTextWriterStartElement(x->w, BAD_CAST name) < 0 ||
	    xmlTextWriterWriteRawLen(x->w, BAD_CAST(t->data != NULL ? t->data : ""), (int)t->len) < 0 ||
	    xmlTextWriterEndElement(x->w) < 0)
		return xml_failed(x, e);
	return 0;
}

/* Numbers need no escaping: digits, '-' and '.'. */
static int xml_int(struct statement_xml *x, const char *name, int64_t v, struct err *e)
{
	int rc;

	buf_reset(&x->out->row);
	rc = buf_add_i64(&x->out->row, v, e);
	return rc == 0 ? xml_element(x, name, e) : rc;
}

static int xml_money(struct statement_xml *x, const char *name, int64_t v, struct err *e)
{
	int rc;

	buf_reset(&x->out->row);
	rc = put_money(&x->out->row, v, e);
	return rc == 0 ? xml_element(x, name, e) : rc;
}

static int xml_attr(struct statement_xml *x, const char *name, const char *value,
		    struct err *e)
{
	const struct buf *t = &x->out->row;
	int rc;

	buf_reset(&x->out->row);
	rc = xml_escape(&x->out->row, value, e);
	if (rc != 0)
		return rc;
	if (xmlTextWriterStartAttribute(x->w, BAD_CAST name) < 0 ||
	    xmlTextWriterWriteRawLen(x->w, BAD_CAST(t->data != NULL ? t->data : ""), (int)t->len) < 0 ||
	    xmlTextWriterEndAttribute(x->w) < 0)
		return xml_failed(x, e);
	return 0;
}

/* Numbers, each its element: counts, or amounts in minor units; an
 * optional one is left out when it is 0. */
struct xml_number {
	const char *name;
	int64_t v;
	bool money;
	bool optional;
};

static int xml_numbers(struct statement_xml *x, const struct xml_number *v, size_t n,
		       struct err *e)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (v[i].optional && v[i].v == 0)
			continue;
		rc = v[i].money ? xml_money(x, v[i].name, v[i].v, e) : xml_int(x, v[i].name, v[i].v, e);
	}
	return rc;
}

/* The elements of a <line>, in order: the CSV's columns (SPEC 9.2). */
static const char *const line_elements[STATEMENT_XML_LINE_VALUES] = {
	"statementNumber", "caseId",      "creditorReference", "debtorName",    "transactionId",
	"kind",            "bookingDate", "amount",            "toFees",        "toInterest",
	"toPrincipal",     "overpaid",    "creditorShare",     "commission",    "payoutEffect",
};

/* Stands for a value in the shape of a line: no name, indentation or
 * escaped text has it. */
#define LINE_MARK '\x01'

/* Just after the <lines> start tag: end the tag with the line break the
 * indenting writer puts there, then write a <line> with LINE_MARK for
 * each value, into x->shape instead of the output. The writer is then as
 * after a line, so that what follows, lines or the end, is indented alike
 * whether the lines come from this writer or from a spool; and each line
 * is that shape with its values in place of the marks (statement.h). */
static int xml_enter_lines(struct statement_xml *x, struct err *e)
{
	static const xmlChar mark[1] = { LINE_MARK };
	size_t n = 0;
	bool ok;

	if (xmlTextWriterWriteRaw(x->w, BAD_CAST "\n") < 0 || xmlTextWriterFlush(x->w) < 0)
		return xml_failed(x, e);
	buf_reset(&x->shape);
	x->capture = &x->shape;
	ok = xmlTextWriterStartElement(x->w, BAD_CAST "line") >= 0;
	for (size_t i = 0; i < STATEMENT_XML_LINE_VALUES && ok; i++)
		ok = xmlTextWriterStartElement(x->w, BAD_CAST line_elements[i]) >= 0 &&
		     xmlTextWriterWriteRawLen(x->w, mark, 1) >= 0 &&
		     xmlTextWriterEndElement(x->w) >= 0;
	ok = ok && xmlTextWriterEndElement(x->w) >= 0 && xmlTextWriterFlush(x->w) >= 0;
	x->capture = NULL;
	if (!ok)
		return xml_failed(x, e);
	for (size_t i = 0; i < x->shape.len; i++)
		if (x->shape.data[i] == LINE_MARK && n < STATEMENT_XML_LINE_VALUES)
			x->hole[n++] = i;
	assert(n == STATEMENT_XML_LINE_VALUES);
	return 0;
}

/* The bytes of the line's shape before value i (i ==
 * STATEMENT_XML_LINE_VALUES: after the last value). */
static int shape_piece(const struct statement_xml *x, size_t i, struct buf *b, struct err *e)
{
	size_t from = i == 0 ? 0 : x->hole[i - 1] + 1;
	size_t to = i == STATEMENT_XML_LINE_VALUES ? x->shape.len : x->hole[i];

	return buf_add(b, x->shape.data + from, to - from, e);
}

int statement_xml_open(struct statement_xml *x, struct statement_out *out,
		       enum statement_xml_at at, struct err *e)
{
	xmlOutputBufferPtr ob;
	int rc;

	memset(x, 0, sizeof(*x));
	x->out = out;
	buf_init(&x->shape, STATEMENT_XML_SHAPE_MAX);
	ob = xmlOutputBufferCreateIO(xml_write, xml_close, x, NULL);
	if (ob == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	x->w = xmlNewTextWriter(ob);
	if (x->w == NULL) {
		xmlOutputBufferClose(ob);
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	}
	if (xmlTextWriterSetIndent(x->w, 1) < 0 ||
	    xmlTextWriterSetIndentString(x->w, BAD_CAST "  ") < 0) {
		rc = xml_failed(x, e);
		statement_xml_close(x, NULL);
		return rc;
	}
	if (at == STATEMENT_XML_LINES) {
		/* the elements around the lines, left out of the output */
		x->mute = true;
		if (xmlTextWriterStartElement(x->w, BAD_CAST "statement") < 0 ||
		    xmlTextWriterStartElement(x->w, BAD_CAST "lines") < 0)
			rc = xml_failed(x, e);
		else
			rc = xml_enter_lines(x, e);
		x->mute = false;
		if (rc != 0) {
			statement_xml_close(x, NULL);
			return rc;
		}
	}
	return 0;
}

int statement_xml_begin(struct statement_xml *x, const struct statement_info *info,
			struct err *e)
{
	const struct statement_portfolio *pf = &info->portfolio;
	char issued[DATE_FMT_MAX];
	const char *const attrs[][2] = {
		{ "xmlns", STATEMENT_XML_NS },
		{ "number", info->number },
		{ "creditorId", info->creditor_id },
		{ "period", info->period },
		{ "currency", info->currency },
		{ "issued", date_format(issued, sizeof(issued), info->issued) },
	};
	const struct xml_number portfolio[] = {
		{ "registeredCases", pf->registered_cases, false, false },
		{ "registeredPrincipal", pf->registered_principal, true, false },
		{ "openCases", pf->open_cases, false, false },
		{ "openPrincipal", pf->open_principal, true, false },
		{ "withdrawnCases", pf->withdrawn_cases, false, false },
		{ "paidCases", pf->paid_cases, false, false },
		{ "reopenedCases", pf->reopened_cases, false, false },
	};
	int rc = 0;

	if (xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(x->w, BAD_CAST "statement") < 0)
		return xml_failed(x, e);
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]) && rc == 0; i++)
		rc = xml_attr(x, attrs[i][0], attrs[i][1], e);
	if (rc == 0 && xmlTextWriterStartElement(x->w, BAD_CAST "portfolio") < 0)
		rc = xml_failed(x, e);
	if (rc == 0)
		rc = xml_numbers(x, portfolio, sizeof(portfolio) / sizeof(portfolio[0]), e);
	if (rc == 0 && (xmlTextWriterEndElement(x->w) < 0 ||
			xmlTextWriterStartElement(x->w, BAD_CAST "lines") < 0))
		rc = xml_failed(x, e);
	if (rc == 0)
		rc = xml_enter_lines(x, e);
	return rc;
}

int statement_xml_line(struct statement_xml *x, const struct statement_info *info,
		       const struct statement_row *row, struct err *e)
{
	const struct booking_line *l = &row->line;
	const char *const texts[] = { row->creditor_reference, row->debtor_name,
				      row->transaction_id, booking_kind_name(l->kind) };
	const int64_t amounts[] = { l->amount,   l->to_fees,        l->to_interest,
				    l->to_principal, l->overpaid, l->creditor_share,
				    l->commission, l->payout_effect };
	struct buf *b = &x->out->row;
	char date[DATE_FMT_MAX];
	size_t v = 0; /* the value being written */
	int rc;

	assert(x->shape.len > 0); /* after begin, or a lines writer */
	buf_reset(b);
	rc = shape_piece(x, v++, b, e);
	if (rc == 0)
		rc = xml_escape(b, info->number, e);
	if (rc == 0)
		rc = shape_piece(x, v++, b, e);
	if (rc == 0)
		rc = buf_add_i64(b, row->case_id, e);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]) && rc == 0; i++) {
		rc = shape_piece(x, v++, b, e);
		if (rc == 0)
			rc = xml_escape(b, texts[i], e);
	}
	if (rc == 0)
		rc = shape_piece(x, v++, b, e);
	if (rc == 0 && l->booking_date == BOOKING_NO_DATE)
		rc = buf_addstr(b, date_format(date, sizeof(date), l->booking_date), e);
	else if (rc == 0)
		rc = put_date(b, l->booking_date, e);
	for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]) && rc == 0; i++) {
		rc = shape_piece(x, v++, b, e);
		if (rc == 0)
			rc = put_money(b, amounts[i], e);
	}
	if (rc == 0)
		rc = shape_piece(x, v, b, e);
	/* the writer holds nothing (xml_enter_lines flushed it): the line
	 * goes straight to the output */
	return row_done(x->out, rc, e);
}

int statement_xml_end(struct statement_xml *x, const struct statement_info *info,
		      struct err *e)
{
	const struct booking_totals *t = &info->totals;
	/* reversals (v2) only in a statement that has some: one without
	 * stays as it was before reversals existed, byte for byte (a
	 * reversal's amount is never 0) */
	const struct xml_number totals[] = {
		{ "payments", t->payments, true, false },
		{ "directPayments", t->direct_payments, true, false },
		{ "creditNotes", t->credit_notes, true, false },
		{ "reversals", t->reversals, true, true },
		{ "withdrawalFees", t->withdrawal_fees, true, false },
		{ "creditorShare", t->creditor_share, true, false },
		{ "commission", t->commission, true, false },
		{ "vat", t->vat, true, false },
		{ "netPayout", t->net_payout, true, false },
	};
	int rc;

	if (xmlTextWriterEndElement(x->w) < 0 || /* lines */
	    xmlTextWriterStartElement(x->w, BAD_CAST "totals") < 0)
		return xml_failed(x, e);
	rc = xml_numbers(x, totals, sizeof(totals) / sizeof(totals[0]), e);
	if (rc == 0 && (xmlTextWriterEndElement(x->w) < 0 || /* totals */
			xmlTextWriterEndDocument(x->w) < 0))
		rc = xml_failed(x, e);
	return rc;
}

int statement_xml_flush(struct statement_xml *x, struct err *e)
{
	if (xmlTextWriterFlush(x->w) < 0)
		return xml_failed(x, e);
	return 0;
}

int statement_xml_close(struct statement_xml *x, struct err *e)
{
	int rc = 0;

	if (x->w == NULL)
		return 0;
	if (xmlTextWriterFlush(x->w) < 0)
		rc = xml_failed(x, e);
	xmlFreeTextWriter(x->w); /* closes the output buffer, writes no end tags */
	x->w = NULL;
	buf_release(&x->shape);
	return rc;
}

char *statement_summary(char *buf, size_t size, const struct statement_info *info)
{
	char amount[MONEY_FMT_MAX];

	snprintf(buf, size, "statement %s: %" PRId64 " lines, net payout %s %s", info->number,
		 info->totals.lines, money_format(amount, sizeof(amount), info->totals.net_payout),
		 info->currency);
	return buf;
}
