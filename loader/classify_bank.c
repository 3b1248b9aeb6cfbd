/* classify_bank.c: what becomes of each record of a bank file (SPEC 13),
 * set-wise, like classify.c for cases and transactions.
 *
 * stage_out: every record's outcome: rejected (the validator's BAD_DATE,
 * BAD_AMOUNT, ...), duplicate (the same account and bank_reference with
 * another amount, date or direction: DUPLICATE), skipped (the same again,
 * from any file), ignored (not booked, or a debit that reverses nothing
 * of ours and pays no statement), a suspense reason (NO_REFERENCE,
 * BAD_REFERENCE, UNKNOWN_REFERENCE, CASE_CLOSED, CURRENCY_MISMATCH),
 * accepted (a payment on the case whose payment_reference the credit
 * carries), payout (a booked debit, not a reversal, whose EndToEndId is
 * the number of a statement in a payout file not paid yet, with the
 * transfer's amount and currency: it marks the statement paid on its
 * booking date and counts as accepted; a second such debit in the file is
 * ignored), or reversal (decided in stage_rev).
 *
 * stage_rev: each reversal (a booked debit with RvslInd) and the credit it
 * reverses: an earlier credit of the account, in the database or earlier
 * in this file, whose UETR, EndToEndId or AcctSvcrRef (in that order)
 * equals the reversal's. Its key is its own bank_reference, with "/R"
 * when that is its original's. Reversal matching comes before the key
 * rule (13).
 *
 * Everything is classified before anything is stored, so that a
 * REJECT_RATIO refusal stores nothing; then bank_records, the payments
 * (transaction_id BANK-<bank record id>), the suspense items, the
 * reversals (a reversal transaction of the payment, or the suspense item
 * closed as reversed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "locks.h"

/* A record's key in bank_records: its bank_reference, and for an entry
 * that is not booked (pending, information) the status too, so that the
 * entry the bank books later (the evening's camt.053 after the morning's
 * camt.054) is judged as the credit it now is, not as a DUPLICATE of its
 * pending form; the same pending entry again is still skipped. A rejected
 * record keeps no status: its key is its bank_reference. */
#define BANK_KEY(t) \
	"CASE WHEN " t ".entry_status <> 'BOOK' THEN " t ".bank_reference || '#' || " t ".entry_status" \
	" ELSE " t ".bank_reference END"

/* The rows of the database that the records meet, each read by one join
 * of the stage with one table, before the records are judged on temporary
 * tables alone: on Citus (SPEC 17) such a join runs on the shards, with the
 * stage sent along, where a judgement that joins several distributed tables
 * and the stage cannot be planned. stage_known: the row stored under a
 * record's key; stage_case: the case of a credit's payment reference in its
 * currency, found by the case_ids the reference can be made from
 * (payref_ids: ref_id1, and for a digit string that is also an ocr
 * reference of another id, ref_id2) in the primary key of cases, the whole
 * reference compared then: a hash join on case_id for a large file, an
 * index look-up each for a small one, and no index on payment_reference
 * to keep up in every case load (issue 17). Should two cases have one
 * reference in one currency (an ocr and a kid one of the same digits in
 * the same currency), the one of ref_id1 is the case. stage_payout: the
 * transfer not paid yet that a debit pays (a hash join on payout_transfers
 * by the debits alone). */
