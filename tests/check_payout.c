/* check_payout.c: the pain.001.001.09 renderer (settlement/payout.c):
 * MsgIds, names made to fit the schema (control characters, malformed
 * UTF-8, 70 characters, idempotent), a whole document byte for byte (EUR
 * with its SEPA service level, escaped and UTF-8 names), CHF without a
 * service level, the amounts a transfer can carry, and an output that
 * fails after every number of bytes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "date.h"
#include "err.h"
#include "payout.h"

Suite *payout_suite(void); /* for the runner */

/* The output: a buffer whose limit stands for a full disk. */
static int out_write(void *ctx, const void *data, size_t len, struct err *e)
{
	if (buf_add(ctx, data, len, e) != 0)
		return ERR_SET(e, ERR_IO, "cannot write 'payout.xml': no space left on device");
	return 0;
}

/* payout_name into a buffer of PAYOUT_NAME_SIZE. */
static const char *name_of(const char *in)
{
	static char out[PAYOUT_NAME_SIZE];

	payout_name(out, sizeof(out), in, "C1");
	return out;
}

START_TEST(test_msgid)
{
	char buf[PAYOUT_MSGID_SIZE];
	char small[8];
	struct err e = ERR_INIT;

	ck_assert_int_eq(payout_msgid(buf, sizeof(buf), "2026-11", "CHF", 1, &e), 0);
	ck_assert_str_eq(buf, "2026-11-CHF-1");
	ck_assert_int_eq(payout_msgid(buf, sizeof(buf), "2026-11", "EUR", 12, &e), 0);
	ck_assert_str_eq(buf, "2026-11-EUR-12");
	ck_assert_int_eq(payout_msgid(buf, sizeof(buf), "2026-11", "EUR", INT64_MAX, &e), 0);
	ck_assert_str_eq(buf, "2026-11-EUR-9223372036854775807");
	ck_assert_int_eq(payout_msgid(small, sizeof(small), "2026-11", "EUR", 12, &e), ERR_LIMIT);
	/* 35 characters at most (Max35Text) */
	ck_assert_int_eq(payout_msgid(buf, sizeof(buf), "2026-11-0000", "EUR", INT64_MAX, &e), ERR_LIMIT);
}
END_TEST

START_TEST(test_name_as_written)
{
	ck_assert_str_eq(name_of("Alpenstrom AG"), "Alpenstrom AG");
	ck_assert_str_eq(name_of("Zürcher Ölmühle & Söhne <AG>"), "Zürcher Ölmühle & Söhne <AG>");
	/* spaces at either end, and control characters (C0, DEL, C1) */
	ck_assert_str_eq(name_of("  Fjord  AS  "), "Fjord  AS");
	ck_assert_str_eq(name_of("A\tB\nC\rD\x7f" "E"), "A B C D E");
	ck_assert_str_eq(name_of("\x01\x02 Name\x1b"), "Name");
	ck_assert_str_eq(name_of("Hygge\xc2\x85Handel"), "Hygge Handel");
	/* malformed UTF-8 and the two non-characters XML refuses */
	ck_assert_str_eq(name_of("Caf\xe9 AG"), "Caf\xef\xbf\xbd AG");
	ck_assert_str_eq(name_of("X\xef\xbf\xbeY\xef\xbf\xbf"), "X\xef\xbf\xbdY\xef\xbf\xbd");
	ck_assert_str_eq(name_of("\xf0\x9f\x98\x80 AB"), "\xf0\x9f\x98\x80 AB");
	/* nothing left: the fallback */
	ck_assert_str_eq(name_of(""), "C1");
	ck_assert_str_eq(name_of(" \t\n "), "C1");
}
END_TEST

/* n copies of the UTF-8 character c */
static char *repeat(const char *c, size_t n)
{
	size_t len = strlen(c);
	char *s = malloc(n * len + 1);

	ck_assert_ptr_nonnull(s);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * len, c, len);
	s[n * len] = '\0';
	return s;
}

