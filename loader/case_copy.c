/* case_copy.c: key filter, binary COPY rows and receipt merge. See case_copy.h. */
#include "case_copy.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "copy_csv.h"
#include "columns.h"
#include "csvout.h"
#include "date.h"

/* ---- the key filter ---- */

int key_filter_init(struct key_filter *kf, unsigned log2_bits, struct err *e)
{
	size_t words;

	if (log2_bits < 6)
		log2_bits = 6;
	if (log2_bits > 32)
		log2_bits = 32;
	words = ((size_t)1 << log2_bits) / 64;
	kf->bits = calloc(words, sizeof(uint64_t));
	if (kf->bits == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	kf->mask = ((uint64_t)1 << log2_bits) - 1;
	return 0;
}

void key_filter_free(struct key_filter *kf)
{
	free(kf->bits);
	kf->bits = NULL;
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* MurmurHash3's 64-bit finaliser: spreads FNV's weak high bits. */
static uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

#define KEY_FILTER_HASHES 4

bool key_filter_add(struct key_filter *kf, const char *creditor_id, size_t id_len, const char *ref,
		    size_t ref_len)
{
	/* the separator keeps ("C1", "23") apart from ("C12", "3") */
	uint64_t h = fnv1a(fnv1a(0xcbf29ce484222325ULL, creditor_id, id_len), "\0", 1);
	uint64_t h1, h2;
	bool seen = true;

	h = fnv1a(h, ref, ref_len);
	h1 = fmix64(h);
	h2 = fmix64(h ^ 0x9e3779b97f4a7c15ULL) | 1;
	for (unsigned i = 0; i < KEY_FILTER_HASHES; i++) {
		uint64_t bit = (h1 + i * h2) & kf->mask;
		uint64_t *w = &kf->bits[bit >> 6];
		uint64_t m = (uint64_t)1 << (bit & 63);

		if (!(*w & m)) {
			seen = false;
			*w |= m;
		}
	}
	return seen;
}

/* ---- binary COPY rows ---- */

/* The columns a case row has beyond its fields: the case number first,
 * then the fields, then these, in this order. */
#define CASE_COPY_DERIVED_LIST "payment_reference, batch_id, record, registered, principal, fees, accrued_to"
#define CASE_COPY_DERIVED 8 /* with case_id */

int case_copy_init(char *sql, size_t size, struct err *e)
{
	char list[COLUMNS_SQL_MAX];
	int rc;

	if ((rc = columns_list(list, sizeof(list), KIND_CASES, false, "", NULL, e)) != 0)
		return rc;
	if ((size_t)snprintf(sql, size, "COPY cases (case_id, %s, " CASE_COPY_DERIVED_LIST ") FROM STDIN (FORMAT binary)",
			     list) >= size)
		return ERR_SET(e, ERR_LIMIT, "the COPY statement of cases does not fit");
	return 0;
}
/* PostgreSQL's dates count days from 2000-01-01, ours from 1970-01-01. */
#define PG_EPOCH_DAYS 10957

static char *be16(char *p, uint16_t v)
{
	p[0] = (char)(v >> 8);
	p[1] = (char)v;
	return p + 2;
}

static char *be32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24);
	p[1] = (char)(v >> 16);
	p[2] = (char)(v >> 8);
	p[3] = (char)v;
	return p + 4;
}

static char *be64(char *p, uint64_t v)
{
	p = be32(p, (uint32_t)(v >> 32));
	return be32(p, (uint32_t)v);
}

size_t case_copy_header(char *buf)
{
	static const char sig[11] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', '\377', '\r', '\n', '\0' };
	char *p = buf;

	memcpy(p, sig, sizeof(sig));
	p += sizeof(sig);
	p = be32(p, 0); /* flags: no OIDs */
	p = be32(p, 0); /* no header extension */
	return (size_t)(p - buf);
}

size_t case_copy_trailer(char *buf)
{
	return (size_t)(be16(buf, 0xffff) - buf);
}

static char *null_(char *p)
{
	return be32(p, 0xffffffffu);
}

static char *text(char *p, const struct record *r, int f)
{
	uint32_t n = r->f[f].len;

	if (n == 0 || (r->f[f].flags & FIELD_TOO_LONG))
		return null_(p);
	p = be32(p, n);
	memcpy(p, record_value(r, f), n);
	return p + n;
}

static char *i64(char *p, int64_t v)
{
	p = be32(p, 8);
	return be64(p, (uint64_t)v);
}

static char *day(char *p, int32_t days)
{
	p = be32(p, 4);
	return be32(p, (uint32_t)(days - PG_EPOCH_DAYS));
}

