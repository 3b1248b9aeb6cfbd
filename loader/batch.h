/* batch.h: one file is one batch (SPEC 7). Atomic, idempotent, re-runnable.
 *
 * Lifecycle: the file's SHA-256 is taken; a session advisory lock on it
 * makes two loaders of one file load it once; the batch row is committed as
 * 'loading' (a crashed loader's row reads 'failed' because its lock is
 * gone); then one transaction stages every record with COPY, checks
 * duplicates and cases set-wise, inserts the accepted rows, stores the
 * rejects, writes the reject report and receipt (temp file, fsync, rename)
 * and marks the batch loaded or refused, and commits. */
#ifndef LOADER_BATCH_H
#define LOADER_BATCH_H

#include <stdbool.h>
#include <signal.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "record.h"

struct load_opts {
	enum file_kind kind;    /* KIND_UNKNOWN: detect */
	const char *creditor;   /* --creditor, or NULL */
	int32_t as_of;
	bool dry_run;
	long long rerun_batch;  /* rerun: the batch re-run; 0 otherwise */
	bool rerun_loaded;      /* rerun of a loaded batch: a new batch */
	/* test hooks, set by main.c from the environment */
	bool staged_only;       /* LOADER_STAGED: never the fast case load */
	unsigned key_filter_log2_bits; /* LOADER_KEY_FILTER_BITS; 0: the default size */
};

struct batch_result {
	long long batch_id;
	char status[16];        /* loaded, refused, failed, dry_run */
	bool already_loaded;
	long long records, accepted, skipped, rejected;
	bool bank;              /* a bank file: its summary has two more counts */
	long long suspense, ignored;
	/* For the lines after the summary (SPEC 7.3 v2): the reject report,
	 * the most frequent codes, and how many records were not UTF-8. */
	char report_path[CONFIG_PATH_MAX + 64];
	struct {
		char code[32];
		long long n;
	} top[3];
	int ntop;
	long long not_utf8;
};

/* --creditor must name a known creditor (SPEC 5 v2): ERR_USAGE if not. */
int batch_check_creditor(const char *conninfo, const char *creditor_id, struct err *e);

/* After the summary line: where the reject report is and its most
 * frequent codes, and a hint when most records were not UTF-8. */
void batch_report_hints(const struct batch_result *res);

/* Load one file. Returns 0 (loaded, dry run, or already loaded),
 * ERR_REFUSED (the batch was refused), or an error (the batch is failed
 * when it got an id). res is filled as far as known. */
int batch_load(const struct config *conf, const char *conninfo, const char *path,
	       const struct load_opts *opts, struct batch_result *res, struct err *e);

/* Set by the signal handler: stop the batch, roll back, exit 3. */
extern volatile sig_atomic_t batch_interrupted;

/* For a SIGINT/SIGTERM handler: flag the batch and cancel the statement
 * the database is running for it. Async-signal-safe. */
void batch_interrupt(void);

#endif
