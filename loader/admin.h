/* admin.h: the loader's commands other than load: creditors, init-db,
 * status. Each returns 0 or a negative enum err_code with e set. */
#ifndef LOADER_ADMIN_H
#define LOADER_ADMIN_H

#include <stdbool.h>

#include "config.h"
#include "err.h"

/* SPEC 4: upsert creditor master data; a bad row applies nothing. Errors
 * of every bad row are logged with their line; ERR_REFUSED then. */
int creditors_import(const struct config *conf, const char *conninfo, const char *path,
		     long *applied, struct err *e);

/* SPEC 10: apply schemas/NNNN_*.sql not yet applied, in order. */
int schema_init(const char *conninfo, const char *schema_dir, int *applied, struct err *e);

/* SPEC 7: list batches (all, or batch_id > 0) on stdout. */
int batch_status(const char *conninfo, long long batch_id, bool json, struct err *e);

/* Look up a batch for rerun: its file path, sha256, as-of, options, and
 * whether it may be re-run (failed or refused). */
struct batch_info {
	char file_path[4096];
	char sha256[65];
	char as_of[11];
	char creditor[17];
	char kind[16];
	char status[16];
	bool dry_run;
};
int batch_lookup(const char *conninfo, long long batch_id, struct batch_info *out, struct err *e);

#endif
