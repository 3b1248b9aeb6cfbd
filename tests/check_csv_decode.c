/* Unit tests for loader/csv_decode.c (SPEC 5.2, 8): CSV texts are written
 * to temporary files and decoded through source_open + csv_decode; the
 * on_record callback copies every record out, and the tests compare the
 * copies with values worked out by hand.
 *
 * Chunk boundaries (the idea of libcsv's own test_csv.c, each case replayed
 * at every chunk size): csv_decode reads the source in 64 KiB chunks and
 * the source hands out its first 4096 bytes (the head it peeks at) as one
 * chunk, so a small file is always one chunk. Two ways around that without
 * changing the decoder:
 *  - replay_every_chunk_size: the document is fed through a pipe, opened by
 *    the source as /proc/self/fd/N. A writer thread writes the first 4096
 *    bytes (a header and filler rows: the head), then the rest in writes of
 *    k bytes, each only once the pipe is empty again (FIONREAD), so each
 *    read() of the source returns exactly k bytes. Every k from 1 to the
 *    length of the rest is run and must decode exactly like the whole file.
 *  - boundary_shift: regular files whose interesting bytes (a quoted CRLF,
 *    a CRLF row end, a doubled quote, a BOM) are moved one byte at a time
 *    across the real chunk boundaries at byte 4096 and 4096 + 65536.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "decode.h"
#include "err.h"
#include "record.h"
#include "source.h"

Suite *csv_decode_suite(void);

#define TMP_PATH_MAX 64
#define NO_CAP (UINT64_C(1) << 40)
#define HEAD 4096u          /* the source's head: the first chunk */
#define CHUNK (64u * 1024u) /* csv_decode's read size */

#define TX_HEADER "creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason"
#define CASE_HEADER                                                                                  \
	"creditor_id,creditor_reference,debtor_type,debtor_name,debtor_national_id,debtor_birth_date," \
	"debtor_street,debtor_postal_code,debtor_city,debtor_country,debtor_email,debtor_phone,"      \
	"invoice_number,invoice_date,due_date,original_amount,currency,paid_amount,fee_amount,"        \
	"interest_amount,claim_type,disputed,reminder_date"

/* Check records the place of every ck_assert (a write to its channel):
 * in loops over thousands of values, test with this and fail only on a
 * difference. */
#define FAIL_UNLESS(cond, ...)                 \
	do {                                   \
		if (!(cond))                   \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* ---- a growable string ---- */

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (b->len + n + 1 > cap)
			cap *= 2;
		b->p = realloc(b->p, cap);
		FAIL_UNLESS(b->p != NULL, "out of memory");
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_fill(struct sbuf *b, char c, size_t n)
{
	char block[4096];

	memset(block, c, sizeof(block));
	while (n > 0) {
		size_t k = n < sizeof(block) ? n : sizeof(block);

		sb_add(b, block, k);
		n -= k;
	}
}

/* ---- decoding into copies ---- */

struct rec_copy {
	uint64_t ordinal;
	uint64_t line;
	enum file_kind kind;
	bool bad;
	char problem[128];
	uint8_t flags[RECORD_MAX_FIELDS];
	char *val[RECORD_MAX_FIELDS]; /* NULL when not present or too long */
	size_t len[RECORD_MAX_FIELDS];
};

struct decoded {
	int rc;
	char message[ERR_MESSAGE_MAX];
	enum reject_code refusal;
	uint64_t refusal_line;
	uint64_t refusal_record;
	bool decimal_comma;
	uint64_t records;
	enum file_kind kind;
	int kind_calls;
	size_t kind_before; /* records copied when on_kind was called */
	size_t n, cap;
	struct rec_copy *recs;
	size_t fail_at; /* on_record fails at this record (0: never) */
};

static int on_kind(void *ctx, enum file_kind kind, struct err *e)
{
	struct decoded *d = ctx;

	(void)e;
	d->kind = kind;
	d->kind_calls++;
	d->kind_before = d->n;
	return 0;
}

static int on_record(void *ctx, struct record *r, struct err *e)
{
	struct decoded *d = ctx;
	struct rec_copy *c;

	if (d->fail_at != 0 && d->n + 1 == d->fail_at)
		return ERR_SET(e, ERR_IO, "test callback stops at record %zu", d->fail_at);
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 8;
		d->recs = realloc(d->recs, d->cap * sizeof(*d->recs));
		FAIL_UNLESS(d->recs != NULL, "out of memory");
	}
	c = &d->recs[d->n++];
	memset(c, 0, sizeof(*c));
	c->ordinal = r->ordinal;
	c->line = r->line;
	c->kind = r->kind;
	c->bad = r->bad_record;
	snprintf(c->problem, sizeof(c->problem), "%s", r->problem);
	for (int f = 0; f < RECORD_MAX_FIELDS; f++) {
		c->flags[f] = r->f[f].flags;
		if ((r->f[f].flags & FIELD_PRESENT) && !(r->f[f].flags & FIELD_TOO_LONG)) {
			c->len[f] = r->f[f].len;
			c->val[f] = malloc(r->f[f].len + 1);
			FAIL_UNLESS(c->val[f] != NULL, "out of memory");
			memcpy(c->val[f], record_value(r, f), r->f[f].len);
			c->val[f][r->f[f].len] = '\0';
		}
	}
	return 0;
}

static void decoded_free(struct decoded *d)
{
	for (size_t i = 0; i < d->n; i++)
		for (int f = 0; f < RECORD_MAX_FIELDS; f++)
			free(d->recs[i].val[f]);
	free(d->recs);
	d->recs = NULL;
	d->n = d->cap = 0;
}

static void decode_path(struct decoded *d, const char *path, enum file_kind forced, size_t fail_at)
{
	struct source *src = NULL;
	struct decode_io io;
	struct err e = ERR_INIT;
	int rc;

	memset(d, 0, sizeof(*d));
	d->fail_at = fail_at;
	rc = source_open(&src, path, NO_CAP, &e);
	ck_assert_msg(rc == 0, "source_open: %s", e.message);
	memset(&io, 0, sizeof(io));
	io.src = src;
	io.forced_kind = forced;
	io.on_kind = on_kind;
	io.on_record = on_record;
	io.ctx = d;
	d->rc = csv_decode(&io, &e);
	snprintf(d->message, sizeof(d->message), "%s", e.message);
	d->refusal = d->rc == ERR_REFUSED ? io.refusal : RC__COUNT;
	d->refusal_line = io.refusal_line;
	d->refusal_record = io.refusal_record;
	d->decimal_comma = io.decimal_comma;
	d->records = io.records;
	source_free(src);
}

