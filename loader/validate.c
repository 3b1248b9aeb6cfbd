/* validate.c: the claim rules and country rules of SPEC 5.1, the
 * transaction rules of SPEC 6, the assignment rows of 13 and the events
 * of 16 that need no database (bank records: validate_bank.c).
 *
 * Each field first passes the generic checks (FIELD_TOO_LONG, BAD_ENCODING,
 * MISSING_FIELD, length), then its own rule; a record collects all its
 * errors. Messages never repeat the value (no personal data in them). */
#include "validate_int.h"

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

void verdict_add(struct verdict *v, enum reject_code code, int field, const char *fmt, ...)
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
		verdict_add(v, RC_FIELD_TOO_LONG, f, "%s is longer than %zu characters", defs[f].name,
		    defs[f].max_chars != 0 ? defs[f].max_chars : (size_t)RECORD_FIELD_MAX_BYTES);
		return false;
	}
	trim(r, f, ctx->xml);
	s = record_value(r, f);
	if (fv->len == 0) {
		if (required)
			verdict_add(v, RC_MISSING_FIELD, f, "%s is required", defs[f].name);
		return false;
	}
	if (memchr(s, '\0', fv->len) != NULL || !rules_utf8_ok(s, fv->len)) {
		verdict_add(v, RC_BAD_ENCODING, f, "%s is not valid UTF-8 text", defs[f].name);
		return false;
	}
	if (defs[f].max_chars != 0 && rules_utf8_chars(s, fv->len) > defs[f].max_chars) {
		verdict_add(v, RC_FIELD_TOO_LONG, f, "%s is longer than %zu characters", defs[f].name,
		    defs[f].max_chars);
		return false;
	}
	return true;
}

