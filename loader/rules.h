/* rules.h: pure format and check-digit rules (SPEC 4, 5.1, 5.3).
 * Inputs are NUL-terminated strings already trimmed of surrounding spaces.
 * No allocation, no I/O, no global state. */
#ifndef LOADER_RULES_H
#define LOADER_RULES_H

#include <stdbool.h>

/* SPEC 5.3: national identity number (company == false) or organisation
 * number (company == true), by the check-digit rule of the debtor's
 * country ("CH", "SE", "NO", "DK"). Other countries: true (not checked). */
bool rules_national_id_ok(const char *country, bool company, const char *s);

/* SPEC 5.1 debtor_postal_code, by the debtor's country: CH, NO, DK 4 digits;
 * SE 5 digits, optionally "123 45". Other countries: 1-16 characters of
 * letters, digits, spaces and '-'. */
bool rules_postal_code_ok(const char *country, const char *s);

/* SPEC 5.1 debtor_email: one '@', a non-empty local part, a dot in the
 * domain (not first or last), no spaces or control characters. */
bool rules_email_ok(const char *s);

/* SPEC 5.1 debtor_phone: optional '+', then 6-16 digits; spaces ignored. */
bool rules_phone_ok(const char *s);

/* ISO 13616 IBAN: country code, two check digits, 11-30 alphanumerics,
 * mod 97 == 1. Spaces are allowed in groups; letters upper case. */
bool rules_iban_ok(const char *s);

/* ISO 3166-1 alpha-2 officially assigned code (upper case). */
bool rules_country_ok(const char *s);

/* ISO 4217 active alphabetic currency code (upper case). */
bool rules_currency_ok(const char *s);

/* UTF-8 well-formedness (no overlongs, no surrogates, <= U+10FFFF). */
bool rules_utf8_ok(const char *s, unsigned long len);
/* Number of code points of valid UTF-8. */
unsigned long rules_utf8_chars(const char *s, unsigned long len);
/* Any C0 control character or DEL. */
bool rules_has_control(const char *s, unsigned long len);

#endif
