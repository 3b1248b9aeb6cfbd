/* check_settle_statement.c: rendering of statement files and the case list
 * (settlement/statement.c): CSV quoting and formula escape, XML escaping,
 * validity against schemas/statement.xsd, determinism. */
#include <check.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "statement.h"

Suite *settle_statement_suite(void); /* for the runner */

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

static int fail_write(void *ctx, const void *data, size_t len, struct err *e)
{
	(void)ctx;
	(void)data;
	(void)len;
	return ERR_SET(e, ERR_IO, "cannot write 'x': no space left on device");
}

static void info_init(struct statement_info *info)
{
	struct err e = ERR_INIT;

	memset(info, 0, sizeof(*info));
	ck_assert_int_eq(statement_number(info->number, sizeof(info->number), "2024-03",
					  "ACME", "CHF", &e), 0);
	snprintf(info->creditor_id, sizeof(info->creditor_id), "ACME");
	snprintf(info->period, sizeof(info->period), "2024-03");
	snprintf(info->currency, sizeof(info->currency), "CHF");
	info->issued = date_from_ymd(2024, 4, 2);
	info->portfolio.registered_cases = 2;
	info->portfolio.registered_principal = 150000;
	info->portfolio.open_cases = 1;
	info->portfolio.open_principal = 55822;
	info->portfolio.withdrawn_cases = 1;
	info->portfolio.paid_cases = 0;
	info->portfolio.reopened_cases = 0;
	info->totals.lines = 2;
	info->totals.direct_payments = 50000;
	info->totals.withdrawal_fees = 5000;
	info->totals.creditor_share = 45000;
	info->totals.commission = 6627;
	info->totals.payout_effect = -16627;
	info->totals.vat = 942;
	info->totals.net_payout = -17569;
}

static struct statement_row row_direct(void)
{
	struct statement_row r = {
		.case_id = 17,
		.creditor_reference = "=HYPERLINK(\"x\")",
		.debtor_name = "M\xc3\xbcller, Anna & <Co> \"AG\"",
		.transaction_id = "-5",
		.line = { .kind = BOOKING_DIRECT_PAYMENT, .booking_date = date_from_ymd(2024, 3, 1),
			  .amount = 50000, .to_fees = 5000, .to_interest = 822,
			  .to_principal = 44178, .overpaid = 0, .creditor_share = 45000,
			  .commission = 6627, .payout_effect = -11627 },
	};
	return r;
}

static struct statement_row row_withdrawal(void)
{
	struct statement_row r = {
		.case_id = 18,
		.creditor_reference = "R-2",
		.debtor_name = "@home\tLtd",
		.transaction_id = "W1",
		.line = { .kind = BOOKING_WITHDRAWAL, .booking_date = date_from_ymd(2024, 3, 31),
			  .withdrawal_fee = 5000, .payout_effect = -5000 },
	};
	return r;
}

START_TEST(test_number)
{
	char buf[STATEMENT_NUMBER_MAX];
	char small[8];
	struct err e = ERR_INIT;

	ck_assert_int_eq(statement_number(buf, sizeof(buf), "2024-03", "ABCDEFGHIJKLMNOP", "NOK",
					  &e), 0);
	ck_assert_str_eq(buf, "2024-03-ABCDEFGHIJKLMNOP-NOK");
	ck_assert_int_eq(statement_number(small, sizeof(small), "2024-03", "A", "NOK", &e),
			 ERR_LIMIT);
}
END_TEST

START_TEST(test_csv)
{
	struct membuf m = { NULL, 0 };
	struct statement_out out;
	struct statement_info info;
	struct statement_row r1 = row_direct();
	struct statement_row r2 = row_withdrawal();
	struct err e = ERR_INIT;

	statement_out_init(&out, mem_write, &m);
	info_init(&info);
	ck_assert_int_eq(statement_csv_header(&out, &e), 0);
	ck_assert_int_eq(statement_csv_row(&out, &info, &r1, &e), 0);
	ck_assert_int_eq(statement_csv_row(&out, &info, &r2, &e), 0);
	ck_assert_str_eq(m.data,
		"statement_number,case_id,creditor_reference,debtor_name,transaction_id,kind,"
		"booking_date,amount,to_fees,to_interest,to_principal,overpaid,creditor_share,"
		"commission,payout_effect\n"
		"2024-03-ACME-CHF,17,\"'=HYPERLINK(\"\"x\"\")\",\"M\xc3\xbcller, Anna & <Co> "
		"\"\"AG\"\"\",'-5,direct_payment,2024-03-01,500.00,50.00,8.22,441.78,0.00,450.00,"
		"66.27,-116.27\n"
		"2024-03-ACME-CHF,18,R-2,'@home\tLtd,W1,withdrawal,2024-03-31,0.00,0.00,0.00,"
		"0.00,0.00,0.00,0.00,-50.00\n");
	statement_out_release(&out);
	free(m.data);
}
END_TEST