static void write_file(char path[TMP_PATH_MAX], const char *data, size_t len)
{
	int fd;
	size_t done = 0;

	snprintf(path, TMP_PATH_MAX, "/tmp/check_csv.XXXXXX");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp failed");
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		ck_assert_int_gt(n, 0);
		done += (size_t)n;
	}
	ck_assert_int_eq(close(fd), 0);
}

static void decode_mem(struct decoded *d, const char *text, size_t len, enum file_kind forced)
{
	char path[TMP_PATH_MAX];

	write_file(path, text, len);
	decode_path(d, path, forced, 0);
	unlink(path);
}

static void decode_str(struct decoded *d, const char *text)
{
	decode_mem(d, text, strlen(text), KIND_UNKNOWN);
}

#define EXPECT_OK(d, nrec)                                                                    \
	do {                                                                                  \
		ck_assert_msg((d)->rc == 0, "rc %d: %s", (d)->rc, (d)->message);              \
		ck_assert_uint_eq((d)->n, (nrec));                                            \
		ck_assert_uint_eq((d)->records, (nrec));                                      \
	} while (0)

#define EXPECT_REFUSED(d, code, line)                                                         \
	do {                                                                                  \
		ck_assert_msg((d)->rc == ERR_REFUSED, "rc %d: %s", (d)->rc, (d)->message);    \
		ck_assert_msg((d)->refusal == (code), "refusal %s, want %s (%s)",             \
			      reject_code_name((d)->refusal), reject_code_name(code), (d)->message); \
		ck_assert_uint_eq((d)->refusal_line, (line));                                 \
		ck_assert_msg((d)->message[0] != '\0', "no message");                         \
	} while (0)

#define EXPECT_REC(d, i, ord, ln, is_bad)                                                     \
	do {                                                                                  \
		ck_assert_uint_lt((i), (d)->n);                                               \
		ck_assert_uint_eq((d)->recs[i].ordinal, (ord));                               \
		ck_assert_msg((d)->recs[i].line == (ln), "record %zu starts on line %llu, want %llu", \
			      (size_t)(i), (unsigned long long)(d)->recs[i].line, (unsigned long long)(ln)); \
		ck_assert_int_eq((d)->recs[i].bad, (is_bad));                                 \
	} while (0)

#define EXPECT_FIELD(d, i, f, want)                                                           \
	do {                                                                                  \
		ck_assert_msg((d)->recs[i].val[f] != NULL, "record %zu field %d absent", (size_t)(i), (f)); \
		ck_assert_uint_eq((d)->recs[i].len[f], strlen(want));                         \
		ck_assert_str_eq((d)->recs[i].val[f], (want));                                \
	} while (0)

/* Two decodings are the same: results, records, lines, fields. */
static void same_decoded(const struct decoded *a, const struct decoded *b, const char *what)
{
	FAIL_UNLESS(a->rc == b->rc, "%s: rc %d vs %d (%s / %s)", what, a->rc, b->rc, a->message, b->message);
	FAIL_UNLESS(a->refusal == b->refusal, "%s: refusal %d vs %d", what, (int)a->refusal, (int)b->refusal);
	FAIL_UNLESS(a->refusal_line == b->refusal_line, "%s: refusal line %llu vs %llu", what,
		      (unsigned long long)a->refusal_line, (unsigned long long)b->refusal_line);
	FAIL_UNLESS(a->refusal_record == b->refusal_record, "%s: refusal record", what);
	FAIL_UNLESS(a->kind == b->kind && a->kind_calls == b->kind_calls, "%s: kind", what);
	FAIL_UNLESS(a->decimal_comma == b->decimal_comma, "%s: decimal comma", what);
	FAIL_UNLESS(a->n == b->n, "%s: %zu records vs %zu", what, a->n, b->n);
	FAIL_UNLESS(a->records == b->records, "%s: io records", what);
	for (size_t i = 0; i < a->n; i++) {
		const struct rec_copy *x = &a->recs[i], *y = &b->recs[i];

		FAIL_UNLESS(x->ordinal == y->ordinal, "%s: record %zu ordinal", what, i);
		FAIL_UNLESS(x->line == y->line, "%s: record %zu line %llu vs %llu", what, i,
			      (unsigned long long)x->line, (unsigned long long)y->line);
		FAIL_UNLESS(x->bad == y->bad, "%s: record %zu bad_record", what, i);
		for (int f = 0; f < RECORD_MAX_FIELDS; f++) {
			FAIL_UNLESS(x->flags[f] == y->flags[f], "%s: record %zu field %d flags", what, i, f);
			FAIL_UNLESS((x->val[f] == NULL) == (y->val[f] == NULL), "%s: record %zu field %d", what,
				      i, f);
			if (x->val[f] != NULL)
				FAIL_UNLESS(x->len[f] == y->len[f] && memcmp(x->val[f], y->val[f], x->len[f]) == 0,
					      "%s: record %zu field %d: '%s' vs '%s'", what, i, f, x->val[f],
					      y->val[f]);
		}
	}
}

/* ---- plain decoding ---- */

/* SPEC 16: an event_id column means an event file, in any case and order */
START_TEST(test_event_file)
{
	struct decoded d;

	decode_str(&d, "Stage,EVENT_ID,event_date,creditor_reference,creditor_id\n"
		       "legal,E1,2026-11-05,R1,C1\n"
		       "surveillance,E2,2026-11-06,R2,C1\n");
	EXPECT_OK(&d, 2);
	ck_assert_int_eq(d.kind, KIND_EVENTS);
	EXPECT_REC(&d, 1, 2, 3, false);
	EXPECT_FIELD(&d, 0, EF_CREDITOR_ID, "C1");
	EXPECT_FIELD(&d, 0, EF_CREDITOR_REFERENCE, "R1");
	EXPECT_FIELD(&d, 0, EF_EVENT_ID, "E1");
	EXPECT_FIELD(&d, 0, EF_STAGE, "legal");
	EXPECT_FIELD(&d, 1, EF_EVENT_DATE, "2026-11-06");
	decoded_free(&d);
	/* a column of another kind refuses it */
	decode_str(&d, "creditor_id,creditor_reference,event_id,stage,event_date,amount\nC1,R1,E1,legal,2026-11-05,1\n");
	EXPECT_REFUSED(&d, RC_FILE_HEADER, 1);
	decoded_free(&d);
}
END_TEST


