/* copy_csv.h: rows of `COPY (...) TO STDOUT` in PostgreSQL's text format
 * written as CSV rows, with csvout's quoting and the formula rule on every
 * field (SPEC 7.1 v2, 9.2). One CSV writer for every file the engine
 * writes from the database (reject reports, receipts). */
#ifndef COMMON_COPY_CSV_H
#define COMMON_COPY_CSV_H

#include <libpq-fe.h>
#include <stddef.h>

#include "atomic_file.h"
#include "err.h"

/* The longest row accepted; a longer one is an error, never cut. */
#define COPY_CSV_ROW_MAX ((size_t)256 * 1024)
#define COPY_CSV_MAX_FIELDS 32

/* One text-format row (tab-separated, backslash escapes, \N for NULL,
 * with or without its "\n") as one CSV row, ended by "\n". A NULL is an
 * empty field. */
int copy_csv_row(struct atomic_file *af, const char *row, size_t len, struct err *e);
/* Run copy_sql (a COPY ... TO STDOUT in text format) and write each row. */
int copy_csv_query(PGconn *conn, const char *copy_sql, struct atomic_file *af, struct err *e);

#endif
