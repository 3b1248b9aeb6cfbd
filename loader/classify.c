/* classify.c: the rules that need the database, set-wise (see load.h).
 *
 * The stage table holds every staged record with the validator's errors.
 * One statement per kind classifies them into stage_out with an outcome:
 * 'rejected' (errors, or a repeat in the file), 'new', 'skipped'
 * (identical to a loaded record), 'duplicate' (same key, other content),
 * and for transactions and events 'unknown_case' and 'case_error'. C maps outcomes to
 * reject codes (db_rejects below); reject code names come from reject.c
 * as parameters. Column lists come from the field table (columns.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "columns.h"
#include "date.h"
#include "load.h"
#include "locks.h"
#include "log.h"
#include "phase.h"

/* The statements of a batch run once each over every record: sorts, hash
 * joins and inserts. JIT compiling them (and the inserts, up to the end of
 * the transaction) cost a bank file of 1,000,000 records 1.9 s of its
 * classification and 1.1 s of its insert and made nothing faster. The
 * sorts and hashes of the other kinds get the settlement's memory
 * (settle_pass.c): with the default 4 MB, the classification of 200,000
 * transactions sorted on disk and hashed cases in several batches. A bank
 * file keeps the default: its statements were tuned with it, and 64 MB
 * made them no faster on a busy machine (issue 17). SET LOCAL: until the
 * batch's end. */
static const char jit_off_sql[] = "SET LOCAL jit = off";
static const char work_mem_sql[] = "SET LOCAL work_mem = '64MB'";

/* The longest statement made here: a template and a few column lists. */
#define CLASSIFY_SQL_MAX (16u * 1024u)

/* The validator's errors, encoded by sink.c, into rejects. */
static const char errors_to_rejects_sql[] =
	"INSERT INTO rejects (batch_id, record, line, creditor_id, creditor_reference, field, code, message, value, seq)"
	" SELECT $1::bigint, s.record, s.line, s.creditor_id, s.creditor_reference,"
	"  NULLIF(split_part(x.e, E'\\x1f', 2), ''), split_part(x.e, E'\\x1f', 1),"
	"  split_part(x.e, E'\\x1f', 3), NULLIF(split_part(x.e, E'\\x1f', 4), ''), x.n"
	" FROM stage s, unnest(string_to_array(s.errors, E'\\x1e')) WITH ORDINALITY AS x(e, n)"
	" WHERE s.errors IS NOT NULL";

/* A bank record has no creditor (its case is found later). */
static const char errors_to_rejects_bank_sql[] =
	"INSERT INTO rejects (batch_id, record, line, field, code, message, value, seq)"
	" SELECT $1::bigint, s.record, s.line,"
	"  NULLIF(split_part(x.e, E'\\x1f', 2), ''), split_part(x.e, E'\\x1f', 1),"
	"  split_part(x.e, E'\\x1f', 3), NULLIF(split_part(x.e, E'\\x1f', 4), ''), x.n"
	" FROM stage s, unnest(string_to_array(s.errors, E'\\x1e')) WITH ORDINALITY AS x(e, n)"
	" WHERE s.errors IS NOT NULL";

/* The creditors of the valid staged keys, each locked, in one order. */
#define STAGED_CREDITORS "SELECT DISTINCT creditor_id FROM stage WHERE dupkey AND errors IS NULL ORDER BY 1"
static const char try_lock_creditors_sql[] =
	"SELECT coalesce(bool_and(pg_try_advisory_xact_lock(" LOCK_CLASS_CREDITOR_SQL ", hashtext(creditor_id))), true)"
	" FROM (" STAGED_CREDITORS ") x";
static const char lock_creditors_sql[] =
	"SELECT count(pg_advisory_xact_lock(" LOCK_CLASS_CREDITOR_SQL ", hashtext(creditor_id)))"
	" FROM (" STAGED_CREDITORS ") x";
static const char creditor_holders_sql[] =
	LOCK_HOLDERS_SQL("SELECT hashtext(creditor_id)::bigint & 4294967295 FROM (" STAGED_CREDITORS ") x");

/* Case files: only the records that are not plainly new are classified:
 * later occurrences of a key repeated in the file, and valid keys that
 * exist in the database (identical: skipped, else DUPLICATE). The fast
 * path has already put this batch's first occurrences into cases: they
 * count as occurrences in the file (looked up for the keys its filter
 * had seen: probe), not as existing cases. The %s are: the batch id, the
 * content columns as "c." and as "s.", the batch id. */
