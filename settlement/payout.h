/* payout.h: payout files (SPEC 14): ISO 20022 pain.001.001.09 customer
 * credit transfer initiations, rendered from given values. Nothing here
 * reads the database or opens a file: the caller passes the header, the
 * transfers and an output callback (payout_run.c stores and stages them).
 *
 * One document per file, one payment information block, one transfer per
 * statement:
 *
 *   Document (xmlns urn:iso:std:iso:20022:tech:xsd:pain.001.001.09)
 *     CstmrCdtTrfInitn
 *       GrpHdr: MsgId, CreDtTm (the as-of date at 00:00:00), NbOfTxs,
 *               CtrlSum, InitgPty/Nm (the agency)
 *       PmtInf: PmtInfId (= MsgId), PmtMtd TRF, BtchBookg false (one
 *               debit per transfer, each with its EndToEndId, for the
 *               paid date of SPEC 13), NbOfTxs, CtrlSum, PmtTpInf/SvcLvl
 *               SEPA for EUR only, ReqdExctnDt/Dt (the as-of date),
 *               Dbtr/Nm, DbtrAcct (IBAN, Ccy), DbtrAgt BICFI, ChrgBr SLEV
 *         CdtTrfTxInf per transfer: PmtId/EndToEndId (the statement
 *               number), Amt/InstdAmt Ccy, Cdtr/Nm, CdtrAcct/Id/IBAN,
 *               RmtInf/Ustrd "Statement <number>"
 *
 * Written with libxml2's xmlTextWriter: UTF-8, two-space indentation, LF
 * line ends. The output is a function of the input only, so the same rows
 * give the same bytes. Names are written through payout_name(), which
 * makes any text fit the schema's Max140Text of the EPC restriction (at
 * most 70 characters, see there). */
#ifndef SETTLEMENT_PAYOUT_H
#define SETTLEMENT_PAYOUT_H

#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define PAYOUT_XML_NS "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
/* Characters a name may have in the EPC restriction of pain.001.001.09
 * (Max140Text_EPC132-08_2023_V1.0_SCT_C2PSP: maxLength 70). */
#define PAYOUT_NAME_CHARS 70
/* Bytes that hold any name payout_name() writes, and its NUL. */
#define PAYOUT_NAME_SIZE (PAYOUT_NAME_CHARS * 4 + 1)
/* The largest InstdAmt the schema allows: 999999999.99. */
#define PAYOUT_AMOUNT_MAX INT64_C(99999999999)
/* "<period>-<currency>-<n>": Max35Text. */
#define PAYOUT_MSGID_SIZE 36

/* The group header and payment information of one file. */
struct payout_header {
	const char *msgid;
	const char *currency;
	int32_t as_of;           /* CreDtTm (at 00:00:00) and ReqdExctnDt */
	const char *debtor_name; /* the agency: InitgPty/Nm and Dbtr/Nm */
	const char *debtor_iban; /* its account of the currency */
	const char *debtor_bic;
	int64_t transfers;       /* NbOfTxs */
	int64_t control_sum;     /* CtrlSum, minor units */
};

struct payout_transfer {
	const char *statement_number; /* EndToEndId, and "Statement <number>" */
	int64_t amount;               /* InstdAmt, minor units: the net payout */
	const char *creditor_name;
	const char *creditor_iban;
};

/* A document being written: payout_xml_open, payout_xml_transfer per
 * transfer, payout_xml_end, and payout_xml_close in any case. Each call
 * hands what it wrote to write in one piece (the frame, a transfer, the
 * end), so an error of write comes back from the call that caused it. */
struct payout_xml {
	xmlTextWriterPtr w;  /* NULL when closed */
	xmlBufferPtr mem;    /* what w writes, until it goes to write */
	int (*write)(void *ctx, const void *data, size_t len, struct err *e);
	void *ctx;
	const char *currency;
	int64_t transfers;   /* written so far */
	int64_t sum;
};

/* "2026-11", "CHF", 2 -> "2026-11-CHF-2". */
int payout_msgid(char *buf, size_t size, const char *period, const char *currency, int64_t seq,
		 struct err *e);

/* A name as a payout file writes it (SPEC 14 says names are written as
 * they are, in UTF-8; the schema bounds them): control characters (C0,
 * DEL, C1) become spaces, malformed UTF-8 and U+FFFE/U+FFFF become
 * U+FFFD, spaces at either end are dropped and the name is cut after
 * PAYOUT_NAME_CHARS characters (then trailing spaces dropped again).
 * Applied again to its own result it changes nothing. When nothing is
 * left, fallback is written instead (it must be a short ASCII text).
 * Writes a NUL-terminated string into out (size >= PAYOUT_NAME_SIZE
 * holds any name) and returns its length; a name that does not fit in
 * size is cut at a whole character. */
size_t payout_name(char *out, size_t size, const char *in, const char *fallback);

/* Is the name cut by payout_name (more than PAYOUT_NAME_CHARS characters
 * once its ends are trimmed)? */
bool payout_name_is_cut(const char *in);

/* The XML declaration and everything before the first transfer. */
int payout_xml_open(struct payout_xml *x,
		    int (*write)(void *ctx, const void *data, size_t len, struct err *e), void *ctx,
		    const struct payout_header *h, struct err *e);
/* One CdtTrfTxInf. ERR_LIMIT when the amount is not one the schema takes
 * (0.01 to 999999999.99). */
int payout_xml_transfer(struct payout_xml *x, const struct payout_transfer *t, struct err *e);
/* The end of the document, all of it handed to the output; the first
 * error of the output if any. */
int payout_xml_end(struct payout_xml *x, struct err *e);
/* Free the writer (what it still holds is dropped). Safe on a closed
 * writer, after a failed open, and on one set to { .w = NULL }. */
void payout_xml_close(struct payout_xml *x);

#endif
