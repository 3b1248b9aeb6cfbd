/* batch.c: the sink and the batch lifecycle (SPEC 7). See batch.h. */
#include "batch.h"

#include <assert.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "case_copy.h"
#include "copy_csv.h"
#include "date.h"
#include "db.h"
#include "decode.h"
#include "locks.h"
#include "log.h"
#include "money.h"
#include "pipeline.h"
#include "rules.h"
#include "sniff.h"
#include "source.h"
#include "utf8.h"
#include "validate.h"

volatile sig_atomic_t batch_interrupted;
static PGcancel *volatile cancel_handle;

void batch_interrupt(void)
{
	char buf[256];
	PGcancel *c = cancel_handle;

	batch_interrupted = 1;
	if (c != NULL)
		PQcancel(c, buf, sizeof(buf));
}

#define ROW_MAX (64u * 1024u)

struct load {
	const struct config *conf;
	const struct load_opts *opts;
	PGconn *conn;
	struct db_copy copy;
	bool copying;
	enum file_kind kind;
	struct creditor_table creditors;
	struct validate_ctx vctx;
	struct decode_io io;
	long long batch_id;
	char *row;      /* one COPY row */
	size_t row_len;
	struct err *e;
	/* The cases' receipt, written by the insert; renamed into place after
	 * the reject report, removed again if the batch does not commit. */
	struct atomic_file receipt;
	bool receipt_pending;
	char receipt_path[CONFIG_PATH_MAX + 64];
	bool stage_created;
	/* The fast case load (case_copy.h): accepted records whose key is new
	 * to the file go straight into cases with a binary COPY; the others are
	 * spilled to a temporary file and staged after it. */
	bool fast;        /* try it: a case file, not a dry run */
	bool fast_active; /* inside SAVEPOINT fast */
	bool fallback;    /* start the file again on the staged path */
	struct key_filter filter;
	FILE *spill;      /* staged rows, COPY text format */
	FILE *keys;       /* the fast records' receipt key lines */
	FILE *ids;        /* their case numbers, when not contiguous */
	unsigned long long n_fast, n_spill;
	long long seq0;   /* the case number sequence before the COPY */
	bool *seen;       /* creditors (index in creditors) with a record */
	const char *path; /* the file, as given */
	const char *reading; /* the progress line's reading step */
	const char *step; /* what the batch does now: named in front of an error */
};

/* ---- COPY text-format encoding ---- */

static void put(struct load *l, const char *s, size_t n)
{
	/* fields are capped far below ROW_MAX (RECORD_FIELD_MAX_BYTES) */
	assert(l->row_len + n <= ROW_MAX);
	memcpy(l->row + l->row_len, s, n);
	l->row_len += n;
}

static void put_text(struct load *l, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		char esc;

		switch (s[i]) {
		case '\\': esc = '\\'; break;
		case '\t': esc = 't'; break;
		case '\n': esc = 'n'; break;
		case '\r': esc = 'r'; break;
		default: continue;
		}
		put(l, s + start, i - start);
		put(l, "\\", 1);
		put(l, &esc, 1);
		start = i + 1;
	}
	put(l, s + start, n - start);
}

static void put_sep(struct load *l)
{
	put(l, "\t", 1);
}

static void put_null(struct load *l)
{
	put(l, "\\N", 2);
}

static void put_field(struct load *l, const struct record *r, int f)
{
	if (r->f[f].len == 0 || (r->f[f].flags & FIELD_TOO_LONG))
		put_null(l);
	else
		put_text(l, record_value(r, f), r->f[f].len);
}

static void put_i64(struct load *l, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);

	put(l, buf, (size_t)n);
}

/* The value column of the reject report (SPEC 7.1 v2): the field as read,
 * at most 200 characters, control characters and invalid UTF-8 escaped. */
#define REPORT_VALUE_CHARS 200

static void put_errors(struct load *l, const struct record *r, const struct verdict *v, enum file_kind kind)
{
	size_t nd;
	const struct field_def *defs = record_fields(kind, &nd);
	char value[REPORT_VALUE_CHARS * 4 + 8];

	if (v->n == 0) {
		put_null(l);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct reject_item *it = &v->items[i];
		const char *code = reject_code_name(it->code);

		if (i > 0)
			put(l, "\x1e", 1);
		put(l, code, strlen(code));
		put(l, "\x1f", 1);
		if (it->field >= 0)
			put(l, defs[it->field].name, strlen(defs[it->field].name));
		put(l, "\x1f", 1);
		put_text(l, it->message, strlen(it->message));
		put(l, "\x1f", 1);
		if (it->field >= 0 && !(r->f[it->field].flags & FIELD_TOO_LONG) && r->f[it->field].len > 0) {
			size_t n = utf8_escape(value, sizeof(value), record_value(r, it->field), r->f[it->field].len,
					       REPORT_VALUE_CHARS);

			put_text(l, value, n);
		}
	}
}

/* A text value that may be shown in the report even when invalid. */
static void put_key(struct load *l, const struct record *r, int f)
{
	const struct field_value *fv = &r->f[f];

	if (fv->len == 0 || (fv->flags & FIELD_TOO_LONG) ||
	    memchr(record_value(r, f), '\0', fv->len) != NULL)
		put_null(l);
	else
		put_text(l, record_value(r, f), fv->len);
}

/* A UTF-8 check for values the validator did not look at. */
static bool text_ok(const struct record *r, int f)
{
	const struct field_value *fv = &r->f[f];

	return fv->len > 0 && !(fv->flags & FIELD_TOO_LONG) &&
	       memchr(record_value(r, f), '\0', fv->len) == NULL &&
	       rules_utf8_ok(record_value(r, f), fv->len);
}

/* dupkey: the record's key is usable; probe: the fast path's key filter
 * saw the key before, so an earlier occurrence may be among the records
 * already COPYed into cases (only those keys are looked up there). */
static const char stage_cases_sql[] =
	"CREATE TEMP TABLE stage (record bigint, line bigint, errors text, dupkey boolean, probe boolean,"
	" creditor_id text, creditor_reference text, debtor_type text, debtor_name text,"
	" debtor_national_id text, debtor_birth_date date, debtor_street text,"
	" debtor_postal_code text, debtor_city text, debtor_country text, debtor_email text,"
	" debtor_phone text, invoice_number text, invoice_date date, due_date date,"
	" original_amount bigint, currency text, paid_amount bigint, claim_type text,"
	" disputed boolean, reminder_date date, fees bigint) ON COMMIT DROP";

static const char stage_tx_sql[] =
	"CREATE TEMP TABLE stage (record bigint, line bigint, errors text, dupkey boolean,"
	" txkey boolean, creditor_id text, creditor_reference text, transaction_id text,"
	" kind text, booking_date date, amount bigint, currency text, reason text) ON COMMIT DROP";

static int fast_begin(struct load *l, struct err *e);
static int q1(PGconn *conn, const char *sql, int n, const char *const *params, char *out, size_t outsz,
	      struct err *e);
static void phase(const char *name);

static int on_kind(void *ctx, enum file_kind kind, struct err *e)
{
	struct load *l = ctx;
	int rc;

	l->kind = kind;
	l->vctx.decimal_comma = l->io.decimal_comma;
	if (!l->stage_created) {
		if ((rc = db_exec(l->conn, kind == KIND_CASES ? stage_cases_sql : stage_tx_sql, e)) != 0)
			return rc;
		l->stage_created = true;
	}
	if (kind != KIND_CASES)
		l->fast = false;
	if (l->fast)
		return fast_begin(l, e);
	db_copy_release(&l->copy);
	if ((rc = db_copy_begin(&l->copy, l->conn, "COPY stage FROM STDIN", e)) != 0)
		return rc;
	l->copying = true;
	return 0;
}

static void stage_case(struct load *l, struct record *r, const struct verdict *v, bool probe)
{
	bool ok = v->n == 0;
	static const int cols[] = {
		CF_DEBTOR_TYPE, CF_DEBTOR_NAME, CF_DEBTOR_NATIONAL_ID, CF_DEBTOR_BIRTH_DATE,
		CF_DEBTOR_STREET, CF_DEBTOR_POSTAL_CODE, CF_DEBTOR_CITY, CF_DEBTOR_COUNTRY,
		CF_DEBTOR_EMAIL, CF_DEBTOR_PHONE, CF_INVOICE_NUMBER, CF_INVOICE_DATE, CF_DUE_DATE,
	};

	put_i64(l, (int64_t)r->ordinal);
	put_sep(l);
	put_i64(l, (int64_t)r->line);
	put_sep(l);
	put_errors(l, r, v, KIND_CASES);
	put_sep(l);
	put(l, v->key_ok ? "t" : "f", 1);
	put_sep(l);
	put(l, probe ? "t" : "f", 1);
	put_sep(l);
	if (ok || v->key_ok || text_ok(r, CF_CREDITOR_ID))
		put_key(l, r, CF_CREDITOR_ID);
	else
		put_null(l);
	put_sep(l);
	if (ok || v->key_ok || text_ok(r, CF_CREDITOR_REFERENCE))
		put_key(l, r, CF_CREDITOR_REFERENCE);
	else
		put_null(l);
	if (!ok) {
		/* rejected: only what the report needs */
		for (int i = 0; i < 20; i++) {
			put_sep(l);
			put_null(l);
		}
		put(l, "\n", 1);
		return;
	}
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		put_sep(l);
		put_field(l, r, cols[i]);
	}
	put_sep(l);
	put_i64(l, v->original_amount);
	put_sep(l);
	put_field(l, r, CF_CURRENCY);
	put_sep(l);
	put_i64(l, v->paid_amount);
	put_sep(l);
	put_field(l, r, CF_CLAIM_TYPE);
	put_sep(l);
	put(l, v->disputed ? "t" : "f", 1);
	put_sep(l);
	put_field(l, r, CF_REMINDER_DATE);
	put_sep(l);
	put_i64(l, v->collection_fee);
	put(l, "\n", 1);
}

