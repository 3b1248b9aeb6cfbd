/* sink.c: the records on their way into the database (see load.h).
 *
 * Every record is validated, then either staged (a COPY text row of the
 * stage table, its columns made from the field table: columns.h) or, on
 * the fast case path, sent straight into cases as a binary COPY tuple
 * (case_copy.h) when its key is new to the file; the others are spilled
 * to a temporary file and staged after the binary COPY. */
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "copy_text.h"
#include "load.h"
#include "phase.h"
#include "locks.h"
#include "log.h"
#include "rules.h"
#include "source.h"
#include "utf8.h"

/* ---- COPY text rows ---- */

/* A row being written into l->row (common/buf, copy_text): the first
 * error sticks, and the row is then dropped with the batch. */
struct row {
	struct buf *b;
	struct err *e;
	int rc;
};

static void w_raw(struct row *w, const char *s, size_t n)
{
	if (w->rc == 0)
		w->rc = buf_add(w->b, s, n, w->e);
}

static void w_text(struct row *w, const char *s, size_t n)
{
	if (w->rc == 0)
		w->rc = copy_text_str(w->b, s, n, w->e);
}

static void w_sep(struct row *w)
{
	if (w->rc == 0)
		w->rc = copy_text_sep(w->b, w->e);
}

static void w_null(struct row *w)
{
	if (w->rc == 0)
		w->rc = copy_text_null(w->b, w->e);
}

static void w_i64(struct row *w, int64_t v)
{
	if (w->rc == 0)
		w->rc = copy_text_i64(w->b, v, w->e);
}

static void w_bool(struct row *w, bool v)
{
	w_raw(w, v ? "t" : "f", 1);
}

/* A value as read; NULL when empty, too long, or holding a NUL. */
static void w_field(struct row *w, const struct record *r, int f)
{
	const struct field_value *fv = &r->f[f];

	if (fv->len == 0 || (fv->flags & FIELD_TOO_LONG) || memchr(record_value(r, f), '\0', fv->len) != NULL)
		w_null(w);
	else
		w_text(w, record_value(r, f), fv->len);
}

/* A key of a rejected record: shown in the report when it is text. */
static bool text_ok(const struct record *r, int f)
{
	const struct field_value *fv = &r->f[f];

	return fv->len > 0 && !(fv->flags & FIELD_TOO_LONG) &&
	       memchr(record_value(r, f), '\0', fv->len) == NULL &&
	       rules_utf8_ok(record_value(r, f), fv->len);
}

/* The value column of the reject report (SPEC 7.1 v2): the field as read,
 * at most 200 characters, control characters and invalid UTF-8 escaped. */
#define REPORT_VALUE_CHARS 200

/* The validator's errors, for classify.c's errors_to_rejects: items
 * separated by RS (0x1e), each "code US field US message US value". */
static void w_errors(struct row *w, enum file_kind kind, const struct record *r, const struct verdict *v)
{
	size_t nd;
	const struct field_def *defs = record_fields(kind, &nd);
	char value[REPORT_VALUE_CHARS * 4 + 8];

	if (v->n == 0) {
		w_null(w);
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct reject_item *it = &v->items[i];
		const char *code = reject_code_name(it->code);

		if (i > 0)
			w_raw(w, "\x1e", 1);
		w_raw(w, code, strlen(code));
		w_raw(w, "\x1f", 1);
		if (it->field >= 0)
			w_raw(w, defs[it->field].name, strlen(defs[it->field].name));
		w_raw(w, "\x1f", 1);
		w_text(w, it->message, strlen(it->message));
		w_raw(w, "\x1f", 1);
		if (it->field >= 0 && !(r->f[it->field].flags & FIELD_TOO_LONG) && r->f[it->field].len > 0) {
			size_t n = utf8_escape(value, sizeof(value), record_value(r, it->field), r->f[it->field].len,
					       REPORT_VALUE_CHARS);

			w_text(w, value, n);
		}
	}
}

/* One stage row into l->row: record, line, errors, dupkey, txkey, probe,
 * the stored fields in the order of the field table (a rejected record
 * keeps only its keys), and for cases the collection fee, the case number
 * and the payment reference. probe: the key filter saw the key before (the
 * fast case load's, a bank file's, a transaction file's). */
