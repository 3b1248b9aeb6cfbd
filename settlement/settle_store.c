/* settle_store.c: the rows a settlement run stores besides the statement
 * lines (settle_store.h). */
#include "settle_store.h"

#include <inttypes.h>
#include <stdio.h>

#include "db.h"
#include "money.h"
#include "settle_pg.h"

int store_closed_creditors(PGconn *conn, PGresult **out, const struct store_period *p,
			   const char *creditors, struct err *e)
{
	static const char sql[] =
		"SELECT creditor_id FROM settlement_runs"
		" WHERE creditor_id = ANY ($1::text[]) AND period >= $2"
		" GROUP BY creditor_id ORDER BY creditor_id COLLATE \"C\"";
	const char *params[2] = { creditors, p->period };

	return db_query(conn, out, sql, 2, params, e);
}

int store_case_balances(PGconn *conn, const struct store_period *p, int64_t ncases,
			struct err *e)
{
	static const char sql[] =
		"UPDATE cases c SET principal = v.principal, fees = v.fees, interest = v.interest,"
		"       accrued_to = DATE '1970-01-01' + v.accrued_to, status = v.status,"
		"       closed_date = DATE '1970-01-01' + v.closed_date,"
		"       last_transaction_date = DATE '1970-01-01' + v.last_tx,"
		"       booked_status = v.booked_status,"
		"       registered_statement = CASE WHEN v.counted"
		"        THEN $1 || '-' || c.creditor_id || '-' || c.currency ELSE c.registered_statement END"
		"  FROM (SELECT * FROM settle_cases ORDER BY case_id) v" /* front to back */
		" WHERE c.case_id = v.case_id AND c.creditor_id = v.creditor_id";
	const char *params[1] = { p->period };
	PGresult *res = NULL;
	int rc;

	rc = db_query(conn, &res, sql, 1, params, e);
	if (rc == 0)
		rc = spg_check_count(res, ncases, "updating case balances", e);
	PQclear(res);
	return rc;
}

int store_registrations(PGconn *conn, const struct store_period *p, const char *creditors,
			const char *numbers, struct err *e)
{
	/* per creditor, currency and batch (0013_registered_batches.sql): the
	 * cases are read, not written */
	static const char count_sql[] =
		"INSERT INTO registered_batches (creditor_id, currency, batch_id, statement_number,"
		"  cases, principal)"
		" SELECT c.creditor_id, c.currency, c.batch_id, $1 || '-' || c.creditor_id || '-' || c.currency,"
		"  count(*), sum(c.original_amount - c.paid_amount)"
		" FROM cases c"
		" WHERE c.creditor_id = ANY ($3::text[]) AND c.registered_statement IS NULL"
		"   AND c.registered <= $2::date"
		"   AND $1 || '-' || c.creditor_id || '-' || c.currency = ANY ($4::text[])"
		"   AND NOT EXISTS (SELECT 1 FROM registered_batches b WHERE b.creditor_id = c.creditor_id"
		"                    AND b.currency = c.currency AND b.batch_id = c.batch_id)"
		" GROUP BY c.creditor_id, c.currency, c.batch_id";
	static const char sum_sql[] =
		"INSERT INTO settle_portfolio (creditor_id, currency, registered_cases,"
		"  registered_principal)"
		" SELECT creditor_id, currency, sum(cases), sum(principal) FROM registered_batches"
		" WHERE creditor_id = ANY ($1::text[]) AND statement_number = ANY ($2::text[])"
		" GROUP BY creditor_id, currency";
	const char *params[4] = { p->period, p->last, creditors, numbers };
	int rc = db_query(conn, NULL, count_sql, 4, params, e);

	if (rc == 0)
		rc = db_query(conn, NULL, sum_sql, 2, params + 2, e);
	return rc;
}

static char *pct_text(char *buf, size_t size, int64_t bp)
{
	return money_format(buf, size, bp); /* 810 -> "8.10" */
}

