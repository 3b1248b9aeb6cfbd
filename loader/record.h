/* record.h: the raw record both decoders emit, the field tables of SPEC
 * sections 5.1, 6, 13 and 16, and the reject codes.
 *
 * A record holds raw, untrimmed field strings exactly as decoded (syntax
 * only), plus its locus: the 1-based ordinal in the file and the line where
 * it starts. Decoders set record-level problems (BAD_RECORD) but never apply
 * business rules.
 */
#ifndef LOADER_RECORD_H
#define LOADER_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reject.h"

enum file_kind {
	KIND_UNKNOWN = 0,
	KIND_CASES,
	KIND_TRANSACTIONS,
	KIND_CREDITORS,
	KIND_BANK,
	KIND_ASSIGNMENTS,
	KIND_EVENTS, /* v2, SPEC 16 */
	KIND__LAST = KIND_EVENTS
};

enum case_field {
	CF_CREDITOR_ID,
	CF_CREDITOR_REFERENCE,
	CF_DEBTOR_TYPE,
	CF_DEBTOR_NAME,
	CF_DEBTOR_NATIONAL_ID,
	CF_DEBTOR_BIRTH_DATE,
	CF_DEBTOR_STREET,
	CF_DEBTOR_POSTAL_CODE,
	CF_DEBTOR_CITY,
	CF_DEBTOR_COUNTRY,
	CF_DEBTOR_EMAIL,
	CF_DEBTOR_PHONE,
	CF_INVOICE_NUMBER,
	CF_INVOICE_DATE,
	CF_DUE_DATE,
	CF_ORIGINAL_AMOUNT,
	CF_CURRENCY,
	CF_PAID_AMOUNT,
	CF_FEE_AMOUNT,
	CF_INTEREST_AMOUNT,
	CF_CLAIM_TYPE,
	CF_DISPUTED,
	CF_REMINDER_DATE,
	CF_NOTICE_DATE,    /* v2 */
	CF_REQUEST_NOTICE, /* v2 */
	CF__COUNT
};

enum tx_field {
	TF_CREDITOR_ID,
	TF_CREDITOR_REFERENCE,
	TF_TRANSACTION_ID,
	TF_KIND,
	TF_BOOKING_DATE,
	TF_AMOUNT,
	TF_CURRENCY,
	TF_REASON,
	TF__COUNT
};

/* Creditor master data (SPEC 4), read with the same CSV decoder. */
enum creditor_field {
	KF_CREDITOR_ID,
	KF_NAME,
	KF_COUNTRY,
	KF_CURRENCY,
	KF_COMMISSION_PCT,
	KF_INTEREST_TO,
	KF_IBAN,
	KF_ACTIVE,
	KF__COUNT
};

/* Bank files (SPEC 13, camt.053 and camt.054): one record per transaction
 * detail (Ntry/NtryDtls/TxDtls), or per entry without details. Values as
 * written (untrimmed), chosen by the camt walker (camt_decode.c), which is
 * not path-table driven; the rules are the validator's. */
enum bank_field {
	BF_ACCOUNT,             /* Ntfctn/Acct/Id/IBAN or Stmt/Acct/Id/IBAN */
	BF_ENTRY_STATUS,        /* Ntry/Sts (001.02, .04) or Ntry/Sts/Cd (.08): BOOK, PDNG, INFO, ... */
	BF_BOOKING_DATE,        /* Ntry/BookgDt/Dt, else the date written in Ntry/BookgDt/DtTm */
	BF_AMOUNT,              /* TxDtls/Amt, else TxDtls/AmtDtls/TxAmt/Amt, else Ntry/Amt when the entry has one record */
	BF_CURRENCY,            /* the Ccy attribute of that amount */
	BF_DIRECTION,           /* TxDtls/CdtDbtInd, else Ntry/CdtDbtInd: CRDT or DBIT */
	BF_REVERSAL,            /* TxDtls/RvslInd, else Ntry/RvslInd: true or false (absent: not present) */
	BF_REFERENCE,           /* TxDtls/RmtInf/Strd/CdtrRefInf/Ref (the first; FIELD_REPEATED when more) */
	BF_DEBTOR_NAME,         /* TxDtls/RltdPties/Dbtr/Nm (001.08: Dbtr/Pty/Nm) */
	BF_ACCT_SVCR_REF,       /* TxDtls/Refs/AcctSvcrRef */
	BF_UETR,                /* TxDtls/Refs/UETR */
	BF_END_TO_END_ID,       /* TxDtls/Refs/EndToEndId */
	BF_ENTRY_ACCT_SVCR_REF, /* Ntry/AcctSvcrRef */
	BF_DETAIL_ORDINAL,      /* 1-based position of the detail in its entry ("1" for an entry without details) */
	BF_BANK_REFERENCE,      /* the key of SPEC 13, derived from the trimmed references above; empty when none */
	BF__COUNT
};

