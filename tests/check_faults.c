/* Fault injection (STYLE "Tests"): the source, both decoders and the
 * validator run over a fixture while the engine's allocator wrapper
 * (common/alloc.c) fails the N-th allocation, for every N from 1 to the
 * number K of allocations a clean run makes. The wrapper sees every
 * allocation of the pipeline: the source's own and zlib's, the CSV
 * decoder's own and libcsv's field buffer (csv_set_realloc_func /
 * csv_set_free_func), the XML decoder's own and libxml2's (the decoder
 * installs the wrapper with xmlMemSetup).
 *
 * Each N runs twice: once failing only the N-th allocation (memory short
 * for a moment: libcsv, for one, retries with a smaller buffer), once
 * failing the N-th and every one after it (memory exhausted). Every run
 * must
 *   - not crash (AddressSanitizer and UBSan in the sanitizer build);
 *   - give what the clean run gives (the same code, refusal, records and
 *     verdicts: the failure did not matter), or ERR_NOMEM with no refusal:
 *     never a file-level refusal (FILE_MALFORMED, FILE_EMPTY, ...) that
 *     would blame the creditor's file for our memory;
 *   - free everything: the wrapper's count of live blocks is back where it
 *     was before the run.
 *
 * The fixtures: the four mixed ones and a gzip copy of the CSV cases;
 * every hostile fixture under fixtures/bad; every bank file under
 * fixtures/bank (records hashed, not validated); an XML document with a
 * prefixed namespace declaration and a CSV field of 13 MB, each for a bug
 * this suite found.
 *
 * libxml2 allocates its global state once (xmlInitParser, the encoding
 * handlers): a warm-up run comes before the baseline is taken.
 *
 * Fixtures are read from FIXTURES_DIR (default "fixtures", relative to the
 * repository root where the tests run); the gzip copy of the CSV cases is
 * written to a temporary file.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc.h"
#include "config.h"
#include "date.h"
#include "decode.h"
#include "record.h"
#include "source.h"
#include "validate.h"

Suite *faults_suite(void);

#define AS_OF "2026-12-31" /* after the mixed transactions' booking dates */
#define NO_CAP UINT64_MAX

static struct config conf;
static struct creditor_info creditor_items[] = {
	/* sorted by id for creditor_find's bsearch */
	{ "C1", "CH", "CHF", true, REF_SCOR },
	{ "D1", "DK", "DKK", true, REF_SCOR },
	{ "N1", "NO", "NOK", true, REF_SCOR },
	{ "S1", "SE", "SEK", true, REF_SCOR },
};
static const struct creditor_table creditors = { creditor_items,
						 sizeof(creditor_items) / sizeof(creditor_items[0]) };
/* The agency's accounts of fixtures/bank/expected.tsv. */
static const char *const bank_accounts[] = { "CH4431999123000889012", "CH9300762011623852957" };
static int32_t as_of;
/* xml_decode installs a process-wide external entity loader that refuses
 * everything; the suites after this one (the statement's XSD) need the
 * one they had. */
static xmlExternalEntityLoader saved_loader;

/* What one run gives. */
struct outcome {
	int rc;
	struct err e;
	struct decode_io io;
	struct validate_ctx vctx;
	struct verdict v;
	uint64_t records;
	uint64_t rejected;
	uint64_t digest; /* FNV-1a over every record and its verdict */
};

static void add_country(const char *code, const char *currency, bool reminder, unsigned special, int days)
{
	struct country_conf *cc = &conf.countries[conf.ncountries++];

	memset(cc, 0, sizeof(*cc));
	snprintf(cc->code, sizeof(cc->code), "%s", code);
	snprintf(cc->currency, sizeof(cc->currency), "%s", currency);
	cc->reminder_required = reminder;
	cc->special_claim_types = special;
	cc->interest_days_per_year = days;
}

/* The countries of tests/conf/test.conf. */
static void setup(void)
{
	saved_loader = xmlGetExternalEntityLoader();
	config_init(&conf);
	add_country("CH", "CHF", false, (1u << CLAIM_RENT) | (1u << CLAIM_CONSUMER_CREDIT) | (1u << CLAIM_ENERGY),
		    365);
	add_country("SE", "SEK", true, 1u << CLAIM_CONSUMER_CREDIT, 365);
	add_country("NO", "NOK", true, 1u << CLAIM_CONSUMER_CREDIT, 365);
	add_country("DK", "DKK", true, 1u << CLAIM_RENT, 360);
	conf.countries[0].collection_fee = 5000;
	conf.countries[1].collection_fee = 18000;
	conf.countries[2].collection_fee = 7000;
	conf.countries[3].collection_fee = 10000;
	ck_assert_int_eq(date_parse(&as_of, AS_OF, 10), 0);
}

