/* payref.c: see payref.h. */
#include "payref.h"

#include <assert.h>
#include <string.h>

#include "checkdigit.h"

/* Decimal digits of a positive int64_t. */
#define ID_DIGITS_MAX 19
/* qrr and fik: the id padded with zeros to this many digits. */
#define QRR_ID_DIGITS (PAYREF_QRR_LEN - 1)
#define FIK_ID_DIGITS (PAYREF_FIK_LEN - 1)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

/* A scheme's form (SPEC 12's table): how it makes a reference of an id
 * and what a valid one looks like. scor, with its check digits in front
 * and letters allowed, is made by make_scor and checked by scor_ok. */
struct form {
	size_t min_len, max_len; /* of a valid reference */
	size_t max_id_digits;
	size_t pad;        /* the id padded with zeros to this width; 0: as it is */
	bool length_digit; /* ocr: the total length mod 10 before the check digit */
	int (*check)(const char *digits, size_t n); /* the last digit, of the others */
};

static const struct form forms[REF__COUNT] = {
	[REF_SCOR] = { PAYREF_SCOR_MIN, PAYREF_SCOR_MAX, PAYREF_SCOR_MAX - 4, 0, false, NULL },
	[REF_QRR] = { PAYREF_QRR_LEN, PAYREF_QRR_LEN, QRR_ID_DIGITS, QRR_ID_DIGITS, false,
		      checkdigit_mod10r },
	[REF_OCR] = { PAYREF_DIGITS_MIN, PAYREF_DIGITS_MAX, PAYREF_DIGITS_MAX - 2, 0, true,
		      checkdigit_luhn },
	[REF_KID] = { PAYREF_DIGITS_MIN, PAYREF_DIGITS_MAX, PAYREF_DIGITS_MAX - 1, 0, false,
		      checkdigit_luhn },
	[REF_FIK] = { PAYREF_FIK_LEN, PAYREF_FIK_LEN, FIK_ID_DIGITS, FIK_ID_DIGITS, false,
		      checkdigit_luhn },
};

/* The decimal digits of id > 0 into buf, most significant first, no NUL;
 * returns their count. */
static size_t id_digits(char buf[ID_DIGITS_MAX], int64_t id)
{
	uint64_t v = (uint64_t)id;
	size_t n = 0;
	size_t i = ID_DIGITS_MAX;

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
		n++;
	} while (v != 0);
	if (i > 0)
		memmove(buf, buf + i, n);
	return n;
}

/* digits[0..n) into ref padded with zeros on the left to width; returns
 * width. */
static size_t put_padded(char *ref, const char *digits, size_t n, size_t width)
{
	memset(ref, '0', width - n);
	memcpy(ref + width - n, digits, n);
	return width;
}

/* A digit 0-9 appended to ref[0..len); returns the new length. */
static size_t put_digit(char *ref, size_t len, int digit)
{
	assert(digit >= 0 && digit <= 9);
	ref[len] = (char)('0' + digit);
	return len + 1;
}

/* ISO 11649: "RF", then 98 minus the remainder of the reference with "00"
 * in place of the check digits, then the id. */
static size_t make_scor(char *ref, const char *digits, size_t nd)
{
	int rem;

	ref[0] = 'R';
	ref[1] = 'F';
	ref[2] = '0';
	ref[3] = '0';
	memcpy(ref + 4, digits, nd);
	rem = checkdigit_mod97(ref, 4 + nd);
	assert(rem >= 0);
	ref[2] = (char)('0' + (98 - rem) / 10);
	ref[3] = (char)('0' + (98 - rem) % 10);
	return 4 + nd;
}

int payref_make(char *out, size_t size, enum ref_scheme scheme, int64_t id, struct err *e)
{
	char ref[PAYREF_SIZE];
	char digits[ID_DIGITS_MAX];
	size_t nd;
	size_t len;

	assert(out != NULL);
	if (size > 0)
		out[0] = '\0';
	if ((unsigned)scheme >= REF__COUNT)
		return ERR_SET(e, ERR_USAGE, "cannot make a payment reference: unknown scheme %d",
			       (int)scheme);
	if (id <= 0)
		return ERR_SET(e, ERR_USAGE,
			       "cannot make a %s payment reference of %lld: the number must be positive",
			       ref_scheme_name(scheme), (long long)id);
	nd = id_digits(digits, id);
	if (nd > forms[scheme].max_id_digits)
		return ERR_SET(e, ERR_LIMIT,
			       "cannot make a %s payment reference of %lld: it holds at most %zu digits",
			       ref_scheme_name(scheme), (long long)id, forms[scheme].max_id_digits);

	if (scheme == REF_SCOR) {
		len = make_scor(ref, digits, nd);
	} else {
		const struct form *f = &forms[scheme];

		len = put_padded(ref, digits, nd, f->pad != 0 ? f->pad : nd);
		if (f->length_digit)
			len = put_digit(ref, len, (int)((nd + 2) % 10));
		len = put_digit(ref, len, f->check(ref, len));
	}
	if (len + 1 > size)
		return ERR_SET(e, ERR_LIMIT,
			       "cannot make a %s payment reference of %lld: it needs %zu bytes, not %zu",
			       ref_scheme_name(scheme), (long long)id, len + 1, size);
	memcpy(out, ref, len);
	out[len] = '\0';
	return 0;
}

static bool scor_ok(const char *ref, size_t n)
{
	int check;

	if (n < PAYREF_SCOR_MIN || n > PAYREF_SCOR_MAX || ref[0] != 'R' || ref[1] != 'F' ||
	    !is_digit(ref[2]) || !is_digit(ref[3]))
		return false;
	check = (ref[2] - '0') * 10 + (ref[3] - '0');
	return check >= 2 && check <= 98 && checkdigit_mod97(ref, n) == 1;
}

