/* reports.c: what a batch tells the creditor and the operator (see
 * load.h): the reject report and the receipt (SPEC 7.1, 7.2), written
 * from the database through one CSV writer (copy_csv.h), staged before
 * COMMIT and published after it (common/publish.h: all or none, never
 * half-written), and the lines after the summary (SPEC 7.3 v2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy_csv.h"
#include "load.h"
#include "log.h"

static const char rejects_header[] = "record,line,creditor_reference,field,code,message,value\n";
static const char receipt_cases_header[] = "record,creditor_reference,case_id,outcome,payment_reference\n";
static const char receipt_tx_header[] = "record,creditor_reference,transaction_id,case_id,outcome\n";
static const char receipt_bank_header[] = "record,bank_reference,transaction_id,case_id,outcome\n";
static const char receipt_assign_header[] = "record,suspense_id,transaction_id,case_id,outcome\n";
static const char receipt_event_header[] = "record,creditor_reference,event_id,case_id,outcome\n";

/* An assignment batch's receipt (SPEC 7.2 v2): the payment each row made,
 * or made before (skipped). */
static const char receipt_assign_sql[] =
	"COPY (SELECT o.record, o.su_id, 'BANK-' || o.bank_record_id, o.case_id,"
	"  CASE o.outcome WHEN 'new' THEN 'accepted' ELSE 'skipped' END"
	" FROM stage_out o WHERE o.outcome IN ('new', 'skipped') ORDER BY o.record) TO STDOUT";

/* A transaction batch's receipt: stage_out holds each record's key, its
 * case and, when it is skipped, the case of the transaction it repeats
 * (classify.c), in record order. */
static const char receipt_tx_sql[] =
	"COPY (SELECT o.record, o.creditor_reference, o.transaction_id,"
	"  CASE o.outcome WHEN 'new' THEN o.case_id ELSE o.existing_case END,"
	"  CASE o.outcome WHEN 'new' THEN 'accepted' ELSE 'skipped' END"
	" FROM stage_out o WHERE o.outcome IN ('new', 'skipped') ORDER BY o.record) TO STDOUT";

/* An event batch's receipt: the case of the event stored (new) or found
 * (skipped) under the record's event_id. */
static const char receipt_event_sql[] =
	"COPY (SELECT o.record, s.creditor_reference, s.event_id, t.case_id,"
	"  CASE o.outcome WHEN 'new' THEN 'accepted' ELSE 'skipped' END"
	" FROM stage_out o JOIN stage s USING (record)"
	" JOIN case_events t ON t.creditor_id = s.creditor_id AND t.event_id = s.event_id"
	" WHERE o.outcome IN ('new', 'skipped') ORDER BY o.record) TO STDOUT";

/* A bank batch's receipt (SPEC 7.2 v2): every record not rejected, with
 * the payment it became (accepted), the one it was before (skipped), or
 * none (suspense, ignored; a reversal that closed a suspense item; a
 * debit that marked a statement paid, accepted): the ids of the file's
 * bank records are in stage_out, those of its reversals in bank_records
 * by the batch id. */
static const char receipt_bank_sql[] =
	"COPY (SELECT o.record, o.bank_reference,"
	"  CASE WHEN o.outcome = 'accepted' THEN 'BANK-' || o.id"
	"   WHEN o.outcome = 'skipped' AND o.existing_outcome = 'accepted' AND o.existing_case IS NOT NULL"
	"   THEN 'BANK-' || o.existing_id END,"
	"  CASE WHEN o.outcome = 'accepted' THEN o.case_id WHEN o.outcome = 'skipped' THEN o.existing_case END,"
	"  CASE WHEN o.outcome IN ('accepted', 'skipped', 'ignored') THEN o.outcome"
	"   WHEN o.outcome = 'payout' THEN 'accepted' ELSE 'suspense' END"
	" FROM stage_out o"
	" WHERE o.outcome NOT IN ('rejected', 'duplicate', 'reversal')"
	" UNION ALL SELECT v.record, v.key, t.transaction_id, t.case_id, v.outcome"
	" FROM stage_rev v LEFT JOIN bank_records b ON b.batch_id = %lld AND b.record = v.record"
	" LEFT JOIN transactions t ON t.creditor_id = b.creditor_id AND t.transaction_id = 'BANK-' || b.id"
	" WHERE v.outcome IN ('accepted', 'ignored', 'skipped')"
	" ORDER BY 1) TO STDOUT";