static int stage_row(struct load *l, const struct record *r, const struct verdict *v, bool probe, struct err *e)
{
	struct row w = { &l->row, e, 0 };
	size_t nd;
	const struct field_def *d = record_fields(l->kind, &nd);
	bool ok = v->n == 0;

	buf_reset(&l->row);
	w_i64(&w, (int64_t)r->ordinal);
	w_sep(&w);
	w_i64(&w, (int64_t)r->line);
	w_sep(&w);
	w_errors(&w, l->kind, r, v);
	w_sep(&w);
	w_bool(&w, v->key_ok);
	w_sep(&w);
	w_bool(&w, v->txid_ok);
	w_sep(&w);
	w_bool(&w, probe);
	for (size_t f = 0; f < nd; f++) {
		if (d[f].type == COL_NONE)
			continue;
		w_sep(&w);
		if (!ok) {
			if (d[f].key && text_ok(r, (int)f))
				w_field(&w, r, (int)f);
			else
				w_null(&w);
			continue;
		}
		switch (d[f].type) {
		case COL_TEXT:
		case COL_DATE:
			w_field(&w, r, (int)f);
			break;
		case COL_MONEY:
			w_i64(&w, v->num[f]);
			break;
		case COL_BOOL:
			w_bool(&w, v->num[f] != 0);
			break;
		case COL_NONE:
			break;
		}
	}
	if (l->kind == KIND_CASES) {
		/* fees, case_id, payment_reference */
		if (ok) {
			int64_t id;
			char ref[PAYREF_SIZE];
			int rc = case_ids_next(&l->ids, v->creditor->scheme, &id, ref, e);

			if (rc != 0)
				return rc;
			w_sep(&w);
			w_i64(&w, v->collection_fee);
			w_sep(&w);
			w_i64(&w, id);
			w_sep(&w);
			w_text(&w, ref, strlen(ref));
		} else {
			w_raw(&w, "\t\\N\t\\N\t\\N", 9);
		}
	}
	if (l->kind == KIND_BANK) {
		/* ref_ok, ref_id1, ref_id2 (create_stage) */
		_Static_assert(PAYREF_IDS_MAX == 2, "the stage has two ref_id columns");
		w_sep(&w);
		w_bool(&w, ok && v->ref_ok);
		for (int i = 0; i < PAYREF_IDS_MAX; i++) {
			w_sep(&w);
			if (ok && v->ref_ok && i < v->n_ref_ids)
				w_i64(&w, v->ref_ids[i]);
			else
				w_null(&w);
		}
	}
	w_raw(&w, "\n", 1);
	return w.rc;
}

/* The key filter, made on first use (LOADER_KEY_FILTER_BITS, else 16 MiB).
 * Bits left from an earlier pass only make more keys look repeated. */
static int filter_ready(struct load *l, struct err *e)
{
	if (l->filter.bits != NULL)
		return 0;
	return key_filter_init(&l->filter,
			       l->opts->key_filter_log2_bits != 0 ? l->opts->key_filter_log2_bits : KEY_FILTER_LOG2_BITS, e);
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
	char sql[CASE_COPY_SQL_MAX];
	size_t n;
	int rc;

	/* Fast loads run side by side (shared); a staged case load waits for
	 * them (it takes the lock exclusively), so it never classifies a key
	 * that an uncommitted fast load is inserting. */
	if ((rc = db_exec(l->conn, "SAVEPOINT fast", e)) != 0)
		return rc;
	l->state = LOAD_FAST;
	if ((rc = lock_take(l->conn, l->batch_id,
			    "SELECT pg_try_advisory_xact_lock_shared(" LOCK_CLASS_CREDITOR_SQL ", 0)",
			    "SELECT pg_advisory_xact_lock_shared(" LOCK_CLASS_CREDITOR_SQL ", 0)", LOCK_HOLDERS_SQL("0"),
			    "the case-load lock", e)) != 0)
		return rc;
	l->n_fast = l->n_spill = 0;
	if ((rc = filter_ready(l, e)) != 0)
		return rc;
	if ((l->spill = temp_file(e)) == NULL || (l->keys = temp_file(e)) == NULL)
		return ERR_IO;
	if ((rc = case_copy_init(sql, sizeof(sql), e)) != 0)
		return rc;
	db_copy_release(&l->copy);
	if ((rc = db_copy_begin(&l->copy, l->conn, sql, e)) != 0 ||
	    (rc = buf_reserve(&l->row, CASE_COPY_ROW_MAX, e)) != 0)
		return rc;
	n = case_copy_header(l->row.data);
	return db_copy_write(&l->copy, l->row.data, n, e);
}

