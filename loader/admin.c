/* admin.c: init-db, status, suspense and the batch lookup of rerun. */
#include <dirent.h>
#include <limits.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "date.h"
#include "db.h"
#include "locks.h"
#include "money.h"
#include "utf8.h"

#define MAX_MIGRATIONS 256

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, char **out, struct err *e)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	long n;

	*out = NULL;
	if (fp == NULL)
		return ERR_SET(e, ERR_IO, "cannot open '%s'", path);
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || n > (1L << 24) ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return ERR_SET(e, ERR_IO, "cannot read '%s'", path);
	}
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		fclose(fp);
		return ERR_SET(e, ERR_IO, "cannot read '%s'", path);
	}
	buf[n] = '\0';
	fclose(fp);
	*out = buf;
	return 0;
}

/* On a Citus coordinator the migrations' DDL and schemas/citus.sql run with
 * the immutability triggers allowed on the shards (they touch no other
 * row) and one connection per worker (tables are distributed in one
 * transaction, after a reference table was written). citus.sql skips what
 * is done, so it runs on every init-db (see the file). */
static const char citus_session_sql[] =
	"SET citus.enable_unsafe_triggers = on; SET citus.multi_shard_modify_mode = sequential";

static int distribute(PGconn *conn, const char *schema_dir, struct err *e)
{
	char path[4096], *sql = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/citus.sql", schema_dir);
	if ((rc = read_file(path, &sql, e)) != 0)
		return rc;
	rc = db_exec(conn, sql, e);
	free(sql);
	return rc != 0 ? err_prefix(e, "distributing the schema on Citus ('%s')", path) : 0;
}

int schema_init(const char *conninfo, const char *schema_dir, int *applied, struct err *e)
{
	bool citus = false;
	PGconn *conn = NULL;
	DIR *d = NULL;
	struct dirent *de;
	char *names[MAX_MIGRATIONS];
	int n = 0, rc;

	*applied = 0;
	d = opendir(schema_dir);
	if (d == NULL)
		return ERR_SET(e, ERR_IO, "cannot open the schema directory '%s'", schema_dir);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len < 9 || strspn(de->d_name, "0123456789") != 4 || de->d_name[4] != '_' ||
		    strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		if (n == MAX_MIGRATIONS || (names[n] = strdup(de->d_name)) == NULL) {
			closedir(d);
			for (int i = 0; i < n; i++)
				free(names[i]);
			return ERR_SET(e, ERR_NOMEM, "too many migrations or out of memory");
		}
		n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_names);
	if ((rc = db_connect(&conn, conninfo, "loader init-db", e)) != 0)
		goto out;
	/* One runner at a time, from before the first statement: CREATE ...
	 * IF NOT EXISTS is not safe against a concurrent CREATE. */
	if ((rc = db_exec(conn, "SELECT pg_advisory_lock(" LOCK_CLASS_SCHEMA_SQL ")", e)) != 0)
		goto out;
	if ((rc = db_exec(conn,
			  "SET client_min_messages = warning;"
			  "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY,"
			  " applied_at timestamptz NOT NULL DEFAULT now())", e)) != 0 ||
	    (rc = db_citus(conn, &citus, e)) != 0 || (citus && (rc = db_exec(conn, citus_session_sql, e)) != 0))
		goto out;
	for (int i = 0; i < n; i++) {
		char path[4096], *sql = NULL, version[5];
		const char *p[1] = { version };
		PGresult *res = NULL;
		bool done;

		memcpy(version, names[i], 4);
		version[4] = '\0';
		if ((rc = db_exec(conn, "BEGIN", e)) != 0)
			goto out;
		if ((rc = db_query(conn, &res, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, p, e)) != 0)
			goto out;
		done = PQntuples(res) > 0;
		PQclear(res);
		if (done) {
			db_exec(conn, "COMMIT", e);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", schema_dir, names[i]);
		if ((rc = read_file(path, &sql, e)) != 0)
			goto out;
		rc = db_exec(conn, sql, e);
		free(sql);
		if (rc != 0) {
			err_prefix(e, "migration '%s'", names[i]);
			goto out;
		}
		if ((rc = db_query(conn, NULL, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, p, e)) != 0 ||
		    (rc = db_exec(conn, "COMMIT", e)) != 0)
			goto out;
		(*applied)++;
	}
	if (citus)
		rc = distribute(conn, schema_dir, e);
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	db_close(conn);
	return rc;
}

