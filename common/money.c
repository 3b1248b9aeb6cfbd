#include "money.h"

#include <stdio.h>
#include <string.h>

__extension__ typedef __int128 i128;

int money_parse(int64_t *out, const char *s, size_t len, bool allow_comma)
{
	int64_t units = 0;
	size_t i = 0;
	size_t int_digits = 0;
	size_t frac_digits = 0;
	int64_t frac = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (int_digits >= 16)
			return -1; /* more than MONEY_MAX can hold */
		units = units * 10 + (s[i] - '0');
		int_digits++;
		i++;
	}
	if (int_digits == 0)
		return -1;
	if (i < len && (s[i] == '.' || (allow_comma && s[i] == ','))) {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (frac_digits >= 2)
				return -1;
			frac = frac * 10 + (s[i] - '0');
			frac_digits++;
			i++;
		}
		if (frac_digits == 0)
			return -1; /* "12." is not an amount */
	}
	if (i != len)
		return -1;
	if (frac_digits == 1)
		frac *= 10;
	if (units > MONEY_MAX / 100)
		return -1;
	units = units * 100 + frac;
	if (units > MONEY_MAX)
		return -1;
	*out = units;
	return 0;
}

char *money_format(char *buf, size_t size, int64_t v)
{
	/* without printf: a PDF statement formats six amounts a line, three
	 * times, for a million lines */
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char tmp[MONEY_FMT_MAX];
	size_t n = sizeof(tmp), len;

	tmp[--n] = (char)('0' + mag % 10);
	mag /= 10;
	tmp[--n] = (char)('0' + mag % 10);
	mag /= 10;
	tmp[--n] = '.';
	do {
		tmp[--n] = (char)('0' + mag % 10);
		mag /= 10;
	} while (mag > 0);
	if (v < 0)
		tmp[--n] = '-';
	len = sizeof(tmp) - n;
	if (size == 0)
		return buf;
	if (len >= size)
		len = size - 1; /* cut, as snprintf would */
	memcpy(buf, tmp + n, len);
	buf[len] = '\0';
	return buf;
}

int pct_parse(int64_t *out_bp, const char *s, size_t len)
{
	int64_t v;

	if (money_parse(&v, s, len, false) != 0 || v > 10000)
		return -1;
	*out_bp = v;
	return 0;
}

int64_t muldiv_round(int64_t a, int64_t b, int64_t c)
{
	i128 p = (i128)a * (i128)b;
	i128 q, r;
	int neg = 0;

	if (p < 0) {
		neg = 1;
		p = -p;
	}
	q = p / c;
	r = p % c;
	if (r * 2 >= c)
		q++;
	return (int64_t)(neg ? -q : q);
}

int64_t money_pct(int64_t amount, int64_t pct_bp)
{
	return muldiv_round(amount, pct_bp, 10000);
}
