/* settle.h: the database side of the monthly settlement (SPEC 9, settle.c)
 * and the case list (SPEC 9.3, settle_cases.c).
 *
 * settle_run():
 *   1. picks the creditors the run covers: the one asked for, or every
 *      creditor (SPEC 9 v2);
 *   2. takes a session advisory lock per creditor, in creditor_id order, so
 *      that two runs never settle the same creditor at once;
 *   3. in one REPEATABLE READ transaction: finds the creditors for which
 *      the period is closed (settlement_runs holds this period or a later
 *      one for them: they get nothing new); for the others, applies the
 *      booking logic to every unsettled transaction booked up to the
 *      period end (late ones of closed periods included), case by case in
 *      booking order, streamed (a second, read-only connection reads them in
 *      that transaction's snapshot), marks the transactions settled
 *      (guarded by "statement_number IS NULL", the count checked against the
 *      lines, and the UNIQUE constraints), COPYs the lines, updates the case
 *      balances and statuses, counts the newly registered cases and inserts
 *      the statements with their portfolios, which continue the previous
 *      statement of the creditor and currency; records in settlement_runs
 *      that the run covered every creditor it picked;
 *   4. in the same transaction, stages the files (CSV, XML, PDF) of every
 *      statement of the period for those creditors beside the final ones
 *      (written whole and fsync'd): the ones issued now from the lines as
 *      they are booked, the ones issued before from the stored rows, with
 *      the same rendering (settle_pdf.h for the PDFs),
 *      so a re-run rewrites byte-identical files; commits once, so a
 *      database or I/O failure issues nothing (a serialization failure or a
 *      deadlock is retried a few times); then renames the staged files into
 *      place and prints one line per statement. A failure while renaming
 *      leaves the statements issued: a re-run writes their files.
 *
 * The phases are timed with common/phase.h: SETTLE_TIMING in the
 * environment (read by main.c) logs the duration of each.
 */
#ifndef SETTLEMENT_SETTLE_H
#define SETTLEMENT_SETTLE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "err.h"

#define SETTLE_DEFAULT_OUT "var/statements"
/* Most lines one creditor's statements may have in one run. */
#define SETTLE_MAX_LINES 20000000
/* Most currencies one creditor may have. */
#define SETTLE_MAX_CURRENCIES 16
/* Rows per cursor FETCH. */
#define SETTLE_CHUNK 5000
#define SETTLE_CHUNK_TEXT "5000"
/* Memory of the sorts of the settling pass and its reader (SET LOCAL
 * work_mem). */
#define SETTLE_WORK_MEM "64MB"
/* Attempts of the settling transaction on serialization failure/deadlock. */
#define SETTLE_MAX_ATTEMPTS 5

struct settle_opts {
	const struct config *conf;
	int year;                /* the period */
	int month;
	const char *creditor_id; /* NULL: every creditor */
	int32_t as_of;
	const char *out_dir;
	FILE *out;               /* one line per statement (stdout) */
	bool no_pdf;             /* no PDF statements (the bench's baseline) */
};

/* First and last day of a period, and whether it has ended by as_of
 * (ERR_USAGE naming the dates when not). */
int settle_check_period(int32_t *first, int32_t *last, int year, int month,
			int32_t as_of, struct err *e);

int settle_run(PGconn *conn, const struct settle_opts *o, struct err *e);

enum settle_case_filter {
	SETTLE_CASES_ALL,
	SETTLE_CASES_OPEN,
	SETTLE_CASES_CLOSED,
	SETTLE_CASES_WITHDRAWN
};

/* "open" -> SETTLE_CASES_OPEN ... "all"; -1 when unknown. */
int settle_case_filter_parse(const char *s);

struct settle_cases_opts {
	const char *creditor_id;
	int32_t as_of;                 /* cases registered up to as_of */
	enum settle_case_filter filter;
	FILE *out;
};

/* The case list of SPEC 9.3 as CSV on o->out. */
int settle_cases(PGconn *conn, const struct settle_cases_opts *o, struct err *e);

#endif
