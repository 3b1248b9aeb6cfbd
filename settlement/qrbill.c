/* qrbill.c: the Swiss QR-bill of a PDF statement (qrbill.h). */
#include "qrbill.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "money.h"

/* Characters (not bytes) of a UTF-8 string. */
static size_t chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* s[0..len) without surrounding spaces. */
static void trim(const char **s, size_t *len)
{
	while (*len > 0 && **s == ' ') {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && (*s)[*len - 1] == ' ')
		(*len)--;
}

/* One part of the address into a field of the bill: not empty, at most
 * max characters. */
static int put_part(char *dst, size_t size, const char *s, size_t len, size_t max,
		    const char *what, struct err *e)
{
	trim(&s, &len);
	if (len == 0 || chars(s, len) > max || len >= size)
		return ERR_SET(e, ERR_CONFIG,
			       "[agency] address must read '<street> [<number>], <postal code> <town>' "
			       "for a QR-bill: its %s is %s",
			       what, len == 0 ? "missing" : "too long");
	memcpy(dst, s, len);
	dst[len] = '\0';
	return 0;
}

/* "<street> [<building>], <postcode> <town>" into the structured fields. */
static int split_address(struct qrbill *q, const char *address, struct err *e)
{
	const char *comma = strrchr(address, ',');
	const char *left = address, *right, *sp;
	size_t llen, rlen;
	int rc;

	if (comma == NULL)
		return ERR_SET(e, ERR_CONFIG,
			       "[agency] address must read '<street> [<number>], <postal code> <town>' "
			       "for a QR-bill: it has no comma");
	llen = (size_t)(comma - address);
	right = comma + 1;
	rlen = strlen(right);
	trim(&left, &llen);
	trim(&right, &rlen);
	/* postal code, then the town */
	sp = memchr(right, ' ', rlen);
	rc = put_part(q->postcode, sizeof(q->postcode), right, sp ? (size_t)(sp - right) : rlen,
		      QRBILL_POSTCODE_MAX, "postal code", e);
	if (rc == 0)
		rc = put_part(q->town, sizeof(q->town), sp ? sp : right + rlen,
			      sp ? rlen - (size_t)(sp - right) : 0, QRBILL_TOWN_MAX, "town", e);
	if (rc != 0)
		return rc;
	/* the street, and its building number when the last word starts with a digit */
	q->building[0] = '\0';
	for (sp = left + llen; sp > left && sp[-1] != ' '; sp--)
		;
	if (sp > left && sp < left + llen && *sp >= '0' && *sp <= '9') {
		rc = put_part(q->building, sizeof(q->building), sp, llen - (size_t)(sp - left),
			      QRBILL_BUILDING_MAX, "building number", e);
		llen = (size_t)(sp - left);
	}
	if (rc == 0)
		rc = put_part(q->street, sizeof(q->street), left, llen, QRBILL_STREET_MAX, "street",
			      e);
	return rc;
}

int qrbill_make(struct qrbill *q, const char *iban, const char *name, const char *address,
		const char *currency, int64_t owed, int64_t statement_id, const char *number,
		struct err *e)
{
	size_t nlen = strlen(name);
	int n;
	int rc;

	memset(q, 0, sizeof(*q));
	if (strcmp(currency, "CHF") != 0 && strcmp(currency, "EUR") != 0)
		return ERR_SET(e, ERR_USAGE, "a QR-bill is in CHF or EUR, not '%s'", currency);
	if (owed <= 0 || statement_id <= 0)
		return ERR_SET(e, ERR_USAGE, "a QR-bill needs an amount and a statement id above 0");
	if (strlen(iban) >= sizeof(q->iban) ||
	    (strncmp(iban, "CH", 2) != 0 && strncmp(iban, "LI", 2) != 0))
		return ERR_SET(e, ERR_CONFIG,
			       "[agency] account.%s must be a Swiss or Liechtenstein IBAN for a QR-bill",
			       currency);
	if (nlen == 0 || chars(name, nlen) > QRBILL_NAME_MAX || nlen >= sizeof(q->name))
		return ERR_SET(e, ERR_CONFIG, "[agency] name must have 1-%d characters for a QR-bill",
			       QRBILL_NAME_MAX);
	memcpy(q->iban, iban, strlen(iban) + 1);
	memcpy(q->name, name, nlen + 1);
	memcpy(q->country, iban, 2);
	rc = split_address(q, address, e);
	if (rc != 0)
		return rc;
	q->amount = owed <= QRBILL_AMOUNT_MAX ? owed : 0;
	memcpy(q->currency, currency, 4);
	q->ref_type = payref_qr_iban(iban) ? REF_QRR : REF_SCOR;
	rc = payref_make(q->reference, sizeof(q->reference), q->ref_type, statement_id, e);
	if (rc != 0)
		return rc;
	n = snprintf(q->message, sizeof(q->message), "Statement %s", number);
	if (n < 0 || (size_t)n >= sizeof(q->message) || chars(q->message, (size_t)n) > QRBILL_MESSAGE_MAX)
		return ERR_SET(e, ERR_USAGE, "statement number '%s' too long for a QR-bill", number);
	return 0;
}

int qrbill_payload(char *out, size_t size, const struct qrbill *q, struct err *e)
{
	char amount[MONEY_FMT_MAX] = "";
	int n;

	if (q->amount > 0)
		money_format(amount, sizeof(amount), q->amount);
	n = snprintf(out, size,
		     "SPC\n0200\n1\n%s\n"
		     "S\n%s\n%s\n%s\n%s\n%s\n%s\n"
		     "\n\n\n\n\n\n\n"
		     "%s\n%s\n"
		     "\n\n\n\n\n\n\n"
		     "%s\n%s\n%s\nEPD",
		     q->iban, q->name, q->street, q->building, q->postcode, q->town, q->country,
		     amount, q->currency, q->ref_type == REF_QRR ? "QRR" : "SCOR", q->reference,
		     q->message);
	if (n < 0 || (size_t)n >= size) {
		if (size > 0)
			out[0] = '\0';
		return ERR_SET(e, ERR_LIMIT, "QR-bill payload longer than %zu bytes", size);
	}
	return 0;
}

char *qrbill_print_iban(char *out, size_t size, const char *iban)
{
	size_t o = 0;

	for (size_t i = 0; iban[i] != '\0' && o + 2 < size; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = iban[i];
	}
	if (size > 0)
		out[o < size ? o : size - 1] = '\0';
	return out;
}

char *qrbill_print_amount(char *out, size_t size, int64_t amount)
{
	char plain[MONEY_FMT_MAX];
	size_t len, intlen, o = 0;

	money_format(plain, sizeof(plain), amount);
	len = strlen(plain);
	intlen = len - 3; /* digits before ".dd" */
	for (size_t i = 0; i < len && o + 1 < size; i++) {
		if (i > 0 && i < intlen && (intlen - i) % 3 == 0 && plain[i - 1] != '-')
			out[o++] = ' ';
		if (o + 1 < size)
			out[o++] = plain[i];
	}
	if (size > 0)
		out[o] = '\0';
	return out;
}

char *qrbill_print_street(char *out, size_t size, const struct qrbill *q)
{
	snprintf(out, size, "%s%s%s", q->street, q->building[0] ? " " : "", q->building);
	return out;
}

char *qrbill_print_town(char *out, size_t size, const struct qrbill *q)
{
	snprintf(out, size, "%s %s", q->postcode, q->town);
	return out;
}