bool payref_valid(const char *ref, enum ref_scheme scheme)
{
	const struct form *f;
	size_t n;

	assert(ref != NULL);
	if ((unsigned)scheme >= REF__COUNT) {
		assert(!"unknown payment reference scheme");
		return false;
	}
	n = strlen(ref);
	if (scheme == REF_SCOR)
		return scor_ok(ref, n);
	f = &forms[scheme];
	/* the last byte a digit: f->check's -1 for a non-digit must not
	 * meet '/' - '0' */
	return n >= f->min_len && n <= f->max_len && is_digit(ref[n - 1]) &&
	       f->check(ref, n - 1) == ref[n - 1] - '0';
}

bool payref_ocr_length_ok(const char *ref)
{
	size_t n;

	assert(ref != NULL);
	n = strlen(ref);
	return n >= 2 && ref[n - 2] == (char)('0' + n % 10);
}

bool payref_any_valid(const char *ref, enum ref_scheme *which)
{
	/* The most constrained first; ocr before kid only with its length
	 * digit, since without it the two accept the same strings. */
	static const enum ref_scheme order[] = { REF_SCOR, REF_QRR, REF_FIK, REF_OCR, REF_KID };

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!payref_valid(ref, order[i]))
			continue;
		if (order[i] == REF_OCR && !payref_ocr_length_ok(ref))
			continue;
		if (which != NULL)
			*which = order[i];
		return true;
	}
	return false;
}

/* out emptied (when it has room) and code returned. */
/* The id that ref would have been made from by scheme, read from where
 * payref_make puts it (no check): 0 when that part is not a number of at
 * most ID_DIGITS_MAX significant digits. */
static int64_t read_id(const char *ref, size_t n, enum ref_scheme scheme)
{
	size_t from = scheme == REF_SCOR ? 4 : 0;
	size_t to = n - (scheme == REF_SCOR ? 0 : 1 + (forms[scheme].length_digit ? 1 : 0));
	uint64_t v = 0;
	size_t sig = 0;

	if (n < 2 || to <= from || to > n)
		return 0;
	for (size_t i = from; i < to; i++) {
		if (!is_digit(ref[i]))
			return 0;
		if (sig > 0 || ref[i] != '0')
			sig++;
		if (sig > ID_DIGITS_MAX)
			return 0;
		v = v * 10 + (uint64_t)(ref[i] - '0');
	}
	return v > (uint64_t)INT64_MAX ? 0 : (int64_t)v;
}

int payref_ids(const char *ref, int64_t ids[PAYREF_IDS_MAX])
{
	static const enum ref_scheme order[] = { REF_SCOR, REF_QRR, REF_FIK, REF_KID, REF_OCR };
	size_t n;
	int count = 0;

	assert(ref != NULL);
	n = strlen(ref);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		char made[PAYREF_SIZE];
		int64_t id = read_id(ref, n, order[i]);
		bool seen = false;

		/* the id's reference by the scheme is ref itself: the form, the
		 * padding and the check digits are payref_make's */
		if (id <= 0 || payref_make(made, sizeof(made), order[i], id, NULL) != 0 ||
		    strcmp(made, ref) != 0)
			continue;
		for (int j = 0; j < count; j++)
			seen = seen || ids[j] == id;
		if (!seen && count < PAYREF_IDS_MAX)
			ids[count++] = id;
	}
	return count;
}

static int refuse(char *out, size_t size, int code)
{
	if (size > 0)
		out[0] = '\0';
	return code;
}

int payref_normalise(char *out, size_t size, const char *in)
{
	size_t n = 0;
	bool too_long = size == 0;

	assert(out != NULL && in != NULL);
	/* out may be in: byte i is read before byte n <= i is written. */
	for (; *in != '\0'; in++) {
		char c = *in;

		if (c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!is_digit(c) && !is_upper(c))
			return refuse(out, size, -1);
		if (n + 1 >= size)
			too_long = true;
		else
			out[n++] = c;
	}
	if (too_long)
		return refuse(out, size, -2);
	out[n] = '\0';
	return 0;
}

/* A space goes before ref[i] (0 < i < n). */
static bool group_starts(size_t i, size_t n, enum ref_scheme scheme)
{
	return scheme == REF_QRR ? (n - i) % 5 == 0 : i % 4 == 0;
}

int payref_format_groups(char *out, size_t size, const char *ref, enum ref_scheme scheme)
{
	size_t n;
	size_t need;
	size_t k = 0;

	assert(out != NULL && ref != NULL);
	n = strlen(ref);
	need = n + 1;
	for (size_t i = 1; i < n; i++)
		need += group_starts(i, n, scheme);
	if (need > size)
		return refuse(out, size, -1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && group_starts(i, n, scheme))
			out[k++] = ' ';
		out[k++] = ref[i];
	}
	out[k] = '\0';
	return 0;
}

bool payref_qr_iban(const char *iban)
{
	unsigned iid = 0;

	assert(iban != NULL);
	if (strlen(iban) != 21 || !((iban[0] == 'C' && iban[1] == 'H') ||
				    (iban[0] == 'L' && iban[1] == 'I')))
		return false;
	for (size_t i = 4; i < 9; i++) {
		if (!is_digit(iban[i]))
			return false;
		iid = iid * 10 + (unsigned)(iban[i] - '0');
	}
	return iid >= 30000 && iid <= 31999 && checkdigit_mod97(iban, 21) == 1;
}
