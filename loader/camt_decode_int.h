/* camt_decode_int.h: the state of the bank file walk, shared by the walk
 * (camt_decode.c: elements to values, values to records) and its
 * file-level checks (camt_totals.c: the account, the batch, entry and
 * balance totals). Private to those two files.
 */
#ifndef LOADER_CAMT_DECODE_INT_H
#define LOADER_CAMT_DECODE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "xml_decode_int.h"

/* A document the walk reads: its namespace, its name, and whether it is
 * an account statement (camt.053: balances) or a notification (camt.054). */
struct camt_doc {
	const char *ns;
	const char *name;
	bool statement;
};

/* The part of the document the walk is in; each keeps its own values. */
enum camt_part { P_NONE, P_REPORT, P_BAL, P_ENTRY, P_DTLS, P_TX, P__COUNT };

/* The values read, by part, in this order (camt_decode.c clears each
 * part's range when the part begins). */
enum camt_slot {
	/* the statement (Stmt) or notification (Ntfctn) */
	S_RPT_ID,
	S_IBAN,
	/* a balance (Stmt/Bal) */
	S_BAL_CODE,
	S_BAL_AMT,
	S_BAL_CCY,
	S_BAL_DIR,
	/* an entry (Ntry) */
	S_NTRY_AMT,
	S_NTRY_CCY,
	S_NTRY_DIR,
	S_NTRY_RVSL,
	S_NTRY_STS,
	S_NTRY_STS_CD,
	S_NTRY_DT,
	S_NTRY_DTTM,
	S_NTRY_REF,
	/* its details' batch (Ntry/NtryDtls/Btch) */
	S_BTCH_N,
	S_BTCH_AMT,
	S_BTCH_CCY,
	S_BTCH_DIR,
	/* a transaction detail (Ntry/NtryDtls/TxDtls) */
	S_TX_REF,
	S_TX_UETR,
	S_TX_E2E,
	S_TX_AMT,
	S_TX_CCY,
	S_TX_TXAMT,
	S_TX_TXAMT_CCY,
	S_TX_DIR,
	S_TX_RVSL,
	S_TX_DBTR,
	S_TX_DBTR_PTY,
	S_TX_CRREF,
	S__COUNT
};

/* A value as written (capped like a record's field; flags as a field's). */
struct camt_value {
	uint32_t len;
	uint8_t flags; /* FIELD_PRESENT, FIELD_TOO_LONG, FIELD_REPEATED */
	uint64_t line; /* of its element */
	char s[RECORD_FIELD_MAX_BYTES + 1];
};

struct camt_frame {
	int slot;            /* a value's element: its slot, else -1 */
	enum camt_part opens; /* the part this element begins, or P_NONE */
	size_t path_len;     /* path bytes up to the end of its name */
};

/* An opening (OPBD) or closing (CLBD) booked balance. */
struct camt_balance {
	bool present;
	int64_t amount; /* minor units, negative when DBIT */
	char ccy[8];
	uint64_t line;
};

struct camt_state {
	const struct camt_doc *doc;
	const char *msg_name;    /* BkToCstmrStmt or BkToCstmrDbtCdtNtfctn */
	const char *report_name; /* Stmt or Ntfctn */
	const char *ns_seen;
	bool msg_seen;

	/* The walk: element names below the statement, joined by '/'. */
	int skip_depth; /* -1, or the depth of an element whose subtree is passed over */
	enum camt_part part;
	size_t part_base[P__COUNT]; /* where the path below the part's element starts */
	struct camt_frame frames[XML_MAX_DEPTH + 1];
	char path[PATH_BYTES];
	struct camt_value v[S__COUNT];

	/* The statement or notification. */
	uint64_t reports;
	uint64_t report_line;
	bool account_checked;
	uint64_t bal_line;
	struct camt_balance opbd, clbd;
	int64_t booked;       /* booked entries, signed */
	bool booked_unknown;  /* a booked entry's amount could not be read */

	/* The entry. */
	uint64_t entries; /* in the file */
	uint64_t entry_line;
	uint64_t entry_records; /* details so far (the record count at its end) */
	int64_t entry_sum;      /* of the details' own amounts, signed */
	bool entry_sum_ok;      /* every detail had an amount and direction that read */
	bool dtls_seen;         /* its NtryDtls began: its own values are complete */

	/* The entry's NtryDtls. */
	uint64_t dtls_line;
	uint64_t dtls_count;
	int64_t dtls_sum;
	bool dtls_sum_ok;

	/* The detail being read, and the record held back. */
	uint64_t tx_line;
	struct record *cur;  /* built at the end of a detail (st->rec or own) */
	struct record *held; /* the previous detail's, until the entry's record count is known */
	bool holding;
	struct record *own;  /* the second record, allocated here */
};

/* A value without the XML white space around it (empty when absent or too
 * long): its length, *s its start. */
size_t camt_trimmed(const struct camt_value *v, const char **s);
/* The trimmed value is word. */
bool camt_is(const struct camt_value *v, const char *word);

/* camt_decode.c */
void camt_amount_fallback(struct camt_state *c, struct record *r);
int camt_emit(struct xml_state *st, struct record *r);

/* camt_totals.c: the checks, each 0 or a refusal (xml_refuse). */
void camt_report_begin(struct camt_state *c, uint64_t line);
int camt_report_end(struct xml_state *st);
int camt_check_account(struct xml_state *st);
int camt_balance_end(struct xml_state *st);
void camt_entry_begin(struct camt_state *c, uint64_t line);
int camt_entry_end(struct xml_state *st);
void camt_dtls_begin(struct camt_state *c, uint64_t line);
int camt_dtls_end(struct xml_state *st);
/* The detail just built into c->cur: add it to the entry's and batch's sums. */
int camt_detail_sums(struct xml_state *st);
/* An entry's own element after its details. */
int camt_refuse_order(struct xml_state *st, const char *name, uint64_t line);

#endif