/* Every formula lead character, and CR/LF inside a field: csvout's rule,
 * the one of every CSV the engine writes (a field that starts with a tab
 * is quoted too, as in reject reports and receipts). */
START_TEST(test_csv_formula_escape)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "=1+2", "'=1+2" },     { "+41 79", "'+41 79" },  { "-3", "'-3" },
		{ "@SUM(A1)", "'@SUM(A1)" }, { "\tx", "\"'\tx\"" }, { "\rx", "\"'\rx\"" },
		{ "a\nb", "\"a\nb\"" },  { "a=b", "a=b" },         { " =x", " =x" },
		{ "", "" },              { "\"", "\"\"\"\"" },      { "'x", "'x" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct membuf m = { NULL, 0 };
		struct statement_out out;
		struct statement_case_row row = {
			.case_id = 1, .creditor_reference = "R1", .debtor_name = cases[i].in,
			.status = "open", .original_amount = 12345, .principal = 12345,
			.fees = 0, .interest = 7, .last_transaction_date = BOOKING_NO_DATE,
			.payment_reference = "", .stage = "collection",
		};
		char expect[256];
		struct err e = ERR_INIT;

		snprintf(expect, sizeof(expect), "1,R1,%s,open,123.45,123.45,0.00,0.07,,,collection\n",
			 cases[i].out);
		statement_out_init(&out, mem_write, &m);
		ck_assert_int_eq(statement_cases_row(&out, &row, &e), 0);
		statement_out_release(&out);
		ck_assert_msg(strcmp(m.data, expect) == 0, "case %zu: got [%s] want [%s]", i,
			      m.data, expect);
		free(m.data);
	}
}
END_TEST

START_TEST(test_cases_list)
{
	struct membuf m = { NULL, 0 };
	struct statement_out out;
	struct statement_case_row row = {
		.case_id = 42, .creditor_reference = "INV-1", .debtor_name = "Anna",
		.status = "closed", .original_amount = 100000, .principal = 0, .fees = 0,
		.interest = 0, .last_transaction_date = date_from_ymd(2024, 2, 29),
		.payment_reference = "000000000000000000000000420", .stage = "collection",
	};
	struct err e = ERR_INIT;

	statement_out_init(&out, mem_write, &m);
	ck_assert_int_eq(statement_cases_header(&out, &e), 0);
	ck_assert_int_eq(statement_cases_row(&out, &row, &e), 0);
	statement_out_release(&out);
	/* SPEC 9.3 v2: payment_reference and stage last */
	ck_assert_str_eq(m.data, "case_id,creditor_reference,debtor_name,status,original_amount,"
				 "principal,fees,interest,last_transaction_date,payment_reference,stage\n"
				 "42,INV-1,Anna,closed,1000.00,0.00,0.00,0.00,2024-02-29,"
				 "000000000000000000000000420,collection\n");
	free(m.data);
}
END_TEST

