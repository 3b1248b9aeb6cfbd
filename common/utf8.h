/* utf8.h: the one UTF-8 decoder step shared by the loader's validation and
 * the statements' XML escaping. */
#ifndef COMMON_UTF8_H
#define COMMON_UTF8_H

#include <stddef.h>

/* Length (1-4) of the well-formed UTF-8 sequence at s, or 0 when it is
 * malformed or cut short by avail. Table 3-7 of the Unicode Standard:
 * overlongs, surrogates and values above U+10FFFF are malformed. Bytes are
 * read one at a time and reading stops at the first byte that does not
 * fit, so a NUL-terminated string may pass avail = (size_t)-1. */
size_t utf8_seq(const unsigned char *s, size_t avail);

#endif
