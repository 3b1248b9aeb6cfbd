/* checkdigit.c: see checkdigit.h. */
#include "checkdigit.h"

/* Luhn: a digit doubled, its digits summed (2 * 7 = 14 -> 5). */
static const unsigned char luhn_doubled[10] = { 0, 2, 4, 6, 8, 1, 3, 5, 7, 9 };

/* Recursive mod 10: the table of the Swiss ESR/QR reference. */
static const unsigned char mod10r_table[10] = { 0, 9, 4, 6, 8, 2, 7, 1, 3, 5 };

int checkdigit_luhn(const char *digits, size_t n)
{
	unsigned sum = 0;
	int doubled = 1; /* the digit left of the check digit is doubled */

	for (size_t i = n; i-- > 0;) {
		unsigned v = (unsigned)((unsigned char)digits[i] - '0');

		if (v > 9)
			return -1;
		sum += doubled ? luhn_doubled[v] : v;
		if (sum >= 10)
			sum -= 10;
		doubled = !doubled;
	}
	return (int)((10 - sum) % 10);
}

int checkdigit_mod10r(const char *digits, size_t n)
{
	unsigned carry = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned v = (unsigned)((unsigned char)digits[i] - '0');

		if (v > 9)
			return -1;
		v += carry; /* below 19 */
		carry = mod10r_table[v >= 10 ? v - 10 : v];
	}
	return (int)((10 - carry) % 10);
}

/* rem continued over s[0..n); -1 for a byte that is not 0-9 or A-Z. */
static int mod97_feed(int rem, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= '0' && c <= '9')
			rem = (rem * 10 + (c - '0')) % 97;
		else if (c >= 'A' && c <= 'Z')
			rem = (rem * 100 + (c - 'A' + 10)) % 97;
		else
			return -1;
	}
	return rem;
}

int checkdigit_mod97(const char *s, size_t n)
{
	int rem;

	if (n < 4)
		return -1;
	rem = mod97_feed(0, s + 4, n - 4);
	return rem < 0 ? -1 : mod97_feed(rem, s, 4);
}