START_TEST(test_basic_lf)
{
	struct decoded d;

	decode_str(&d, TX_HEADER "\n"
		       "C1,R1,T1,payment,2026-09-01,100.00,CHF,\n"
		       "C1,R2,T2,withdrawal,2026-09-02,,,goodwill\n");
	EXPECT_OK(&d, 2);
	ck_assert_int_eq(d.kind, KIND_TRANSACTIONS);
	ck_assert_int_eq(d.kind_calls, 1);
	ck_assert_uint_eq(d.kind_before, 0);
	ck_assert(!d.decimal_comma);
	EXPECT_REC(&d, 0, 1, 2, false);
	ck_assert_int_eq(d.recs[0].kind, KIND_TRANSACTIONS);
	EXPECT_FIELD(&d, 0, TF_CREDITOR_ID, "C1");
	EXPECT_FIELD(&d, 0, TF_CREDITOR_REFERENCE, "R1");
	EXPECT_FIELD(&d, 0, TF_TRANSACTION_ID, "T1");
	EXPECT_FIELD(&d, 0, TF_KIND, "payment");
	EXPECT_FIELD(&d, 0, TF_BOOKING_DATE, "2026-09-01");
	EXPECT_FIELD(&d, 0, TF_AMOUNT, "100.00");
	EXPECT_FIELD(&d, 0, TF_CURRENCY, "CHF");
	EXPECT_FIELD(&d, 0, TF_REASON, ""); /* present and empty */
	ck_assert_uint_eq(d.recs[0].flags[TF_REASON], FIELD_PRESENT);
	EXPECT_REC(&d, 1, 2, 3, false);
	EXPECT_FIELD(&d, 1, TF_KIND, "withdrawal");
	EXPECT_FIELD(&d, 1, TF_AMOUNT, "");
	EXPECT_FIELD(&d, 1, TF_CURRENCY, "");
	EXPECT_FIELD(&d, 1, TF_REASON, "goodwill");
	decoded_free(&d);
}
END_TEST

START_TEST(test_crlf_same_as_lf)
{
	struct decoded lf, crlf;

	decode_str(&lf, TX_HEADER "\nC1,R1,T1,payment,2026-09-01,1,CHF,\nC1,R2,T2,payment,2026-09-01,2,CHF,x\n");
	decode_str(&crlf, TX_HEADER "\r\nC1,R1,T1,payment,2026-09-01,1,CHF,\r\nC1,R2,T2,payment,2026-09-01,2,CHF,x\r\n");
	EXPECT_OK(&crlf, 2);
	EXPECT_REC(&crlf, 0, 1, 2, false);
	EXPECT_REC(&crlf, 1, 2, 3, false);
	EXPECT_FIELD(&crlf, 1, TF_REASON, "x"); /* no CR left on the last field */
	same_decoded(&lf, &crlf, "LF vs CRLF");
	decoded_free(&lf);
	decoded_free(&crlf);
}
END_TEST

START_TEST(test_quoted_line_breaks)
{
	struct decoded d;

	decode_str(&d, TX_HEADER "\n"                                        /* 1 */
		       "C1,R1,T1,payment,2026-09-01,100.00,CHF,\"first\nsecond\"\n" /* 2-3 */
		       "C1,R2,T2,payment,2026-09-01,5,CHF,\"a\r\nb\r\nc\"\r\n"      /* 4-6 */
		       "C1,\"R\"\"3\"\"\",T3,payment,2026-09-01,5,CHF,x\n"          /* 7 */
		       "C1,\"R,4\",\"T\n4\",payment,2026-09-01,5,CHF,\"\"\n"        /* 8-9 */
		       "C1,R5,T5,payment,2026-09-01,5,CHF,end\n"                   /* 10 */
		       "C1,R6,T6,payment,2026-09-01,5,CHF,\"p\rq\"\n"              /* 11-12: a CR alone is a line end too */
		       "C1,R7,T7,payment,2026-09-01,5,CHF,\"\r\n\n\"\n"             /* 13-15 */
		       "C1,R8,T8,payment,2026-09-01,5,CHF,x\n");                    /* 16 */
	EXPECT_OK(&d, 8);
	EXPECT_REC(&d, 5, 6, 11, false);
	EXPECT_FIELD(&d, 5, TF_REASON, "p\rq");
	EXPECT_REC(&d, 6, 7, 13, false);
	EXPECT_FIELD(&d, 6, TF_REASON, "\r\n\n");
	EXPECT_REC(&d, 7, 8, 16, false);
	EXPECT_REC(&d, 0, 1, 2, false);
	EXPECT_FIELD(&d, 0, TF_REASON, "first\nsecond");
	EXPECT_REC(&d, 1, 2, 4, false);
	EXPECT_FIELD(&d, 1, TF_REASON, "a\r\nb\r\nc");
	EXPECT_REC(&d, 2, 3, 7, false);
	EXPECT_FIELD(&d, 2, TF_CREDITOR_REFERENCE, "R\"3\"");
	EXPECT_REC(&d, 3, 4, 8, false);
	EXPECT_FIELD(&d, 3, TF_CREDITOR_REFERENCE, "R,4");
	EXPECT_FIELD(&d, 3, TF_TRANSACTION_ID, "T\n4");
	EXPECT_FIELD(&d, 3, TF_REASON, "");
	EXPECT_REC(&d, 4, 5, 10, false);
	decoded_free(&d);
}
END_TEST

START_TEST(test_blank_lines)
{
	struct decoded d;

	decode_str(&d, TX_HEADER "\n"                          /* 1 */
		       "\n"                                    /* 2 */
		       "C1,R1,T1,payment,2026-09-01,1,CHF,\n"  /* 3 */
		       "\r\n"                                  /* 4 */
		       "\n"                                    /* 5 */
		       "    \n"                                /* 6: only spaces */
		       "C1,R2,T2,payment,2026-09-01,1,CHF,\r\n" /* 7 */
		       "C1,R3,T3,payment,2026-09-01,1,CHF,last"); /* 8, no line end */
	EXPECT_OK(&d, 3);
	EXPECT_REC(&d, 0, 1, 3, false);
	EXPECT_REC(&d, 1, 2, 7, false);
	EXPECT_REC(&d, 2, 3, 8, false);
	EXPECT_FIELD(&d, 2, TF_REASON, "last");
	decoded_free(&d);
}
END_TEST

