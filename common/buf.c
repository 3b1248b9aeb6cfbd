/* buf.c: growable byte buffers with a maximum size (buf.h). */
#include "buf.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>

#include "alloc.h"

/* First allocation; doubled from there. */
#define BUF_MIN_CAP 256

void buf_init(struct buf *b, size_t max)
{
	assert(max < SIZE_MAX);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void buf_release(struct buf *b)
{
	alloc_free(b->data);
	buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int buf_reserve(struct buf *b, size_t n, struct err *e)
{
	size_t need, cap;
	char *p;

	if (n > b->max - b->len)
		return ERR_SET(e, ERR_LIMIT, "more than the %zu bytes a buffer may hold", b->max);
	need = b->len + n + 1; /* <= max + 1 */
	if (need <= b->cap)
		return 0;
	cap = b->cap > 0 ? b->cap : BUF_MIN_CAP;
	while (cap < need)
		cap = cap > (b->max + 1) / 2 ? b->max + 1 : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = alloc_realloc(b->data, cap);
	if (p == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory (a buffer of %zu bytes)", cap);
	if (b->data == NULL)
		p[0] = '\0';
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_add_i64(struct buf *b, int64_t v, struct err *e)
{
	char digits[24];
	char *end = digits + sizeof(digits);
	char *p = end;
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag != 0);
	if (v < 0)
		*--p = '-';
	return buf_add(b, p, (size_t)(end - p), e);
}

int buf_printf(struct buf *b, struct err *e, const char *fmt, ...)
{
	va_list ap;
	size_t room = b->cap - b->len;
	int n;
	int rc;

	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ERR_SET(e, ERR_LIMIT, "cannot format '%s'", fmt);
	if ((size_t)n < room) {
		b->len += (size_t)n;
		return 0;
	}
	/* it did not fit: data[len] may hold a piece of it now */
	if (b->data != NULL)
		b->data[b->len] = '\0';
	rc = buf_reserve(b, (size_t)n, e);
	if (rc != 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}
