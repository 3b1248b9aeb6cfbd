/* validate.h: raw record -> verdict. Pure: no file, no database, no
 * logging. Every rule of SPEC 5.1 / 6 that needs no database; duplicates,
 * UNKNOWN_CASE, CASE_CLOSED and CURRENCY_MISMATCH are checked set-wise in
 * the database by the sink. */
#ifndef LOADER_VALIDATE_H
#define LOADER_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "payref.h"
#include "record.h"

struct creditor_info {
	char id[17];
	char country[3];
	char currency[4];
	bool active;
	enum ref_scheme scheme; /* its country's payment references (SPEC 12) */
};

struct creditor_table {
	struct creditor_info *items; /* sorted by id */
	size_t n;
};

const struct creditor_info *creditor_find(const struct creditor_table *t, const char *id);

struct validate_ctx {
	const struct config *conf;
	const struct creditor_table *creditors;
	int32_t as_of;
	const char *creditor_filter; /* --creditor, or NULL */
	bool decimal_comma;          /* amounts may use ',' (CSV with ';') */
	bool xml;                    /* values are trimmed of CR and LF too */
};

#define VERDICT_MAX_ERRORS 40
#define VERDICT_MESSAGE_MAX 120

struct reject_item {
	enum reject_code code;
	int field; /* field index, or -1 for the whole record */
	char message[VERDICT_MESSAGE_MAX];
};

struct verdict {
	size_t n;
	struct reject_item items[VERDICT_MAX_ERRORS];
	/* Parsed values of the COL_MONEY and COL_BOOL fields (record.c),
	 * valid when the record has no errors: minor units (0 when the
	 * optional field is empty, and for a withdrawal's amount), 0 or 1. */
	int64_t num[RECORD_MAX_FIELDS];
	int64_t collection_fee;   /* cases: the creditor's country's fee */
	const struct creditor_info *creditor; /* known, even when rejected; else NULL */
	bool key_ok;              /* creditor_id and creditor_reference usable as a key */
	bool txid_ok;             /* transaction_id (assignments: suspense_id, events: event_id) usable as a key */
	bool ref_ok;              /* bank: the reference checks by a scheme of SPEC 12 */
	/* bank, when ref_ok: the case_ids the reference can be made from
	 * (payref_ids), looked up in cases by its primary key */
	int n_ref_ids;
	int64_t ref_ids[PAYREF_IDS_MAX];
};

/* Trim fields in place and check them. Returns the number of errors. */
size_t validate_case(const struct validate_ctx *ctx, struct record *r, struct verdict *v);
size_t validate_transaction(const struct validate_ctx *ctx, struct record *r, struct verdict *v);
/* A bank record (SPEC 13): keys, and for a booked credit or reversal its
 * date and amount; the reference normalised in the record (ref_ok). */
size_t validate_bank(const struct validate_ctx *ctx, struct record *r, struct verdict *v);
/* An assignment row (SPEC 13): suspense_id a positive integer, the
 * creditor known and active (and the --creditor of the run). */
size_t validate_assignment(const struct validate_ctx *ctx, struct record *r, struct verdict *v);
/* An event (SPEC 16): the creditor known and active, the case's
 * reference and event_id usable as keys (key_ok, txid_ok), a known stage,
 * event_date a date not after as-of. */
size_t validate_event(const struct validate_ctx *ctx, struct record *r, struct verdict *v);

#endif