static void teardown(void)
{
	alloc_fail_at(0);
	alloc_fail_from(0);
	config_release(&conf);
	xmlSetExternalEntityLoader(saved_loader);
}

static void hash(uint64_t *h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		*h ^= p[i];
		*h *= UINT64_C(1099511628211);
	}
}

static void hash_u64(uint64_t *h, uint64_t x)
{
	hash(h, &x, sizeof(x));
}

static int on_kind(void *ctx, enum file_kind kind, struct err *e)
{
	struct outcome *o = ctx;

	(void)e;
	hash_u64(&o->digest, (uint64_t)kind);
	return 0;
}

static int on_record(void *ctx, struct record *r, struct err *e)
{
	struct outcome *o = ctx;
	size_t nfields;

	(void)e;
	o->vctx.decimal_comma = o->io.decimal_comma;
	if (r->kind == KIND_BANK)
		memset(&o->v, 0, sizeof(o->v)); /* no validator for bank records yet */
	else if (r->kind == KIND_TRANSACTIONS)
		validate_transaction(&o->vctx, r, &o->v);
	else
		validate_case(&o->vctx, r, &o->v);
	record_fields(r->kind, &nfields);
	o->records++;
	if (o->v.n > 0)
		o->rejected++;
	hash_u64(&o->digest, r->ordinal);
	hash_u64(&o->digest, r->line);
	hash_u64(&o->digest, r->bad_record);
	if (r->bad_record)
		hash(&o->digest, r->problem, strlen(r->problem));
	for (size_t f = 0; f < nfields; f++) {
		hash_u64(&o->digest, r->f[f].flags);
		hash_u64(&o->digest, r->f[f].len);
		if (r->f[f].flags & FIELD_PRESENT)
			hash(&o->digest, record_value(r, (int)f), r->f[f].len);
	}
	hash_u64(&o->digest, o->v.n);
	for (size_t i = 0; i < o->v.n; i++) {
		hash_u64(&o->digest, (uint64_t)o->v.items[i].code);
		hash_u64(&o->digest, (uint64_t)(int64_t)o->v.items[i].field);
		hash(&o->digest, o->v.items[i].message, strlen(o->v.items[i].message));
	}
	if (o->v.n == 0) {
		hash_u64(&o->digest, (uint64_t)o->v.num[CF_ORIGINAL_AMOUNT]);
		hash_u64(&o->digest, (uint64_t)o->v.num[CF_PAID_AMOUNT]);
		hash_u64(&o->digest, (uint64_t)o->v.num[TF_AMOUNT]);
	}
	return 0;
}

/* source_open, then the decoder the first byte asks for (as loader/batch.c
 * picks it), with the validator in the record callback. */
static void run_once(const char *path, struct outcome *o)
{
	struct source *src = NULL;
	const char *head;
	size_t n = 0, i = 0;

	memset(o, 0, sizeof(*o));
	err_clear(&o->e);
	o->digest = UINT64_C(14695981039346656037);
	o->io.refusal = RC__COUNT;
	o->vctx.conf = &conf;
	o->vctx.creditors = &creditors;
	o->vctx.as_of = as_of;
	o->rc = source_open(&src, path, NO_CAP, &o->e);
	if (o->rc != 0)
		return;
	o->io.src = src;
	o->io.forced_kind = KIND_UNKNOWN;
	o->io.on_kind = on_kind;
	o->io.on_record = on_record;
	o->io.ctx = o;
	o->io.accounts = bank_accounts;
	o->io.naccounts = 2;
	source_peek(src, &head, 512, &n, &o->e);
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i < n && head[i] == '<')
		o->rc = xml_decode(&o->io, &o->e);
	else
		o->rc = csv_decode(&o->io, &o->e);
	source_free(src);
	/* libxml2 keeps a copy of the last error it raised (its message and
	 * file name, with xmlMemStrdup) in a global until the next error
	 * replaces it: state, not a leak. Drop it before counting. */
	xmlResetLastError();
}