static const char bank_lookups_sql[] =
	"CREATE TEMP TABLE stage_known ON COMMIT DROP AS"
	" SELECT s.record, b.id, b.outcome, b.case_id, b.amount, b.booking_date, b.direction"
	" FROM stage s JOIN bank_records b ON b.account = s.account AND b.bank_reference = " BANK_KEY("s")
	" WHERE s.dupkey;"
	"CREATE TEMP TABLE stage_case ON COMMIT DROP AS"
	" SELECT s.record, c.case_id, c.creditor_id, c.creditor_reference, c.status"
	" FROM stage s JOIN cases c ON c.case_id = s.ref_id1"
	"  AND c.payment_reference = s.reference AND c.currency = s.currency"
	" WHERE s.errors IS NULL AND s.ref_ok AND s.direction = 'CRDT';"
	"CREATE TEMP TABLE stage_ref2 ON COMMIT DROP AS"
	" SELECT s.record, s.ref_id2, s.reference, s.currency FROM stage s"
	" WHERE s.errors IS NULL AND s.ref_ok AND s.direction = 'CRDT' AND s.ref_id2 IS NOT NULL"
	"  AND NOT EXISTS (SELECT 1 FROM stage_case c WHERE c.record = s.record);"
	"INSERT INTO stage_case"
	" SELECT r.record, c.case_id, c.creditor_id, c.creditor_reference, c.status"
	" FROM stage_ref2 r JOIN cases c ON c.case_id = r.ref_id2"
	"  AND c.payment_reference = r.reference AND c.currency = r.currency;"
	"CREATE TEMP TABLE stage_payout ON COMMIT DROP AS"
	" SELECT d.record, p.statement_number, p.creditor_id"
	" FROM stage d JOIN payout_transfers p ON p.statement_number = d.end_to_end_id AND p.amount = d.amount"
	"  AND p.currency = d.currency AND p.paid_date IS NULL"
	" WHERE d.errors IS NULL AND d.entry_status = 'BOOK' AND d.direction = 'DBIT'"
	"  AND NOT coalesce(d.reversal, false);"
	/* a credit that found no case in its currency: the status of the
	 * first case with its reference in another (CASE_CLOSED, else
	 * CURRENCY_MISMATCH), looked up for those records alone */
	"CREATE TEMP TABLE stage_nocase ON COMMIT DROP AS"
	" SELECT s.record, s.reference, s.ref_id1, s.ref_id2 FROM stage s"
	" WHERE s.errors IS NULL AND s.ref_ok AND s.direction = 'CRDT'"
	"  AND NOT EXISTS (SELECT 1 FROM stage_case c WHERE c.record = s.record);"
	"CREATE TEMP TABLE stage_other ON COMMIT DROP AS"
	" SELECT DISTINCT ON (n.record) n.record, o.status"
	" FROM stage_nocase n JOIN cases o ON o.case_id IN (n.ref_id1, n.ref_id2)"
	"  AND o.payment_reference = n.reference ORDER BY n.record, o.case_id";

/* The bank records' outcomes that are suspense reasons, in the order of
 * the table of SPEC 13 (the first that applies).
 *
 * A credit's case: the one with its payment reference in its currency
 * (by the ids it can be made from, a hash join on the primary key of
 * cases for a large file, not one index look-up per record, which read a
 * random page of cases for each), else the first one
 * with that reference in another currency, of which only the status
 * counts (CASE_CLOSED, else CURRENCY_MISMATCH; none: UNKNOWN_REFERENCE):
 * looked up only for the records that found no case (a lateral join ran
 * its plan once for every record); both in bank_lookups_sql. The repeats of a key are numbered
 * among the keys that the loader's key filter may have seen before in the
 * file (probe: it holds each bank_reference up to its first '#', which a
 * record's BANK_KEY shares) and the records without a key, not by a sort
 * of the whole file: any other record is the first of its key. A payout
 * debit's
 * statement: the transfers matched by the debits alone (a hash join on
 * payout_transfers), the first debit of each statement not stored before
 * found by a window over those few rows, not over the whole file.
 *
 * stage_out holds every column of stage, is written in record order and
 * gives each record to be stored its bank_records id, drawn from the
 * table's sequence in record order (above the sort): the records, the
 * payments and the suspense items are then each inserted by one scan of
 * stage_out, which reads a temp table in the order it was written (no
 * join, no sort), and the receipt needs no look-up in bank_records. */
