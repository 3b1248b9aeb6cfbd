#include "record.h"

#include <string.h>
#include <strings.h>

static const struct field_def case_fields[CF__COUNT] = {
	[CF_CREDITOR_ID] = { "creditor_id", "creditorId", true, 16, COL_TEXT, false, true },
	[CF_CREDITOR_REFERENCE] = { "creditor_reference", "creditorReference", true, 64, COL_TEXT, false, true },
	[CF_DEBTOR_TYPE] = { "debtor_type", "debtor/@type", true, 0, COL_TEXT, true, false },
	[CF_DEBTOR_NAME] = { "debtor_name", "debtor/name", true, 200, COL_TEXT, true, false },
	[CF_DEBTOR_NATIONAL_ID] = { "debtor_national_id", "debtor/nationalId", false, 32, COL_TEXT, true, false },
	[CF_DEBTOR_BIRTH_DATE] = { "debtor_birth_date", "debtor/birthDate", false, 0, COL_DATE, true, false },
	[CF_DEBTOR_STREET] = { "debtor_street", "debtor/address/street", true, 200, COL_TEXT, true, false },
	[CF_DEBTOR_POSTAL_CODE] = { "debtor_postal_code", "debtor/address/postalCode", true, 16, COL_TEXT, true, false },
	[CF_DEBTOR_CITY] = { "debtor_city", "debtor/address/city", true, 100, COL_TEXT, true, false },
	[CF_DEBTOR_COUNTRY] = { "debtor_country", "debtor/address/country", true, 0, COL_TEXT, true, false },
	[CF_DEBTOR_EMAIL] = { "debtor_email", "debtor/email", false, 254, COL_TEXT, true, false },
	[CF_DEBTOR_PHONE] = { "debtor_phone", "debtor/phone", false, 32, COL_TEXT, true, false },
	[CF_INVOICE_NUMBER] = { "invoice_number", "invoice/number", true, 64, COL_TEXT, true, false },
	[CF_INVOICE_DATE] = { "invoice_date", "invoice/date", true, 0, COL_DATE, true, false },
	[CF_DUE_DATE] = { "due_date", "invoice/dueDate", true, 0, COL_DATE, true, false },
	[CF_ORIGINAL_AMOUNT] = { "original_amount", "invoice/amount", true, 0, COL_MONEY, true, false },
	[CF_CURRENCY] = { "currency", "invoice/amount/@currency", true, 0, COL_TEXT, true, false },
	[CF_PAID_AMOUNT] = { "paid_amount", "invoice/paidAmount", false, 0, COL_MONEY, true, false },
	[CF_FEE_AMOUNT] = { "fee_amount", "invoice/feeAmount", false, 0, COL_NONE, false, false },
	[CF_INTEREST_AMOUNT] = { "interest_amount", "invoice/interestAmount", false, 0, COL_NONE, false, false },
	[CF_CLAIM_TYPE] = { "claim_type", "claimType", true, 0, COL_TEXT, true, false },
	[CF_DISPUTED] = { "disputed", "disputed", true, 0, COL_BOOL, false, false },
	[CF_REMINDER_DATE] = { "reminder_date", "reminderDate", false, 0, COL_DATE, true, false },
	/* v2 (SPEC 5.1, 16): optional columns, so files without them load as before */
	[CF_NOTICE_DATE] = { "notice_date", "noticeDate", false, 0, COL_DATE, true, false },
	[CF_REQUEST_NOTICE] = { "request_notice", "requestNotice", false, 0, COL_BOOL, true, false },
};

static const struct field_def tx_fields[TF__COUNT] = {
	[TF_CREDITOR_ID] = { "creditor_id", "creditorId", true, 16, COL_TEXT, false, true },
	[TF_CREDITOR_REFERENCE] = { "creditor_reference", "creditorReference", true, 64, COL_TEXT, true, true },
	[TF_TRANSACTION_ID] = { "transaction_id", "transactionId", true, 64, COL_TEXT, false, true },
	[TF_KIND] = { "kind", "kind", true, 0, COL_TEXT, true, false },
	[TF_BOOKING_DATE] = { "booking_date", "bookingDate", true, 0, COL_DATE, true, false },
	[TF_AMOUNT] = { "amount", "amount", true, 0, COL_MONEY, true, false },
	[TF_CURRENCY] = { "currency", "amount/@currency", true, 0, COL_TEXT, false, false }, /* compared in classify.c: a withdrawal takes the case's */
	[TF_REASON] = { "reason", "reason", false, 0, COL_TEXT, true, false },
};