static const char *fixture(const char *name)
{
	static char path[512];
	const char *dir = getenv("FIXTURES_DIR");

	snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : "fixtures", name);
	ck_assert_msg(access(path, R_OK) == 0, "fixture '%s' not found (run from the repository root)", path);
	return path;
}

/* A faulty run gives what the clean run gave (the failed allocation did
 * not matter: the same code, refusal, records and verdicts), or ERR_NOMEM
 * with no refusal; and it frees everything. */
static void check_outcome(const struct outcome *o, const struct outcome *clean, long base, const char *what)
{
	if (o->rc != ERR_NOMEM) {
		ck_assert_msg(o->rc == clean->rc && o->io.refusal == clean->io.refusal,
			      "%s gives %s (refusal %s), the clean run %s (refusal %s): %s", what,
			      err_code_name(o->rc),
			      o->io.refusal == RC__COUNT ? "none" : reject_code_name(o->io.refusal),
			      err_code_name(clean->rc),
			      clean->io.refusal == RC__COUNT ? "none" : reject_code_name(clean->io.refusal),
			      o->e.message);
		ck_assert_msg(o->records == clean->records && o->digest == clean->digest,
			      "%s ends like the clean run but with other records or verdicts "
			      "(%llu records, clean run %llu)",
			      what, (unsigned long long)o->records, (unsigned long long)clean->records);
	} else {
		ck_assert_msg(o->e.code == ERR_NOMEM && o->e.message[0] != '\0',
			      "%s: ERR_NOMEM, but the error says %s: '%s'", what, err_code_name(o->e.code),
			      o->e.message);
		ck_assert_msg(o->io.refusal == RC__COUNT, "%s: ERR_NOMEM with the refusal %s", what,
			      reject_code_name(o->io.refusal));
	}
	ck_assert_msg(alloc_live() == base, "%s leaks %ld blocks", what, alloc_live() - base);
}

/* Run path clean (after a warm-up run: libxml2's one-time global
 * allocations), then for every N from 1 to the K allocations of the clean
 * run: fail only the N-th, then the N-th and all after it. Returns K.
 *
 * K is not quite fixed for XML: libxml2 seeds the hash of its name
 * dictionary at random, and how often the dictionary grows varies a
 * little from run to run. A run that makes fewer than N allocations fails
 * none and must simply give the clean outcome. */
static long check_every_n(const char *path, const char *name, struct outcome *clean)
{
	struct outcome o;
	char what[256];
	long base, start, k;

	run_once(path, clean);
	base = alloc_live();
	start = alloc_count();
	run_once(path, clean);
	k = alloc_count() - start;
	ck_assert_msg(clean->rc != ERR_NOMEM, "%s: the clean run failed: %s", name, clean->e.message);
	ck_assert_msg(alloc_live() == base, "%s: the clean run leaks %ld blocks", name, alloc_live() - base);
	ck_assert_msg(k > 0, "%s: no allocation went through the wrapper", name);

	for (int persistent = 0; persistent < 2; persistent++) {
		long unharmed = 0, injected = 0;

		for (long n = 1; n <= k; n++) {
			long failures = alloc_failures();

			if (persistent)
				alloc_fail_from(n);
			else
				alloc_fail_at(n);
			run_once(path, &o);
			alloc_fail_at(0);
			alloc_fail_from(0);
			snprintf(what, sizeof(what), "%s: failing allocation%s %ld of %ld", name,
				 persistent ? "s from" : "", n, k);
			if (alloc_failures() > failures)
				injected++;
			check_outcome(&o, clean, base, what);
			if (o.rc != ERR_NOMEM)
				unharmed++;
			if (getenv("CHECK_FAULTS_VERBOSE") != NULL && o.rc == ERR_NOMEM)
				fprintf(stderr, "faults: %s: %s\n", what, o.e.message);
		}
		if (getenv("CHECK_FAULTS_VERBOSE") != NULL)
			fprintf(stderr, "faults: %s: failing %s N, N = 1..%ld: %ld unharmed, %ld out of memory\n",
				name, persistent ? "every allocation from" : "only allocation", k, unharmed,
				k - unharmed);
		ck_assert_msg(injected >= k - k / 8, "%s: only %ld of %ld runs had an allocation fail", name,
			      injected, k);
	}
	return k;
}

