/* Unit tests for common/payref.c (SPEC 12, v2).
 *
 * Expected references come from two places, never from payref_make itself:
 * - constants: SPEC 12's test vectors, and references computed once by a
 *   separate Python script (str.zfill, int(c, 36), a Luhn summing from the
 *   right) and copied here;
 * - for every id 1..100000 and some large ones: a reference built in this
 *   file by its own check-digit code (Luhn summed from the left with the
 *   parity of the length, recursive mod 10 as "the carry ends at 0",
 *   mod 97 over the digit expansion in chunks of nine digits) and
 *   snprintf for the digits of the id.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "payref.h"

Suite *payref_suite(void);

#define SPEC_QRR "210000000003139471430009017"
#define SPEC_SCOR "RF18539007547034"
#define SPEC_FIK "026840149965328"
#define BIG_IDS_COUNT 6
static const int64_t big_ids[BIG_IDS_COUNT] = {
	INT64_C(99999999999999),   /* the largest fik id: 14 digits */
	INT64_C(100000000000000),  /* one digit more */
	INT64_C(1234567890123456), /* 16 digits */
	INT64_C(999999999999999999),
	INT64_C(1000000000000000000),
	INT64_MAX, /* 9223372036854775807, 19 digits */
};
#define LAST_SMALL_ID 100000

/* For the loops over millions of cases: ck_assert records every passed
 * assertion with the parent process (a write each), which makes those
 * loops take minutes; this reports only a failure. */
