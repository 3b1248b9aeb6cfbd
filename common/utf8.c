/* utf8.c: see utf8.h. */
#include "utf8.h"

#include <stdio.h>
#include <string.h>

size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c, lo = 0x80, hi = 0xbf;
	size_t n;

	if (avail == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	/* the second byte's range excludes overlongs (E0, F0), surrogates (ED)
	 * and values above U+10FFFF (F4); C0, C1 and F5-FF never start one */
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (avail < 2 || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if (k >= avail || (s[k] & 0xc0) != 0x80)
			return 0;
	return n;
}

size_t utf8_escape(char *out, size_t size, const char *s, size_t len, size_t max_chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, i = 0, chars = 0;

	if (size == 0)
		return 0;
	while (i < len) {
		char piece[16];
		size_t n = utf8_seq(p + i, len - i), pn;

		if (chars == max_chars) {
			if (o + 3 < size) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (n == 0) {
			pn = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", p[i]);
			n = 1;
		} else if (utf8_is_control(p + i, n)) {
			unsigned c = n == 1 ? p[i] : p[i + 1];

			if (c == '\n')
				pn = (size_t)snprintf(piece, sizeof(piece), "\\n");
			else if (c == '\t')
				pn = (size_t)snprintf(piece, sizeof(piece), "\\t");
			else if (c == '\r')
				pn = (size_t)snprintf(piece, sizeof(piece), "\\r");
			else if (n == 1)
				pn = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", c);
			else
				pn = (size_t)snprintf(piece, sizeof(piece), "\\u%04x", c);
		} else {
			memcpy(piece, p + i, n);
			pn = n;
		}
		if (o + pn >= size)
			break;
		memcpy(out + o, piece, pn);
		o += pn;
		i += n;
		chars++;
	}
	out[o] = '\0';
	return o;
}