/* A mixed fixture: loads, with good and rejected records. */
static void check_mixed(const char *path, const char *name)
{
	struct outcome clean;

	check_every_n(path, name, &clean);
	ck_assert_msg(clean.rc == 0, "%s: the clean run failed: %s", name, clean.e.message);
	ck_assert_msg(clean.records > 0 && clean.rejected > 0 && clean.rejected < clean.records,
		      "%s: a mixed fixture has good and rejected records (%llu of %llu rejected)", name,
		      (unsigned long long)clean.rejected, (unsigned long long)clean.records);
}

START_TEST(test_cases_csv)
{
	check_mixed(fixture("cases/cases-mixed.csv"), "cases-mixed.csv");
}
END_TEST

START_TEST(test_transactions_csv)
{
	check_mixed(fixture("transactions/transactions-mixed.csv"), "transactions-mixed.csv");
}
END_TEST

START_TEST(test_cases_xml)
{
	void *m = NULL, *r = NULL, *f = NULL, *s = NULL;
	xmlFreeFunc free_fn;
	xmlMallocFunc malloc_fn;
	xmlReallocFunc realloc_fn;
	xmlStrdupFunc strdup_fn;

	check_mixed(fixture("xml/cases-mixed.xml"), "cases-mixed.xml");
	/* libxml2's allocations went through the wrapper (xmlMemSetup). */
	ck_assert_int_eq(xmlMemGet(&free_fn, &malloc_fn, &realloc_fn, &strdup_fn), 0);
	f = (void *)(uintptr_t)free_fn;
	m = (void *)(uintptr_t)malloc_fn;
	r = (void *)(uintptr_t)realloc_fn;
	s = (void *)(uintptr_t)strdup_fn;
	ck_assert_ptr_eq(f, (void *)(uintptr_t)alloc_free);
	ck_assert_ptr_eq(m, (void *)(uintptr_t)alloc_malloc);
	ck_assert_ptr_eq(r, (void *)(uintptr_t)alloc_realloc);
	ck_assert_ptr_eq(s, (void *)(uintptr_t)alloc_strdup);
}
END_TEST

START_TEST(test_transactions_xml)
{
	check_mixed(fixture("xml/transactions-mixed.xml"), "transactions-mixed.xml");
}
END_TEST

/* A gzip copy of the CSV cases: zlib's state and window too. */
START_TEST(test_cases_csv_gzip)
{
	char path[64];
	char buf[4096];
	FILE *in;
	gzFile gz;
	size_t n;
	int fd;

	snprintf(path, sizeof(path), "/tmp/check_faults.XXXXXX");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
	gz = gzdopen(fd, "wb");
	ck_assert_ptr_nonnull(gz);
	in = fopen(fixture("cases/cases-mixed.csv"), "rb");
	ck_assert_ptr_nonnull(in);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert_int_eq(gzwrite(gz, buf, (unsigned)n), (int)n);
	ck_assert_int_eq(ferror(in), 0);
	fclose(in);
	ck_assert_int_eq(gzclose(gz), Z_OK);
	check_mixed(path, "cases-mixed.csv.gz");
	unlink(path);
}
END_TEST

/* libxml2 2.9.14 does not report every failed allocation as one: when
 * its dictionary cannot store the URI of a prefixed namespace declaration
 * (xmlns:xi="..."), it raises namespace error 200 (XML_NS_ERR_XML_NAMESPACE,
 * as for an empty namespace name), and the decoder refused the file as
 * FILE_MALFORMED for it: with this document, at the 38th allocation.
 * (fixtures/bad/xml/xinclude.xml without the xi:include element.) */
