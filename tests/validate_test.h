/* validate_test.h: what the validator suites (check_validate.c,
 * check_validate_v2.c) share: the configuration filled by hand (CH, SE,
 * NO, DK as in conf/), the creditor table (a sorted array), the as-of date
 * 2026-09-30, valid base records and the checks of a verdict. A base record
 * that is valid is changed in one field per check. */
#ifndef TESTS_VALIDATE_TEST_H
#define TESTS_VALIDATE_TEST_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "date.h"
#include "record.h"
#include "validate.h"

#define AS_OF "2026-09-30"
#define ABSENT NULL /* the column or element does not exist at all */

static struct config conf __attribute__((unused));
static struct creditor_info creditor_items[] = {
	/* sorted by id for creditor_find's bsearch */
	{ "C1", "CH", "CHF", true, REF_SCOR },
	{ "C2", "CH", "CHF", false, REF_SCOR }, /* inactive */
	{ "D1", "DK", "DKK", true, REF_SCOR },
	{ "F1", "FI", "EUR", true, REF_SCOR },  /* its country is not configured */
	{ "N1", "NO", "NOK", true, REF_SCOR },
	{ "S1", "SE", "SEK", true, REF_SCOR },
};
static struct creditor_table creditors __attribute__((unused)) = { creditor_items, sizeof(creditor_items) / sizeof(creditor_items[0]) };
static struct validate_ctx vctx __attribute__((unused));
static struct record rec __attribute__((unused));
static struct verdict verdict __attribute__((unused));

static inline void add_country(const char *code, const char *currency, bool reminder, unsigned special)
{
	struct country_conf *cc = &conf.countries[conf.ncountries++];

	memset(cc, 0, sizeof(*cc));
	snprintf(cc->code, sizeof(cc->code), "%s", code);
	snprintf(cc->currency, sizeof(cc->currency), "%s", currency);
	cc->reminder_required = reminder;
	cc->special_claim_types = special;
	cc->interest_days_per_year = 365;
}

static inline void setup(void)
{
	int32_t as_of;

	config_init(&conf);
	add_country("CH", "CHF", false, (1u << CLAIM_RENT) | (1u << CLAIM_CONSUMER_CREDIT) | (1u << CLAIM_ENERGY));
	add_country("SE", "SEK", true, 1u << CLAIM_CONSUMER_CREDIT);
	add_country("NO", "NOK", true, 1u << CLAIM_CONSUMER_CREDIT);
	add_country("DK", "DKK", true, 1u << CLAIM_RENT);
	ck_assert_int_eq(date_parse(&as_of, AS_OF, 10), 0);
	memset(&vctx, 0, sizeof(vctx));
	vctx.conf = &conf;
	vctx.creditors = &creditors;
	vctx.as_of = as_of;
	vctx.creditor_filter = NULL;
	vctx.decimal_comma = false;
}

static inline void teardown(void)
{
	config_release(&conf);
}

/* A valid Swiss case (creditor C1): nothing to reject. */
static const char *const case_ch[CF__COUNT] = {
	[CF_CREDITOR_ID] = "C1",
	[CF_CREDITOR_REFERENCE] = "C1-1001",
	[CF_DEBTOR_TYPE] = "person",
	[CF_DEBTOR_NAME] = "Anna Muster",
	[CF_DEBTOR_NATIONAL_ID] = "",
	[CF_DEBTOR_BIRTH_DATE] = "1980-05-17",
	[CF_DEBTOR_STREET] = "Bahnhofstrasse 1",
	[CF_DEBTOR_POSTAL_CODE] = "8001",
	[CF_DEBTOR_CITY] = "Z\xc3\xbcrich",
	[CF_DEBTOR_COUNTRY] = "CH",
	[CF_DEBTOR_EMAIL] = "anna@example.ch",
	[CF_DEBTOR_PHONE] = "+41 44 123 45 67",
	[CF_INVOICE_NUMBER] = "INV-1",
	[CF_INVOICE_DATE] = "2026-08-01",
	[CF_DUE_DATE] = "2026-08-31",
	[CF_ORIGINAL_AMOUNT] = "1200.50",
	[CF_CURRENCY] = "CHF",
	[CF_PAID_AMOUNT] = "200.50",
	[CF_FEE_AMOUNT] = "",
	[CF_INTEREST_AMOUNT] = "",
	[CF_CLAIM_TYPE] = "goods",
	[CF_DISPUTED] = "false",
	[CF_REMINDER_DATE] = "",
};

/* A valid Swedish case (creditor S1): Sweden requires a reminder. */
static const char *const case_se[CF__COUNT] = {
	[CF_CREDITOR_ID] = "S1",
	[CF_CREDITOR_REFERENCE] = "S1-2001",
	[CF_DEBTOR_TYPE] = "person",
	[CF_DEBTOR_NAME] = "Sven Svensson",
	[CF_DEBTOR_NATIONAL_ID] = "",
	[CF_DEBTOR_BIRTH_DATE] = "",
	[CF_DEBTOR_STREET] = "Storgatan 2",
	[CF_DEBTOR_POSTAL_CODE] = "123 45",
	[CF_DEBTOR_CITY] = "Stockholm",
	[CF_DEBTOR_COUNTRY] = "SE",
	[CF_DEBTOR_EMAIL] = "",
	[CF_DEBTOR_PHONE] = "",
	[CF_INVOICE_NUMBER] = "F-77",
	[CF_INVOICE_DATE] = "2026-07-01",
	[CF_DUE_DATE] = "2026-07-31",
	[CF_ORIGINAL_AMOUNT] = "5000",
	[CF_CURRENCY] = "SEK",
	[CF_PAID_AMOUNT] = "0",
	[CF_FEE_AMOUNT] = "0",
	[CF_INTEREST_AMOUNT] = "0.00",
	[CF_CLAIM_TYPE] = "services",
	[CF_DISPUTED] = "no",
	[CF_REMINDER_DATE] = "2026-08-15",
};