static void stage_tx(struct load *l, struct record *r, const struct verdict *v)
{
	bool ok = v->n == 0;

	put_i64(l, (int64_t)r->ordinal);
	put_sep(l);
	put_i64(l, (int64_t)r->line);
	put_sep(l);
	put_errors(l, r, v, KIND_TRANSACTIONS);
	put_sep(l);
	put(l, v->key_ok ? "t" : "f", 1);
	put_sep(l);
	put(l, v->txid_ok ? "t" : "f", 1);
	put_sep(l);
	if (ok || text_ok(r, TF_CREDITOR_ID))
		put_key(l, r, TF_CREDITOR_ID);
	else
		put_null(l);
	put_sep(l);
	if (ok || text_ok(r, TF_CREDITOR_REFERENCE))
		put_key(l, r, TF_CREDITOR_REFERENCE);
	else
		put_null(l);
	put_sep(l);
	if (ok || text_ok(r, TF_TRANSACTION_ID))
		put_key(l, r, TF_TRANSACTION_ID);
	else
		put_null(l);
	if (!ok) {
		for (int i = 0; i < 5; i++) {
			put_sep(l);
			put_null(l);
		}
		put(l, "\n", 1);
		return;
	}
	put_sep(l);
	put_field(l, r, TF_KIND);
	put_sep(l);
	put_field(l, r, TF_BOOKING_DATE);
	put_sep(l);
	put_i64(l, v->amount);
	put_sep(l);
	put_field(l, r, TF_CURRENCY);
	put_sep(l);
	put_field(l, r, TF_REASON);
	put(l, "\n", 1);
}


static int fast_record(struct load *l, struct record *r, const struct verdict *v, struct err *e);

static int on_record(void *ctx, struct record *r, struct err *e)
{
	struct load *l = ctx;
	struct verdict v;

	if (batch_interrupted)
		return ERR_SET(e, ERR_INTERRUPTED, "interrupted by a signal");
	if ((r->ordinal & 0x3fff) == 0)
		log_progress_read(l->reading, r->ordinal, source_raw_read(l->io.src), source_raw_size(l->io.src));
	l->row_len = 0;
	if (l->kind == KIND_CASES)
		validate_case(&l->vctx, r, &v);
	else
		validate_transaction(&l->vctx, r, &v);
	if (v.creditor != NULL)
		l->seen[v.creditor - l->creditors.items] = true;
	if (l->kind == KIND_CASES) {
		if (l->fast_active)
			return fast_record(l, r, &v, e);
		stage_case(l, r, &v, false);
	} else {
		stage_tx(l, r, &v);
	}
	l->copy.rows++;
	return db_copy_write(&l->copy, l->row, l->row_len, e);
}

/* ---- locks ---- */

/* Which batches hold an advisory lock of class LOCK_CLASS_CREDITOR whose
 * key is in the list that follows ("IN (...)"): "batch 12, 14" or "". */
#define HOLDERS_SQL(keys)                                                                         \
	"SELECT coalesce('batch ' || string_agg(DISTINCT b.batch_id::text, ', '), '')"              \
	" FROM pg_locks k JOIN batches b ON b.loader_pid = k.pid AND b.status = 'loading'"         \
	" WHERE k.locktype = 'advisory' AND k.granted AND k.pid <> pg_backend_pid()"                \
	" AND k.classid = " LOCK_CLASS_CREDITOR_SQL " AND k.objsubid = 2"                           \
	" AND k.objid::bigint IN (" keys ")"

/* Take a lock with try_sql (one boolean: got it); when another loader
 * holds it, say on stderr whom this batch waits for, then wait (lock_sql). */
static int take_lock(struct load *l, const char *try_sql, const char *lock_sql, const char *holders_sql,
		     const char *what, struct err *e)
{
	char got[8], who[256];
	int rc;

	if ((rc = q1(l->conn, try_sql, 0, NULL, got, sizeof(got), e)) != 0)
		return rc;
	if (got[0] == 't')
		return 0;
	if ((rc = q1(l->conn, holders_sql, 0, NULL, who, sizeof(who), e)) != 0)
		return rc;
	log_info("batch %lld: waiting for %s to finish: it holds %s", l->batch_id,
		 who[0] != '\0' ? who : "another loader", what);
	return q1(l->conn, lock_sql, 0, NULL, NULL, 0, e);
}

/* ---- the fast case load ---- */

static FILE *temp_file(struct err *e)
{
	FILE *f = tmpfile(); /* mode 0600, already unlinked: nothing left behind */

	if (f == NULL)
		ERR_SET(e, ERR_IO, "cannot create a temporary file");
	return f;
}

static int fast_begin(struct load *l, struct err *e)
{
	char out[32];
	size_t n;
	int rc;

	/* Fast loads run side by side (shared); a staged case load waits for
	 * them (it takes the lock exclusively), so it never classifies a key
	 * that an uncommitted fast load is inserting. */
	if ((rc = db_exec(l->conn, "SAVEPOINT fast", e)) != 0)
		return rc;
	l->fast_active = true;
	if ((rc = take_lock(l, "SELECT pg_try_advisory_xact_lock_shared(" LOCK_CLASS_CREDITOR_SQL ", 0)",
			    "SELECT pg_advisory_xact_lock_shared(" LOCK_CLASS_CREDITOR_SQL ", 0)", HOLDERS_SQL("0"),
			    "the case-load lock", e)) != 0)
		return rc;
	if ((rc = q1(l->conn,
		     "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('cases', 'case_id')::regclass), 0)",
		     0, NULL, out, sizeof(out), e)) != 0)
		return rc;
	l->seq0 = strtoll(out, NULL, 10);
	l->n_fast = l->n_spill = 0;
	if (l->filter.bits == NULL) {
		const char *bits = getenv("LOADER_KEY_FILTER_BITS"); /* a test hook: log2 of the size */

		if ((rc = key_filter_init(&l->filter, bits != NULL ? (unsigned)atoi(bits) : KEY_FILTER_LOG2_BITS,
					  e)) != 0)
			return rc;
	}
	if ((l->spill = temp_file(e)) == NULL || (l->keys = temp_file(e)) == NULL)
		return ERR_IO;
	db_copy_release(&l->copy);
	if ((rc = db_copy_begin(&l->copy, l->conn, case_copy_sql, e)) != 0)
		return rc;
	l->copying = true;
	n = case_copy_header(l->row);
	return db_copy_write(&l->copy, l->row, n, e);
}

static int fast_record(struct load *l, struct record *r, const struct verdict *v, struct err *e)
{
	const char *id = record_value(r, CF_CREDITOR_ID), *ref = record_value(r, CF_CREDITOR_REFERENCE);
	size_t idn = r->f[CF_CREDITOR_ID].len, refn = r->f[CF_CREDITOR_REFERENCE].len;

	bool seen = v->key_ok && key_filter_add(&l->filter, id, idn, ref, refn);

	if (v->n == 0 && !seen) {
		char line[1024];
		size_t n = case_copy_row(l->row, r, v, l->batch_id, l->opts->as_of);
		size_t k = receipt_key_line(line, r->ordinal, ref, refn);

		if (fwrite(line, 1, k, l->keys) != k)
			return ERR_SET(e, ERR_IO, "cannot write a temporary file");
		l->copy.rows++;
		l->n_fast++;
		return db_copy_write(&l->copy, l->row, n, e);
	}
	/* Rejected, or its key may be repeated: staged. A rejected record's
	 * key counts as seen too (DUPLICATE_IN_FILE for the next one). */
	stage_case(l, r, v, seen);
	l->n_spill++;
	if (fwrite(l->row, 1, l->row_len, l->spill) != l->row_len)
		return ERR_SET(e, ERR_IO, "cannot write a temporary file");
	return 0;
}

