/* Unit tests for the bank file walk (loader/camt_decode.c, camt_totals.c)
 * through xml_decode, as the loader reads files.
 *
 * Every file under fixtures/bank has a row in fixtures/bank/expected.tsv,
 * written by hand: the records it must give (every field, line and flag)
 * or the refusal (code, line, record, words of the message). Each file is
 * decoded with the read callback getting at most k bytes per call, for k
 * = 1..64 (the good files; a spread of k for the hostile ones) and
 * unbounded, and must give exactly that every time. Then the rules that
 * the fixtures do not reach: forced kinds, the account list, totals in
 * other shapes, limits, constant memory.
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc.h"
#include "decode.h"

Suite *camt_decode_suite(void);

/* Test hook in xml_decode.c. */
void xml_decode_set_read_cap(size_t max_bytes);

#define NO_LIMIT ((uint64_t)1 << 40)
#define CHF_ACCOUNT "CH4431999123000889012"
#define EUR_ACCOUNT "CH9300762011623852957"

static const char *const accounts[] = { CHF_ACCOUNT, EUR_ACCOUNT };

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (b->len + n + 1 > cap)
			cap *= 2;
		b->s = realloc(b->s, cap);
		ck_assert_ptr_nonnull(b->s);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static const char *sb_text(const struct sbuf *b)
{
	return b->s != NULL ? b->s : "";
}

struct result {
	int rc;
	struct err e;
	struct decode_io io;
	enum file_kind kind;
	int kind_calls;
	uint64_t nrec;
	struct sbuf log;      /* one line per record, as expected.tsv writes it */
	uint64_t fail_at;     /* on_record fails at this record */
	long live_base;       /* alloc_live() before the decode */
	long live_peak;       /* its highest value seen in on_record */
};

static struct result R;

static void result_release(void)
{
	free(R.log.s);
	memset(&R, 0, sizeof(R));
}

static int on_kind(void *ctx, enum file_kind kind, struct err *e)
{
	(void)ctx;
	(void)e;
	R.kind = kind;
	R.kind_calls++;
	ck_assert_uint_eq(R.nrec, 0);
	return 0;
}

/* "N<TAB>LINE<TAB>field...<TAB>repeated", "-" for an absent field. */
static int on_record(void *ctx, struct record *r, struct err *e)
{
	size_t n;
	const struct field_def *defs = record_fields(r->kind, &n);
	char head[64];
	bool any = false;

	(void)ctx;
	R.nrec++;
	ck_assert_uint_eq(r->ordinal, R.nrec);
	ck_assert_int_eq(r->kind, KIND_BANK);
	ck_assert(!r->bad_record);
	if (alloc_live() > R.live_peak)
		R.live_peak = alloc_live();
	snprintf(head, sizeof(head), "%llu\t%llu", (unsigned long long)r->ordinal, (unsigned long long)r->line);
	sb_str(&R.log, head);
	for (size_t f = 0; f < n; f++) {
		sb_str(&R.log, "\t");
		if (r->f[f].flags & FIELD_TOO_LONG)
			sb_str(&R.log, "<too long>");
		else if (r->f[f].flags & FIELD_PRESENT)
			sb_add(&R.log, record_value(r, (int)f), r->f[f].len);
		else
			sb_str(&R.log, "-");
	}
	sb_str(&R.log, "\t");
	for (size_t f = 0; f < n; f++) {
		if (!(r->f[f].flags & FIELD_REPEATED))
			continue;
		if (any)
			sb_str(&R.log, ",");
		sb_str(&R.log, defs[f].name);
		any = true;
	}
	sb_str(&R.log, any ? "\n" : "-\n");
	if (R.fail_at == r->ordinal)
		return ERR_SET(e, ERR_DB, "database gone in the test");
	return 0;
}

static int decode_path(const char *path, enum file_kind forced, size_t cap, size_t naccounts)
{
	struct source *src = NULL;
	int rc;

	err_clear(&R.e);
	rc = source_open(&src, path, NO_LIMIT, &R.e);
	ck_assert_msg(rc == 0, "cannot open '%s': %s", path, R.e.message);
	memset(&R.io, 0, sizeof(R.io));
	R.io.src = src;
	R.io.forced_kind = forced;
	R.io.on_kind = on_kind;
	R.io.on_record = on_record;
	R.io.accounts = accounts;
	R.io.naccounts = naccounts;
	R.live_base = R.live_peak = alloc_live();
	xml_decode_set_read_cap(cap);
	R.rc = xml_decode(&R.io, &R.e);
	xml_decode_set_read_cap(0);
	source_free(src);
	ck_assert_uint_eq(R.io.records, R.nrec);
	if (R.rc == ERR_REFUSED) {
		ck_assert_msg(R.e.message[0] != '\0', "a refusal without a message");
		for (const char *p = R.e.message; *p != '\0'; p++)
			ck_assert_msg(*p >= 0x20 && *p < 0x7f, "not plain ASCII: '%s'", R.e.message);
	}
	return R.rc;
}