/* Assignment files (SPEC 13): an operator books an open suspense item on
 * a case. CSV only; detected by the suspense_id column. */
enum assign_field {
	AF_SUSPENSE_ID,
	AF_CREDITOR_ID,
	AF_CREDITOR_REFERENCE,
	AF__COUNT
};

/* Event files (SPEC 16): the agency's workflow reports a case's stage
 * changes. CSV (detected by the event_id column) or XML (root eventFile). */
enum event_field {
	EF_CREDITOR_ID,
	EF_CREDITOR_REFERENCE,
	EF_EVENT_ID,
	EF_STAGE,
	EF_EVENT_DATE,
	EF__COUNT
};

#define RECORD_MAX_FIELDS 32

/* How a field is stored: its database column is named as its CSV column. */
enum col_type {
	COL_NONE,  /* checked, never stored (fee_amount, interest_amount) */
	COL_TEXT,  /* the value as read (trimmed); NULL when empty */
	COL_DATE,  /* a date YYYY-MM-DD; NULL when empty */
	COL_MONEY, /* bigint minor units, from the validator (verdict.num) */
	COL_BOOL,  /* boolean, from the validator (verdict.num 0 or 1) */
};

/* One row per field of a record kind: everything the decoders, the
 * staging table, the column lists and the encoders need (columns.h). */
struct field_def {
	const char *name;     /* CSV column name, and database column */
	const char *xml_path; /* path below the record element; "@x" is an attribute */
	bool required;        /* for CSV: the column must exist in the header */
	size_t max_chars;     /* 0: no length rule of its own (RECORD_FIELD_MAX_BYTES applies) */
	enum col_type type;   /* how it is stored */
	bool content;         /* compared when a key comes again: identical is `skipped` */
	bool key;             /* part of a key: kept for a rejected record too (report, duplicates) */
};

/* The field table of a kind, and its number of fields. */
const struct field_def *record_fields(enum file_kind kind, size_t *count);
/* Field index of a CSV column name (case-insensitive), or -1. */
int record_field_by_name(enum file_kind kind, const char *name, size_t len);
/* Field index of an XML path below the record element ("debtor/address/city",
 * "invoice/amount/@currency"), or -1. */
int record_field_by_xml_path(enum file_kind kind, const char *path);
/* The same, trying the fields after *hint first (elements mostly come in
 * schema order); *hint becomes the field found. Start with -1. */
int record_field_by_xml_path_from(enum file_kind kind, const char *path, int *hint);
const char *file_kind_name(enum file_kind kind);
/* The kind of a name of file_kind_name, or KIND_UNKNOWN. */
enum file_kind file_kind_parse(const char *name);

/* Every raw field is capped; a longer value is kept out of memory and
 * flagged FIELD_TOO_LONG. Larger than any field's own limit in UTF-8. */
#define RECORD_FIELD_MAX_BYTES 1024

enum field_flag {
	FIELD_PRESENT = 1,  /* the column or element exists for this record */
	FIELD_TOO_LONG = 2, /* raw value exceeded RECORD_FIELD_MAX_BYTES; not stored */
	FIELD_REPEATED = 4, /* XML: element given twice */
};

struct field_value {
	uint32_t off; /* offset into record.buf */
	uint32_t len;
	uint8_t flags;
};

struct record {
	enum file_kind kind;
	uint64_t ordinal; /* 1-based record number in the file */
	uint64_t line;    /* line where the record starts (decompressed file) */
	struct field_value f[RECORD_MAX_FIELDS];
	/* Whole-record syntax problem (BAD_RECORD), e.g. field count or unknown
	 * element; static text or text in problem_buf. */
	bool bad_record;
	char problem[128];
	/* Storage of all field bytes, NUL after each value. */
	char buf[RECORD_MAX_FIELDS * (RECORD_FIELD_MAX_BYTES + 1)];
	size_t used;
};

void record_reset(struct record *r, enum file_kind kind);
/* Store a field value; flags FIELD_TOO_LONG when over the cap. Appending to
 * a field that is already present (XML text split in several nodes)
 * concatenates. */
void record_set_field(struct record *r, int field, const char *s, size_t len);
void record_append_field(struct record *r, int field, const char *s, size_t len);
static inline const char *record_value(const struct record *r, int field)
{
	return r->buf + r->f[field].off;
}



#endif