static int copy_out_to_file(void *ctx, const char *data, size_t len)
{
	return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

/* End the binary COPY, find the case numbers it got, stage the spill. */
static int fast_end(struct load *l, struct err *e)
{
	char buf[64 * 1024];
	size_t n = case_copy_trailer(buf);
	int rc;

	if ((rc = db_copy_write(&l->copy, buf, n, e)) != 0)
		return rc;
	rc = db_copy_end(&l->copy, e);
	l->copying = false;
	if (rc != 0)
		return rc;
	phase("parse, validate and COPY into cases");
	if (l->n_fast > 0) {
		char out[32], sql[256];
		long long last;

		if ((rc = q1(l->conn, "SELECT currval(pg_get_serial_sequence('cases', 'case_id'))", 0, NULL, out,
			     sizeof(out), e)) != 0)
			return rc;
		last = strtoll(out, NULL, 10);
		/* Our n values all lie in (seq0, last]: if that range holds n
		 * values, they are exactly seq0 + 1 .. last, in COPY order. Else
		 * another loader drew numbers meanwhile: read ours back. */
		if ((unsigned long long)(last - l->seq0) != l->n_fast) {
			if ((l->ids = temp_file(e)) == NULL)
				return ERR_IO;
			snprintf(sql, sizeof(sql),
				 "COPY (SELECT case_id FROM cases WHERE case_id > %lld AND case_id <= %lld"
				 " AND batch_id = %lld ORDER BY case_id) TO STDOUT",
				 l->seq0, last, l->batch_id);
			if ((rc = db_copy_out(l->conn, sql, copy_out_to_file, l->ids, e)) != 0)
				return rc == ERR_IO ? ERR_SET(e, ERR_IO, "cannot write a temporary file") : rc;
		}
	}
	db_copy_release(&l->copy);
	if ((rc = db_copy_begin(&l->copy, l->conn, "COPY stage FROM STDIN", e)) != 0)
		return rc;
	l->copying = true;
	if (fflush(l->spill) != 0 || fseek(l->spill, 0, SEEK_SET) != 0)
		return ERR_SET(e, ERR_IO, "cannot read a temporary file");
	while ((n = fread(buf, 1, sizeof(buf), l->spill)) > 0)
		if ((rc = db_copy_write(&l->copy, buf, n, e)) != 0)
			return rc;
	if (ferror(l->spill))
		return ERR_SET(e, ERR_IO, "cannot read a temporary file");
	l->copy.rows = l->n_spill;
	rc = db_copy_end(&l->copy, e);
	l->copying = false;
	return rc;
}

static void fast_close(struct load *l)
{
	FILE **fs[] = { &l->spill, &l->keys, &l->ids };

	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
		if (*fs[i] != NULL)
			fclose(*fs[i]);
		*fs[i] = NULL;
	}
}

/* A key the fast path cannot take (already in the database, or being
 * inserted by a concurrent load: unique violation or deadlock), or a
 * refusal: undo everything since the savepoint and start again staged. */
static bool want_fallback(const struct load *l, int rc)
{
	const char *st = db_last_sqlstate();

	return l->fast_active && !db_connection_lost(l->conn) &&
	       (l->fallback || (rc == ERR_DB && (strcmp(st, "23505") == 0 || strcmp(st, "40P01") == 0)));
}

static int fall_back(struct load *l, struct err *e)
{
	if (l->copying)
		db_copy_abort(&l->copy, "starting again on the staged path");
	l->copying = false;
	if (l->receipt_pending)
		atomic_file_abort(&l->receipt);
	l->receipt_pending = false;
	fast_close(l);
	l->fast = l->fast_active = l->fallback = false;
	l->n_fast = l->n_spill = 0;
	err_clear(e);
	phase("fast path, undone");
	return db_exec(l->conn, "ROLLBACK TO SAVEPOINT fast", e);
}

/* ---- the set-wise checks ---- */

static const char errors_to_rejects_sql[] =
	"INSERT INTO rejects (batch_id, record, line, creditor_id, creditor_reference, field, code, message, value, seq)"
	" SELECT $1::bigint, s.record, s.line, s.creditor_id, s.creditor_reference,"
	"  NULLIF(split_part(x.e, E'\\x1f', 2), ''), split_part(x.e, E'\\x1f', 1),"
	"  split_part(x.e, E'\\x1f', 3), NULLIF(split_part(x.e, E'\\x1f', 4), ''), x.n"
	" FROM stage s, unnest(string_to_array(s.errors, E'\\x1e')) WITH ORDINALITY AS x(e, n)"
	" WHERE s.errors IS NOT NULL";

/* The creditors of the staged keys, each locked in one order. */
#define STAGED_CREDITORS "SELECT DISTINCT creditor_id FROM stage WHERE dupkey AND errors IS NULL ORDER BY 1"
static const char try_lock_creditors_sql[] =
	"SELECT coalesce(bool_and(pg_try_advisory_xact_lock(" LOCK_CLASS_CREDITOR_SQL ", hashtext(creditor_id))), true)"
	" FROM (" STAGED_CREDITORS ") x";
static const char lock_creditors_sql[] =
	"SELECT count(pg_advisory_xact_lock(" LOCK_CLASS_CREDITOR_SQL ", hashtext(creditor_id)))"
	" FROM (" STAGED_CREDITORS ") x";
static const char creditor_holders_sql[] =
	HOLDERS_SQL("SELECT hashtext(creditor_id)::bigint & 4294967295 FROM (" STAGED_CREDITORS ") x");

/* Case files: only the records that are not plainly new are classified:
 * later occurrences of a key repeated in the file, and keys that exist in
 * the database (identical: skipped, else DUPLICATE). Usually few; the
 * insert is then an anti-join against this small table. The fast path has
 * already put this batch's first occurrences into cases: they count as
 * occurrences in the file, not as existing cases. Then: the batch id. */
static const char classify_cases_sql[] =
	"CREATE TEMP TABLE stage_out ON COMMIT DROP AS"
	" WITH k AS (SELECT DISTINCT creditor_id, creditor_reference FROM stage WHERE probe),"
	" occ AS (SELECT creditor_id, creditor_reference, record FROM stage WHERE dupkey"
	"   UNION ALL SELECT c.creditor_id, c.creditor_reference, c.record"
	"   FROM k JOIN cases c USING (creditor_id, creditor_reference) WHERE c.batch_id = %lld),"
	" rep AS (SELECT creditor_id, creditor_reference FROM occ GROUP BY 1, 2 HAVING count(*) > 1),"
	" d AS (SELECT o.record, first_value(o.record) OVER w AS first_record,"
	"   row_number() OVER w AS rn"
	"   FROM occ o JOIN rep USING (creditor_id, creditor_reference)"
	"   WINDOW w AS (PARTITION BY o.creditor_id, o.creditor_reference ORDER BY o.record))"
	" SELECT s.record, s.errors IS NOT NULL AS has_errors, d.first_record,"
	"  coalesce(d.rn > 1, false) AS dup_in_file, c.case_id,"
	"  CASE WHEN s.errors IS NOT NULL OR d.rn > 1 THEN 'rejected'"
	"   WHEN c.case_id IS NULL THEN 'new'"
	"   WHEN (c.debtor_type, c.debtor_name, c.debtor_national_id, c.debtor_birth_date,"
	"     c.debtor_street, c.debtor_postal_code, c.debtor_city, c.debtor_country,"
	"     c.debtor_email, c.debtor_phone, c.invoice_number, c.invoice_date, c.due_date,"
	"     c.original_amount, c.currency, c.paid_amount, c.claim_type, c.reminder_date)"
	"    IS NOT DISTINCT FROM"
	"    (s.debtor_type, s.debtor_name, s.debtor_national_id, s.debtor_birth_date,"
	"     s.debtor_street, s.debtor_postal_code, s.debtor_city, s.debtor_country,"
	"     s.debtor_email, s.debtor_phone, s.invoice_number, s.invoice_date, s.due_date,"
	"     s.original_amount, s.currency, s.paid_amount, s.claim_type, s.reminder_date)"
	"    THEN 'skipped'"
	"   ELSE 'duplicate' END AS outcome"
	" FROM stage s"
	" LEFT JOIN d ON d.record = s.record"
	" LEFT JOIN cases c ON s.dupkey AND s.errors IS NULL AND c.creditor_id = s.creditor_id"
	"  AND c.creditor_reference = s.creditor_reference AND c.batch_id <> %lld"
	" WHERE d.record IS NOT NULL OR c.case_id IS NOT NULL";

static const char db_rejects_cases_sql[] =
	"INSERT INTO rejects (batch_id, record, line, creditor_id, creditor_reference, field, code, message, value, seq)"
	" SELECT $1::bigint, s.record, s.line, s.creditor_id, s.creditor_reference, 'creditor_reference',"
	"  'DUPLICATE_IN_FILE', 'creditor_reference already appears in record ' || o.first_record,"
	"  s.creditor_reference, 100"
	" FROM stage_out o JOIN stage s USING (record) WHERE o.dup_in_file"
	" UNION ALL"
	" SELECT $1::bigint, s.record, s.line, s.creditor_id, s.creditor_reference, 'creditor_reference',"
	"  'DUPLICATE', 'a case with this creditor_reference and other content exists (case ' || o.case_id || ')',"
	"  s.creditor_reference, 101"
	" FROM stage_out o JOIN stage s USING (record) WHERE o.outcome = 'duplicate'";

