/* case_copy.h: the pieces of the fast case load (see batch.c).
 *
 * A case file's accepted records go straight into `cases` with one binary
 * COPY: no staging table, no second pass. What makes that safe:
 *   - a key filter (a Bloom filter of creditor_id + creditor_reference):
 *     a record whose key may have been seen earlier in the file is not
 *     sent but staged with the rejected ones and classified set-wise;
 *     a filter never misses, so every repeat is caught, and a false
 *     alarm only sends a new record the slow, exact way;
 *   - the unique index: a key already in the database fails the COPY, and
 *     the loader starts the file again on the staged path (batch.c);
 *   - the receipt: the accepted records' ordinals and references are kept
 *     in a temporary file in file order and merged with the case numbers
 *     and the staged records' rows at the end.
 * Pure code, no database: tested in tests/check_case_copy.c. */
#ifndef LOADER_CASE_COPY_H
#define LOADER_CASE_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "atomic_file.h"
#include "err.h"
#include "record.h"
#include "validate.h"

/* ---- the key filter ---- */

struct key_filter {
	uint64_t *bits;
	uint64_t mask; /* number of bits - 1 */
};

/* 2^log2_bits bits; KEY_FILTER_LOG2_BITS (16 MiB) gives about 1 false
 * alarm per million keys at 1M keys, 160 at 4M. Returns ERR_NOMEM or 0. */
#define KEY_FILTER_LOG2_BITS 27u
int key_filter_init(struct key_filter *kf, unsigned log2_bits, struct err *e);
void key_filter_free(struct key_filter *kf);
/* Add the key; true when it may have been added before. */
bool key_filter_add(struct key_filter *kf, const char *creditor_id, size_t id_len, const char *ref,
		    size_t ref_len);

/* ---- binary COPY rows ---- */

/* The COPY statement the rows below are encoded for, made from the field
 * table (columns.h): call once before case_copy_row. */
#define CASE_COPY_SQL_MAX 4096
int case_copy_init(char *sql, size_t size, struct err *e);

/* PGCOPY header (19 bytes) and trailer (2 bytes). */
size_t case_copy_header(char *buf);
size_t case_copy_trailer(char *buf);

/* Encode one accepted case (v->n == 0) with its case number and payment
 * reference as a binary COPY tuple into buf (at least CASE_COPY_ROW_MAX
 * bytes). Returns its length. */
#define CASE_COPY_ROW_MAX (64u * 1024u)
size_t case_copy_row(char *buf, const struct record *r, const struct verdict *v, int64_t case_id,
		     const char *payment_reference, int64_t batch_id, int32_t as_of);

/* ---- the receipt ---- */

/* A fast record's receipt row, "record,creditor_reference,case_id,
 * accepted,payment_reference\n", the text written by csvout's rule
 * (quoting and the formula rule). buf holds RECEIPT_LINE_MAX bytes. */
#define RECEIPT_LINE_MAX 1024
size_t receipt_key_line(char *buf, uint64_t record, const char *ref, size_t len, int64_t case_id,
			const char *payment_reference);

/* Merges, in record order, the fast records' receipt rows (file `keys`,
 * one per line, from receipt_key_line) with the staged records' receipt
 * rows (rows of COPY's text format, in record order) fed one at a time to
 * receipt_merge_row(). */
struct receipt_merge {
	FILE *keys;
	struct atomic_file *out;
	char line[RECEIPT_LINE_MAX];
	bool have_line;
	bool eof;
	uint64_t line_record;
	struct err *e;
	int rc;
};

void receipt_merge_init(struct receipt_merge *m, FILE *keys, struct atomic_file *out, struct err *e);
/* One staged row, a COPY text-format row; rows come in record order. */
int receipt_merge_row(struct receipt_merge *m, const char *row, size_t len);
/* Write the remaining key lines. */
int receipt_merge_finish(struct receipt_merge *m);

#endif
