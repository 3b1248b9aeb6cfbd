/* settle_buf.c: byte buffers of the settlement: array literals for
 * parameters, COPY text rows. */
#include "settle_buf.h"

#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "date.h"

void sbuf_put(struct sbuf *a, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (a->failed)
		return;
	if (n + 1 > SBUF_MAX - a->len) {
		a->failed = true;
		return;
	}
	if (a->len + n + 1 > a->cap) {
		cap = a->cap ? a->cap : 4096;
		while (cap < a->len + n + 1)
			cap *= 2;
		p = realloc(a->data, cap);
		if (p == NULL) {
			a->failed = true;
			return;
		}
		a->data = p;
		a->cap = cap;
	}
	memcpy(a->data + a->len, s, n);
	a->len += n;
	a->data[a->len] = '\0';
}

void sbuf_reset(struct sbuf *a)
{
	a->len = 0;
	a->failed = false;
	if (a->data != NULL)
		a->data[0] = '\0';
}

void sbuf_release(struct sbuf *a)
{
	free(a->data);
	memset(a, 0, sizeof(*a));
}

int sbuf_check(const struct sbuf *a, struct err *e)
{
	if (a->failed)
		return ERR_SET(e, ERR_LIMIT, "buffer over %zu bytes or out of memory", SBUF_MAX);
	return 0;
}

void sbuf_i64(struct sbuf *a, int64_t v)
{
	char buf[24];
	char *end = buf + sizeof(buf);
	char *p = end;
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag != 0);
	if (v < 0)
		*--p = '-';
	sbuf_put(a, p, (size_t)(end - p));
}

void sbuf_arr_begin(struct sbuf *a)
{
	sbuf_reset(a);
	sbuf_putc(a, '{');
}

void sbuf_arr_token(struct sbuf *a, const char *s)
{
	if (a->len > 1)
		sbuf_putc(a, ',');
	sbuf_put(a, s, strlen(s));
}

void sbuf_arr_end(struct sbuf *a)
{
	sbuf_putc(a, '}');
}

void sbuf_copy_text(struct sbuf *a, const char *s)
{
	for (;;) {
		size_t run = strcspn(s, "\\\t\n\r");

		sbuf_put(a, s, run);
		s += run;
		switch (*s) {
		case '\0': return;
		case '\\': sbuf_put(a, "\\\\", 2); break;
		case '\t': sbuf_put(a, "\\t", 2); break;
		case '\n': sbuf_put(a, "\\n", 2); break;
		default: sbuf_put(a, "\\r", 2); break;
		}
		s++;
	}
}

void sbuf_copy_i64(struct sbuf *a, int64_t v)
{
	sbuf_putc(a, '\t');
	sbuf_i64(a, v);
}

void sbuf_copy_days(struct sbuf *a, int32_t days)
{
	sbuf_putc(a, '\t');
	if (days == BOOKING_NO_DATE)
		sbuf_put(a, "\\N", 2);
	else
		sbuf_i64(a, days);
}

void sbuf_copy_date(struct sbuf *a, int32_t days)
{
	char buf[DATE_FMT_MAX];

	date_format(buf, sizeof(buf), days);
	sbuf_putc(a, '\t');
	sbuf_put(a, buf, strlen(buf));
}
