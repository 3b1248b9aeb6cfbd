/* Unit tests for loader/pipeline.c: decoding on a second thread must be
 * indistinguishable from decoding directly. Each test decodes a generated
 * file both ways and compares what the callbacks saw (kind, then every
 * record's ordinal, line and fields) and the outcome (code, refusal, line,
 * record, counts); a failing callback must stop the decoder at once.
 * Files are several times the ring (PIPELINE_SLOTS) so that both sides
 * wait for each other. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "pipeline.h"
#include "source.h"

Suite *pipeline_suite(void);

#define CASE_HEADER                                                                                  \
	"creditor_id,creditor_reference,debtor_type,debtor_name,debtor_national_id,debtor_birth_date," \
	"debtor_street,debtor_postal_code,debtor_city,debtor_country,debtor_email,debtor_phone,"      \
	"invoice_number,invoice_date,due_date,original_amount,currency,paid_amount,fee_amount,"        \
	"interest_amount,claim_type,disputed,reminder_date"

/* What the callbacks saw, as text. */
struct seen {
	char *text;
	size_t len, cap;
	int kinds;
	unsigned long records;
	unsigned long fail_at; /* on_record fails at this record; 0: never */
};

static void add(struct seen *s, char kind, const char *a, unsigned long x, unsigned long y)
{
	char line[2048];
	int n = snprintf(line, sizeof(line), "%c %s|%lu|%lu\n", kind, a, x, y);

	if (s->len + (size_t)n + 1 > s->cap) {
		s->cap = (s->len + (size_t)n + 1) * 2;
		s->text = realloc(s->text, s->cap);
		ck_assert_ptr_nonnull(s->text);
	}
	memcpy(s->text + s->len, line, (size_t)n + 1);
	s->len += (size_t)n;
}

static int on_kind(void *ctx, enum file_kind kind, struct err *e)
{
	struct seen *s = ctx;

	(void)e;
	s->kinds++;
	add(s, 'K', file_kind_name(kind), 0, 0);
	return 0;
}

static int on_record(void *ctx, struct record *r, struct err *e)
{
	struct seen *s = ctx;

	s->records++;
	if (s->fail_at != 0 && s->records == s->fail_at)
		return ERR_SET(e, ERR_DB, "callback failed at %lu", s->records);
	add(s, 'R', r->bad_record ? "bad" : "ok", (unsigned long)r->ordinal,
	    (unsigned long)r->line);
	for (int f = 0; f < CF__COUNT; f++)
		if (r->f[f].flags & FIELD_PRESENT)
			add(s, 'F', record_value(r, f), (unsigned long)r->f[f].len, r->f[f].flags);
	return 0;
}

struct outcome {
	int rc;
	struct err e;
	struct decode_io io;
};

static void decode(const char *path, bool piped, unsigned long fail_at, struct seen *s, struct outcome *o)
{
	struct source *src = NULL;

	memset(s, 0, sizeof(*s));
	memset(o, 0, sizeof(*o));
	s->fail_at = fail_at;
	err_clear(&o->e);
	ck_assert_int_eq(source_open(&src, path, UINT64_C(1) << 40, &o->e), 0);
	o->io.src = src;
	o->io.forced_kind = KIND_UNKNOWN;
	o->io.on_kind = on_kind;
	o->io.on_record = on_record;
	o->io.ctx = s;
	o->rc = piped ? pipeline_decode(csv_decode, &o->io, &o->e) : csv_decode(&o->io, &o->e);
	source_free(src);
}

/* n records; every 7th has a quoted line break, record bad_at (if any) an
 * unterminated quote that runs to the end of the file. */