static const char classify_cases_sql[] =
	"CREATE TEMP TABLE stage_out ON COMMIT DROP AS"
	" WITH k AS (SELECT DISTINCT creditor_id, creditor_reference FROM stage WHERE probe),"
	" occ AS (SELECT creditor_id, creditor_reference, record FROM stage WHERE dupkey"
	"   UNION ALL SELECT c.creditor_id, c.creditor_reference, c.record"
	"   FROM k JOIN cases c USING (creditor_id, creditor_reference) WHERE c.batch_id = %s),"
	" rep AS (SELECT creditor_id, creditor_reference FROM occ GROUP BY 1, 2 HAVING count(*) > 1),"
	" d AS (SELECT o.record, first_value(o.record) OVER w AS first_record,"
	"   row_number() OVER w AS rn"
	"   FROM occ o JOIN rep USING (creditor_id, creditor_reference)"
	"   WINDOW w AS (PARTITION BY o.creditor_id, o.creditor_reference ORDER BY o.record))"
	" SELECT s.record, s.errors IS NOT NULL AS has_errors, d.first_record,"
	"  coalesce(d.rn > 1, false) AS dup_in_file, c.case_id, c.payment_reference,"
	"  CASE WHEN s.errors IS NOT NULL OR d.rn > 1 THEN 'rejected'"
	"   WHEN c.case_id IS NULL THEN 'new'"
	"   WHEN (%s) IS NOT DISTINCT FROM (%s) THEN 'skipped'"
	"   ELSE 'duplicate' END AS outcome"
	" FROM stage s"
	" LEFT JOIN d ON d.record = s.record"
	" LEFT JOIN cases c ON s.dupkey AND s.errors IS NULL AND c.creditor_id = s.creditor_id"
	"  AND c.creditor_reference = s.creditor_reference AND c.batch_id <> %s"
	" WHERE d.record IS NOT NULL OR c.case_id IS NOT NULL";

/* Transaction files: every record, with every column of stage, into
 * stage_out in record order: the insert and the receipt then each read
 * stage_out alone, in the order it was written (a temp table is scanned
 * so, never in parallel nor in step with another scan), with no join and
 * no sort. A withdrawal is stored with its case's currency, so the
 * currency is compared as the case's when it has none. No rule sorts the
 * whole file: the repeats of a transaction_id are numbered among the keys
 * that the loader's key filter may have seen before (probe, as for bank
 * files) and the records without one (NULL: too long or holding a NUL,
 * repeats of one another as before); a case is withdrawn before a record
 * when the file's first valid withdrawal of it comes earlier (a hash join
 * with those few records). The %s are the content columns, as "t." and
 * as "s.", and whether a record has a probe (when none has, the planner
 * drops the look-up of the probes). */
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
	" FROM (SELECT s.*, coalesce(k.rn > 1, false) AS dup_in_file, k.first_record,"
	"   c.case_id, c.status AS case_status, c.currency AS case_currency, c.registered AS case_registered,"
	"   t.tx_id AS existing_tx, t.case_id AS existing_case,"
	"   (%s, t.currency) IS NOT DISTINCT FROM (%s, coalesce(s.currency, c.currency)) AS identical,"
	"   coalesce(wd.first_withdrawal < s.record, false) AS withdrawn_before"
	"  FROM stage s"
	"  LEFT JOIN (SELECT r.record, row_number() OVER w AS rn, first_value(r.record) OVER w AS first_record"
	"   FROM stage r WHERE r.txkey AND (r.transaction_id IS NULL OR %s AND (r.creditor_id, r.transaction_id)"
	"    IN (SELECT q.creditor_id, q.transaction_id FROM stage q WHERE q.probe))"
	"   WINDOW w AS (PARTITION BY r.creditor_id, r.transaction_id ORDER BY r.record)) k ON k.record = s.record"
	"  LEFT JOIN (SELECT creditor_id, creditor_reference, min(record) AS first_withdrawal FROM stage"
	"   WHERE dupkey AND errors IS NULL AND kind = 'withdrawal' GROUP BY 1, 2) wd"
	"   ON s.dupkey AND wd.creditor_id = s.creditor_id AND wd.creditor_reference = s.creditor_reference"
	"  LEFT JOIN cases c ON s.dupkey AND c.creditor_id = s.creditor_id"
	"   AND c.creditor_reference = s.creditor_reference"
	"  LEFT JOIN transactions t ON s.txkey AND t.creditor_id = s.creditor_id"
	"   AND t.transaction_id = s.transaction_id) x"
	" ORDER BY x.record";