/* The accepted staged cases, in file order (a temp table filled by one
 * COPY is scanned in that order). Then: the batch id, ", s.record, ", the
 * as-of date quoted, and insert_cases_tail_sql. */
static const char insert_cases_sql[] =
	"INSERT INTO cases (creditor_id, creditor_reference, debtor_type, debtor_name,"
	" debtor_national_id, debtor_birth_date, debtor_street, debtor_postal_code, debtor_city,"
	" debtor_country, debtor_email, debtor_phone, invoice_number, invoice_date, due_date,"
	" original_amount, currency, paid_amount, claim_type, disputed, reminder_date,"
	" batch_id, record, registered, principal, fees, interest, accrued_to)"
	" SELECT s.creditor_id, s.creditor_reference, s.debtor_type, s.debtor_name,"
	" s.debtor_national_id, s.debtor_birth_date, s.debtor_street, s.debtor_postal_code, s.debtor_city,"
	" s.debtor_country, s.debtor_email, s.debtor_phone, s.invoice_number, s.invoice_date, s.due_date,"
	" s.original_amount, s.currency, s.paid_amount, s.claim_type, s.disputed, s.reminder_date, ";
static const char insert_cases_tail_sql[] =
	", s.original_amount - s.paid_amount, s.fees, 0, s.due_date"
	" FROM stage s WHERE s.errors IS NULL"
	" AND NOT EXISTS (SELECT 1 FROM stage_out o WHERE o.record = s.record AND o.outcome <> 'new')";
/* The receipt rows of the staged records, in record order (on the fast
 * path merged with the fast records'); then the batch id. */
static const char receipt_staged_cases_sql[] =
	"COPY (SELECT s.record, s.creditor_reference, c.case_id, 'accepted'"
	"  FROM stage s JOIN cases c ON c.creditor_id = s.creditor_id"
	"  AND c.creditor_reference = s.creditor_reference AND c.record = s.record"
	"  AND c.batch_id = %lld WHERE s.errors IS NULL"
	" UNION ALL SELECT o.record, s.creditor_reference, o.case_id, 'skipped'"
	"  FROM stage_out o JOIN stage s USING (record) WHERE o.outcome = 'skipped'"
	" ORDER BY 1) TO STDOUT";

static const char classify_tx_sql[] =
	"CREATE TEMP TABLE stage_out ON COMMIT DROP AS"
	" SELECT x.*,"
	"  CASE WHEN x.errors IS NOT NULL OR x.dup_in_file THEN 'rejected'"
	"   WHEN x.existing_tx IS NOT NULL AND x.identical THEN 'skipped'"
	"   WHEN x.existing_tx IS NOT NULL THEN 'duplicate'"
	"   WHEN x.case_id IS NULL THEN 'unknown_case'"
	"   WHEN x.case_status <> 'open' OR x.withdrawn_before"
	"     OR (x.currency IS NOT NULL AND x.currency <> x.case_currency)"
	"     OR x.booking_date < x.case_registered THEN 'case_error'"
	"   ELSE 'new' END AS outcome"
	" FROM (SELECT s.record, s.line, s.errors, s.kind, s.currency, s.booking_date,"
	"   s.txkey AND row_number() OVER w > 1 AS dup_in_file,"
	"   first_value(s.record) OVER w AS first_record,"
	"   c.case_id, c.status AS case_status, c.currency AS case_currency, c.registered AS case_registered,"
	"   t.tx_id AS existing_tx,"
	"   (t.creditor_reference, t.kind, t.booking_date, t.amount, t.currency, t.reason)"
	"     IS NOT DISTINCT FROM (s.creditor_reference, s.kind, s.booking_date, s.amount,"
	"      coalesce(s.currency, c.currency), s.reason) AS identical,"
	"   coalesce(bool_or(s.errors IS NULL AND s.kind = 'withdrawal') OVER ("
	"     PARTITION BY s.dupkey, s.creditor_id, s.creditor_reference ORDER BY s.record"
	"     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS withdrawn_before"
	"  FROM stage s"
	"  LEFT JOIN cases c ON s.dupkey AND c.creditor_id = s.creditor_id"
	"   AND c.creditor_reference = s.creditor_reference"
	"  LEFT JOIN transactions t ON s.txkey AND t.creditor_id = s.creditor_id"
	"   AND t.transaction_id = s.transaction_id"
	"  WINDOW w AS (PARTITION BY s.txkey, s.creditor_id, s.transaction_id ORDER BY s.record)) x";

static const char db_rejects_tx_sql[] =
	"INSERT INTO rejects (batch_id, record, line, creditor_id, creditor_reference, field, code, message, value, seq)"
	" SELECT $1::bigint, s.record, s.line, s.creditor_id, s.creditor_reference, 'transaction_id',"
	"  'DUPLICATE_IN_FILE', 'transaction_id already appears in record ' || o.first_record, s.transaction_id, 100"
	" FROM stage_out o JOIN stage s USING (record) WHERE o.dup_in_file"
	" UNION ALL"
	" SELECT $1::bigint, s.record, s.line, s.creditor_id, s.creditor_reference, 'transaction_id',"
	"  'DUPLICATE', 'a transaction with this transaction_id and other content exists', s.transaction_id, 101"
	" FROM stage_out o JOIN stage s USING (record) WHERE o.outcome = 'duplicate'"
	" UNION ALL"
	" SELECT $1::bigint, s.record, s.line, s.creditor_id, s.creditor_reference, 'creditor_reference',"
	"  'UNKNOWN_CASE', 'no case with this creditor_reference exists for the creditor', s.creditor_reference, 102"
	" FROM stage_out o JOIN stage s USING (record) WHERE o.outcome = 'unknown_case'"
	" UNION ALL"
	" SELECT $1::bigint, s.record, s.line, s.creditor_id, s.creditor_reference, 'creditor_reference',"
	"  'CASE_CLOSED', 'the case is closed or withdrawn', s.creditor_reference, 103"
	" FROM stage_out o JOIN stage s USING (record)"
	" WHERE o.outcome = 'case_error' AND (o.case_status <> 'open' OR o.withdrawn_before)"
	" UNION ALL"
	" SELECT $1::bigint, s.record, s.line, s.creditor_id, s.creditor_reference, 'currency',"
	"  'CURRENCY_MISMATCH', 'currency is not the case''s currency', s.currency, 104"
	" FROM stage_out o JOIN stage s USING (record)"
	" WHERE o.outcome = 'case_error' AND s.currency IS NOT NULL AND s.currency <> o.case_currency"
	" UNION ALL"
	" SELECT $1::bigint, s.record, s.line, s.creditor_id, s.creditor_reference, 'booking_date',"
	"  'BAD_DATE', 'booking_date is before the case was registered (' || o.case_registered || ')',"
	"  s.booking_date::text, 105"
	" FROM stage_out o JOIN stage s USING (record)"
	" WHERE o.outcome = 'case_error' AND s.booking_date < o.case_registered";

static const char insert_tx_sql[] =
	"INSERT INTO transactions (creditor_id, creditor_reference, case_id, transaction_id, kind,"
	" booking_date, amount, currency, reason, batch_id, record)"
	" SELECT s.creditor_id, s.creditor_reference, o.case_id, s.transaction_id, s.kind,"
	" s.booking_date, s.amount, coalesce(s.currency, o.case_currency), s.reason, $1::bigint, s.record"
	" FROM stage s JOIN stage_out o USING (record) WHERE o.outcome = 'new' ORDER BY s.record";

static const char withdraw_sql[] =
	"UPDATE cases c SET status = 'withdrawn', closed_date = w.booking_date"
	" FROM (SELECT DISTINCT ON (case_id) case_id, booking_date FROM transactions"
	"  WHERE batch_id = $1::bigint AND kind = 'withdrawal' ORDER BY case_id, record) w"
	" WHERE c.case_id = w.case_id AND c.status = 'open'";

static const char counts_cases_sql[] =
	"SELECT (SELECT count(*) FROM stage),"
	" (SELECT count(*) FROM stage WHERE errors IS NULL)"
	"  - (SELECT count(*) FROM stage_out WHERE NOT has_errors AND outcome <> 'new'),"
	" (SELECT count(*) FROM stage_out WHERE outcome = 'skipped'),"
	" (SELECT count(*) FROM stage_out WHERE dup_in_file OR outcome = 'duplicate')";

static const char counts_sql[] =
	"SELECT count(*),"
	" count(*) FILTER (WHERE outcome = 'new'),"
	" count(*) FILTER (WHERE outcome = 'skipped'),"
	" count(*) FILTER (WHERE dup_in_file OR outcome NOT IN ('new', 'skipped', 'rejected'))"
	" FROM stage_out";

/* ---- report files ---- */