START_TEST(test_header_case_and_order)
{
	struct decoded d;

	decode_str(&d, " KIND ,Amount,CREDITOR_ID,currency,Transaction_ID,creditor_reference,Booking_Date,REASON\n"
		       "payment,12.50,C1,CHF,T1,R1,2026-09-01,why\n");
	EXPECT_OK(&d, 1);
	ck_assert_int_eq(d.kind, KIND_TRANSACTIONS);
	EXPECT_FIELD(&d, 0, TF_KIND, "payment");
	EXPECT_FIELD(&d, 0, TF_AMOUNT, "12.50");
	EXPECT_FIELD(&d, 0, TF_CREDITOR_ID, "C1");
	EXPECT_FIELD(&d, 0, TF_CURRENCY, "CHF");
	EXPECT_FIELD(&d, 0, TF_TRANSACTION_ID, "T1");
	EXPECT_FIELD(&d, 0, TF_CREDITOR_REFERENCE, "R1");
	EXPECT_FIELD(&d, 0, TF_BOOKING_DATE, "2026-09-01");
	EXPECT_FIELD(&d, 0, TF_REASON, "why");
	decoded_free(&d);

	/* An optional column may be left out: the field is then absent. */
	decode_str(&d, "creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency\n"
		       "C1,R1,T1,payment,2026-09-01,1,CHF\n");
	EXPECT_OK(&d, 1);
	ck_assert_ptr_null(d.recs[0].val[TF_REASON]);
	ck_assert_uint_eq(d.recs[0].flags[TF_REASON], 0);
	EXPECT_FIELD(&d, 0, TF_CURRENCY, "CHF");
	decoded_free(&d);
}
END_TEST

START_TEST(test_semicolon)
{
	struct decoded d;

	decode_str(&d, "creditor_id;creditor_reference;transaction_id;kind;booking_date;amount;currency;reason\r\n"
		       "C1;R1;T1;payment;2026-09-01;12,50;CHF;\"a;b\"\r\n"
		       "C1;\"R,2\";T2;payment;2026-09-01;7;CHF;\r\n");
	EXPECT_OK(&d, 2);
	ck_assert(d.decimal_comma);
	EXPECT_FIELD(&d, 0, TF_AMOUNT, "12,50");
	EXPECT_FIELD(&d, 0, TF_REASON, "a;b");
	EXPECT_FIELD(&d, 1, TF_CREDITOR_REFERENCE, "R,2");
	EXPECT_REC(&d, 1, 2, 3, false);
	decoded_free(&d);

	/* A header with both ';' and ',' is comma-separated. */
	decode_str(&d, "creditor_id;creditor_reference," "transaction_id,kind,booking_date,amount,currency\n"
		       "C1;R1,T1,payment,2026-09-01,1,CHF\n");
	EXPECT_REFUSED(&d, RC_FILE_HEADER, 1);
	ck_assert(!d.decimal_comma);
	decoded_free(&d);

	/* ';' in a record but not in the header: comma-separated, no decimal comma. */
	decode_str(&d, TX_HEADER "\nC1,R1,T1,payment,2026-09-01,\"1,50\",CHF,a;b\n");
	EXPECT_OK(&d, 1);
	ck_assert(!d.decimal_comma);
	EXPECT_FIELD(&d, 0, TF_AMOUNT, "1,50");
	EXPECT_FIELD(&d, 0, TF_REASON, "a;b");
	decoded_free(&d);
}
END_TEST

START_TEST(test_bom)
{
	struct decoded d;

	decode_str(&d, "\xEF\xBB\xBF" TX_HEADER "\nC1,R1,T1,payment,2026-09-01,1,CHF,\n");
	EXPECT_OK(&d, 1);
	ck_assert_int_eq(d.kind, KIND_TRANSACTIONS);
	EXPECT_REC(&d, 0, 1, 2, false);
	EXPECT_FIELD(&d, 0, TF_CREDITOR_ID, "C1");
	decoded_free(&d);

	decode_str(&d, "\xEF\xBB\xBF" "creditor_id;creditor_reference;transaction_id;kind;booking_date;amount;"
		       "currency;reason\nC1;R1;T1;payment;2026-09-01;1,5;CHF;\n");
	EXPECT_OK(&d, 1);
	ck_assert(d.decimal_comma);
	EXPECT_FIELD(&d, 0, TF_AMOUNT, "1,5");
	decoded_free(&d);
}
END_TEST

START_TEST(test_kind)
{
	struct decoded d;
	struct sbuf b = { 0 };

	sb_str(&b, CASE_HEADER "\n");
	sb_str(&b, "C1,C1-1,person,Anna,,,Street 1,8001,Bern,CH,,,I-1,2026-08-01,2026-08-31,10.00,CHF,,,,goods,false,\n");
	decode_mem(&d, b.p, b.len, KIND_UNKNOWN);
	EXPECT_OK(&d, 1);
	ck_assert_int_eq(d.kind, KIND_CASES);
	ck_assert_int_eq(d.recs[0].kind, KIND_CASES);
	EXPECT_FIELD(&d, 0, CF_CREDITOR_REFERENCE, "C1-1");
	EXPECT_FIELD(&d, 0, CF_DEBTOR_CITY, "Bern");
	EXPECT_FIELD(&d, 0, CF_ORIGINAL_AMOUNT, "10.00");
	EXPECT_FIELD(&d, 0, CF_DISPUTED, "false");
	EXPECT_FIELD(&d, 0, CF_REMINDER_DATE, "");
	decoded_free(&d);

	/* Forced kinds. */
	decode_mem(&d, b.p, b.len, KIND_CASES);
	EXPECT_OK(&d, 1);
	ck_assert_int_eq(d.kind, KIND_CASES);
	decoded_free(&d);
	decode_mem(&d, b.p, b.len, KIND_TRANSACTIONS);
	EXPECT_REFUSED(&d, RC_FILE_HEADER, 1);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_int_eq(d.kind_calls, 0);
	decoded_free(&d);
	free(b.p);

	static const char tx[] = TX_HEADER "\nC1,R1,T1,payment,2026-09-01,1,CHF,\n";
	decode_mem(&d, tx, strlen(tx), KIND_TRANSACTIONS);
	EXPECT_OK(&d, 1);
	ck_assert_int_eq(d.kind, KIND_TRANSACTIONS);
	decoded_free(&d);
	decode_mem(&d, tx, strlen(tx), KIND_CASES);
	EXPECT_REFUSED(&d, RC_FILE_HEADER, 1);
	ck_assert_ptr_nonnull(strstr(d.message, "transaction_id"));
	decoded_free(&d);
}
END_TEST

/* Blank lines before the header are skipped like blank lines between
 * records: the kind and the delimiter come from the header row. */
START_TEST(test_blank_lines_before_header)
{
	struct decoded d;

	decode_str(&d, "\n\r\n" TX_HEADER "\nC1,R1,T1,payment,2026-09-01,1,CHF,\n");
	EXPECT_OK(&d, 1);
	ck_assert_int_eq(d.kind, KIND_TRANSACTIONS);
	EXPECT_REC(&d, 0, 1, 4, false);
	decoded_free(&d);
}
END_TEST

