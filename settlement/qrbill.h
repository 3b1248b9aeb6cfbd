/* qrbill.h: the Swiss QR-bill of a PDF statement whose net payout is
 * negative (SPEC 15): the data of its QR code (SIX, Swiss Implementation
 * Guidelines for the QR-bill, version 2.3, payload version 0200) and the
 * text its payment part prints. Pure functions: no I/O, no allocation.
 *
 * The payload, one element per line, lines separated by LF, no line break
 * after the last (the guidelines allow LF or CR LF):
 *
 *   SPC / 0200 / 1                        QR type, version, coding (UTF-8)
 *   <IBAN>                                the agency's account of the currency
 *   S / name / street / building number / postal code / town / country
 *                                         the agency (creditor of the bill),
 *                                         a structured address (S): type K
 *                                         (combined) is no longer accepted
 *                                         from November 2025
 *   7 empty lines                         ultimate creditor (reserved)
 *   <amount> / <currency>                 "1949.75", CHF or EUR
 *   7 empty lines                         ultimate debtor: the engine has no
 *                                         postal address of a creditor, so
 *                                         the payment part prints an empty
 *                                         box to write it in
 *   QRR or SCOR / <reference>             from the statement's numeric id
 *                                         (SPEC 12): QRR when the account is
 *                                         a QR-IBAN, else SCOR
 *   Statement <number>                    unstructured message
 *   EPD                                   trailer
 *
 * The agency's address is the [agency] address of the configuration,
 * "<street> [<building number>], <postal code> <town>": split at its last
 * comma, the building number being the last word of the street part when
 * it starts with a digit, the postal code the first word of the rest. The
 * country is the account's (its first two letters: CH or LI, the only
 * countries of QR-bill accounts). */
#ifndef SETTLEMENT_QRBILL_H
#define SETTLEMENT_QRBILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "payref.h"

/* Lengths of the guidelines, in characters. */
#define QRBILL_NAME_MAX 70
#define QRBILL_STREET_MAX 70
#define QRBILL_BUILDING_MAX 16
#define QRBILL_POSTCODE_MAX 16
#define QRBILL_TOWN_MAX 35
#define QRBILL_MESSAGE_MAX 140
/* Largest amount a QR-bill carries: 999999999.99. */
#define QRBILL_AMOUNT_MAX INT64_C(99999999999)
/* Room for the whole payload (the guidelines allow 997 characters). */
#define QRBILL_PAYLOAD_SIZE 1024

/* Each text field: its characters (at most 4 bytes each) and NUL. */
struct qrbill {
	char iban[35];
	char name[4 * QRBILL_NAME_MAX + 1];
	char street[4 * QRBILL_STREET_MAX + 1];
	char building[4 * QRBILL_BUILDING_MAX + 1];
	char postcode[4 * QRBILL_POSTCODE_MAX + 1];
	char town[4 * QRBILL_TOWN_MAX + 1];
	char country[3];
	int64_t amount;       /* minor units; 0: none (above QRBILL_AMOUNT_MAX) */
	char currency[4];
	enum ref_scheme ref_type; /* REF_QRR or REF_SCOR */
	char reference[PAYREF_SIZE];
	char message[4 * QRBILL_MESSAGE_MAX + 1];
};

/* The QR-bill asking for owed (> 0) in currency (CHF or EUR), payable to
 * the agency (name, address as configured) on the account iban, with the
 * reference of statement_id and the message "Statement <number>".
 * ERR_CONFIG, naming the [agency] key, when the account is not a Swiss or
 * Liechtenstein IBAN, the address does not have the form above, or a part
 * is longer than the guidelines allow; ERR_USAGE for another currency or
 * an amount or id <= 0. An amount above QRBILL_AMOUNT_MAX is left out (the
 * payer fills it in). */
int qrbill_make(struct qrbill *q, const char *iban, const char *name, const char *address,
		const char *currency, int64_t owed, int64_t statement_id, const char *number,
		struct err *e);

/* The payload of the QR code, NUL-terminated, into out (size bytes;
 * QRBILL_PAYLOAD_SIZE are always enough): ERR_LIMIT when it does not fit. */
int qrbill_payload(char *out, size_t size, const struct qrbill *q, struct err *e);

/* How the payment part prints them (style guide): the IBAN in groups of
 * four ("CH44 3199 9123 0008 8901 2"); the amount with a space between
 * thousands ("1 949.75"); the address in two lines ("Bahnhofstrasse 1",
 * "8001 Zürich"). Each returns out. */
char *qrbill_print_iban(char *out, size_t size, const char *iban);
char *qrbill_print_amount(char *out, size_t size, int64_t amount);
char *qrbill_print_street(char *out, size_t size, const struct qrbill *q);
char *qrbill_print_town(char *out, size_t size, const struct qrbill *q);

#endif
