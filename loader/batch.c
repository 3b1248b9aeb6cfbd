/* batch.c: the batch lifecycle (SPEC 7): the file's lock, the batch row,
 * one transaction, COMMIT and what happened when it was lost, a failed or
 * refused batch. See batch.h; the inside of a batch is load.h. */
#include "batch.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "load.h"
#include "locks.h"
#include "log.h"
#include "phase.h"
#include "pipeline.h"
#include "sniff.h"
#include "source.h"
#include "utf8.h"

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
		{
			const struct country_conf *cc = config_country(l->conf, c->country);

			c->scheme = cc != NULL ? cc->payment_reference : REF_SCOR;
		}
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
		      "UPDATE batches SET status = 'failed', finished = statement_timestamp(), message = $2,"
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
			if (db_value(conn, "SELECT status FROM batches WHERE batch_id = $1::bigint", 1, params,
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
char *load_creditor_ids(const struct load *l)
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

/* The file's kind as far as it is known: detected, else the one --kind
 * says (a file refused before its root element was seen). */
static enum file_kind known_kind(const struct load *l)
{
	return l->kind != KIND_UNKNOWN ? l->kind : l->opts->kind;
}

/* The batch's most frequent reject codes, and how many of its records were
 * not UTF-8, for the lines after the summary. */
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
	params[5] = known_kind(l) != KIND_UNKNOWN ? file_kind_name(known_kind(l)) : NULL;
	if ((rc = db_exec(l->conn, "BEGIN", e)) != 0)
		return rc;
	if ((rc = db_query(l->conn, NULL, "DELETE FROM rejects WHERE batch_id = $1::bigint", 1, params, e)) != 0)
		return rc;
	if ((rc = db_query(l->conn, NULL,
			   "INSERT INTO rejects (batch_id, record, line, field, code, message, seq)"
			   " VALUES ($1::bigint, $5::bigint, $2::bigint, NULL, $3, $4, 0)", 5, params, e)) != 0)
		return rc;
	{
		char *ids = load_creditor_ids(l);
		const char *up[5] = { id, message, recs, params[5], ids };

		if (ids == NULL)
			return ERR_SET(e, ERR_NOMEM, "out of memory");
		rc = db_query(l->conn, NULL,
			      "UPDATE batches SET status = 'refused', finished = statement_timestamp(), records = $3::bigint,"
			      " accepted = 0, skipped = 0, rejected = 0, message = $2, kind = coalesce($4, kind),"
			      " creditor_ids = $5::text[] WHERE batch_id = $1::bigint", 5, up, e);
		free(ids);
		if (rc != 0)
			return rc;
	}
	if ((rc = reports_write(l, false, e)) != 0 || (rc = reports_summary(l, res, e)) != 0)
		return rc;
	if ((rc = db_exec(l->conn, "COMMIT", e)) != 0 || (rc = publish_commit(&l->pub, e)) != 0)
		return rc;
	snprintf(res->status, sizeof(res->status), "refused");
	res->records = (long long)l->io.records;
	res->accepted = res->skipped = res->rejected = res->suspense = res->ignored = 0;
	res->bank = known_kind(l) == KIND_BANK; /* its summary has its two counts (SPEC 13) */
	return ERR_REFUSED;
}

/* LOADER_TIMING=1 logs the duration of each phase on stderr. */

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
		if ((rc = db_value(l->conn,
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
	    (rc = db_value(l->conn,
		     "UPDATE batches SET status = 'loading', started = statement_timestamp(), finished = NULL,"
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
	    (rc = db_value(l->conn,
		     "INSERT INTO batches (sha256, file_name, file_path, as_of, creditor_filter, kind_override,"
		     " dry_run, status, started, file_path_raw, loader_pid, rerun_of)"
		     " VALUES ($1, $2, $3, $4::date, $5, $6, $7::boolean, 'loading', statement_timestamp(), $9::bytea,"
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
	l->io.on_kind = sink_on_kind;
	l->io.on_record = sink_on_record;
	l->io.ctx = l;
	/* a bank file's account must be one of the agency's (FILE_ACCOUNT) */
	for (int i = 0; i < l->conf->agency.naccounts; i++)
		l->accounts[i] = l->conf->agency.accounts[i].iban;
	l->io.accounts = l->accounts;
	l->io.naccounts = (size_t)l->conf->agency.naccounts;
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
	int rc, crc;

	memset(&l, 0, sizeof(l));
	buf_init(&l.row, LOAD_ROW_MAX);
	publish_init(&l.pub);
	case_ids_init(&l.ids, conninfo);
	memset(res, 0, sizeof(*res));
	l.conf = conf;
	l.opts = opts;
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
	if ((rc = db_exec(l.conn, "SET client_connection_check_interval = '1s'", e)) != 0 ||
	    (rc = db_citus(l.conn, &l.citus, e)) != 0)
		goto out;
	cancel_handle = PQgetCancel(l.conn);
	sha_lock_params(sha, key);
	{
		char got[8];

		if ((rc = db_value(l.conn, "SELECT pg_try_advisory_lock($1::int, $2::int)", 2, lock_params, got,
			     sizeof(got), e)) != 0)
			goto out;
		if (got[0] != 't') {
			char who[32];
			const char *p1[1] = { sha };

			if ((rc = db_value(l.conn, "SELECT max(batch_id) FROM batches WHERE sha256 = $1 AND status = 'loading'", 1,
				     p1, who, sizeof(who), e)) != 0)
				goto out;
			log_info("'%s' is being loaded by another loader%s%s; waiting for it", basename_of(path),
				 who[0] != '\0' ? " as batch " : "", who);
			if ((rc = db_value(l.conn, "SELECT pg_advisory_lock($1::int, $2::int)", 2, lock_params, NULL, 0,
				     e)) != 0)
				goto out;
		}
		locked = true;
	}
	if ((rc = claim_batch(&l, path, sha, res, e)) != 0)
		goto out;
	if (res->already_loaded)
		goto out;
	if ((rc = db_exec(l.conn, "BEGIN", e)) != 0)
		goto fail;
	in_tx = true;
	/* on Citus, no settlement runs while the batch writes (db.h) */
	if (l.citus &&
	    (rc = lock_take(l.conn, l.batch_id, "SELECT pg_try_advisory_xact_lock_shared(" DB_CITUS_LEDGER_LOCK ")",
			    "SELECT pg_advisory_xact_lock_shared(" DB_CITUS_LEDGER_LOCK ")", "SELECT 'a settlement run'",
			    "the lock of the cases and transactions on the Citus cluster", e)) != 0)
		goto fail;
	phase_mark(NULL);
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
	l.state = LOAD_BEGUN;
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
		if (rc == 0 && !db_copy_active(&l.copy)) {
			/* a header but no record: the stage still exists for the steps */
			rc = sink_on_kind(&l, l.kind != KIND_UNKNOWN ? l.kind : KIND_CASES, e);
		}
		if (rc == ERR_REFUSED) {
			char msg[ERR_MESSAGE_MAX];

			snprintf(msg, sizeof(msg), "%s", e->message);
			sink_abort(&l, "file refused");
			if ((rc = db_exec(l.conn, "ROLLBACK", e)) != 0)
				goto fail;
			in_tx = false;
			rc = finish_refused(&l, l.io.refusal, l.io.refusal_line, l.io.refusal_record, msg, res, e);
			if (rc != ERR_REFUSED)
				goto fail;
			goto out;
		}
		l.step = "storing the records read";
		if (rc == 0)
			rc = sink_finish(&l, e);
		if (rc == 0)
			rc = classify_batch(&l, res, e);
		if (!sink_should_restart(&l, rc))
			break;
		/* keys already in the database: read again, checking every key */
		snprintf(reading, sizeof(reading), "reading %s again (some keys are already loaded)", name);
		if ((rc = sink_restart(&l, e)) != 0)
			goto fail;
	}
	if (rc != 0 && rc != ERR_REFUSED)
		goto fail;
	l.step = "committing";
	crc = db_exec(l.conn, "COMMIT", e);
	in_tx = false;
	phase_mark("commit");
	if (crc != 0) {
		/* Lost at COMMIT: ask the database what happened. */
		if (!committed_after_all(conninfo, l.batch_id)) {
			rc = crc;
			goto fail;
		}
		err_clear(e);
	}
	/* committed: the reports appear */
	if ((crc = publish_commit(&l.pub, e)) != 0) {
		err_prefix(e, "batch %lld is %s, but its reports could not be put in place", l.batch_id, res->status);
		rc = crc;
	}
	goto out;

fail:
	if (l.step != NULL && e->code == ERR_DB)
		err_prefix(e, "%s", l.step);
	reports_drop_receipt(&l);
	publish_discard(&l.pub); /* the batch did not commit: no report, no receipt */
	sink_abort(&l, "load failed");
	if (in_tx && !db_connection_lost(l.conn)) {
		struct err e2 = ERR_INIT;

		db_exec(l.conn, "ROLLBACK", &e2);
	}
	if (l.batch_id > 0) {
		char *ids = load_creditor_ids(&l);

		snprintf(res->status, sizeof(res->status), "failed");
		res->bank = known_kind(&l) == KIND_BANK;
		mark_failed(conninfo, l.batch_id, known_kind(&l), ids, e->message);
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

		db_value(l.conn, "SELECT pg_advisory_unlock($1::int, $2::int)", 2, lock_params, NULL, 0, &e2);
	}
	source_free(src);
	sink_release(&l);
	key_filter_free(&l.filter);
	db_copy_release(&l.copy);
	reports_drop_receipt(&l);
	publish_release(&l.pub);
	buf_release(&l.row);
	case_ids_release(&l.ids);
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
	rc = db_value(conn, "SELECT 1 FROM creditors WHERE creditor_id = $1", 1, p, found, sizeof(found), e);
	db_close(conn);
	if (rc == 0 && found[0] == '\0')
		rc = ERR_SET(e, ERR_USAGE, "--creditor '%s' is not a known creditor; nothing was loaded", creditor_id);
	return rc;
}

