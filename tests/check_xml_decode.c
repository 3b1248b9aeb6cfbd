/* Unit tests for loader/xml_decode.c.
 *
 * Documents are written to temporary files and read through the real
 * source, as the loader reads them. Fixtures are read from FIXTURES_DIR
 * (default "fixtures", relative to the repository root where the tests
 * run). Every good document is also replayed with the read callback getting
 * at most k bytes per call for k = 1..64, and must give the same records.
 */
#include <check.h>
#include <errno.h>
#include <libxml/parser.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "decode.h"

Suite *xml_decode_suite(void);

/* Test hook in xml_decode.c. */
void xml_decode_set_read_cap(size_t max_bytes);

#define KEEP 64 /* records kept in detail */
#define NO_LIMIT ((uint64_t)1 << 40)
#define CASE_NS "urn:inkasso:case-file:1"
#define ROOT "<caseFile xmlns=\"" CASE_NS "\">"

struct rec_copy {
	uint64_t ordinal;
	uint64_t line;
	bool bad;
	char problem[128];
	uint8_t flags[RECORD_MAX_FIELDS];
	char *val[RECORD_MAX_FIELDS];
};

struct sbuf {
	char *s;
	size_t len;
	size_t cap;
};

struct result {
	int rc;
	struct err e;
	struct decode_io io;
	enum file_kind kind;
	int kind_calls;
	bool kind_after_record;
	uint64_t nrec;
	uint64_t last_line;
	uint64_t line_mismatches; /* records whose line != ordinal + line_base */
	uint64_t line_base;       /* 0: not checked */
	struct rec_copy rec[KEEP];
	struct sbuf log; /* transcript of every record */
	uint64_t fail_at;        /* on_record fails at this ordinal */
	bool fail_kind;          /* on_kind fails */
};

static struct result R;

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

static void sb_repeat(struct sbuf *b, const char *s, size_t times)
{
	for (size_t i = 0; i < times; i++)
		sb_str(b, s);
}

static void sb_free(struct sbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

static void result_release(void)
{
	for (size_t i = 0; i < KEEP; i++)
		for (size_t f = 0; f < RECORD_MAX_FIELDS; f++)
			free(R.rec[i].val[f]);
	sb_free(&R.log);
	memset(&R, 0, sizeof(R));
}

static int on_kind(void *ctx, enum file_kind kind, struct err *e)
{
	(void)ctx;
	R.kind = kind;
	R.kind_calls++;
	if (R.nrec > 0)
		R.kind_after_record = true;
	if (R.fail_kind)
		return ERR_SET(e, ERR_CONFIG, "kind refused by the test");
	return 0;
}

static int on_record(void *ctx, struct record *r, struct err *e)
{
	size_t n;
	const struct field_def *defs = record_fields(r->kind, &n);
	char line[256];

	(void)ctx;
	R.nrec++;
	R.last_line = r->line;
	ck_assert_uint_eq(r->ordinal, R.nrec);
	ck_assert_int_eq(r->kind, R.kind);
	if (R.line_base > 0 && r->line != r->ordinal + R.line_base)
		R.line_mismatches++;
	if (R.nrec <= KEEP) {
		struct rec_copy *c = &R.rec[R.nrec - 1];

		c->ordinal = r->ordinal;
		c->line = r->line;
		c->bad = r->bad_record;
		snprintf(c->problem, sizeof(c->problem), "%s", r->problem);
		for (size_t f = 0; f < n; f++) {
			c->flags[f] = r->f[f].flags;
			if (r->f[f].flags & FIELD_PRESENT) {
				c->val[f] = strdup(record_value(r, (int)f));
				ck_assert_ptr_nonnull(c->val[f]);
			}
		}
	}
	if (R.nrec <= 4096) {
		snprintf(line, sizeof(line), "record %llu line %llu bad %d '%s'\n",
			 (unsigned long long)r->ordinal, (unsigned long long)r->line, r->bad_record,
			 r->problem);
		sb_str(&R.log, line);
		for (size_t f = 0; f < n; f++) {
			if (r->f[f].flags == 0)
				continue;
			snprintf(line, sizeof(line), "  %s %d '", defs[f].xml_path, r->f[f].flags);
			sb_str(&R.log, line);
			sb_add(&R.log, record_value(r, (int)f), r->f[f].len);
			sb_str(&R.log, "'\n");
		}
	}
	if (R.fail_at == r->ordinal)
		return ERR_SET(e, ERR_DB, "database gone in the test");
	return 0;
}

static int decode_path(const char *path, enum file_kind forced, uint64_t max_bytes)
{
	struct source *src = NULL;
	int rc;

	err_clear(&R.e);
	rc = source_open(&src, path, max_bytes, &R.e);
	ck_assert_msg(rc == 0, "cannot open '%s': %s", path, R.e.message);
	memset(&R.io, 0, sizeof(R.io));
	R.io.src = src;
	R.io.forced_kind = forced;
	R.io.on_kind = on_kind;
	R.io.on_record = on_record;
	R.rc = xml_decode(&R.io, &R.e);
	source_free(src);
	ck_assert_uint_eq(R.io.records, R.nrec);
	if (R.rc == ERR_REFUSED)
		ck_assert_msg(R.e.message[0] != '\0', "a refusal without a message");
	return R.rc;
}

static char *temp_path(void)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/check_xml_decode.XXXXXX");
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

static int decode_mem(const char *data, size_t len, enum file_kind forced)
{
	char *path = temp_path();
	int rc;

	write_file(path, data, len);
	rc = decode_path(path, forced, NO_LIMIT);
	unlink(path);
	return rc;
}

static int decode_str(const char *xml)
{
	return decode_mem(xml, strlen(xml), KIND_UNKNOWN);
}

static const char *fixture(const char *name)
{
	static char path[512];
	const char *dir = getenv("FIXTURES_DIR");

	snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : "fixtures", name);
	ck_assert_msg(access(path, R_OK) == 0, "fixture '%s' not found (run from the repository root)", path);
	return path;
}

/* The value of a field of a kept record, or NULL when absent. */
static const char *val(uint64_t ordinal, const char *xml_path)
{
	int f = record_field_by_xml_path(R.kind, xml_path);

	ck_assert_msg(f >= 0, "no field '%s'", xml_path);
	ck_assert_uint_ge(ordinal, 1);
	ck_assert_uint_le(ordinal, R.nrec < KEEP ? R.nrec : KEEP);
	return R.rec[ordinal - 1].val[f];
}

static uint8_t flags(uint64_t ordinal, const char *xml_path)
{
	int f = record_field_by_xml_path(R.kind, xml_path);

	ck_assert_int_ge(f, 0);
	return R.rec[ordinal - 1].flags[f];
}

#define ASSERT_VAL(ord, path, want)                                                      \
	do {                                                                             \
		const char *got_ = val(ord, path);                                       \
		ck_assert_msg(got_ != NULL, "record %d: '%s' absent", (int)(ord), path); \
		ck_assert_str_eq(got_, want);                                            \
	} while (0)