static int parse_amount(const struct validate_ctx *ctx, const struct record *r, int f, int64_t *out)
{
	return money_parse(out, record_value(r, f), r->f[f].len, ctx->decimal_comma);
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

/* ---- the rules (validate_int.h) ---- */

/* creditor_id: known, active, the --creditor of the run, its country
 * configured. */
static void rule_creditor(struct facts *x, int f, bool present)
{
	const struct creditor_info *c;
	const char *id = val(x, f);

	if (!present)
		return;
	if (x->ctx->creditor_filter != NULL && strcmp(id, x->ctx->creditor_filter) != 0) {
		verdict_add(x->v, RC_CREDITOR_MISMATCH, f, "creditor_id is not the creditor this batch is restricted to");
		return;
	}
	c = creditor_find(x->ctx->creditors, id);
	if (c == NULL) {
		verdict_add(x->v, RC_UNKNOWN_CREDITOR, f, "creditor_id is not a known creditor");
		return;
	}
	if (!c->active) {
		verdict_add(x->v, RC_UNKNOWN_CREDITOR, f, "creditor_id is not an active creditor");
		return;
	}
	x->v->creditor = c;
	if (x->r->kind != KIND_CASES) {
		x->cred = c;
		return;
	}
	x->cc = config_country(x->ctx->conf, c->country);
	if (x->cc == NULL) {
		verdict_add(x->v, RC_UNKNOWN_CREDITOR, f, "the creditor's country is not configured");
		return;
	}
	x->v->collection_fee = x->cc->collection_fee;
	x->cred = c;
}

/* A key's text: no control characters. */
static bool key_text(struct facts *x, int f, bool present)
{
	if (!present)
		return false;
	if (rules_has_control(val(x, f), x->r->f[f].len)) {
		verdict_add(x->v, RC_BAD_FORMAT, f, "%s contains control characters", x->d[f].name);
		return false;
	}
	return true;
}

static void rule_reference(struct facts *x, int f, bool present)
{
	x->v->key_ok = key_text(x, f, present) && x->cred != NULL;
}

static void rule_transaction_id(struct facts *x, int f, bool present)
{
	x->v->txid_ok = key_text(x, f, present) && x->cred != NULL;
}

static void rule_debtor_type(struct facts *x, int f, bool present)
{
	const char *t = val(x, f);

	if (!present)
		return;
	if (strcmp(t, "person") == 0 || strcmp(t, "company") == 0) {
		x->type_ok = true;
		x->company = t[0] == 'c';
	} else {
		verdict_add(x->v, RC_BAD_FORMAT, f, "debtor_type must be 'person' or 'company'");
	}
}

static void rule_debtor_country(struct facts *x, int f, bool present)
{
	const char *country = val(x, f);

	if (!present)
		return;
	if (!rules_country_ok(country)) {
		verdict_add(x->v, RC_BAD_COUNTRY, f, "debtor_country is not an ISO 3166-1 alpha-2 code");
		return;
	}
	x->country_ok = true;
	if (x->cred != NULL && strcmp(country, x->cred->country) != 0)
		verdict_add(x->v, RC_SPECIAL_HANDLING, f,
		    "the debtor lives outside the creditor's country and needs specialised handling");
}

static void rule_national_id(struct facts *x, int f, bool present)
{
	if (present && x->country_ok && x->type_ok &&
	    !rules_national_id_ok(val(x, CF_DEBTOR_COUNTRY), x->company, val(x, f)))
		verdict_add(x->v, RC_BAD_ID, f, x->company
		    ? "debtor_national_id is not a valid organisation number for the debtor's country"
		    : "debtor_national_id is not a valid national identity number for the debtor's country");
}

static void rule_birth_date(struct facts *x, int f, bool present)
{
	int32_t dt;

	if (!present)
		return;
	if (parse_date(x->r, f, &dt) != 0)
		verdict_add(x->v, RC_BAD_DATE, f, "debtor_birth_date is not a date YYYY-MM-DD");
	else if (x->type_ok && x->company)
		verdict_add(x->v, RC_BAD_DATE, f, "debtor_birth_date is for persons only");
	else if (dt > x->ctx->as_of)
		verdict_add(x->v, RC_BAD_DATE, f, "debtor_birth_date is after the as-of date");
}

static void rule_postal_code(struct facts *x, int f, bool present)
{
	if (present && x->country_ok && !rules_postal_code_ok(val(x, CF_DEBTOR_COUNTRY), val(x, f)))
		verdict_add(x->v, RC_BAD_FORMAT, f, "debtor_postal_code is not a postal code of the debtor's country");
}

static void rule_email(struct facts *x, int f, bool present)
{
	if (present && !rules_email_ok(val(x, f)))
		verdict_add(x->v, RC_BAD_FORMAT, f, "debtor_email is not an e-mail address");
}

static void rule_phone(struct facts *x, int f, bool present)
{
	if (present && !rules_phone_ok(val(x, f)))
		verdict_add(x->v, RC_BAD_FORMAT, f, "debtor_phone must be an optional '+' and 6 to 16 digits");
}

static void rule_invoice_date(struct facts *x, int f, bool present)
{
	if (!present)
		return;
	if (parse_date(x->r, f, &x->inv) != 0)
		verdict_add(x->v, RC_BAD_DATE, f, "invoice_date is not a date YYYY-MM-DD");
	else if (x->inv > x->ctx->as_of)
		verdict_add(x->v, RC_BAD_DATE, f, "invoice_date is after the as-of date");
	else
		x->inv_ok = true;
}

static void rule_due_date(struct facts *x, int f, bool present)
{
	if (!present)
		return;
	if (parse_date(x->r, f, &x->due) != 0) {
		verdict_add(x->v, RC_BAD_DATE, f, "due_date is not a date YYYY-MM-DD");
	} else if (x->inv_ok && x->due < x->inv) {
		verdict_add(x->v, RC_BAD_DATE, f, "due_date is before invoice_date");
	} else {
		x->due_ok = true;
		if (x->due >= x->ctx->as_of)
			verdict_add(x->v, RC_NOT_OVERDUE, f, "the claim is not overdue: due_date is not before the as-of date");
	}
}

static void rule_original_amount(struct facts *x, int f, bool present)
{
	int64_t amt;

	if (!present)
		return;
	if (parse_amount(x->ctx, x->r, f, &amt) != 0)
		verdict_add(x->v, RC_BAD_AMOUNT, f, "original_amount is not an amount like 1234.50");
	else if (amt == 0)
		verdict_add(x->v, RC_BAD_AMOUNT, f, "original_amount must be greater than zero");
	else if (amt > x->ctx->conf->max_amount)
		verdict_add(x->v, RC_BAD_AMOUNT, f, "original_amount is above the largest amount accepted");
	else {
		x->v->num[f] = amt;
		x->orig_ok = true;
	}
}

static void rule_case_currency(struct facts *x, int f, bool present)
{
	if (present && x->cred != NULL && strcmp(val(x, f), x->cred->currency) != 0)
		verdict_add(x->v, RC_BAD_CURRENCY, f, "currency is not the creditor's currency");
}

static void rule_paid_amount(struct facts *x, int f, bool present)
{
	int64_t amt;

	if (!present)
		return;
	if (parse_amount(x->ctx, x->r, f, &amt) != 0)
		verdict_add(x->v, RC_BAD_AMOUNT, f, "paid_amount is not an amount like 1234.50");
	else if (x->orig_ok && amt >= x->v->num[CF_ORIGINAL_AMOUNT])
		verdict_add(x->v, RC_NOTHING_OUTSTANDING, f,
		    "nothing is outstanding: paid_amount is not less than original_amount");
	else
		x->v->num[f] = amt;
}

/* fee_amount and interest_amount: empty or zero */
static void rule_not_in_claim(struct facts *x, int f, bool present)
{
	int64_t amt;

	if (!present)
		return;
	if (parse_amount(x->ctx, x->r, f, &amt) != 0)
		verdict_add(x->v, RC_BAD_AMOUNT, f, "%s is not an amount like 0.00", x->d[f].name);
	else if (amt != 0)
		verdict_add(x->v, RC_FEES_INCLUDED, f, f == CF_FEE_AMOUNT
		    ? "reminder fees and costs must not be part of the claim" : "interest must not be part of the claim");
}

static void rule_claim_type(struct facts *x, int f, bool present)
{
	int t;

	if (!present)
		return;
	t = claim_type_parse(val(x, f));
	if (t < 0)
		verdict_add(x->v, RC_BAD_FORMAT, f, "claim_type must be goods, services, rent, consumer_credit, energy or other");
	else if (x->cc != NULL && (x->cc->special_claim_types & (1u << t)))
		verdict_add(x->v, RC_SPECIAL_HANDLING, f, "this claim type needs specialised handling in the creditor's country");
}

/* A true/false field (also yes/no, 1/0, any case): BAD_FORMAT when it is
 * none of them; true when *out holds its value (false when empty). */
static bool rule_bool(struct facts *x, int f, bool present, bool *out)
{
	*out = false;
	if (!present)
		return false;
	if (!parse_bool(val(x, f), out)) {
		verdict_add(x->v, RC_BAD_FORMAT, f, "%s must be true or false", x->d[f].name);
		return false;
	}
	x->v->num[f] = *out;
	return true;
}

static void rule_disputed(struct facts *x, int f, bool present)
{
	bool disputed;

	if (rule_bool(x, f, present, &disputed) && disputed)
		verdict_add(x->v, RC_DISPUTED, f, "a disputed claim cannot be collected");
}

/* request_notice (v2): the creditor asks the agency to send the reminder
 * and the collection notice itself: neither date is required then (runs
 * before both). */
static void rule_request_notice(struct facts *x, int f, bool present)
{
	rule_bool(x, f, present, &x->request_notice);
}

/* What a country may require before handover: a date and its code. */
struct required_date {
	enum reject_code code;
	const char *missing; /* the message when it is missing */
};

static const struct required_date reminder_required = {
	RC_NO_REMINDER, "a reminder before handover is required in the creditor's country"
};
static const struct required_date notice_required = {
	RC_NO_NOTICE, "a collection notice before handover is required in the creditor's country"
};

/* A date the country may require (reminder_date, notice_date): not a date
 * is BAD_DATE (SPEC 16); missing or out of range is the country's code
 * when it requires the date, else BAD_DATE. The range: not before `from`
 * (named from_name) when from_ok, not after as-of. True for a date in
 * range, in *out. */
static bool required_date(struct facts *x, int f, bool present, bool required, const struct required_date *rd,
			  bool from_ok, int32_t from, const char *from_name, int32_t *out)
{
	enum reject_code range = required ? rd->code : RC_BAD_DATE;
	const char *name = x->d[f].name;

	if (!present) {
		if (required && x->r->f[f].len == 0 && !(x->r->f[f].flags & FIELD_TOO_LONG))
			verdict_add(x->v, rd->code, f, "%s", rd->missing);
		return false;
	}
	if (parse_date(x->r, f, out) != 0)
		verdict_add(x->v, RC_BAD_DATE, f, "%s is not a date YYYY-MM-DD", name);
	else if (from_ok && *out < from)
		verdict_add(x->v, range, f, "%s is before %s", name, from_name);
	else if (*out > x->ctx->as_of)
		verdict_add(x->v, range, f, "%s is after the as-of date", name);
	else
		return true;
	return false;
}

/* reminder_date: the last reminder, not before due_date (NO_REMINDER) */
static void rule_reminder_date(struct facts *x, int f, bool present)
{
	bool required = x->cc != NULL && x->cc->reminder_required && !x->request_notice;

	x->reminder_ok = required_date(x, f, present, required, &reminder_required, x->due_ok, x->due, "due_date",
				       &x->reminder);
}

/* notice_date (v2): the collection notice, not before reminder_date, or
 * due_date when there is no reminder date in range (NO_NOTICE) */
static void rule_notice_date(struct facts *x, int f, bool present)
{
	bool required = x->cc != NULL && x->cc->notice_required && !x->request_notice;
	int32_t dt;

	if (x->reminder_ok)
		required_date(x, f, present, required, &notice_required, true, x->reminder, "reminder_date", &dt);
	else
		required_date(x, f, present, required, &notice_required, x->due_ok, x->due, "due_date", &dt);
}

static const struct rule case_rules[] = {
	{ CF_CREDITOR_ID, rule_creditor, NULL },
	{ CF_CREDITOR_REFERENCE, rule_reference, NULL },
	{ CF_DEBTOR_TYPE, rule_debtor_type, NULL },
	{ CF_DEBTOR_NAME, NULL, NULL },
	{ CF_DEBTOR_STREET, NULL, NULL },
	{ CF_DEBTOR_CITY, NULL, NULL },
	{ CF_DEBTOR_COUNTRY, rule_debtor_country, NULL },
	{ CF_DEBTOR_NATIONAL_ID, rule_national_id, NULL },
	{ CF_DEBTOR_BIRTH_DATE, rule_birth_date, NULL },
	{ CF_DEBTOR_POSTAL_CODE, rule_postal_code, NULL },
	{ CF_DEBTOR_EMAIL, rule_email, NULL },
	{ CF_DEBTOR_PHONE, rule_phone, NULL },
	{ CF_INVOICE_NUMBER, NULL, NULL },
	{ CF_INVOICE_DATE, rule_invoice_date, NULL },
	{ CF_DUE_DATE, rule_due_date, NULL },
	{ CF_ORIGINAL_AMOUNT, rule_original_amount, NULL },
	{ CF_CURRENCY, rule_case_currency, NULL },
	{ CF_PAID_AMOUNT, rule_paid_amount, NULL },
	{ CF_FEE_AMOUNT, rule_not_in_claim, NULL },
	{ CF_INTEREST_AMOUNT, rule_not_in_claim, NULL },
	{ CF_CLAIM_TYPE, rule_claim_type, NULL },
	{ CF_DISPUTED, rule_disputed, NULL },
	{ CF_REQUEST_NOTICE, rule_request_notice, NULL },
	{ CF_REMINDER_DATE, rule_reminder_date, NULL },
	{ CF_NOTICE_DATE, rule_notice_date, NULL },
};

static const char *const tx_kinds[] = { "payment", "direct_payment", "credit_note", "withdrawal" };
#define TX_WITHDRAWAL 3

static void rule_tx_kind(struct facts *x, int f, bool present)
{
	if (!present)
		return;
	for (int i = 0; i < 4; i++)
		if (strcmp(val(x, f), tx_kinds[i]) == 0)
			x->kind = i;
	if (x->kind < 0)
		verdict_add(x->v, RC_BAD_FORMAT, f, "kind must be payment, direct_payment, credit_note or withdrawal");
}

/* booking_date, event_date: a date not after as-of */
static void rule_booking_date(struct facts *x, int f, bool present)
{
	int32_t dt;

	if (!present)
		return;
	if (parse_date(x->r, f, &dt) != 0)
		verdict_add(x->v, RC_BAD_DATE, f, "%s is not a date YYYY-MM-DD", x->d[f].name);
	else if (dt > x->ctx->as_of)
		verdict_add(x->v, RC_BAD_DATE, f, "%s is after the as-of date", x->d[f].name);
}

/* amount and currency: required unless a withdrawal (or the kind is bad) */
static bool money_required(const struct facts *x)
{
	return x->kind >= 0 && x->kind != TX_WITHDRAWAL;
}

static void rule_tx_amount(struct facts *x, int f, bool present)
{
	bool withdrawal = x->kind == TX_WITHDRAWAL;
	int64_t amt;

	if (!present)
		return;
	if (parse_amount(x->ctx, x->r, f, &amt) != 0)
		verdict_add(x->v, RC_BAD_AMOUNT, f, "amount is not an amount like 1234.50");
	else if (withdrawal && amt != 0)
		verdict_add(x->v, RC_BAD_AMOUNT, f, "a withdrawal has no amount");
	else if (!withdrawal && amt == 0)
		verdict_add(x->v, RC_BAD_AMOUNT, f, "amount must be greater than zero");
	else if (amt > x->ctx->conf->max_amount)
		verdict_add(x->v, RC_BAD_AMOUNT, f, "amount is above the largest amount accepted (max_amount)");
	else
		x->v->num[f] = amt;
}

static void rule_tx_currency(struct facts *x, int f, bool present)
{
	if (present && (x->r->f[f].len != 3 || !rules_currency_ok(val(x, f))))
		verdict_add(x->v, RC_CURRENCY_MISMATCH, f, "currency is not the case's currency");
}

static void rule_reason(struct facts *x, int f, bool present)
{
	static const char *const reasons[] = { "unjustified", "crossed_payment", "goodwill" };
	bool ok = false;

	if (x->kind != TX_WITHDRAWAL)
		return;
	if (present) {
		for (int i = 0; i < 3; i++)
			if (strcmp(val(x, f), reasons[i]) == 0)
				ok = true;
		if (!ok)
			verdict_add(x->v, RC_BAD_FORMAT, f, "reason must be unjustified, crossed_payment or goodwill");
	} else if (x->r->f[f].len == 0 && !(x->r->f[f].flags & FIELD_TOO_LONG)) {
		verdict_add(x->v, RC_BAD_FORMAT, f, "a withdrawal needs a reason: unjustified, crossed_payment or goodwill");
	}
}

static const struct rule tx_rules[] = {
	{ TF_CREDITOR_ID, rule_creditor, NULL },
	{ TF_CREDITOR_REFERENCE, rule_reference, NULL },
	{ TF_TRANSACTION_ID, rule_transaction_id, NULL },
	{ TF_KIND, rule_tx_kind, NULL },
	{ TF_BOOKING_DATE, rule_booking_date, NULL },
	{ TF_AMOUNT, rule_tx_amount, money_required },
	{ TF_CURRENCY, rule_tx_currency, money_required },
	{ TF_REASON, rule_reason, NULL },
};

/* ---- assignment files (SPEC 13) ---- */

/* suspense_id: a suspense item's number, a positive integer; the key
 * (txid_ok) for DUPLICATE_IN_FILE. */
static void rule_suspense_id(struct facts *x, int f, bool present)
{
	const char *s = val(x, f);
	size_t n = x->r->f[f].len;
	bool digits = n > 0 && n <= 18 && s[0] != '0';

	if (!present)
		return;
	for (size_t i = 0; i < n && digits; i++)
		digits = s[i] >= '0' && s[i] <= '9';
	if (!digits)
		verdict_add(x->v, RC_BAD_FORMAT, f, "suspense_id is not a suspense item's number (a positive integer)");
	x->v->txid_ok = digits;
}

static const struct rule assign_rules[] = {
	{ AF_SUSPENSE_ID, rule_suspense_id, NULL },
	{ AF_CREDITOR_ID, rule_creditor, NULL },
	{ AF_CREDITOR_REFERENCE, rule_reference, NULL },
};

/* ---- event files (SPEC 16) ---- */

static void rule_stage(struct facts *x, int f, bool present)
{
	if (present && case_stage_parse(val(x, f)) < 0)
		verdict_add(x->v, RC_BAD_FORMAT, f, "stage must be notice, collection, legal or surveillance");
}

/* event_id is the record's own key, as transaction_id is (txid_ok) */
static const struct rule event_rules[] = {
	{ EF_CREDITOR_ID, rule_creditor, NULL },
	{ EF_CREDITOR_REFERENCE, rule_reference, NULL },
	{ EF_EVENT_ID, rule_transaction_id, NULL },
	{ EF_STAGE, rule_stage, NULL },
	{ EF_EVENT_DATE, rule_booking_date, NULL },
};

size_t validate_run(const struct validate_ctx *ctx, struct record *r, struct verdict *v, enum file_kind kind,
		    const struct rule *rules, size_t n, bool sort)
{
	size_t nd;
	struct facts x;

	memset(v, 0, sizeof(*v));
	if (r->bad_record) {
		/* Fields of a malformed record cannot be trusted: one code. */
		verdict_add(v, RC_BAD_RECORD, -1, "%s", r->problem[0] != '\0' ? r->problem : "the record is malformed");
		return v->n;
	}
	memset(&x, 0, sizeof(x));
	x.ctx = ctx;
	x.r = r;
	x.v = v;
	x.d = record_fields(kind, &nd);
	x.kind = -1;
	for (size_t i = 0; i < n; i++) {
		int f = rules[i].field;
		bool required = rules[i].required != NULL ? rules[i].required(&x) : x.d[f].required;
		bool present = usable(ctx, r, v, x.d, f, required);

		if (rules[i].check != NULL)
			rules[i].check(&x, f, present);
	}
	if (sort)
		sort_by_field(v);
	return v->n;
}

size_t validate_case(const struct validate_ctx *ctx, struct record *r, struct verdict *v)
{
	return validate_run(ctx, r, v, KIND_CASES, case_rules, sizeof(case_rules) / sizeof(case_rules[0]), true);
}

size_t validate_transaction(const struct validate_ctx *ctx, struct record *r, struct verdict *v)
{
	return validate_run(ctx, r, v, KIND_TRANSACTIONS, tx_rules, sizeof(tx_rules) / sizeof(tx_rules[0]), false);
}

size_t validate_assignment(const struct validate_ctx *ctx, struct record *r, struct verdict *v)
{
	return validate_run(ctx, r, v, KIND_ASSIGNMENTS, assign_rules, sizeof(assign_rules) / sizeof(assign_rules[0]),
			 false);
}

size_t validate_event(const struct validate_ctx *ctx, struct record *r, struct verdict *v)
{
	return validate_run(ctx, r, v, KIND_EVENTS, event_rules, sizeof(event_rules) / sizeof(event_rules[0]), false);
}
