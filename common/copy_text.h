/* copy_text.h: rows of PostgreSQL's COPY text format, for COPY ... FROM
 * STDIN, built in a struct buf: fields separated by a tab, a row ended by
 * a newline, \N for NULL, and in text a backslash, tab, newline or
 * carriage return written as \\, \t, \n, \r. Every text field goes
 * through copy_text_str(), so that no value can end the COPY early (a
 * line that is only "\." does) or shift the columns.
 *
 *   rc = copy_text_i64(&row, id, e);
 *   if (rc == 0) rc = copy_text_sep(&row, e);
 *   if (rc == 0) rc = copy_text_str(&row, name, strlen(name), e);
 *   if (rc == 0) rc = copy_text_end(&row, e);
 *
 * Errors are the buffer's: ERR_LIMIT past its maximum, ERR_NOMEM; a row
 * that failed may hold part of a field and is to be dropped. */
#ifndef COMMON_COPY_TEXT_H
#define COMMON_COPY_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/* The n bytes of s, escaped (s may hold NUL bytes; PostgreSQL refuses them). */
int copy_text_str(struct buf *b, const char *s, size_t n, struct err *e);
/* A decimal integer, INT64_MIN included. */
static inline int copy_text_i64(struct buf *b, int64_t v, struct err *e)
{
	return buf_add_i64(b, v, e);
}

/* NULL: \N */
static inline int copy_text_null(struct buf *b, struct err *e)
{
	return buf_add(b, "\\N", 2, e);
}

/* Between two fields: a tab. */
static inline int copy_text_sep(struct buf *b, struct err *e)
{
	return buf_addch(b, '\t', e);
}

/* The end of a row: a newline. */
static inline int copy_text_end(struct buf *b, struct err *e)
{
	return buf_addch(b, '\n', e);
}

#endif
