/* buf.h: a growable byte buffer with a maximum size (curl's dynbuf).
 *
 * Every buffer has a maximum, given to buf_init(): adding more than it
 * holds is an error (ERR_LIMIT), never a silent cut, and running out of
 * memory is ERR_NOMEM. A failed add leaves the buffer as it was. Memory
 * comes from common/alloc.h, so the fault-injection hook reaches it.
 *
 * Once the buffer holds memory, data[len] is a NUL byte, so that text in
 * it can be passed as a C string (an array literal as one parameter); the
 * NUL counts neither in len nor against max.
 *
 *   struct buf b;
 *   buf_init(&b, 64 * 1024);
 *   rc = buf_addstr(&b, "{", e);
 *   ...
 *   buf_reset(&b);      (empty again, the memory kept for the next row)
 *   buf_release(&b);
 */
#ifndef COMMON_BUF_H
#define COMMON_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "err.h"

struct buf {
	char *data; /* NULL until the first add */
	size_t len;
	size_t cap; /* bytes allocated, the NUL included: never more than max + 1 */
	size_t max; /* the most bytes len may reach */
};

/* An empty buffer that may hold up to max bytes (max < SIZE_MAX). */
void buf_init(struct buf *b, size_t max);
/* Free the memory; the buffer is empty and may be used again. */
void buf_release(struct buf *b);
/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);

/* Make room for n more bytes: ERR_LIMIT when len + n > max, ERR_NOMEM
 * when the memory cannot be had. Callers that write into data + len
 * themselves then add what they wrote to len (and set data[len] = '\0'). */
int buf_reserve(struct buf *b, size_t n, struct err *e);

/* Append n bytes (p may be NULL when n is 0). The common case, when the
 * bytes fit, is a copy without a call. */
static inline int buf_add(struct buf *b, const void *p, size_t n, struct err *e)
{
	int rc;

	/* cap <= max + 1, so bytes that fit in cap are within max */
	if (n >= b->cap - b->len && (rc = buf_reserve(b, n, e)) != 0)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static inline int buf_addch(struct buf *b, char c, struct err *e)
{
	return buf_add(b, &c, 1, e);
}

static inline int buf_addstr(struct buf *b, const char *s, struct err *e)
{
	return buf_add(b, s, strlen(s), e);
}

/* Append v in decimal ("%" PRId64, INT64_MIN included), without printf. */
int buf_add_i64(struct buf *b, int64_t v, struct err *e);

/* Append formatted text (vsnprintf); ERR_LIMIT when it does not fit. */
int buf_printf(struct buf *b, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