static const char classify_bank_sql[] =
	"CREATE TEMP TABLE stage_out ON COMMIT DROP AS"
	" SELECT CASE WHEN y.outcome NOT IN ('rejected', 'duplicate', 'skipped', 'reversal')"
	"  THEN nextval('bank_records_id_seq') END AS id, y.*"
	" FROM (SELECT x.*,"
	"  CASE WHEN x.has_errors THEN 'rejected'"
	"   WHEN x.is_reversal THEN 'reversal'"
	"   WHEN x.rn > 1 AND x.first_identical THEN 'skipped'"
	"   WHEN x.rn > 1 THEN 'duplicate'"
	"   WHEN x.existing_id IS NOT NULL AND x.identical THEN 'skipped'"
	"   WHEN x.existing_id IS NOT NULL THEN 'duplicate'"
	"   WHEN NOT x.is_credit AND x.payout_number IS NOT NULL"
	"    AND x.payout_first = x.record THEN 'payout'"
	"   WHEN NOT x.is_credit THEN 'ignored'"
	"   WHEN x.reference IS NULL THEN 'NO_REFERENCE'"
	"   WHEN NOT x.ref_ok THEN 'BAD_REFERENCE'"
	"   WHEN x.case_status IS NULL THEN 'UNKNOWN_REFERENCE'"
	"   WHEN x.case_status <> 'open' THEN 'CASE_CLOSED'"
	"   WHEN x.case_id IS NULL THEN 'CURRENCY_MISMATCH'"
	"   ELSE 'accepted' END AS outcome"
	" FROM (SELECT s.*, " BANK_KEY("s") " AS key, coalesce(k.rn, 1) AS rn, k.first_identical, k.first_record,"
	"   s.errors IS NOT NULL AS has_errors,"
	"   s.entry_status = 'BOOK' AND s.direction = 'CRDT' AND NOT coalesce(s.reversal, false) AS is_credit,"
	"   s.entry_status = 'BOOK' AND s.direction = 'DBIT' AND coalesce(s.reversal, false) AS is_reversal,"
	"   b.id AS existing_id, b.outcome AS existing_outcome, b.case_id AS existing_case,"
	"   (b.amount, b.booking_date, b.direction) IS NOT DISTINCT FROM (s.amount, s.booking_date, s.direction)"
	"    AS identical,"
	"   c.case_id, coalesce(c.creditor_id, pay.creditor_id) AS creditor_id, c.creditor_reference,"
	"   CASE WHEN c.case_id IS NOT NULL THEN c.status ELSE o.status END AS case_status,"
	"   pay.statement_number AS payout_number, pay.first AS payout_first"
	"  FROM stage s"
	"  LEFT JOIN (SELECT r.record, row_number() OVER w AS rn,"
	"    (first_value(r.amount) OVER w, first_value(r.booking_date) OVER w, first_value(r.direction) OVER w)"
	"     IS NOT DISTINCT FROM (r.amount, r.booking_date, r.direction) AS first_identical,"
	"    first_value(r.record) OVER w AS first_record"
	"   FROM stage r WHERE NOT r.dupkey OR (r.account, split_part(r.bank_reference, '#', 1))"
	"    IN (SELECT q.account, split_part(q.bank_reference, '#', 1) FROM stage q WHERE q.probe)"
	"   WINDOW w AS (PARTITION BY r.dupkey, r.direction = 'DBIT' AND coalesce(r.reversal, false),"
	"    r.account, " BANK_KEY("r") " ORDER BY r.record)) k ON k.record = s.record"
	"  LEFT JOIN stage_known b ON b.record = s.record"
	"  LEFT JOIN stage_case c ON c.record = s.record"
	"  LEFT JOIN stage_other o ON o.record = s.record"
	"  LEFT JOIN (SELECT p.record, p.statement_number, p.creditor_id,"
	"    min(CASE WHEN e.id IS NULL THEN p.record END) OVER (PARTITION BY p.statement_number) AS first"
	"    FROM stage_payout p LEFT JOIN stage_known e ON e.record = p.record) pay"
	"   ON pay.record = s.record) x"
	" ORDER BY x.record) y";

/* A reversal's original: in the database (by the indexes on uetr,
 * end_to_end_id, acct_svcr_ref), else a credit earlier in this file. */
#define MATCH(t)                                                                                 \
	"(r.uetr IS NOT NULL AND " t ".uetr = r.uetr"                                              \
	" OR r.end_to_end_id IS NOT NULL AND " t ".end_to_end_id = r.end_to_end_id"               \
	" OR r.acct_svcr_ref IS NOT NULL AND " t ".acct_svcr_ref = r.acct_svcr_ref)"
#define MATCH_ORDER(t)                                                                           \
	"(r.uetr IS NOT NULL AND " t ".uetr = r.uetr) DESC,"                                       \
	" (r.end_to_end_id IS NOT NULL AND " t ".end_to_end_id = r.end_to_end_id) DESC"

/* The rows of the database a reversal meets, as bank_lookups_sql:
 * rev_orig its original there (by the indexes on uetr, end_to_end_id,
 * acct_svcr_ref), rev_done an original reversed already, rev_keys the rows
 * stored under the keys it may get (its bank_reference, with or without
 * "/R"). */