static char *temp_path(void)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/check_camt_decode.XXXXXX");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
	close(fd);
	return path;
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static int decode_str(const char *xml, enum file_kind forced, size_t naccounts)
{
	char *path = temp_path();
	int rc;

	write_file(path, xml, strlen(xml));
	rc = decode_path(path, forced, 0, naccounts);
	unlink(path);
	return rc;
}

static const char *fixture(const char *name)
{
	static char path[512];
	const char *dir = getenv("FIXTURES_DIR");

	snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : "fixtures", name);
	ck_assert_msg(access(path, R_OK) == 0, "fixture '%s' not found (run from the repository root)", path);
	return path;
}

/* ---- expected.tsv --------------------------------------------------------- */

struct expected {
	bool refused;
	uint64_t records;
	struct sbuf log; /* the record rows, as on_record writes them */
	enum reject_code code;
	uint64_t line, record;
	char text[512];
};

#define MAX_FILES 64

static char files[MAX_FILES][128];
static size_t nfiles;

/* The rows of file (all of them when file is NULL: then only the list of
 * files is made). */
static void expected_read(const char *file, struct expected *x)
{
	FILE *f = fopen(fixture("bank/expected.tsv"), "r");
	char line[4096];

	ck_assert_ptr_nonnull(f);
	if (x != NULL)
		memset(x, 0, sizeof(*x));
	nfiles = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tab = strchr(line, '\t'), *rest, *nl = strchr(line, '\n');

		if (line[0] == '#' || tab == NULL)
			continue;
		if (nl != NULL)
			*nl = '\0';
		*tab = '\0';
		rest = tab + 1;
		if (nfiles == 0 || strcmp(files[nfiles - 1], line) != 0) {
			ck_assert_uint_lt(nfiles, MAX_FILES);
			ck_assert_uint_lt(strlen(line), sizeof(files[0]));
			memcpy(files[nfiles++], line, strlen(line) + 1);
		}
		if (x == NULL || strcmp(line, file) != 0)
			continue;
		if (strncmp(rest, "records\t", 8) == 0) {
			x->records = strtoull(rest + 8, NULL, 10);
		} else if (strncmp(rest, "refused\t", 8) == 0) {
			char code[32];
			unsigned long long ln, rec;
			int used = 0;

			ck_assert_int_eq(sscanf(rest + 8, "%31[^\t]\t%llu\t%llu\t%n", code, &ln, &rec, &used), 3);
			x->refused = true;
			x->code = reject_code_parse(code);
			ck_assert_msg(x->code != RC__COUNT, "expected.tsv: unknown code '%s'", code);
			x->line = ln;
			x->record = rec;
			snprintf(x->text, sizeof(x->text), "%s", rest + 8 + used);
		} else {
			sb_str(&x->log, rest);
			sb_str(&x->log, "\n");
		}
	}
	fclose(f);
}

/* Decode a fixture at read size cap (0: unbounded) and compare with its
 * rows. */
static void check_fixture(const char *file, const struct expected *x, size_t cap)
{
	char path[600];

	snprintf(path, sizeof(path), "bank/%s", file);
	decode_path(fixture(path), KIND_UNKNOWN, cap, 2);
	if (x->refused) {
		ck_assert_msg(R.rc == ERR_REFUSED && R.io.refusal == x->code && R.io.refusal_line == x->line &&
				      R.io.refusal_record == x->record,
			      "%s, %zu-byte reads: %s line %llu record %llu (%s), expected %s line %llu record %llu",
			      file, cap, R.rc == ERR_REFUSED ? reject_code_name(R.io.refusal) : "no refusal",
			      (unsigned long long)R.io.refusal_line, (unsigned long long)R.io.refusal_record,
			      R.e.message, reject_code_name(x->code), (unsigned long long)x->line,
			      (unsigned long long)x->record);
		ck_assert_msg(strstr(R.e.message, x->text) != NULL, "%s: message '%s' lacks '%s'", file, R.e.message,
			      x->text);
	} else {
		ck_assert_msg(R.rc == 0, "%s, %zu-byte reads: %s", file, cap, R.e.message);
		ck_assert_int_eq(R.kind, KIND_BANK);
		ck_assert_int_eq(R.kind_calls, 1);
		ck_assert_msg(R.nrec == x->records, "%s: %llu records, expected %llu", file,
			      (unsigned long long)R.nrec, (unsigned long long)x->records);
		ck_assert_msg(strcmp(sb_text(&R.log), sb_text(&x->log)) == 0,
			      "%s, %zu-byte reads: the records\n%s\nare not the expected\n%s", file, cap, sb_text(&R.log),
			      sb_text(&x->log));
	}
	result_release();
}