/* A report file from a query: the header, then each row (copy_csv.h). */
static int copy_to_file(PGconn *conn, const char *sql, const char *header, const char *path, struct err *e)
{
	struct atomic_file af;
	int rc;

	if ((rc = atomic_file_open(&af, path, 0600, e)) != 0)
		return rc;
	rc = atomic_file_write(&af, header, strlen(header), e);
	if (rc == 0)
		rc = copy_csv_query(conn, sql, &af, e);
	if (rc == ERR_IO || (rc == 0 && af.failed))
		rc = ERR_SET(e, ERR_IO, "cannot write '%s'", path);
	if (rc != 0) {
		atomic_file_abort(&af);
		return rc;
	}
	return atomic_file_commit(&af, e);
}

static const char rejects_header[] = "record,line,creditor_reference,field,code,message,value\n";

static int write_reports(struct load *l, bool receipt, struct err *e)
{
	char path[CONFIG_PATH_MAX + 64];
	char sql[1024];
	int rc;

	if ((rc = make_dirs(l->conf->report_dir, e)) != 0)
		return rc;
	atomic_file_clean_stale(l->conf->report_dir);
	snprintf(path, sizeof(path), "%s/batch-%lld.rejects.csv", l->conf->report_dir, l->batch_id);
	snprintf(sql, sizeof(sql),
		 "COPY (SELECT record, line, creditor_reference, field, code, message, value FROM rejects"
		 " WHERE batch_id = %lld ORDER BY record NULLS LAST, seq) TO STDOUT",
		 l->batch_id);
	if ((rc = copy_to_file(l->conn, sql, rejects_header, path, e)) != 0)
		return rc;
	if (!receipt)
		return 0;
	/* transactions; the cases' receipt is written by the insert itself */
	snprintf(path, sizeof(path), "%s/batch-%lld.receipt.csv", l->conf->report_dir, l->batch_id);
	snprintf(sql, sizeof(sql),
		 "COPY (SELECT o.record, s.creditor_reference, s.transaction_id, t.case_id,"
		 " CASE o.outcome WHEN 'new' THEN 'accepted' ELSE 'skipped' END AS outcome"
		 " FROM stage_out o JOIN stage s USING (record)"
		 " JOIN transactions t ON t.creditor_id = s.creditor_id AND t.transaction_id = s.transaction_id"
		 " WHERE o.outcome IN ('new', 'skipped') ORDER BY o.record) TO STDOUT");
	return copy_to_file(l->conn, sql, "record,creditor_reference,transaction_id,case_id,outcome\n", path, e);
}

static const char receipt_cases_header[] = "record,creditor_reference,case_id,outcome\n";

static int merge_sink(void *ctx, const char *data, size_t len)
{
	return receipt_merge_row(ctx, data, len);
}

/* Insert the accepted staged cases and write the receipt: on the staged
 * path from what the insert returns (no second pass), then the skipped
 * records; on the fast path by merging the fast records' key lines with
 * the staged records' rows. */
static int insert_cases_with_receipt(struct load *l, const char *asof, struct err *e)
{
	struct atomic_file *af = &l->receipt;
	char *sql = NULL, staged[1024];
	int rc, n;

	if ((rc = make_dirs(l->conf->report_dir, e)) != 0)
		return rc;
	/* batch id and date are ours, not input: safe to write into the SQL */
	n = snprintf(NULL, 0, "%s%lld, s.record, '%s'%s", insert_cases_sql, l->batch_id, asof, insert_cases_tail_sql);
	sql = malloc((size_t)n + 1);
	if (sql == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	snprintf(sql, (size_t)n + 1, "%s%lld, s.record, '%s'%s", insert_cases_sql, l->batch_id, asof,
		 insert_cases_tail_sql);
	rc = db_exec(l->conn, sql, e);
	free(sql);
	if (rc != 0)
		return rc;
	snprintf(l->receipt_path, sizeof(l->receipt_path), "%s/batch-%lld.receipt.csv",
		 l->conf->report_dir, l->batch_id);
	if ((rc = atomic_file_open(af, l->receipt_path, 0600, e)) != 0)
		return rc;
	l->receipt_pending = true;
	if ((rc = atomic_file_write(af, receipt_cases_header, sizeof(receipt_cases_header) - 1, e)) != 0)
		return rc;
	snprintf(staged, sizeof(staged), receipt_staged_cases_sql, l->batch_id);
	if (l->fast_active) {
		struct receipt_merge m;

		if (fflush(l->keys) != 0 || fseek(l->keys, 0, SEEK_SET) != 0 ||
		    (l->ids != NULL && (fflush(l->ids) != 0 || fseek(l->ids, 0, SEEK_SET) != 0)))
			return ERR_SET(e, ERR_IO, "cannot read a temporary file");
		receipt_merge_init(&m, l->keys, l->ids, l->seq0 + 1, af, e);
		rc = db_copy_out(l->conn, staged, merge_sink, &m, e);
		if (rc == 0)
			rc = receipt_merge_finish(&m);
		else if (rc == ERR_IO && m.rc != 0)
			rc = m.rc;
	} else {
		rc = copy_csv_query(l->conn, staged, af, e);
	}
	if (rc == ERR_IO || (rc == 0 && af->failed))
		rc = ERR_SET(e, ERR_IO, "cannot write '%s'", l->receipt_path);
	return rc;
}

/* Rename the pending receipt into place (after the reject report). */
static int commit_receipt(struct load *l, struct err *e)
{
	if (!l->receipt_pending)
		return 0;
	l->receipt_pending = false;
	return atomic_file_commit(&l->receipt, e);
}

/* ---- creditors ---- */

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const struct creditor_info *)a)->id, ((const struct creditor_info *)b)->id);
}

static int load_creditors(struct load *l, struct err *e)
{
	PGresult *res = NULL;
	int rc, n;

	rc = db_query(l->conn, &res, "SELECT creditor_id, country, currency, active FROM creditors", 0, NULL, e);
	if (rc != 0)
		return rc;
	n = PQntuples(res);
	l->creditors.items = calloc((size_t)n + 1, sizeof(struct creditor_info));
	if (l->creditors.items == NULL) {
		PQclear(res);
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		struct creditor_info *c = &l->creditors.items[i];

		snprintf(c->id, sizeof(c->id), "%s", PQgetvalue(res, i, 0));
		snprintf(c->country, sizeof(c->country), "%s", PQgetvalue(res, i, 1));
		snprintf(c->currency, sizeof(c->currency), "%s", PQgetvalue(res, i, 2));
		c->active = PQgetvalue(res, i, 3)[0] == 't';
	}
	l->creditors.n = (size_t)n;
	qsort(l->creditors.items, l->creditors.n, sizeof(struct creditor_info), cmp_info);
	PQclear(res);
	return 0;
}

/* ---- batch rows ---- */

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static int q1(PGconn *conn, const char *sql, int n, const char *const *params, char *out, size_t outsz,
	      struct err *e)
{
	PGresult *res = NULL;
	int rc = db_query(conn, &res, sql, n, params, e);

	if (rc != 0)
		return rc;
	if (out != NULL) {
		if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
			snprintf(out, outsz, "%s", PQgetvalue(res, 0, 0));
		else
			out[0] = '\0';
	}
	PQclear(res);
	return 0;
}

static void sha_lock_params(const char *sha, char key[16])
{
	/* The first 8 hex digits as a signed 32-bit integer. */
	unsigned long v = strtoul((char[9]){ sha[0], sha[1], sha[2], sha[3], sha[4], sha[5], sha[6], sha[7], 0 },
				  NULL, 16);

	snprintf(key, 16, "%ld", (long)(int32_t)(uint32_t)v);
}

static int mark_failed(const char *conninfo, long long batch_id, enum file_kind kind, const char *creditor_ids,
		       const char *message)
{
	PGconn *conn = NULL;
	struct err e2 = ERR_INIT;
	char id[24];
	const char *params[4];
	int rc;

	if (batch_id <= 0)
		return 0;
	if (db_connect(&conn, conninfo, "loader", &e2) != 0)
		return -1;
	snprintf(id, sizeof(id), "%lld", batch_id);
	params[0] = id;
	params[1] = message;
	params[2] = kind != KIND_UNKNOWN ? file_kind_name(kind) : NULL;
	params[3] = creditor_ids;
	rc = db_query(conn, NULL,
		      "UPDATE batches SET status = 'failed', finished = clock_timestamp(), message = $2,"
		      " kind = coalesce($3, kind), creditor_ids = coalesce($4::text[], creditor_ids)"
		      " WHERE batch_id = $1::bigint AND status = 'loading'", 4, params, &e2);
	db_close(conn);
	return rc;
}