static char *render_xml(const struct statement_info *info, const struct statement_row *rows,
			size_t n)
{
	struct membuf m = { NULL, 0 };
	struct statement_out out;
	struct statement_xml x;
	struct err e = ERR_INIT;

	statement_out_init(&out, mem_write, &m);
	ck_assert_int_eq(statement_xml_open(&x, &out, STATEMENT_XML_DOCUMENT, &e), 0);
	ck_assert_int_eq(statement_xml_begin(&x, info, &e), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(statement_xml_line(&x, info, &rows[i], &e), 0);
	ck_assert_int_eq(statement_xml_end(&x, info, &e), 0);
	ck_assert_int_eq(statement_xml_close(&x, &e), 0);
	statement_out_release(&out);
	return m.data;
}

static void silent(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* 0 when doc is valid against schemas/statement.xsd. */
static int validate(const char *xml)
{
	const char *root = getenv("ROOT");
	char path[1024];
	xmlSchemaParserCtxtPtr pctx;
	xmlSchemaPtr schema;
	xmlSchemaValidCtxtPtr vctx;
	xmlDocPtr doc;
	int rc;

	snprintf(path, sizeof(path), "%s/schemas/statement.xsd", root ? root : ".");
	xmlSetGenericErrorFunc(NULL, silent);
	pctx = xmlSchemaNewParserCtxt(path);
	ck_assert_ptr_nonnull(pctx);
	schema = xmlSchemaParse(pctx);
	ck_assert_ptr_nonnull(schema);
	vctx = xmlSchemaNewValidCtxt(schema);
	doc = xmlReadMemory(xml, (int)strlen(xml), "statement.xml", NULL, XML_PARSE_NONET);
	ck_assert_ptr_nonnull(doc);
	rc = xmlSchemaValidateDoc(vctx, doc);
	xmlFreeDoc(doc);
	xmlSchemaFreeValidCtxt(vctx);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pctx);
	xmlSetGenericErrorFunc(NULL, NULL); /* back to the default */
	return rc;
}

START_TEST(test_xml)
{
	struct statement_info info;
	struct statement_row rows[2] = { row_direct(), row_withdrawal() };
	char *xml;
	char *again;

	info_init(&info);
	xml = render_xml(&info, rows, 2);
	ck_assert_ptr_nonnull(strstr(xml,
		"<statement xmlns=\"urn:inkasso:statement:1\" number=\"2024-03-ACME-CHF\" "
		"creditorId=\"ACME\" period=\"2024-03\" currency=\"CHF\" issued=\"2024-04-02\">\n"
		"  <portfolio>\n"
		"    <registeredCases>2</registeredCases>\n"
		"    <registeredPrincipal>1500.00</registeredPrincipal>\n"
		"    <openCases>1</openCases>\n"
		"    <openPrincipal>558.22</openPrincipal>\n"
		"    <withdrawnCases>1</withdrawnCases>\n"
		"    <paidCases>0</paidCases>\n"
		"    <reopenedCases>0</reopenedCases>\n"
		"  </portfolio>\n"
		"  <lines>\n"
		"    <line>\n"
		"      <statementNumber>2024-03-ACME-CHF</statementNumber>\n"
		"      <caseId>17</caseId>\n"
		"      <creditorReference>=HYPERLINK(&quot;x&quot;)</creditorReference>\n"
		"      <debtorName>M\xc3\xbcller, Anna &amp; &lt;Co&gt; &quot;AG&quot;</debtorName>\n"
		"      <transactionId>-5</transactionId>\n"
		"      <kind>direct_payment</kind>\n"
		"      <bookingDate>2024-03-01</bookingDate>\n"
		"      <amount>500.00</amount>\n"));
	ck_assert_ptr_nonnull(strstr(xml, "<debtorName>@home&#9;Ltd</debtorName>"));
	ck_assert_ptr_nonnull(strstr(xml, "<payoutEffect>-116.27</payoutEffect>"));
	ck_assert_ptr_nonnull(strstr(xml,
		"  </lines>\n"
		"  <totals>\n"
		"    <payments>0.00</payments>\n"
		"    <directPayments>500.00</directPayments>\n"
		"    <creditNotes>0.00</creditNotes>\n"
		"    <withdrawalFees>50.00</withdrawalFees>\n"
		"    <creditorShare>450.00</creditorShare>\n"
		"    <commission>66.27</commission>\n"
		"    <vat>9.42</vat>\n"
		"    <netPayout>-175.69</netPayout>\n"
		"  </totals>\n"
		"</statement>\n"));
	ck_assert_int_eq(validate(xml), 0);
	again = render_xml(&info, rows, 2);
	ck_assert_str_eq(xml, again);
	free(again);
	free(xml);
}
END_TEST

/* A statement of this run: its lines go to a spool through a lines
 * writer and the document is framed around the spool's bytes later; the
 * bytes are those of one writer doing it all. Zero lines too. */
START_TEST(test_xml_spooled)
{
	struct statement_info info;
	struct statement_row rows[2] = { row_direct(), row_withdrawal() };
	struct err e = ERR_INIT;

	info_init(&info);
	for (size_t n = 0; n <= 2; n++) {
		struct membuf spool = { NULL, 0 };
		struct membuf file = { NULL, 0 };
		struct statement_out spool_out, file_out;
		struct statement_xml lines, doc;
		char *whole = render_xml(&info, rows, n);

		statement_out_init(&spool_out, mem_write, &spool);
		statement_out_init(&file_out, mem_write, &file);
		ck_assert_int_eq(statement_xml_open(&lines, &spool_out, STATEMENT_XML_LINES, &e), 0);
		for (size_t i = 0; i < n; i++)
			ck_assert_int_eq(statement_xml_line(&lines, &info, &rows[i], &e), 0);
		ck_assert_int_eq(statement_xml_close(&lines, &e), 0);
		ck_assert_int_eq(statement_xml_open(&doc, &file_out, STATEMENT_XML_DOCUMENT, &e), 0);
		ck_assert_int_eq(statement_xml_begin(&doc, &info, &e), 0);
		ck_assert_int_eq(statement_xml_flush(&doc, &e), 0);
		if (spool.len > 0)
			ck_assert_int_eq(mem_write(&file, spool.data, spool.len, &e), 0);
		ck_assert_int_eq(statement_xml_end(&doc, &info, &e), 0);
		ck_assert_int_eq(statement_xml_close(&doc, &e), 0);
		ck_assert_str_eq(file.data, whole);
		if (n == 0)
			ck_assert_ptr_nonnull(strstr(whole, "  <lines>\n  </lines>\n  <totals>\n"));
		else
			ck_assert_uint_eq(spool.len, strlen(strstr(whole, "    <line>\n")) -
							 strlen(strstr(whole, "  </lines>\n")));
		statement_out_release(&spool_out);
		statement_out_release(&file_out);
		free(spool.data);
		free(file.data);
		free(whole);
	}
}
END_TEST

/* A reversal (SPEC 9.1 v2): its payment's line negated, amount excepted;
 * the totals gain reversals, after creditNotes, only in a statement that
 * has one (test_xml: none without); commission, share and VAT may be
 * negative. The schema takes it. */
START_TEST(test_reversal)
{
	struct membuf m = { NULL, 0 };
	struct statement_out out;
	struct statement_info info;
	struct statement_row rows[2] = { row_withdrawal(), row_withdrawal() };
	struct err e = ERR_INIT;
	char *xml;

	rows[0].transaction_id = "BANK-7";
	rows[0].line = (struct booking_line){ .kind = BOOKING_REVERSAL,
		.booking_date = date_from_ymd(2024, 3, 4), .amount = 50000, .to_fees = -5000,
		.to_interest = -822, .to_principal = -44178, .overpaid = -1, .creditor_share = -45000,
		.commission = -6627, .payout_effect = -38373 };
	info_init(&info);
	info.totals.direct_payments = 0;
	info.totals.reversals = 50000;
	info.totals.creditor_share = -45000;
	info.totals.commission = -6627;
	info.totals.payout_effect = -43373;
	info.totals.vat = -132; /* (-6627 + 5000) x 8.10 % = -131.79 */
	info.totals.net_payout = -43241;
	statement_out_init(&out, mem_write, &m);
	ck_assert_int_eq(statement_csv_row(&out, &info, &rows[0], &e), 0);
	ck_assert_str_eq(m.data, "2024-03-ACME-CHF,18,R-2,'@home\tLtd,BANK-7,reversal,2024-03-04,"
				 "500.00,-50.00,-8.22,-441.78,-0.01,-450.00,-66.27,-383.73\n");
	statement_out_release(&out);
	free(m.data);

	xml = render_xml(&info, rows, 2);
	ck_assert_ptr_nonnull(strstr(xml,
		"      <transactionId>BANK-7</transactionId>\n"
		"      <kind>reversal</kind>\n"
		"      <bookingDate>2024-03-04</bookingDate>\n"
		"      <amount>500.00</amount>\n"
		"      <toFees>-50.00</toFees>\n"
		"      <toInterest>-8.22</toInterest>\n"
		"      <toPrincipal>-441.78</toPrincipal>\n"
		"      <overpaid>-0.01</overpaid>\n"
		"      <creditorShare>-450.00</creditorShare>\n"
		"      <commission>-66.27</commission>\n"
		"      <payoutEffect>-383.73</payoutEffect>\n"));
	ck_assert_ptr_nonnull(strstr(xml,
		"  <totals>\n"
		"    <payments>0.00</payments>\n"
		"    <directPayments>0.00</directPayments>\n"
		"    <creditNotes>0.00</creditNotes>\n"
		"    <reversals>500.00</reversals>\n"
		"    <withdrawalFees>50.00</withdrawalFees>\n"
		"    <creditorShare>-450.00</creditorShare>\n"
		"    <commission>-66.27</commission>\n"
		"    <vat>-1.32</vat>\n"
		"    <netPayout>-432.41</netPayout>\n"
		"  </totals>\n"));
	ck_assert_int_eq(validate(xml), 0);
	free(xml);
}
END_TEST

/* Characters XML 1.0 cannot carry become U+FFFD; the document stays valid. */
START_TEST(test_xml_bad_characters)
{
	struct statement_info info;
	struct statement_row row = row_direct();
	char *xml;

	info_init(&info);
	row.debtor_name = "a\x01" "b\xff" "c\xef\xbf\xbe" "d\xc0\xaf" "e\r\n";
	xml = render_xml(&info, &row, 1);
	ck_assert_ptr_nonnull(strstr(xml, "<debtorName>a\xef\xbf\xbd" "b\xef\xbf\xbd"
					  "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
					  "d\xef\xbf\xbd\xef\xbf\xbd"
					  "e&#13;&#10;</debtorName>"));
	ck_assert_int_eq(validate(xml), 0);
	free(xml);
}
END_TEST

/* The schema refuses what is not a statement. */
START_TEST(test_xsd_refuses)
{
	struct statement_info info;
	struct statement_row row = row_direct();
	char *xml;
	char *p;

	info_init(&info);
	xml = render_xml(&info, &row, 1);
	p = strstr(xml, "<amount>500.00</amount>");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "<amount>500.0 </amount>", strlen("<amount>500.0 </amount>"));
	ck_assert_int_ne(validate(xml), 0);
	free(xml);
	xml = render_xml(&info, NULL, 0); /* a statement has at least one line */
	ck_assert_int_ne(validate(xml), 0);
	free(xml);
}
END_TEST