/* Assignment files (SPEC 13): each row books an open suspense item on a
 * case. The same row again (the item assigned to that case) is skipped;
 * an item reversed, or assigned to another case, is closed. */
static const char classify_assign_sql[] =
	"CREATE TEMP TABLE stage_out ON COMMIT DROP AS"
	" SELECT x.*,"
	"  CASE WHEN x.errors IS NOT NULL OR x.dup_in_file THEN 'rejected'"
	"   WHEN x.su_id IS NULL THEN 'unknown_suspense'"
	"   WHEN x.su_status = 'assigned' AND x.su_case IS NOT DISTINCT FROM x.case_id"
	"     AND x.su_creditor = x.creditor_id THEN 'skipped'"
	"   WHEN x.su_status <> 'open' THEN 'suspense_closed'"
	"   WHEN x.case_id IS NULL THEN 'unknown_case'"
	"   WHEN x.case_status <> 'open' THEN 'case_closed'"
	"   WHEN x.case_currency <> x.su_currency THEN 'currency_mismatch'"
	"   ELSE 'new' END AS outcome"
	" FROM (SELECT s.record, s.line, s.errors, s.creditor_id,"
	"   s.txkey AND row_number() OVER w > 1 AS dup_in_file,"
	"   first_value(s.record) OVER w AS first_record,"
	"   su.id AS su_id, su.status AS su_status, su.case_id AS su_case, su.creditor_id AS su_creditor,"
	"   su.currency AS su_currency, su.bank_record_id, su.booking_date, su.amount, su.closed_batch_id,"
	"   c.case_id, c.creditor_reference, c.status AS case_status, c.currency AS case_currency"
	"  FROM stage s"
	"  LEFT JOIN suspense su ON s.errors IS NULL"
	"   AND su.id = CASE WHEN s.txkey THEN s.suspense_id::bigint END"
	"  LEFT JOIN cases c ON s.dupkey AND s.errors IS NULL AND c.creditor_id = s.creditor_id"
	"   AND c.creditor_reference = s.creditor_reference"
	"  WINDOW w AS (PARTITION BY s.txkey, s.suspense_id ORDER BY s.record)) x";

/* Event files (SPEC 16): every record, with the rules of transactions:
 * the case must exist and be open, the event not be dated before the
 * case's registration; the same event_id again with the same case, stage
 * and date is skipped. The %s are the content columns, as "ev." and "s.". */
static const char classify_events_sql[] =
	"CREATE TEMP TABLE stage_out ON COMMIT DROP AS"
	" SELECT x.*,"
	"  CASE WHEN x.errors IS NOT NULL OR x.dup_in_file THEN 'rejected'"
	"   WHEN x.existing_event IS NOT NULL AND x.identical THEN 'skipped'"
	"   WHEN x.existing_event IS NOT NULL THEN 'duplicate'"
	"   WHEN x.case_id IS NULL THEN 'unknown_case'"
	"   WHEN x.case_status <> 'open' OR x.event_date < x.case_registered THEN 'case_error'"
	"   ELSE 'new' END AS outcome"
	" FROM (SELECT s.record, s.line, s.errors, s.event_date,"
	"   s.txkey AND row_number() OVER w > 1 AS dup_in_file,"
	"   first_value(s.record) OVER w AS first_record,"
	"   c.case_id, c.status AS case_status, c.registered AS case_registered,"
	"   ev.event_seq AS existing_event,"
	"   (%s) IS NOT DISTINCT FROM (%s) AS identical"
	"  FROM stage s"
	"  LEFT JOIN cases c ON s.dupkey AND c.creditor_id = s.creditor_id"
	"   AND c.creditor_reference = s.creditor_reference"
	"  LEFT JOIN case_events ev ON s.txkey AND ev.creditor_id = s.creditor_id"
	"   AND ev.event_id = s.event_id"
	"  WINDOW w AS (PARTITION BY s.txkey, s.creditor_id, s.event_id ORDER BY s.record)) x";

/* The payment of each assigned item: its bank record's, on its booking
 * date; then the item is assigned. $1 the batch. */