#define ASSERT_ABSENT(ord, path) ck_assert_ptr_null(val(ord, path))

#define ASSERT_REFUSED(code, line, record)                                                  \
	do {                                                                                \
		ck_assert_int_eq(R.rc, ERR_REFUSED);                                        \
		ck_assert_msg(R.io.refusal == (code), "refusal %s, expected %s (%s)",       \
			      reject_code_name(R.io.refusal), reject_code_name(code),       \
			      R.e.message);                                                 \
		if ((line) > 0)                                                             \
			ck_assert_uint_eq(R.io.refusal_line, (uint64_t)(line));             \
		ck_assert_uint_eq(R.io.refusal_record, (uint64_t)(record));                 \
	} while (0)

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- Good files -------------------------------------------------------- */

START_TEST(test_cases_good_fixture)
{
	static const uint64_t lines[] = { 6, 35, 57, 81, 106, 131 };

	ck_assert_int_eq(decode_path(fixture("xml/cases-good.xml"), KIND_UNKNOWN, NO_LIMIT), 0);
	ck_assert_int_eq(R.kind, KIND_CASES);
	ck_assert_int_eq(R.kind_calls, 1);
	ck_assert(!R.kind_after_record);
	ck_assert_uint_eq(R.nrec, 6);
	for (size_t i = 0; i < 6; i++) {
		ck_assert_uint_eq(R.rec[i].ordinal, i + 1);
		ck_assert_uint_eq(R.rec[i].line, lines[i]);
		ck_assert_msg(!R.rec[i].bad, "record %zu: %s", i + 1, R.rec[i].problem);
	}
	ck_assert_uint_eq(R.io.lines, 156); /* 155 lines, the last ended by a line feed */
	ck_assert_int_eq(R.io.refusal, RC__COUNT);

	ASSERT_VAL(1, "creditorId", "C1");
	ASSERT_VAL(1, "creditorReference", "C1-2025-0001");
	ASSERT_VAL(1, "debtor/@type", "person");
	ASSERT_VAL(1, "debtor/name", "Anna Müller");
	ASSERT_VAL(1, "debtor/nationalId", "756.9217.0769.85");
	ASSERT_VAL(1, "debtor/birthDate", "1980-04-12");
	ASSERT_VAL(1, "debtor/address/street", "Bahnhofstrasse 12");
	ASSERT_VAL(1, "debtor/address/postalCode", "8001");
	ASSERT_VAL(1, "debtor/address/city", "Zürich");
	ASSERT_VAL(1, "debtor/address/country", "CH");
	ASSERT_VAL(1, "debtor/email", "anna.mueller@example.ch");
	ASSERT_VAL(1, "debtor/phone", "+41 44 123 45 67");
	ASSERT_VAL(1, "invoice/number", "R-10001");
	ASSERT_VAL(1, "invoice/date", "2025-01-15");
	ASSERT_VAL(1, "invoice/dueDate", "2025-02-14");
	ASSERT_VAL(1, "invoice/amount", "1250.50");
	ASSERT_VAL(1, "invoice/amount/@currency", "CHF");
	ASSERT_VAL(1, "invoice/paidAmount", "250.50");
	ASSERT_VAL(1, "invoice/feeAmount", "0.00");
	ASSERT_VAL(1, "invoice/interestAmount", "0");
	ASSERT_VAL(1, "claimType", "goods");
	ASSERT_VAL(1, "disputed", "false");
	ASSERT_VAL(1, "reminderDate", "2025-03-01");

	ASSERT_VAL(2, "debtor/name", "Gebrüder Keller & Co. AG");
	ASSERT_VAL(2, "debtor/@type", "company");
	ASSERT_ABSENT(2, "debtor/email");
	ASSERT_ABSENT(2, "debtor/birthDate");
	ASSERT_ABSENT(2, "reminderDate");
	ck_assert_int_eq(flags(2, "debtor/email"), 0);
	ASSERT_VAL(3, "debtor/address/postalCode", "113 51");
	ASSERT_VAL(3, "invoice/amount/@currency", "SEK");
	ASSERT_VAL(4, "debtor/name", "Bjørn Håkonsen");
	ASSERT_VAL(4, "invoice/amount/@currency", "NOK");
	ASSERT_VAL(5, "debtor/name", "Berg & Søn ApS");
	ASSERT_VAL(5, "invoice/amount/@currency", "DKK");
	ASSERT_VAL(6, "debtor/address/street", "Nørregade 7, 2. tv.");
	result_release();
}
END_TEST

START_TEST(test_transactions_good_fixture)
{
	ck_assert_int_eq(decode_path(fixture("xml/transactions-good.xml"), KIND_UNKNOWN, NO_LIMIT), 0);
	ck_assert_int_eq(R.kind, KIND_TRANSACTIONS);
	ck_assert_int_eq(R.kind_calls, 1);
	ck_assert_uint_eq(R.nrec, 5);
	ck_assert_uint_eq(R.rec[0].line, 6);
	ck_assert_uint_eq(R.rec[4].line, 38);
	ASSERT_VAL(1, "creditorId", "C1");
	ASSERT_VAL(1, "creditorReference", "C1-2025-0001");
	ASSERT_VAL(1, "transactionId", "C1-T-0001");
	ASSERT_VAL(1, "kind", "payment");
	ASSERT_VAL(1, "bookingDate", "2025-04-10");
	ASSERT_VAL(1, "amount", "300.00");
	ASSERT_VAL(1, "amount/@currency", "CHF");
	ASSERT_ABSENT(1, "reason");
	ASSERT_VAL(3, "kind", "direct_payment");
	ASSERT_VAL(5, "kind", "withdrawal");
	ASSERT_ABSENT(5, "amount");
	ASSERT_ABSENT(5, "amount/@currency");
	ASSERT_VAL(5, "reason", "goodwill");
	for (size_t i = 0; i < 5; i++)
		ck_assert(!R.rec[i].bad);
	result_release();
}
END_TEST

/* Elements in any order, raw untrimmed text, entities, CDATA, text split
 * by a comment, an empty element, a start tag over two lines, records on
 * one line. */
static const char doc_liberal[] =
	"<?xml version=\"1.0\"?>\n"                                        /* 1 */
	ROOT "\n"                                                          /* 2 */
	"<case>\n"                                                         /* 3 */
	"<disputed>no</disputed>\n"                                        /* 4 */
	"<invoice><amount currency=\"EUR\">10.5</amount><number>N&amp;1</number></invoice>\n"
	"<debtor type=\"comp&#97;ny\"><address><country>SE</country></address>"
	"<name>  A &lt;B&gt; <![CDATA[<&>]]> Jo<!-- x -->hn  </name><email/></debtor>\n"
	"<creditorId>C1</creditorId>\n"                                    /* 7 */
	"</case>\n"                                                        /* 8 */
	"<case\n"                                                          /* 9 */
	"  ><creditorId>&#x43;&#50;</creditorId></case><case/>\n"          /* 10 */
	"<?pi between records?><!-- comment -->\n"                         /* 11 */
	"</caseFile>\n";

