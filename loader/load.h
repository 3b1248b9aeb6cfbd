/* load.h: the inside of one batch, shared by its four parts:
 *   batch.c     the lifecycle: file lock, batch row, one transaction per
 *               batch, COMMIT (and what happened when it was lost), a
 *               failed or refused batch;
 *   sink.c      the records on their way in: COPY into the stage table
 *               (COPY text rows encoded from the field table), or on the
 *               fast path straight into cases (case_copy.h) with the rest
 *               spilled and staged afterwards;
 *   classify.c  the rules that need the database, set-wise in SQL:
 *               duplicates in the file and in the database, unknown and
 *               closed cases, currencies; then the insert;
 *   reports.c   the reject report, the receipt and the lines after the
 *               summary.
 * Not for other modules: batch.h is the loader's interface. */
#ifndef LOADER_LOAD_H
#define LOADER_LOAD_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

#include "atomic_file.h"
#include "batch.h"
#include "buf.h"
#include "columns.h"
#include "case_copy.h"
#include "case_ids.h"
#include "db.h"
#include "decode.h"
#include "publish.h"
#include "validate.h"

/* One COPY row (text or binary): RECORD_MAX_FIELDS fields of at most
 * RECORD_FIELD_MAX_BYTES, escaped, and the errors with their values. */
#define LOAD_ROW_MAX (256u * 1024u)

/* Where the batch's transaction is. An attempt that finds keys already
 * in the database, or a refusal on the fast path, goes back to the
 * savepoint and reads the file again staged (LOAD_RESTART). */
enum load_state {
	LOAD_BEGUN,   /* the transaction is open; the kind is not known yet */
	LOAD_FAST,    /* after SAVEPOINT fast: new keys go straight into cases */
	LOAD_STAGED,  /* every record goes into the stage table */
	LOAD_RESTART, /* the fast attempt is undone: read the file again, staged */
};

struct load {
	/* the batch */
	const struct config *conf;
	const struct load_opts *opts;
	const char *path;        /* the file, as given */
	long long batch_id;
	enum file_kind kind;
	enum load_state state;
	/* the database */
	PGconn *conn;
	bool citus;              /* a Citus coordinator (SPEC 17) */
	struct db_copy copy;     /* the COPY in progress, if any */
	/* the records */
	struct creditor_table creditors;
	bool *seen;              /* creditors (index in creditors) with a record */
	struct validate_ctx vctx;
	struct decode_io io;
	const char *accounts[CONFIG_MAX_ACCOUNTS]; /* the agency's, for bank files */
	struct buf row;          /* one COPY row (LOAD_ROW_MAX at most) */
	/* the fast case load (case_copy.h) */
	struct key_filter filter;
	FILE *spill;             /* staged rows, COPY text format */
	FILE *keys;              /* the fast records' receipt rows */
	unsigned long long n_fast, n_spill;
	unsigned long long n_probe; /* staged records with probe set (sink.c) */
	struct case_ids ids;     /* case numbers and payment references */
	/* the reject report and the receipt: staged before COMMIT, published
	 * after it (common/publish.h), removed when the batch does not commit */
	struct publish pub;
	struct atomic_file receipt; /* a case batch's, written with the insert */
	/* what the user sees */
	const char *reading;     /* the progress line's reading step */
	const char *step;        /* what the batch does now: named in front of an error */
};

/* sink.c: the decoder's callbacks (decode.h), with l as ctx. */
int sink_on_kind(void *ctx, enum file_kind kind, struct err *e);
int sink_on_record(void *ctx, struct record *r, struct err *e);
/* The file is read: end the COPY (on the fast path: find the case numbers
 * and stage the spilled records). */
int sink_finish(struct load *l, struct err *e);
/* Should the attempt that ended with rc start again on the staged path?
 * Then sink_restart undoes it (back to the savepoint). */
bool sink_should_restart(const struct load *l, int rc);
int sink_restart(struct load *l, struct err *e);
/* Abort a COPY in progress with a reason, and close the temporary files. */
void sink_abort(struct load *l, const char *reason);
void sink_release(struct load *l);

/* classify.c: the set-wise rules, the insert, the batch row's counts, the
 * reports; fills res. ERR_REFUSED for REJECT_RATIO (on the fast path the
 * state becomes LOAD_RESTART: the refusal is written staged). */
int classify_batch(struct load *l, struct batch_result *res, struct err *e);

/* classify_bank.c: a bank file (SPEC 13). classify_bank fills the counts
 * (and the DUPLICATE rejects); store_bank stores what was classified. */
enum { BANK_RECORDS, BANK_ACCEPTED, BANK_SKIPPED, BANK_DUPLICATES, BANK_SUSPENSE, BANK_IGNORED, BANK_COUNTS };
int classify_bank(struct load *l, const char *id, long long c[BANK_COUNTS], struct err *e);
int store_bank(struct load *l, const char *id, struct err *e);
/* An assignment file (SPEC 13) locks the accounts of its suspense items,
 * as a bank file does its account. */
int lock_suspense_accounts(struct load *l, struct err *e);

/* reports.c: the files are staged in l->pub; batch.c publishes them after
 * COMMIT. */
int reports_write(struct load *l, bool receipt, struct err *e);
int reports_insert_cases(struct load *l, const char *asof, struct err *e);
/* The case receipt, written with the insert, staged after the report. */
int reports_stage_receipt(struct load *l, struct err *e);
/* Forget the case receipt being written (a restart on the staged path). */
void reports_drop_receipt(struct load *l);
int reports_summary(struct load *l, struct batch_result *res, struct err *e);

/* batch.c */
/* The creditors with a record in the file, as a text[] literal (malloc). */
char *load_creditor_ids(const struct load *l);


#endif