START_TEST(test_name_cut)
{
	char *seventy = repeat("\xc3\xb8", 70); /* ø */
	char *eighty = repeat("\xc3\xb8", 80);
	char *spaced = repeat("a", 69);
	char *long_spaced = malloc(200);
	char small[6];

	/* exactly 70 characters stay, more are cut after the 70th */
	ck_assert(!payout_name_is_cut(seventy));
	ck_assert_str_eq(name_of(seventy), seventy);
	ck_assert(payout_name_is_cut(eighty));
	ck_assert_str_eq(name_of(eighty), seventy);
	/* a cut that ends in a space drops it: 69 characters */
	ck_assert_ptr_nonnull(long_spaced);
	snprintf(long_spaced, 200, "%s bcdef", spaced);
	ck_assert(payout_name_is_cut(long_spaced));
	ck_assert_str_eq(name_of(long_spaced), spaced);
	/* trailing spaces are not a cut */
	snprintf(long_spaced, 200, "%s            ", seventy);
	ck_assert(!payout_name_is_cut(long_spaced));
	/* a small buffer: a whole character or none */
	ck_assert_uint_eq(payout_name(small, sizeof(small), "\xc3\x98lm\xc3\xbchle", "C1"), 4);
	ck_assert_str_eq(small, "\xc3\x98lm");
	free(seventy);
	free(eighty);
	free(spaced);
	free(long_spaced);
}
END_TEST

START_TEST(test_name_idempotent)
{
	const char *const names[] = { "Alpenstrom AG", " \x01 x \x02 ", "Caf\xe9\xff AG", "A\xc2\x85 B",
				      "\xef\xbf\xbe", "  ", "ab\tcd" };
	char *long_name = repeat("\xc3\xa6 ", 60); /* "æ æ ..." */

	for (size_t i = 0; i <= sizeof(names) / sizeof(names[0]); i++) {
		char once[PAYOUT_NAME_SIZE], twice[PAYOUT_NAME_SIZE];
		const char *in = i < sizeof(names) / sizeof(names[0]) ? names[i] : long_name;

		payout_name(once, sizeof(once), in, "C1");
		payout_name(twice, sizeof(twice), once, "C1");
		ck_assert_str_eq(once, twice);
		ck_assert(!payout_name_is_cut(once));
	}
	free(long_name);
}
END_TEST

static const struct payout_transfer transfers[] = {
	{ "2026-11-C1-EUR", 40157, "Zürcher Ölmühle & Söhne <AG>", "CH9300762011623852957" },
	{ "2026-11-N1-EUR", 99999999999, "Bjørnøya \"Kraft\" AS", "NO9386011117947" },
};

static void header_init(struct payout_header *h, const char *currency)
{
	memset(h, 0, sizeof(*h));
	h->msgid = strcmp(currency, "EUR") == 0 ? "2026-11-EUR-2" : "2026-11-CHF-1";
	h->currency = currency;
	h->as_of = date_from_ymd(2026, 12, 5);
	h->debtor_name = "Inkasso Test AG";
	h->debtor_iban = "CH9300762011623852957";
	h->debtor_bic = "POFICHBEXXX";
	h->transfers = 2;
	h->control_sum = 40157 + 99999999999;
}

/* A document of the two transfers; rc of the first call that fails. */
static int render(struct buf *out, const char *currency, struct err *e)
{
	struct payout_header h;
	struct payout_xml x = { .w = NULL };
	int rc;

	header_init(&h, currency);
	rc = payout_xml_open(&x, out_write, out, &h, e);
	for (size_t i = 0; i < 2 && rc == 0; i++)
		rc = payout_xml_transfer(&x, &transfers[i], e);
	if (rc == 0)
		rc = payout_xml_end(&x, e);
	payout_xml_close(&x);
	if (rc == 0) {
		ck_assert_int_eq(x.transfers, 2);
		ck_assert_int_eq(x.sum, h.control_sum);
	}
	return rc;
}

