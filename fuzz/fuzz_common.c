#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "decode.h"
#include "source.h"
#include "validate.h"

/* The agency's accounts of fixtures/bank. */
static const char *const accounts[] = { "CH4431999123000889012", "CH9300762011623852957" };

struct ctx {
	struct validate_ctx v;
	uint64_t seen;
	uint64_t accepted, rejected;
	enum file_kind kind;
};

static int on_kind(void *p, enum file_kind kind, struct err *e)
{
	struct ctx *c = p;

	(void)e;
	c->kind = kind;
	return 0;
}

/* A bank record: no validator yet; the decoder's own promises. */
static void check_bank(const struct record *r)
{
	const char *s = record_value(r, BF_ACCOUNT);
	size_t n = r->f[BF_ACCOUNT].len;
	bool known = false;

	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	for (size_t i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++)
		known = known || (strlen(accounts[i]) == n && memcmp(accounts[i], s, n) == 0);
	if (!known)
		abort(); /* FILE_ACCOUNT comes before any record of another account */
	if (!(r->f[BF_DETAIL_ORDINAL].flags & FIELD_PRESENT) || r->bad_record)
		abort(); /* every record has its place in its entry; no BAD_RECORD */
	if ((r->f[BF_BANK_REFERENCE].flags & FIELD_PRESENT) && !(r->f[BF_BANK_REFERENCE].flags & FIELD_TOO_LONG) &&
	    r->f[BF_BANK_REFERENCE].len == 0)
		abort(); /* a key is never empty: absent instead */
}

static int on_record(void *p, struct record *r, struct err *e)
{
	struct ctx *c = p;
	struct verdict v;
	size_t n;

	(void)e;
	c->seen++;
	if (r->ordinal != c->seen)
		abort(); /* ordinals are 1, 2, 3, ... */
	record_fields(r->kind, &n);
	for (size_t f = 0; f < n; f++) {
		if (r->f[f].len > RECORD_FIELD_MAX_BYTES)
			abort(); /* no field over its limit */
		if (r->f[f].off + r->f[f].len >= sizeof(r->buf))
			abort();
	}
	if (r->kind == KIND_BANK) {
		check_bank(r);
		memset(&v, 0, sizeof(v));
	} else if (r->kind == KIND_CASES) {
		validate_case(&c->v, r, &v);
	} else if (r->kind == KIND_TRANSACTIONS) {
		validate_transaction(&c->v, r, &v);
	} else if (r->kind == KIND_ASSIGNMENTS) {
		validate_assignment(&c->v, r, &v);
	} else if (r->kind == KIND_EVENTS) {
		validate_event(&c->v, r, &v);
	} else {
		abort();
	}
	if (v.n == 0)
		c->accepted++;
	else
		c->rejected++;
	if (v.n > VERDICT_MAX_ERRORS)
		abort();
	return 0;
}

void fuzz_decode(const uint8_t *data, size_t size, int xml)
{
	static struct config conf;
	static struct creditor_info creditors[2] = {
		{ "C1", "CH", "CHF", true },
		{ "S1", "SE", "SEK", true },
	};
	static struct creditor_table table = { creditors, 2 };
	static int ready;
	char path[64];
	struct source *src = NULL;
	struct decode_io io;
	struct ctx c;
	struct err e = ERR_INIT;
	FILE *fp;
	int rc;

	if (!ready) {
		config_init(&conf);
		conf.max_file_bytes = 8u << 20;
		conf.ncountries = 2;
		conf.countries[0] = (struct country_conf){ "CH", "CHF", false, 1u << CLAIM_RENT, 5000, 500, 365, 810, 2500 };
		conf.countries[1] = (struct country_conf){ "SE", "SEK", true, 0, 18000, 1050, 365, 2500, 0 };
		ready = 1;
	}
	snprintf(path, sizeof(path), "/dev/shm/engine-fuzz-%ld", (long)getpid());
	fp = fopen(path, "wb");
	if (fp == NULL || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
	memset(&c, 0, sizeof(c));
	c.v.conf = &conf;
	c.v.creditors = &table;
	c.v.as_of = 20000;
	memset(&io, 0, sizeof(io));
	if (source_open(&src, path, conf.max_file_bytes, &e) != 0) {
		unlink(path);
		return;
	}
	io.src = src;
	io.on_kind = on_kind;
	io.on_record = on_record;
	io.ctx = &c;
	io.accounts = accounts;
	io.naccounts = sizeof(accounts) / sizeof(accounts[0]);
	c.v.decimal_comma = false;
	rc = xml ? xml_decode(&io, &e) : csv_decode(&io, &e);
	if (rc == 0 && io.records != c.seen)
		abort(); /* records counted = records delivered */
	if (c.seen != c.accepted + c.rejected)
		abort(); /* records = accepted + rejected */
	if (rc == ERR_REFUSED && (io.refusal >= RC__COUNT))
		abort(); /* a refusal always names its code */
	source_free(src);
	unlink(path);
}