START_TEST(test_xml_namespace_prefix)
{
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<caseFile xmlns=\"urn:inkasso:case-file:1\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
		"  <case>\n"
		"    <creditorId>C1</creditorId>\n"
		"    <creditorReference>C1-B-1</creditorReference>\n"
		"    <debtor type=\"person\">\n"
		"      <name>Test Debtor 1</name>\n"
		"      <address>\n"
		"        <street>Bahnhofstrasse 1</street>\n"
		"        <postalCode>8001</postalCode>\n"
		"        <city>Zürich</city>\n"
		"        <country>CH</country>\n"
		"      </address>\n"
		"    </debtor>\n"
		"    <invoice>\n"
		"      <number>INV-1</number>\n"
		"      <date>2025-01-15</date>\n"
		"      <dueDate>2025-02-14</dueDate>\n"
		"      <amount currency=\"CHF\">100.00</amount>\n"
		"    </invoice>\n"
		"    <claimType>goods</claimType>\n"
		"    <disputed>false</disputed>\n"
		"  </case>\n"
		"</caseFile>\n";
	struct outcome clean;
	char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/check_faults.XXXXXX");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
	f = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(doc, 1, sizeof(doc) - 1, f), sizeof(doc) - 1);
	ck_assert_int_eq(fclose(f), 0);
	check_every_n(path, "namespace prefix", &clean);
	ck_assert_msg(clean.rc == 0, "the clean run failed: %s", clean.e.message);
	ck_assert_uint_eq(clean.records, 1);
	unlink(path);
}
END_TEST

/* check_every_n over every fixture in dirs (below the fixtures folder)
 * whose name has one of the endings; the number of files, and in *good
 * those that decode without a refusal to at least one record. */
static size_t check_dirs(const char *const *dirs, size_t ndirs, const char *const *endings, size_t *good)
{
	size_t files = 0;

	*good = 0;
	for (size_t d = 0; d < ndirs; d++) {
		char dir[512], path[1024], name[300];
		struct dirent **list = NULL;
		int n;

		snprintf(dir, sizeof(dir), "%s", fixture(dirs[d]));
		n = scandir(dir, &list, NULL, alphasort);
		ck_assert_msg(n >= 0, "cannot list '%s': %s", dir, strerror(errno));
		for (int i = 0; i < n; i++) {
			const char *nm = list[i]->d_name;
			size_t len = strlen(nm);
			bool wanted = false;
			struct outcome clean;

			for (size_t k = 0; endings[k] != NULL; k++)
				wanted = wanted || (len > strlen(endings[k]) &&
						    strcmp(nm + len - strlen(endings[k]), endings[k]) == 0);
			if (nm[0] != '.' && strstr(nm, "expected") == NULL && wanted) {
				snprintf(path, sizeof(path), "%s/%s", dir, nm);
				snprintf(name, sizeof(name), "%s/%s", dirs[d], nm);
				check_every_n(path, name, &clean);
				*good += clean.rc == 0 && clean.records > 0;
				files++;
			}
			free(list[i]);
		}
		free(list);
	}
	return files;
}

/* Every hostile fixture under fixtures/bad (CSV, gzip, XML): whatever the
 * clean run gives (a refusal, records with rejects), a failed allocation
 * gives the same or ERR_NOMEM, never another refusal. */
START_TEST(test_bad_fixtures)
{
	static const char *const dirs[] = { "bad/csv", "bad/gz", "bad/xml" };
	static const char *const endings[] = { ".csv", ".gz", ".xml", NULL };
	size_t good, files = check_dirs(dirs, 3, endings, &good);

	ck_assert_msg(files >= 20, "only %zu hostile fixtures found", files);
}
END_TEST

/* Bank files (SPEC 13): the good ones under fixtures/bank and the hostile
 * ones under fixtures/bank/bad; the walk's own state and its second
 * record are allocated at the root. */
START_TEST(test_bank_fixtures)
{
	static const char *const dirs[] = { "bank", "bank/bad" };
	static const char *const endings[] = { ".xml", ".xml.gz", NULL };
	size_t good, files = check_dirs(dirs, 2, endings, &good);

	ck_assert_msg(good >= 5 && files >= 19, "%zu bank fixtures, %zu of them good", files, good);
}
END_TEST

/* A field of 13 MB, under the cap of CSV_MAX_FIELD_BYTES (16 MB): libcsv's
 * buffer doubles to 16 MB. When that request fails once, libcsv retries
 * with half the growth and gets 12 MB; the next growth then asks for more
 * than the cap first (refused by capped_realloc, the field's fault), then
 * for less (the allocator's turn). A failure of the allocator there is
 * memory, not a field over the cap: the decoder once reported it as
 * FILE_MALFORMED ("a field ... is longer than 16777216 bytes"). Every pair
 * (the a-th allocation fails once, every one from the b-th on fails) is
 * run. */