static const char insert_assigned_sql[] =
	"INSERT INTO transactions (creditor_id, creditor_reference, case_id, transaction_id, kind, booking_date,"
	" amount, currency, batch_id, record)"
	" SELECT o.creditor_id, o.creditor_reference, o.case_id, 'BANK-' || o.bank_record_id, 'payment',"
	"  o.booking_date, o.amount, o.su_currency, $1::bigint, o.record"
	" FROM stage_out o WHERE o.outcome = 'new' ORDER BY o.record";
static const char assign_suspense_sql[] =
	"UPDATE suspense su SET status = 'assigned', closed_batch_id = $1::bigint, case_id = o.case_id,"
	" creditor_id = o.creditor_id FROM stage_out o WHERE o.outcome = 'new' AND su.id = o.su_id";

/* A reject the database decides: which stage_out rows get it, the field,
 * the message, and SQL that completes the message (or NULL). */
struct db_reject {
	enum reject_code code;
	int field;
	const char *where;
	const char *message;
	const char *detail;
};

static const struct db_reject case_db_rejects[] = {
	{ RC_DUPLICATE_IN_FILE, CF_CREDITOR_REFERENCE, "o.dup_in_file",
	  "creditor_reference already appears in record ", "o.first_record" },
	{ RC_DUPLICATE, CF_CREDITOR_REFERENCE, "o.outcome = 'duplicate'",
	  "a case with this creditor_reference and other content exists (case ", "o.case_id || ')'" },
};

static const struct db_reject tx_db_rejects[] = {
	{ RC_DUPLICATE_IN_FILE, TF_TRANSACTION_ID, "o.dup_in_file",
	  "transaction_id already appears in record ", "o.first_record" },
	{ RC_DUPLICATE, TF_TRANSACTION_ID, "o.outcome = 'duplicate'",
	  "a transaction with this transaction_id and other content exists", NULL },
	{ RC_UNKNOWN_CASE, TF_CREDITOR_REFERENCE, "o.outcome = 'unknown_case'",
	  "no case with this creditor_reference exists for the creditor", NULL },
	{ RC_CASE_CLOSED, TF_CREDITOR_REFERENCE,
	  "o.outcome = 'case_error' AND (o.case_status <> 'open' OR o.withdrawn_before)",
	  "the case is closed or withdrawn", NULL },
	{ RC_CURRENCY_MISMATCH, TF_CURRENCY,
	  "o.outcome = 'case_error' AND s.currency IS NOT NULL AND s.currency <> o.case_currency",
	  "currency is not the case's currency", NULL },
	{ RC_BAD_DATE, TF_BOOKING_DATE, "o.outcome = 'case_error' AND s.booking_date < o.case_registered",
	  "booking_date is before the case was registered (", "o.case_registered || ')'" },
};

static const struct db_reject assign_db_rejects[] = {
	{ RC_DUPLICATE_IN_FILE, AF_SUSPENSE_ID, "o.dup_in_file", "suspense_id already appears in record ",
	  "o.first_record" },
	{ RC_UNKNOWN_SUSPENSE, AF_SUSPENSE_ID, "o.outcome = 'unknown_suspense'",
	  "no suspense item with this suspense_id exists", NULL },
	{ RC_SUSPENSE_CLOSED, AF_SUSPENSE_ID, "o.outcome = 'suspense_closed'", "the suspense item is ",
	  "CASE o.su_status WHEN 'assigned' THEN 'assigned to case ' || o.su_case ELSE 'reversed by the bank' END"
	  " || coalesce(' (batch ' || o.closed_batch_id || ')', '')" },
	{ RC_UNKNOWN_CASE, AF_CREDITOR_REFERENCE, "o.outcome = 'unknown_case'",
	  "no case with this creditor_reference exists for the creditor", NULL },
	{ RC_CASE_CLOSED, AF_CREDITOR_REFERENCE, "o.outcome = 'case_closed'", "the case is closed or withdrawn", NULL },
	{ RC_CURRENCY_MISMATCH, AF_SUSPENSE_ID, "o.outcome = 'currency_mismatch'", "the suspense item's currency ",
	  "o.su_currency || ' is not the case''s currency ' || o.case_currency" },
};

