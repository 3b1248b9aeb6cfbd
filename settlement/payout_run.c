/* payout_run.c: bin/settlement payout (SPEC 14), see payout_run.h. The
 * rendering is payout.c; this is the database and the files. */
#include "payout_run.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "buf.h"
#include "date.h"
#include "db.h"
#include "log.h"
#include "money.h"
#include "payout.h"
#include "publish.h"
#include "settle.h"
#include "settle_pg.h"

/* Advisory lock namespace of payout runs ('PAYO'); the second key is
 * hashtext(period). */
#define PAYOUT_LOCK_CLASS "1346459983"

/* What one run does, for its log line and the stdout lines. */
struct payout_state {
	PGconn *conn;
	const struct settle_opts *o;
	char period[8];
	char as_of[DATE_FMT_MAX];
	char dir[4096];
	struct publish pub;
	PGresult *files;   /* the payout files of the period, as staged */
	int new_files;
	int64_t new_transfers;
};

/* ---- the lock ---- */

static int lock_period(struct payout_state *s, struct err *e)
{
	static const char sql[] = "SELECT pg_try_advisory_lock(" PAYOUT_LOCK_CLASS ", hashtext($1))";
	static const char wait_sql[] = "SELECT pg_advisory_lock(" PAYOUT_LOCK_CLASS ", hashtext($1))";
	const char *params[1] = { s->period };
	char got[8];
	int rc = db_value(s->conn, sql, 1, params, got, sizeof(got), e);

	if (rc != 0 || strcmp(got, "t") == 0)
		return rc;
	log_info("period %s: another payout run of it is under way; waiting", s->period);
	return db_query(s->conn, NULL, wait_sql, 1, params, e);
}

/* ---- new payout files ---- */

/* The statements to pay, by currency. */
enum { N_CREDITOR, N_NUMBER, N_CURRENCY, N_AMOUNT, N_NAME, N_IBAN };

static int new_statements(struct payout_state *s, PGresult **out, struct err *e)
{
	static const char sql[] =
		"SELECT s.creditor_id, s.statement_number, s.currency, s.net_payout, c.name, c.iban"
		" FROM statements s JOIN creditors c ON c.creditor_id = s.creditor_id"
		" WHERE s.period = $1 AND s.net_payout > 0 AND s.issued <= $2::date"
		"  AND NOT EXISTS (SELECT 1 FROM payout_transfers p"
		"   WHERE p.creditor_id = s.creditor_id AND p.statement_number = s.statement_number)"
		" ORDER BY s.currency, s.statement_number COLLATE \"C\"";
	const char *params[2] = { s->period, s->as_of };

	return db_query(s->conn, out, sql, 2, params, e);
}

/* The agency's values a payout file of a currency needs (SPEC 3). */
static int agency_for(const struct config *conf, const char *currency, const char **iban,
		      struct err *e)
{
	const char *missing = NULL;

	*iban = config_agency_account(conf, currency);
	if (conf->agency.name[0] == '\0')
		missing = "name";
	else if (conf->agency.bic[0] == '\0')
		missing = "bic";
	if (missing != NULL)
		return ERR_SET(e, ERR_CONFIG, "configuration '%s': payout files need [agency] %s", conf->path,
			       missing);
	if (*iban == NULL)
		return ERR_SET(e, ERR_CONFIG, "configuration '%s': payouts in %s need [agency] account.%s",
			       conf->path, currency, currency);
	return 0;
}

/* The amount of row i into *amount when a transfer can carry it: 1; 0
 * when it cannot (it is paid by hand; warn says so); or an error. */
static int payable(const PGresult *res, int i, bool warn, int64_t *amount, struct err *e)
{
	char shown[MONEY_FMT_MAX];
	int rc = spg_i64(res, i, N_AMOUNT, amount, e);

	if (rc != 0)
		return rc;
	if (*amount <= PAYOUT_AMOUNT_MAX)
		return 1;
	if (warn)
		log_error("statement '%s': net payout %s %s is more than a pain.001 transfer can carry "
			  "(999999999.99); it is left out of the payout files: pay it by hand",
			  spg_text(res, i, N_NUMBER), money_format(shown, sizeof(shown), *amount),
			  spg_text(res, i, N_CURRENCY));
	return 0;
}