START_TEST(test_write_error_propagates)
{
	struct statement_out out;
	struct statement_xml x;
	struct statement_info info;
	struct statement_row row = row_direct();
	struct err e = ERR_INIT;

	statement_out_init(&out, fail_write, NULL);
	xmlSetGenericErrorFunc(NULL, silent); /* libxml2's own "I/O error" line */
	info_init(&info);
	ck_assert_int_eq(statement_csv_row(&out, &info, &row, &e), ERR_IO);
	ck_assert_str_eq(e.message, "cannot write 'x': no space left on device");
	ck_assert_int_eq(statement_xml_open(&x, &out, STATEMENT_XML_DOCUMENT, &e), 0);
	err_clear(&e);
	ck_assert_int_eq(statement_xml_begin(&x, &info, &e), ERR_IO);
	ck_assert_str_eq(e.message, "cannot write 'x': no space left on device");
	ck_assert_int_eq(statement_xml_close(&x, &e), ERR_IO);
	xmlSetGenericErrorFunc(NULL, NULL);
	statement_out_release(&out);
}
END_TEST

/* A field longer than STATEMENT_ROW_MAX is an error, never truncated. */
START_TEST(test_row_limit)
{
	struct membuf m = { NULL, 0 };
	struct statement_out out;
	struct statement_info info;
	struct statement_row row = row_direct();
	char *big = malloc(STATEMENT_ROW_MAX + 1);
	struct err e = ERR_INIT;

	statement_out_init(&out, mem_write, &m);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', STATEMENT_ROW_MAX);
	big[STATEMENT_ROW_MAX] = '\0';
	row.debtor_name = big;
	info_init(&info);
	ck_assert_int_eq(statement_csv_row(&out, &info, &row, &e), ERR_LIMIT);
	ck_assert_ptr_null(m.data);
	statement_out_release(&out);
	free(big);
}
END_TEST

START_TEST(test_summary)
{
	struct statement_info info;
	char buf[256];

	info_init(&info);
	ck_assert_str_eq(statement_summary(buf, sizeof(buf), &info),
			 "statement 2024-03-ACME-CHF: 2 lines, net payout -175.69 CHF");
}
END_TEST

Suite *settle_statement_suite(void)
{
	Suite *s = suite_create("settle_statement");
	TCase *tc = tcase_create("statement");

	tcase_add_test(tc, test_number);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_csv_formula_escape);
	tcase_add_test(tc, test_cases_list);
	tcase_add_test(tc, test_xml);
	tcase_add_test(tc, test_xml_spooled);
	tcase_add_test(tc, test_reversal);
	tcase_add_test(tc, test_xml_bad_characters);
	tcase_add_test(tc, test_xsd_refuses);
	tcase_add_test(tc, test_write_error_propagates);
	tcase_add_test(tc, test_row_limit);
	tcase_add_test(tc, test_summary);
	suite_add_tcase(s, tc);
	return s;
}