static const struct db_reject event_db_rejects[] = {
	{ RC_DUPLICATE_IN_FILE, EF_EVENT_ID, "o.dup_in_file", "event_id already appears in record ", "o.first_record" },
	{ RC_DUPLICATE, EF_EVENT_ID, "o.outcome = 'duplicate'", "an event with this event_id and other content exists",
	  NULL },
	{ RC_UNKNOWN_CASE, EF_CREDITOR_REFERENCE, "o.outcome = 'unknown_case'",
	  "no case with this creditor_reference exists for the creditor", NULL },
	{ RC_CASE_CLOSED, EF_CREDITOR_REFERENCE, "o.outcome = 'case_error' AND o.case_status <> 'open'",
	  "the case is closed or withdrawn", NULL },
	{ RC_BAD_DATE, EF_EVENT_DATE, "o.outcome = 'case_error' AND o.case_status = 'open'",
	  "event_date is before the case was registered (", "o.case_registered || ')'" },
};

#define DB_REJECTS_MAX 8

/* Events: the new records, in file order (the load order of their
 * identity column). The %s are the columns and their values. */
static const char insert_events_sql[] =
	"INSERT INTO case_events (%s, case_id, batch_id, record) SELECT %s, o.case_id, $1::bigint, s.record"
	" FROM stage s JOIN stage_out o USING (record) WHERE o.outcome = 'new' ORDER BY s.record";

/* Transactions: the new records, in file order, as stage_out holds them
 * (classify_tx_sql). The %s are the columns and their values. */
static const char insert_tx_sql[] =
	"INSERT INTO transactions (%s, case_id, batch_id, record) SELECT %s, o.case_id, $1::bigint, o.record"
	" FROM stage_out o WHERE o.outcome = 'new'";

/* A loaded withdrawal withdraws its case, as of its booking date (the
 * file's first one of the case): found in stage_out, not by a scan of
 * transactions. */
static const char withdraw_sql[] =
	"UPDATE cases c SET status = 'withdrawn', closed_date = w.booking_date"
	" FROM (SELECT DISTINCT ON (case_id) creditor_id, case_id, booking_date FROM stage_out"
	"  WHERE outcome = 'new' AND kind = 'withdrawal' ORDER BY case_id, record) w"
	" WHERE c.creditor_id = w.creditor_id AND c.case_id = w.case_id AND c.status = 'open'";

static const char counts_cases_sql[] =
	"SELECT (SELECT count(*) FROM stage),"
	" (SELECT count(*) FROM stage WHERE errors IS NULL)"
	"  - (SELECT count(*) FROM stage_out WHERE NOT has_errors AND outcome <> 'new'),"
	" (SELECT count(*) FROM stage_out WHERE outcome = 'skipped'),"
	" (SELECT count(*) FROM stage_out WHERE dup_in_file OR outcome = 'duplicate')";

static const char counts_tx_sql[] =
	"SELECT count(*),"
	" count(*) FILTER (WHERE outcome = 'new'),"
	" count(*) FILTER (WHERE outcome = 'skipped'),"
	" count(*) FILTER (WHERE dup_in_file OR outcome NOT IN ('new', 'skipped', 'rejected'))"
	" FROM stage_out";