START_TEST(test_liberal_reading)
{
	ck_assert_int_eq(decode_str(doc_liberal), 0);
	ck_assert_int_eq(R.kind, KIND_CASES);
	ck_assert_uint_eq(R.nrec, 3);
	ck_assert_uint_eq(R.rec[0].line, 3);
	ck_assert_uint_eq(R.rec[1].line, 9);
	ck_assert_uint_eq(R.rec[2].line, 10);
	ck_assert_uint_eq(R.io.lines, 13);
	for (size_t i = 0; i < 3; i++)
		ck_assert_msg(!R.rec[i].bad, "record %zu: %s", i + 1, R.rec[i].problem);
	ASSERT_VAL(1, "disputed", "no");
	ASSERT_VAL(1, "invoice/amount", "10.5");
	ASSERT_VAL(1, "invoice/amount/@currency", "EUR");
	ASSERT_VAL(1, "invoice/number", "N&1");
	ASSERT_VAL(1, "debtor/@type", "company");
	ASSERT_VAL(1, "debtor/address/country", "SE");
	ASSERT_VAL(1, "debtor/name", "  A <B> <&> John  ");
	ASSERT_VAL(1, "debtor/email", "");
	ck_assert_int_eq(flags(1, "debtor/email"), FIELD_PRESENT);
	ASSERT_VAL(1, "creditorId", "C1");
	ASSERT_ABSENT(1, "debtor/address/city");
	ASSERT_VAL(2, "creditorId", "C2");
	for (size_t f = 0; f < RECORD_MAX_FIELDS; f++)
		ck_assert_int_eq(R.rec[2].flags[f], 0);
	result_release();
}
END_TEST

START_TEST(test_prefixes_crlf_bom_and_foreign_attributes)
{
	/* A prefix instead of a default namespace, CRLF line ends, a UTF-8
	 * byte order mark, xsi and xml attributes (ignored). */
	static const char doc[] =
		"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
		"<c:caseFile xmlns:c=\"" CASE_NS "\"\r\n"
		"  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\r\n"
		"  xsi:schemaLocation=\"" CASE_NS " case-file.xsd\">\r\n"
		"  <c:case xml:lang=\"de\">\r\n"
		"    <c:creditorId xsi:type=\"x\">C1</c:creditorId>\r\n"
		"  </c:case>\r\n"
		"</c:caseFile>\r\n";

	ck_assert_int_eq(decode_str(doc), 0);
	ck_assert_uint_eq(R.nrec, 1);
	ck_assert_uint_eq(R.rec[0].line, 5);
	ck_assert_msg(!R.rec[0].bad, "%s", R.rec[0].problem);
	ASSERT_VAL(1, "creditorId", "C1");
	result_release();
}
END_TEST

START_TEST(test_empty_root_and_forced_kind)
{
	ck_assert_int_eq(decode_str(ROOT "</caseFile>"), 0);
	ck_assert_int_eq(R.kind, KIND_CASES);
	ck_assert_int_eq(R.kind_calls, 1);
	ck_assert_uint_eq(R.nrec, 0);
	result_release();

	ck_assert_int_eq(decode_str("<transactionFile xmlns=\"urn:inkasso:transaction-file:1\"/>"), 0);
	ck_assert_int_eq(R.kind, KIND_TRANSACTIONS);
	result_release();

	/* SPEC 16: an event file */
	ck_assert_int_eq(decode_str("<eventFile xmlns=\"urn:inkasso:event-file:1\"><event>"
				    "<creditorId>C1</creditorId><creditorReference>R1</creditorReference>"
				    "<eventId>E1</eventId><stage>legal</stage><eventDate>2026-11-05</eventDate>"
				    "</event></eventFile>"), 0);
	ck_assert_int_eq(R.kind, KIND_EVENTS);
	ck_assert_uint_eq(R.nrec, 1);
	ASSERT_VAL(1, "eventId", "E1");
	ASSERT_VAL(1, "stage", "legal");
	ASSERT_VAL(1, "eventDate", "2026-11-05");
	result_release();
	decode_str("<eventFile xmlns=\"urn:inkasso:case-file:1\"/>");
	ASSERT_REFUSED(RC_FILE_MALFORMED, 1, 0);
	result_release();

	/* --kind agrees with the root: fine; disagrees: refused. */
	ck_assert_int_eq(decode_mem(ROOT "<case/></caseFile>", strlen(ROOT "<case/></caseFile>"), KIND_CASES), 0);
	ck_assert_uint_eq(R.nrec, 1);
	result_release();
	decode_mem(ROOT "<case/></caseFile>", strlen(ROOT "<case/></caseFile>"), KIND_TRANSACTIONS);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 1, 0);
	ck_assert_uint_eq(R.nrec, 0);
	ck_assert_int_eq(R.kind_calls, 0);
	result_release();
}
END_TEST

