/* admin.c: init-db, status and the batch lookup of rerun. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "db.h"

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

int schema_init(const char *conninfo, const char *schema_dir, int *applied, struct err *e)
{
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
	if ((rc = db_exec(conn,
			  "SET client_min_messages = warning;"
			  "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY,"
			  " applied_at timestamptz NOT NULL DEFAULT now())", e)) != 0)
		goto out;
	for (int i = 0; i < n; i++) {
		char path[4096], *sql = NULL, version[5];
		const char *p[1] = { version };
		PGresult *res = NULL;
		bool done;

		memcpy(version, names[i], 4);
		version[4] = '\0';
		if ((rc = db_exec(conn, "BEGIN; SELECT pg_advisory_xact_lock(1817)", e)) != 0)
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
out:
	for (int i = 0; i < n; i++)
		free(names[i]);
	db_close(conn);
	return rc;
}

/* The status a reader sees: a 'loading' batch whose loader no longer holds
 * the file lock is failed. */
static const char status_sql[] =
	"SELECT b.batch_id, coalesce(b.kind, ''), b.file_name, b.sha256, b.as_of,"
	" to_char(b.started, 'YYYY-MM-DD\"T\"HH24:MI:SSOF'),"
	" coalesce(to_char(b.finished, 'YYYY-MM-DD\"T\"HH24:MI:SSOF'), ''),"
	" CASE WHEN b.status = 'loading' AND NOT EXISTS (SELECT 1 FROM pg_locks l"
	"   WHERE l.locktype = 'advisory' AND l.classid = 1818 AND l.objsubid = 2 AND l.granted"
	"   AND l.objid::bigint = (('x' || substr(b.sha256, 1, 8))::bit(32)::int::bigint & 4294967295))"
	"  THEN 'failed' ELSE b.status END,"
	" b.records, b.accepted, b.skipped, b.rejected, coalesce(b.message, '')"
	" FROM batches b WHERE ($1::bigint = 0 OR b.batch_id = $1::bigint) ORDER BY b.batch_id";

int batch_status(const char *conninfo, long long batch_id, bool json, struct err *e)
{
	static const char *const names[] = { "batch_id", "kind", "file_name", "sha256", "as_of",
					     "started", "finished", "status", "records", "accepted",
					     "skipped", "rejected", "message" };
	PGconn *conn = NULL;
	PGresult *res = NULL;
	char id[24];
	const char *p[1] = { id };
	int rc, n;

	snprintf(id, sizeof(id), "%lld", batch_id);
	if ((rc = db_connect(&conn, conninfo, "loader status", e)) != 0)
		return rc;
	if ((rc = db_query(conn, &res, status_sql, 1, p, e)) != 0)
		goto out;
	n = PQntuples(res);
	if (batch_id > 0 && n == 0) {
		rc = ERR_SET(e, ERR_USAGE, "no batch %lld", batch_id);
		goto out;
	}
	if (json) {
		json_t *arr = json_array();
		char *text;

		for (int i = 0; i < n; i++) {
			json_t *o = json_object();

			for (int c = 0; c < 13; c++) {
				const char *v = PQgetvalue(res, i, c);

				if (c == 0 || (c >= 8 && c <= 11))
					json_object_set_new(o, names[c], json_integer(strtoll(v, NULL, 10)));
				else if ((c == 6 || c == 12 || c == 1) && *v == '\0')
					json_object_set_new(o, names[c], json_null());
				else
					json_object_set_new(o, names[c], json_string(v));
			}
			json_array_append_new(arr, o);
		}
		text = json_dumps(batch_id > 0 ? json_array_get(arr, 0) : arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(arr);
		if (text == NULL) {
			rc = ERR_SET(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		printf("%s\n", text);
		free(text);
	} else {
		printf("%-6s %-12s %-8s %-10s %-25s %-25s %9s %9s %9s %9s  %-30s %s\n", "batch", "kind",
		       "status", "as_of", "started", "finished", "records", "accepted", "skipped",
		       "rejected", "file", "sha256");
		for (int i = 0; i < n; i++)
			printf("%-6s %-12s %-8s %-10s %-25s %-25s %9s %9s %9s %9s  %-30s %s\n",
			       PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 7),
			       PQgetvalue(res, i, 4), PQgetvalue(res, i, 5), PQgetvalue(res, i, 6),
			       PQgetvalue(res, i, 8), PQgetvalue(res, i, 9), PQgetvalue(res, i, 10),
			       PQgetvalue(res, i, 11), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
	}
	if (fflush(stdout) != 0)
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
			   " coalesce(kind_override, ''), status, dry_run FROM batches WHERE batch_id = $1::bigint",
			   1, p, e)) != 0)
		goto out;
	if (PQntuples(res) == 0) {
		rc = ERR_SET(e, ERR_USAGE, "no batch %lld", batch_id);
		goto out;
	}
	snprintf(out->file_path, sizeof(out->file_path), "%s", PQgetvalue(res, 0, 0));
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