#define REVERSALS "stage r JOIN stage_out ro ON ro.record = r.record AND ro.outcome = 'reversal'"
static const char reversal_lookups_sql[] =
	"CREATE TEMP TABLE rev_orig ON COMMIT DROP AS"
	" SELECT DISTINCT ON (r.record) r.record, b.id, b.bank_reference"
	" FROM " REVERSALS
	" JOIN bank_records b ON b.account = r.account AND b.direction = 'CRDT' AND NOT b.reversal"
	"  AND b.entry_status = 'BOOK' AND " MATCH("b")
	" ORDER BY r.record, " MATCH_ORDER("b") ", b.id;"
	"CREATE TEMP TABLE rev_done ON COMMIT DROP AS"
	" SELECT DISTINCT z.reverses AS id FROM bank_records z JOIN rev_orig o ON z.reverses = o.id;"
	"CREATE TEMP TABLE rev_keys ON COMMIT DROP AS"
	" SELECT DISTINCT e.account, e.bank_reference, e.id, e.amount, e.booking_date, e.direction"
	" FROM " REVERSALS
	" JOIN bank_records e ON e.account = r.account"
	"  AND e.bank_reference IN (r.bank_reference, r.bank_reference || '/R')";

static const char classify_reversals_sql[] =
	"CREATE TEMP TABLE stage_rev ON COMMIT DROP AS"
	" SELECT y.*,"
	"  CASE WHEN y.orig_id IS NULL AND y.orig_record IS NULL THEN 'ignored'"
	"   WHEN y.rn > 1 AND y.first_identical THEN 'skipped'"
	"   WHEN y.rn > 1 THEN 'duplicate'"
	"   WHEN y.existing_id IS NOT NULL AND y.identical THEN 'skipped'"
	"   WHEN y.existing_id IS NOT NULL THEN 'duplicate'"
	"   WHEN y.already_reversed THEN 'ignored'"
	"   ELSE 'accepted' END AS outcome"
	" FROM (SELECT x.*, row_number() OVER w AS rn,"
	"   (first_value(x.amount) OVER w, first_value(x.booking_date) OVER w)"
	"    IS NOT DISTINCT FROM (x.amount, x.booking_date) AS first_identical,"
	"   e.id AS existing_id,"
	"   (e.amount, e.booking_date, e.direction) IS NOT DISTINCT FROM (x.amount, x.booking_date, 'DBIT')"
	"    AS identical,"
	"   x.orig_id IS NOT NULL AND EXISTS (SELECT 1 FROM rev_done z WHERE z.id = x.orig_id)"
	"    AS already_reversed"
	"  FROM (SELECT r.record, r.account, r.amount, r.booking_date, r.currency,"
	"    CASE WHEN r.bank_reference = coalesce(db.bank_reference, f.bank_reference)"
	"     THEN r.bank_reference || '/R' ELSE r.bank_reference END AS key,"
	"    db.id AS orig_id, CASE WHEN db.id IS NULL THEN f.record END AS orig_record"
	"   FROM " REVERSALS
	"   LEFT JOIN rev_orig db ON db.record = r.record"
	"   LEFT JOIN LATERAL (SELECT s.record, s.bank_reference FROM stage s JOIN stage_out o USING (record)"
	"     WHERE s.account = r.account AND s.record < r.record AND o.is_credit"
	"     AND o.outcome NOT IN ('rejected', 'duplicate', 'skipped') AND " MATCH("s")
	"     ORDER BY " MATCH_ORDER("s") ", s.record LIMIT 1) f ON db.id IS NULL) x"
	"  LEFT JOIN rev_keys e ON e.account = x.account AND e.bank_reference = x.key"
	"  WINDOW w AS (PARTITION BY x.account, x.key ORDER BY x.record)) y";

#define SUSPENSE_REASONS "('NO_REFERENCE', 'BAD_REFERENCE', 'UNKNOWN_REFERENCE', 'CASE_CLOSED', 'CURRENCY_MISMATCH')"

/* The counts of enum BANK_COUNTS, in one pass over each table (stage_out
 * has one row per staged record). */
#define COUNT_OUTCOMES                                                                                \
	" count(*) FILTER (WHERE outcome IN ('accepted', 'payout')) AS accepted,"                     \
	" count(*) FILTER (WHERE outcome = 'skipped') AS skipped,"                                    \
	" count(*) FILTER (WHERE outcome = 'duplicate') AS duplicate,"                                \
	" count(*) FILTER (WHERE outcome IN " SUSPENSE_REASONS ") AS suspense,"                        \
	" count(*) FILTER (WHERE outcome = 'ignored') AS ignored"
