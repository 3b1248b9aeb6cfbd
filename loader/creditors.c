/* creditors.c: `loader creditors FILE` (SPEC 4). The file goes through the
 * same source and CSV decoder as case files; all rows are checked first and
 * applied in one transaction only when every row is good. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "db.h"
#include "decode.h"
#include "ids.h"
#include "log.h"
#include "money.h"
#include "rules.h"

struct creditor_row {
	char id[17];
	char name[801];
	char country[3];
	char currency[4];
	char commission[8];
	char interest_to[9];
	char iban[43];
	bool active;
};

struct import {
	const struct config *conf;
	struct creditor_row *rows;
	size_t n, cap;
	long bad;      /* errors */
	long bad_rows; /* rows with an error */
};

static void bad_row(struct import *im, const struct record *r, const char *field, const char *what)
{
	im->bad++;
	log_error("line %llu: %s %s", (unsigned long long)r->line, field, what);
}

static const char *trimmed(struct record *r, int f, size_t *len)
{
	char *s = r->buf + r->f[f].off;
	size_t a = 0, b = r->f[f].len;

	while (a < b && s[a] == ' ')
		a++;
	while (b > a && s[b - 1] == ' ')
		b--;
	s[b] = '\0';
	*len = b - a;
	return s + a;
}

static int check_row(void *ctx, struct record *r, struct err *e);

/* Every row, counting the rows that had an error. */
static int on_row(void *ctx, struct record *r, struct err *e)
{
	struct import *im = ctx;
	long before = im->bad;
	int rc = check_row(ctx, r, e);

	if (im->bad != before)
		im->bad_rows++;
	return rc;
}

static int check_row(void *ctx, struct record *r, struct err *e)
{
	struct import *im = ctx;
	struct creditor_row row;
	size_t nd, len;
	const struct field_def *d = record_fields(KIND_CREDITORS, &nd);
	const char *v[KF__COUNT];
	long before = im->bad;
	int64_t bp;

	memset(&row, 0, sizeof(row));
	if (r->bad_record) {
		bad_row(im, r, "row", r->problem);
		return 0;
	}
	for (size_t f = 0; f < nd; f++) {
		if (r->f[f].flags & FIELD_TOO_LONG) {
			bad_row(im, r, d[f].name, "is too long");
			return 0;
		}
		v[f] = trimmed(r, (int)f, &len);
		if (len == 0) {
			bad_row(im, r, d[f].name, "is required");
			return 0;
		}
		if (!rules_utf8_ok(v[f], len) || memchr(v[f], '\0', len) != NULL) {
			bad_row(im, r, d[f].name, "is not valid UTF-8 text");
			return 0;
		}
		if (d[f].max_chars != 0 && rules_utf8_chars(v[f], len) > d[f].max_chars) {
			bad_row(im, r, d[f].name, "is too long");
			return 0;
		}
	}
	if (!ids_creditor_ok(v[KF_CREDITOR_ID]))
		bad_row(im, r, "creditor_id", "must be 1 to 16 upper-case letters or digits");
	if (config_country(im->conf, v[KF_COUNTRY]) == NULL)
		bad_row(im, r, "country", "is not a configured country");
	if (!rules_currency_ok(v[KF_CURRENCY]))
		bad_row(im, r, "currency", "is not an ISO 4217 currency code");
	if (pct_parse(&bp, v[KF_COMMISSION_PCT], strlen(v[KF_COMMISSION_PCT])) != 0)
		bad_row(im, r, "commission_pct", "must be a percentage from 0.00 to 100.00");
	if (strcmp(v[KF_INTEREST_TO], "creditor") != 0 && strcmp(v[KF_INTEREST_TO], "agency") != 0)
		bad_row(im, r, "interest_to", "must be 'creditor' or 'agency'");
	if (!rules_iban_ok(v[KF_IBAN]))
		bad_row(im, r, "iban", "is not a valid IBAN");
	if (strcmp(v[KF_ACTIVE], "true") == 0)
		row.active = true;
	else if (strcmp(v[KF_ACTIVE], "false") != 0)
		bad_row(im, r, "active", "must be 'true' or 'false'");
	for (size_t i = 0; i < im->n && im->bad == before; i++)
		if (strcmp(im->rows[i].id, v[KF_CREDITOR_ID]) == 0)
			bad_row(im, r, "creditor_id", "appears twice in the file");
	if (im->bad != before)
		return 0;
	snprintf(row.id, sizeof(row.id), "%s", v[KF_CREDITOR_ID]);
	snprintf(row.name, sizeof(row.name), "%s", v[KF_NAME]);
	snprintf(row.country, sizeof(row.country), "%s", v[KF_COUNTRY]);
	snprintf(row.currency, sizeof(row.currency), "%s", v[KF_CURRENCY]);
	{
		char amount[MONEY_FMT_MAX];

		snprintf(row.commission, sizeof(row.commission), "%s", money_format(amount, sizeof(amount), bp));
	}
	snprintf(row.interest_to, sizeof(row.interest_to), "%s", v[KF_INTEREST_TO]);
	/* IBAN stored in its electronic form, without spaces */
	for (const char *p = v[KF_IBAN]; *p != '\0'; p++)
		if (*p != ' ' && strlen(row.iban) + 1 < sizeof(row.iban))
			row.iban[strlen(row.iban)] = *p;
	if (im->n == im->cap) {
		size_t cap = im->cap != 0 ? im->cap * 2 : 64;
		struct creditor_row *rows;

		if (cap > 1000000)
			return ERR_SET(e, ERR_LIMIT, "more than 1000000 creditors in one file");
		rows = realloc(im->rows, cap * sizeof(*rows));
		if (rows == NULL)
			return ERR_SET(e, ERR_NOMEM, "out of memory");
		im->rows = rows;
		im->cap = cap;
	}
	im->rows[im->n++] = row;
	return 0;
}

