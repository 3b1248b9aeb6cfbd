/* booking.c: SPEC 9.1 in integer minor units. Pure functions. */
#include "booking.h"

#include <assert.h>
#include <string.h>

#include "money.h"

__extension__ typedef __int128 i128;

static const char *const kind_names[BOOKING__KIND_COUNT] = {
	[BOOKING_PAYMENT] = "payment",
	[BOOKING_DIRECT_PAYMENT] = "direct_payment",
	[BOOKING_CREDIT_NOTE] = "credit_note",
	[BOOKING_WITHDRAWAL] = "withdrawal",
	[BOOKING_REVERSAL] = "reversal",
};

static const char *const status_names[] = {
	[BOOKING_OPEN] = "open",
	[BOOKING_CLOSED] = "closed",
	[BOOKING_WITHDRAWN] = "withdrawn",
};

int booking_kind_parse(const char *s)
{
	for (int k = 0; k < BOOKING__KIND_COUNT; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

const char *booking_kind_name(enum booking_kind kind)
{
	assert(kind >= 0 && kind < BOOKING__KIND_COUNT);
	return kind_names[kind];
}

int booking_status_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *booking_status_name(enum booking_status status)
{
	assert(status >= BOOKING_OPEN && status <= BOOKING_WITHDRAWN);
	return status_names[status];
}

static bool amount_ok(int64_t v)
{
	return v >= 0 && v <= MONEY_MAX;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int booking_case_register(struct booking_case *c, int64_t original_amount,
			  int64_t paid_amount, int64_t collection_fee,
			  int32_t due_date, struct err *e)
{
	if (!amount_ok(original_amount) || !amount_ok(paid_amount) ||
	    !amount_ok(collection_fee) || paid_amount >= original_amount)
		return ERR_SET(e, ERR_LIMIT, "case amounts out of range");
	memset(c, 0, sizeof(*c));
	c->principal = original_amount - paid_amount;
	c->fees = collection_fee;
	c->interest = 0;
	c->accrued_to = due_date;
	c->status = BOOKING_OPEN;
	c->closed_date = BOOKING_NO_DATE;
	c->last_transaction_date = BOOKING_NO_DATE;
	return 0;
}

int booking_interest(int64_t *out, int64_t principal, int64_t rate_bp,
		     int days_per_year, int32_t from, int32_t to, struct err *e)
{
	i128 num, den, q, r;
	int64_t days;

	assert(days_per_year > 0);
	*out = 0;
	if (to <= from || principal == 0 || rate_bp == 0)
		return 0;
	if (!amount_ok(principal) || rate_bp < 0 || rate_bp > 10000)
		return ERR_SET(e, ERR_LIMIT, "interest inputs out of range");
	days = (int64_t)to - (int64_t)from;
	/* principal x rate_bp / 10000 x days / days_per_year in one step:
	 * at most 1e15 x 1e4 x 4e6, far inside 128 bits. */
	num = (i128)principal * rate_bp * days;
	den = (i128)10000 * days_per_year;
	q = num / den;
	r = num % den;
	if (r * 2 >= den)
		q++; /* an exact half rounds away from zero */
	if (q > MONEY_MAX)
		return ERR_SET(e, ERR_LIMIT, "interest exceeds the largest amount");
	*out = (int64_t)q;
	return 0;
}

static int add_checked(int64_t *acc, int64_t v, struct err *e)
{
	int64_t sum;

	if (__builtin_add_overflow(*acc, v, &sum))
		return ERR_SET(e, ERR_LIMIT, "amount overflow");
	*acc = sum;
	return 0;
}

/* Step 2 of 9.1: fees, then interest, then principal, the rest overpaid. */
static void allocate_payment(struct booking_line *l, struct booking_case *c)
{
	int64_t rest = l->amount;

	l->to_fees = min64(rest, c->fees);
	rest -= l->to_fees;
	c->fees -= l->to_fees;
	l->to_interest = min64(rest, c->interest);
	rest -= l->to_interest;
	c->interest -= l->to_interest;
	l->to_principal = min64(rest, c->principal);
	rest -= l->to_principal;
	c->principal -= l->to_principal;
	l->overpaid = rest;
}

/* Step 3: principal only, down to zero. */
static void allocate_credit_note(struct booking_line *l, struct booking_case *c)
{
	l->to_principal = min64(l->amount, c->principal);
	c->principal -= l->to_principal;
	l->overpaid = l->amount - l->to_principal;
}

int64_t booking_withdrawal_fee(const struct booking_params *p, enum case_stage stage)
{
	assert(stage >= 0 && stage < STAGE__COUNT);
	return p->stage_fee[stage].set ? p->stage_fee[stage].fee : p->withdrawal_fee;
}

/* Step 4: write everything off and charge the fee of the case's stage,
 * once per case. */
static int apply_withdrawal(struct booking_line *l, struct booking_case *c,
			    const struct booking_params *p, const struct booking_tx *tx, struct err *e)
{
	int64_t off = c->principal;
	int rc;

	if (c->status == BOOKING_WITHDRAWN)
		return 0; /* withdrawn already: nothing left, no second fee */
	rc = add_checked(&off, c->fees, e);
	if (rc == 0)
		rc = add_checked(&off, c->interest, e);
	if (rc != 0)
		return rc;
	l->written_off = off;
	c->principal = 0;
	c->fees = 0;
	c->interest = 0;
	l->withdrawal_fee = booking_withdrawal_fee(p, tx->stage);
	c->closed_date = tx->booking_date;
	c->status = BOOKING_WITHDRAWN;
	return 0;
}

/* A reversal (v2): the original payment's line negated, its allocation
 * back onto the case. A withdrawn case keeps its balances written off; a
 * case closed as paid is open again once something is owed again. */
static int reverse_payment(struct booking_line *l, struct booking_case *c,
			   const struct booking_line *o, struct err *e)
{
	struct booking_case nc = *c;
	int rc = 0;

	assert(o->kind == BOOKING_PAYMENT);
	if (!amount_ok(o->amount) || !amount_ok(o->to_fees) || !amount_ok(o->to_interest) ||
	    !amount_ok(o->to_principal) || !amount_ok(o->overpaid) ||
	    !amount_ok(o->creditor_share) || !amount_ok(o->commission) ||
	    o->payout_effect < -MONEY_MAX || o->payout_effect > MONEY_MAX)
		return ERR_SET(e, ERR_LIMIT, "reversed line out of range");
	l->amount = o->amount;
	l->to_fees = -o->to_fees;
	l->to_interest = -o->to_interest;
	l->to_principal = -o->to_principal;
	l->overpaid = -o->overpaid;
	l->creditor_share = -o->creditor_share;
	l->commission = -o->commission;
	l->payout_effect = -o->payout_effect;
	if (nc.status == BOOKING_WITHDRAWN)
		return 0; /* its balances stay written off */
	rc = add_checked(&nc.fees, o->to_fees, e);
	if (rc == 0)
		rc = add_checked(&nc.interest, o->to_interest, e);
	if (rc == 0)
		rc = add_checked(&nc.principal, o->to_principal, e);
	if (rc != 0)
		return rc;
	if (nc.status == BOOKING_CLOSED && nc.principal + nc.fees + nc.interest > 0) {
		nc.status = BOOKING_OPEN;
		nc.closed_date = BOOKING_NO_DATE;
	}
	*c = nc;
	return 0;
}

/* The case's latest transaction date: never moves back either. */
static void note_transaction_date(struct booking_case *c, int32_t date)
{
	if (c->last_transaction_date == BOOKING_NO_DATE || date > c->last_transaction_date)
		c->last_transaction_date = date;
}

int booking_apply(struct booking_line *out, struct booking_case *c,
		  const struct booking_params *p, const struct booking_tx *tx,
		  struct err *e)
{
	struct booking_case nc = *c; /* work on a copy: c unchanged on failure */
	struct booking_line l;
	int64_t agency_interest;
	int rc;

	assert(tx->kind >= 0 && tx->kind < BOOKING__KIND_COUNT);
	if (!amount_ok(tx->amount))
		return ERR_SET(e, ERR_LIMIT, "transaction amount out of range");
	if (!amount_ok(nc.principal) || !amount_ok(nc.fees) || nc.interest < 0)
		return ERR_SET(e, ERR_LIMIT, "case balances out of range");
	if (!amount_ok(p->withdrawal_fee) || p->commission_bp < 0 ||
	    p->commission_bp > 10000 || p->interest_days_per_year <= 0 ||
	    (unsigned)tx->stage >= STAGE__COUNT || !amount_ok(booking_withdrawal_fee(p, tx->stage)))
		return ERR_SET(e, ERR_LIMIT, "booking parameters out of range");

	assert((tx->kind == BOOKING_REVERSAL) == (tx->original != NULL));

	memset(&l, 0, sizeof(l));
	l.kind = tx->kind;
	l.booking_date = tx->booking_date;
	l.amount = tx->kind == BOOKING_WITHDRAWAL ? 0 : tx->amount;

	/* v2: a withdrawal booked after the case was closed as paid changes
	 * nothing (no interest, no write-off, no fee, no accrued-to date); it
	 * is only the case's latest transaction */
	if (tx->kind == BOOKING_WITHDRAWAL && nc.status == BOOKING_CLOSED) {
		note_transaction_date(&nc, tx->booking_date);
		*c = nc;
		*out = l;
		return 0;
	}

	/* 1. interest accrues up to the booking date; a transaction booked
	 * before the accrued-to date accrues nothing and moves nothing back */
	rc = booking_interest(&l.interest_accrued, nc.principal, p->interest_rate_bp,
			      p->interest_days_per_year, nc.accrued_to,
			      tx->booking_date, e);
	if (rc != 0)
		return rc;
	rc = add_checked(&nc.interest, l.interest_accrued, e);
	if (rc != 0)
		return rc;
	if (tx->booking_date > nc.accrued_to)
		nc.accrued_to = tx->booking_date;

	switch (tx->kind) {
	case BOOKING_PAYMENT:
	case BOOKING_DIRECT_PAYMENT:
		allocate_payment(&l, &nc);
		l.commission = money_pct(l.to_principal, p->commission_bp);
		break;
	case BOOKING_CREDIT_NOTE:
		allocate_credit_note(&l, &nc);
		break;
	case BOOKING_WITHDRAWAL:
		rc = apply_withdrawal(&l, &nc, p, tx, e);
		if (rc != 0)
			return rc;
		break;
	case BOOKING_REVERSAL:
		rc = reverse_payment(&l, &nc, tx->original, e);
		if (rc != 0)
			return rc;
		break;
	case BOOKING__KIND_COUNT:
		break;
	}

	/* 5. closed as paid (a reversal only adds to what is owed) */
	if (tx->kind != BOOKING_WITHDRAWAL && tx->kind != BOOKING_REVERSAL &&
	    nc.status == BOOKING_OPEN &&
	    nc.principal == 0 && nc.fees == 0 && nc.interest == 0) {
		nc.status = BOOKING_CLOSED;
		nc.closed_date = tx->booking_date;
	}
	note_transaction_date(&nc, tx->booking_date);

	/* the line's shares: creditor_share and commission only on money the
	 * debtor paid (v2: 0.00 on credit notes and withdrawals) */
	agency_interest = p->interest_to_creditor ? 0 : l.to_interest;
	if (tx->kind == BOOKING_PAYMENT || tx->kind == BOOKING_DIRECT_PAYMENT)
		l.creditor_share = l.to_principal + (p->interest_to_creditor ? l.to_interest : 0);
	switch (tx->kind) {
	case BOOKING_PAYMENT:
		l.payout_effect = l.creditor_share - l.commission;
		break;
	case BOOKING_DIRECT_PAYMENT:
		l.payout_effect = -(l.to_fees + agency_interest + l.commission);
		break;
	case BOOKING_CREDIT_NOTE:
		l.payout_effect = 0;
		break;
	case BOOKING_WITHDRAWAL:
		l.payout_effect = -l.withdrawal_fee;
		break;
	case BOOKING_REVERSAL: /* the original's, negated (reverse_payment) */
	case BOOKING__KIND_COUNT:
		break;
	}

	*c = nc;
	*out = l;
	return 0;
}

enum booking_status booking_listed_status(enum booking_status listed,
					  enum booking_status booked, bool withdrawal_booked)
{
	if (listed == BOOKING_WITHDRAWN && booked != BOOKING_WITHDRAWN && !withdrawal_booked)
		return BOOKING_WITHDRAWN; /* loaded, booked after this statement's period */
	return booked;
}

int booking_portfolio_register(struct booking_portfolio *p, int64_t principal,
			       struct err *e)
{
	struct booking_portfolio n = *p;
	int rc;

	if (!amount_ok(principal))
		return ERR_SET(e, ERR_LIMIT, "registered principal out of range");
	rc = add_checked(&n.registered_cases, 1, e);
	if (rc == 0)
		rc = add_checked(&n.registered_principal, principal, e);
	if (rc == 0)
		*p = n;
	return rc;
}

/* The principal a case adds to the open principal: its principal while
 * open, nothing once closed or withdrawn. */
static int64_t open_principal(const struct booking_case *c)
{
	return c->status == BOOKING_OPEN ? c->principal : 0;
}

int booking_portfolio_book(struct booking_portfolio *p, const struct booking_case *before,
			   const struct booking_case *after, struct err *e)
{
	struct booking_portfolio n = *p;
	int64_t *event = NULL;
	int rc;

	if (before->status != after->status) {
		if (after->status == BOOKING_WITHDRAWN)
			event = &n.withdrawn_cases;
		else if (after->status == BOOKING_CLOSED)
			event = &n.paid_cases;
		else
			event = &n.reopened_cases;
	}
	rc = event != NULL ? add_checked(event, 1, e) : 0;
	if (rc == 0)
		rc = add_checked(&n.open_principal_change,
				 open_principal(after) - open_principal(before), e);
	if (rc == 0)
		*p = n;
	return rc;
}

void booking_totals_init(struct booking_totals *t)
{
	memset(t, 0, sizeof(*t));
}

int booking_totals_add(struct booking_totals *t, const struct booking_line *l,
		       struct err *e)
{
	struct booking_totals n = *t;
	int64_t *by_kind = NULL;
	int rc;

	switch (l->kind) {
	case BOOKING_PAYMENT: by_kind = &n.payments; break;
	case BOOKING_DIRECT_PAYMENT: by_kind = &n.direct_payments; break;
	case BOOKING_CREDIT_NOTE: by_kind = &n.credit_notes; break;
	case BOOKING_WITHDRAWAL: by_kind = &n.withdrawal_fees; break;
	case BOOKING_REVERSAL: by_kind = &n.reversals; break;
	case BOOKING__KIND_COUNT: break;
	}
	if (by_kind == NULL)
		return ERR_SET(e, ERR_LIMIT, "unknown transaction kind");
	n.lines++;
	rc = add_checked(by_kind, l->kind == BOOKING_WITHDRAWAL ? l->withdrawal_fee
									: l->amount, e);
	if (rc == 0)
		rc = add_checked(&n.creditor_share, l->creditor_share, e);
	if (rc == 0)
		rc = add_checked(&n.commission, l->commission, e);
	if (rc == 0)
		rc = add_checked(&n.payout_effect, l->payout_effect, e);
	if (rc != 0)
		return rc;
	*t = n;
	return 0;
}

int booking_totals_finish(struct booking_totals *t, int64_t vat_bp, struct err *e)
{
	int64_t base = t->commission;
	int rc;

	/* reversals can make the base negative: the VAT goes back too,
	 * rounded half away from zero like any amount */
	rc = add_checked(&base, t->withdrawal_fees, e);
	if (rc != 0)
		return rc;
	if (vat_bp < 0 || vat_bp > 10000)
		return ERR_SET(e, ERR_LIMIT, "VAT rate out of range");
	t->vat = money_pct(base, vat_bp);
	if (__builtin_sub_overflow(t->payout_effect, t->vat, &t->net_payout))
		return ERR_SET(e, ERR_LIMIT, "amount overflow");
	return 0;
}
