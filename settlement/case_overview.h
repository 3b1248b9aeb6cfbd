/* case_overview.h: bin/settlement case (SPEC 16), the case overview of
 * the creditors' portals ("Fallübersicht"): one case, its balances and
 * everything that happened to it.
 *
 * What it shows: the case's number, creditor, references (creditor
 * reference, invoice number, payment reference), debtor name and city (no
 * other personal data), currency, registration date and stage, the status
 * and the stage on the as-of date; the original balances (original amount
 * and what was paid before handover; principal, fees and interest at
 * registration) and the balances as of the last settlement with the
 * statement that made them; then the history: every transaction and event
 * of the case in booking order (by date; on one date events before
 * transactions, then load order), a settled transaction with its
 * allocation (to fees, interest, principal, overpaid; a withdrawal's fee)
 * and the statement that settled it, one not settled yet without them.
 *
 * Text: "key  value" lines, a balance table, and the history in columns as
 * wide as their widest value (an id longer than OVERVIEW_ID_MAX characters
 * cut there, with "..."), amounts right-aligned with two decimals, "-" for
 * no statement, a withdrawal's reason and fee on a line under it; outside
 * text escaped (SPEC 2 v2).
 * JSON: one object with snake_case keys, amounts as strings with two
 * decimals, the history as one array of objects with `type` "transaction"
 * or "event" and `statement_number` (null when not settled, and on events).
 * An unknown creditor or case is ERR_USAGE (exit 2). */
#ifndef SETTLEMENT_CASE_OVERVIEW_H
#define SETTLEMENT_CASE_OVERVIEW_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

struct case_overview_opts {
	const char *creditor_id;
	const char *reference; /* the creditor_reference */
	int32_t as_of;         /* the date of the status and the stage */
	bool json;
	FILE *out;
};

int case_overview(PGconn *conn, const struct case_overview_opts *o, struct err *e);

/* ---- the output, without a database ---- */

/* Most characters of an id or statement number shown in a text column. */
#define OVERVIEW_ID_MAX 24

enum { OV_PRINCIPAL, OV_FEES, OV_INTEREST, OV__BALANCES };

struct overview_case {
	int64_t case_id;
	const char *creditor_id;
	const char *creditor_reference;
	const char *invoice_number;
	const char *payment_reference; /* NULL: none (a case of before SPEC 12) */
	const char *as_of;
	const char *status;            /* on the as-of date */
	const char *stage;             /* on the as-of date */
	const char *registration_stage;
	const char *debtor_name;
	const char *debtor_city;
	const char *currency;
	const char *registered;
	int64_t original_amount;
	int64_t paid_amount;                 /* before handover */
	int64_t original[OV__BALANCES];      /* at registration */
	int64_t balance[OV__BALANCES];       /* as of the last settlement */
	const char *last_statement;          /* NULL: no statement settled any of it */
};

enum overview_type { OVERVIEW_TRANSACTION, OVERVIEW_EVENT };

struct overview_item {
	enum overview_type type;
	const char *date;   /* booking date or event date */
	const char *id;     /* transaction_id or event_id */
	const char *what;   /* the transaction's kind, or the event's stage */
	/* transactions */
	int64_t amount;
	const char *reason; /* a withdrawal's; NULL for the others */
	const char *statement_number; /* NULL: not settled yet (no allocation) */
	int64_t to_fees, to_interest, to_principal, overpaid;
	int64_t withdrawal_fee; /* charged to the creditor (a withdrawal) */
};

int overview_write_text(FILE *out, const struct overview_case *c, const struct overview_item *items, size_t n,
			struct err *e);
int overview_write_json(FILE *out, const struct overview_case *c, const struct overview_item *items, size_t n,
			struct err *e);

#endif