static const char counts_bank_sql[] =
	"SELECT o.records, o.accepted + r.accepted, o.skipped + r.skipped, o.duplicate + r.duplicate,"
	" o.suspense, o.ignored + r.ignored"
	" FROM (SELECT count(*) AS records," COUNT_OUTCOMES " FROM stage_out) o,"
	" (SELECT" COUNT_OUTCOMES " FROM stage_rev) r";

/* DUPLICATE: $1 the batch, $2 the code, $3 the message. */
static const char db_rejects_bank_sql[] =
	"INSERT INTO rejects (batch_id, record, line, field, code, message, value, seq)"
	" SELECT $1::bigint, s.record, s.line, 'bank_reference', $2, $3, s.bank_reference, 100"
	" FROM stage s JOIN (SELECT record FROM stage_out WHERE outcome = 'duplicate'"
	"  UNION ALL SELECT record FROM stage_rev WHERE outcome = 'duplicate') d USING (record)";

/* The records stored: every one with an id in stage_out (not rejected,
 * duplicate, skipped nor a reversal). $1 the batch. */
static const char insert_records_sql[] =
	"INSERT INTO bank_records (id, batch_id, record, account, bank_reference, entry_status, booking_date,"
	" amount, currency, direction, reversal, reference, debtor_name, acct_svcr_ref, uetr, end_to_end_id,"
	" entry_acct_svcr_ref, outcome, creditor_id, case_id) OVERRIDING SYSTEM VALUE"
	" SELECT o.id, $1::bigint, o.record, o.account, o.key, o.entry_status, o.booking_date, o.amount,"
	"  o.currency, o.direction, coalesce(o.reversal, false), o.reference, o.debtor_name, o.acct_svcr_ref,"
	"  o.uetr, o.end_to_end_id, o.entry_acct_svcr_ref,"
	"  CASE WHEN o.outcome IN ('accepted', 'payout') THEN 'accepted' WHEN o.outcome = 'ignored' THEN 'ignored'"
	"   ELSE 'suspense' END,"
	"  CASE WHEN o.outcome IN ('accepted', 'payout') THEN o.creditor_id END,"
	"  CASE WHEN o.outcome = 'accepted' THEN o.case_id END"
	" FROM stage_out o WHERE o.id IS NOT NULL";

/* The payments (transaction_id BANK-<id>), in record order. $1 the batch. */
static const char insert_payments_sql[] =
	"INSERT INTO transactions (creditor_id, creditor_reference, case_id, transaction_id, kind, booking_date,"
	" amount, currency, batch_id, record)"
	" SELECT o.creditor_id, o.creditor_reference, o.case_id, 'BANK-' || o.id, 'payment', o.booking_date,"
	"  o.amount, o.currency, $1::bigint, o.record"
	" FROM stage_out o WHERE o.outcome = 'accepted'";

/* A payout debit marks its statement paid on its booking date (SPEC 13,
 * 14); the transfer is matched again as in stage_out, so a debit of
 * another loader that paid it meanwhile changes nothing. */
static const char mark_paid_sql[] =
	"UPDATE payout_transfers p SET paid_date = o.booking_date, paid_bank_record = o.id"
	" FROM stage_out o WHERE o.outcome = 'payout' AND p.creditor_id = o.creditor_id"
	"  AND p.statement_number = o.payout_number"
	"  AND p.amount = o.amount AND p.currency = o.currency AND p.paid_date IS NULL";

/* The suspense items, in record order. $1 the batch. */
static const char insert_suspense_sql[] =
	"INSERT INTO suspense (batch_id, bank_record_id, account, bank_reference, booking_date, amount, currency,"
	" reference, reason)"
	" SELECT $1::bigint, o.id, o.account, o.key, o.booking_date, o.amount, o.currency,"
	"  o.reference, o.outcome"
	" FROM stage_out o WHERE o.outcome IN " SUSPENSE_REASONS;

/* A reversal's original: its bank record (stored before, or earlier in
 * this file: its id in stage_out) and, when it became a payment (at once,
 * or by an assignment), that payment; found one table at a time, as in
 * bank_lookups_sql. rev_creditor: the creditor of the payment, the bank
 * record's or, when it was a suspense item, the assignment's. */
