/* reject.h: the reject codes of SPEC sections 5, 6, 8, 13 and 16, as one
 * table: code, where it is decided, the SPEC section, and the message of
 * the codes decided in the database. Every code's name is written in
 * reject.c only; SQL gets names and messages as parameters (classify.c).
 * The README's list of codes is checked against this table by a test. */
#ifndef LOADER_REJECT_H
#define LOADER_REJECT_H

enum reject_code {
	RC_MISSING_FIELD,
	RC_FIELD_TOO_LONG,
	RC_BAD_ENCODING,
	RC_BAD_FORMAT,
	RC_BAD_DATE,
	RC_BAD_AMOUNT,
	RC_BAD_COUNTRY,
	RC_BAD_CURRENCY,
	RC_BAD_ID,
	RC_BAD_RECORD,
	RC_UNKNOWN_CREDITOR,
	RC_CREDITOR_MISMATCH,
	RC_DUPLICATE_IN_FILE,
	RC_DUPLICATE,
	RC_NOT_OVERDUE,
	RC_NOTHING_OUTSTANDING,
	RC_FEES_INCLUDED,
	RC_DISPUTED,
	RC_NO_REMINDER,
	RC_NO_NOTICE,
	RC_SPECIAL_HANDLING,
	RC_UNKNOWN_CASE,
	RC_CASE_CLOSED,
	RC_CURRENCY_MISMATCH,
	RC_UNKNOWN_SUSPENSE,
	RC_SUSPENSE_CLOSED,
	/* file level */
	RC_FILE_EMPTY,
	RC_FILE_HEADER,
	RC_FILE_MALFORMED,
	RC_FILE_DTD,
	RC_FILE_TRUNCATED,
	RC_FILE_TOO_LARGE,
	RC_FILE_ACCOUNT,
	RC_FILE_TOTALS,
	RC_REJECT_RATIO,
	RC__COUNT
};

/* Where a code is decided. */
enum reject_origin {
	ORIGIN_FIELD,    /* the validator, from one field (or two) of the record */
	ORIGIN_RECORD,   /* the decoder, the whole record */
	ORIGIN_DATABASE, /* set-wise in SQL: duplicates, cases (classify.c) */
	ORIGIN_FILE,     /* the whole file is refused */
};

struct reject_def {
	const char *name;     /* as in the report and the rejects table */
	enum reject_origin origin;
	const char *spec;     /* the SPEC section that defines it */
	const char *meaning;  /* one line, for the README's list */
};

/* The row of a code (code < RC__COUNT). */
const struct reject_def *reject_def(enum reject_code code);
const char *reject_code_name(enum reject_code code);
/* The code of a name, or RC__COUNT. */
enum reject_code reject_code_parse(const char *name);

#endif
