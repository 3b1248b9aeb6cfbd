/* copy_csv.c: see copy_csv.h. */
#include "copy_csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "csvout.h"
#include "db.h"

static int unescape(char c)
{
	switch (c) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'v': return '\v';
	default: return c; /* "\\" and any other escaped byte stand for themselves */
	}
}

int copy_csv_row(struct atomic_file *af, const char *row, size_t len, struct err *e)
{
	char *buf = NULL;
	const char *fields[COPY_CSV_MAX_FIELDS];
	size_t lens[COPY_CSV_MAX_FIELDS];
	size_t nf = 0, o = 0, start = 0;
	bool null_field = false;
	int rc = 0;

	if (len > 0 && row[len - 1] == '\n')
		len--;
	if (len > COPY_CSV_ROW_MAX)
		return ERR_SET(e, ERR_LIMIT, "a row of %zu bytes is longer than %zu bytes", len, COPY_CSV_ROW_MAX);
	if ((buf = alloc_malloc(len + 1)) == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i <= len; i++) {
		if (i == len || row[i] == '\t') {
			if (nf == COPY_CSV_MAX_FIELDS) {
				rc = ERR_SET(e, ERR_LIMIT, "a row has more than %d fields", COPY_CSV_MAX_FIELDS);
				goto out;
			}
			fields[nf] = null_field ? NULL : buf + start;
			lens[nf++] = null_field ? 0 : o - start;
			start = o;
			null_field = false;
			continue;
		}
		if (row[i] == '\\' && i + 1 < len) {
			i++;
			if (row[i] == 'N' && o == start && (i + 1 == len || row[i + 1] == '\t')) {
				null_field = true;
				continue;
			}
			buf[o++] = (char)unescape(row[i]);
			continue;
		}
		buf[o++] = row[i];
	}
	for (size_t f = 0; f < nf && rc == 0; f++) {
		if (f > 0)
			rc = atomic_file_write(af, ",", 1, e);
		if (rc == 0 && fields[f] != NULL)
			rc = csvout_field(af, fields[f], lens[f], true, e);
	}
	if (rc == 0)
		rc = atomic_file_write(af, "\n", 1, e);
out:
	alloc_free(buf);
	return rc;
}

struct sink {
	struct atomic_file *af;
	struct err *e;
	int rc;
};

static int row_sink(void *ctx, const char *data, size_t len)
{
	struct sink *s = ctx;

	s->rc = copy_csv_row(s->af, data, len, s->e);
	return s->rc != 0 ? -1 : 0;
}

int copy_csv_query(PGconn *conn, const char *copy_sql, struct atomic_file *af, struct err *e)
{
	struct sink s = { af, e, 0 };
	int rc = db_copy_out(conn, copy_sql, row_sink, &s, e);

	return rc == ERR_IO && s.rc != 0 ? s.rc : rc;
}