/* snprintf into a new buffer of CLASSIFY_SQL_MAX bytes (freed by the caller). */
static char *sql_printf(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *sql_printf(struct err *e, const char *fmt, ...)
{
	char *sql = alloc_malloc(CLASSIFY_SQL_MAX);
	va_list ap;
	int n;

	if (sql == NULL) {
		ERR_SET(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	va_start(ap, fmt);
	n = vsnprintf(sql, CLASSIFY_SQL_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= CLASSIFY_SQL_MAX) {
		alloc_free(sql);
		ERR_SET(e, ERR_LIMIT, "a statement does not fit %u bytes", CLASSIFY_SQL_MAX);
		return NULL;
	}
	return sql;
}

/* Run one statement made by sql_printf (NULL: its error is set). */
static int run(struct load *l, char *sql, int n, const char *const *params, struct err *e)
{
	int rc;

	if (sql == NULL)
		return e->code;
	rc = db_query(l->conn, NULL, sql, n, params, e);
	alloc_free(sql);
	return rc;
}

static int classify(struct load *l, const char *id, struct err *e)
{
	char a[COLUMNS_SQL_MAX], b[COLUMNS_SQL_MAX];
	int rc;

	if (l->kind == KIND_CASES) {
		if ((rc = columns_list(a, sizeof(a), KIND_CASES, true, "c.", NULL, e)) != 0 ||
		    (rc = columns_list(b, sizeof(b), KIND_CASES, true, "s.", NULL, e)) != 0)
			return rc;
		/* the batch id is ours, not input: safe in the SQL */
		return run(l, sql_printf(e, classify_cases_sql, id, a, b, id), 0, NULL, e);
	}
	if (l->kind == KIND_ASSIGNMENTS)
		return db_exec(l->conn, classify_assign_sql, e);
	if (l->kind == KIND_EVENTS) {
		if ((rc = columns_list(a, sizeof(a), KIND_EVENTS, true, "ev.", NULL, e)) != 0 ||
		    (rc = columns_list(b, sizeof(b), KIND_EVENTS, true, "s.", NULL, e)) != 0)
			return rc;
		return run(l, sql_printf(e, classify_events_sql, a, b), 0, NULL, e);
	}
	if ((rc = columns_list(a, sizeof(a), KIND_TRANSACTIONS, true, "t.", NULL, e)) != 0 ||
	    (rc = columns_list(b, sizeof(b), KIND_TRANSACTIONS, true, "s.", NULL, e)) != 0)
		return rc;
	return run(l, sql_printf(e, classify_tx_sql, a, b, l->n_probe > 0 ? "true" : "false"), 0, NULL, e);
}

/* The rejects of a kind's db_rejects table, in one statement: $1 the
 * batch id, then each reject's code and message. */
static int db_rejects(struct load *l, const char *id, struct err *e)
{
	const struct db_reject *t = tx_db_rejects;
	size_t n = sizeof(tx_db_rejects) / sizeof(tx_db_rejects[0]);
	const char *params[1 + 2 * DB_REJECTS_MAX];
	size_t nd, len = 0;
	const struct field_def *d = record_fields(l->kind, &nd);
	char *sql;

	if (l->kind == KIND_CASES) {
		t = case_db_rejects;
		n = sizeof(case_db_rejects) / sizeof(case_db_rejects[0]);
	} else if (l->kind == KIND_ASSIGNMENTS) {
		t = assign_db_rejects;
		n = sizeof(assign_db_rejects) / sizeof(assign_db_rejects[0]);
	} else if (l->kind == KIND_EVENTS) {
		t = event_db_rejects;
		n = sizeof(event_db_rejects) / sizeof(event_db_rejects[0]);
	}
	sql = alloc_malloc(CLASSIFY_SQL_MAX);
	if (sql == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	params[0] = id;
	len = (size_t)snprintf(sql, CLASSIFY_SQL_MAX, "INSERT INTO rejects (batch_id, record, line, creditor_id,"
				" creditor_reference, field, code, message, value, seq)");
	for (size_t i = 0; i < n && i < DB_REJECTS_MAX; i++) {
		const char *field = d[t[i].field].name;
		int k;

		params[1 + 2 * i] = reject_code_name(t[i].code);
		params[2 + 2 * i] = t[i].message;
		/* seq: after the validator's errors, in the order of the fields */
		k = snprintf(sql + len, CLASSIFY_SQL_MAX - len,
			     "%s SELECT $1::bigint, s.record, s.line, s.creditor_id, s.creditor_reference, '%s',"
			     " $%zu, $%zu%s%s, s.%s::text, %d FROM stage_out o JOIN stage s USING (record) WHERE %s",
			     i > 0 ? " UNION ALL" : "", field, 2 + 2 * i, 3 + 2 * i, t[i].detail != NULL ? " || " : "",
			     t[i].detail != NULL ? t[i].detail : "", field, 100 + t[i].field, t[i].where);
		if (k < 0 || (size_t)k >= CLASSIFY_SQL_MAX - len) {
			alloc_free(sql);
			return ERR_SET(e, ERR_LIMIT, "the rejects statement does not fit");
		}
		len += (size_t)k;
	}
	return run(l, sql, (int)(1 + 2 * n), params, e);
}

/* The new transactions (a withdrawal takes its case's currency) or events. */
static int insert_new(struct load *l, const char *const *params, struct err *e)
{
	static const struct columns_override currency = { "currency", "coalesce(o.currency, o.case_currency)" };
	bool events = l->kind == KIND_EVENTS;
	char cols[COLUMNS_SQL_MAX], vals[COLUMNS_SQL_MAX];
	int rc;

	if ((rc = columns_list(cols, sizeof(cols), l->kind, false, "", NULL, e)) != 0 ||
	    (rc = columns_list(vals, sizeof(vals), l->kind, false, events ? "s." : "o.", events ? NULL : &currency,
			       e)) != 0)
		return rc;
	return run(l, sql_printf(e, events ? insert_events_sql : insert_tx_sql, cols, vals), 1, params, e);
}

static int store_assignments(struct load *l, const char *const *params, struct err *e)
{
	int rc = db_query(l->conn, NULL, insert_assigned_sql, 1, params, e);

	return rc != 0 ? rc : db_query(l->conn, NULL, assign_suspense_sql, 1, params, e);
}

/* The counts: records, accepted, skipped, and rejects the database found. */
static int counts(struct load *l, long long out[4], struct err *e)
{
	PGresult *q = NULL;
	int rc;

	if ((rc = db_query(l->conn, &q, l->kind == KIND_CASES ? counts_cases_sql : counts_tx_sql, 0, NULL, e)) != 0)
		return rc;
	for (int i = 0; i < 4; i++)
		out[i] = strtoll(PQgetvalue(q, 0, i), NULL, 10);
	PQclear(q);
	return 0;
}

/* Cases and transactions: classify, count, the database's rejects. */
static int classify_records(struct load *l, const char *id, long long *records, long long *accepted,
			    long long *skipped, struct err *e)
{
	bool cases = l->kind == KIND_CASES;
	long long c[4];
	int rc;

	/* A staged case load waits for the fast ones (see sink.c). */
	if (cases && l->state != LOAD_FAST &&
	    (rc = lock_take(l->conn, l->batch_id, "SELECT pg_try_advisory_xact_lock(" LOCK_CLASS_CREDITOR_SQL ", 0)",
			    "SELECT pg_advisory_xact_lock(" LOCK_CLASS_CREDITOR_SQL ", 0)", LOCK_HOLDERS_SQL("0"),
			    "the case-load lock", e)) != 0)
		return rc;
	/* an assignment and a bank reversal of the same item, one at a time */
	if (l->kind == KIND_ASSIGNMENTS && (rc = lock_suspense_accounts(l, e)) != 0)
		return rc;
	if ((rc = lock_take(l->conn, l->batch_id, try_lock_creditors_sql, lock_creditors_sql, creditor_holders_sql,
			    "the lock of a creditor of this file", e)) != 0)
		return rc;
	phase_mark("errors and locks");
	if ((rc = classify(l, id, e)) != 0 || (rc = db_exec(l->conn, "ANALYZE stage_out", e)) != 0)
		return rc;
	phase_mark("classify");
	if ((rc = counts(l, c, e)) != 0)
		return rc;
	*records = c[0] + (long long)l->n_fast;
	*accepted = c[1] + (long long)l->n_fast;
	*skipped = c[2];
	/* duplicates and case errors found by the database, when there are */
	if (c[3] > 0 && (rc = db_rejects(l, id, e)) != 0)
		return rc;
	phase_mark("database rejects");
	return 0;
}

int classify_batch(struct load *l, struct batch_result *res, struct err *e)
{
	char id[24], asof[DATE_FMT_MAX];
	const char *params[2] = { id, asof };
	long long records, accepted, skipped, rejected, suspense = 0, ignored = 0;
	char msg[160] = "";
	bool refused, cases = l->kind == KIND_CASES, bank = l->kind == KIND_BANK;
	int rc;

	snprintf(id, sizeof(id), "%lld", l->batch_id);
	date_format(asof, sizeof(asof), l->opts->as_of);
	l->step = "checking duplicates and cases";
	log_progress(l->step, l->io.records, 0);
	/* The planner knows nothing of a fresh temporary table: without
	 * statistics a large stage got a nested loop over cases (issue 10.3). */
	if ((rc = db_exec(l->conn, jit_off_sql, e)) != 0 || (!bank && (rc = db_exec(l->conn, work_mem_sql, e)) != 0) ||
	    (rc = db_exec(l->conn, "ANALYZE stage", e)) != 0 ||
	    (rc = db_query(l->conn, NULL, "DELETE FROM rejects WHERE batch_id = $1::bigint", 1, params, e)) != 0 ||
	    (rc = db_query(l->conn, NULL, bank ? errors_to_rejects_bank_sql : errors_to_rejects_sql, 1, params, e)) != 0)
		return rc;
	if (bank) {
		long long b[BANK_COUNTS];

		if ((rc = classify_bank(l, id, b, e)) != 0)
			return rc;
		phase_mark("classify");
		records = b[BANK_RECORDS];
		accepted = b[BANK_ACCEPTED];
		skipped = b[BANK_SKIPPED];
		suspense = b[BANK_SUSPENSE];
		ignored = b[BANK_IGNORED];
	} else if ((rc = classify_records(l, id, &records, &accepted, &skipped, e)) != 0) {
		return rc;
	}
	if (batch_interrupted)
		return ERR_SET(e, ERR_INTERRUPTED, "interrupted by a signal");
	rejected = records - accepted - skipped - suspense - ignored;
	/* REJECT_RATIO: rejected / records > max_reject_ratio */
	refused = records > 0 && rejected * 1000000LL > l->conf->max_reject_ratio_ppm * records;
	if (refused && l->state == LOAD_FAST) {
		/* the refusal is written by the staged path, from a clean slate */
		l->state = LOAD_RESTART;
		return ERR_REFUSED;
	}
	if (refused) {
		const char *p3[3] = { id, reject_code_name(RC_REJECT_RATIO), msg };

		snprintf(msg, sizeof(msg), "%lld of %lld records were rejected, more than max_reject_ratio allows",
			 rejected, records);
		if ((rc = db_query(l->conn, NULL,
				   "INSERT INTO rejects (batch_id, record, line, code, message, seq)"
				   " VALUES ($1::bigint, NULL, NULL, $2, $3, 0)", 3, p3, e)) != 0)
			return rc;
		snprintf(res->status, sizeof(res->status), "refused");
		ERR_SET(e, ERR_REFUSED, "%s", msg);
		accepted = skipped = suspense = ignored = 0;
	} else if (l->opts->dry_run) {
		snprintf(res->status, sizeof(res->status), "dry_run");
	} else {
		l->step = "storing the accepted records";
		log_progress(l->step, (uint64_t)accepted, 0);
		rc = cases ? reports_insert_cases(l, asof, e)
		     : bank ? store_bank(l, id, e)
		     : l->kind == KIND_ASSIGNMENTS ? store_assignments(l, params, e) : insert_new(l, params, e);
		if (rc != 0)
			return rc;
		phase_mark("insert");
		if (l->kind == KIND_TRANSACTIONS && (rc = db_query(l->conn, NULL, withdraw_sql, 0, NULL, e)) != 0)
			return rc;
		snprintf(res->status, sizeof(res->status), "loaded");
	}
	res->records = records;
	res->accepted = accepted;
	res->skipped = skipped;
	res->rejected = rejected;
	res->bank = bank;
	res->suspense = suspense;
	res->ignored = ignored;
	{
		char r1[24], r2[24], r3[24], r4[24], r5[24], r6[24];
		char *ids = load_creditor_ids(l);

		if (ids == NULL)
			return ERR_SET(e, ERR_NOMEM, "out of memory");
		snprintf(r1, sizeof(r1), "%lld", records);
		snprintf(r2, sizeof(r2), "%lld", accepted);
		snprintf(r3, sizeof(r3), "%lld", skipped);
		snprintf(r4, sizeof(r4), "%lld", rejected);
		snprintf(r5, sizeof(r5), "%lld", suspense);
		snprintf(r6, sizeof(r6), "%lld", ignored);
		rc = db_query(l->conn, NULL,
			      "UPDATE batches SET status = $2, finished = statement_timestamp(), records = $3::bigint,"
			      " accepted = $4::bigint, skipped = $5::bigint, rejected = $6::bigint,"
			      " message = $8, kind = $7, creditor_ids = $9::text[], suspense = $10::bigint,"
			      " ignored = $11::bigint WHERE batch_id = $1::bigint", 11,
			      (const char *const[]){ id, res->status, r1, r2, r3, r4, file_kind_name(l->kind),
						     refused ? e->message : NULL, ids, r5, r6 }, e);
		free(ids);
		if (rc != 0)
			return rc;
	}
	if (batch_interrupted)
		return ERR_SET(e, ERR_INTERRUPTED, "interrupted by a signal");
	l->step = "writing the reject report";
	log_progress(l->step, (uint64_t)records, 0);
	if ((rc = reports_write(l, !cases && strcmp(res->status, "loaded") == 0, e)) != 0 ||
	    (rc = reports_stage_receipt(l, e)) != 0 || (rc = reports_summary(l, res, e)) != 0)
		return rc;
	log_progress_done();
	phase_mark("reports");
	return refused ? ERR_REFUSED : 0;
}