START_TEST(test_blank_lines_before_semicolon_header)
{
	struct decoded d;

	decode_str(&d, "\ncreditor_id;creditor_reference;transaction_id;kind;booking_date;amount;currency;reason\n"
		       "C1;R1;T1;payment;2026-09-01;1,50;CHF;\n");
	EXPECT_OK(&d, 1);
	ck_assert(d.decimal_comma);
	EXPECT_FIELD(&d, 0, TF_AMOUNT, "1,50");
	decoded_free(&d);
}
END_TEST

START_TEST(test_file_header)
{
	struct decoded d;

	/* missing required column */
	decode_str(&d, "creditor_id,creditor_reference,transaction_id,kind,booking_date,currency\nC1,R1,T1,payment,2026-09-01,CHF\n");
	EXPECT_REFUSED(&d, RC_FILE_HEADER, 1);
	ck_assert_ptr_nonnull(strstr(d.message, "'amount'"));
	ck_assert_uint_eq(d.n, 0);
	ck_assert_uint_eq(d.refusal_record, 0);
	decoded_free(&d);
	/* unknown column: named when it looks like a column name */
	decode_str(&d, TX_HEADER ",debtor_note\nC1,R1,T1,payment,2026-09-01,1,CHF,,n\n");
	EXPECT_REFUSED(&d, RC_FILE_HEADER, 1);
	ck_assert_ptr_nonnull(strstr(d.message, "'debtor_note'"));
	decoded_free(&d);
	decode_str(&d, TX_HEADER ",note\nC1,R1,T1,payment,2026-09-01,1,CHF,,n\n");
	EXPECT_REFUSED(&d, RC_FILE_HEADER, 1);
	decoded_free(&d);
	/* a file without a header: the data row is refused, never quoted */
	decode_str(&d, "C1,R1,T1,payment,2026-09-01,1,CHF,Anna Muster\n");
	EXPECT_REFUSED(&d, RC_FILE_HEADER, 1);
	ck_assert_ptr_null(strstr(d.message, "Anna"));
	decoded_free(&d);
	/* repeated column, also in another case */
	decode_str(&d, TX_HEADER ",Kind\nC1,R1,T1,payment,2026-09-01,1,CHF,,payment\n");
	EXPECT_REFUSED(&d, RC_FILE_HEADER, 1);
	ck_assert_ptr_nonnull(strstr(d.message, "Kind"));
	decoded_free(&d);
	/* an empty column name */
	decode_str(&d, TX_HEADER ",\nC1,R1,T1,payment,2026-09-01,1,CHF,,\n");
	EXPECT_REFUSED(&d, RC_FILE_HEADER, 1);
	decoded_free(&d);
	/* the header's line when blank lines come first */
	decode_str(&d, "\n\n" "creditor_id,creditor_reference,transaction_id,kind,nonsense\n");
	EXPECT_REFUSED(&d, RC_FILE_HEADER, 3);
	decoded_free(&d);
	/* a header only is fine: no records */
	decode_str(&d, TX_HEADER "\n");
	EXPECT_OK(&d, 0);
	ck_assert_int_eq(d.kind_calls, 1);
	decoded_free(&d);
}
END_TEST

START_TEST(test_file_empty)
{
	static const char *const empties[] = { "", "\n", "\n\n\r\n", "\xEF\xBB\xBF", "\xEF\xBB\xBF\n" };
	struct decoded d;

	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		decode_str(&d, empties[i]);
		EXPECT_REFUSED(&d, RC_FILE_EMPTY, 1);
		ck_assert_uint_eq(d.n, 0);
		ck_assert_int_eq(d.kind_calls, 0);
		decoded_free(&d);
	}
}
END_TEST

START_TEST(test_bad_record)
{
	struct decoded d;

	decode_str(&d, TX_HEADER "\n"                                /* 1 */
		       "C1,R1,T1,payment,2026-09-01,1,CHF\n"         /* 2: 7 fields */
		       "C1,R2,T2,payment,2026-09-01,1,CHF,,extra\n"  /* 3: 9 fields */
		       "garbage\n"                                   /* 4: 1 field */
		       "C1,R4,T4,payment,2026-09-01,1,CHF,ok\n");    /* 5 */
	EXPECT_OK(&d, 4);
	EXPECT_REC(&d, 0, 1, 2, true);
	ck_assert_ptr_nonnull(strstr(d.recs[0].problem, "7"));
	ck_assert_ptr_nonnull(strstr(d.recs[0].problem, "8"));
	EXPECT_REC(&d, 1, 2, 3, true);
	ck_assert_ptr_nonnull(strstr(d.recs[1].problem, "9"));
	EXPECT_REC(&d, 2, 3, 4, true);
	EXPECT_REC(&d, 3, 4, 5, false);
	EXPECT_FIELD(&d, 3, TF_REASON, "ok");
	ck_assert_str_eq(d.recs[3].problem, "");
	decoded_free(&d);
}
END_TEST

START_TEST(test_unterminated_quote)
{
	struct decoded d;

	decode_str(&d, TX_HEADER "\n"                                         /* 1 */
		       "C1,R1,T1,payment,2026-09-01,1,CHF,ok\n"               /* 2 */
		       "C1,R2,T2,payment,2026-09-01,1,CHF,\"never closed\n"   /* 3 */
		       "more text\n");                                        /* 4 */
	EXPECT_REFUSED(&d, RC_FILE_MALFORMED, 3);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_uint_eq(d.refusal_record, 2);
	decoded_free(&d);

	/* a quoted line break before: the line of the open quote counts */
	decode_str(&d, TX_HEADER "\n"                                         /* 1 */
		       "C1,R1,T1,payment,2026-09-01,1,CHF,\"a\nb\"\n"         /* 2-3 */
		       "C1,\"R2\nstill open,T2\n");                           /* 4-5 */
	EXPECT_REFUSED(&d, RC_FILE_MALFORMED, 4);
	ck_assert_uint_eq(d.n, 1);
	decoded_free(&d);

	/* the very last byte opens a quote */
	decode_str(&d, TX_HEADER "\r\nC1,R1,T1,payment,2026-09-01,1,CHF,\"");
	EXPECT_REFUSED(&d, RC_FILE_MALFORMED, 2);
	ck_assert_uint_eq(d.n, 0);
	decoded_free(&d);
}
END_TEST

START_TEST(test_broken_quoting)
{
	struct decoded d;

	/* a quote inside an unquoted field */
	decode_str(&d, TX_HEADER "\nC1,R1,T1,payment,2026-09-01,1,CHF,\nC1,R\"2,T2,payment,2026-09-01,1,CHF,\n");
	EXPECT_REFUSED(&d, RC_FILE_MALFORMED, 3);
	ck_assert_uint_eq(d.n, 1);
	decoded_free(&d);
	/* text after the closing quote */
	decode_str(&d, TX_HEADER "\nC1,\"R1\"x,T1,payment,2026-09-01,1,CHF,\n");
	EXPECT_REFUSED(&d, RC_FILE_MALFORMED, 2);
	ck_assert_uint_eq(d.n, 0);
	decoded_free(&d);
}
END_TEST