START_TEST(test_declared_encoding_is_ignored)
{
	/* SPEC 2: text is UTF-8. A declared encoding changes nothing. */
	static const char doc[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" ROOT
				  "<case><debtor><name>Zürich</name></debtor></case></caseFile>\n";

	ck_assert_int_eq(decode_str(doc), 0);
	ASSERT_VAL(1, "debtor/name", "Zürich");
	result_release();
}
END_TEST

/* ---- Records with a problem (BAD_RECORD) ------------------------------ */

static const char doc_bad_records[] =
	"<caseFile xmlns=\"" CASE_NS "\" xmlns:o=\"urn:other\">\n"                                    /* 1 */
	"<case><creditorId>C1</creditorId><foo>x<bar/></foo><creditorId>C9</creditorId></case>\n"     /* 2 */
	"<case><debtor type=\"person\" kind=\"x\"><name>A</name></debtor></case>\n"                   /* 3 */
	"<case><o:note>n</o:note><creditorId>C3</creditorId></case>\n"                                /* 4 */
	"<case><debtor>home<name>A</name></debtor></case>\n"                                          /* 5 */
	"<case>text<creditorId>C1</creditorId></case>\n"                                              /* 6 */
	"<case><debtor><name><first>A</first></name></debtor></case>\n"                               /* 7 */
	"<case><invoice/><invoice><number>1</number></invoice></case>\n"                              /* 8 */
	"<case o:x=\"1\"><creditorId xmlns:x=\"urn:x\" x:y=\"2\">C1</creditorId></case>\n"            /* 9 */
	"<case id=\"7\"/>\n"                                                                          /* 10 */
	"<case><creditorId>C1</creditorId><unknownContainer><creditorId>C2</creditorId></unknownContainer></case>\n"
	"<case><creditorId>C1</creditorId></case>\n"                                                  /* 12 */
	"</caseFile>\n";

START_TEST(test_bad_records)
{
	ck_assert_int_eq(decode_str(doc_bad_records), 0);
	ck_assert_uint_eq(R.nrec, 11);
	for (uint64_t i = 0; i < 11; i++)
		ck_assert_uint_eq(R.rec[i].line, i + 2);

	ck_assert(R.rec[0].bad);
	ck_assert_str_eq(R.rec[0].problem, "unknown element 'foo' in case");
	ASSERT_VAL(1, "creditorId", "C1"); /* the first one is kept */
	ck_assert_int_eq(flags(1, "creditorId"), FIELD_PRESENT | FIELD_REPEATED);

	ck_assert(R.rec[1].bad);
	ck_assert_str_eq(R.rec[1].problem, "unknown attribute 'kind' on 'debtor' in case");
	ASSERT_VAL(2, "debtor/@type", "person");
	ASSERT_VAL(2, "debtor/name", "A");

	ck_assert(R.rec[2].bad);
	ck_assert_str_eq(R.rec[2].problem, "element 'note' in case is in a foreign namespace");
	ASSERT_VAL(3, "creditorId", "C3");

	ck_assert(R.rec[3].bad);
	ck_assert_str_eq(R.rec[3].problem, "text directly inside element 'debtor' in case");
	ASSERT_VAL(4, "debtor/name", "A");

	ck_assert(R.rec[4].bad);
	ck_assert_str_eq(R.rec[4].problem, "text directly inside case");

	ck_assert(R.rec[5].bad);
	ck_assert_str_eq(R.rec[5].problem, "unknown element 'first' in case");

	ck_assert(R.rec[6].bad);
	ck_assert_str_eq(R.rec[6].problem, "repeated element 'invoice' in case");
	ASSERT_ABSENT(7, "invoice/number"); /* the repeated subtree is skipped */

	ck_assert_msg(!R.rec[7].bad, "%s", R.rec[7].problem); /* qualified attributes are ignored */
	ASSERT_VAL(8, "creditorId", "C1");

	ck_assert(R.rec[8].bad);
	ck_assert_str_eq(R.rec[8].problem, "unknown attribute 'id' on 'case' in case");

	ck_assert(R.rec[9].bad);
	ck_assert_str_eq(R.rec[9].problem, "unknown element 'unknownContainer' in case");
	ASSERT_VAL(10, "creditorId", "C1");
	ck_assert_int_eq(flags(10, "creditorId"), FIELD_PRESENT);

	ck_assert(!R.rec[10].bad);
	result_release();
}
END_TEST

START_TEST(test_bad_record_fixtures)
{
	decode_path(fixture("bad/xml/unknown-element.xml"), KIND_UNKNOWN, NO_LIMIT);
	ck_assert_int_eq(R.rc, 0);
	ck_assert_uint_eq(R.nrec, 3);
	ck_assert(!R.rec[0].bad && R.rec[1].bad && !R.rec[2].bad);
	ck_assert_str_eq(R.rec[1].problem, "unknown element 'priority' in case");
	ck_assert_uint_eq(R.rec[1].line, 24);
	result_release();

	decode_path(fixture("bad/xml/repeated-element.xml"), KIND_UNKNOWN, NO_LIMIT);
	ck_assert_int_eq(R.rc, 0);
	ck_assert_uint_eq(R.nrec, 3);
	ck_assert(!R.rec[0].bad && R.rec[1].bad && !R.rec[2].bad);
	ck_assert_str_eq(R.rec[1].problem, "repeated element 'name' in case");
	ASSERT_VAL(2, "debtor/name", "Test Debtor 2");
	ck_assert_int_eq(flags(2, "debtor/name"), FIELD_PRESENT | FIELD_REPEATED);
	result_release();

	decode_path(fixture("bad/xml/foreign-element.xml"), KIND_UNKNOWN, NO_LIMIT);
	ck_assert_int_eq(R.rc, 0);
	ck_assert_uint_eq(R.nrec, 2);
	ck_assert(!R.rec[0].bad && R.rec[1].bad);
	result_release();

	decode_path(fixture("bad/xml/xinclude.xml"), KIND_UNKNOWN, NO_LIMIT);
	ck_assert_int_eq(R.rc, 0);
	ck_assert_uint_eq(R.nrec, 1);
	ck_assert(R.rec[0].bad);
	ck_assert_str_eq(R.rec[0].problem, "element 'include' in case is in a foreign namespace");
	result_release();

	decode_path(fixture("bad/xml/mixed-text.xml"), KIND_UNKNOWN, NO_LIMIT);
	ck_assert_int_eq(R.rc, 0);
	ck_assert(R.rec[0].bad);
	result_release();
}
END_TEST

/* ---- The hostile fixtures, by their table ----------------------------- */

static enum reject_code code_by_name(const char *name)
{
	for (int c = 0; c < RC__COUNT; c++)
		if (strcmp(reject_code_name((enum reject_code)c), name) == 0)
			return (enum reject_code)c;
	ck_abort_msg("unknown reject code '%s'", name);
	return RC__COUNT;
}

/* Split a tab-separated line in place into at most max columns. */
static size_t split_tabs(char *line, char **col, size_t max)
{
	size_t n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		char *tab = strchr(line, '\t');

		col[n++] = line;
		if (tab == NULL)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

START_TEST(test_expected_table)
{
	char path[600], line[512];
	char *col[7];
	FILE *f = fopen(fixture("bad/xml/expected.tsv"), "r");
	int rows = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || strncmp(line, "file\t", 5) == 0)
			continue;
		ck_assert_uint_eq(split_tabs(line, col, 7), 7);
		snprintf(path, sizeof(path), "bad/xml/%s", col[0]);
		decode_path(fixture(path), KIND_UNKNOWN, NO_LIMIT);
		if (strcmp(col[1], "refused") == 0) {
			ck_assert_msg(R.rc == ERR_REFUSED, "%s: rc %d", col[0], R.rc);
			ck_assert_msg(R.io.refusal == code_by_name(col[2]), "%s: %s, not %s (%s)", col[0],
				      reject_code_name(R.io.refusal), col[2], R.e.message);
			ck_assert_msg(R.io.refusal_line == strtoull(col[3], NULL, 10), "%s: line %llu, not %s",
				      col[0], (unsigned long long)R.io.refusal_line, col[3]);
			ck_assert_msg(R.io.refusal_record == strtoull(col[4], NULL, 10), "%s: record %llu, not %s",
				      col[0], (unsigned long long)R.io.refusal_record, col[4]);
		} else {
			uint64_t bad = strtoull(col[5], NULL, 10);

			ck_assert_msg(R.rc == 0, "%s: rc %d (%s)", col[0], R.rc, R.e.message);
			ck_assert_msg(R.nrec == strtoull(col[1], NULL, 10), "%s: %llu records", col[0],
				      (unsigned long long)R.nrec);
			for (uint64_t i = 1; i <= R.nrec && i <= KEEP; i++)
				ck_assert_msg(R.rec[i - 1].bad == (i == bad), "%s: record %llu bad %d", col[0],
					      (unsigned long long)i, R.rec[i - 1].bad);
			ck_assert_msg(strstr(col[6], R.rec[bad - 1].problem) == col[6], "%s: problem '%s'", col[0],
				      R.rec[bad - 1].problem);
		}
		result_release();
		rows++;
	}
	fclose(f);
	ck_assert_int_ge(rows, 24);
}
END_TEST

/* ---- Refused files ---------------------------------------------------- */

