/* case_ids.c: see case_ids.h. */
#include "case_ids.h"

#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "db.h"
#include "locks.h"

void case_ids_init(struct case_ids *c, const char *conninfo)
{
	c->conninfo = conninfo;
	c->conn = NULL;
	c->pool = NULL;
	c->n = c->pos = 0;
	c->block = 1024;
}

/* Draws and gives back run under one advisory lock, so that a block's
 * unused tail can be given back when nobody drew after it. */
#define CASE_IDS_LOCK "SELECT pg_advisory_xact_lock(" LOCK_CLASS_CASE_IDS_SQL ")"

static int draw(struct case_ids *c, struct err *e)
{
	char sql[256];
	PGresult *res = NULL;
	int64_t *pool;
	int rc, n;

	if (c->conn == NULL && (rc = db_connect(&c->conn, c->conninfo, "loader case numbers", e)) != 0)
		return rc;
	/* the block size is ours, not input */
	snprintf(sql, sizeof(sql),
		 "SELECT nextval(pg_get_serial_sequence('cases', 'case_id')) FROM generate_series(1, %zu)", c->block);
	if ((rc = db_exec(c->conn, "BEGIN; " CASE_IDS_LOCK, e)) != 0 ||
	    (rc = db_query(c->conn, &res, sql, 0, NULL, e)) != 0 || (rc = db_exec(c->conn, "COMMIT", e)) != 0) {
		PQclear(res);
		return err_prefix(e, "drawing case numbers");
	}
	n = PQntuples(res);
	pool = alloc_realloc(c->pool, (size_t)n * sizeof(*pool));
	if (pool == NULL) {
		PQclear(res);
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	}
	c->pool = pool;
	for (int i = 0; i < n; i++)
		c->pool[i] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	PQclear(res);
	c->n = (size_t)n;
	c->pos = 0;
	if (c->block < CASE_IDS_BLOCK_MAX)
		c->block *= 4;
	return n > 0 ? 0 : ERR_SET(e, ERR_DB, "the cases sequence gave no number");
}

int case_ids_next(struct case_ids *c, enum ref_scheme scheme, int64_t *id, char *ref, struct err *e)
{
	int rc;

	if (c->pos == c->n && (rc = draw(c, e)) != 0)
		return rc;
	*id = c->pool[c->pos++];
	return payref_make(ref, PAYREF_SIZE, scheme, *id, e);
}

/* Give the unused tail of the last block back when it is the last the
 * sequence gave (nobody drew after it): numbers stay dense for one loader
 * at a time. Best effort: a failure only leaves a gap. */
static void give_back(struct case_ids *c)
{
	char sql[512];
	struct err e2 = ERR_INIT;

	if (c->conn == NULL || c->pos == c->n || PQstatus(c->conn) != CONNECTION_OK)
		return;
	snprintf(sql, sizeof(sql),
		 "SELECT CASE WHEN last_value = %lld THEN setval(pg_get_serial_sequence('cases', 'case_id'), %lld, %s) END"
		 " FROM %s",
		 (long long)c->pool[c->n - 1], c->pool[c->pos] > 1 ? (long long)c->pool[c->pos] - 1 : 1LL,
		 c->pool[c->pos] > 1 ? "true" : "false", "cases_case_id_seq");
	if (db_exec(c->conn, "BEGIN; " CASE_IDS_LOCK, &e2) == 0 && db_exec(c->conn, sql, &e2) == 0)
		db_exec(c->conn, "COMMIT", &e2);
	else
		db_exec(c->conn, "ROLLBACK", &e2);
}

void case_ids_release(struct case_ids *c)
{
	give_back(c);
	db_close(c->conn);
	c->conn = NULL;
	alloc_free(c->pool);
	c->pool = NULL;
	c->n = c->pos = 0;
}

int case_ids_check_config(const struct config *conf, struct err *e)
{
	for (int i = 0; i < conf->ncountries; i++) {
		const char *chf;

		if (conf->countries[i].payment_reference != REF_QRR)
			continue;
		chf = config_agency_account(conf, "CHF");
		if (chf == NULL)
			return ERR_SET(e, ERR_CONFIG, "configuration '%s': [country.%s] payment_reference = qrr needs "
				       "the key 'account.CHF' in [agency]", conf->path, conf->countries[i].code);
		if (!payref_qr_iban(chf))
			return ERR_SET(e, ERR_CONFIG, "configuration '%s': [country.%s] payment_reference = qrr needs "
				       "'account.CHF' in [agency] to be a QR-IBAN (IID 30000-31999), not '%s'",
				       conf->path, conf->countries[i].code, chf);
	}
	return 0;
}
