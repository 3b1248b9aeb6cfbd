/* admin.h: the loader's commands other than load: creditors, init-db,
 * status, suspense. Each returns 0 or a negative enum err_code with e set. */
#ifndef LOADER_ADMIN_H
#define LOADER_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

/* SPEC 4: upsert creditor master data; a bad row applies nothing. Errors
 * of every bad row are logged with their line; ERR_REFUSED then. */
int creditors_import(const struct config *conf, const char *conninfo, const char *path,
		     long *applied, struct err *e);

/* SPEC 10: apply schemas/NNNN_*.sql not yet applied, in order. */
int schema_init(const char *conninfo, const char *schema_dir, int *applied, struct err *e);

/* The filters of 'status' (SPEC 7 v2); zero: none. */
struct status_filter {
	const char *creditor; /* batches with a record of this creditor */
	const char *status;   /* loading, loaded, refused, failed, dry_run */
	int32_t since;        /* started on or after this date, when since_set */
	bool since_set;
	long long limit;      /* the N most recent */
};

/* Is s a batch status that --status takes? */
bool batch_status_name_ok(const char *s);

/* SPEC 7: list batches (all, or batch_id > 0) on stdout. */
int batch_status(const char *conninfo, long long batch_id, const struct status_filter *f, bool json,
		 struct err *e);

/* Look up a batch for rerun: its file path, sha256, as-of, options, and
 * whether it may be re-run (failed or refused). */
struct batch_info {
	char file_path[4096]; /* the path as given, raw bytes */
	char sha256[65];
	char as_of[11];
	char creditor[17];
	char kind[16];
	char status[16];
	bool dry_run;
};
int batch_lookup(const char *conninfo, long long batch_id, struct batch_info *out, struct err *e);

/* SPEC 13: the suspense list on stdout, open items only unless all. */
int suspense_list(const char *conninfo, bool all, bool json, struct err *e);

#endif