static const char *const status_names[] = { "loading", "loaded", "refused", "failed", "dry_run" };

bool batch_status_name_ok(const char *s)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0)
			return true;
	return false;
}

/* The status a reader sees: a 'loading' batch whose loader no longer holds
 * the file lock is failed. Filters: $1 batch id (0: all), $2 creditor, $3
 * status, $4 started on or after, $5 the most recent N (oldest first). */
static const char status_sql[] =
	"SELECT * FROM (SELECT * FROM (SELECT b.batch_id, coalesce(b.kind, '') AS kind, b.file_name, b.sha256,"
	" b.as_of::text AS as_of,"
	" to_char(b.started, 'YYYY-MM-DD\"T\"HH24:MI:SS.MSOF') AS started,"
	" coalesce(to_char(b.finished, 'YYYY-MM-DD\"T\"HH24:MI:SS.MSOF'), '') AS finished,"
	" CASE WHEN b.status = 'loading' AND NOT EXISTS (SELECT 1 FROM pg_locks l"
	"   WHERE l.locktype = 'advisory' AND l.classid = " LOCK_CLASS_FILE_SQL " AND l.objsubid = 2 AND l.granted"
	"   AND l.objid::bigint = (('x' || substr(b.sha256, 1, 8))::bit(32)::int::bigint & 4294967295))"
	"  THEN 'failed' ELSE b.status END AS status,"
	" b.records, b.accepted, b.skipped, b.rejected, coalesce(b.message, '') AS message,"
	" to_char(b.started, 'YYYY-MM-DD HH24:MI') AS started_short,"
	" coalesce(to_char(extract(epoch FROM b.finished - b.started), 'FM9999990.0') || 's', '') AS run_time,"
	" b.file_path, coalesce(b.rerun_of::text, '') AS rerun_of, b.suspense, b.ignored"
	" FROM batches b"
	" WHERE ($1::bigint = 0 OR b.batch_id = $1::bigint)"
	"  AND ($2::text IS NULL OR $2::text = ANY (b.creditor_ids))"
	"  AND ($4::date IS NULL OR b.started >= $4::date)) x"
	" WHERE $3::text IS NULL OR x.status = $3::text"
	" ORDER BY x.batch_id DESC LIMIT $5::bigint) y ORDER BY y.batch_id";

enum { S_ID, S_KIND, S_FILE, S_SHA, S_ASOF, S_STARTED, S_FINISHED, S_STATUS, S_RECORDS, S_ACCEPTED,
       S_SKIPPED, S_REJECTED, S_MESSAGE, S_STARTED_SHORT, S_RUN_TIME, S_PATH, S_RERUN_OF,
       S_SUSPENSE, S_IGNORED };

/* Text that must fit a column: cut with "..." (by whole UTF-8 characters). */
static void fit(char *out, size_t size, const char *s, size_t width)
{
	size_t chars = 0, i = 0, n = strlen(s);

	while (i < n && chars < width) {
		size_t k = utf8_seq((const unsigned char *)s + i, n - i);

		i += k != 0 ? k : 1;
		chars++;
	}
	if (i < n && width > 3) {
		/* cut three characters earlier for the dots */
		i = 0;
		chars = 0;
		while (i < n && chars < width - 3) {
			size_t k = utf8_seq((const unsigned char *)s + i, n - i);

			i += k != 0 ? k : 1;
			chars++;
		}
		snprintf(out, size, "%.*s...", (int)i, s);
	} else {
		snprintf(out, size, "%.*s", (int)i, s);
	}
}

static const char *or_dash(const char *s)
{
	return *s != '\0' ? s : "-";
}

