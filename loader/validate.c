/* validate.c: the claim rules and country rules of SPEC 5.1 and the
 * transaction rules of SPEC 6 that need no database.
 *
 * Each field first passes the generic checks (FIELD_TOO_LONG, BAD_ENCODING,
 * MISSING_FIELD, length), then its own rule; a record collects all its
 * errors. Messages never repeat the value (no personal data in them). */
#include "validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "money.h"
#include "rules.h"

static int cmp_creditor(const void *key, const void *item)
{
	return strcmp(key, ((const struct creditor_info *)item)->id);
}

const struct creditor_info *creditor_find(const struct creditor_table *t, const char *id)
{
	if (t == NULL || t->n == 0)
		return NULL;
	return bsearch(id, t->items, t->n, sizeof(t->items[0]), cmp_creditor);
}

static void add(struct verdict *v, enum reject_code code, int field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(struct verdict *v, enum reject_code code, int field, const char *fmt, ...)
{
	va_list ap;
	struct reject_item *it;

	if (v->n >= VERDICT_MAX_ERRORS)
		return;
	it = &v->items[v->n++];
	it->code = code;
	it->field = field;
	va_start(ap, fmt);
	if (vsnprintf(it->message, sizeof(it->message), fmt, ap) < 0)
		it->message[0] = '\0';
	va_end(ap);
}

/* SPEC 2 v2: CSV values lose spaces and tabs around them, XML values the
 * XML whitespace (space, tab, CR, LF), as the XSD's token types do. */
static bool is_trimmed(char c, bool xml)
{
	return c == ' ' || c == '\t' || (xml && (c == '\n' || c == '\r'));
}

static void trim(struct record *r, int f, bool xml)
{
	struct field_value *fv = &r->f[f];
	const char *s = r->buf + fv->off;
	uint32_t a = 0, b = fv->len;

	while (a < b && is_trimmed(s[a], xml))
		a++;
	while (b > a && is_trimmed(s[b - 1], xml))
		b--;
	/* keep values NUL-terminated: the byte after is a space or the NUL */
	r->buf[fv->off + b] = '\0';
	fv->off += a;
	fv->len = b - a;
}

/* Generic checks. Returns true when the field has a usable, non-empty
 * value that the field's own rule should look at. */
static bool usable(const struct validate_ctx *ctx, struct record *r, struct verdict *v,
		   const struct field_def *defs, int f, bool required)
{
	const struct field_value *fv = &r->f[f];
	const char *s;

	if (fv->flags & FIELD_TOO_LONG) {
		add(v, RC_FIELD_TOO_LONG, f, "%s is longer than %zu characters", defs[f].name,
		    defs[f].max_chars != 0 ? defs[f].max_chars : (size_t)RECORD_FIELD_MAX_BYTES);
		return false;
	}
	trim(r, f, ctx->xml);
	s = record_value(r, f);
	if (fv->len == 0) {
		if (required)
			add(v, RC_MISSING_FIELD, f, "%s is required", defs[f].name);
		return false;
	}
	if (memchr(s, '\0', fv->len) != NULL || !rules_utf8_ok(s, fv->len)) {
		add(v, RC_BAD_ENCODING, f, "%s is not valid UTF-8 text", defs[f].name);
		return false;
	}
	if (defs[f].max_chars != 0 && rules_utf8_chars(s, fv->len) > defs[f].max_chars) {
		add(v, RC_FIELD_TOO_LONG, f, "%s is longer than %zu characters", defs[f].name,
		    defs[f].max_chars);
		return false;
	}
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "1" };
	static const char *const no[] = { "false", "no", "0" };

	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static int parse_amount(const struct validate_ctx *ctx, const struct record *r, int f, int64_t *out)
{
	return money_parse(out, record_value(r, f), r->f[f].len, ctx->decimal_comma);
}

static int parse_date(const struct record *r, int f, int32_t *out)
{
	return date_parse(out, record_value(r, f), r->f[f].len);
}

/* creditor_id: known, active, and the --creditor of the run. */
static const struct creditor_info *check_creditor(const struct validate_ctx *ctx, struct record *r,
						  struct verdict *v, const struct field_def *defs, int f)
{
	const struct creditor_info *c;
	const char *id;

	if (!usable(ctx, r, v, defs, f, true))
		return NULL;
	id = record_value(r, f);
	if (ctx->creditor_filter != NULL && strcmp(id, ctx->creditor_filter) != 0) {
		add(v, RC_CREDITOR_MISMATCH, f, "creditor_id is not the creditor this batch is restricted to");
		return NULL;
	}
	c = creditor_find(ctx->creditors, id);
	if (c == NULL) {
		add(v, RC_UNKNOWN_CREDITOR, f, "creditor_id is not a known creditor");
		return NULL;
	}
	if (!c->active) {
		add(v, RC_UNKNOWN_CREDITOR, f, "creditor_id is not an active creditor");
		return NULL;
	}
	return c;
}

static bool check_key_text(const struct validate_ctx *ctx, struct record *r, struct verdict *v,
			   const struct field_def *defs, int f)
{
	if (!usable(ctx, r, v, defs, f, true))
		return false;
	if (rules_has_control(record_value(r, f), r->f[f].len)) {
		add(v, RC_BAD_FORMAT, f, "%s contains control characters", defs[f].name);
		return false;
	}
	return true;
}

/* Errors in the order of the fields (whole-record codes first); stable,
 * so a field's own errors keep the order they were found in. Rules that
 * need the debtor's country and type run after the fields they depend on,
 * so the order of discovery is not the order of the file. */
static void sort_by_field(struct verdict *v)
{
	for (size_t i = 1; i < v->n; i++) {
		struct reject_item it = v->items[i];
		size_t j = i;

		while (j > 0 && v->items[j - 1].field > it.field) {
			v->items[j] = v->items[j - 1];
			j--;
		}
		v->items[j] = it;
	}
}

size_t validate_case(const struct validate_ctx *ctx, struct record *r, struct verdict *v)
{
	size_t nd;
	const struct field_def *d = record_fields(KIND_CASES, &nd);
	const struct creditor_info *cred;
	const struct country_conf *cc = NULL;
	bool company = false, type_ok = false, country_ok = false;
	bool inv_ok = false, due_ok = false, orig_ok = false;
	int32_t inv = 0, due = 0, dt;
	int64_t amt;
	const char *country = "";

	memset(v, 0, sizeof(*v));
	if (r->bad_record) {
		/* Fields of a malformed record cannot be trusted: one code. */
		add(v, RC_BAD_RECORD, -1, "%s", r->problem[0] != '\0' ? r->problem : "the record is malformed");
		return v->n;
	}

	cred = check_creditor(ctx, r, v, d, CF_CREDITOR_ID);
	v->creditor = cred;
	if (cred != NULL) {
		cc = config_country(ctx->conf, cred->country);
		if (cc != NULL)
			v->collection_fee = cc->collection_fee;
		if (cc == NULL) {
			add(v, RC_UNKNOWN_CREDITOR, CF_CREDITOR_ID,
			    "the creditor's country is not configured");
			cred = NULL;
		}
	}
	v->key_ok = check_key_text(ctx, r, v, d, CF_CREDITOR_REFERENCE) && cred != NULL;

	if (usable(ctx, r, v, d, CF_DEBTOR_TYPE, true)) {
		const char *t = record_value(r, CF_DEBTOR_TYPE);

		if (strcmp(t, "person") == 0 || strcmp(t, "company") == 0) {
			type_ok = true;
			company = t[0] == 'c';
		} else {
			add(v, RC_BAD_FORMAT, CF_DEBTOR_TYPE, "debtor_type must be 'person' or 'company'");
		}
	}
	usable(ctx, r, v, d, CF_DEBTOR_NAME, true);
	usable(ctx, r, v, d, CF_DEBTOR_STREET, true);
	usable(ctx, r, v, d, CF_DEBTOR_CITY, true);

	if (usable(ctx, r, v, d, CF_DEBTOR_COUNTRY, true)) {
		country = record_value(r, CF_DEBTOR_COUNTRY);
		if (!rules_country_ok(country)) {
			add(v, RC_BAD_COUNTRY, CF_DEBTOR_COUNTRY, "debtor_country is not an ISO 3166-1 alpha-2 code");
			country = "";
		} else {
			country_ok = true;
			if (cred != NULL && strcmp(country, cred->country) != 0)
				add(v, RC_SPECIAL_HANDLING, CF_DEBTOR_COUNTRY,
				    "the debtor lives outside the creditor's country and needs specialised handling");
		}
	}
	if (usable(ctx, r, v, d, CF_DEBTOR_NATIONAL_ID, false) && country_ok && type_ok &&
	    !rules_national_id_ok(country, company, record_value(r, CF_DEBTOR_NATIONAL_ID)))
		add(v, RC_BAD_ID, CF_DEBTOR_NATIONAL_ID, company
		    ? "debtor_national_id is not a valid organisation number for the debtor's country"
		    : "debtor_national_id is not a valid national identity number for the debtor's country");
	if (usable(ctx, r, v, d, CF_DEBTOR_BIRTH_DATE, false)) {
		if (parse_date(r, CF_DEBTOR_BIRTH_DATE, &dt) != 0)
			add(v, RC_BAD_DATE, CF_DEBTOR_BIRTH_DATE, "debtor_birth_date is not a date YYYY-MM-DD");
		else if (type_ok && company)
			add(v, RC_BAD_DATE, CF_DEBTOR_BIRTH_DATE, "debtor_birth_date is for persons only");
		else if (dt > ctx->as_of)
			add(v, RC_BAD_DATE, CF_DEBTOR_BIRTH_DATE, "debtor_birth_date is after the as-of date");
	}
	if (usable(ctx, r, v, d, CF_DEBTOR_POSTAL_CODE, true) && country_ok &&
	    !rules_postal_code_ok(country, record_value(r, CF_DEBTOR_POSTAL_CODE)))
		add(v, RC_BAD_FORMAT, CF_DEBTOR_POSTAL_CODE, "debtor_postal_code is not a postal code of the debtor's country");
	if (usable(ctx, r, v, d, CF_DEBTOR_EMAIL, false) && !rules_email_ok(record_value(r, CF_DEBTOR_EMAIL)))
		add(v, RC_BAD_FORMAT, CF_DEBTOR_EMAIL, "debtor_email is not an e-mail address");
	if (usable(ctx, r, v, d, CF_DEBTOR_PHONE, false) && !rules_phone_ok(record_value(r, CF_DEBTOR_PHONE)))
		add(v, RC_BAD_FORMAT, CF_DEBTOR_PHONE, "debtor_phone must be an optional '+' and 6 to 16 digits");

	usable(ctx, r, v, d, CF_INVOICE_NUMBER, true);
	if (usable(ctx, r, v, d, CF_INVOICE_DATE, true)) {
		if (parse_date(r, CF_INVOICE_DATE, &inv) != 0)
			add(v, RC_BAD_DATE, CF_INVOICE_DATE, "invoice_date is not a date YYYY-MM-DD");
		else if (inv > ctx->as_of)
			add(v, RC_BAD_DATE, CF_INVOICE_DATE, "invoice_date is after the as-of date");
		else
			inv_ok = true;
	}
	if (usable(ctx, r, v, d, CF_DUE_DATE, true)) {
		if (parse_date(r, CF_DUE_DATE, &due) != 0) {
			add(v, RC_BAD_DATE, CF_DUE_DATE, "due_date is not a date YYYY-MM-DD");
		} else if (inv_ok && due < inv) {
			add(v, RC_BAD_DATE, CF_DUE_DATE, "due_date is before invoice_date");
		} else {
			due_ok = true;
			if (due >= ctx->as_of)
				add(v, RC_NOT_OVERDUE, CF_DUE_DATE, "the claim is not overdue: due_date is not before the as-of date");
		}
	}
	if (usable(ctx, r, v, d, CF_ORIGINAL_AMOUNT, true)) {
		if (parse_amount(ctx, r, CF_ORIGINAL_AMOUNT, &amt) != 0)
			add(v, RC_BAD_AMOUNT, CF_ORIGINAL_AMOUNT, "original_amount is not an amount like 1234.50");
		else if (amt == 0)
			add(v, RC_BAD_AMOUNT, CF_ORIGINAL_AMOUNT, "original_amount must be greater than zero");
		else if (amt > ctx->conf->max_amount)
			add(v, RC_BAD_AMOUNT, CF_ORIGINAL_AMOUNT, "original_amount is above the largest amount accepted");
		else {
			v->num[CF_ORIGINAL_AMOUNT] = amt;
			orig_ok = true;
		}
	}
	if (usable(ctx, r, v, d, CF_CURRENCY, true) && cred != NULL &&
	    strcmp(record_value(r, CF_CURRENCY), cred->currency) != 0)
		add(v, RC_BAD_CURRENCY, CF_CURRENCY, "currency is not the creditor's currency");
	if (usable(ctx, r, v, d, CF_PAID_AMOUNT, false)) {
		if (parse_amount(ctx, r, CF_PAID_AMOUNT, &amt) != 0)
			add(v, RC_BAD_AMOUNT, CF_PAID_AMOUNT, "paid_amount is not an amount like 1234.50");
		else if (orig_ok && amt >= v->num[CF_ORIGINAL_AMOUNT])
			add(v, RC_NOTHING_OUTSTANDING, CF_PAID_AMOUNT, "nothing is outstanding: paid_amount is not less than original_amount");
		else
			v->num[CF_PAID_AMOUNT] = amt;
	}
	if (usable(ctx, r, v, d, CF_FEE_AMOUNT, false)) {
		if (parse_amount(ctx, r, CF_FEE_AMOUNT, &amt) != 0)
			add(v, RC_BAD_AMOUNT, CF_FEE_AMOUNT, "fee_amount is not an amount like 0.00");
		else if (amt != 0)
			add(v, RC_FEES_INCLUDED, CF_FEE_AMOUNT, "reminder fees and costs must not be part of the claim");
	}
	if (usable(ctx, r, v, d, CF_INTEREST_AMOUNT, false)) {
		if (parse_amount(ctx, r, CF_INTEREST_AMOUNT, &amt) != 0)
			add(v, RC_BAD_AMOUNT, CF_INTEREST_AMOUNT, "interest_amount is not an amount like 0.00");
		else if (amt != 0)
			add(v, RC_FEES_INCLUDED, CF_INTEREST_AMOUNT, "interest must not be part of the claim");
	}
	if (usable(ctx, r, v, d, CF_CLAIM_TYPE, true)) {
		int t = claim_type_parse(record_value(r, CF_CLAIM_TYPE));

		if (t < 0)
			add(v, RC_BAD_FORMAT, CF_CLAIM_TYPE, "claim_type must be goods, services, rent, consumer_credit, energy or other");
		else if (cc != NULL && (cc->special_claim_types & (1u << t)))
			add(v, RC_SPECIAL_HANDLING, CF_CLAIM_TYPE, "this claim type needs specialised handling in the creditor's country");
	}
	if (usable(ctx, r, v, d, CF_DISPUTED, true)) {
		bool disputed = false;

		if (!parse_bool(record_value(r, CF_DISPUTED), &disputed))
			add(v, RC_BAD_FORMAT, CF_DISPUTED, "disputed must be true or false");
		else if ((v->num[CF_DISPUTED] = disputed))
			add(v, RC_DISPUTED, CF_DISPUTED, "a disputed claim cannot be collected");
	}
	{
		bool required = cc != NULL && cc->reminder_required;
		enum reject_code code = required ? RC_NO_REMINDER : RC_BAD_DATE;

		if (usable(ctx, r, v, d, CF_REMINDER_DATE, false)) {
			if (parse_date(r, CF_REMINDER_DATE, &dt) != 0)
				add(v, code, CF_REMINDER_DATE, "reminder_date is not a date YYYY-MM-DD");
			else if (due_ok && dt < due)
				add(v, code, CF_REMINDER_DATE, "reminder_date is before due_date");
			else if (dt > ctx->as_of)
				add(v, code, CF_REMINDER_DATE, "reminder_date is after the as-of date");
		} else if (required && r->f[CF_REMINDER_DATE].len == 0 &&
			   !(r->f[CF_REMINDER_DATE].flags & FIELD_TOO_LONG)) {
			add(v, RC_NO_REMINDER, CF_REMINDER_DATE, "a reminder before handover is required in the creditor's country");
		}
	}
	sort_by_field(v);
	return v->n;
}

size_t validate_transaction(const struct validate_ctx *ctx, struct record *r, struct verdict *v)
{
	static const char *const kinds[] = { "payment", "direct_payment", "credit_note", "withdrawal" };
	static const char *const reasons[] = { "unjustified", "crossed_payment", "goodwill" };
	size_t nd;
	const struct field_def *d = record_fields(KIND_TRANSACTIONS, &nd);
	const struct creditor_info *cred;
	int kind = -1;
	int32_t dt;
	int64_t amt;
	bool withdrawal;

	memset(v, 0, sizeof(*v));
	if (r->bad_record) {
		add(v, RC_BAD_RECORD, -1, "%s", r->problem[0] != '\0' ? r->problem : "the record is malformed");
		return v->n;
	}
	cred = check_creditor(ctx, r, v, d, TF_CREDITOR_ID);
	v->creditor = cred;
	v->key_ok = check_key_text(ctx, r, v, d, TF_CREDITOR_REFERENCE) && cred != NULL;
	v->txid_ok = check_key_text(ctx, r, v, d, TF_TRANSACTION_ID) && cred != NULL;
	if (usable(ctx, r, v, d, TF_KIND, true)) {
		for (int i = 0; i < 4; i++)
			if (strcmp(record_value(r, TF_KIND), kinds[i]) == 0)
				kind = i;
		if (kind < 0)
			add(v, RC_BAD_FORMAT, TF_KIND, "kind must be payment, direct_payment, credit_note or withdrawal");
	}
	withdrawal = kind == 3;
	if (usable(ctx, r, v, d, TF_BOOKING_DATE, true)) {
		if (parse_date(r, TF_BOOKING_DATE, &dt) != 0)
			add(v, RC_BAD_DATE, TF_BOOKING_DATE, "booking_date is not a date YYYY-MM-DD");
		else if (dt > ctx->as_of)
			add(v, RC_BAD_DATE, TF_BOOKING_DATE, "booking_date is after the as-of date");
	}
	if (usable(ctx, r, v, d, TF_AMOUNT, !withdrawal && kind >= 0)) {
		if (parse_amount(ctx, r, TF_AMOUNT, &amt) != 0)
			add(v, RC_BAD_AMOUNT, TF_AMOUNT, "amount is not an amount like 1234.50");
		else if (withdrawal && amt != 0)
			add(v, RC_BAD_AMOUNT, TF_AMOUNT, "a withdrawal has no amount");
		else if (!withdrawal && amt == 0)
			add(v, RC_BAD_AMOUNT, TF_AMOUNT, "amount must be greater than zero");
		else if (amt > ctx->conf->max_amount)
			add(v, RC_BAD_AMOUNT, TF_AMOUNT, "amount is above the largest amount accepted (max_amount)");
		else
			v->num[TF_AMOUNT] = amt;
	}
	if (usable(ctx, r, v, d, TF_CURRENCY, !withdrawal && kind >= 0)) {
		const char *cur = record_value(r, TF_CURRENCY);

		if (r->f[TF_CURRENCY].len != 3 || !rules_currency_ok(cur))
			add(v, RC_CURRENCY_MISMATCH, TF_CURRENCY, "currency is not the case's currency");
	}
	if (usable(ctx, r, v, d, TF_REASON, false) && withdrawal) {
		bool ok = false;

		for (int i = 0; i < 3; i++)
			if (strcmp(record_value(r, TF_REASON), reasons[i]) == 0)
				ok = true;
		if (!ok)
			add(v, RC_BAD_FORMAT, TF_REASON, "reason must be unjustified, crossed_payment or goodwill");
	} else if (withdrawal && r->f[TF_REASON].len == 0 && !(r->f[TF_REASON].flags & FIELD_TOO_LONG)) {
		add(v, RC_BAD_FORMAT, TF_REASON, "a withdrawal needs a reason: unjustified, crossed_payment or goodwill");
	}
	return v->n;
}