START_TEST(test_fixtures)
{
	static const size_t spread[] = { 1, 2, 3, 5, 8, 13, 21, 34, 55, 64 };
	size_t good = 0, bad = 0;

	expected_read(NULL, NULL);
	ck_assert_uint_ge(nfiles, 19);
	for (size_t i = 0; i < nfiles; i++) {
		struct expected x;
		char file[128];

		snprintf(file, sizeof(file), "%s", files[i]);
		expected_read(file, &x);
		check_fixture(file, &x, 0);
		if (!x.refused) {
			for (size_t k = 1; k <= 64; k++)
				check_fixture(file, &x, k);
			good++;
		} else {
			for (size_t k = 0; k < sizeof(spread) / sizeof(spread[0]); k++)
				check_fixture(file, &x, spread[k]);
			bad++;
		}
		free(x.log.s);
	}
	ck_assert_uint_ge(good, 5);
	ck_assert_uint_ge(bad, 14);
}
END_TEST

/* Every file in the folders has its row: none is forgotten. */
START_TEST(test_every_fixture_listed)
{
	static const char *const all[] = {
		"camt053-001-04.xml", "camt053-001-08.xml", "camt054-001-02.xml", "camt054-001-04.xml",
		"camt054-001-08.xml", "bad/after-details.xml", "bad/billion-laughs.xml", "bad/camt052.xml",
		"bad/deep-nesting.xml", "bad/external-entity.xml", "bad/no-iban.xml", "bad/totals-balance.xml",
		"bad/totals-entry.xml", "bad/totals-nboftxs.xml", "bad/totals-ttlamt.xml", "bad/truncated.xml",
		"bad/truncated.xml.gz", "bad/undefined-entity.xml", "bad/wrong-account.xml",
	};

	expected_read(NULL, NULL);
	ck_assert_uint_eq(nfiles, sizeof(all) / sizeof(all[0]));
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		bool found = false;
		char path[300];

		for (size_t j = 0; j < nfiles; j++)
			found = found || strcmp(files[j], all[i]) == 0;
		ck_assert_msg(found, "'%s' has no row in expected.tsv", all[i]);
		snprintf(path, sizeof(path), "bank/%s", all[i]);
		fixture(path);
	}
}
END_TEST

/* A gzip copy gives the same records. */
START_TEST(test_gzip)
{
	struct expected x;
	char *path = temp_path(), buf[4096];
	FILE *in = fopen(fixture("bank/camt053-001-04.xml"), "rb");
	gzFile gz = gzopen(path, "wb");
	size_t n;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(gz);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert_int_eq(gzwrite(gz, buf, (unsigned)n), (int)n);
	fclose(in);
	ck_assert_int_eq(gzclose(gz), Z_OK);
	expected_read("camt053-001-04.xml", &x);
	ck_assert_int_eq(decode_path(path, KIND_UNKNOWN, 0, 2), 0);
	ck_assert_str_eq(sb_text(&R.log), sb_text(&x.log));
	result_release();
	free(x.log.s);
	unlink(path);
}
END_TEST

/* ---- Rules the fixtures do not reach ------------------------------------- */

#define NS54_4 "urn:iso:std:iso:20022:tech:xsd:camt.054.001.04"
#define NS53_4 "urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"
#define DOC54(ns) "<Document xmlns=\"" ns "\"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>M</MsgId></GrpHdr>\n"
#define END54 "</BkToCstmrDbtCdtNtfctn></Document>\n"
#define NTFCTN(iban) "<Ntfctn><Id>N-1</Id><Acct><Id><IBAN>" iban "</IBAN></Id></Acct>\n"
#define STMT_DOC "<Document xmlns=\"" NS53_4 "\"><BkToCstmrStmt>\n<Stmt><Id>S-1</Id><Acct><Id><IBAN>" CHF_ACCOUNT "</IBAN></Id></Acct>\n"
#define BAL(code, amt, dir) "<Bal><Tp><CdOrPrtry><Cd>" code "</Cd></CdOrPrtry></Tp><Amt Ccy=\"CHF\">" amt "</Amt><CdtDbtInd>" dir "</CdtDbtInd></Bal>\n"
#define NTRY(amt, dir, sts) "<Ntry><Amt Ccy=\"CHF\">" amt "</Amt><CdtDbtInd>" dir "</CdtDbtInd><Sts>" sts "</Sts><BookgDt><Dt>2026-11-05</Dt></BookgDt><AcctSvcrRef>R</AcctSvcrRef>\n"
#define TX(amt, dir) "<TxDtls><Amt Ccy=\"CHF\">" amt "</Amt><CdtDbtInd>" dir "</CdtDbtInd></TxDtls>\n"