static void print_text(PGresult *res, bool detail)
{
	int n = PQntuples(res);

	if (detail) {
		static const char *const labels[] = { "batch", "kind", "file", "sha256", "as-of", "started",
						      "finished", "status", "records", "accepted", "skipped",
						      "rejected", "why" };
		char safe[4096 * 4];

		for (int c = 0; c <= S_MESSAGE; c++) {
			const char *v = PQgetvalue(res, 0, c);

			if (c == S_MESSAGE && *v == '\0')
				continue;
			utf8_escape(safe, sizeof(safe), v, strlen(v), (size_t)-1);
			printf("%-9s %s\n", labels[c], safe);
			if (c == S_FILE) {
				v = PQgetvalue(res, 0, S_PATH);
				utf8_escape(safe, sizeof(safe), v, strlen(v), (size_t)-1);
				printf("%-9s %s\n", "path", safe);
			}
		}
		if (*PQgetvalue(res, 0, S_RERUN_OF) != '\0')
			printf("%-9s batch %s\n", "re-runs", PQgetvalue(res, 0, S_RERUN_OF));
		if (strcmp(PQgetvalue(res, 0, S_KIND), "bank") == 0)
			printf("%-9s %s\n%-9s %s\n", "suspense", PQgetvalue(res, 0, S_SUSPENSE), "ignored",
			       PQgetvalue(res, 0, S_IGNORED));
		return;
	}
	/* 120 columns: the file name gets what the others leave */
	printf("%6s %-12s %-7s %-10s %-16s %7s %8s %8s %8s %8s %s\n", "batch", "kind", "status", "as-of",
	       "started", "time", "records", "accepted", "skipped", "rejected", "file");
	for (int i = 0; i < n; i++) {
		char file[128], why[160], safe[1024];
		const char *msg = PQgetvalue(res, i, S_MESSAGE);

		utf8_escape(safe, sizeof(safe), PQgetvalue(res, i, S_FILE), strlen(PQgetvalue(res, i, S_FILE)),
			    (size_t)-1);
		fit(file, sizeof(file), safe, 19);
		printf("%6s %-12s %-7s %-10s %-16s %7s %8s %8s %8s %8s %s\n", PQgetvalue(res, i, S_ID),
		       or_dash(PQgetvalue(res, i, S_KIND)), PQgetvalue(res, i, S_STATUS), PQgetvalue(res, i, S_ASOF),
		       PQgetvalue(res, i, S_STARTED_SHORT), or_dash(PQgetvalue(res, i, S_RUN_TIME)),
		       PQgetvalue(res, i, S_RECORDS), PQgetvalue(res, i, S_ACCEPTED), PQgetvalue(res, i, S_SKIPPED),
		       PQgetvalue(res, i, S_REJECTED), file);
		if (*msg != '\0') {
			utf8_escape(safe, sizeof(safe), msg, strlen(msg), (size_t)-1);
			fit(why, sizeof(why), safe, 120 - 12);
			printf("%6s why: %s\n", "", why);
		} else if (strcmp(PQgetvalue(res, i, S_STATUS), "failed") == 0) {
			printf("%6s why: %s\n", "", "the loader stopped before it finished (killed, or the machine stopped)");
		}
	}
}