/* A 10 MB field: the record's field is flagged, the file is not refused,
 * and the records after it decode with the right lines. */
START_TEST(test_huge_field)
{
	struct decoded d;
	struct sbuf b = { 0 };

	sb_str(&b, TX_HEADER "\n");                           /* 1 */
	sb_str(&b, "C1,R1,T1,payment,2026-09-01,1,CHF,");    /* 2 */
	sb_fill(&b, 'x', 10u << 20);
	sb_str(&b, "\nC1,R2,T2,payment,2026-09-01,1,CHF,");   /* 3: quoted, 1000 line breaks */
	sb_str(&b, "\"");
	for (int i = 0; i < 1000; i++) {
		sb_fill(&b, 'y', 10000);
		sb_str(&b, "\n");
	}
	sb_str(&b, "\"\n");
	sb_str(&b, "C1,R3,T3,payment,2026-09-01,1,CHF,after\n"); /* 1004 */
	decode_mem(&d, b.p, b.len, KIND_UNKNOWN);
	EXPECT_OK(&d, 3);
	EXPECT_REC(&d, 0, 1, 2, false);
	ck_assert_uint_eq(d.recs[0].flags[TF_REASON], FIELD_PRESENT | FIELD_TOO_LONG);
	ck_assert_ptr_null(d.recs[0].val[TF_REASON]);
	EXPECT_FIELD(&d, 0, TF_CURRENCY, "CHF");
	EXPECT_REC(&d, 1, 2, 3, false);
	ck_assert_uint_eq(d.recs[1].flags[TF_REASON], FIELD_PRESENT | FIELD_TOO_LONG);
	EXPECT_REC(&d, 2, 3, 1004, false);
	EXPECT_FIELD(&d, 2, TF_REASON, "after");
	decoded_free(&d);
	free(b.p);
}
END_TEST

/* Past the decoder's buffer cap (CSV_MAX_FIELD_BYTES): refused, never cut. */
START_TEST(test_field_over_cap)
{
	struct decoded d;
	struct sbuf b = { 0 };

	sb_str(&b, TX_HEADER "\n");
	sb_str(&b, "C1,R1,T1,payment,2026-09-01,1,CHF,ok\n");
	sb_str(&b, "C1,R2,T2,payment,2026-09-01,1,CHF,");
	sb_fill(&b, 'x', CSV_MAX_FIELD_BYTES + (1u << 20));
	sb_str(&b, "\n");
	decode_mem(&d, b.p, b.len, KIND_UNKNOWN);
	EXPECT_REFUSED(&d, RC_FILE_MALFORMED, 3);
	ck_assert_uint_eq(d.n, 1);
	decoded_free(&d);
	free(b.p);
}
END_TEST

START_TEST(test_callback_error_stops)
{
	char path[TMP_PATH_MAX];
	struct decoded d;
	static const char text[] = TX_HEADER "\nC1,R1,T1,payment,2026-09-01,1,CHF,\n"
					     "C1,R2,T2,payment,2026-09-01,1,CHF,\nC1,R3,T3,payment,2026-09-01,1,CHF,\n";

	write_file(path, text, strlen(text));
	decode_path(&d, path, KIND_UNKNOWN, 2);
	ck_assert_int_eq(d.rc, ERR_IO);
	ck_assert_ptr_nonnull(strstr(d.message, "test callback stops"));
	ck_assert_uint_eq(d.n, 1);
	decoded_free(&d);
	unlink(path);
}
END_TEST

START_TEST(test_gzip_input)
{
	static const char text[] = TX_HEADER "\r\nC1,R1,T1,payment,2026-09-01,1,CHF,\"x\r\ny\"\r\n"
					     "C1,R2,T2,payment,2026-09-01,2,CHF,\r\n";
	char path[TMP_PATH_MAX];
	struct decoded plain, gz;
	gzFile f;
	FILE *fp;
	char *raw;
	long raw_len;

	decode_str(&plain, text);
	EXPECT_OK(&plain, 2);
	EXPECT_REC(&plain, 1, 2, 4, false);
	write_file(path, "", 0);
	f = gzopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(gzwrite(f, text, (unsigned)strlen(text)), (int)strlen(text));
	ck_assert_int_eq(gzclose(f), Z_OK);
	decode_path(&gz, path, KIND_UNKNOWN, 0);
	same_decoded(&plain, &gz, "gzip");
	decoded_free(&gz);

	/* cut: FILE_TRUNCATED from the source */
	fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	raw = malloc(4096);
	raw_len = (long)fread(raw, 1, 4096, fp);
	fclose(fp);
	unlink(path);
	write_file(path, raw, (size_t)raw_len - 5);
	decode_path(&gz, path, KIND_UNKNOWN, 0);
	ck_assert_int_eq(gz.rc, ERR_REFUSED);
	ck_assert_int_eq(gz.refusal, RC_FILE_TRUNCATED);
	decoded_free(&gz);
	unlink(path);
	free(raw);
	decoded_free(&plain);
}
END_TEST

/* ---- chunk boundaries ---- */

/* Header and filler rows of exactly len bytes (LF line ends); *rows is the
 * number of filler rows. The last row's reason pads to the length. */
static void filler_prefix(struct sbuf *b, size_t len, const char *header, char delim, size_t *rows)
{
	size_t start = b->len;

	sb_str(b, header);
	sb_str(b, "\n");
	*rows = 0;
	for (;;) {
		char row[96];
		int k = snprintf(row, sizeof(row), "F0%cP%05zu%cT%05zu%cpayment%c2026-01-01%c1%cCHF%c", delim,
				 *rows, delim, *rows, delim, delim, delim, delim, delim);
		size_t left = len - (b->len - start);

		FAIL_UNLESS(k > 0, "snprintf");
		if ((size_t)k + 1 > left) {
			/* widen the previous row's reason by the rest */
			ck_assert_uint_gt(*rows, 0);
			b->len--; /* drop its '\n' */
			sb_fill(b, 'p', left);
			sb_str(b, "\n");
			break;
		}
		sb_add(b, row, (size_t)k);
		sb_str(b, "\n");
		(*rows)++;
	}
	ck_assert_uint_eq(b->len - start, len);
}

struct feeder {
	int fd;
	const char *data;
	size_t len;
	size_t first; /* written at once: the head */
	size_t k;     /* then in writes of k bytes */
	atomic_int stop;
};