/* The field of record ord in the log ("-" absent), into buf. */
static const char *field(uint64_t ord, enum bank_field f, char *buf, size_t size)
{
	const char *p = sb_text(&R.log);

	for (uint64_t i = 1; i < ord && p != NULL; i++)
		p = strchr(p, '\n') != NULL ? strchr(p, '\n') + 1 : NULL;
	ck_assert_ptr_nonnull(p);
	for (int i = 0; i < (int)f + 2; i++)
		p = strchr(p, '\t') + 1;
	snprintf(buf, size, "%.*s", (int)strcspn(p, "\t\n"), p);
	return buf;
}

#define ASSERT_FIELD(ord, f, want)                                   \
	do {                                                         \
		char b_[1200];                                       \
		ck_assert_str_eq(field(ord, f, b_, sizeof(b_)), want); \
	} while (0)

#define ASSERT_REFUSED(code, words)                                                                 \
	do {                                                                                        \
		ck_assert_msg(R.rc == ERR_REFUSED && R.io.refusal == (code), "refusal %s, not %s: %s", \
			      reject_code_name(R.io.refusal), reject_code_name(code), R.e.message);  \
		ck_assert_msg(strstr(R.e.message, words) != NULL, "'%s' lacks '%s'", R.e.message, words); \
	} while (0)