static int fast_record(struct load *l, struct record *r, const struct verdict *v, struct err *e)
{
	const char *id = record_value(r, CF_CREDITOR_ID), *ref = record_value(r, CF_CREDITOR_REFERENCE);
	size_t idn = r->f[CF_CREDITOR_ID].len, refn = r->f[CF_CREDITOR_REFERENCE].len;
	/* a rejected record's key counts as seen too (DUPLICATE_IN_FILE for
	 * the next one) */
	bool seen = v->key_ok && key_filter_add(&l->filter, id, idn, ref, refn);
	int rc;

	if (v->n == 0 && !seen) {
		char line[RECEIPT_LINE_MAX], payref[PAYREF_SIZE];
		int64_t case_id;
		size_t n, k;

		if ((rc = case_ids_next(&l->ids, v->creditor->scheme, &case_id, payref, e)) != 0)
			return rc;
		n = case_copy_row(l->row.data, r, v, case_id, payref, l->batch_id, l->opts->as_of);
		k = receipt_key_line(line, r->ordinal, ref, refn, case_id, payref);
		if (fwrite(line, 1, k, l->keys) != k)
			return ERR_SET(e, ERR_IO, "cannot write a temporary file");
		l->copy.rows++;
		l->n_fast++;
		return db_copy_write(&l->copy, l->row.data, n, e);
	}
	/* rejected, or its key may be repeated: staged after the COPY */
	if ((rc = stage_row(l, r, v, seen, e)) != 0)
		return rc;
	l->n_spill++;
	if (fwrite(l->row.data, 1, l->row.len, l->spill) != l->row.len)
		return ERR_SET(e, ERR_IO, "cannot write a temporary file");
	return 0;
}

/* End the binary COPY and stage the spill. */
static int fast_end(struct load *l, struct err *e)
{
	char buf[64 * 1024];
	size_t n = case_copy_trailer(buf);
	int rc;

	if ((rc = db_copy_write(&l->copy, buf, n, e)) != 0 || (rc = db_copy_end(&l->copy, e)) != 0)
		return rc;
	phase_mark("parse, validate and COPY into cases");
	db_copy_release(&l->copy);
	if ((rc = db_copy_begin(&l->copy, l->conn, "COPY stage FROM STDIN", e)) != 0)
		return rc;
	if (fflush(l->spill) != 0 || fseek(l->spill, 0, SEEK_SET) != 0)
		return ERR_SET(e, ERR_IO, "cannot read a temporary file");
	while ((n = fread(buf, 1, sizeof(buf), l->spill)) > 0)
		if ((rc = db_copy_write(&l->copy, buf, n, e)) != 0)
			return rc;
	if (ferror(l->spill))
		return ERR_SET(e, ERR_IO, "cannot read a temporary file");
	l->copy.rows = l->n_spill;
	return db_copy_end(&l->copy, e);
}

/* ---- the decoder's callbacks ---- */

/* The stage table of a kind: flags, then the stored fields (columns.h). */
static int create_stage(struct load *l, enum file_kind kind, struct err *e)
{
	char defs[COLUMNS_SQL_MAX], sql[COLUMNS_SQL_MAX + 256];
	int rc;

	if ((rc = columns_stage_defs(defs, sizeof(defs), kind, e)) != 0)
		return rc;
	if ((size_t)snprintf(sql, sizeof(sql),
			     "CREATE TEMP TABLE stage (record bigint, line bigint, errors text, dupkey boolean,"
			     " txkey boolean, probe boolean, %s%s) ON COMMIT DROP",
			     defs, kind == KIND_CASES ? ", fees bigint, case_id bigint, payment_reference text"
				   : kind == KIND_BANK ? ", ref_ok boolean, ref_id1 bigint, ref_id2 bigint" : "") >= sizeof(sql))
		return ERR_SET(e, ERR_LIMIT, "the stage table's definition does not fit");
	return db_exec(l->conn, sql, e);
}

/* A bank record's key into the key filter: probe marks the keys that may
 * be repeated in the file, the only ones classify_bank.c numbers (a
 * rejected record's key counts too). The account and the bank_reference up
 * to its first '#': a key in bank_records is the bank_reference, or it, '#'
 * and a status (BANK_KEY), so records with one key share that prefix. */
static bool bank_probe(struct load *l, const struct record *r, const struct verdict *v)
{
	const char *ref = record_value(r, BF_BANK_REFERENCE);
	size_t n = r->f[BF_BANK_REFERENCE].len;
	const char *hash = memchr(ref, '#', n);

	return v->key_ok && key_filter_add(&l->filter, record_value(r, BF_ACCOUNT), r->f[BF_ACCOUNT].len, ref,
					   hash != NULL ? (size_t)(hash - ref) : n);
}

/* A transaction's key: probe marks the transaction_ids that may be
 * repeated in the file, the only ones classify.c numbers (a rejected
 * record's key counts too). */
static bool tx_probe(struct load *l, const struct record *r, const struct verdict *v)
{
	return v->txid_ok && key_filter_add(&l->filter, record_value(r, TF_CREDITOR_ID), r->f[TF_CREDITOR_ID].len,
					    record_value(r, TF_TRANSACTION_ID), r->f[TF_TRANSACTION_ID].len);
}