/* SPEC 13. xml_path is empty: the camt walker finds these by itself (the
 * paths are in record.h). The key is (account, bank_reference); the same
 * key with another amount, date or direction is DUPLICATE. Limits are the
 * ISO 20022 types' (Max35Text, Max140Text, IBAN2007Identifier, UUIDv4);
 * bank_reference holds at most two references and a separator. */
static const struct field_def bank_fields[BF__COUNT] = {
	[BF_ACCOUNT] = { "account", "", true, 34, COL_TEXT, false, true },
	[BF_ENTRY_STATUS] = { "entry_status", "", true, 4, COL_TEXT, false, false },
	[BF_BOOKING_DATE] = { "booking_date", "", true, 0, COL_DATE, true, false },
	[BF_AMOUNT] = { "amount", "", true, 0, COL_MONEY, true, false },
	[BF_CURRENCY] = { "currency", "", true, 0, COL_TEXT, false, false },
	[BF_DIRECTION] = { "direction", "", true, 4, COL_TEXT, true, false },
	[BF_REVERSAL] = { "reversal", "", false, 0, COL_BOOL, false, false },
	[BF_REFERENCE] = { "reference", "", false, 35, COL_TEXT, false, false },
	[BF_DEBTOR_NAME] = { "debtor_name", "", false, 140, COL_TEXT, false, false },
	[BF_ACCT_SVCR_REF] = { "acct_svcr_ref", "", false, 35, COL_TEXT, false, false },
	[BF_UETR] = { "uetr", "", false, 36, COL_TEXT, false, false },
	[BF_END_TO_END_ID] = { "end_to_end_id", "", false, 35, COL_TEXT, false, false },
	[BF_ENTRY_ACCT_SVCR_REF] = { "entry_acct_svcr_ref", "", false, 35, COL_TEXT, false, false },
	[BF_DETAIL_ORDINAL] = { "detail_ordinal", "", true, 0, COL_TEXT, false, false },
	[BF_BANK_REFERENCE] = { "bank_reference", "", true, 80, COL_TEXT, false, true },
};

/* SPEC 13: the key is suspense_id (a repeat in the file is
 * DUPLICATE_IN_FILE); the case is the creditor's creditor_reference. */
static const struct field_def assign_fields[AF__COUNT] = {
	[AF_SUSPENSE_ID] = { "suspense_id", "", true, 18, COL_TEXT, false, true },
	[AF_CREDITOR_ID] = { "creditor_id", "", true, 16, COL_TEXT, false, true },
	[AF_CREDITOR_REFERENCE] = { "creditor_reference", "", true, 64, COL_TEXT, false, true },
};

/* SPEC 16: the key is event_id, unique per creditor (DUPLICATE_IN_FILE,
 * DUPLICATE); the case is the creditor's creditor_reference. The same
 * event again with the same case, stage and date is `skipped`. */
static const struct field_def event_fields[EF__COUNT] = {
	[EF_CREDITOR_ID] = { "creditor_id", "creditorId", true, 16, COL_TEXT, false, true },
	[EF_CREDITOR_REFERENCE] = { "creditor_reference", "creditorReference", true, 64, COL_TEXT, true, true },
	[EF_EVENT_ID] = { "event_id", "eventId", true, 64, COL_TEXT, false, true },
	[EF_STAGE] = { "stage", "stage", true, 0, COL_TEXT, true, false },
	[EF_EVENT_DATE] = { "event_date", "eventDate", true, 0, COL_DATE, true, false },
};

static const struct field_def creditor_fields[KF__COUNT] = {
	[KF_CREDITOR_ID] = { "creditor_id", "", true, 16 },
	[KF_NAME] = { "name", "", true, 200 },
	[KF_COUNTRY] = { "country", "", true, 0 },
	[KF_CURRENCY] = { "currency", "", true, 0 },
	[KF_COMMISSION_PCT] = { "commission_pct", "", true, 0 },
	[KF_INTEREST_TO] = { "interest_to", "", true, 0 },
	[KF_IBAN] = { "iban", "", true, 42 },
	[KF_ACTIVE] = { "active", "", true, 0 },
};

const struct field_def *record_fields(enum file_kind kind, size_t *count)
{
	switch (kind) {
	case KIND_CREDITORS:
		*count = KF__COUNT;
		return creditor_fields;
	case KIND_CASES:
		*count = CF__COUNT;
		return case_fields;
	case KIND_TRANSACTIONS:
		*count = TF__COUNT;
		return tx_fields;
	case KIND_BANK:
		*count = BF__COUNT;
		return bank_fields;
	case KIND_ASSIGNMENTS:
		*count = AF__COUNT;
		return assign_fields;
	case KIND_EVENTS:
		*count = EF__COUNT;
		return event_fields;
	case KIND_UNKNOWN:
		break;
	}
	*count = 0;
	return NULL;
}