int store_statement(PGconn *conn, const struct store_period *p,
		    const struct store_statement *s, struct err *e)
{
	static const char sql[] =
		"INSERT INTO statements (creditor_id, statement_number, period, currency,"
		"  period_start, period_end, issued, commission_pct, interest_to,"
		"  interest_rate_pct, interest_days_per_year, vat_pct, withdrawal_fee,"
		"  registered_cases, registered_principal, open_cases, open_principal,"
		"  withdrawn_cases, paid_cases, reopened_cases, lines, payments, direct_payments,"
		"  credit_notes, withdrawal_fees, creditor_share, commission, payout_effect, vat,"
		"  net_payout, reversals)"
		" SELECT $1, $2, $3, $4, $5::date, $6::date, $7::date, $8::numeric, $9,"
		"  $10::numeric, $11::int, $12::numeric, $13::bigint,"
		"  reg.cases, reg.principal,"
		"  coalesce(prev.open_cases, 0) + reg.cases - $16::bigint - $17::bigint + $18::bigint,"
		"  coalesce(prev.open_principal, 0) + reg.principal + $19::bigint,"
		"  $16::bigint, $17::bigint, $18::bigint,"
		"  $20::bigint, $21::bigint, $22::bigint, $23::bigint, $24::bigint, $25::bigint,"
		"  $26::bigint, $27::bigint, $28::bigint, $29::bigint, $30::bigint"
		/* booked cases counted now ($14, $15) and the others */
		" FROM (SELECT $14::bigint + coalesce(sum(registered_cases), 0) AS cases,"
		"        $15::bigint + coalesce(sum(registered_principal), 0) AS principal"
		"        FROM settle_portfolio WHERE creditor_id = $1 AND currency = $4) reg"
		" LEFT JOIN LATERAL (SELECT open_cases, open_principal FROM statements"
		"   WHERE creditor_id = $1 AND currency = $4 AND period < $3"
		"   ORDER BY period DESC LIMIT 1) prev ON true";
	const struct booking_totals *t = s->totals;
	const struct booking_portfolio *m = s->moves;
	const int64_t v[] = { s->params->withdrawal_fee, m->registered_cases,
			      m->registered_principal, m->withdrawn_cases, m->paid_cases,
			      m->reopened_cases, m->open_principal_change, t->lines, t->payments,
			      t->direct_payments, t->credit_notes, t->withdrawal_fees,
			      t->creditor_share, t->commission, t->payout_effect, t->vat,
			      t->net_payout, t->reversals };
	char nums[sizeof(v) / sizeof(v[0])][24];
	char pct[3][24];
	char days[16];
	const char *params[30];
	PGresult *res = NULL;
	int rc;

	params[0] = s->creditor_id;
	params[1] = s->number;
	params[2] = p->period;
	params[3] = s->currency;
	params[4] = p->first;
	params[5] = p->last;
	params[6] = p->as_of;
	params[7] = pct_text(pct[0], sizeof(pct[0]), s->commission_bp);
	params[8] = s->interest_to;
	params[9] = pct_text(pct[1], sizeof(pct[1]), s->params->interest_rate_bp);
	snprintf(days, sizeof(days), "%d", s->params->interest_days_per_year);
	params[10] = days;
	params[11] = pct_text(pct[2], sizeof(pct[2]), s->params->vat_bp);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(nums[i], sizeof(nums[i]), "%" PRId64, v[i]);
		params[12 + i] = nums[i];
	}
	rc = db_query(conn, &res, sql, 30, params, e);
	if (rc == 0)
		rc = spg_check_count(res, 1, "inserting the statement", e);
	PQclear(res);
	return rc;
}

int store_run(PGconn *conn, const struct store_period *p, const char *creditors,
	      const char *statements, const char *transactions, struct err *e)
{
	static const char sql[] =
		"INSERT INTO settlement_runs (run_id, creditor_id, period, as_of, statements,"
		"  transactions)"
		" SELECT r.id, u.creditor_id, $4, $5::date, u.statements, u.transactions"
		" FROM (SELECT nextval('settlement_run_seq') AS id) r,"
		"  unnest($1::text[], $2::integer[], $3::bigint[])"
		"   AS u (creditor_id, statements, transactions)";
	const char *params[5] = { creditors, statements, transactions, p->period, p->as_of };

	return db_query(conn, NULL, sql, 5, params, e);
}