/* The kinds whose staged records carry a probe, and how it is found. */
static bool (*const probes[KIND__LAST + 1])(struct load *, const struct record *, const struct verdict *) = {
	[KIND_TRANSACTIONS] = tx_probe,
	[KIND_BANK] = bank_probe,
};

int sink_on_kind(void *ctx, enum file_kind kind, struct err *e)
{
	struct load *l = ctx;
	bool first = l->state == LOAD_BEGUN;
	int rc;

	l->kind = kind;
	l->vctx.decimal_comma = l->io.decimal_comma;
	if (first && (rc = create_stage(l, kind, e)) != 0)
		return rc;
	if (probes[kind] != NULL && (rc = filter_ready(l, e)) != 0)
		return rc;
	/* the fast path: a case file, not a dry run, and not after a restart */
	if (first && kind == KIND_CASES && !l->opts->dry_run && !l->opts->staged_only)
		return fast_begin(l, e);
	l->state = LOAD_STAGED;
	db_copy_release(&l->copy);
	return db_copy_begin(&l->copy, l->conn, "COPY stage FROM STDIN", e);
}

/* The validator of each kind a load reads (creditors are not loaded). */
static size_t (*const validators[KIND__LAST + 1])(const struct validate_ctx *, struct record *, struct verdict *) = {
	[KIND_CASES] = validate_case,
	[KIND_TRANSACTIONS] = validate_transaction,
	[KIND_BANK] = validate_bank,
	[KIND_ASSIGNMENTS] = validate_assignment,
	[KIND_EVENTS] = validate_event,
};

int sink_on_record(void *ctx, struct record *r, struct err *e)
{
	struct load *l = ctx;
	struct verdict v;
	bool probe;
	int rc;

	if (batch_interrupted)
		return ERR_SET(e, ERR_INTERRUPTED, "interrupted by a signal");
	if ((r->ordinal & 0x3fff) == 0)
		log_progress_read(l->reading, r->ordinal, source_raw_read(l->io.src), source_raw_size(l->io.src));
	validators[l->kind](&l->vctx, r, &v);
	if (v.creditor != NULL)
		l->seen[v.creditor - l->creditors.items] = true;
	if (l->state == LOAD_FAST)
		return fast_record(l, r, &v, e);
	probe = probes[l->kind] != NULL && probes[l->kind](l, r, &v);
	l->n_probe += probe;
	if ((rc = stage_row(l, r, &v, probe, e)) != 0)
		return rc;
	l->copy.rows++;
	return db_copy_write(&l->copy, l->row.data, l->row.len, e);
}

int sink_finish(struct load *l, struct err *e)
{
	int rc;

	if (l->state == LOAD_FAST)
		return fast_end(l, e);
	rc = db_copy_end(&l->copy, e);
	phase_mark("parse, validate and COPY");
	return rc;
}

/* ---- starting again ---- */

/* A key the fast path cannot take (already in the database, or being
 * inserted by a concurrent load: unique violation or deadlock), or a
 * refusal (classify.c set LOAD_RESTART): undo everything since the
 * savepoint and read the file again, staged. */
bool sink_should_restart(const struct load *l, int rc)
{
	/* Citus (SPEC 17) passes a worker's error in a COPY on with the
	 * worker's message but SQLSTATE XX000 (ReportCopyError in its
	 * multi_copy.c): a key that exists shows so. Any other error of the
	 * fast path's COPY comes back on the staged path, which reports it. */
	static const char *const restart_states[] = { "23505", "40P01", "XX000" };
	const char *st = db_last_sqlstate();

	if (db_connection_lost(l->conn))
		return false;
	if (l->state == LOAD_RESTART)
		return true;
	if (l->state != LOAD_FAST || rc != ERR_DB)
		return false;
	for (size_t i = 0; i < sizeof(restart_states) / sizeof(restart_states[0]); i++)
		if (strcmp(st, restart_states[i]) == 0)
			return true;
	return false;
}

void sink_abort(struct load *l, const char *reason)
{
	if (db_copy_active(&l->copy))
		db_copy_abort(&l->copy, reason);
}

void sink_release(struct load *l)
{
	FILE **fs[] = { &l->spill, &l->keys };

	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
		if (*fs[i] != NULL)
			fclose(*fs[i]);
		*fs[i] = NULL;
	}
}

int sink_restart(struct load *l, struct err *e)
{
	sink_abort(l, "starting again on the staged path");
	reports_drop_receipt(l);
	publish_discard(&l->pub);
	sink_release(l);
	l->state = LOAD_RESTART;
	l->n_fast = l->n_spill = l->n_probe = 0;
	err_clear(e);
	phase_mark("fast path, undone");
	return db_exec(l->conn, "ROLLBACK TO SAVEPOINT fast", e);
}
