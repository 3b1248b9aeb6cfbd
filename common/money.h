/* money.h: amounts are int64_t counts of minor units (cents, öre, Rappen).
 * Floating point never touches money. Percentages are int64_t basis points
 * of a percent with two decimals: "8.10" percent is 810.
 */
#ifndef COMMON_MONEY_H
#define COMMON_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest amount the engine handles at all: 10^15 minor units. */
#define MONEY_MAX INT64_C(1000000000000000)
/* Buffer size that holds any formatted amount. */
#define MONEY_FMT_MAX 32

/* Parse a decimal amount of SPEC section 2: digits, optionally '.' (or ','
 * when allow_comma) and one or two fraction digits. No sign, no spaces, no
 * exponent, no thousands separator. s need not be NUL-terminated.
 * Returns 0 and sets *out, or -1 when the text is not an amount or is above
 * MONEY_MAX. */
int money_parse(int64_t *out, const char *s, size_t len, bool allow_comma);

/* Write v with exactly two fraction digits ("-12.05"); returns buf. */
char *money_format(char *buf, size_t size, int64_t v);

/* Parse a percentage "0" .. "100.00" with up to two decimals into basis
 * points of a percent (8.10 -> 810). Returns 0 or -1. */
int pct_parse(int64_t *out_bp, const char *s, size_t len);

/* a * b / c rounded half away from zero; c > 0. Exact for any int64 inputs
 * whose result fits in int64 (uses 128-bit intermediate). */
int64_t muldiv_round(int64_t a, int64_t b, int64_t c);

/* amount * pct_bp / 10000, rounded half away from zero. */
int64_t money_pct(int64_t amount, int64_t pct_bp);

#endif