START_TEST(test_long_field)
{
	static const char header[] =
		"creditor_id,creditor_reference,debtor_type,debtor_name,debtor_street,debtor_postal_code,"
		"debtor_city,debtor_country,invoice_number,invoice_date,due_date,original_amount,currency,"
		"claim_type,disputed\n";
	static const char tail[] = ",Bahnhofstrasse 1,8001,Zurich,CH,INV-1,2026-08-01,2026-08-31,1200.50,CHF,"
				   "goods,false\n";
	const size_t field = 13u << 20;
	struct outcome clean, o;
	char path[64], what[128];
	char *chunk;
	FILE *f;
	long base, start, k;
	int fd;

	snprintf(path, sizeof(path), "/tmp/check_faults.XXXXXX");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
	f = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(f);
	chunk = malloc(1u << 20);
	ck_assert_ptr_nonnull(chunk);
	memset(chunk, 'a', 1u << 20);
	ck_assert_int_eq(fputs(header, f) >= 0, 1);
	ck_assert_int_eq(fputs("C1,C1-1001,person,", f) >= 0, 1);
	for (size_t i = 0; i < field >> 20; i++)
		ck_assert_uint_eq(fwrite(chunk, 1, 1u << 20, f), 1u << 20);
	ck_assert_int_eq(fputs(tail, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	free(chunk);

	base = alloc_live();
	start = alloc_count();
	run_once(path, &clean);
	k = alloc_count() - start;
	ck_assert_msg(clean.rc == 0, "the clean run failed: %s", clean.e.message);
	ck_assert_uint_eq(clean.records, 1);
	ck_assert_uint_eq(clean.rejected, 1); /* FIELD_TOO_LONG */
	ck_assert_int_eq(alloc_live(), base);
	for (long a = 1; a <= k; a++) {
		long ka;

		alloc_fail_at(a);
		start = alloc_count();
		run_once(path, &o);
		ka = alloc_count() - start;
		alloc_fail_at(0);
		snprintf(what, sizeof(what), "long field: failing allocation %ld of %ld", a, k);
		check_outcome(&o, &clean, base, what);
		for (long b = a + 1; b <= ka; b++) {
			alloc_fail_at(a);
			alloc_fail_from(b);
			run_once(path, &o);
			alloc_fail_at(0);
			alloc_fail_from(0);
			snprintf(what, sizeof(what), "long field: failing allocation %ld, then all from %ld of %ld", a,
				 b, ka);
			check_outcome(&o, &clean, base, what);
		}
	}
	unlink(path);
}
END_TEST

/* The wrapper's own contract. */
START_TEST(test_wrapper)
{
	long base = alloc_live(), failures = alloc_failures();
	char *a, *b, *c;
	void *d;

	/* Only the n-th fails. */
	alloc_fail_at(2);
	a = alloc_malloc(8);
	b = alloc_strdup("x");
	c = alloc_calloc(2, 4);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_null(b);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(alloc_failures(), failures + 1);
	/* A failed realloc leaves the block alone. */
	alloc_fail_at(1);
	d = alloc_realloc(a, 64);
	ck_assert_ptr_null(d);
	d = alloc_realloc(a, 64);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(alloc_live(), base + 2);
	/* From the n-th on, all fail. */
	alloc_fail_from(1);
	ck_assert_ptr_null(alloc_malloc(1));
	ck_assert_ptr_null(alloc_realloc(NULL, 1));
	ck_assert_ptr_null(alloc_calloc(1, 1));
	alloc_fail_from(0);
	a = alloc_realloc(NULL, 4);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(alloc_live(), base + 3);
	alloc_free(a);
	alloc_free(c);
	alloc_free(d);
	alloc_free(NULL);
	ck_assert_int_eq(alloc_live(), base);
	ck_assert_int_eq(alloc_failures(), failures + 5);
}
END_TEST

Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("every allocation");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_wrapper);
	tcase_add_test(tc, test_cases_csv);
	tcase_add_test(tc, test_transactions_csv);
	tcase_add_test(tc, test_cases_csv_gzip);
	tcase_add_test(tc, test_cases_xml);
	tcase_add_test(tc, test_transactions_xml);
	tcase_add_test(tc, test_xml_namespace_prefix);
	tcase_add_test(tc, test_bad_fixtures);
	tcase_add_test(tc, test_bank_fixtures);
	tcase_add_test(tc, test_long_field);
	suite_add_tcase(s, tc);
	return s;
}
