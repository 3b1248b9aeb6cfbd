/* csvout.h: RFC 4180 output. A field is quoted when it holds the
 * delimiter, a quote, CR or LF; with formula_escape, a text field that
 * starts with '=', '+', '-', '@', tab or CR gets a leading '\'' (SPEC 9.2). */
#ifndef COMMON_CSVOUT_H
#define COMMON_CSVOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "atomic_file.h"
#include "buf.h"
#include "err.h"

/* Does the field need quotes (a ',', '"', CR or LF in it)? */
bool csvout_needs_quotes(const char *s, size_t len);
/* Room csvout_encode needs for a value of len bytes. */
#define CSVOUT_ENCODED_MAX(len) (2 * (len) + 3)
/* Encode one field into out (CSVOUT_ENCODED_MAX(len) bytes); returns the
 * encoded length. The one quoting and formula rule of the engine. */
size_t csvout_encode(char *out, const char *s, size_t len, bool formula_escape);
/* Append one encoded field to a buffer (ERR_LIMIT when it does not fit). */
int csvout_add(struct buf *b, const char *s, size_t len, bool formula_escape, struct err *e);
int csvout_field(struct atomic_file *af, const char *s, size_t len, bool formula_escape,
		 struct err *e);
/* Write fields joined by ',' and ended by "\n"; NULL is an empty field. */
int csvout_row(struct atomic_file *af, const char *const *fields, size_t n, bool formula_escape,
	       struct err *e);

#endif
