/* case_ids.h: case numbers and payment references (SPEC 12).
 *
 * A case's payment reference is made from its case number when the case
 * is registered, so the loader draws the numbers from the cases sequence
 * itself, in blocks, over a connection of its own (the load's connection
 * is busy with a COPY while records are read). Numbers are unique and
 * never reused; a number drawn for a record that is then skipped, or for
 * a batch rolled back, is a gap, as with any sequence. */
#ifndef LOADER_CASE_IDS_H
#define LOADER_CASE_IDS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "payref.h"

struct case_ids {
	const char *conninfo;
	PGconn *conn;     /* opened at the first number */
	int64_t *pool;    /* drawn, not yet handed out */
	size_t n, pos;
	size_t block;     /* the next block's size: grows to CASE_IDS_BLOCK_MAX */
};

#define CASE_IDS_BLOCK_MAX 65536

void case_ids_init(struct case_ids *c, const char *conninfo);
/* The next case number and its payment reference by scheme (out holds
 * PAYREF_SIZE bytes). */
int case_ids_next(struct case_ids *c, enum ref_scheme scheme, int64_t *id, char *ref, struct err *e);
void case_ids_release(struct case_ids *c);

/* The configuration can make every scheme it names: qrr needs the
 * agency's CHF account to be a QR-IBAN (SPEC 12; ERR_CONFIG naming the
 * key otherwise). */
int case_ids_check_config(const struct config *conf, struct err *e);

#endif