int record_field_by_name(enum file_kind kind, const char *name, size_t len)
{
	size_t n;
	const struct field_def *defs = record_fields(kind, &n);

	for (size_t i = 0; i < n; i++)
		if (strlen(defs[i].name) == len && strncasecmp(defs[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

int record_field_by_xml_path(enum file_kind kind, const char *path)
{
	int hint = -1;

	return record_field_by_xml_path_from(kind, path, &hint);
}

int record_field_by_xml_path_from(enum file_kind kind, const char *path, int *hint)
{
	size_t n;
	const struct field_def *defs = record_fields(kind, &n);
	size_t start = *hint >= 0 ? (size_t)*hint + 1 : 0;

	for (size_t k = 0; k < n; k++) {
		size_t i = (start + k) % n;

		if (strcmp(defs[i].xml_path, path) == 0) {
			*hint = (int)i;
			return (int)i;
		}
	}
	return -1;
}

const char *file_kind_name(enum file_kind kind)
{
	switch (kind) {
	case KIND_CASES: return "cases";
	case KIND_TRANSACTIONS: return "transactions";
	case KIND_CREDITORS: return "creditors";
	case KIND_BANK: return "bank";
	case KIND_ASSIGNMENTS: return "assignments";
	case KIND_EVENTS: return "events";
	case KIND_UNKNOWN: break;
	}
	return "unknown";
}

void record_reset(struct record *r, enum file_kind kind)
{
	r->kind = kind;
	r->ordinal = 0;
	r->line = 0;
	memset(r->f, 0, sizeof(r->f));
	r->bad_record = false;
	r->problem[0] = '\0';
	r->buf[0] = '\0';
	r->used = 1; /* offset 0 is the empty string of absent fields */
}

static void store(struct record *r, int field, const char *s, size_t len)
{
	struct field_value *fv = &r->f[field];

	if (len > RECORD_FIELD_MAX_BYTES || r->used + len + 1 > sizeof(r->buf)) {
		fv->flags |= FIELD_TOO_LONG;
		fv->off = 0;
		fv->len = 0;
		return;
	}
	memcpy(r->buf + r->used, s, len);
	r->buf[r->used + len] = '\0';
	fv->off = (uint32_t)r->used;
	fv->len = (uint32_t)len;
	r->used += len + 1;
}

void record_set_field(struct record *r, int field, const char *s, size_t len)
{
	if (field < 0 || field >= RECORD_MAX_FIELDS)
		return;
	r->f[field].flags |= FIELD_PRESENT;
	store(r, field, s, len);
}

void record_append_field(struct record *r, int field, const char *s, size_t len)
{
	struct field_value *fv;

	if (field < 0 || field >= RECORD_MAX_FIELDS)
		return;
	fv = &r->f[field];
	if (!(fv->flags & FIELD_PRESENT)) {
		record_set_field(r, field, s, len);
		return;
	}
	if (fv->flags & FIELD_TOO_LONG)
		return;
	if (fv->len + len > RECORD_FIELD_MAX_BYTES) {
		fv->flags |= FIELD_TOO_LONG;
		return;
	}
	if (fv->off != 0 && fv->off + fv->len + 1 == r->used && r->used + len + 1 <= sizeof(r->buf)) {
		/* the field is the last one stored: extend it in place */
		memcpy(r->buf + r->used - 1, s, len);
		fv->len += (uint32_t)len;
		r->used += len;
		r->buf[r->used - 1] = '\0';
		return;
	}
	if (r->used + fv->len + len + 1 > sizeof(r->buf)) {
		fv->flags |= FIELD_TOO_LONG;
		return;
	}
	memmove(r->buf + r->used, r->buf + fv->off, fv->len);
	memcpy(r->buf + r->used + fv->len, s, len);
	fv->off = (uint32_t)r->used;
	fv->len += (uint32_t)len;
	r->buf[fv->off + fv->len] = '\0';
	r->used += fv->len + 1;
}

enum file_kind file_kind_parse(const char *name)
{
	for (int k = KIND_CASES; k <= KIND__LAST; k++)
		if (strcmp(file_kind_name((enum file_kind)k), name) == 0)
			return (enum file_kind)k;
	return KIND_UNKNOWN;
}