int creditors_import(const struct config *conf, const char *conninfo, const char *path,
		     long *applied, struct err *e)
{
	struct import im = { conf, NULL, 0, 0, 0, 0 };
	struct decode_io io;
	struct source *src = NULL;
	PGconn *conn = NULL;
	int rc;

	*applied = 0;
	memset(&io, 0, sizeof(io));
	if ((rc = source_open(&src, path, conf->max_file_bytes, e)) != 0)
		return rc;
	io.src = src;
	io.forced_kind = KIND_CREDITORS;
	io.on_record = on_row;
	io.ctx = &im;
	rc = csv_decode(&io, e);
	source_free(src);
	if (rc == ERR_REFUSED) {
		err_prefix(e, "'%s' line %llu", path, (unsigned long long)io.refusal_line);
		goto out;
	}
	if (rc != 0)
		goto out;
	if (im.bad > 0) {
		rc = ERR_SET(e, ERR_REFUSED, "'%s': %ld %s with %ld %s; no creditor was changed", path, im.bad_rows,
			     im.bad_rows == 1 ? "row" : "rows", im.bad, im.bad == 1 ? "error" : "errors");
		goto out;
	}
	if ((rc = db_connect(&conn, conninfo, "loader", e)) != 0)
		goto out;
	if ((rc = db_exec(conn, "BEGIN", e)) != 0)
		goto out;
	for (size_t i = 0; i < im.n; i++) {
		const struct creditor_row *c = &im.rows[i];
		const char *p[8] = { c->id, c->name, c->country, c->currency, c->commission,
				     c->interest_to, c->iban, c->active ? "true" : "false" };

		rc = db_query(conn, NULL,
			      "INSERT INTO creditors (creditor_id, name, country, currency, commission_pct,"
			      " interest_to, iban, active) VALUES ($1, $2, $3, $4, $5::numeric, $6, $7, $8::boolean)"
			      " ON CONFLICT (creditor_id) DO UPDATE SET name = EXCLUDED.name,"
			      " country = EXCLUDED.country, currency = EXCLUDED.currency,"
			      " commission_pct = EXCLUDED.commission_pct, interest_to = EXCLUDED.interest_to,"
			      " iban = EXCLUDED.iban, active = EXCLUDED.active, updated_at = EXCLUDED.updated_at",
			      8, p, e);
		if (rc != 0)
			goto out;
	}
	if ((rc = db_exec(conn, "COMMIT", e)) != 0)
		goto out;
	*applied = (long)im.n;
out:
	db_close(conn);
	free(im.rows);
	return rc;
}