#define REQUIRE(cond, ...)                         \
	do {                                       \
		if (!(cond))                       \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* ---- an independent implementation of the check digits ---- */

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Luhn from the left: a digit is doubled when an odd number of digits
 * follow it. */
static bool ref_luhn_ok(const char *s, size_t n)
{
	int sum = 0;

	if (n == 0 || !all_digits(s, n))
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = s[i] - '0';

		if ((n - 1 - i) % 2 == 1) {
			d *= 2;
			d = d / 10 + d % 10;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

/* Recursive mod 10 with its check digit: the carry after the last digit
 * is 0 (the table is a permutation with 0 only at 0). */
static bool ref_mod10r_ok(const char *s, size_t n)
{
	static const int table[10] = { 0, 9, 4, 6, 8, 2, 7, 1, 3, 5 };
	int carry = 0;

	if (n == 0 || !all_digits(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		carry = table[(carry + s[i] - '0') % 10];
	return carry == 0;
}

/* The remainder mod 97 of s with its first four characters moved to the
 * end, letters as two digits: expanded to a digit string first, then
 * reduced nine digits at a time. -1 for another character. */
static int ref_mod97(const char *s)
{
	char digits[256];
	size_t n = strlen(s);
	size_t k = 0;
	uint64_t rem = 0;

	REQUIRE(n >= 4, "'%s' is too short", s);
	for (size_t j = 0; j < n; j++) {
		char c = s[(j + 4) % n];

		if (c >= '0' && c <= '9') {
			digits[k++] = c;
		} else if (c >= 'A' && c <= 'Z') {
			digits[k++] = (char)('0' + (c - 'A' + 10) / 10);
			digits[k++] = (char)('0' + (c - 'A' + 10) % 10);
		} else {
			return -1;
		}
		REQUIRE(k < sizeof(digits) - 2, "'%s' is too long", s);
	}
	for (size_t i = 0; i < k; i += 9) {
		uint64_t chunk = 0;
		uint64_t scale = 1;

		for (size_t j = i; j < k && j < i + 9; j++) {
			chunk = chunk * 10 + (uint64_t)(digits[j] - '0');
			scale *= 10;
		}
		rem = (rem * scale + chunk) % 97;
	}
	return (int)rem;
}

/* The expected reference of id by scheme: the id's digits, and each check
 * digit found by trying 0-9 (00-99 for scor, keeping 02-98) against the
 * checks above. */
static void expected_ref(char *out, size_t size, enum ref_scheme scheme, int64_t id)
{
	char num[24];
	int len = snprintf(num, sizeof(num), "%lld", (long long)id);
	int found = 0;

	REQUIRE(len > 0, "snprintf");
	switch (scheme) {
	case REF_QRR:
		snprintf(out, size, "%026lldX", (long long)id);
		break;
	case REF_FIK:
		snprintf(out, size, "%014lldX", (long long)id);
		break;
	case REF_KID:
		snprintf(out, size, "%sX", num);
		break;
	case REF_OCR:
		snprintf(out, size, "%s%dX", num, (len + 2) % 10);
		break;
	case REF_SCOR:
		for (int cc = 2; cc <= 98; cc++) {
			char try[40];

			snprintf(try, sizeof(try), "RF%02d%s", cc, num);
			if (ref_mod97(try) == 1) {
				snprintf(out, size, "%s", try);
				found++;
			}
		}
		REQUIRE(found == 1, "%d scor check digits for %lld", found, (long long)id);
		return;
	default:
		ck_abort_msg("scheme %d", (int)scheme);
	}
	for (int d = 0; d <= 9; d++) {
		size_t n = strlen(out);

		out[n - 1] = (char)('0' + d);
		if (scheme == REF_QRR ? ref_mod10r_ok(out, n) : ref_luhn_ok(out, n)) {
			found++;
			break;
		}
	}
	REQUIRE(found == 1, "no check digit for %lld", (long long)id);
}

/* ---- SPEC 12 and constants from the Python script ---- */

START_TEST(test_spec_vectors)
{
	ck_assert(payref_valid(SPEC_QRR, REF_QRR));
	ck_assert(!payref_valid("210000000003139471430009016", REF_QRR));
	ck_assert(payref_valid(SPEC_SCOR, REF_SCOR));
	ck_assert(!payref_valid("RF17539007547034", REF_SCOR));
	/* both valid OCR: "1230" by Luhn alone, "12351" with a length digit */
	ck_assert(payref_valid("1230", REF_OCR));
	ck_assert(!payref_ocr_length_ok("1230"));
	ck_assert(payref_valid("12351", REF_OCR));
	ck_assert(payref_ocr_length_ok("12351"));
	ck_assert(payref_valid("2345676", REF_KID));
	ck_assert(payref_valid(SPEC_FIK, REF_FIK));
	ck_assert(!payref_valid("026840149965327", REF_FIK));
}
END_TEST

struct known {
	int64_t id;
	const char *qrr, *scor, *ocr, *kid, *fik; /* fik NULL: too large */
};

/* From the Python script (see the top of the file). */
static const struct known known_refs[] = {
	{ 1, "000000000000000000000000011", "RF741", "133", "18", "000000000000018" },
	{ 9, "000000000000000000000000095", "RF529", "935", "91", "000000000000091" },
	{ 10, "000000000000000000000000105", "RF2510", "1040", "109", "000000000000109" },
	{ 42, "000000000000000000000000420", "RF3442", "4242", "422", "000000000000422" },
	{ 99, "000000000000000000000000992", "RF4799", "9944", "992", "000000000000992" },
	{ 100, "000000000000000000000001008", "RF20100", "10058", "1008", "000000000001008" },
	{ 12345, "000000000000000000000123457", "RF7812345", "1234574", "123455",
	  "000000000123455" },
	{ 123456789, "000000000000000001234567894", "RF18123456789", "12345678911",
	  "1234567897", "000001234567897" },
	{ INT64_C(99999999999999), "000000000000999999999999992", "RF5599999999999999",
	  "9999999999999961", "999999999999994", "999999999999994" },
	{ INT64_MAX, "000000092233720368547758075", "RF329223372036854775807",
	  "922337203685477580710", "92233720368547758074", NULL },
};

static void check_make(enum ref_scheme scheme, int64_t id, const char *want)
{
	char out[PAYREF_SIZE];
	struct err e = ERR_INIT;

	if (want == NULL) {
		ck_assert_int_eq(payref_make(out, sizeof(out), scheme, id, &e), ERR_LIMIT);
		return;
	}
	ck_assert_msg(payref_make(out, sizeof(out), scheme, id, &e) == 0, "%s %lld: %s",
		      ref_scheme_name(scheme), (long long)id, e.message);
	ck_assert_str_eq(out, want);
}

START_TEST(test_known_refs)
{
	for (size_t i = 0; i < sizeof(known_refs) / sizeof(known_refs[0]); i++) {
		const struct known *k = &known_refs[i];

		check_make(REF_QRR, k->id, k->qrr);
		check_make(REF_SCOR, k->id, k->scor);
		check_make(REF_OCR, k->id, k->ocr);
		check_make(REF_KID, k->id, k->kid);
		check_make(REF_FIK, k->id, k->fik);
	}
	/* SPEC 12's vectors made again from their ids (its qrr has 26 digits) */
	check_make(REF_SCOR, INT64_C(539007547034), SPEC_SCOR);
	check_make(REF_FIK, INT64_C(2684014996532), SPEC_FIK);
	check_make(REF_OCR, 123, "12351");
	check_make(REF_KID, 234567, "2345676");
}
END_TEST

/* ---- every id 1..100000 and the large ones, per scheme ---- */

static size_t expected_len(enum ref_scheme scheme, size_t id_digits)
{
	switch (scheme) {
	case REF_QRR:
		return 27;
	case REF_FIK:
		return 15;
	case REF_KID:
		return id_digits + 1;
	case REF_OCR:
		return id_digits + 2;
	case REF_SCOR:
		return id_digits + 4;
	default:
		ck_abort_msg("scheme %d", (int)scheme);
	}
	return 0;
}

/* The reference of id is the expected one and valid for scheme; each
 * change of one digit to another digit (of "RF" to another letter) makes
 * it invalid. */
static void check_one(enum ref_scheme scheme, int64_t id)
{
	char got[PAYREF_SIZE];
	char want[48];
	char num[32];
	struct err e = ERR_INIT;
	enum ref_scheme which = REF__COUNT;
	size_t n;

	REQUIRE(payref_make(got, sizeof(got), scheme, id, &e) == 0, "%s", e.message);
	expected_ref(want, sizeof(want), scheme, id);
	REQUIRE(strcmp(got, want) == 0, "%s of %lld: '%s', want '%s'", ref_scheme_name(scheme),
		(long long)id, got, want);
	n = strlen(got);
	REQUIRE(n == expected_len(scheme, (size_t)snprintf(num, sizeof(num), "%lld", (long long)id)),
		"'%s' has %zu characters", got, n);
	REQUIRE(payref_valid(got, scheme), "'%s' not valid %s", got, ref_scheme_name(scheme));
	REQUIRE(payref_any_valid(got, &which), "'%s' not valid by any scheme", got);
	if (scheme == REF_OCR)
		REQUIRE(payref_ocr_length_ok(got), "'%s' has no length digit", got);
	{
		/* the reference leads back to its id */
		int64_t ids[PAYREF_IDS_MAX];
		int k = payref_ids(got, ids);
		bool found = false;

		for (int j = 0; j < k; j++)
			found = found || ids[j] == id;
		REQUIRE(found, "%s '%s': %d ids, not %lld among them", ref_scheme_name(scheme), got, k,
			(long long)id);
	}

	for (size_t i = 0; i < n; i++) {
		char keep = got[i];
		bool letter = keep >= 'A' && keep <= 'Z';

		for (char c = letter ? 'A' : '0'; c <= (letter ? 'Z' : '9'); c++) {
			if (c == keep)
				continue;
			got[i] = c;
			REQUIRE(!payref_valid(got, scheme), "%s '%s' valid", ref_scheme_name(scheme),
				got);
		}
		got[i] = keep;
	}
}

START_TEST(test_make_every_id)
{
	enum ref_scheme scheme = (enum ref_scheme)_i;

	for (int64_t id = 1; id <= LAST_SMALL_ID; id++)
		check_one(scheme, id);
	for (size_t i = 0; i < BIG_IDS_COUNT; i++)
		if (scheme != REF_FIK || big_ids[i] <= INT64_C(99999999999999))
			check_one(scheme, big_ids[i]);
}
END_TEST

/* ---- errors ---- */

#define MAKE_FAILS(scheme, id, size, want_, words)                                         \
	do {                                                                               \
		char out_[PAYREF_SIZE] = "untouched";                                      \
		struct err e_ = ERR_INIT;                                                  \
		ck_assert_int_eq(payref_make(out_, (size), (scheme), (id), &e_), (want_)); \
		ck_assert_int_eq(e_.code, (want_));                                        \
		ck_assert_msg(strstr(e_.message, (words)) != NULL, "message '%s'",         \
			      e_.message);                                                 \
		if ((size) > 0)                                                            \
			ck_assert_str_eq(out_, "");                                        \
	} while (0)

START_TEST(test_make_errors)
{
	char out[PAYREF_SIZE];

	for (int s = 0; s < REF__COUNT; s++) {
		MAKE_FAILS((enum ref_scheme)s, 0, PAYREF_SIZE, ERR_USAGE, "must be positive");
		MAKE_FAILS((enum ref_scheme)s, -1, PAYREF_SIZE, ERR_USAGE, "must be positive");
		MAKE_FAILS((enum ref_scheme)s, INT64_MIN, PAYREF_SIZE, ERR_USAGE, "must be positive");
	}
	MAKE_FAILS(REF__COUNT, 1, PAYREF_SIZE, ERR_USAGE, "unknown scheme");
	MAKE_FAILS((enum ref_scheme)-1, 1, PAYREF_SIZE, ERR_USAGE, "unknown scheme");
	/* fik holds 14 digits; the others every int64_t (see known_refs) */
	MAKE_FAILS(REF_FIK, INT64_C(100000000000000), PAYREF_SIZE, ERR_LIMIT, "at most 14 digits");
	MAKE_FAILS(REF_FIK, INT64_MAX, PAYREF_SIZE, ERR_LIMIT, "at most 14 digits");
	/* the buffer: the length plus NUL fits, one byte less does not */
	MAKE_FAILS(REF_QRR, 1, 27, ERR_LIMIT, "needs 28 bytes, not 27");
	MAKE_FAILS(REF_SCOR, 1, 5, ERR_LIMIT, "needs 6 bytes, not 5");
	MAKE_FAILS(REF_OCR, 1, 3, ERR_LIMIT, "needs 4 bytes");
	MAKE_FAILS(REF_KID, 1, 2, ERR_LIMIT, "needs 3 bytes");
	MAKE_FAILS(REF_FIK, 1, 1, ERR_LIMIT, "needs 16 bytes");
	MAKE_FAILS(REF_KID, 1, 0, ERR_LIMIT, "needs 3 bytes");
	ck_assert_int_eq(payref_make(out, 28, REF_QRR, 1, NULL), 0);
	ck_assert_int_eq(payref_make(out, 6, REF_SCOR, 1, NULL), 0);
	ck_assert_str_eq(out, "RF741");
	ck_assert_int_eq(payref_make(out, 3, REF_KID, 1, NULL), 0);
	ck_assert_str_eq(out, "18");
	/* a NULL err is allowed, the code still comes back */
	ck_assert_int_eq(payref_make(out, sizeof(out), REF_KID, 0, NULL), ERR_USAGE);
}
END_TEST

/* ---- the forms payref_valid refuses ---- */

START_TEST(test_valid_forms)
{
	/* qrr: exactly 27 digits */
	ck_assert(!payref_valid("21000000000313947143000901", REF_QRR));
	ck_assert(!payref_valid("0" SPEC_QRR, REF_QRR));
	ck_assert(!payref_valid("21000000000313947143000901A", REF_QRR));
	ck_assert(!payref_valid("", REF_QRR));
	/* scor: RF, two digits, 1-21 letters or digits */
	ck_assert(payref_valid("RF47ABC123", REF_SCOR));
	ck_assert(payref_valid("RF45G72UUR", REF_SCOR));
	ck_assert(!payref_valid("RF45G72UUr", REF_SCOR)); /* not normalised */
	ck_assert(!payref_valid("rf18539007547034", REF_SCOR));
	ck_assert(!payref_valid("RF18 5390 0754 7034", REF_SCOR));
	ck_assert(!payref_valid("RF18", REF_SCOR));
	ck_assert(!payref_valid("RF", REF_SCOR));
	ck_assert(!payref_valid("", REF_SCOR));
	ck_assert(!payref_valid("RFA8539007547034", REF_SCOR));
	ck_assert(!payref_valid("XF18539007547034", REF_SCOR));
	ck_assert(payref_valid("RF40123456789012345678901", REF_SCOR));  /* 25: the most */
	ck_assert(!payref_valid("RF191234567890123456789012", REF_SCOR)); /* 26, mod 97 = 1 */
	ck_assert_int_eq(ref_mod97("RF191234567890123456789012"), 1);
	/* check digits 00, 01, 99 pass mod 97 where 97, 98, 02 do; refused */
	ck_assert(payref_valid("RF0236", REF_SCOR));
	ck_assert(!payref_valid("RF9936", REF_SCOR));
	ck_assert_int_eq(ref_mod97("RF9936"), 1);
	ck_assert(payref_valid("RF9854", REF_SCOR));
	ck_assert(!payref_valid("RF0154", REF_SCOR));
	ck_assert_int_eq(ref_mod97("RF0154"), 1);
	ck_assert(payref_valid("RF9772", REF_SCOR));
	ck_assert(!payref_valid("RF0072", REF_SCOR));
	ck_assert_int_eq(ref_mod97("RF0072"), 1);
	/* ocr and kid: 2-25 digits, Luhn */
	for (int s = REF_OCR; s <= REF_KID; s++) {
		enum ref_scheme sc = (enum ref_scheme)s;

		ck_assert(payref_valid("00", sc));
		ck_assert(payref_valid("18", sc));
		ck_assert(!payref_valid("0", sc));
		ck_assert(!payref_valid("", sc));
		ck_assert(payref_valid("1234567890123456789012340", sc));
		ck_assert(!payref_valid("12345678901234567890123459", sc)); /* 26, Luhn ok */
		ck_assert(!payref_valid("1A", sc));
		ck_assert(!payref_valid("A8", sc));
		ck_assert(!payref_valid("1/", sc)); /* '/' - '0' is -1 */
		ck_assert(!payref_valid("/1", sc));
		ck_assert(!payref_valid("12 351", sc));
	}
	/* fik: exactly 15 digits */
	ck_assert(!payref_valid("26840149965328", REF_FIK));
	ck_assert(!payref_valid("0" SPEC_FIK, REF_FIK));
	ck_assert(payref_valid("999999999999994", REF_FIK));
	/* the OCR length digit, the check digit aside */
	ck_assert(payref_ocr_length_ok("12351"));
	ck_assert(payref_ocr_length_ok("23"));
	ck_assert(!payref_ocr_length_ok("10"));
	ck_assert(payref_ocr_length_ok("1234567801"));                /* 10: '0' */
	ck_assert(payref_ocr_length_ok("1234567890123456789012357")); /* 25: '5' */
	ck_assert(!payref_ocr_length_ok("1234567890123456789012345"));
	ck_assert(!payref_ocr_length_ok("1"));
	ck_assert(!payref_ocr_length_ok(""));
}
END_TEST

/* ---- payref_any_valid ---- */

START_TEST(test_any_valid_vectors)
{
	enum ref_scheme which = REF__COUNT;

	ck_assert(payref_any_valid(SPEC_QRR, &which));
	ck_assert_int_eq(which, REF_QRR);
	ck_assert(payref_any_valid(SPEC_SCOR, &which));
	ck_assert_int_eq(which, REF_SCOR);
	ck_assert(payref_any_valid(SPEC_FIK, &which));
	ck_assert_int_eq(which, REF_FIK); /* also a valid ocr and kid string */
	ck_assert(payref_any_valid("12351", &which));
	ck_assert_int_eq(which, REF_OCR); /* also KID(1235) */
	ck_assert(payref_any_valid("1230", &which));
	ck_assert_int_eq(which, REF_KID); /* valid ocr too, but without a length digit */
	ck_assert(payref_any_valid("2345676", &which));
	ck_assert_int_eq(which, REF_OCR); /* SPEC's KID has a length digit by chance: 7 */
	ck_assert(payref_any_valid("RF47ABC123", NULL));

	which = REF__COUNT;
	ck_assert(!payref_any_valid("210000000003139471430009016", &which));
	ck_assert(!payref_any_valid("RF17539007547034", &which));
	ck_assert(!payref_any_valid("026840149965327", &which));
	ck_assert(!payref_any_valid("12352", &which));
	ck_assert(!payref_any_valid("", &which));
	ck_assert(!payref_any_valid("0", &which));
	ck_assert(!payref_any_valid("12345678901234567890123459", &which)); /* 26 digits */
	ck_assert(!payref_any_valid("INVOICE 4711", &which));
	ck_assert_int_eq(which, REF__COUNT); /* left alone */
}
END_TEST

/* Over every digit string of 1 to 6 digits: valid by any scheme exactly
 * when valid by one, and for 2-6 digits (only ocr and kid have such
 * lengths) one string in ten, as a Luhn digit allows. */
START_TEST(test_any_valid_is_the_union)
{
	char s[8];
	uint64_t limit = 1;

	for (int len = 1; len <= 6; len++) {
		uint64_t count = 0;

		limit *= 10;
		for (uint64_t v = 0; v < limit; v++) {
			bool one = false;
			enum ref_scheme which = REF__COUNT;

			snprintf(s, sizeof(s), "%0*llu", len, (unsigned long long)v);
			for (int k = 0; k < REF__COUNT; k++)
				one = one || payref_valid(s, (enum ref_scheme)k);
			REQUIRE(payref_any_valid(s, &which) == one, "'%s'", s);
			if (one) {
				REQUIRE(payref_valid(s, which), "'%s' not valid as %d", s, (int)which);
				REQUIRE(which == REF_OCR || which == REF_KID, "'%s' is %d", s, (int)which);
				REQUIRE(ref_luhn_ok(s, (size_t)len), "'%s' not Luhn", s);
			}
			count += one;
		}
		ck_assert_uint_eq(count, len == 1 ? 0 : limit / 10);
	}
}
END_TEST

/* The collision the header warns about: OCR(n) is KID(10 n + its length
 * digit), the same string for two cases. */
START_TEST(test_ocr_kid_collide)
{
	char ocr[PAYREF_SIZE];
	char kid[PAYREF_SIZE];

	for (int64_t n = 1; n <= 1000; n++) {
		int64_t digits = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : 4;

		ck_assert_int_eq(payref_make(ocr, sizeof(ocr), REF_OCR, n, NULL), 0);
		ck_assert_int_eq(payref_make(kid, sizeof(kid), REF_KID, n * 10 + (digits + 2) % 10,
					     NULL),
				 0);
		ck_assert_str_eq(ocr, kid);
	}
}
END_TEST

/* ---- payref_ids ---- */

#define IDS(ref, count, a, b)                                              \
	do {                                                               \
		int64_t ids_[PAYREF_IDS_MAX] = { -1, -1 };                 \
		ck_assert_int_eq(payref_ids((ref), ids_), (count));        \
		if ((count) > 0)                                           \
			ck_assert_int_eq(ids_[0], (a));                    \
		if ((count) > 1)                                           \
			ck_assert_int_eq(ids_[1], (b));                    \
	} while (0)

START_TEST(test_ids)
{
	/* one id each, by the known references above */
	IDS("000000000000000000000000011", 1, 1, 0); /* qrr */
	IDS("RF741", 1, 1, 0);
	IDS("RF329223372036854775807", 1, INT64_MAX, 0);
	IDS("000000000000018", 1, 1, 0); /* fik; not kid: kid has no zeros in front */
	IDS("18", 1, 1, 0);              /* kid; too short for ocr */
	IDS("1230", 1, 123, 0);          /* kid(123); ocr without the length digit */
	/* SPEC 12's collision: kid of 1235 and ocr of 123 */
	IDS("12351", 2, 1235, 123);
	IDS("133", 2, 13, 1); /* every ocr reference is a kid one: OCR(1) = KID(13) */
	IDS("0133", 0, 0, 0); /* neither pads with zeros */
	/* fik and kid of the same id count once: 15 digits, no zero in front */
	IDS("999999999999994", 1, INT64_C(99999999999999), 0);
	/* nothing: check digits wrong, not a reference, an id beyond int64 */
	IDS("RF17539007547034", 0, 0, 0);
	IDS("000000000000000000000000012", 0, 0, 0);
	IDS("000000000000018X", 0, 0, 0);
	IDS("", 0, 0, 0);
	IDS("0", 0, 0, 0);
	IDS("00", 0, 0, 0);
	IDS("RF", 0, 0, 0);
	IDS("RF00", 0, 0, 0);
	IDS("RF33X", 0, 0, 0);
	IDS("99999999999999999999999995", 0, 0, 0);
}
END_TEST

/* ---- payref_normalise ---- */

#define NORM(in, want)                                                           \
	do {                                                                     \
		char out_[PAYREF_SIZE + 8];                                      \
		ck_assert_int_eq(payref_normalise(out_, sizeof(out_), (in)), 0); \
		ck_assert_str_eq(out_, (want));                                  \
	} while (0)
#define NORM_FAILS(in, size, code)                                              \
	do {                                                                    \
		char out_[64] = "untouched";                                    \
		ck_assert_int_eq(payref_normalise(out_, (size), (in)), (code)); \
		if ((size) > 0)                                                 \
			ck_assert_str_eq(out_, "");                             \
		else                                                            \
			ck_assert_str_eq(out_, "untouched");                    \
	} while (0)

START_TEST(test_normalise)
{
	char buf[64];

	NORM("rf18 5390 0754 7034", SPEC_SCOR);
	NORM("RF18539007547034", SPEC_SCOR);
	NORM("21 00000 00003 13947 14300 09017", SPEC_QRR);
	NORM("  12351  ", "12351");
	NORM("aBcXyZ09", "ABCXYZ09");
	NORM("", "");
	NORM("    ", "");
	NORM_FAILS("RF18-5390", 64, -1);
	NORM_FAILS("12\t351", 64, -1);
	NORM_FAILS("1235\n", 64, -1);
	NORM_FAILS("RF18.5390", 64, -1);
	NORM_FAILS("R\xc3\x9c" "18", 64, -1); /* a UTF-8 letter */
	NORM_FAILS("\xff", 64, -1);
	/* the size: the characters kept plus NUL */
	ck_assert_int_eq(payref_normalise(buf, 6, "1 2 3 5 1"), 0);
	ck_assert_str_eq(buf, "12351");
	NORM_FAILS("1 2 3 5 1", 5, -2);
	NORM_FAILS("1", 1, -2);
	NORM_FAILS("", 0, -2);
	NORM_FAILS("1", 0, -2);
	ck_assert_int_eq(payref_normalise(buf, 1, "   "), 0);
	ck_assert_str_eq(buf, "");
	/* a bad character wins over the length */
	NORM_FAILS("123456-", 3, -1);
	/* in place */
	snprintf(buf, sizeof(buf), "%s", "rf18 5390 0754 7034");
	ck_assert_int_eq(payref_normalise(buf, sizeof(buf), buf), 0);
	ck_assert_str_eq(buf, SPEC_SCOR);
	/* what a bank sends, normalised, is checked as SPEC 13 says */
	ck_assert_int_eq(payref_normalise(buf, sizeof(buf), "21 00000 00003 13947 14300 09017"), 0);
	ck_assert(payref_any_valid(buf, NULL));
}
END_TEST

/* ---- payref_format_groups ---- */

#define GROUPS(ref, scheme, want)                                                               \
	do {                                                                                    \
		char out_[PAYREF_GROUPED_SIZE];                                                 \
		ck_assert_int_eq(payref_format_groups(out_, sizeof(out_), (ref), (scheme)), 0); \
		ck_assert_str_eq(out_, (want));                                                 \
	} while (0)

START_TEST(test_format_groups)
{
	char out[PAYREF_GROUPED_SIZE] = "untouched";

	GROUPS(SPEC_QRR, REF_QRR, "21 00000 00003 13947 14300 09017");
	GROUPS("000000000000000000000000011", REF_QRR, "00 00000 00000 00000 00000 00011");
	GROUPS(SPEC_SCOR, REF_SCOR, "RF18 5390 0754 7034");
	GROUPS("RF741", REF_SCOR, "RF74 1");
	GROUPS("RF40123456789012345678901", REF_SCOR, "RF40 1234 5678 9012 3456 7890 1");
	GROUPS("12351", REF_OCR, "1235 1");
	GROUPS("1234567890123456789012340", REF_OCR, "1234 5678 9012 3456 7890 1234 0");
	GROUPS("2345676", REF_KID, "2345 676");
	GROUPS("18", REF_KID, "18");
	GROUPS("2345", REF_KID, "2345");
	GROUPS(SPEC_FIK, REF_FIK, "0268 4014 9965 328");
	GROUPS("", REF_SCOR, "");
	GROUPS("", REF_QRR, "");
	GROUPS("12345", REF_QRR, "12345");
	GROUPS("123456", REF_QRR, "1 23456");
	/* 27 + 5 spaces + NUL = 33 = PAYREF_GROUPED_SIZE; one less fails */
	ck_assert_int_eq(payref_format_groups(out, 33, SPEC_QRR, REF_QRR), 0);
	ck_assert_int_eq(payref_format_groups(out, 32, SPEC_QRR, REF_QRR), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(payref_format_groups(out, 7, "RF741", REF_SCOR), 0);
	ck_assert_str_eq(out, "RF74 1");
	ck_assert_int_eq(payref_format_groups(out, 6, "RF741", REF_SCOR), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(payref_format_groups(out, 0, "", REF_SCOR), -1);
	/* normalising the printed form gives the reference back */
	ck_assert_int_eq(payref_format_groups(out, sizeof(out), SPEC_QRR, REF_QRR), 0);
	ck_assert_int_eq(payref_normalise(out, sizeof(out), out), 0);
	ck_assert_str_eq(out, SPEC_QRR);
}
END_TEST

/* ---- payref_qr_iban ---- */

START_TEST(test_qr_iban)
{
	ck_assert(payref_qr_iban("CH4431999123000889012"));  /* SPEC 3's account.CHF */
	ck_assert(!payref_qr_iban("CH9300762011623852957")); /* SPEC 3's account.EUR: IID 00762 */
	/* made with the Python script's mod 97 */
	ck_assert(payref_qr_iban("CH5730000123000889012"));  /* IID 30000 */
	ck_assert(payref_qr_iban("CH2731999ABCDEF123456"));  /* letters in the account part */
	ck_assert(payref_qr_iban("LI7030000123456789012"));  /* Liechtenstein */
	ck_assert(!payref_qr_iban("CH4929999123000889012")); /* IID 29999, valid IBAN */
	ck_assert(!payref_qr_iban("CH5232000123000889012")); /* IID 32000, valid IBAN */
	ck_assert(!payref_qr_iban("LI4421000123456789012")); /* IID 21000, valid IBAN */
	ck_assert(!payref_qr_iban("DE68300001234567890123")); /* not CH or LI */
	ck_assert(!payref_qr_iban("CH4431999123000889013")); /* check digits fail */
	ck_assert(!payref_qr_iban("CH4531999123000889012"));
	ck_assert(!payref_qr_iban("ch4431999123000889012"));
	ck_assert(!payref_qr_iban("CH4431999123000889012 "));
	ck_assert(!payref_qr_iban("CH44 3199 9123 0008 8901 2"));
	ck_assert(!payref_qr_iban("CH443199912300088901"));
	ck_assert(!payref_qr_iban("CH44319991230008890120"));
	ck_assert(!payref_qr_iban("CH443A999123000889012"));
	ck_assert(!payref_qr_iban(""));
}
END_TEST

Suite *payref_suite(void)
{
	Suite *s = suite_create("payref");
	TCase *tc = tcase_create("payref");
	TCase *tc_ids = tcase_create("every id");

	tcase_add_test(tc, test_spec_vectors);
	tcase_add_test(tc, test_known_refs);
	tcase_add_test(tc, test_make_errors);
	tcase_add_test(tc, test_valid_forms);
	tcase_add_test(tc, test_any_valid_vectors);
	tcase_add_test(tc, test_any_valid_is_the_union);
	tcase_add_test(tc, test_ocr_kid_collide);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_normalise);
	tcase_add_test(tc, test_format_groups);
	tcase_add_test(tc, test_qr_iban);
	suite_add_tcase(s, tc);
	/* one test per scheme: 100000 ids, each with every one-character
	 * change */
	tcase_add_loop_test(tc_ids, test_make_every_id, 0, REF__COUNT);
	tcase_set_timeout(tc_ids, 120);
	suite_add_tcase(s, tc_ids);
	return s;
}
