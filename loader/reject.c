/* reject.c: the table of reject codes (see reject.h). */
#include "reject.h"

#include <string.h>

static const struct reject_def defs[RC__COUNT] = {
	[RC_MISSING_FIELD] = { "MISSING_FIELD", ORIGIN_FIELD, "5.1", "a required field is missing or empty" },
	[RC_FIELD_TOO_LONG] = { "FIELD_TOO_LONG", ORIGIN_FIELD, "5.1", "a value is longer than its limit" },
	[RC_BAD_ENCODING] = { "BAD_ENCODING", ORIGIN_FIELD, "5.1", "a value is not valid UTF-8" },
	[RC_BAD_FORMAT] = { "BAD_FORMAT", ORIGIN_FIELD, "5.1, 6", "a value does not have its field's form" },
	[RC_BAD_DATE] = { "BAD_DATE", ORIGIN_FIELD, "5.1, 6", "not a date, or a date out of range" },
	[RC_BAD_AMOUNT] = { "BAD_AMOUNT", ORIGIN_FIELD, "5.1, 6", "not an amount, or out of range" },
	[RC_BAD_COUNTRY] = { "BAD_COUNTRY", ORIGIN_FIELD, "5.1", "not an ISO 3166-1 alpha-2 country" },
	[RC_BAD_CURRENCY] = { "BAD_CURRENCY", ORIGIN_FIELD, "5.1", "not the creditor's currency" },
	[RC_BAD_ID] = { "BAD_ID", ORIGIN_FIELD, "5.3", "a national id fails its check digit" },
	[RC_BAD_RECORD] = { "BAD_RECORD", ORIGIN_RECORD, "5.2, 5.4", "a row or element structure that cannot be read" },
	[RC_UNKNOWN_CREDITOR] = { "UNKNOWN_CREDITOR", ORIGIN_FIELD, "5.1", "not a known, active creditor" },
	[RC_CREDITOR_MISMATCH] = { "CREDITOR_MISMATCH", ORIGIN_FIELD, "5", "not the creditor of --creditor" },
	[RC_DUPLICATE_IN_FILE] = { "DUPLICATE_IN_FILE", ORIGIN_DATABASE, "5.1, 6", "an earlier record of the file has the key" },
	[RC_DUPLICATE] = { "DUPLICATE", ORIGIN_DATABASE, "5.1, 6, 7", "the key is loaded with other content" },
	[RC_NOT_OVERDUE] = { "NOT_OVERDUE", ORIGIN_FIELD, "5.1", "the due date is not before the as-of date" },
	[RC_NOTHING_OUTSTANDING] = { "NOTHING_OUTSTANDING", ORIGIN_FIELD, "5.1", "paid_amount is not below original_amount" },
	[RC_FEES_INCLUDED] = { "FEES_INCLUDED", ORIGIN_FIELD, "5.1", "fees or interest in the claim" },
	[RC_DISPUTED] = { "DISPUTED", ORIGIN_FIELD, "5.1", "a disputed claim" },
	[RC_NO_REMINDER] = { "NO_REMINDER", ORIGIN_FIELD, "5.1", "the country requires a reminder date in range" },
	[RC_NO_NOTICE] = { "NO_NOTICE", ORIGIN_FIELD, "5.1", "the country requires a collection notice date in range" },
	[RC_SPECIAL_HANDLING] = { "SPECIAL_HANDLING", ORIGIN_FIELD, "5.1", "a claim type or debtor country that needs specialised handling" },
	[RC_UNKNOWN_CASE] = { "UNKNOWN_CASE", ORIGIN_DATABASE, "6, 16", "no such case of the creditor" },
	[RC_CASE_CLOSED] = { "CASE_CLOSED", ORIGIN_DATABASE, "6, 9.1, 16", "the case is withdrawn or closed" },
	[RC_CURRENCY_MISMATCH] = { "CURRENCY_MISMATCH", ORIGIN_DATABASE, "6", "not the case's currency" },
	[RC_UNKNOWN_SUSPENSE] = { "UNKNOWN_SUSPENSE", ORIGIN_DATABASE, "13", "no suspense item with this number" },
	[RC_SUSPENSE_CLOSED] = { "SUSPENSE_CLOSED", ORIGIN_DATABASE, "13", "the suspense item is reversed, or assigned by another row" },
	[RC_FILE_EMPTY] = { "FILE_EMPTY", ORIGIN_FILE, "8", "no header or no root element" },
	[RC_FILE_HEADER] = { "FILE_HEADER", ORIGIN_FILE, "5.2", "a missing, unknown or repeated column" },
	[RC_FILE_MALFORMED] = { "FILE_MALFORMED", ORIGIN_FILE, "5.2, 5.4", "broken quoting, not well formed, not UTF-8" },
	[RC_FILE_DTD] = { "FILE_DTD", ORIGIN_FILE, "5.4", "a document type declaration" },
	[RC_FILE_TRUNCATED] = { "FILE_TRUNCATED", ORIGIN_FILE, "8", "a gzip stream cut or corrupt" },
	[RC_FILE_TOO_LARGE] = { "FILE_TOO_LARGE", ORIGIN_FILE, "8", "more than max_file_bytes decompressed" },
	[RC_FILE_ACCOUNT] = { "FILE_ACCOUNT", ORIGIN_FILE, "13", "a bank file for an account that is not the agency's" },
	[RC_FILE_TOTALS] = { "FILE_TOTALS", ORIGIN_FILE, "13", "a bank file whose batch, entry or balance totals disagree" },
	[RC_REJECT_RATIO] = { "REJECT_RATIO", ORIGIN_FILE, "7", "more rejected records than max_reject_ratio allows" },
};

const struct reject_def *reject_def(enum reject_code code)
{
	return (unsigned)code < RC__COUNT ? &defs[code] : NULL;
}

const char *reject_code_name(enum reject_code code)
{
	return (unsigned)code < RC__COUNT ? defs[code].name : "UNKNOWN";
}

enum reject_code reject_code_parse(const char *name)
{
	for (int i = 0; i < RC__COUNT; i++)
		if (strcmp(defs[i].name, name) == 0)
			return (enum reject_code)i;
	return RC__COUNT;
}
