/* validate_int.h: what the validator's parts share (validate.c: the
 * generic checks, the rules of cases, transactions, assignments and
 * events, and the run over a rule table; validate_bank.c: the rules of
 * bank records). Not for other modules: validate.h is the interface. */
#ifndef LOADER_VALIDATE_INT_H
#define LOADER_VALIDATE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <strings.h>

#include "date.h"
#include "validate.h"

/* ---- the rules: one row per field, in the order they run ----
 *
 * A rule sees the field after the generic checks (present: usable, a
 * non-empty valid value) and what the rules before it found (struct
 * facts): the debtor's country needs the creditor, the due date the
 * invoice date. The table's order is the order of discovery; the errors
 * are sorted by field at the end. A field without a rule of its own has
 * only the generic checks. */

struct facts {
	const struct validate_ctx *ctx;
	struct record *r;
	struct verdict *v;
	const struct field_def *d;
	const struct creditor_info *cred; /* known, active, configured country */
	const struct country_conf *cc;
	bool company, type_ok, country_ok;
	bool inv_ok, due_ok, orig_ok;
	int32_t inv, due;
	bool request_notice;              /* the agency sends reminder and notice (v2) */
	bool reminder_ok;                 /* reminder_date is a date in range */
	int32_t reminder;
	int kind;                         /* transactions: index in tx_kinds, or -1 */
	bool booked, credit, acts;        /* bank: booked, CRDT, acted on */
};

typedef void (*rule_fn)(struct facts *x, int f, bool present);

struct rule {
	int field;
	rule_fn check; /* NULL: the generic checks only */
	/* required: the field table's `required`, unless this says when */
	bool (*required)(const struct facts *x);
};

static inline const char *val(const struct facts *x, int f)
{
	return record_value(x->r, f);
}

/* One error of the record (at most VERDICT_MAX_ERRORS are kept). */
void verdict_add(struct verdict *v, enum reject_code code, int field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Check a record with a rule table: the generic checks of each field,
 * then its rule; with sort, the errors in the order of the fields. The
 * number of errors. */
size_t validate_run(const struct validate_ctx *ctx, struct record *r, struct verdict *v, enum file_kind kind,
		    const struct rule *rules, size_t n, bool sort);

static inline bool parse_bool(const char *s, bool *out)
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

static inline int parse_date(const struct record *r, int f, int32_t *out)
{
	return date_parse(out, record_value(r, f), r->f[f].len);
}

#endif