/* The accepted staged cases, in file order (a temp table filled by one
 * COPY is scanned in that order). The %s are the stored columns, as they
 * are and as "s."; $1 is the batch id, $2 the as-of date. */
static const char insert_cases_sql[] =
	"INSERT INTO cases (case_id, %s, payment_reference, batch_id, record, registered, principal, fees,"
	" interest, accrued_to)"
	" SELECT s.case_id, %s, s.payment_reference, $1::bigint, s.record, $2::date,"
	" s.original_amount - s.paid_amount, s.fees, 0, s.due_date"
	" FROM stage s WHERE s.errors IS NULL"
	" AND NOT EXISTS (SELECT 1 FROM stage_out o WHERE o.record = s.record AND o.outcome <> 'new')";

/* The receipt rows of the staged records, in record order (on the fast
 * path merged with the fast records'). */
static const char receipt_staged_cases_sql[] =
	"COPY (SELECT s.record, s.creditor_reference, s.case_id, 'accepted', s.payment_reference"
	"  FROM stage s WHERE s.errors IS NULL"
	"  AND NOT EXISTS (SELECT 1 FROM stage_out o WHERE o.record = s.record AND o.outcome <> 'new')"
	" UNION ALL SELECT o.record, s.creditor_reference, o.case_id, 'skipped', o.payment_reference"
	"  FROM stage_out o JOIN stage s USING (record) WHERE o.outcome = 'skipped'"
	" ORDER BY 1) TO STDOUT";

/* A report file from a query, staged: the header, then each row. */
static int copy_to_file(struct load *l, const char *sql, const char *header, const char *path, struct err *e)
{
	struct atomic_file af;
	int rc;

	if ((rc = publish_open(&l->pub, &af, path, 0600, e)) != 0)
		return rc;
	rc = atomic_file_write(&af, header, strlen(header), e);
	if (rc == 0)
		rc = copy_csv_query(l->conn, sql, &af, e);
	if (rc == ERR_IO || (rc == 0 && af.failed))
		rc = ERR_SET(e, ERR_IO, "cannot write '%s'", path);
	if (rc != 0) {
		atomic_file_abort(&af);
		return rc;
	}
	return atomic_file_commit(&af, e);
}

int reports_write(struct load *l, bool receipt, struct err *e)
{
	char path[CONFIG_PATH_MAX + 64];
	char sql[2048];
	int rc;

	if ((rc = make_dirs(l->conf->report_dir, e)) != 0)
		return rc;
	atomic_file_clean_stale(l->conf->report_dir);
	snprintf(path, sizeof(path), "%s/batch-%lld.rejects.csv", l->conf->report_dir, l->batch_id);
	snprintf(sql, sizeof(sql),
		 "COPY (SELECT record, line, creditor_reference, field, code, message, value FROM rejects"
		 " WHERE batch_id = %lld ORDER BY record NULLS LAST, seq) TO STDOUT",
		 l->batch_id);
	if ((rc = copy_to_file(l, sql, rejects_header, path, e)) != 0)
		return rc;
	if (!receipt)
		return 0;
	/* transactions and bank files; the cases' receipt is written with their
	 * insert */
	snprintf(path, sizeof(path), "%s/batch-%lld.receipt.csv", l->conf->report_dir, l->batch_id);
	if (l->kind == KIND_BANK) {
		snprintf(sql, sizeof(sql), receipt_bank_sql, l->batch_id);
		return copy_to_file(l, sql, receipt_bank_header, path, e);
	}
	if (l->kind == KIND_ASSIGNMENTS)
		return copy_to_file(l, receipt_assign_sql, receipt_assign_header, path, e);
	if (l->kind == KIND_TRANSACTIONS)
		return copy_to_file(l, receipt_tx_sql, receipt_tx_header, path, e);
	/* events (SPEC 7.2 v2): each by its own id */
	return copy_to_file(l, receipt_event_sql, receipt_event_header, path, e);
}

