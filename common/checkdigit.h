/* checkdigit.h: the check-digit algorithms of payment references and
 * account numbers, over strings of ASCII digits (and letters for mod 97).
 *
 * Pure functions: no allocation, no I/O. Each computes what the standard
 * computes; what a valid number is (its length, its prefix, which part is
 * checked) is decided by the caller (payref.c, and later config.c's and
 * rules.c's IBAN checks). */
#ifndef COMMON_CHECKDIGIT_H
#define COMMON_CHECKDIGIT_H

#include <stddef.h>

/* Luhn (ISO/IEC 7812-1, "MOD10" of Norwegian KID, Bankgirot OCR, Danish
 * FIK): the check digit 0-9 that makes digits[0..n) followed by it pass,
 * i.e. every second digit from the right of digits doubled (9 subtracted
 * above 9), the sum plus the check digit a multiple of 10. -1 when one of
 * the n bytes is not a digit. n == 0 gives 0. */
int checkdigit_luhn(const char *digits, size_t n);

/* Recursive mod 10 (Swiss ESR/QR reference): a carry that starts at 0
 * becomes table[(carry + digit) % 10] for each digit, table 0 9 4 6 8 2 7
 * 1 3 5; the check digit is (10 - carry) % 10. -1 when a byte is not a
 * digit. */
int checkdigit_mod10r(const char *digits, size_t n);

/* ISO 7064 MOD 97-10 as ISO 13616 (IBAN) and ISO 11649 (RF creditor
 * reference) use it: the remainder 0-96 of s[0..n) read as one number
 * after moving its first four characters to the end, a letter A-Z read as
 * the two digits 10-35. A valid IBAN or RF reference gives 1. -1 when
 * n < 4 or a byte is neither a digit nor an upper-case letter. */
int checkdigit_mod97(const char *s, size_t n);

#endif
