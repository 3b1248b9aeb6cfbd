/* utf8.h: the one UTF-8 decoder step shared by the loader's validation and
 * the statements' XML escaping, and the escaping of outside text. */
#ifndef COMMON_UTF8_H
#define COMMON_UTF8_H

#include <stddef.h>

/* Length (1-4) of the well-formed UTF-8 sequence at s, or 0 when it is
 * malformed or cut short by avail. Table 3-7 of the Unicode Standard:
 * overlongs, surrogates and values above U+10FFFF are malformed. Bytes are
 * read one at a time and reading stops at the first byte that does not
 * fit, so a NUL-terminated string may pass avail = (size_t)-1. */
size_t utf8_seq(const unsigned char *s, size_t avail);

/* Is the well-formed sequence at s (of length n from utf8_seq) a control
 * character: C0 (U+0000-U+001F), DEL (U+007F) or C1 (U+0080-U+009F)? */
static inline int utf8_is_control(const unsigned char *s, size_t n)
{
	return (n == 1 && (s[0] < 0x20 || s[0] == 0x7f)) || (n == 2 && s[0] == 0xc2 && s[1] < 0xa0);
}

/* Outside text made safe to print and store (SPEC 2 v2): the first
 * max_chars characters of s[0..len), control characters escaped (\n, \t,
 * \r, \x1b, C1 as \u0085), each byte of invalid UTF-8 as \xHH; a cut
 * value ends in "...". Writes a NUL-terminated string of at most size - 1
 * bytes into out (cut at a whole character) and returns its length. */
size_t utf8_escape(char *out, size_t size, const char *s, size_t len, size_t max_chars);

#endif