/* After a failure at COMMIT: did the batch commit? */
static bool committed_after_all(const char *conninfo, long long batch_id)
{
	PGconn *conn = NULL;
	struct err e2 = ERR_INIT;
	char id[24], status[32] = "";
	const char *params[1] = { id };
	bool ok = false;

	for (int attempt = 0; attempt < 10 && !ok; attempt++) {
		if (db_connect(&conn, conninfo, "loader", &e2) == 0) {
			snprintf(id, sizeof(id), "%lld", batch_id);
			if (q1(conn, "SELECT status FROM batches WHERE batch_id = $1::bigint", 1, params,
			       status, sizeof(status), &e2) == 0) {
				db_close(conn);
				return strcmp(status, "loaded") == 0 || strcmp(status, "refused") == 0 ||
				       strcmp(status, "dry_run") == 0;
			}
			db_close(conn);
		}
		sleep(1);
	}
	return ok;
}

/* The creditors with a record in the file, as an array literal: ids are
 * [A-Z0-9]{1,16}, so they need no quoting. */
static char *seen_creditors(const struct load *l)
{
	size_t n = 0, o = 0;
	char *out;

	for (size_t i = 0; i < l->creditors.n; i++)
		if (l->seen != NULL && l->seen[i])
			n += strlen(l->creditors.items[i].id) + 1;
	if ((out = malloc(n + 3)) == NULL)
		return NULL;
	out[o++] = '{';
	for (size_t i = 0; i < l->creditors.n; i++) {
		if (l->seen == NULL || !l->seen[i])
			continue;
		if (o > 1)
			out[o++] = ',';
		memcpy(out + o, l->creditors.items[i].id, strlen(l->creditors.items[i].id));
		o += strlen(l->creditors.items[i].id);
	}
	out[o++] = '}';
	out[o] = '\0';
	return out;
}

/* The batch's most frequent reject codes, and how many of its records were
 * not UTF-8, for the lines after the summary. */
static int read_reject_summary(struct load *l, struct batch_result *res, struct err *e)
{
	PGresult *q = NULL;
	char id[24];
	const char *p[1] = { id };
	int rc;

	snprintf(id, sizeof(id), "%lld", l->batch_id);
	if ((rc = db_query(l->conn, &q,
			   "SELECT code, count(*), (SELECT count(DISTINCT record) FROM rejects"
			   "  WHERE batch_id = $1::bigint AND code = 'BAD_ENCODING')"
			   " FROM rejects WHERE batch_id = $1::bigint GROUP BY code ORDER BY 2 DESC, 1 LIMIT 3",
			   1, p, e)) != 0)
		return rc;
	res->ntop = PQntuples(q);
	for (int i = 0; i < res->ntop; i++) {
		snprintf(res->top[i].code, sizeof(res->top[i].code), "%s", PQgetvalue(q, i, 0));
		res->top[i].n = strtoll(PQgetvalue(q, i, 1), NULL, 10);
		res->not_utf8 = strtoll(PQgetvalue(q, i, 2), NULL, 10);
	}
	PQclear(q);
	return 0;
}

static int finish_refused(struct load *l, enum reject_code code, uint64_t line, uint64_t record,
			  const char *message, struct batch_result *res, struct err *e)
{
	char id[24], ln[24], rec[24], recs[24];
	const char *params[6];
	int rc;

	snprintf(id, sizeof(id), "%lld", l->batch_id);
	snprintf(ln, sizeof(ln), "%llu", (unsigned long long)line);
	snprintf(rec, sizeof(rec), "%llu", (unsigned long long)record);
	snprintf(recs, sizeof(recs), "%llu", (unsigned long long)l->io.records);
	params[0] = id;
	params[1] = line > 0 ? ln : NULL;
	params[2] = reject_code_name(code);
	params[3] = message;
	params[4] = record > 0 ? rec : NULL;
	params[5] = l->kind != KIND_UNKNOWN ? file_kind_name(l->kind) : NULL;
	if ((rc = db_exec(l->conn, "BEGIN", e)) != 0)
		return rc;
	if ((rc = db_query(l->conn, NULL, "DELETE FROM rejects WHERE batch_id = $1::bigint", 1, params, e)) != 0)
		return rc;
	if ((rc = db_query(l->conn, NULL,
			   "INSERT INTO rejects (batch_id, record, line, field, code, message, seq)"
			   " VALUES ($1::bigint, $5::bigint, $2::bigint, NULL, $3, $4, 0)", 5, params, e)) != 0)
		return rc;
	{
		char *ids = seen_creditors(l);
		const char *up[5] = { id, message, recs, params[5], ids };

		if (ids == NULL)
			return ERR_SET(e, ERR_NOMEM, "out of memory");
		rc = db_query(l->conn, NULL,
			      "UPDATE batches SET status = 'refused', finished = clock_timestamp(), records = $3::bigint,"
			      " accepted = 0, skipped = 0, rejected = 0, message = $2, kind = coalesce($4, kind),"
			      " creditor_ids = $5::text[] WHERE batch_id = $1::bigint", 5, up, e);
		free(ids);
		if (rc != 0)
			return rc;
	}
	if ((rc = write_reports(l, false, e)) != 0 || (rc = read_reject_summary(l, res, e)) != 0)
		return rc;
	if ((rc = db_exec(l->conn, "COMMIT", e)) != 0)
		return rc;
	snprintf(res->status, sizeof(res->status), "refused");
	res->records = (long long)l->io.records;
	res->accepted = res->skipped = res->rejected = 0;
	return ERR_REFUSED;
}