/* Print v (a part of root, or root) on stdout, indented; root is freed. */
static int print_json_value(json_t *root, json_t *v, struct err *e)
{
	char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(root);
	if (text == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	printf("%s\n", text);
	free(text);
	return 0;
}

static int print_json(PGresult *res, bool one, struct err *e)
{
	static const char *const names[] = { "batch_id", "kind", "file_name", "sha256", "as_of",
					     "started", "finished", "status", "records", "accepted",
					     "skipped", "rejected", "message" };
	json_t *arr = json_array();
	int n = PQntuples(res);

	for (int i = 0; i < n; i++) {
		json_t *o = json_object();

		for (int c = 0; c <= S_MESSAGE; c++) {
			const char *v = PQgetvalue(res, i, c);

			if (c == S_ID || (c >= S_RECORDS && c <= S_REJECTED))
				json_object_set_new(o, names[c], json_integer(strtoll(v, NULL, 10)));
			else if ((c == S_FINISHED || c == S_MESSAGE || c == S_KIND) && *v == '\0')
				json_object_set_new(o, names[c], json_null());
			else
				json_object_set_new(o, names[c], json_string(v));
		}
		json_object_set_new(o, "file_path", json_string(PQgetvalue(res, i, S_PATH)));
		json_object_set_new(o, "rerun_of", *PQgetvalue(res, i, S_RERUN_OF) == '\0' ? json_null()
						   : json_integer(strtoll(PQgetvalue(res, i, S_RERUN_OF), NULL, 10)));
		if (strcmp(PQgetvalue(res, i, S_KIND), "bank") == 0) {
			json_object_set_new(o, "suspense", json_integer(strtoll(PQgetvalue(res, i, S_SUSPENSE), NULL, 10)));
			json_object_set_new(o, "ignored", json_integer(strtoll(PQgetvalue(res, i, S_IGNORED), NULL, 10)));
		}
		json_array_append_new(arr, o);
	}
	return print_json_value(arr, one ? json_array_get(arr, 0) : arr, e);
}

int batch_status(const char *conninfo, long long batch_id, const struct status_filter *f, bool json,
		 struct err *e)
{
	PGconn *conn = NULL;
	PGresult *res = NULL;
	char id[24], since[DATE_FMT_MAX], limit[24];
	const char *p[5] = { id, f->creditor, f->status, NULL, limit };
	int rc;

	snprintf(id, sizeof(id), "%lld", batch_id);
	snprintf(limit, sizeof(limit), "%lld", f->limit > 0 ? f->limit : LLONG_MAX);
	if (f->since_set) {
		date_format(since, sizeof(since), f->since);
		p[3] = since;
	}
	if ((rc = db_connect(&conn, conninfo, "loader status", e)) != 0)
		return rc;
	if ((rc = db_query(conn, &res, status_sql, 5, p, e)) != 0)
		goto out;
	if (batch_id > 0 && PQntuples(res) == 0) {
		rc = ERR_SET(e, ERR_USAGE, "no batch %lld", batch_id);
		goto out;
	}
	if (json)
		rc = print_json(res, batch_id > 0, e);
	else
		print_text(res, batch_id > 0);
	if (rc == 0 && fflush(stdout) != 0)
		rc = ERR_SET(e, ERR_IO, "cannot write to stdout");
out:
	PQclear(res);
	db_close(conn);
	return rc;
}

int batch_lookup(const char *conninfo, long long batch_id, struct batch_info *out, struct err *e)
{
	PGconn *conn = NULL;
	PGresult *res = NULL;
	char id[24];
	const char *p[1] = { id };
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(id, sizeof(id), "%lld", batch_id);
	if ((rc = db_connect(&conn, conninfo, "loader rerun", e)) != 0)
		return rc;
	if ((rc = db_query(conn, &res,
			   "SELECT file_path, sha256, as_of, coalesce(creditor_filter, ''),"
			   " coalesce(kind_override, ''), status, dry_run, coalesce(encode(file_path_raw, 'hex'), '')"
			   " FROM batches WHERE batch_id = $1::bigint",
			   1, p, e)) != 0)
		goto out;
	if (PQntuples(res) == 0) {
		rc = ERR_SET(e, ERR_USAGE, "no batch %lld", batch_id);
		goto out;
	}
	{
		/* the path as given (its raw bytes), else the stored text */
		const char *hex = PQgetvalue(res, 0, 7);
		size_t n = strlen(hex) / 2;

		if (n > 0 && n < sizeof(out->file_path)) {
			for (size_t i = 0; i < n; i++) {
				unsigned v;

				sscanf(hex + 2 * i, "%2x", &v);
				out->file_path[i] = (char)v;
			}
			out->file_path[n] = '\0';
		} else {
			snprintf(out->file_path, sizeof(out->file_path), "%s", PQgetvalue(res, 0, 0));
		}
	}
	snprintf(out->sha256, sizeof(out->sha256), "%s", PQgetvalue(res, 0, 1));
	snprintf(out->as_of, sizeof(out->as_of), "%s", PQgetvalue(res, 0, 2));
	snprintf(out->creditor, sizeof(out->creditor), "%s", PQgetvalue(res, 0, 3));
	snprintf(out->kind, sizeof(out->kind), "%s", PQgetvalue(res, 0, 4));
	snprintf(out->status, sizeof(out->status), "%s", PQgetvalue(res, 0, 5));
	out->dry_run = PQgetvalue(res, 0, 6)[0] == 't';
out:
	PQclear(res);
	db_close(conn);
	return rc;
}

/* ---- suspense (SPEC 13) ---- */

/* An item and its bank record are of one batch: the join on batch_id lets
 * Citus run it on each shard (SPEC 17). */
static const char suspense_sql[] =
	"SELECT su.id, su.batch_id, su.account, su.bank_reference, su.booking_date::text, su.amount,"
	" su.currency, coalesce(su.reference, ''), su.reason, su.status, coalesce(b.debtor_name, ''),"
	" su.reference IS NULL, b.debtor_name IS NULL"
	" FROM suspense su JOIN bank_records b ON b.batch_id = su.batch_id AND b.id = su.bank_record_id"
	" WHERE $1::boolean OR su.status = 'open' ORDER BY su.id";

enum { U_ID, U_BATCH, U_ACCOUNT, U_BANK_REF, U_DATE, U_AMOUNT, U_CURRENCY, U_REFERENCE, U_REASON, U_STATUS,
       U_DEBTOR, U_NO_REFERENCE, U_NO_DEBTOR };

static int suspense_json(PGresult *res, struct err *e)
{
	static const char *const names[] = { "id", "batch", "account", "bank_reference", "booking_date", "amount",
					     "currency", "reference", "reason", "status", "debtor_name" };
	json_t *arr = json_array();

	for (int i = 0; i < PQntuples(res); i++) {
		json_t *o = json_object();

		for (int c = 0; c <= U_DEBTOR; c++) {
			const char *v = PQgetvalue(res, i, c);
			char amount[32];

			if (c == U_ID || c == U_BATCH)
				json_object_set_new(o, names[c], json_integer(strtoll(v, NULL, 10)));
			else if (c == U_AMOUNT)
				json_object_set_new(o, names[c],
						    json_string(money_format(amount, sizeof(amount), strtoll(v, NULL, 10))));
			else if ((c == U_REFERENCE && *PQgetvalue(res, i, U_NO_REFERENCE) == 't') ||
				 (c == U_DEBTOR && *PQgetvalue(res, i, U_NO_DEBTOR) == 't'))
				json_object_set_new(o, names[c], json_null());
			else
				json_object_set_new(o, names[c], json_string(v));
		}
		json_array_append_new(arr, o);
	}
	return print_json_value(arr, arr, e);
}

/* One line per item, 120 columns; values from a bank file escaped. */
static void suspense_text(PGresult *res)
{
	printf("%6s %6s %-10s %14s %-3s %-17s %-8s %-27s %s\n", "id", "batch", "booked", "amount", "cur", "reason",
	       "status", "reference", "debtor");
	for (int i = 0; i < PQntuples(res); i++) {
		char amount[32], ref[128], name[512], debtor[128];
		const char *d = PQgetvalue(res, i, U_DEBTOR), *r = PQgetvalue(res, i, U_REFERENCE);

		utf8_escape(ref, sizeof(ref), r, strlen(r), 27);
		utf8_escape(name, sizeof(name), d, strlen(d), 100);
		fit(debtor, sizeof(debtor), name, 26);
		printf("%6s %6s %-10s %14s %-3s %-17s %-8s %-27s %s\n", PQgetvalue(res, i, U_ID),
		       PQgetvalue(res, i, U_BATCH), PQgetvalue(res, i, U_DATE),
		       money_format(amount, sizeof(amount), strtoll(PQgetvalue(res, i, U_AMOUNT), NULL, 10)),
		       PQgetvalue(res, i, U_CURRENCY), PQgetvalue(res, i, U_REASON), PQgetvalue(res, i, U_STATUS),
		       or_dash(ref), or_dash(debtor));
	}
}

int suspense_list(const char *conninfo, bool all, bool json, struct err *e)
{
	PGconn *conn = NULL;
	PGresult *res = NULL;
	const char *p[1] = { all ? "true" : "false" };
	int rc;

	if ((rc = db_connect(&conn, conninfo, "loader suspense", e)) != 0)
		return rc;
	if ((rc = db_query(conn, &res, suspense_sql, 1, p, e)) == 0) {
		if (json)
			rc = suspense_json(res, e);
		else
			suspense_text(res);
		if (rc == 0 && fflush(stdout) != 0)
			rc = ERR_SET(e, ERR_IO, "cannot write to stdout");
	}
	PQclear(res);
	db_close(conn);
	return rc;
}
