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

/* Columns of the settling cursor. */
enum {
	Q_CREDITOR, Q_TX, Q_CASE, Q_KIND, Q_DATE, Q_AMOUNT, Q_CURRENCY, Q_TXID, Q_REFERENCE,
	Q_DEBTOR, Q_PRINCIPAL, Q_FEES, Q_INTEREST, Q_ACCRUED, Q_STATUS, Q_CLOSED, Q_LAST,
	Q_BOOKED, Q_COUNTED, Q_REGISTERED, Q__COUNT
};

/* Connect the reader to the server and database of conn, import the
 * snapshot, declare the cursor over every unsettled transaction of the
 * creditors of the array literal booked up to last (YYYY-MM-DD), in
 * booking order, and ask for the first chunk (which sorts). The caller
 * reads the chunks with spg_result() and closes the reader (db_close). */
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