/* Rows [from, to) of the new statements are one currency's: the ones a
 * transfer can carry become a new payout file. */
static int store_file(struct payout_state *s, PGresult *res, int from, int to, struct err *e)
{
	static const char seq_sql[] =
		"SELECT coalesce(max(seq), 0) + 1 FROM payout_files WHERE period = $1 AND currency = $2";
	static const char file_sql[] =
		"INSERT INTO payout_files (msgid, period, currency, seq, as_of, debtor_name, debtor_iban,"
		" debtor_bic, transfers, control_sum) VALUES ($1, $2, $3, $4::int, $5::date, $6, $7, $8,"
		" $9::int, $10::bigint)";
	static const char transfer_sql[] =
		"INSERT INTO payout_transfers (creditor_id, statement_number, msgid, line_no, currency,"
		" amount, creditor_name, creditor_iban) VALUES ($1, $2, $3, $4::int, $5, $6::bigint, $7, $8)";
	const char *currency = spg_text(res, from, N_CURRENCY);
	const char *iban = NULL;
	char debtor[PAYOUT_NAME_SIZE];
	char msgid[PAYOUT_MSGID_SIZE];
	char seq[24], count[24], sum[24];
	int64_t nseq = 0, total = 0, n = 0;
	int rc = 0;

	for (int i = from; i < to && rc >= 0; i++) {
		int64_t amount = 0;

		rc = payable(res, i, true, &amount, e);
		if (rc == 1) {
			total += amount;
			n++;
		}
	}
	if (rc < 0 || n == 0)
		return rc < 0 ? rc : 0;
	rc = agency_for(s->o->conf, currency, &iban, e);
	if (rc == 0) {
		const char *params[2] = { s->period, currency };

		rc = db_value(s->conn, seq_sql, 2, params, seq, sizeof(seq), e);
	}
	if (rc == 0)
		rc = spg_parse_i64(&nseq, seq, e);
	if (rc == 0)
		rc = payout_msgid(msgid, sizeof(msgid), s->period, currency, nseq, e);
	if (rc != 0)
		return rc;
	payout_name(debtor, sizeof(debtor), s->o->conf->agency.name, "?");
	snprintf(count, sizeof(count), "%" PRId64, n);
	snprintf(sum, sizeof(sum), "%" PRId64, total);
	{
		const char *params[10] = { msgid, s->period, currency, seq, s->as_of, debtor, iban,
					   s->o->conf->agency.bic, count, sum };

		rc = db_query(s->conn, NULL, file_sql, 10, params, e);
	}
	for (int i = from, line = 1; i < to && rc == 0; i++) {
		const char *creditor = spg_text(res, i, N_CREDITOR);
		char name[PAYOUT_NAME_SIZE];
		char line_no[24];
		int64_t amount = 0;

		rc = payable(res, i, false, &amount, e);
		if (rc <= 0)
			continue;
		if (payout_name_is_cut(spg_text(res, i, N_NAME)))
			log_info("creditor '%s': its name is cut to the %d characters a pain.001 name may have",
				 creditor, PAYOUT_NAME_CHARS);
		payout_name(name, sizeof(name), spg_text(res, i, N_NAME), creditor);
		snprintf(line_no, sizeof(line_no), "%d", line++);
		{
			const char *params[8] = { creditor, spg_text(res, i, N_NUMBER), msgid, line_no, currency,
						  spg_text(res, i, N_AMOUNT), name, spg_text(res, i, N_IBAN) };

			rc = db_query(s->conn, NULL, transfer_sql, 8, params, e);
		}
	}
	if (rc == 0) {
		s->new_files++;
		s->new_transfers += n;
	}
	return rc;
}

/* A payout file per currency with statements to pay. The configuration
 * is checked for every such currency before anything is stored. */
