/* payref.h: payment references (SPEC 12, v2).
 *
 * Every case gets a reference made from its case_id by its creditor's
 * country's scheme (conf payment_reference); the settlement makes one from a
 * statement's numeric id for the QR-bill of a PDF statement (SPEC 15); the
 * loader checks the reference of a bank payment (SPEC 13) before it looks
 * it up. Pure functions: no database, no I/O, no allocation.
 *
 *   scheme  form                                           check
 *   qrr     27 digits: id padded with zeros to 26, check   recursive mod 10
 *   scor    "RF", 2 check digits, id (5-25 characters)     ISO 11649 mod 97
 *   ocr     id, length digit, check digit (2-25 digits)    Luhn over all
 *   kid     id, check digit (2-25 digits)                  Luhn
 *   fik     15 digits: id padded with zeros to 14, check   Luhn
 *
 * Ambiguities (a reference names its case only through the database; the
 * scheme a string is valid under is a hint, never a key):
 * - ocr and kid accept the same strings: a Luhn-valid string of 2-25
 *   digits. OCR(n) is even equal to KID(10 n + its length digit):
 *   OCR(123) = KID(1235) = "12351" (SPEC 12's own OCR test vector). Two
 *   cases, one in an ocr country and one in a kid country, can therefore
 *   get the same reference: cases.payment_reference being unique over all
 *   cases, the second one cannot be registered. SPEC 12 is silent on this;
 *   the loader has to settle it (e.g. a reference unique per currency,
 *   since ocr is paid into SEK and kid into NOK accounts).
 * - fik is a 15-digit Luhn string, so every fik reference is also a valid
 *   ocr and kid string (fik references of ids below 10^13 start with 0,
 *   which ocr and kid references never do).
 * - qrr (27 digits) and scor ("RF") share no string with the others.
 * - SPEC 15 makes the QR-bill reference of a statement from the
 *   statement's numeric id by the same rule as a case's from its case_id:
 *   statement 5 and case 5 get the same qrr (or scor) reference, and a
 *   creditor paying its statement would match case 5 in SPEC 13. SPEC 15
 *   and 13 are silent on this; whoever builds the QR-bill or the matching
 *   has to keep the two apart.
 */
#ifndef COMMON_PAYREF_H
#define COMMON_PAYREF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h" /* enum ref_scheme */
#include "err.h"

/* The longest reference of any scheme (qrr), and a buffer for any. */
#define PAYREF_MAX 27
#define PAYREF_SIZE (PAYREF_MAX + 1)
/* The longest printed form: qrr 27 digits and 5 spaces, NUL. */
#define PAYREF_GROUPED_SIZE 33

/* Lengths of SPEC 12 and of the standards behind it. */
#define PAYREF_QRR_LEN 27
#define PAYREF_FIK_LEN 15
#define PAYREF_SCOR_MIN 5  /* "RF", 2 check digits, at least one character */
#define PAYREF_SCOR_MAX 25 /* ISO 11649 */
#define PAYREF_DIGITS_MIN 2  /* ocr (Bankgirot) and kid (Nets) */
#define PAYREF_DIGITS_MAX 25

/* The reference of id (a case_id, or a statement's numeric id) by scheme,
 * into out (PAYREF_SIZE bytes are always enough), NUL-terminated.
 * ERR_USAGE for an unknown scheme or id <= 0; ERR_LIMIT when id has more
 * digits than the scheme holds (fik: 14; the others hold every int64_t) or
 * the reference does not fit in size bytes. On error out is "" (size > 0).
 * No allocation and no printf on success: the loader makes one per case. */
int payref_make(char *out, size_t size, enum ref_scheme scheme, int64_t id, struct err *e);

/* ref is a valid reference of scheme: its form (length, characters, "RF")
 * and its check digits. ref is normalised already (payref_normalise).
 * - ocr: a Luhn-valid string of 2-25 digits. The length digit is not
 *   required: SPEC 12 counts "1230" (none) and "12351" (one) as valid
 *   OCR, as Bankgirot accepts OCR numbers checked by the Luhn digit alone.
 *   payref_ocr_length_ok() tells whether the length digit is there, as in
 *   every reference payref_make makes.
 * - scor: check digits 00, 01 and 99 are refused: ISO 11649 makes 02-98
 *   (98 minus a remainder), and 99 passes mod 97 wherever 02 does.
 * - kid: MOD10 (Luhn) only; the MOD11 variant of KID is not a scheme of
 *   SPEC 12. */
bool payref_valid(const char *ref, enum ref_scheme scheme);

/* ref (at least 2 characters) has the OCR length digit: its last but one
 * digit is its length mod 10. Says nothing about the check digit. */
bool payref_ocr_length_ok(const char *ref);

/* ref is valid by at least one scheme (SPEC 13: BAD_REFERENCE is "check
 * digits fail for every scheme"). *which (when not NULL) is set to the
 * first that fits in the order scor, qrr, fik, ocr with its length digit,
 * kid; left alone when none does. Being valid is the same as
 * payref_valid() being true for some scheme; which scheme is a hint for
 * messages, never for matching: the engine looks the whole string up in
 * cases.payment_reference (see the ambiguities above). */
bool payref_any_valid(const char *ref, enum ref_scheme *which);

/* The ids (case_ids) that ref can have been made from by payref_make: one
 * for each scheme whose reference of that id is ref, itself, the same id
 * counted once. A string of digits can be the kid (or fik) reference of
 * one id and the ocr reference of another: OCR(123) = KID(1235) =
 * "12351"; every other string names at most one. ref is normalised
 * already. Returns the count, 0 to PAYREF_IDS_MAX, ids in the order scor,
 * qrr, fik, kid, ocr. The loader looks a bank payment's case up by these
 * ids (the primary key of cases) and then compares the whole reference:
 * cases.payment_reference needs no index of its own (issue 17). */
#define PAYREF_IDS_MAX 2
int payref_ids(const char *ref, int64_t ids[PAYREF_IDS_MAX]);

/* A reference as written by a person or a bank, normalised (SPEC 13):
 * spaces removed, ASCII letters upper case. out may be in. Returns 0; -1
 * when in has a byte other than an ASCII letter, digit or space (tabs,
 * '-', '/', UTF-8 letters included); else -2 when the result does not fit
 * in size bytes (with PAYREF_SIZE bytes: longer than any reference, so
 * valid by no scheme). On error out is "" (size > 0). An empty or
 * all-space in gives "" and 0 (no reference: the caller decides,
 * NO_REFERENCE in SPEC 13). */
int payref_normalise(char *out, size_t size, const char *in);

/* The printed form of SPEC 12's last paragraph (PDF only): qrr in groups
 * of five counted from the right ("21 00000 00003 13947 14300 09017"), the
 * others in groups of four from the left ("RF18 5390 0754 7034").
 * PAYREF_GROUPED_SIZE bytes are enough for any reference. Returns 0, or
 * -1 (out "" when size > 0) when it does not fit. ref is not checked. */
int payref_format_groups(char *out, size_t size, const char *ref, enum ref_scheme scheme);

/* iban (electronic form, no spaces) is a Swiss or Liechtenstein QR-IBAN:
 * CH or LI, 21 characters, valid mod 97, institution id (IID, positions
 * 5-9) 30000-31999. qrr references need the agency's CHF account to be one
 * (SPEC 12). */
bool payref_qr_iban(const char *iban);

#endif