static const char eur_document[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\">\n"
	"  <CstmrCdtTrfInitn>\n"
	"    <GrpHdr>\n"
	"      <MsgId>2026-11-EUR-2</MsgId>\n"
	"      <CreDtTm>2026-12-05T00:00:00</CreDtTm>\n"
	"      <NbOfTxs>2</NbOfTxs>\n"
	"      <CtrlSum>1000000401.56</CtrlSum>\n"
	"      <InitgPty>\n"
	"        <Nm>Inkasso Test AG</Nm>\n"
	"      </InitgPty>\n"
	"    </GrpHdr>\n"
	"    <PmtInf>\n"
	"      <PmtInfId>2026-11-EUR-2</PmtInfId>\n"
	"      <PmtMtd>TRF</PmtMtd>\n"
	"      <BtchBookg>false</BtchBookg>\n"
	"      <NbOfTxs>2</NbOfTxs>\n"
	"      <CtrlSum>1000000401.56</CtrlSum>\n"
	"      <PmtTpInf>\n"
	"        <SvcLvl>\n"
	"          <Cd>SEPA</Cd>\n"
	"        </SvcLvl>\n"
	"      </PmtTpInf>\n"
	"      <ReqdExctnDt>\n"
	"        <Dt>2026-12-05</Dt>\n"
	"      </ReqdExctnDt>\n"
	"      <Dbtr>\n"
	"        <Nm>Inkasso Test AG</Nm>\n"
	"      </Dbtr>\n"
	"      <DbtrAcct>\n"
	"        <Id>\n"
	"          <IBAN>CH9300762011623852957</IBAN>\n"
	"        </Id>\n"
	"        <Ccy>EUR</Ccy>\n"
	"      </DbtrAcct>\n"
	"      <DbtrAgt>\n"
	"        <FinInstnId>\n"
	"          <BICFI>POFICHBEXXX</BICFI>\n"
	"        </FinInstnId>\n"
	"      </DbtrAgt>\n"
	"      <ChrgBr>SLEV</ChrgBr>\n"
	"      <CdtTrfTxInf>\n"
	"        <PmtId>\n"
	"          <EndToEndId>2026-11-C1-EUR</EndToEndId>\n"
	"        </PmtId>\n"
	"        <Amt>\n"
	"          <InstdAmt Ccy=\"EUR\">401.57</InstdAmt>\n"
	"        </Amt>\n"
	"        <Cdtr>\n"
	"          <Nm>Zürcher Ölmühle &amp; Söhne &lt;AG&gt;</Nm>\n"
	"        </Cdtr>\n"
	"        <CdtrAcct>\n"
	"          <Id>\n"
	"            <IBAN>CH9300762011623852957</IBAN>\n"
	"          </Id>\n"
	"        </CdtrAcct>\n"
	"        <RmtInf>\n"
	"          <Ustrd>Statement 2026-11-C1-EUR</Ustrd>\n"
	"        </RmtInf>\n"
	"      </CdtTrfTxInf>\n"
	"      <CdtTrfTxInf>\n"
	"        <PmtId>\n"
	"          <EndToEndId>2026-11-N1-EUR</EndToEndId>\n"
	"        </PmtId>\n"
	"        <Amt>\n"
	"          <InstdAmt Ccy=\"EUR\">999999999.99</InstdAmt>\n"
	"        </Amt>\n"
	"        <Cdtr>\n"
	"          <Nm>Bjørnøya &quot;Kraft&quot; AS</Nm>\n"
	"        </Cdtr>\n"
	"        <CdtrAcct>\n"
	"          <Id>\n"
	"            <IBAN>NO9386011117947</IBAN>\n"
	"          </Id>\n"
	"        </CdtrAcct>\n"
	"        <RmtInf>\n"
	"          <Ustrd>Statement 2026-11-N1-EUR</Ustrd>\n"
	"        </RmtInf>\n"
	"      </CdtTrfTxInf>\n"
	"    </PmtInf>\n"
	"  </CstmrCdtTrfInitn>\n"
	"</Document>\n";

START_TEST(test_document)
{
	struct buf out;
	struct err e = ERR_INIT;

	buf_init(&out, 1 << 20);
	ck_assert_int_eq(render(&out, "EUR", &e), 0);
	ck_assert_str_eq(out.data, eur_document);
	buf_release(&out);
}
END_TEST

/* The SEPA service level is for euro only; otherwise the same. */
START_TEST(test_chf_document)
{
	struct buf out;
	struct err e = ERR_INIT;

	buf_init(&out, 1 << 20);
	ck_assert_int_eq(render(&out, "CHF", &e), 0);
	ck_assert_ptr_null(strstr(out.data, "PmtTpInf"));
	ck_assert_ptr_nonnull(strstr(out.data, "<InstdAmt Ccy=\"CHF\">401.57</InstdAmt>"));
	ck_assert_ptr_nonnull(strstr(out.data, "<MsgId>2026-11-CHF-1</MsgId>"));
	ck_assert_ptr_nonnull(strstr(out.data, "<Ccy>CHF</Ccy>\n      </DbtrAcct>"));
	ck_assert_uint_eq(out.len, strlen(eur_document) - strlen("      <PmtTpInf>\n        <SvcLvl>\n"
							       "          <Cd>SEPA</Cd>\n"
							       "        </SvcLvl>\n      </PmtTpInf>\n"));
	buf_release(&out);
}
END_TEST

/* 0.01 to 999999999.99, nothing else */
START_TEST(test_amounts)
{
	const int64_t bad[] = { 0, -1, -40157, PAYOUT_AMOUNT_MAX + 1, INT64_MAX };
	struct buf out;
	struct payout_header h;
	struct payout_xml x = { .w = NULL };
	struct err e = ERR_INIT;

	buf_init(&out, 1 << 20);
	header_init(&h, "CHF");
	ck_assert_int_eq(payout_xml_open(&x, out_write, &out, &h, &e), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct payout_transfer t = transfers[0];

		t.amount = bad[i];
		ck_assert_int_eq(payout_xml_transfer(&x, &t, &e), ERR_LIMIT);
		ck_assert_ptr_nonnull(strstr(e.message, "statement '2026-11-C1-EUR'"));
	}
	ck_assert_int_eq(x.transfers, 0);
	{
		struct payout_transfer t = transfers[0];

		t.amount = 1;
		ck_assert_int_eq(payout_xml_transfer(&x, &t, &e), 0);
	}
	ck_assert_int_eq(payout_xml_end(&x, &e), 0);
	payout_xml_close(&x);
	ck_assert_ptr_nonnull(strstr(out.data, "<InstdAmt Ccy=\"CHF\">0.01</InstdAmt>"));
	buf_release(&out);
}
END_TEST

/* An output that fails after every number of bytes: the output's error
 * comes back (never a success, never another message), nothing leaks
 * (LeakSanitizer in the sanitizer build). */
START_TEST(test_write_fails)
{
	size_t full = strlen(eur_document);

	for (size_t n = 0; n < full; n++) {
		struct buf out;
		struct err e = ERR_INIT;

		buf_init(&out, n);
		ck_assert_int_eq(render(&out, "EUR", &e), ERR_IO);
		ck_assert_str_eq(e.message, "cannot write 'payout.xml': no space left on device");
		buf_release(&out);
	}
}
END_TEST

START_TEST(test_close_unopened)
{
	struct payout_xml x = { .w = NULL };

	payout_xml_close(&x);
	payout_xml_close(&x);
}
END_TEST

Suite *payout_suite(void)
{
	Suite *s = suite_create("payout");
	TCase *tc = tcase_create("pain001");

	tcase_add_test(tc, test_msgid);
	tcase_add_test(tc, test_name_as_written);
	tcase_add_test(tc, test_name_cut);
	tcase_add_test(tc, test_name_idempotent);
	tcase_add_test(tc, test_document);
	tcase_add_test(tc, test_chf_document);
	tcase_add_test(tc, test_amounts);
	tcase_add_test(tc, test_write_fails);
	tcase_add_test(tc, test_close_unopened);
	suite_add_tcase(s, tc);
	return s;
}
