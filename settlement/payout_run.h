/* payout_run.h: bin/settlement payout (SPEC 14): the payout files of a
 * period, stored and written.
 *
 * payout_run():
 *   1. takes a session advisory lock of the period, so that two runs of
 *      it never pay a statement twice (the second waits, then finds the
 *      statements paid by the first);
 *   2. in one REPEATABLE READ transaction: finds the statements of the
 *      period with a positive net payout, issued on or before the as-of
 *      date, that no payout file holds; per currency with any, stores one
 *      payout file (payout_files: MsgId <period>-<currency>-<n>, n one
 *      more than the period's last in that currency; the agency's name,
 *      account and BIC from the configuration, ERR_CONFIG naming a missing
 *      key) and its transfers (payout_transfers, the creditor's name and
 *      IBAN as written); a net payout above what a transfer can carry is
 *      left out with a warning (it is paid by hand);
 *   3. in the same transaction, stages every payout file of the period
 *      (the new ones and the earlier ones) from the stored rows, with
 *      common/publish.h beside "<out>/<period>/payout-<msgid>.xml";
 *      commits; renames them into place and prints one line per file:
 *      "payout <msgid>: <n> transfers, <control sum> <currency>".
 * A database or I/O failure before COMMIT stores and writes nothing. */
#ifndef SETTLEMENT_PAYOUT_RUN_H
#define SETTLEMENT_PAYOUT_RUN_H

#include <libpq-fe.h>

#include "err.h"
#include "settle.h"

/* Payout files are created with this mode (they hold account numbers). */
#define PAYOUT_FILE_MODE 0600

/* The period, as-of date, output directory and stdout of o (its
 * creditor_id is not used: a payout run covers every creditor). */
int payout_run(PGconn *conn, const struct settle_opts *o, struct err *e);

#endif