static void write_file(const char *path, int n, int bad_at)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", CASE_HEADER);
	for (int i = 1; i <= n; i++) {
		if (i == bad_at)
			fprintf(f, "C1,\"R-%d,broken\n", i);
		fprintf(f, "C1,R-%d,person,\"Name %d%s\",,,Street %d,8001,Zürich,CH,,,INV-%d,2026-01-01,"
			   "2026-02-01,%d.50,CHF,,,,invoice,false,\n",
			i, i, i % 7 == 0 ? "\nsecond line" : "", i, i, i);
	}
	fclose(f);
}

static void same(const struct seen *a, const struct outcome *oa, const struct seen *b, const struct outcome *ob)
{
	ck_assert_int_eq(oa->rc, ob->rc);
	ck_assert_int_eq(oa->io.refusal, ob->io.refusal);
	ck_assert_uint_eq(oa->io.refusal_line, ob->io.refusal_line);
	ck_assert_uint_eq(oa->io.refusal_record, ob->io.refusal_record);
	ck_assert_uint_eq(oa->io.records, ob->io.records);
	ck_assert_uint_eq(oa->io.lines, ob->io.lines);
	ck_assert_str_eq(oa->e.message, ob->e.message);
	ck_assert_int_eq(a->kinds, b->kinds);
	ck_assert_uint_eq(a->len, b->len);
	ck_assert_msg(a->len == 0 || memcmp(a->text, b->text, a->len) == 0, "the callbacks saw other records");
}

static char path[64];

static void setup(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/check_pipeline.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void teardown(void)
{
	unlink(path);
}

/* Decode the file at path both ways; the two must agree. The piped run's
 * view is left in *b and *ob. */
static void both_ways(struct seen *b, struct outcome *ob)
{
	struct seen a;
	struct outcome oa;

	decode(path, false, 0, &a, &oa);
	decode(path, true, 0, b, ob);
	same(&a, &oa, b, ob);
	free(a.text);
}

START_TEST(test_same_records)
{
	struct seen b;
	struct outcome ob;

	write_file(path, 5000, 0);
	both_ways(&b, &ob);
	ck_assert_int_eq(ob.rc, 0);
	ck_assert_uint_eq(b.records, 5000);
	ck_assert_uint_eq(ob.io.records, 5000);
	/* the header, 5000 records, 714 of them two lines: the last record
	 * ends on line 5715, and the decoder stands on line 5716 after it */
	ck_assert_uint_eq(ob.io.lines, 1 + 5000 + 714 + 1);
	free(b.text);
}
END_TEST

START_TEST(test_refusal_after_records)
{
	struct seen b;
	struct outcome ob;

	write_file(path, 3000, 2500);
	both_ways(&b, &ob);
	ck_assert_int_eq(ob.rc, ERR_REFUSED);
	ck_assert_int_eq(ob.io.refusal, RC_FILE_MALFORMED);
	ck_assert_uint_eq(b.records, 2499); /* every record before the broken one */
	free(b.text);
}
END_TEST

START_TEST(test_callback_failure_stops)
{
	struct seen b;
	struct outcome ob;

	write_file(path, 5000, 0);
	decode(path, true, 1234, &b, &ob);
	ck_assert_int_eq(ob.rc, ERR_DB);
	ck_assert_str_eq(ob.e.message, "callback failed at 1234");
	ck_assert_uint_eq(b.records, 1234); /* not one record more */
	ck_assert_uint_lt(ob.io.records, 5000); /* the decoder stopped early */
	free(b.text);
}
END_TEST

START_TEST(test_empty_file)
{
	struct seen b;
	struct outcome ob;
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fclose(f);
	both_ways(&b, &ob);
	ck_assert_int_eq(ob.rc, ERR_REFUSED);
	ck_assert_int_eq(ob.io.refusal, RC_FILE_EMPTY);
	free(b.text);
}
END_TEST

Suite *pipeline_suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc = tcase_create("pipeline");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_same_records);
	tcase_add_test(tc, test_refusal_after_records);
	tcase_add_test(tc, test_callback_failure_stops);
	tcase_add_test(tc, test_empty_file);
	suite_add_tcase(s, tc);
	return s;
}
