/* settle_reader.h: the transactions a settling pass books (settle_pass.c).
 *
 * They are read on a second connection, in a read-only transaction that
 * imports the snapshot of the settling transaction before that one changes
 * anything: it sees exactly what the settling transaction saw at its
 * start. Its server process sorts while the settling one marks the
 * transactions settled, and fetches the next chunk while this process
 * books the current one. Not for other modules. */
#ifndef SETTLEMENT_SETTLE_READER_H
#define SETTLEMENT_SETTLE_READER_H

#include <libpq-fe.h>
#include <stdint.h>

#include "err.h"

/* Columns of the settling cursor. A reversal (v2) also has Q_REVERSES,
 * the tx_id of the payment it reverses; Q_ORIGINAL, that payment's line
 * when a statement settled it before as a payment of the same case, as
 * "{amount,to_fees,to_interest,to_principal,overpaid,creditor_share,
 * commission,payout_effect}" (ORIGINAL_VALUES numbers), else NULL; and
 * Q_REVERSALS, how many transactions of its case reverse that payment
 * (1 unless the data is wrong). NULL on other rows. A withdrawal (v2) has
 * Q_STAGE, its case's stage on its booking date (SPEC 16), whose fee it
 * is charged; NULL on other rows. Q_LATE is "t" for a case registered
 * after the period's last day that no statement counted (its first line
 * counts it), with Q_REGISTERED its principal at registration. */
enum {
	Q_CREDITOR, Q_TX, Q_CASE, Q_KIND, Q_DATE, Q_AMOUNT, Q_CURRENCY, Q_TXID, Q_REFERENCE,
	Q_DEBTOR, Q_PRINCIPAL, Q_FEES, Q_INTEREST, Q_ACCRUED, Q_STATUS, Q_CLOSED, Q_LAST,
	Q_BOOKED, Q_LATE, Q_REGISTERED, Q_REVERSES, Q_ORIGINAL, Q_REVERSALS, Q_STAGE, Q__COUNT
};
#define ORIGINAL_VALUES 8

/* Connect the reader to the server and database of conn, import the
 * snapshot, declare the cursor over every unsettled transaction of the
 * creditors of the array literal booked up to last (YYYY-MM-DD), in
 * booking order, and ask for the first chunk (which sorts). The caller
 * reads the chunks with spg_result() and closes the reader (db_close).
 *
 * Booking order (SPEC 9.1): per case, booking_date, then load order; a
 * reversal whose original payment is booked in this run but would come
 * after it is booked right after that payment. A reversal whose original
 * is neither settled nor booked up to last waits (it is not read, nor
 * marked settled) until a run books its original. */
int reader_open(PGconn *conn, PGconn **out, const char *snapshot, const char *creditors,
		const char *last, struct err *e);
/* Ask for the next chunk (SETTLE_CHUNK rows). */
int reader_send_fetch(PGconn *reader, struct err *e);
/* On conn, the settling transaction: mark the transactions that the
 * reader returns settled, in one pass over the table, with the number of
 * the statement of their creditor and currency in period; *marked = their
 * count, which must equal the lines stored. Runs before the statements
 * exist, in the settling transaction's snapshot: the same rows as the
 * reader's. */
int reader_mark_settled(PGconn *conn, const char *creditors, const char *last,
			const char *period, int64_t *marked, struct err *e);

#endif
