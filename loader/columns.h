/* columns.h: the database side of a record kind, made from its field
 * table (record.c): the staging table's columns, the column lists of an
 * insert, and the content compared when a key comes again. Adding a field
 * is a row in record.c, its rule in validate.c and a column in a
 * migration; the SQL of classify.c and the encoders of sink.c and
 * case_copy.c follow from the table. */
#ifndef LOADER_COLUMNS_H
#define LOADER_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "record.h"

/* Room for any list of a kind's columns. */
#define COLUMNS_SQL_MAX 2048

/* The SQL type of a column type ("text", "date", "bigint", "boolean"). */
const char *columns_sql_type(enum col_type t);
/* The number of fields with a column. */
size_t columns_stored(enum file_kind kind);
/* "creditor_id text, ..., original_amount bigint, ...": the staging
 * table's columns of the fields. */
int columns_stage_defs(char *out, size_t size, enum file_kind kind, struct err *e);

/* A column written otherwise in a list (a withdrawal's currency is the
 * case's: "coalesce(s.currency, c.currency)"). */
struct columns_override {
	const char *column;
	const char *expr;
};

/* The stored columns (content_only: only those compared for `skipped`),
 * in field order, each as "<prefix><name>" ("s.", "c.", or "" for none),
 * or as its override. */
int columns_list(char *out, size_t size, enum file_kind kind, bool content_only, const char *prefix,
		 const struct columns_override *ov, struct err *e);

#endif