static char *date_field(char *p, const struct record *r, int f, int32_t *out)
{
	int32_t d;

	if (r->f[f].len == 0 || date_parse(&d, record_value(r, f), r->f[f].len) != 0)
		return null_(p);
	if (out != NULL)
		*out = d;
	return day(p, d);
}

size_t case_copy_row(char *buf, const struct record *r, const struct verdict *v, int64_t case_id,
		     const char *payment_reference, int64_t batch_id, int32_t as_of)
{
	size_t nd;
	const struct field_def *d = record_fields(KIND_CASES, &nd);
	int32_t due = 0;
	uint16_t ncols = CASE_COPY_DERIVED;
	char *p = buf + 2; /* the column count goes first, once known */
	size_t refn = strlen(payment_reference);

	p = i64(p, case_id);
	for (size_t f = 0; f < nd; f++) {
		ncols += d[f].type != COL_NONE;
		switch (d[f].type) {
		case COL_NONE:
			break;
		case COL_TEXT:
			p = text(p, r, (int)f);
			break;
		case COL_DATE:
			p = date_field(p, r, (int)f, f == CF_DUE_DATE ? &due : NULL);
			break;
		case COL_MONEY:
			p = i64(p, v->num[f]);
			break;
		case COL_BOOL:
			p = be32(p, 1);
			*p++ = v->num[f] != 0 ? 1 : 0;
			break;
		}
	}
	/* the derived columns of CASE_COPY_DERIVED_LIST */
	p = be32(p, (uint32_t)refn);
	memcpy(p, payment_reference, refn);
	p += refn;
	p = i64(p, batch_id);
	p = i64(p, (int64_t)r->ordinal);
	p = day(p, as_of);
	p = i64(p, v->num[CF_ORIGINAL_AMOUNT] - v->num[CF_PAID_AMOUNT]);
	p = i64(p, v->collection_fee);
	p = day(p, due); /* accrued_to: interest runs from the due date */
	be16(buf, ncols);
	return (size_t)(p - buf);
}

/* ---- the receipt ---- */

size_t receipt_key_line(char *buf, uint64_t record, const char *ref, size_t len, int64_t case_id,
			const char *payment_reference)
{
	size_t n = (size_t)snprintf(buf, 32, "%" PRIu64 ",", record);

	/* a reference is at most 64 characters (256 bytes) of UTF-8: quoted
	 * and doubled it fits RECEIPT_LINE_MAX with the rest */
	n += csvout_encode(buf + n, ref, len, true);
	n += (size_t)snprintf(buf + n, RECEIPT_LINE_MAX - n, ",%" PRId64 ",accepted,%s\n", case_id, payment_reference);
	return n;
}

void receipt_merge_init(struct receipt_merge *m, FILE *keys, struct atomic_file *out, struct err *e)
{
	memset(m, 0, sizeof(*m));
	m->keys = keys;
	m->out = out;
	m->e = e;
}

static uint64_t leading_record(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

/* Read the next key line into m->line; false at the end. */
static bool next_key(struct receipt_merge *m)
{
	if (m->have_line)
		return true;
	if (m->eof || fgets(m->line, sizeof(m->line), m->keys) == NULL) {
		m->eof = true;
		return false;
	}
	m->line_record = leading_record(m->line);
	m->have_line = true;
	return true;
}

/* Write the held key line: a whole receipt row. */
static int emit_key(struct receipt_merge *m)
{
	m->have_line = false;
	return atomic_file_write(m->out, m->line, strlen(m->line), m->e) != 0 ? ERR_IO : 0;
}

int receipt_merge_row(struct receipt_merge *m, const char *row, size_t len)
{
	uint64_t rec;
	char num[24];
	size_t i = 0;

	if (m->rc != 0)
		return m->rc;
	while (i < len && i < sizeof(num) - 1 && row[i] >= '0' && row[i] <= '9') {
		num[i] = row[i];
		i++;
	}
	num[i] = '\0';
	rec = leading_record(num);
	while (m->rc == 0 && next_key(m) && m->line_record < rec)
		m->rc = emit_key(m);
	if (m->rc == 0 && copy_csv_row(m->out, row, len, m->e) != 0)
		m->rc = ERR_IO;
	return m->rc;
}

int receipt_merge_finish(struct receipt_merge *m)
{
	while (m->rc == 0 && next_key(m))
		m->rc = emit_key(m);
	if (m->rc == 0 && ferror(m->keys))
		m->rc = ERR_SET(m->e, ERR_IO, "cannot read the receipt's temporary file");
	return m->rc;
}
