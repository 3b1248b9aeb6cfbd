/* validate_bank.c: the rules of bank records (SPEC 13): keys, and for a
 * booked credit or reversal its date, amount and currency; the structured
 * reference normalised and checked by the schemes of SPEC 12. */
#include <string.h>

#include "money.h"
#include "payref.h"
#include "rules.h"
#include "validate_int.h"

/* ---- bank records (SPEC 13) ----
 *
 * A record the engine acts on is a booked credit, or a booked debit that
 * is a reversal; its date and amount must be right (BAD_DATE, BAD_AMOUNT:
 * a data error of the file). Any other record is counted ignored and its
 * values are not judged: a value that does not parse is left out (NULL in
 * the stage), never a reason to reject. */

static bool bank_acts(const struct facts *x)
{
	return x->acts;
}

/* account, then bank_reference: the record's key (rule_bank_reference) */
static void rule_bank_key(struct facts *x, int f, bool present)
{
	(void)f;
	x->v->key_ok = present;
}

static void rule_entry_status(struct facts *x, int f, bool present)
{
	x->booked = present && strcmp(val(x, f), "BOOK") == 0;
}

static void rule_direction(struct facts *x, int f, bool present)
{
	if (!present)
		return;
	if (strcmp(val(x, f), "CRDT") == 0)
		x->credit = true;
	else if (strcmp(val(x, f), "DBIT") != 0)
		verdict_add(x->v, RC_BAD_FORMAT, f, "direction (CdtDbtInd) must be CRDT or DBIT");
}

/* The last of the three: whether the record is acted on is known now. */
static void rule_reversal(struct facts *x, int f, bool present)
{
	bool reversal = false;

	if (present && !parse_bool(val(x, f), &reversal))
		verdict_add(x->v, RC_BAD_FORMAT, f, "reversal (RvslInd) must be true or false");
	x->v->num[f] = reversal;
	x->acts = x->booked && x->credit != reversal; /* a credit, or a debit that reverses one */
}

/* Left out when the record is not acted on and the value does not parse. */
static void forget(struct facts *x, int f)
{
	x->r->f[f].len = 0;
}

static void rule_bank_date(struct facts *x, int f, bool present)
{
	int32_t dt;

	if (!present)
		return;
	if (parse_date(x->r, f, &dt) != 0) {
		if (bank_acts(x))
			verdict_add(x->v, RC_BAD_DATE, f, "booking_date is not a date YYYY-MM-DD");
		else
			forget(x, f);
	} else if (bank_acts(x) && dt > x->ctx->as_of) {
		verdict_add(x->v, RC_BAD_DATE, f, "booking_date is after the as-of date");
	}
}

static void rule_bank_amount(struct facts *x, int f, bool present)
{
	int64_t amt;

	if (!present)
		return;
	if (money_parse(&amt, val(x, f), x->r->f[f].len, false) != 0) {
		if (bank_acts(x))
			verdict_add(x->v, RC_BAD_AMOUNT, f, "amount is not an amount with at most two decimals");
	} else if (amt == 0 && bank_acts(x)) {
		verdict_add(x->v, RC_BAD_AMOUNT, f, "amount must be greater than zero");
	} else if (amt > x->ctx->conf->max_amount && bank_acts(x)) {
		verdict_add(x->v, RC_BAD_AMOUNT, f, "amount is above the largest amount accepted (max_amount)");
	} else {
		x->v->num[f] = amt;
	}
}

static void rule_bank_currency(struct facts *x, int f, bool present)
{
	if (present && !rules_currency_ok(val(x, f))) {
		if (bank_acts(x))
			verdict_add(x->v, RC_BAD_CURRENCY, f, "currency (Ccy) is not a currency code");
		else
			forget(x, f);
	}
}

/* The structured reference: spaces removed, letters upper case (in the
 * record); valid when some scheme of SPEC 12 checks it. */
static void rule_bank_ref(struct facts *x, int f, bool present)
{
	char *s = x->r->buf + x->r->f[f].off;

	x->v->ref_ok = false;
	x->v->n_ref_ids = 0;
	if (!present)
		return;
	if (payref_normalise(s, x->r->f[f].len + 1, s) == 0) {
		x->r->f[f].len = (uint32_t)strlen(s);
		x->v->ref_ok = payref_any_valid(s, NULL);
		if (x->v->ref_ok)
			x->v->n_ref_ids = payref_ids(s, x->v->ref_ids);
	}
}

static void rule_bank_reference(struct facts *x, int f, bool present)
{
	(void)f;
	x->v->key_ok = x->v->key_ok && present;
}

/* Only the keys are required of every record; the values of a record the
 * engine acts on are required of it. */
static bool bank_value_required(const struct facts *x)
{
	return bank_acts(x);
}

static const struct rule bank_rules[] = {
	{ BF_ACCOUNT, rule_bank_key, NULL },
	{ BF_ENTRY_STATUS, rule_entry_status, NULL },
	{ BF_DIRECTION, rule_direction, NULL },
	{ BF_REVERSAL, rule_reversal, NULL },
	{ BF_BOOKING_DATE, rule_bank_date, bank_value_required },
	{ BF_AMOUNT, rule_bank_amount, bank_value_required },
	{ BF_CURRENCY, rule_bank_currency, bank_value_required },
	{ BF_REFERENCE, rule_bank_ref, NULL },
	{ BF_DEBTOR_NAME, NULL, NULL },
	{ BF_ACCT_SVCR_REF, NULL, NULL },
	{ BF_UETR, NULL, NULL },
	{ BF_END_TO_END_ID, NULL, NULL },
	{ BF_ENTRY_ACCT_SVCR_REF, NULL, NULL },
	{ BF_DETAIL_ORDINAL, NULL, NULL },
	{ BF_BANK_REFERENCE, rule_bank_reference, NULL },
};

size_t validate_bank(const struct validate_ctx *ctx, struct record *r, struct verdict *v)
{
	return validate_run(ctx, r, v, KIND_BANK, bank_rules, sizeof(bank_rules) / sizeof(bank_rules[0]), true);
}