START_TEST(test_dtd_refused)
{
	static const struct {
		const char *file;
		uint64_t line;
	} files[] = {
		{ "bad/xml/billion-laughs.xml", 2 }, { "bad/xml/xxe-local-file.xml", 2 },
		{ "bad/xml/external-dtd.xml", 2 },   { "bad/xml/parameter-entity.xml", 2 },
		{ "bad/xml/late-doctype.xml", 4 },
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct timespec t0;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		decode_path(fixture(files[i].file), KIND_UNKNOWN, NO_LIMIT);
		ck_assert_msg(seconds_since(&t0) < 2.0, "%s took too long", files[i].file);
		ASSERT_REFUSED(RC_FILE_DTD, files[i].line, 0);
		ck_assert_uint_eq(R.nrec, 0);
		ck_assert_int_eq(R.kind_calls, 0);
		ck_assert_ptr_null(strstr(R.e.message, "root:")); /* nothing of /etc/passwd */
		result_release();
	}
	/* A DOCTYPE inside the document is refused the same way. */
	decode_str(ROOT "\n<case/>\n<!DOCTYPE caseFile>\n</caseFile>\n");
	ASSERT_REFUSED(RC_FILE_DTD, 3, 0);
	result_release();
}
END_TEST

START_TEST(test_malformed_refused)
{
	static const char mismatch[] = ROOT "\n"
				       "<case><creditorId>C1</creditorId></case>\n"
				       "<case><creditorId>C2</creditorId></case>\n"
				       "<case>\n"
				       "<creditorId>C3</creditorID>\n"
				       "</case>\n"
				       "</caseFile>\n";

	decode_str(mismatch);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 5, 3);
	ck_assert_uint_le(R.nrec, 2);
	result_release();

	decode_path(fixture("bad/xml/unclosed-root.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 2102, 0);
	ck_assert_str_eq(R.e.message, "the xml file ends before its root element is closed (cut short?)");
	result_release();

	decode_path(fixture("bad/xml/truncated-in-record.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 32, 2);
	result_release();

	decode_path(fixture("bad/xml/two-roots.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 25, 0);
	result_release();

	/* A namespace error: libxml2 reports it and still returns nodes. */
	decode_path(fixture("bad/xml/undefined-prefix.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 8, 1);
	ck_assert_uint_eq(R.nrec, 0);
	result_release();

	decode_path(fixture("bad/xml/invalid-utf8.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 7, 1);
	ck_assert_str_eq(R.e.message, "the xml file is not valid UTF-8");
	result_release();

	decode_path(fixture("bad/xml/latin1.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 11, 1);
	result_release();

	decode_path(fixture("bad/xml/utf16.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 1, 0);
	result_release();

	/* UTF-16 without a byte order mark: libxml2 would take "<\0?\0" for
	 * UTF-16 and decode it, and see the DOCTYPE and entity the lexer does
	 * not see in those bytes. The parser is held to UTF-8: it reads the
	 * bytes the lexer read and stops at the first NUL. */
	{
		static const char doc[] = "<?xml version=\"1.0\"?>\n<!DOCTYPE caseFile [<!ENTITY x \"EXPANDED\">]>\n" ROOT
					  "<case><creditorId>&x;</creditorId></case></caseFile>\n";
		char wide[2 * sizeof(doc)];

		for (size_t i = 0; i < sizeof(doc) - 1; i++) {
			wide[2 * i] = doc[i];
			wide[2 * i + 1] = '\0';
		}
		decode_mem(wide, 2 * (sizeof(doc) - 1), KIND_UNKNOWN);
		ASSERT_REFUSED(RC_FILE_MALFORMED, 1, 0);
		ck_assert_uint_eq(R.nrec, 0);
		result_release();
	}

	decode_path(fixture("bad/xml/utf7-doctype.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 0, 0);
	result_release();

	decode_path(fixture("bad/xml/not-xml.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 1, 0);
	ck_assert_str_eq(R.e.message, "the file is not xml: it has text before its first element");
	result_release();

	/* An entity that is not predefined: there is no DTD to define it. */
	decode_str(ROOT "<case><creditorId>&nbsp;</creditorId></case></caseFile>");
	ASSERT_REFUSED(RC_FILE_MALFORMED, 1, 1);
	result_release();

	/* A stray '<' in an attribute value. */
	decode_str(ROOT "<case><debtor type=\"a<b\"/></case></caseFile>");
	ASSERT_REFUSED(RC_FILE_MALFORMED, 1, 1);
	result_release();
}
END_TEST

START_TEST(test_structure_refused)
{
	decode_path(fixture("bad/xml/unknown-root.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 2, 0);
	ck_assert_str_eq(R.e.message, "unknown xml root element 'invoices': expected 'caseFile', 'transactionFile' or 'eventFile'");
	result_release();

	decode_path(fixture("bad/xml/wrong-namespace.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 2, 0);
	ck_assert_str_eq(R.e.message, "the xml root element 'caseFile' is not in the namespace 'urn:inkasso:case-file:1'");
	result_release();

	decode_path(fixture("bad/xml/no-namespace.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 2, 0);
	result_release();

	/* transactionFile in the case-file namespace */
	decode_str("<transactionFile xmlns=\"" CASE_NS "\"/>");
	ASSERT_REFUSED(RC_FILE_MALFORMED, 1, 0);
	result_release();

	decode_path(fixture("bad/xml/unknown-root-child.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 24, 0);
	ck_assert_str_eq(R.e.message, "unexpected element 'summary' in 'caseFile': expected 'case'");
	ck_assert_uint_eq(R.nrec, 1);
	result_release();

	/* a case element in another namespace */
	decode_str(ROOT "\n<case xmlns=\"urn:other\"/></caseFile>");
	ASSERT_REFUSED(RC_FILE_MALFORMED, 2, 0);
	result_release();

	/* text between records */
	decode_str(ROOT "\n<case/>\nstray\n<case/>\n</caseFile>\n");
	ASSERT_REFUSED(RC_FILE_MALFORMED, 0, 0);
	ck_assert_str_eq(R.e.message, "the xml file has text directly inside 'caseFile'");
	result_release();
}
END_TEST

START_TEST(test_empty_refused)
{
	static const char *const empties[] = {
		"", "  \n\n", "<?xml version=\"1.0\"?>\n", "<?xml version=\"1.0\"?>\n<!-- nothing -->\n",
	};
	static const char *const not_empty[] = {
		"hello", "<!-- unterminated", "</caseFile>", "<?xml version=\"1.0\"?>\n<?pi",
	};

	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		decode_str(empties[i]);
		ASSERT_REFUSED(RC_FILE_EMPTY, 0, 0);
		ck_assert_int_eq(R.kind_calls, 0);
		result_release();
	}
	for (size_t i = 0; i < sizeof(not_empty) / sizeof(not_empty[0]); i++) {
		decode_str(not_empty[i]);
		ASSERT_REFUSED(RC_FILE_MALFORMED, 0, 0);
		result_release();
	}
	decode_path(fixture("bad/xml/empty.xml"), KIND_UNKNOWN, NO_LIMIT);
	ASSERT_REFUSED(RC_FILE_EMPTY, 1, 0);
	result_release();
}
END_TEST

START_TEST(test_messages_hold_no_document_text)
{
	static const char *const docs[] = {
		ROOT "<case><creditorId>C1</creditorId><!-- SECRET -- x --></case></caseFile>",
		ROOT "<case><creditorId><![CDATA[SECRET",
		ROOT "<case><creditorId>SECRET\xff</creditorId></case></caseFile>",
		ROOT "<case><creditorId>SECRET</creditorId></case></caseFile>trailing SECRET",
		ROOT "<case><creditorId>SECRET &bogus; SECRET</creditorId></case></caseFile>",
		ROOT "<case><!-- SECRET",
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		decode_str(docs[i]);
		ck_assert_int_eq(R.rc, ERR_REFUSED);
		ck_assert_msg(strstr(R.e.message, "SECRET") == NULL, "document text in '%s'", R.e.message);
		for (const char *p = R.e.message; *p != '\0'; p++)
			ck_assert_msg((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
				      "not printable ASCII: '%s'", R.e.message);
		result_release();
	}
}
END_TEST

/* ---- Limits ------------------------------------------------------------ */

static void nested_doc(struct sbuf *b, size_t levels)
{
	sb_str(b, ROOT "\n<case>");
	sb_repeat(b, "<a>", levels);
	sb_repeat(b, "</a>", levels);
	sb_str(b, "</case>\n</caseFile>\n");
}

START_TEST(test_depth_limit)
{
	struct sbuf b = { 0 };

	/* case is at depth 1: 31 levels below it reach XML_MAX_DEPTH */
	nested_doc(&b, XML_MAX_DEPTH - 1);
	ck_assert_int_eq(decode_mem(b.s, b.len, KIND_UNKNOWN), 0);
	ck_assert_uint_eq(R.nrec, 1);
	ck_assert(R.rec[0].bad);
	result_release();
	sb_free(&b);

	nested_doc(&b, XML_MAX_DEPTH);
	decode_mem(b.s, b.len, KIND_UNKNOWN);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 2, 1);
	result_release();
	sb_free(&b);
}
END_TEST

START_TEST(test_deep_nesting_refused_fast)
{
	struct sbuf b = { 0 };
	struct timespec t0;

	nested_doc(&b, 10000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	decode_mem(b.s, b.len, KIND_UNKNOWN);
	ck_assert(seconds_since(&t0) < 2.0);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 2, 1);
	ck_assert_uint_eq(R.nrec, 0);
	result_release();
	sb_free(&b);
}
END_TEST

static void text_doc(struct sbuf *b, size_t text_bytes)
{
	sb_str(b, ROOT "\n<case><creditorId>C1</creditorId>\n<creditorReference>");
	for (size_t i = 0; i < text_bytes; i++)
		sb_add(b, "x", 1);
	sb_str(b, "</creditorReference></case>\n</caseFile>\n");
}

START_TEST(test_text_limit)
{
	struct sbuf b = { 0 };

	/* At the limit: decoded; the record keeps it out (FIELD_TOO_LONG). */
	text_doc(&b, XML_MAX_TEXT_BYTES);
	ck_assert_int_eq(decode_mem(b.s, b.len, KIND_UNKNOWN), 0);
	ck_assert_uint_eq(R.nrec, 1);
	ck_assert_int_eq(flags(1, "creditorReference"), FIELD_PRESENT | FIELD_TOO_LONG);
	result_release();
	sb_free(&b);

	text_doc(&b, XML_MAX_TEXT_BYTES + 1);
	decode_mem(b.s, b.len, KIND_UNKNOWN);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 0, 1);
	result_release();
	sb_free(&b);
}
END_TEST

START_TEST(test_huge_text_refused)
{
	/* 50 MB in one text node: refused after about 1 MB was read. */
	char *path = temp_path();
	FILE *f = fopen(path, "wb");
	static char chunk[1 << 16];
	struct timespec t0;

	ck_assert_ptr_nonnull(f);
	memset(chunk, 'A', sizeof(chunk));
	fputs(ROOT "\n<case><creditorId>C1</creditorId><creditorReference>", f);
	for (size_t i = 0; i < (50u << 20) / sizeof(chunk); i++)
		ck_assert_uint_eq(fwrite(chunk, 1, sizeof(chunk), f), sizeof(chunk));
	fputs("</creditorReference></case></caseFile>\n", f);
	ck_assert_int_eq(fclose(f), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	decode_path(path, KIND_UNKNOWN, NO_LIMIT);
	unlink(path);
	ck_assert(seconds_since(&t0) < 5.0);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 2, 1);
	ck_assert_str_eq(R.e.message, "the xml file has a text longer than 1048576 bytes");
	result_release();
}
END_TEST

START_TEST(test_huge_comment_and_tag_refused)
{
	struct sbuf b = { 0 };

	sb_str(&b, ROOT "\n<case><!--");
	sb_repeat(&b, "0123456789abcdef", (XML_MAX_TEXT_BYTES + 8192) / 16);
	sb_str(&b, "--></case></caseFile>\n");
	decode_mem(b.s, b.len, KIND_UNKNOWN);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 2, 1);
	ck_assert_str_eq(R.e.message, "the xml file has a comment longer than 1048576 bytes");
	result_release();
	sb_free(&b);

	/* One start tag of a million attributes. */
	sb_str(&b, ROOT "\n<case><debtor");
	for (size_t i = 0; b.len < XML_MAX_TEXT_BYTES + 8192; i++) {
		char attr[32];

		snprintf(attr, sizeof(attr), " a%zu=\"1\"", i);
		sb_str(&b, attr);
	}
	sb_str(&b, "/></case></caseFile>\n");
	decode_mem(b.s, b.len, KIND_UNKNOWN);
	ASSERT_REFUSED(RC_FILE_MALFORMED, 2, 1);
	result_release();
	sb_free(&b);
}
END_TEST

/* A text cut into pieces by comments, CDATA sections or processing
 * instructions is one run for the limit: libxml2's reader keeps every
 * piece as a node of the element until its next tag (and joins adjacent
 * CDATA sections into one node), so 20 MB of such pieces took memory in
 * proportion, and joined CDATA sections failed as "out of memory". */
static void pieces_doc(struct sbuf *b, const char *cut, bool cdata, size_t pieces)
{
	char piece[1024 + 1];

	memset(piece, 'x', sizeof(piece) - 1);
	piece[sizeof(piece) - 1] = '\0';
	sb_str(b, ROOT "\n<case><creditorId>C1</creditorId>\n<creditorReference>");
	sb_str(b, cdata ? "<![CDATA[" : "");
	for (size_t i = 0; i < pieces; i++) {
		sb_str(b, piece);
		sb_str(b, cut);
	}
	sb_str(b, cdata ? "]]>" : "");
	sb_str(b, "</creditorReference></case>\n</caseFile>\n");
}

START_TEST(test_split_text_refused)
{
	static const char *const cuts[] = { "<!---->", "]]><![CDATA[", "<?p?>" };
	struct sbuf b = { 0 };

	for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
		/* half the limit in all: decoded, the field too long */
		pieces_doc(&b, cuts[k], k == 1, XML_MAX_TEXT_BYTES / 2 / 1040);
		ck_assert_int_eq(decode_mem(b.s, b.len, KIND_UNKNOWN), 0);
		ck_assert_uint_eq(R.nrec, 1);
		ck_assert_int_eq(flags(1, "creditorReference"), FIELD_PRESENT | FIELD_TOO_LONG);
		result_release();
		sb_free(&b);

		/* 4 MB of pieces between two tags: refused */
		pieces_doc(&b, cuts[k], k == 1, 4 * XML_MAX_TEXT_BYTES / 1024);
		decode_mem(b.s, b.len, KIND_UNKNOWN);
		ASSERT_REFUSED(RC_FILE_MALFORMED, 3, 1);
		ck_assert_str_eq(R.e.message, "the xml file has more than 1048576 bytes of text, comments, CDATA"
					      " sections or processing instructions between two tags");
		result_release();
		sb_free(&b);
	}
}
END_TEST

START_TEST(test_lines_past_65535)
{
	/* libxml2 keeps element lines in 16 bits; ours are exact. */
	struct sbuf b = { 0 };
	char line[96];
	const uint64_t n = 70000;

	sb_str(&b, ROOT "\n");
	for (uint64_t i = 1; i <= n; i++) {
		snprintf(line, sizeof(line), "<case><creditorReference>R%llu</creditorReference></case>\n",
			 (unsigned long long)i);
		sb_str(&b, line);
	}
	sb_str(&b, "</caseFile>\n");
	R.line_base = 1; /* record k is on line k + 1 */
	ck_assert_int_eq(decode_mem(b.s, b.len, KIND_UNKNOWN), 0);
	ck_assert_uint_eq(R.nrec, n);
	ck_assert_uint_eq(R.line_mismatches, 0);
	ck_assert_uint_eq(R.last_line, n + 1);
	ck_assert_uint_eq(R.io.lines, n + 3);
	result_release();

	/* A refusal past line 65535 names the right line and record. */
	b.len -= strlen("</caseFile>\n");
	sb_str(&b, "<case><creditorReference>x</creditorreference></case>\n</caseFile>\n");
	decode_mem(b.s, b.len, KIND_UNKNOWN);
	ASSERT_REFUSED(RC_FILE_MALFORMED, n + 2, n + 1);
	result_release();
	sb_free(&b);
}
END_TEST

START_TEST(test_many_small_elements)
{
	/* The reader lags the lexer by a few kilobytes of tiny elements. */
	struct sbuf b = { 0 };
	const uint64_t n = 100000;

	sb_str(&b, ROOT "\n<case>");
	sb_repeat(&b, "<x/>", n);
	sb_str(&b, "</case>\n");
	sb_repeat(&b, "<case/>", n);
	sb_str(&b, "\n</caseFile>\n");
	ck_assert_int_eq(decode_mem(b.s, b.len, KIND_UNKNOWN), 0);
	ck_assert_uint_eq(R.nrec, n + 1);
	ck_assert(R.rec[0].bad);
	ck_assert_uint_eq(R.rec[0].line, 2);
	ck_assert_uint_eq(R.last_line, 3);
	result_release();
	sb_free(&b);
}
END_TEST

/* ---- Chunk boundaries -------------------------------------------------- */

/* Attribute values holding '>' and "/>", markup characters in comments,
 * CDATA and processing instructions: the lexer must not be fooled. */
static const char doc_tricky[] =
	"<?xml version='1.0'?><?pi a > b <c> ?>\n"
	"<!-- <case> - > --><caseFile xmlns='" CASE_NS "'>\n"
	"<case><debtor type='a>b/>c'><name><![CDATA[<case>]]]]><![CDATA[>]]></name></debtor>\n"
	"<invoice><amount currency=\"/>\">1</amount></invoice><!----></case>\n"
	"<case\n\n><creditorId\n>C2</creditorId\n></case\n><case/><case\n/>\n"
	"</caseFile>";

static void replay(const char *path, const char *what)
{
	char *want_log;
	struct result want;

	decode_path(path, KIND_UNKNOWN, NO_LIMIT);
	want = R;
	want_log = strdup(R.log.s != NULL ? R.log.s : "");
	ck_assert_ptr_nonnull(want_log);
	result_release();
	for (size_t k = 1; k <= 64; k++) {
		xml_decode_set_read_cap(k);
		decode_path(path, KIND_UNKNOWN, NO_LIMIT);
		xml_decode_set_read_cap(0);
		ck_assert_msg(R.rc == want.rc, "%s, %zu-byte reads: rc %d, not %d (%s)", what, k, R.rc, want.rc,
			      R.e.message);
		ck_assert_msg(R.io.refusal == want.io.refusal && R.io.refusal_line == want.io.refusal_line &&
				      R.io.refusal_record == want.io.refusal_record,
			      "%s, %zu-byte reads: refusal %s line %llu record %llu, not %s line %llu record %llu", what, k,
			      reject_code_name(R.io.refusal), (unsigned long long)R.io.refusal_line,
			      (unsigned long long)R.io.refusal_record, reject_code_name(want.io.refusal),
			      (unsigned long long)want.io.refusal_line, (unsigned long long)want.io.refusal_record);
		ck_assert_msg(strcmp(R.e.message, want.e.message) == 0, "%s, %zu-byte reads: '%s', not '%s'", what, k,
			      R.e.message, want.e.message);
		if (want.rc == 0) {
			ck_assert_msg(strcmp(R.log.s != NULL ? R.log.s : "", want_log) == 0,
				      "%s, %zu-byte reads: other records:\n%s\nnot\n%s", what, k, R.log.s, want_log);
			ck_assert_uint_eq(R.io.lines, want.io.lines);
		}
		result_release();
	}
	free(want_log);
}

static void replay_str(const char *xml, const char *what)
{
	char *path = temp_path();

	write_file(path, xml, strlen(xml));
	replay(path, what);
	unlink(path);
}

START_TEST(test_every_chunk_size)
{
	/* first the tricky document's own expectations */
	ck_assert_int_eq(decode_str(doc_tricky), 0);
	ck_assert_uint_eq(R.nrec, 4);
	ck_assert_uint_eq(R.rec[0].line, 3);
	ck_assert_uint_eq(R.rec[1].line, 5);
	ck_assert_uint_eq(R.rec[2].line, 10);
	ck_assert_uint_eq(R.rec[3].line, 10);
	ASSERT_VAL(1, "debtor/@type", "a>b/>c");
	ASSERT_VAL(1, "debtor/name", "<case>]]>");
	ASSERT_VAL(1, "invoice/amount/@currency", "/>");
	ASSERT_VAL(2, "creditorId", "C2");
	result_release();

	replay(fixture("xml/cases-good.xml"), "cases-good.xml");
	replay(fixture("xml/transactions-good.xml"), "transactions-good.xml");
	replay_str(doc_liberal, "doc_liberal");
	replay_str(doc_tricky, "doc_tricky");
	replay_str(doc_bad_records, "doc_bad_records");
	/* refusals must not depend on the chunking either */
	replay(fixture("bad/xml/billion-laughs.xml"), "billion-laughs.xml");
	replay(fixture("bad/xml/late-doctype.xml"), "late-doctype.xml");
	replay(fixture("bad/xml/truncated-in-record.xml"), "truncated-in-record.xml");
	replay(fixture("bad/xml/invalid-utf8.xml"), "invalid-utf8.xml");
	replay(fixture("bad/xml/undefined-prefix.xml"), "undefined-prefix.xml");
	replay(fixture("bad/xml/utf16.xml"), "utf16.xml");
	replay(fixture("bad/xml/unknown-root-child.xml"), "unknown-root-child.xml");
	replay_str("", "empty");
}
END_TEST

/* ---- Errors from below and above --------------------------------------- */

START_TEST(test_callback_errors)
{
	R.fail_at = 2;
	ck_assert_int_eq(decode_path(fixture("xml/cases-good.xml"), KIND_UNKNOWN, NO_LIMIT), ERR_DB);
	ck_assert_uint_eq(R.nrec, 2);
	ck_assert_str_eq(R.e.message, "database gone in the test");
	ck_assert_int_eq(R.io.refusal, RC__COUNT);
	result_release();

	R.fail_kind = true;
	ck_assert_int_eq(decode_path(fixture("xml/cases-good.xml"), KIND_UNKNOWN, NO_LIMIT), ERR_CONFIG);
	ck_assert_uint_eq(R.nrec, 0);
	ck_assert_str_eq(R.e.message, "kind refused by the test");
	result_release();
}
END_TEST

static void write_gzip(const char *path, const char *data, size_t len)
{
	gzFile gz = gzopen(path, "wb");

	ck_assert_ptr_nonnull(gz);
	ck_assert_int_eq(gzwrite(gz, data, (unsigned)len), (int)len);
	ck_assert_int_eq(gzclose(gz), Z_OK);
}

START_TEST(test_source_refusals)
{
	struct sbuf b = { 0 };
	char line[96];
	char *path;
	long size;
	FILE *f;

	/* over max_file_bytes */
	decode_path(fixture("xml/cases-good.xml"), KIND_UNKNOWN, 1000);
	ck_assert_int_eq(R.rc, ERR_REFUSED);
	ck_assert_int_eq(R.io.refusal, RC_FILE_TOO_LARGE);
	ck_assert_ptr_nonnull(strstr(R.e.message, "max_file_bytes")); /* the source's message */
	result_release();

	/* gzip: whole, then cut short */
	sb_str(&b, ROOT "\n");
	for (int i = 1; i <= 5000; i++) {
		snprintf(line, sizeof(line), "<case><creditorReference>R%d</creditorReference></case>\n", i);
		sb_str(&b, line);
	}
	sb_str(&b, "</caseFile>\n");
	path = temp_path();
	write_gzip(path, b.s, b.len);
	ck_assert_int_eq(decode_path(path, KIND_UNKNOWN, NO_LIMIT), 0);
	ck_assert_uint_eq(R.nrec, 5000);
	result_release();

	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	ck_assert_int_eq(truncate(path, size / 2), 0);
	decode_path(path, KIND_UNKNOWN, NO_LIMIT);
	unlink(path);
	ck_assert_int_eq(R.rc, ERR_REFUSED);
	ck_assert_int_eq(R.io.refusal, RC_FILE_TRUNCATED);
	ck_assert_ptr_nonnull(strstr(R.e.message, "gzip"));
	ck_assert_uint_gt(R.io.refusal_record, 0);
	result_release();
	sb_free(&b);
}
END_TEST

static void my_structured_error(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

START_TEST(test_libxml2_state_restored)
{
	int marker;

	xmlSetStructuredErrorFunc(&marker, my_structured_error);
	decode_str(ROOT "<case></caseFile>");
	ck_assert_int_eq(R.rc, ERR_REFUSED);
	ck_assert(xmlStructuredError == my_structured_error);
	ck_assert_ptr_eq(xmlStructuredErrorContext, &marker);
	xmlSetStructuredErrorFunc(NULL, NULL);
	result_release();
	/* and the decoder works again afterwards */
	ck_assert_int_eq(decode_str(ROOT "<case/></caseFile>"), 0);
	ck_assert_uint_eq(R.nrec, 1);
	result_release();
}
END_TEST

Suite *xml_decode_suite(void)
{
	Suite *s = suite_create("xml_decode");
	TCase *tc_good = tcase_create("xml_good");
	TCase *tc_bad = tcase_create("xml_bad_record");
	TCase *tc_refused = tcase_create("xml_refused");
	TCase *tc_limits = tcase_create("xml_limits");
	TCase *tc_chunks = tcase_create("xml_chunks");
	TCase *tc_errors = tcase_create("xml_errors");

	tcase_add_test(tc_good, test_cases_good_fixture);
	tcase_add_test(tc_good, test_transactions_good_fixture);
	tcase_add_test(tc_good, test_liberal_reading);
	tcase_add_test(tc_good, test_prefixes_crlf_bom_and_foreign_attributes);
	tcase_add_test(tc_good, test_empty_root_and_forced_kind);
	tcase_add_test(tc_good, test_declared_encoding_is_ignored);
	suite_add_tcase(s, tc_good);

	tcase_add_test(tc_bad, test_bad_records);
	tcase_add_test(tc_bad, test_bad_record_fixtures);
	suite_add_tcase(s, tc_bad);

	tcase_add_test(tc_refused, test_expected_table);
	tcase_add_test(tc_refused, test_dtd_refused);
	tcase_add_test(tc_refused, test_malformed_refused);
	tcase_add_test(tc_refused, test_structure_refused);
	tcase_add_test(tc_refused, test_empty_refused);
	tcase_add_test(tc_refused, test_messages_hold_no_document_text);
	suite_add_tcase(s, tc_refused);

	tcase_set_timeout(tc_limits, 60);
	tcase_add_test(tc_limits, test_depth_limit);
	tcase_add_test(tc_limits, test_deep_nesting_refused_fast);
	tcase_add_test(tc_limits, test_text_limit);
	tcase_add_test(tc_limits, test_huge_text_refused);
	tcase_add_test(tc_limits, test_huge_comment_and_tag_refused);
	tcase_add_test(tc_limits, test_split_text_refused);
	tcase_add_test(tc_limits, test_lines_past_65535);
	tcase_add_test(tc_limits, test_many_small_elements);
	suite_add_tcase(s, tc_limits);

	tcase_set_timeout(tc_chunks, 120);
	tcase_add_test(tc_chunks, test_every_chunk_size);
	suite_add_tcase(s, tc_chunks);

	tcase_set_timeout(tc_errors, 30);
	tcase_add_test(tc_errors, test_callback_errors);
	tcase_add_test(tc_errors, test_source_refusals);
	tcase_add_test(tc_errors, test_libxml2_state_restored);
	suite_add_tcase(s, tc_errors);
	return s;
}