static const char *const tx_base[TF__COUNT] = {
	[TF_CREDITOR_ID] = "C1",
	[TF_CREDITOR_REFERENCE] = "C1-1001",
	[TF_TRANSACTION_ID] = "TX-1",
	[TF_KIND] = "payment",
	[TF_BOOKING_DATE] = "2026-09-01",
	[TF_AMOUNT] = "100.00",
	[TF_CURRENCY] = "CHF",
	[TF_REASON] = "",
};

static inline void fill(struct record *r, enum file_kind kind, const char *const *base, int n)
{
	record_reset(r, kind);
	r->ordinal = 1;
	r->line = 2;
	for (int f = 0; f < n; f++)
		if (base[f] != ABSENT)
			record_set_field(r, f, base[f], strlen(base[f]));
}

/* The base record with up to two fields replaced (field -1: none). */
static inline struct record *case_with(const char *const *base, int f1, const char *v1, int f2, const char *v2)
{
	const char *vals[CF__COUNT];

	memcpy(vals, base, sizeof(vals));
	if (f1 >= 0)
		vals[f1] = v1;
	if (f2 >= 0)
		vals[f2] = v2;
	fill(&rec, KIND_CASES, vals, CF__COUNT);
	return &rec;
}

static inline struct record *tx_with(int f1, const char *v1, int f2, const char *v2)
{
	const char *vals[TF__COUNT];

	memcpy(vals, tx_base, sizeof(vals));
	if (f1 >= 0)
		vals[f1] = v1;
	if (f2 >= 0)
		vals[f2] = v2;
	fill(&rec, KIND_TRANSACTIONS, vals, TF__COUNT);
	return &rec;
}

static inline const char *describe(const struct verdict *v, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < v->n && used < size; i++) {
		int k = snprintf(buf + used, size - used, "%s%s@%d", i ? " " : "",
				 reject_code_name(v->items[i].code), v->items[i].field);

		if (k < 0)
			break;
		used += (size_t)k;
	}
	return v->n == 0 ? "(none)" : buf;
}

/* Exactly the listed (code, field) pairs, in this order. */
static inline void expect_items(const struct verdict *v, size_t n, const enum reject_code *codes, const int *fields,
			 const char *what)
{
	char got[1024];

	describe(v, got, sizeof(got));
	ck_assert_msg(v->n == n, "%s: %zu errors (%s), want %zu", what, v->n, v->n ? got : "none", n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(v->items[i].code == codes[i] && v->items[i].field == fields[i],
			      "%s: error %zu is %s@%d, want %s@%d (all: %s)", what, i,
			      reject_code_name(v->items[i].code), v->items[i].field, reject_code_name(codes[i]),
			      fields[i], got);
		ck_assert_msg(v->items[i].message[0] != '\0', "%s: error %zu has no message", what, i);
	}
}

static inline void case_only(struct record *r, enum reject_code code, int field, const char *what)
{
	size_t n = validate_case(&vctx, r, &verdict);

	ck_assert_uint_eq(n, verdict.n);
	expect_items(&verdict, 1, &code, &field, what);
}

static inline void case_ok(struct record *r, const char *what)
{
	size_t n = validate_case(&vctx, r, &verdict);

	expect_items(&verdict, 0, NULL, NULL, what);
	ck_assert_uint_eq(n, 0);
}

static inline void tx_only(struct record *r, enum reject_code code, int field, const char *what)
{
	size_t n = validate_transaction(&vctx, r, &verdict);

	ck_assert_uint_eq(n, verdict.n);
	expect_items(&verdict, 1, &code, &field, what);
}

static inline void tx_ok(struct record *r, const char *what)
{
	size_t n = validate_transaction(&vctx, r, &verdict);

	expect_items(&verdict, 0, NULL, NULL, what);
	ck_assert_uint_eq(n, 0);
}

/* Replace one more field of rec (ABSENT: the field does not exist). */
static inline struct record *put(int f, const char *v)
{
	if (v == ABSENT)
		memset(&rec.f[f], 0, sizeof(rec.f[f]));
	else
		record_set_field(&rec, f, v, strlen(v));
	return &rec;
}

/* n copies of the UTF-8 text unit. */
static inline const char *repeat(char *buf, size_t size, const char *unit, size_t n)
{
	size_t ul = strlen(unit);

	ck_assert_uint_lt(ul * n, size);
	for (size_t i = 0; i < n; i++)
		memcpy(buf + i * ul, unit, ul);
	buf[ul * n] = '\0';
	return buf;
}

#endif