static int store_new(struct payout_state *s, struct err *e)
{
	PGresult *res = NULL;
	int rc = new_statements(s, &res, e);

	for (int i = 0; rc >= 0 && i < PQntuples(res); i++) {
		const char *iban;
		int64_t amount;

		rc = payable(res, i, false, &amount, e);
		if (rc == 1)
			rc = agency_for(s->o->conf, spg_text(res, i, N_CURRENCY), &iban, e);
	}
	if (rc > 0)
		rc = 0;
	for (int i = 1, from = 0; rc == 0 && i <= PQntuples(res); i++) {
		if (i < PQntuples(res) &&
		    strcmp(spg_text(res, i, N_CURRENCY), spg_text(res, from, N_CURRENCY)) == 0)
			continue;
		rc = store_file(s, res, from, i, e);
		from = i;
	}
	PQclear(res);
	return rc;
}

/* ---- the files ---- */

enum { F_MSGID, F_CURRENCY, F_AS_OF, F_NAME, F_IBAN, F_BIC, F_TRANSFERS, F_SUM };

static int af_write(void *ctx, const void *data, size_t len, struct err *e)
{
	return atomic_file_write(ctx, data, len, e);
}

/* Render one stored payout file into its staged file. */
static int stage_file(struct payout_state *s, int row, struct err *e)
{
	static const char sql[] =
		"SELECT statement_number, amount, creditor_name, creditor_iban FROM payout_transfers"
		" WHERE msgid = $1 ORDER BY line_no";
	const PGresult *f = s->files;
	const char *msgid = spg_text(f, row, F_MSGID);
	const char *params[1] = { msgid };
	struct payout_header h = { .msgid = msgid,
				   .currency = spg_text(f, row, F_CURRENCY),
				   .debtor_name = spg_text(f, row, F_NAME),
				   .debtor_iban = spg_text(f, row, F_IBAN),
				   .debtor_bic = spg_text(f, row, F_BIC) };
	struct payout_xml x = { .w = NULL };
	struct atomic_file af;
	PGresult *res = NULL;
	struct buf path;
	bool open = false;
	int rc;

	memset(&af, 0, sizeof(af));
	buf_init(&path, sizeof(s->dir) + 64);
	rc = spg_date(f, row, F_AS_OF, &h.as_of, e);
	if (rc == 0)
		rc = spg_i64(f, row, F_TRANSFERS, &h.transfers, e);
	if (rc == 0)
		rc = spg_i64(f, row, F_SUM, &h.control_sum, e);
	if (rc == 0)
		rc = db_query(s->conn, &res, sql, 1, params, e);
	if (rc == 0)
		rc = buf_printf(&path, e, "%s/payout-%s.xml", s->dir, msgid);
	if (rc == 0)
		rc = publish_open(&s->pub, &af, path.data, PAYOUT_FILE_MODE, e);
	open = rc == 0;
	if (rc == 0)
		rc = payout_xml_open(&x, af_write, &af, &h, e);
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		struct payout_transfer t = { .statement_number = spg_text(res, i, 0),
					     .creditor_name = spg_text(res, i, 2),
					     .creditor_iban = spg_text(res, i, 3) };

		rc = spg_i64(res, i, 1, &t.amount, e);
		if (rc == 0)
			rc = payout_xml_transfer(&x, &t, e);
	}
	if (rc == 0 && (x.transfers != h.transfers || x.sum != h.control_sum))
		rc = ERR_SET(e, ERR_DB, "%" PRId64 " transfers of %" PRId64 " stored, %" PRId64 " of %" PRId64
			     " expected", x.transfers, x.sum, h.transfers, h.control_sum);
	if (rc == 0)
		rc = payout_xml_end(&x, e);
	payout_xml_close(&x);
	if (rc == 0)
		rc = atomic_file_commit(&af, e);
	if (open)
		atomic_file_abort(&af);
	PQclear(res);
	buf_release(&path);
	if (rc != 0)
		err_prefix(e, "payout file '%s'", msgid);
	return rc;
}