static int merge_sink(void *ctx, const char *data, size_t len)
{
	return receipt_merge_row(ctx, data, len);
}

/* Insert the accepted staged cases, then write the receipt pending: on the
 * fast path by merging the fast records' key lines with the staged
 * records' rows, in record order. */
int reports_insert_cases(struct load *l, const char *asof, struct err *e)
{
	struct atomic_file *af = &l->receipt;
	char cols[COLUMNS_SQL_MAX], vals[COLUMNS_SQL_MAX], path[CONFIG_PATH_MAX + 64];
	char *sql = NULL;
	const char *params[2];
	char id[24];
	int rc, n;

	if ((rc = columns_list(cols, sizeof(cols), KIND_CASES, false, "", NULL, e)) != 0 ||
	    (rc = columns_list(vals, sizeof(vals), KIND_CASES, false, "s.", NULL, e)) != 0 ||
	    (rc = make_dirs(l->conf->report_dir, e)) != 0)
		return rc;
	n = snprintf(NULL, 0, insert_cases_sql, cols, vals);
	if ((sql = malloc((size_t)n + 1)) == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	snprintf(sql, (size_t)n + 1, insert_cases_sql, cols, vals);
	snprintf(id, sizeof(id), "%lld", l->batch_id);
	params[0] = id;
	params[1] = asof;
	rc = db_query(l->conn, NULL, sql, 2, params, e);
	free(sql);
	if (rc != 0)
		return rc;
	snprintf(path, sizeof(path), "%s/batch-%lld.receipt.csv", l->conf->report_dir, l->batch_id);
	if ((rc = publish_open(&l->pub, af, path, 0600, e)) != 0 ||
	    (rc = atomic_file_write(af, receipt_cases_header, sizeof(receipt_cases_header) - 1, e)) != 0)
		return rc;
	if (l->state == LOAD_FAST) {
		struct receipt_merge m;

		if (fflush(l->keys) != 0 || fseek(l->keys, 0, SEEK_SET) != 0)
			return ERR_SET(e, ERR_IO, "cannot read a temporary file");
		receipt_merge_init(&m, l->keys, af, e);
		rc = db_copy_out(l->conn, receipt_staged_cases_sql, merge_sink, &m, e);
		if (rc == 0)
			rc = receipt_merge_finish(&m);
		else if (rc == ERR_IO && m.rc != 0)
			rc = m.rc;
	} else {
		rc = copy_csv_query(l->conn, receipt_staged_cases_sql, af, e);
	}
	if (rc == ERR_IO || (rc == 0 && af->failed))
		rc = ERR_SET(e, ERR_IO, "cannot write '%s'", path);
	return rc;
}

int reports_stage_receipt(struct load *l, struct err *e)
{
	if (l->receipt.fp == NULL)
		return 0;
	return atomic_file_commit(&l->receipt, e);
}

void reports_drop_receipt(struct load *l)
{
	if (l->receipt.fp != NULL)
		atomic_file_abort(&l->receipt);
}

/* The batch's most frequent reject codes, and how many of its records were
 * not UTF-8, for the lines after the summary. */
int reports_summary(struct load *l, struct batch_result *res, struct err *e)
{
	PGresult *q = NULL;
	char id[24];
	const char *p[2] = { id, reject_code_name(RC_BAD_ENCODING) };
	int rc;

	snprintf(id, sizeof(id), "%lld", l->batch_id);
	if ((rc = db_query(l->conn, &q,
			   "SELECT code, count(*), (SELECT count(DISTINCT record) FROM rejects"
			   "  WHERE batch_id = $1::bigint AND code = $2)"
			   " FROM rejects WHERE batch_id = $1::bigint GROUP BY code ORDER BY 2 DESC, 1 LIMIT 3",
			   2, p, e)) != 0)
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