START_TEST(test_kinds)
{
	const char *camt = DOC54(NS54_4) NTFCTN(EUR_ACCOUNT) NTRY("1.00", "CRDT", "BOOK") "</Ntry></Ntfctn>" END54;
	char *path;

	/* a bank file forced to be something else, and the other way round */
	decode_str(camt, KIND_CASES, 2);
	ASSERT_REFUSED(RC_FILE_MALFORMED, "the xml root element 'Document' holds bank, not cases");
	ck_assert_uint_eq(R.io.refusal_line, 1);
	result_release();
	decode_str("<caseFile xmlns=\"urn:inkasso:case-file:1\"><case/></caseFile>", KIND_BANK, 2);
	ASSERT_REFUSED(RC_FILE_MALFORMED, "holds cases, not bank");
	result_release();
	ck_assert_int_eq(decode_str(camt, KIND_BANK, 2), 0);
	ck_assert_int_eq(R.kind, KIND_BANK);
	ck_assert_uint_eq(R.nrec, 1);
	result_release();
	/* --kind bank on a CSV file: the CSV decoder refuses it */
	path = temp_path();
	write_file(path, "creditor_id,creditor_reference\nC1,R1\n", 37);
	{
		struct source *src = NULL;

		ck_assert_int_eq(source_open(&src, path, NO_LIMIT, &R.e), 0);
		R.io.src = src;
		R.io.forced_kind = KIND_BANK;
		R.io.on_record = on_record;
		ck_assert_int_eq(csv_decode(&R.io, &R.e), ERR_REFUSED);
		ck_assert_int_eq(R.io.refusal, RC_FILE_MALFORMED);
		ck_assert_ptr_nonnull(strstr(R.e.message, "--kind bank"));
		ck_assert_uint_eq(R.nrec, 0);
		source_free(src);
	}
	unlink(path);
	result_release();
	/* another ISO 20022 root, and a camt document without its message */
	decode_str("<Document xmlns=\"" NS54_4 "\"><BkToCstmrStmt/></Document>", KIND_UNKNOWN, 2);
	ASSERT_REFUSED(RC_FILE_MALFORMED, "a camt.054.001.04 document holds 'BkToCstmrDbtCdtNtfctn'");
	result_release();
	decode_str("<Document xmlns=\"" NS54_4 "\"><BkToCstmrDbtCdtNtfctn><GrpHdr/></BkToCstmrDbtCdtNtfctn></Document>",
		   KIND_UNKNOWN, 2);
	ASSERT_REFUSED(RC_FILE_MALFORMED, "holds no 'Ntfctn'");
	result_release();
	decode_str("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"/>", KIND_UNKNOWN, 2);
	ASSERT_REFUSED(RC_FILE_MALFORMED, "is not a bank file this loader reads");
	result_release();
	/* camt.053.001.02 is read too; a prefix changes nothing */
	ck_assert_int_eq(decode_str("<c:Document xmlns:c=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">"
				    "<c:BkToCstmrStmt><c:Stmt><c:Acct><c:Id><c:IBAN>" CHF_ACCOUNT "</c:IBAN></c:Id></c:Acct>"
				    "<c:Ntry><c:Amt Ccy=\"CHF\">5.00</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd>"
				    "<c:Sts>BOOK</c:Sts></c:Ntry></c:Stmt></c:BkToCstmrStmt></c:Document>",
				    KIND_UNKNOWN, 2),
			 0);
	ck_assert_uint_eq(R.nrec, 1);
	ASSERT_FIELD(1, BF_AMOUNT, "5.00");
	ASSERT_FIELD(1, BF_ENTRY_STATUS, "BOOK");
	result_release();
}
END_TEST

START_TEST(test_accounts)
{
	const char *one = DOC54(NS54_4) NTFCTN(EUR_ACCOUNT) "</Ntfctn>" END54;
	const char *two = DOC54(NS54_4) NTFCTN(EUR_ACCOUNT) NTRY("1.00", "CRDT", "BOOK") "</Ntry></Ntfctn>\n"
		NTFCTN(" CH5604835012345678009 ") NTRY("1.00", "CRDT", "BOOK") "</Ntry></Ntfctn>" END54;

	/* no account configured: every bank file is refused, and it says so */
	decode_str(one, KIND_UNKNOWN, 0);
	ASSERT_REFUSED(RC_FILE_ACCOUNT, "the configuration names no account of the agency");
	ck_assert_ptr_nonnull(strstr(R.e.message, "every bank file is refused"));
	ck_assert_uint_eq(R.io.refusal_line, 2);
	result_release();
	/* a notification without entries is checked at its end */
	ck_assert_int_eq(decode_str(one, KIND_UNKNOWN, 2), 0);
	ck_assert_uint_eq(R.nrec, 0);
	result_release();
	/* each notification of a file is checked; white space around the IBAN is not part of it */
	decode_str(two, KIND_UNKNOWN, 2);
	ASSERT_REFUSED(RC_FILE_ACCOUNT, "the account 'CH5604835012345678009' of the notification 'N-1' (line 5)");
	ck_assert_uint_eq(R.nrec, 1);
	result_release();
}
END_TEST

START_TEST(test_totals)
{
	/* details in both directions add up with their signs */
	ck_assert_int_eq(decode_str(DOC54(NS54_4) NTFCTN(CHF_ACCOUNT) NTRY("70.00", "CRDT", "BOOK")
				    "<NtryDtls><Btch><NbOfTxs>2</NbOfTxs><TtlAmt Ccy=\"CHF\">70.00</TtlAmt></Btch>"
				    TX("100.00", "CRDT") TX("30.00", "DBIT") "</NtryDtls></Ntry></Ntfctn>" END54,
				    KIND_UNKNOWN, 2),
			 0);
	ck_assert_uint_eq(R.nrec, 2);
	result_release();
	/* a batch given as a sum only: nothing to count, the entry is its record */
	ck_assert_int_eq(decode_str(DOC54(NS54_4) NTFCTN(CHF_ACCOUNT) NTRY("500.00", "CRDT", "BOOK")
				    "<NtryDtls><Btch><NbOfTxs>5</NbOfTxs><TtlAmt Ccy=\"CHF\">500.00</TtlAmt></Btch>"
				    "</NtryDtls></Ntry></Ntfctn>" END54,
				    KIND_UNKNOWN, 2),
			 0);
	ck_assert_uint_eq(R.nrec, 1);
	ASSERT_FIELD(1, BF_AMOUNT, "500.00");
	ASSERT_FIELD(1, BF_BANK_REFERENCE, "R#1");
	result_release();
	/* a total with three decimals cannot be compared: refused */
	ck_assert_int_eq(decode_str(DOC54(NS54_4) NTFCTN(CHF_ACCOUNT) NTRY("10.005", "CRDT", "BOOK")
				    "<NtryDtls><Btch><NbOfTxs>2</NbOfTxs><TtlAmt Ccy=\"CHF\">10.005</TtlAmt></Btch>"
				    "<TxDtls/><TxDtls/></NtryDtls></Ntry></Ntfctn>" END54,
				    KIND_UNKNOWN, 2),
			 ERR_REFUSED);
	ASSERT_REFUSED(RC_FILE_TOTALS, "(NtryDtls/Btch/TtlAmt, line 4) is not an amount: '10.005'");
	result_release();
	/* a record's amount with three decimals is the validator's (BAD_AMOUNT):
	 * the sums it is in are not checked */
	ck_assert_int_eq(decode_str(DOC54(NS54_4) NTFCTN(CHF_ACCOUNT) NTRY("10.005", "CRDT", "BOOK")
				    "<NtryDtls>" TX("10.005", "CRDT") "</NtryDtls></Ntry></Ntfctn>" END54,
				    KIND_UNKNOWN, 2),
			 0);
	ASSERT_FIELD(1, BF_AMOUNT, "10.005");
	result_release();
	/* details without amounts: the entry's amount is not compared, and only
	 * an entry's only record takes the entry's amount */
	ck_assert_int_eq(decode_str(DOC54(NS54_4) NTFCTN(CHF_ACCOUNT) NTRY("9.00", "DBIT", "BOOK")
				    "<NtryDtls><TxDtls/><TxDtls/></NtryDtls></Ntry>\n" NTRY("7.00", "DBIT", "BOOK")
				    "<NtryDtls><TxDtls/></NtryDtls></Ntry></Ntfctn>" END54,
				    KIND_UNKNOWN, 2),
			 0);
	ck_assert_uint_eq(R.nrec, 3);
	ASSERT_FIELD(1, BF_AMOUNT, "-");
	ASSERT_FIELD(2, BF_AMOUNT, "-");
	ASSERT_FIELD(2, BF_BANK_REFERENCE, "R#2");
	ASSERT_FIELD(3, BF_AMOUNT, "7.00");
	ASSERT_FIELD(3, BF_CURRENCY, "CHF");
	ASSERT_FIELD(3, BF_DIRECTION, "DBIT");
	result_release();
	/* NbOfTxs that is no number */
	decode_str(DOC54(NS54_4) NTFCTN(CHF_ACCOUNT) NTRY("1.00", "CRDT", "BOOK")
		   "<NtryDtls><Btch><NbOfTxs>one</NbOfTxs></Btch>" TX("1.00", "CRDT") "</NtryDtls></Ntry></Ntfctn>" END54,
		   KIND_UNKNOWN, 2);
	ASSERT_REFUSED(RC_FILE_TOTALS, "is not a number: 'one'");
	result_release();
}
END_TEST

START_TEST(test_balances)
{
	/* a negative closing balance; a pending entry does not count */
	ck_assert_int_eq(decode_str(STMT_DOC BAL("OPBD", "10.00", "CRDT") BAL("CLBD", "15.50", "DBIT")
				    NTRY("25.50", "DBIT", "BOOK") "</Ntry>" NTRY("99.00", "CRDT", "PDNG")
				    "</Ntry></Stmt></BkToCstmrStmt></Document>",
				    KIND_UNKNOWN, 2),
			 0);
	ck_assert_uint_eq(R.nrec, 2);
	result_release();
	decode_str(STMT_DOC BAL("OPBD", "10.00", "CRDT") BAL("CLBD", "15.50", "DBIT") NTRY("25.50", "DBIT", "BOOK")
		   "</Ntry>" NTRY("99.00", "CRDT", "BOOK") "</Ntry></Stmt></BkToCstmrStmt></Document>",
		   KIND_UNKNOWN, 2);
	ASSERT_REFUSED(RC_FILE_TOTALS, "make CRDT 83.50, but the closing booked balance (CLBD, line 4) is DBIT 15.50");
	ck_assert_uint_eq(R.io.refusal_line, 4);
	ck_assert_uint_eq(R.nrec, 2);
	result_release();
	/* one balance only: nothing to compare */
	ck_assert_int_eq(decode_str(STMT_DOC BAL("CLBD", "1.00", "CRDT") NTRY("5.00", "CRDT", "BOOK")
				    "</Ntry></Stmt></BkToCstmrStmt></Document>",
				    KIND_UNKNOWN, 2),
			 0);
	result_release();
	/* a booked amount that does not read: its record is rejected later, the balance not checked */
	ck_assert_int_eq(decode_str(STMT_DOC BAL("OPBD", "1.00", "CRDT") BAL("CLBD", "1.00", "CRDT")
				    NTRY("5.001", "CRDT", "BOOK") "</Ntry></Stmt></BkToCstmrStmt></Document>",
				    KIND_UNKNOWN, 2),
			 0);
	result_release();
	decode_str(STMT_DOC BAL("OPBD", "1.00", "CRDT") BAL("OPBD", "1.00", "CRDT") "</Stmt></BkToCstmrStmt></Document>",
		   KIND_UNKNOWN, 2);
	ASSERT_REFUSED(RC_FILE_TOTALS, "has a second opening booked balance (OPBD) (line 4)");
	result_release();
	decode_str(STMT_DOC BAL("OPBD", "1,00", "CRDT") "</Stmt></BkToCstmrStmt></Document>", KIND_UNKNOWN, 2);
	ASSERT_REFUSED(RC_FILE_TOTALS, "is not an amount: '1,00'");
	result_release();
	decode_str(STMT_DOC BAL("OPBD", "1.00", "CRDT") BAL("CLBD", "6.00", "CRDT")
		   "<Ntry><Amt Ccy=\"EUR\">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts></Ntry>"
		   "</Stmt></BkToCstmrStmt></Document>",
		   KIND_UNKNOWN, 2);
	ASSERT_REFUSED(RC_FILE_TOTALS, "entry 1 (line 5): its amount is in 'EUR', the statement's opening booked balance in 'CHF'");
	result_release();
}
END_TEST

START_TEST(test_values)
{
	struct sbuf b = { 0 };
	char *long_ref = malloc(2001);

	ck_assert_ptr_nonnull(long_ref);
	memset(long_ref, 'x', 2000);
	long_ref[2000] = '\0';
	/* raw values, a trimmed key, a reference and a date too long, a
	 * foreign element, a detail's own RvslInd, DtTm without a 'T' */
	sb_str(&b, DOC54(NS54_4) NTFCTN(CHF_ACCOUNT)
	       "<Ntry><Amt Ccy=\"CHF\">3.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>false</RvslInd><Sts>BOOK</Sts>"
	       "<BookgDt><DtTm> 2026-11-05 </DtTm></BookgDt><AcctSvcrRef>  N 1 </AcctSvcrRef><NtryDtls>\n"
	       "<TxDtls><Refs><EndToEndId> e2e </EndToEndId></Refs><Amt Ccy=\"CHF\"> 1.00 </Amt><RvslInd>true</RvslInd>"
	       "<SplmtryData><Envlp><x:Amt xmlns:x=\"urn:other\">999.00</x:Amt></Envlp></SplmtryData></TxDtls>\n"
	       "<TxDtls><Refs><AcctSvcrRef>A &amp; B</AcctSvcrRef><EndToEndId>");
	sb_str(&b, long_ref);
	sb_str(&b, "</EndToEndId></Refs><Amt Ccy=\"CHF\">2.00</Amt><RltdPties><Dbtr><Nm>A</Nm><Pty><Nm>B</Nm></Pty>"
		   "</Dbtr></RltdPties></TxDtls>\n<TxDtls><Refs><EndToEndId>");
	sb_str(&b, long_ref);
	sb_str(&b, "</EndToEndId></Refs><Amt Ccy=\"CHF\">0.00</Amt></TxDtls>\n</NtryDtls></Ntry></Ntfctn>" END54);
	ck_assert_int_eq(decode_str(b.s, KIND_UNKNOWN, 2), 0);
	ck_assert_uint_eq(R.nrec, 3);
	ASSERT_FIELD(1, BF_BOOKING_DATE, "2026-11-05");
	ASSERT_FIELD(1, BF_AMOUNT, " 1.00 ");
	ASSERT_FIELD(1, BF_DIRECTION, "CRDT");
	ASSERT_FIELD(1, BF_REVERSAL, "true");
	ASSERT_FIELD(1, BF_END_TO_END_ID, " e2e ");
	ASSERT_FIELD(1, BF_ENTRY_ACCT_SVCR_REF, "  N 1 ");
	ASSERT_FIELD(1, BF_BANK_REFERENCE, "N 1/e2e");
	ASSERT_FIELD(2, BF_REVERSAL, "false");
	ASSERT_FIELD(2, BF_ACCT_SVCR_REF, "A & B");
	ASSERT_FIELD(2, BF_BANK_REFERENCE, "A & B");
	ASSERT_FIELD(2, BF_END_TO_END_ID, "<too long>");
	ASSERT_FIELD(2, BF_DEBTOR_NAME, "A");
	ck_assert_ptr_nonnull(strstr(sb_text(&R.log), "\tdebtor_name\n"));
	ASSERT_FIELD(3, BF_BANK_REFERENCE, "<too long>");
	ASSERT_FIELD(3, BF_DETAIL_ORDINAL, "3");
	result_release();
	free(b.s);
	free(long_ref);
}
END_TEST

START_TEST(test_callback_error)
{
	R.fail_at = 2;
	ck_assert_int_eq(decode_path(fixture("bank/camt054-001-02.xml"), KIND_UNKNOWN, 0, 2), ERR_DB);
	ck_assert_uint_eq(R.nrec, 2);
	ck_assert_str_eq(R.e.message, "database gone in the test");
	ck_assert_int_eq(R.io.refusal, RC__COUNT);
	result_release();
}
END_TEST

/* ---- Limits ----------------------------------------------------------------- */

/* A notification with one entry of n details in a batch, written to a
 * file as it goes. */
static char *write_many(uint64_t n)
{
	char *path = temp_path();
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	fprintf(f, DOC54(NS54_4) NTFCTN(CHF_ACCOUNT) "<Ntry><Amt Ccy=\"CHF\">%llu.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
		   "<Sts>BOOK</Sts><AcctSvcrRef>BIG</AcctSvcrRef><NtryDtls><Btch><NbOfTxs>%llu</NbOfTxs>"
		   "<TtlAmt Ccy=\"CHF\">%llu.00</TtlAmt></Btch>\n",
		(unsigned long long)(n * 3), (unsigned long long)n, (unsigned long long)(n * 3));
	for (uint64_t i = 1; i <= n; i++)
		fprintf(f, "<TxDtls><Refs><EndToEndId>E%llu</EndToEndId></Refs><Amt Ccy=\"CHF\">3.00</Amt>"
			   "<CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Nm>Debtor %llu</Nm></Dbtr></RltdPties>"
			   "</TxDtls>\n", (unsigned long long)i, (unsigned long long)i);
	fputs("</NtryDtls></Ntry></Ntfctn>" END54, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Memory does not grow with the details of an entry: the running sums are
 * kept, not the records (blocks live through the allocator wrapper,
 * libxml2's included, at their highest while records come). */
START_TEST(test_constant_memory)
{
	char *path = write_many(100);
	long small, big;

	ck_assert_int_eq(decode_path(path, KIND_UNKNOWN, 0, 2), 0);
	ck_assert_uint_eq(R.nrec, 100);
	small = R.live_peak - R.live_base;
	result_release();
	unlink(path);
	path = write_many(200000);
	ck_assert_int_eq(decode_path(path, KIND_UNKNOWN, 0, 2), 0);
	ck_assert_uint_eq(R.nrec, 200000);
	big = R.live_peak - R.live_base;
	ck_assert_msg(big <= small + 16, "live blocks: %ld for 100 details, %ld for 200,000", small, big);
	result_release();
	unlink(path);
}
END_TEST

/* A 50 MB text node is refused before libxml2 holds it. */
START_TEST(test_huge_text)
{
	char *path = temp_path(), *chunk = malloc(1u << 20);
	FILE *f = fopen(path, "wb");
	struct timespec t0, t1;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(chunk);
	memset(chunk, 'A', 1u << 20);
	fputs(DOC54(NS54_4) NTFCTN(CHF_ACCOUNT) "<Ntry><AcctSvcrRef>", f);
	for (int i = 0; i < 50; i++)
		ck_assert_uint_eq(fwrite(chunk, 1, 1u << 20, f), 1u << 20);
	fputs("</AcctSvcrRef></Ntry></Ntfctn>" END54, f);
	ck_assert_int_eq(fclose(f), 0);
	free(chunk);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	decode_path(path, KIND_UNKNOWN, 0, 2);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ASSERT_REFUSED(RC_FILE_MALFORMED, "longer than");
	ck_assert_uint_eq(R.io.refusal_line, 3);
	ck_assert_uint_eq(R.io.refusal_record, 0);
	ck_assert_msg(t1.tv_sec - t0.tv_sec < 10, "took %ld s", (long)(t1.tv_sec - t0.tv_sec));
	result_release();
	unlink(path);
}
END_TEST

static void camt_more_tests(TCase *rules, TCase *limits)
{
	tcase_add_test(rules, test_kinds);
	tcase_add_test(rules, test_accounts);
	tcase_add_test(rules, test_totals);
	tcase_add_test(rules, test_balances);
	tcase_add_test(rules, test_values);
	tcase_add_test(rules, test_callback_error);
	tcase_add_test(limits, test_constant_memory);
	tcase_add_test(limits, test_huge_text);
}

Suite *camt_decode_suite(void)
{
	Suite *s = suite_create("camt_decode");
	TCase *tc_fix = tcase_create("camt_fixtures");
	TCase *tc_rules = tcase_create("camt_rules");
	TCase *tc_limits = tcase_create("camt_limits");

	tcase_set_timeout(tc_fix, 300);
	tcase_add_test(tc_fix, test_fixtures);
	tcase_add_test(tc_fix, test_every_fixture_listed);
	tcase_add_test(tc_fix, test_gzip);
	suite_add_tcase(s, tc_fix);
	camt_more_tests(tc_rules, tc_limits);
	suite_add_tcase(s, tc_rules);
	tcase_set_timeout(tc_limits, 120);
	suite_add_tcase(s, tc_limits);
	return s;
}