/* LOADER_TIMING=1 logs the duration of each phase on stderr. */
static void phase(const char *name)
{
	static struct timespec last;
	static int enabled = -1;
	struct timespec now;

	if (enabled < 0)
		enabled = getenv("LOADER_TIMING") != NULL;
	if (!enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (name != NULL)
		log_info("phase %s: %.3f s", name,
			 (double)(now.tv_sec - last.tv_sec) + (double)(now.tv_nsec - last.tv_nsec) / 1e9);
	last = now;
}

static int run_sql_steps(struct load *l, struct batch_result *res, struct err *e)
{
	PGresult *q = NULL;
	char id[24], asof[DATE_FMT_MAX];
	const char *params[2] = { id, asof };
	long long records, accepted, skipped, rejected, db_rejects;
	char msg[160] = "";
	bool refused, cases = l->kind == KIND_CASES;
	int rc;

	snprintf(id, sizeof(id), "%lld", l->batch_id);
	date_format(asof, sizeof(asof), l->opts->as_of);
	l->step = "checking duplicates and cases";
	log_progress(l->step, l->io.records, 0);
	/* The planner knows nothing of a fresh temporary table: without
	 * statistics a large stage got a nested loop over cases (issue 10.3). */
	if ((rc = db_exec(l->conn, "ANALYZE stage", e)) != 0 ||
	    (rc = db_query(l->conn, NULL, "DELETE FROM rejects WHERE batch_id = $1::bigint", 1, params, e)) != 0 ||
	    (rc = db_query(l->conn, NULL, errors_to_rejects_sql, 1, params, e)) != 0)
		return rc;
	/* A staged case load waits for the fast ones (see fast_begin). */
	if (cases && !l->fast_active &&
	    (rc = take_lock(l, "SELECT pg_try_advisory_xact_lock(" LOCK_CLASS_CREDITOR_SQL ", 0)",
			    "SELECT pg_advisory_xact_lock(" LOCK_CLASS_CREDITOR_SQL ", 0)", HOLDERS_SQL("0"),
			    "the case-load lock", e)) != 0)
		return rc;
	if ((rc = take_lock(l, try_lock_creditors_sql, lock_creditors_sql, creditor_holders_sql,
			    "the lock of a creditor of this file", e)) != 0)
		return rc;
	phase("errors and locks");
	if (cases) {
		char sql[sizeof(classify_cases_sql) + 64];

		snprintf(sql, sizeof(sql), classify_cases_sql, l->batch_id, l->batch_id);
		rc = db_exec(l->conn, sql, e);
	} else {
		rc = db_exec(l->conn, classify_tx_sql, e);
	}
	if (rc != 0 || (rc = db_exec(l->conn, "ANALYZE stage_out", e)) != 0)
		return rc;
	phase("classify");
	if ((rc = db_query(l->conn, &q, cases ? counts_cases_sql : counts_sql, 0, NULL, e)) != 0)
		return rc;
	records = strtoll(PQgetvalue(q, 0, 0), NULL, 10);
	accepted = strtoll(PQgetvalue(q, 0, 1), NULL, 10);
	skipped = strtoll(PQgetvalue(q, 0, 2), NULL, 10);
	db_rejects = strtoll(PQgetvalue(q, 0, 3), NULL, 10);
	PQclear(q);
	records += (long long)l->n_fast;
	accepted += (long long)l->n_fast;
	/* Duplicates and case errors found by the database, when there are. */
	if (db_rejects > 0 &&
	    (rc = db_query(l->conn, NULL, cases ? db_rejects_cases_sql : db_rejects_tx_sql, 1, params, e)) != 0)
		return rc;
	phase("database rejects");
	if (batch_interrupted)
		return ERR_SET(e, ERR_INTERRUPTED, "interrupted by a signal");
	rejected = records - accepted - skipped;
	/* REJECT_RATIO: rejected / records > max_reject_ratio */
	refused = records > 0 &&
		  rejected * 1000000LL > l->conf->max_reject_ratio_ppm * records;
	if (refused && l->fast_active) {
		/* the refusal is written by the staged path, from a clean slate */
		l->fallback = true;
		return ERR_REFUSED;
	}
	if (refused) {
		const char *p2[2] = { id, msg };

		snprintf(msg, sizeof(msg), "%lld of %lld records were rejected, more than max_reject_ratio allows",
			 rejected, records);
		if ((rc = db_query(l->conn, NULL,
				   "INSERT INTO rejects (batch_id, record, line, code, message, seq)"
				   " VALUES ($1::bigint, NULL, NULL, 'REJECT_RATIO', $2, 0)", 2, p2, e)) != 0)
			return rc;
		snprintf(res->status, sizeof(res->status), "refused");
		ERR_SET(e, ERR_REFUSED, "%s", msg);
		accepted = skipped = 0;
	} else if (l->opts->dry_run) {
		snprintf(res->status, sizeof(res->status), "dry_run");
	} else {
		l->step = "storing the accepted records";
		log_progress(l->step, (uint64_t)accepted, 0);
		if (cases)
			rc = insert_cases_with_receipt(l, asof, e);
		else
			rc = db_query(l->conn, NULL, insert_tx_sql, 1, params, e);
		if (rc != 0)
			return rc;
		phase("insert");
		if (!cases && (rc = db_query(l->conn, NULL, withdraw_sql, 1, params, e)) != 0)
			return rc;
		snprintf(res->status, sizeof(res->status), "loaded");
	}
	res->records = records;
	res->accepted = accepted;
	res->skipped = skipped;
	res->rejected = rejected;
	{
		char r1[24], r2[24], r3[24], r4[24];
		char *ids = seen_creditors(l);

		if (ids == NULL)
			return ERR_SET(e, ERR_NOMEM, "out of memory");
		snprintf(r1, sizeof(r1), "%lld", records);
		snprintf(r2, sizeof(r2), "%lld", accepted);
		snprintf(r3, sizeof(r3), "%lld", skipped);
		snprintf(r4, sizeof(r4), "%lld", rejected);
		rc = db_query(l->conn, NULL,
			      "UPDATE batches SET status = $2, finished = clock_timestamp(), records = $3::bigint,"
			      " accepted = $4::bigint, skipped = $5::bigint, rejected = $6::bigint,"
			      " message = $8, kind = $7, creditor_ids = $9::text[] WHERE batch_id = $1::bigint", 9,
			      (const char *const[]){ id, res->status, r1, r2, r3, r4, file_kind_name(l->kind),
						     refused ? e->message : NULL, ids }, e);
		free(ids);
		if (rc != 0)
			return rc;
	}
	if (batch_interrupted)
		return ERR_SET(e, ERR_INTERRUPTED, "interrupted by a signal");
	l->step = "writing the reject report";
	log_progress(l->step, (uint64_t)records, 0);
	if ((rc = write_reports(l, !cases && strcmp(res->status, "loaded") == 0, e)) != 0 ||
	    (rc = commit_receipt(l, e)) != 0 || (rc = read_reject_summary(l, res, e)) != 0)
		return rc;
	log_progress_done();
	phase("reports");
	return refused ? ERR_REFUSED : 0;
}

/* Claim a batch id for this file: reuse a failed/refused (or dead
 * 'loading') batch of the same file, else insert one. The file's name and
 * path are stored escaped (SPEC 2 v2), the path's bytes as well, for rerun. */
static int claim_batch(struct load *l, const char *path, const char *sha, struct batch_result *res,
		       struct err *e)
{
	char asof[DATE_FMT_MAX], abs[PATH_MAX], out[64], rerun[24], name[PATH_MAX * 4], shown[PATH_MAX * 4];
	char *raw_hex = NULL;
	const char *params[10];
	size_t n;
	int rc;

	date_format(asof, sizeof(asof), l->opts->as_of);
	if (realpath(path, abs) == NULL)
		snprintf(abs, sizeof(abs), "%s", path);
	params[0] = sha;
	/* the first load of a file counts; a rerun of a loaded batch is a new batch */
	if (!l->opts->rerun_loaded) {
		if ((rc = q1(l->conn,
			     "SELECT batch_id FROM batches WHERE sha256 = $1 AND status = 'loaded' AND rerun_of IS NULL",
			     1, params, out, sizeof(out), e)) != 0)
			return rc;
		if (out[0] != '\0') {
			res->batch_id = strtoll(out, NULL, 10);
			res->already_loaded = true;
			return 0;
		}
	}
	utf8_escape(name, sizeof(name), basename_of(path), strlen(basename_of(path)), (size_t)-1);
	utf8_escape(shown, sizeof(shown), abs, strlen(abs), (size_t)-1);
	n = strlen(abs);
	if ((raw_hex = malloc(2 * n + 3)) == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	memcpy(raw_hex, "\\x", 2);
	for (size_t i = 0; i < n; i++)
		snprintf(raw_hex + 2 + 2 * i, 3, "%02x", (unsigned char)abs[i]);
	snprintf(rerun, sizeof(rerun), "%lld", l->opts->rerun_batch);
	params[0] = sha;
	params[1] = name;
	params[2] = shown;
	params[3] = asof;
	params[4] = l->opts->creditor;
	params[5] = l->opts->kind != KIND_UNKNOWN ? file_kind_name(l->opts->kind) : NULL;
	params[6] = l->opts->dry_run ? "true" : "false";
	params[7] = rerun;
	params[8] = raw_hex;
	params[9] = l->opts->rerun_loaded ? "true" : "false";
	/* We hold the file lock: any 'loading' row of this file is dead. */
	if (!l->opts->rerun_loaded &&
	    (rc = q1(l->conn,
		     "UPDATE batches SET status = 'loading', started = clock_timestamp(), finished = NULL,"
		     " file_name = $2, file_path = $3, as_of = $4::date, creditor_filter = $5,"
		     " kind_override = $6, records = 0, accepted = 0, skipped = 0, rejected = 0, message = NULL,"
		     " file_path_raw = $9::bytea, loader_pid = pg_backend_pid(), creditor_ids = '{}'"
		     " WHERE batch_id = (SELECT batch_id FROM batches WHERE sha256 = $1"
		     "  AND status IN ('failed', 'refused', 'loading') AND dry_run = $7::boolean"
		     "  AND ($8::bigint = 0 OR batch_id = $8::bigint) AND NOT $10::boolean"
		     "  ORDER BY batch_id DESC LIMIT 1) RETURNING batch_id",
		     10, params, out, sizeof(out), e)) != 0)
		goto out;
	if ((l->opts->rerun_loaded || out[0] == '\0') &&
	    (rc = q1(l->conn,
		     "INSERT INTO batches (sha256, file_name, file_path, as_of, creditor_filter, kind_override,"
		     " dry_run, status, started, file_path_raw, loader_pid, rerun_of)"
		     " VALUES ($1, $2, $3, $4::date, $5, $6, $7::boolean, 'loading', clock_timestamp(), $9::bytea,"
		     " pg_backend_pid(), CASE WHEN $10::boolean THEN $8::bigint END)"
		     " RETURNING batch_id", 10, params, out, sizeof(out), e)) != 0)
		goto out;
	l->batch_id = res->batch_id = strtoll(out, NULL, 10);
	snprintf(res->report_path, sizeof(res->report_path), "%s/batch-%lld.rejects.csv", l->conf->report_dir,
		 l->batch_id);
out:
	free(raw_hex);
	return rc;
}

/* Open the file (again) and decode it into the sink. */
static int decode_file(struct load *l, const char *path, struct source **src, struct err *e)
{
	const char *head;
	char msg[ERR_MESSAGE_MAX];
	enum reject_code refusal;
	size_t n = 0;
	int rc;

	source_free(*src);
	*src = NULL;
	if ((rc = source_open(src, path, l->conf->max_file_bytes, e)) != 0)
		return rc;
	memset(&l->io, 0, sizeof(l->io));
	l->io.src = *src;
	l->io.forced_kind = l->opts->kind;
	l->io.on_kind = on_kind;
	l->io.on_record = on_record;
	l->io.ctx = l;
	l->kind = KIND_UNKNOWN;
	source_peek(*src, &head, 512, &n, e);
	refusal = sniff_head(head, n, &l->vctx.xml, msg, sizeof(msg));
	if (refusal != RC__COUNT) {
		l->io.refusal = refusal;
		l->io.refusal_line = 1;
		return ERR_SET(e, ERR_REFUSED, "%s", msg);
	}
	return pipeline_decode(l->vctx.xml ? xml_decode : csv_decode, &l->io, e); /* csv: also FILE_EMPTY */
}

/* SPEC 7 v2: the bytes decoded must be the bytes hashed before the load,
 * else the file changed while it was loaded: the batch fails. */
static int check_unchanged(struct load *l, struct source *src, const char *sha, struct err *e)
{
	char now[65];
	struct err e2 = ERR_INIT;

	if (source_sha256(src, now, &e2) != 0)
		return ERR_SET(e, e2.code, "%s", e2.message);
	if (strcmp(now, sha) != 0)
		return ERR_SET(e, ERR_IO, "'%s' changed while it was being loaded (its SHA-256 is not the one "
			       "taken at the start); nothing of it was loaded: load it again once it is complete",
			       basename_of(l->path));
	return 0;
}

int batch_load(const struct config *conf, const char *conninfo, const char *path,
	       const struct load_opts *opts, struct batch_result *res, struct err *e)
{
	struct load l;
	struct source *src = NULL;
	char sha[65], key[16];
	const char *lock_params[2] = { LOCK_CLASS_FILE_SQL, key };
	char reading[160], name[64];
	bool locked = false, in_tx = false;
	int rc;

	memset(&l, 0, sizeof(l));
	memset(res, 0, sizeof(*res));
	l.conf = conf;
	l.opts = opts;
	l.e = e;
	l.kind = KIND_UNKNOWN;
	l.path = path;
	utf8_escape(name, sizeof(name), basename_of(path), strlen(basename_of(path)), 40);
	snprintf(reading, sizeof(reading), "reading %s", name);
	l.reading = reading;
	if ((rc = source_sha256_file(path, sha, e)) != 0)
		return rc;
	if ((rc = db_connect(&l.conn, conninfo, "loader", e)) != 0)
		return rc;
	/* A backend whose loader died notices within a second, even inside a
	 * long statement, and rolls back and releases the file lock. */
	if ((rc = db_exec(l.conn, "SET client_connection_check_interval = '1s'", e)) != 0)
		goto out;
	cancel_handle = PQgetCancel(l.conn);
	sha_lock_params(sha, key);
	{
		char got[8];

		if ((rc = q1(l.conn, "SELECT pg_try_advisory_lock($1::int, $2::int)", 2, lock_params, got,
			     sizeof(got), e)) != 0)
			goto out;
		if (got[0] != 't') {
			char who[32];
			const char *p1[1] = { sha };

			if ((rc = q1(l.conn, "SELECT max(batch_id) FROM batches WHERE sha256 = $1 AND status = 'loading'", 1,
				     p1, who, sizeof(who), e)) != 0)
				goto out;
			log_info("'%s' is being loaded by another loader%s%s; waiting for it", basename_of(path),
				 who[0] != '\0' ? " as batch " : "", who);
			if ((rc = q1(l.conn, "SELECT pg_advisory_lock($1::int, $2::int)", 2, lock_params, NULL, 0,
				     e)) != 0)
				goto out;
		}
		locked = true;
	}
	if ((rc = claim_batch(&l, path, sha, res, e)) != 0)
		goto out;
	if (res->already_loaded)
		goto out;
	l.row = malloc(ROW_MAX);
	if (l.row == NULL) {
		rc = ERR_SET(e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = db_exec(l.conn, "BEGIN", e)) != 0)
		goto fail;
	in_tx = true;
	phase(NULL);
	if ((rc = load_creditors(&l, e)) != 0)
		goto fail;
	if ((l.seen = calloc(l.creditors.n + 1, sizeof(bool))) == NULL) {
		rc = ERR_SET(e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	l.vctx.conf = conf;
	l.vctx.creditors = &l.creditors;
	l.vctx.as_of = opts->as_of;
	l.vctx.creditor_filter = opts->creditor;
	l.fast = !opts->dry_run && getenv("LOADER_STAGED") == NULL;
	for (;;) {
		l.step = "reading the file";
		rc = decode_file(&l, path, &src, e);
		log_progress_done();
		if (rc == 0 || rc == ERR_REFUSED) {
			struct err e2 = ERR_INIT;
			int hrc = check_unchanged(&l, src, sha, &e2);

			if (hrc != 0) {
				*e = e2;
				rc = hrc;
				goto fail;
			}
		}
		if (rc == 0 && !l.copying) {
			/* a header but no record: the stage still exists for the steps */
			rc = on_kind(&l, l.kind != KIND_UNKNOWN ? l.kind : KIND_CASES, e);
		}
		if (rc == ERR_REFUSED) {
			char msg[ERR_MESSAGE_MAX];

			snprintf(msg, sizeof(msg), "%s", e->message);
			if (l.copying)
				db_copy_abort(&l.copy, "file refused");
			l.copying = false;
			if ((rc = db_exec(l.conn, "ROLLBACK", e)) != 0)
				goto fail;
			in_tx = false;
			rc = finish_refused(&l, l.io.refusal, l.io.refusal_line, l.io.refusal_record, msg, res, e);
			if (rc != ERR_REFUSED)
				goto fail;
			goto out;
		}
		l.step = "storing the records read";
		if (rc == 0 && l.fast_active) {
			rc = fast_end(&l, e);
		} else if (rc == 0) {
			rc = db_copy_end(&l.copy, e);
			l.copying = false;
			phase("parse, validate and COPY");
		}
		if (rc == 0)
			rc = run_sql_steps(&l, res, e);
		if (!want_fallback(&l, rc))
			break;
		/* keys already in the database: read again, checking every key */
		snprintf(reading, sizeof(reading), "reading %s again (some keys are already loaded)", name);
		if ((rc = fall_back(&l, e)) != 0)
			goto fail;
	}
	if (rc != 0 && rc != ERR_REFUSED)
		goto fail;
	{
		int crc;

		l.step = "committing";
		crc = db_exec(l.conn, "COMMIT", e);

		in_tx = false;
		phase("commit");
		if (crc != 0) {
			/* Lost at COMMIT: ask the database what happened. */
			if (!committed_after_all(conninfo, l.batch_id)) {
				rc = crc;
				goto fail;
			}
			err_clear(e);
		}
	}
	goto out;

fail:
	if (l.step != NULL && e->code == ERR_DB)
		err_prefix(e, "%s", l.step);
	if (l.receipt_pending)
		atomic_file_abort(&l.receipt);
	else if (l.receipt_path[0] != '\0')
		unlink(l.receipt_path); /* renamed, but the batch did not commit */
	if (l.copying)
		db_copy_abort(&l.copy, "load failed");
	if (in_tx && !db_connection_lost(l.conn)) {
		struct err e2 = ERR_INIT;

		db_exec(l.conn, "ROLLBACK", &e2);
	}
	if (l.batch_id > 0) {
		snprintf(res->status, sizeof(res->status), "failed");
		char *ids = seen_creditors(&l);

		mark_failed(conninfo, l.batch_id, l.kind, ids, e->message);
		free(ids);
	}
out:
	{
		PGcancel *c = cancel_handle;

		cancel_handle = NULL;
		PQfreeCancel(c);
	}
	if (rc != 0 && batch_interrupted)
		ERR_SET(e, ERR_INTERRUPTED, "interrupted by a signal; the batch was rolled back and can be re-run");
	if (locked && !db_connection_lost(l.conn)) {
		struct err e2 = ERR_INIT;

		q1(l.conn, "SELECT pg_advisory_unlock($1::int, $2::int)", 2, lock_params, NULL, 0, &e2);
	}
	source_free(src);
	fast_close(&l);
	key_filter_free(&l.filter);
	db_copy_release(&l.copy);
	free(l.row);
	free(l.seen);
	free(l.creditors.items);
	db_close(l.conn);
	return rc;
}

int batch_check_creditor(const char *conninfo, const char *creditor_id, struct err *e)
{
	PGconn *conn = NULL;
	char found[8];
	const char *p[1] = { creditor_id };
	int rc;

	if ((rc = db_connect(&conn, conninfo, "loader", e)) != 0)
		return rc;
	rc = q1(conn, "SELECT 1 FROM creditors WHERE creditor_id = $1", 1, p, found, sizeof(found), e);
	db_close(conn);
	if (rc == 0 && found[0] == '\0')
		rc = ERR_SET(e, ERR_USAGE, "--creditor '%s' is not a known creditor; nothing was loaded", creditor_id);
	return rc;
}

void batch_report_hints(const struct batch_result *res)
{
	char codes[256] = "";
	size_t o = 0;

	if (res->batch_id <= 0 || res->already_loaded || res->rejected == 0 || res->ntop == 0)
		return;
	for (int i = 0; i < res->ntop && o < sizeof(codes); i++)
		o += (size_t)snprintf(codes + o, sizeof(codes) - o, "%s%s %lld", i > 0 ? ", " : "",
				      res->top[i].code, res->top[i].n);
	log_info("batch %lld: reject report %s; most frequent: %s", res->batch_id, res->report_path, codes);
	/* most records not UTF-8: a spreadsheet's export in Windows-1252 */
	if (res->not_utf8 > 0 && res->not_utf8 * 2 >= res->records)
		log_info("batch %lld: hint: %lld of %lld records are not UTF-8 text; if the file comes from "
			 "Excel or another Windows program, convert it and load it again: "
			 "iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8.csv",
			 res->batch_id, res->not_utf8, res->records);
}