/* Every payout file of the period, staged from the stored rows. */
static int stage_all(struct payout_state *s, struct err *e)
{
	static const char sql[] =
		"SELECT msgid, currency, " EPOCH_DAYS("as_of") ", debtor_name, debtor_iban, debtor_bic,"
		" transfers, control_sum FROM payout_files WHERE period = $1 ORDER BY currency, seq";
	const char *params[1] = { s->period };
	int rc = db_query(s->conn, &s->files, sql, 1, params, e);

	if (rc == 0 && PQntuples(s->files) > 0) {
		rc = make_dirs(s->dir, e);
		if (rc == 0)
			atomic_file_clean_stale(s->dir);
	}
	for (int i = 0; rc == 0 && i < PQntuples(s->files); i++)
		rc = stage_file(s, i, e);
	return rc;
}

/* One line per payout file of the period. */
static int print_files(struct payout_state *s, struct err *e)
{
	FILE *out = s->o->out;

	for (int i = 0; i < PQntuples(s->files); i++) {
		char sum[MONEY_FMT_MAX];
		int64_t v = 0;
		int rc = spg_i64(s->files, i, F_SUM, &v, e);

		if (rc != 0)
			return rc;
		fprintf(out, "payout %s: %s transfers, %s %s\n", spg_text(s->files, i, F_MSGID),
			spg_text(s->files, i, F_TRANSFERS), money_format(sum, sizeof(sum), v),
			spg_text(s->files, i, F_CURRENCY));
	}
	if (fflush(out) != 0 || ferror(out))
		return ERR_SET(e, ERR_IO, "cannot write to standard output");
	return 0;
}

int payout_run(PGconn *conn, const struct settle_opts *o, struct err *e)
{
	struct payout_state s;
	int32_t first = 0, last = 0;
	bool locked = false, in_tx = false, citus = false;
	int n;
	int rc;

	memset(&s, 0, sizeof(s));
	s.conn = conn;
	s.o = o;
	publish_init(&s.pub);
	rc = settle_check_period(&first, &last, o->year, o->month, o->as_of, e);
	if (rc != 0)
		return rc;
	snprintf(s.period, sizeof(s.period), "%04d-%02d", o->year, o->month);
	date_format(s.as_of, sizeof(s.as_of), o->as_of);
	n = snprintf(s.dir, sizeof(s.dir), "%s/%s", o->out_dir, s.period);
	if (n < 0 || (size_t)n >= sizeof(s.dir))
		return ERR_SET(e, ERR_USAGE, "output directory name too long");

	rc = lock_period(&s, e);
	locked = true;
	if (rc == 0)
		rc = db_citus(conn, &citus, e);
	if (rc == 0)
		rc = db_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ", e);
	in_tx = rc == 0;
	/* Citus refuses to write a reference table (payout_files) in a
	 * transaction that read a distributed table over several connections
	 * to a node: one connection per node, then (SPEC 17). */
	if (rc == 0 && citus)
		rc = db_exec(conn, "SET LOCAL citus.multi_shard_modify_mode = sequential", e);
	if (rc == 0)
		rc = store_new(&s, e);
	if (rc == 0)
		rc = stage_all(&s, e);
	if (rc == 0)
		rc = db_exec(conn, "COMMIT", e);
	if (rc != 0)
		goto out;
	in_tx = false;
	log_info("period %s: %d payout file%s with %" PRId64 " transfer%s new, %d file%s written", s.period,
		 s.new_files, s.new_files == 1 ? "" : "s", s.new_transfers, s.new_transfers == 1 ? "" : "s",
		 PQntuples(s.files), PQntuples(s.files) == 1 ? "" : "s");
	rc = publish_commit(&s.pub, e);
	if (rc == 0)
		rc = print_files(&s, e);
out:
	if (in_tx)
		spg_rollback(conn);
	if (locked)
		(void)db_exec(conn, "SELECT pg_advisory_unlock_all()", NULL);
	publish_release(&s.pub);
	PQclear(s.files);
	return rc;
}