static const char reversal_sources_sql[] =
	"CREATE TEMP TABLE rev_src ON COMMIT DROP AS"
	" SELECT v.record, coalesce(v.orig_id, i.id) AS orig_id"
	" FROM stage_rev v LEFT JOIN stage_out i ON v.orig_id IS NULL AND i.record = v.orig_record"
	" WHERE v.outcome IN ('accepted', 'ignored')";
static const char reversal_creditors_sql[] =
	"CREATE TEMP TABLE rev_creditor ON COMMIT DROP AS"
	" SELECT o.record, b.creditor_id, 1 AS rank FROM rev_src o JOIN bank_records b ON b.id = o.orig_id"
	" WHERE b.creditor_id IS NOT NULL";
static const char reversal_items_sql[] =
	"INSERT INTO rev_creditor SELECT o.record, su.creditor_id, 2"
	" FROM rev_src o JOIN suspense su ON su.bank_record_id = o.orig_id WHERE su.creditor_id IS NOT NULL";
static const char reversal_payments_sql[] =
	"CREATE TEMP TABLE rev_payment ON COMMIT DROP AS"
	" SELECT x.record, t.tx_id, t.creditor_id, t.creditor_reference, t.case_id, t.amount, t.currency"
	" FROM (SELECT DISTINCT ON (o.record) o.record, o.orig_id, c.creditor_id"
	"  FROM rev_src o JOIN rev_creditor c USING (record) ORDER BY o.record, c.rank) x"
	" JOIN transactions t ON t.creditor_id = x.creditor_id AND t.transaction_id = 'BANK-' || x.orig_id";
static const char reversal_originals_sql[] =
	"CREATE TEMP TABLE stage_orig ON COMMIT DROP AS"
	" SELECT v.record, v.key, v.outcome, o.orig_id, t.tx_id, t.creditor_id, t.creditor_reference,"
	"  t.case_id, t.amount AS tx_amount, t.currency AS tx_currency"
	" FROM stage_rev v JOIN rev_src o USING (record) LEFT JOIN rev_payment t USING (record)";

static const char insert_reversal_records_sql[] =
	"INSERT INTO bank_records (batch_id, record, account, bank_reference, entry_status, booking_date, amount,"
	" currency, direction, reversal, reference, debtor_name, acct_svcr_ref, uetr, end_to_end_id,"
	" entry_acct_svcr_ref, outcome, creditor_id, case_id, reverses)"
	" SELECT $1::bigint, s.record, s.account, g.key, s.entry_status, s.booking_date, s.amount,"
	"  s.currency, s.direction, true, s.reference, s.debtor_name, s.acct_svcr_ref,"
	"  s.uetr, s.end_to_end_id, s.entry_acct_svcr_ref, g.outcome,"
	"  CASE WHEN g.outcome = 'accepted' THEN g.creditor_id END,"
	"  CASE WHEN g.outcome = 'accepted' THEN g.case_id END, g.orig_id"
	" FROM stage s JOIN stage_orig g USING (record) ORDER BY s.record";

/* The reversal of a payment: its amount, on its case (9.1 v2). */
static const char insert_reversals_sql[] =
	"INSERT INTO transactions (creditor_id, creditor_reference, case_id, transaction_id, kind, booking_date,"
	" amount, currency, batch_id, record, reverses)"
	" SELECT g.creditor_id, g.creditor_reference, g.case_id, 'BANK-' || b.id, 'reversal', b.booking_date,"
	"  g.tx_amount, g.tx_currency, $1::bigint, b.record, g.tx_id"
	" FROM bank_records b JOIN stage_orig g ON g.record = b.record"
	" WHERE b.batch_id = $1::bigint AND b.reverses IS NOT NULL AND g.outcome = 'accepted'"
	"  AND g.tx_id IS NOT NULL ORDER BY b.record";

static const char close_suspense_sql[] =
	"UPDATE suspense su SET status = 'reversed', closed_batch_id = $1::bigint"
	" FROM stage_orig g WHERE su.bank_record_id = g.orig_id AND g.outcome = 'accepted'"
	" AND g.tx_id IS NULL AND su.status = 'open'";

/* Bank records of one account are judged one loader at a time (two files
 * with the same records must not both store them); an assignment file
 * takes the locks of the accounts of its suspense items. q is the query of
 * the accounts. */