/* Waits until the reader took everything written. A short sleep, not
 * sched_yield: on a busy machine a yield can give the CPU away for a
 * whole time slice. */
static bool pipe_drained(struct feeder *f)
{
	for (unsigned spins = 0; !atomic_load(&f->stop); spins++) {
		int queued = 0;
		struct timespec nap = { 0, 20000 };

		if (ioctl(f->fd, FIONREAD, &queued) != 0)
			return false;
		if (queued == 0)
			return true;
		if (spins >= 50)
			nanosleep(&nap, NULL);
	}
	return false;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void *feed(void *arg)
{
	struct feeder *f = arg;
	size_t pos = f->first;

	if (write_all(f->fd, f->data, f->first)) {
		while (pos < f->len && pipe_drained(f)) {
			size_t n = f->len - pos < f->k ? f->len - pos : f->k;

			if (!write_all(f->fd, f->data + pos, n))
				break;
			pos += n;
		}
	}
	close(f->fd);
	return NULL;
}

/* Decodes data through a pipe: the first `first` bytes at once, then
 * k-byte reads. */
static void decode_piped(struct decoded *d, const char *data, size_t len, size_t first, size_t k)
{
	int fds[2];
	char path[64];
	pthread_t th;
	struct feeder f;

	ck_assert_int_eq(pipe(fds), 0);
	f.fd = fds[1];
	f.data = data;
	f.len = len;
	f.first = first;
	f.k = k;
	atomic_init(&f.stop, 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	ck_assert_int_eq(pthread_create(&th, NULL, feed, &f), 0);
	decode_path(d, path, KIND_UNKNOWN, 0);
	/* The decoder may stop early (a refusal): let the writer go. */
	atomic_store(&f.stop, 1);
	close(fds[0]);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
}

/* The prefix is the head (exactly HEAD bytes); tail is replayed at every
 * chunk size from 1 to its length, and must decode like the whole file. */
static void replay_every_chunk_size(const char *header, char delim, const char *tail, size_t tail_len,
				    struct decoded *whole, size_t *prefix_rows)
{
	struct sbuf b = { 0 };
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);

	filler_prefix(&b, HEAD, header, delim, prefix_rows);
	sb_add(&b, tail, tail_len);
	decode_mem(whole, b.p, b.len, KIND_UNKNOWN);
	for (size_t k = 1; k <= tail_len; k++) {
		struct decoded d;
		char what[64];

		decode_piped(&d, b.p, b.len, HEAD, k);
		snprintf(what, sizeof(what), "chunk size %zu", k);
		same_decoded(whole, &d, what);
		decoded_free(&d);
	}
	signal(SIGPIPE, old);
	free(b.p);
}

/* Line ends LF, CRLF and CR, quoted breaks, doubled quotes, blank and
 * space-only lines, a short row, a last row without a line end. */
static const char replay_doc[] =
	"C1,R1,T1,payment,2026-09-01,100.00,CHF,plain\n"                    /* +1 */
	"C1,\"R\"\"2\"\"\",T2,payment,2026-09-01,1,CHF,\"two\r\nlines\"\r\n" /* +2, +3 */
	"\r\n"                                                               /* +4 */
	"   \n"                                                              /* +5 */
	"C1,R3,\"T\n3\",credit_note,2026-09-02,\"2\",CHF,\"\"\"\"\r"        /* +6, +7, CR alone */
	"C1,R4,T4,payment,2026-09-03,3,CHF\n"                                /* +8: 7 fields */
	"C1,R5,T5,withdrawal,2026-09-04,,,\"a,b\"\"\r\nc\"\n"               /* +9, +10 */
	"C1,R6,T6,payment,2026-09-05,6.5,CHF,end";                           /* +11 */

START_TEST(test_replay_chunk_sizes)
{
	struct decoded whole;
	size_t rows;
	uint64_t base;

	replay_every_chunk_size(TX_HEADER, ',', replay_doc, strlen(replay_doc), &whole, &rows);
	/* the hand-checked reference: the prefix is the header and rows */
	base = 1 + rows; /* the line before the tail */
	EXPECT_OK(&whole, rows + 6);
	EXPECT_REC(&whole, rows + 0, rows + 1, base + 1, false);
	EXPECT_FIELD(&whole, rows + 0, TF_REASON, "plain");
	EXPECT_REC(&whole, rows + 1, rows + 2, base + 2, false);
	EXPECT_FIELD(&whole, rows + 1, TF_CREDITOR_REFERENCE, "R\"2\"");
	EXPECT_FIELD(&whole, rows + 1, TF_REASON, "two\r\nlines");
	EXPECT_REC(&whole, rows + 2, rows + 3, base + 6, false);
	EXPECT_FIELD(&whole, rows + 2, TF_TRANSACTION_ID, "T\n3");
	EXPECT_FIELD(&whole, rows + 2, TF_AMOUNT, "2");
	EXPECT_FIELD(&whole, rows + 2, TF_REASON, "\"");
	EXPECT_REC(&whole, rows + 3, rows + 4, base + 8, true);
	EXPECT_REC(&whole, rows + 4, rows + 5, base + 9, false);
	EXPECT_FIELD(&whole, rows + 4, TF_REASON, "a,b\"\r\nc");
	EXPECT_REC(&whole, rows + 5, rows + 6, base + 11, false);
	EXPECT_FIELD(&whole, rows + 5, TF_REASON, "end");
	decoded_free(&whole);
}
END_TEST

START_TEST(test_replay_unterminated)
{
	static const char doc[] = "C1,R1,T1,payment,2026-09-01,1,CHF,\"a\r\nb\"\r\n" /* +1, +2 */
				  "C1,R2,T2,payment,2026-09-01,1,CHF,\"open\r\nx\r\n"; /* +3 */
	struct decoded whole;
	size_t rows;

	replay_every_chunk_size(TX_HEADER, ',', doc, strlen(doc), &whole, &rows);
	EXPECT_REFUSED(&whole, RC_FILE_MALFORMED, 1 + rows + 3);
	ck_assert_uint_eq(whole.n, rows + 1);
	decoded_free(&whole);
}
END_TEST

START_TEST(test_replay_broken_quote)
{
	static const char doc[] = "C1,R1,T1,payment,2026-09-01,1,CHF,\n"      /* +1 */
				  "\n"                                         /* +2 */
				  "C1,\"R2\"junk,T2,payment,2026-09-01,1,CHF,\n"; /* +3 */
	struct decoded whole;
	size_t rows;

	replay_every_chunk_size(TX_HEADER, ',', doc, strlen(doc), &whole, &rows);
	EXPECT_REFUSED(&whole, RC_FILE_MALFORMED, 1 + rows + 3);
	ck_assert_uint_eq(whole.n, rows + 1);
	decoded_free(&whole);
}
END_TEST

START_TEST(test_replay_semicolon)
{
	static const char doc[] = "C1;R1;T1;payment;2026-09-01;1,50;CHF;\"x;y\"\r\n"   /* +1 */
				  "C1;R2;T2;payment;2026-09-01;2,5;CHF;\"p\r\nq\"\r\n"; /* +2, +3 */
	struct decoded whole;
	size_t rows;

	replay_every_chunk_size("creditor_id;creditor_reference;transaction_id;kind;booking_date;amount;currency;"
				"reason",
				';', doc, strlen(doc), &whole, &rows);
	EXPECT_OK(&whole, rows + 2);
	ck_assert(whole.decimal_comma);
	EXPECT_FIELD(&whole, rows + 0, TF_AMOUNT, "1,50");
	EXPECT_FIELD(&whole, rows + 0, TF_REASON, "x;y");
	EXPECT_REC(&whole, rows + 1, rows + 2, 1 + rows + 2, false);
	EXPECT_FIELD(&whole, rows + 1, TF_REASON, "p\r\nq");
	decoded_free(&whole);
}
END_TEST

/* Regular files: the snippet moves across a real chunk boundary one byte
 * at a time (the prefix before it shrinks). */
static void boundary_shift(size_t boundary, bool bom)
{
	static const char snippet[] = "C1,\"R\"\"1\",T1,payment,2026-09-01,1,CHF,\"a\r\nb\"\r\n" /* +1, +2 */
				      "\r\n"                                                    /* +3 */
				      "C1,R2,T2,payment,2026-09-01,2,CHF,z\r\n";                /* +4 */
	size_t slen = strlen(snippet);

	for (size_t shift = 0; shift <= slen; shift++) {
		struct sbuf b = { 0 };
		struct decoded d;
		size_t rows;

		if (bom)
			sb_str(&b, "\xEF\xBB\xBF");
		filler_prefix(&b, boundary - shift - b.len, TX_HEADER, ',', &rows);
		sb_add(&b, snippet, slen);
		ck_assert_uint_eq(b.len, boundary - shift + slen);
		decode_mem(&d, b.p, b.len, KIND_UNKNOWN);
		EXPECT_OK(&d, rows + 2);
		EXPECT_REC(&d, rows - 1, rows, 1 + rows, false);
		EXPECT_REC(&d, rows + 0, rows + 1, 1 + rows + 1, false);
		EXPECT_FIELD(&d, rows + 0, TF_CREDITOR_REFERENCE, "R\"1");
		EXPECT_FIELD(&d, rows + 0, TF_REASON, "a\r\nb");
		EXPECT_REC(&d, rows + 1, rows + 2, 1 + rows + 4, false);
		EXPECT_FIELD(&d, rows + 1, TF_REASON, "z");
		EXPECT_FIELD(&d, 0, TF_CREDITOR_ID, "F0");
		decoded_free(&d);
		free(b.p);
	}
}

START_TEST(test_boundary_head)
{
	boundary_shift(HEAD, false);
	boundary_shift(HEAD, true);
}
END_TEST

START_TEST(test_boundary_first_chunk)
{
	boundary_shift(HEAD + CHUNK, false);
	boundary_shift(HEAD + CHUNK, true);
}
END_TEST

/* A record bigger than a chunk, straddling two boundaries. */
START_TEST(test_record_across_chunks)
{
	struct sbuf b = { 0 };
	struct decoded d;
	size_t rows;

	filler_prefix(&b, HEAD - 10, TX_HEADER, ',', &rows);
	sb_str(&b, "C1,R1,T1,payment,2026-09-01,1,CHF,\"");
	for (int i = 0; i < 100; i++) {
		sb_fill(&b, 'q', 999);
		sb_str(&b, "\r\n");
	}
	sb_str(&b, "\"\"\"\r\nC1,R2,T2,payment,2026-09-01,2,CHF,\n");
	ck_assert_uint_gt(b.len, HEAD + CHUNK + 1000);
	decode_mem(&d, b.p, b.len, KIND_UNKNOWN);
	EXPECT_OK(&d, rows + 2);
	EXPECT_REC(&d, rows, rows + 1, 1 + rows + 1, false);
	ck_assert_uint_eq(d.recs[rows].flags[TF_REASON], FIELD_PRESENT | FIELD_TOO_LONG);
	EXPECT_REC(&d, rows + 1, rows + 2, 1 + rows + 1 + 101, false);
	decoded_free(&d);
	free(b.p);
}
END_TEST

Suite *csv_decode_suite(void)
{
	Suite *s = suite_create("csv_decode");
	TCase *tc = tcase_create("decode");
	TCase *tc_big = tcase_create("limits");
	TCase *tc_chunks = tcase_create("chunks");

	tcase_add_test(tc, test_basic_lf);
	tcase_add_test(tc, test_event_file);
	tcase_add_test(tc, test_crlf_same_as_lf);
	tcase_add_test(tc, test_quoted_line_breaks);
	tcase_add_test(tc, test_blank_lines);
	tcase_add_test(tc, test_header_case_and_order);
	tcase_add_test(tc, test_semicolon);
	tcase_add_test(tc, test_bom);
	tcase_add_test(tc, test_kind);
	tcase_add_test(tc, test_blank_lines_before_header);
	tcase_add_test(tc, test_blank_lines_before_semicolon_header);
	tcase_add_test(tc, test_file_header);
	tcase_add_test(tc, test_file_empty);
	tcase_add_test(tc, test_bad_record);
	tcase_add_test(tc, test_unterminated_quote);
	tcase_add_test(tc, test_broken_quoting);
	tcase_add_test(tc, test_callback_error_stops);
	tcase_add_test(tc, test_gzip_input);
	suite_add_tcase(s, tc);

	tcase_add_test(tc_big, test_huge_field);
	tcase_add_test(tc_big, test_field_over_cap);
	tcase_set_timeout(tc_big, 60);
	suite_add_tcase(s, tc_big);

	tcase_add_test(tc_chunks, test_replay_chunk_sizes);
	tcase_add_test(tc_chunks, test_replay_unterminated);
	tcase_add_test(tc_chunks, test_replay_broken_quote);
	tcase_add_test(tc_chunks, test_replay_semicolon);
	tcase_add_test(tc_chunks, test_boundary_head);
	tcase_add_test(tc_chunks, test_boundary_first_chunk);
	tcase_add_test(tc_chunks, test_record_across_chunks);
	tcase_set_timeout(tc_chunks, 60);
	suite_add_tcase(s, tc_chunks);
	return s;
}
