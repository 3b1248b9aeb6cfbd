/* settle_buf.h: the settlement's growable byte buffer, for array literals
 * sent as one parameter and for COPY text rows. Every buffer has a limit
 * (SBUF_MAX); going over it, or running out of memory, sets a sticky flag
 * that sbuf_check() turns into ERR_LIMIT. */
#ifndef SETTLEMENT_SETTLE_BUF_H
#define SETTLEMENT_SETTLE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Largest buffer: an array literal sent in one parameter, one COPY row,
 * one chunk's case balances. */
#define SBUF_MAX ((size_t)8 << 20)

struct sbuf {
	char *data; /* NUL-terminated */
	size_t len;
	size_t cap;
	bool failed; /* sticky: over SBUF_MAX or out of memory */
};

void sbuf_put(struct sbuf *a, const char *s, size_t n);

static inline void sbuf_putc(struct sbuf *a, char c)
{
	if (!a->failed && a->len + 2 <= a->cap) {
		a->data[a->len++] = c;
		a->data[a->len] = '\0';
	} else {
		sbuf_put(a, &c, 1);
	}
}

void sbuf_reset(struct sbuf *a);
void sbuf_release(struct sbuf *a);
/* ERR_LIMIT when the buffer went over SBUF_MAX or out of memory. */
int sbuf_check(const struct sbuf *a, struct err *e);
void sbuf_i64(struct sbuf *a, int64_t v);

/* Array literals ("{a,b}"), only for tokens that need no quoting
 * (creditor ids, statement numbers). */
void sbuf_arr_begin(struct sbuf *a);
void sbuf_arr_token(struct sbuf *a, const char *s);
void sbuf_arr_end(struct sbuf *a);

/* COPY text format: fields separated by tabs, \N for NULL, a backslash,
 * tab, newline or carriage return in text escaped. */
void sbuf_copy_text(struct sbuf *a, const char *s);
/* A tab, then the number. */
void sbuf_copy_i64(struct sbuf *a, int64_t v);
/* A tab, then a date as days since the epoch, \N when not set. */
void sbuf_copy_days(struct sbuf *a, int32_t days);
/* A tab, then a date as YYYY-MM-DD. */
void sbuf_copy_date(struct sbuf *a, int32_t days);

#endif