#define TRY_LOCK_ACCOUNTS(q)                                                                              \
	"SELECT coalesce(bool_and(pg_try_advisory_xact_lock(" LOCK_CLASS_BANK_SQL ", hashtext(account))), true)" \
	" FROM (" q ") x"
#define LOCK_ACCOUNTS(q) \
	"SELECT count(pg_advisory_xact_lock(" LOCK_CLASS_BANK_SQL ", hashtext(account))) FROM (" q ") x"
#define ACCOUNT_HOLDERS(q)                                                                                \
	"SELECT coalesce('batch ' || string_agg(DISTINCT b.batch_id::text, ', '), '')"                     \
	" FROM pg_locks k JOIN batches b ON b.loader_pid = k.pid AND b.status = 'loading'"                 \
	" WHERE k.locktype = 'advisory' AND k.granted AND k.pid <> pg_backend_pid()"                       \
	" AND k.classid = " LOCK_CLASS_BANK_SQL " AND k.objsubid = 2"                                      \
	" AND k.objid::bigint IN (SELECT hashtext(account)::bigint & 4294967295 FROM (" q ") x)"
#define BANK_ACCOUNTS "SELECT DISTINCT account FROM stage WHERE dupkey ORDER BY 1"
#define ITEM_ACCOUNTS                                                                                     \
	"SELECT DISTINCT su.account FROM stage s JOIN suspense su"                                         \
	" ON su.id = CASE WHEN s.txkey AND s.errors IS NULL THEN s.suspense_id::bigint END ORDER BY 1"

int lock_suspense_accounts(struct load *l, struct err *e)
{
	return lock_take(l->conn, l->batch_id, TRY_LOCK_ACCOUNTS(ITEM_ACCOUNTS), LOCK_ACCOUNTS(ITEM_ACCOUNTS),
			 ACCOUNT_HOLDERS(ITEM_ACCOUNTS),
			 "the lock of the bank account of a suspense item of this file", e);
}

int classify_bank(struct load *l, const char *id, long long c[BANK_COUNTS], struct err *e)
{
	const char *params[3] = { id, reject_code_name(RC_DUPLICATE),
				  "a bank record with this bank_reference and another amount, date or direction exists" };
	PGresult *q = NULL;
	int rc;

	if ((rc = lock_take(l->conn, l->batch_id, TRY_LOCK_ACCOUNTS(BANK_ACCOUNTS), LOCK_ACCOUNTS(BANK_ACCOUNTS),
			    ACCOUNT_HOLDERS(BANK_ACCOUNTS),
			    "the lock of the bank account of this file", e)) != 0 ||
	    (rc = db_exec(l->conn, bank_lookups_sql, e)) != 0 || (rc = db_exec(l->conn, classify_bank_sql, e)) != 0 ||
	    (rc = db_exec(l->conn, "ANALYZE stage_out", e)) != 0 ||
	    (rc = db_exec(l->conn, reversal_lookups_sql, e)) != 0 ||
	    (rc = db_exec(l->conn, classify_reversals_sql, e)) != 0 ||
	    (rc = db_query(l->conn, &q, counts_bank_sql, 0, NULL, e)) != 0)
		return rc;
	for (int i = 0; i < BANK_COUNTS; i++)
		c[i] = strtoll(PQgetvalue(q, 0, i), NULL, 10);
	PQclear(q);
	if (c[BANK_DUPLICATES] > 0)
		rc = db_query(l->conn, NULL, db_rejects_bank_sql, 3, params, e);
	return rc;
}

int store_bank(struct load *l, const char *id, struct err *e)
{
	/* in this order; each with the batch id as $1, or no parameter */
	static const struct {
		const char *sql;
		int params;
	} steps[] = {
		{ insert_records_sql, 1 },	  { insert_payments_sql, 1 },	 { mark_paid_sql, 0 },
		{ insert_suspense_sql, 1 },	  { reversal_sources_sql, 0 },	 { reversal_creditors_sql, 0 },
		{ reversal_items_sql, 0 },	  { reversal_payments_sql, 0 },	 { reversal_originals_sql, 0 },
		{ insert_reversal_records_sql, 1 }, { insert_reversals_sql, 1 }, { close_suspense_sql, 1 },
	};
	const char *params[1] = { id };
	int rc = 0;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && rc == 0; i++)
		rc = db_query(l->conn, NULL, steps[i].sql, steps[i].params, params, e);
	return rc;
}
