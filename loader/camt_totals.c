/* camt_totals.c: the file-level checks of a bank file (SPEC 13), with
 * running sums in minor units (money_parse; never floating point):
 *
 * - FILE_ACCOUNT: the statement's or notification's Acct/Id/IBAN is one of
 *   io->accounts (checked before its first entry, or at its end);
 * - FILE_TOTALS: a batch's NbOfTxs and TtlAmt against the details of its
 *   NtryDtls; an entry's Amt against the sum of its details' amounts when
 *   every detail has its own; in camt.053, the opening booked balance
 *   (OPBD) plus the booked entries against the closing one (CLBD).
 *
 * Amounts are signed by their CdtDbtInd (a detail without one takes its
 * entry's, a batch total its batch's or else its entry's). A detail amount
 * that does not read (more than two decimals, a sign) leaves the sums it
 * belongs to unchecked: its record is the validator's (BAD_AMOUNT). A total
 * that does not read (NbOfTxs, TtlAmt, a balance, an entry amount compared
 * with its details) refuses the file. An NtryDtls without TxDtls (a batch
 * given as a sum only) has no details to compare its batch with.
 */
#include <stdio.h>
#include <string.h>

#include "camt_decode_int.h"
#include "money.h"

static bool amount_read(const struct camt_value *v, int64_t *out)
{
	const char *s;
	size_t n = camt_trimmed(v, &s);

	return n > 0 && money_parse(out, s, n, false) == 0;
}

/* +1 for CRDT, -1 for DBIT, 0 for anything else. */
static int sign_of(const struct camt_value *v)
{
	return camt_is(v, "CRDT") ? 1 : camt_is(v, "DBIT") ? -1 : 0;
}

/* "CRDT 12.50" or "DBIT 12.50". */
static const char *signed_text(char *buf, size_t size, int64_t v)
{
	char num[MONEY_FMT_MAX];

	money_format(num, sizeof(num), v < 0 ? -v : v);
	snprintf(buf, size, "%s %s", v < 0 ? "DBIT" : "CRDT", num);
	return buf;
}

/* A value for a message: ASCII, short. */
static const char *shown(char *buf, size_t size, const struct camt_value *v)
{
	const char *s;
	size_t n = camt_trimmed(v, &s);
	char tmp[RECORD_FIELD_MAX_BYTES + 1];

	memcpy(tmp, s, n);
	tmp[n] = '\0';
	xml_shown(buf, size, tmp, 40);
	return buf;
}

/* "statement 'STMT-1'", or "notification 2" without an Id. */
static const char *report_text(char *buf, size_t size, const struct camt_state *c)
{
	char id[48];
	const char *s;

	if (camt_trimmed(&c->v[S_RPT_ID], &s) > 0)
		snprintf(buf, size, "%s '%s'", c->doc->statement ? "statement" : "notification",
			 shown(id, sizeof(id), &c->v[S_RPT_ID]));
	else
		snprintf(buf, size, "%s %llu", c->doc->statement ? "statement" : "notification",
			 (unsigned long long)c->reports);
	return buf;
}

/* "entry 3 (AcctSvcrRef 'X', line 40)" or "entry 3 (line 40)". */
static const char *entry_text(char *buf, size_t size, const struct camt_state *c)
{
	char ref[48];
	const char *s;

	if (camt_trimmed(&c->v[S_NTRY_REF], &s) > 0)
		snprintf(buf, size, "entry %llu (AcctSvcrRef '%s', line %llu)", (unsigned long long)c->entries,
			 shown(ref, sizeof(ref), &c->v[S_NTRY_REF]), (unsigned long long)c->entry_line);
	else
		snprintf(buf, size, "entry %llu (line %llu)", (unsigned long long)c->entries,
			 (unsigned long long)c->entry_line);
	return buf;
}

static int too_much(struct xml_state *st, uint64_t line, const char *what)
{
	return xml_refuse(st, RC_FILE_TOTALS, line, "%s add up to more than the loader can count", what);
}

void camt_report_begin(struct camt_state *c, uint64_t line)
{
	c->reports++;
	c->report_line = line;
	c->account_checked = false;
	memset(&c->opbd, 0, sizeof(c->opbd));
	memset(&c->clbd, 0, sizeof(c->clbd));
	c->booked = 0;
	c->booked_unknown = false;
}

int camt_check_account(struct xml_state *st)
{
	struct camt_state *c = st->camt;
	const struct camt_value *iban = &c->v[S_IBAN];
	uint64_t line = (iban->flags & FIELD_PRESENT) ? iban->line : c->report_line;
	char rpt[96], acc[48];
	const char *s;
	size_t n = camt_trimmed(iban, &s);

	c->account_checked = true;
	report_text(rpt, sizeof(rpt), c);
	if (n == 0)
		return xml_refuse(st, RC_FILE_ACCOUNT, line,
				  "the %s names no account IBAN (Acct/Id/IBAN, line %llu): a bank file must be for "
				  "one of the agency's accounts",
				  rpt, (unsigned long long)line);
	for (size_t i = 0; i < st->io->naccounts; i++)
		if (strlen(st->io->accounts[i]) == n && memcmp(st->io->accounts[i], s, n) == 0)
			return 0;
	shown(acc, sizeof(acc), iban);
	if (st->io->naccounts == 0)
		return xml_refuse(st, RC_FILE_ACCOUNT, line,
				  "the account '%s' of the %s (line %llu) is refused: the configuration names no "
				  "account of the agency ([agency] account.<currency>), so every bank file is refused",
				  acc, rpt, (unsigned long long)line);
	return xml_refuse(st, RC_FILE_ACCOUNT, line,
			  "the account '%s' of the %s (line %llu) is not one of the agency's accounts "
			  "([agency] account.<currency>)",
			  acc, rpt, (unsigned long long)line);
}

int camt_balance_end(struct xml_state *st)
{
	struct camt_state *c = st->camt;
	bool opening = camt_is(&c->v[S_BAL_CODE], "OPBD");
	struct camt_balance *b = opening ? &c->opbd : camt_is(&c->v[S_BAL_CODE], "CLBD") ? &c->clbd : NULL;
	const char *what = opening ? "opening booked balance (OPBD)" : "closing booked balance (CLBD)";
	uint64_t line = c->bal_line;
	char rpt[96], val[48];
	const char *s;
	size_t n;
	int64_t a;
	int sign;

	if (b == NULL)
		return 0;
	report_text(rpt, sizeof(rpt), c);
	if (b->present)
		return xml_refuse(st, RC_FILE_TOTALS, line, "the %s has a second %s (line %llu)", rpt, what,
				  (unsigned long long)line);
	if (!amount_read(&c->v[S_BAL_AMT], &a))
		return xml_refuse(st, RC_FILE_TOTALS, line, "the %s of the %s (line %llu) is not an amount: '%s'", what,
				  rpt, (unsigned long long)line, shown(val, sizeof(val), &c->v[S_BAL_AMT]));
	if ((sign = sign_of(&c->v[S_BAL_DIR])) == 0)
		return xml_refuse(st, RC_FILE_TOTALS, line,
				  "the %s of the %s (line %llu) is neither a credit nor a debit (CdtDbtInd)", what, rpt,
				  (unsigned long long)line);
	b->present = true;
	b->amount = sign * a;
	b->line = line;
	n = camt_trimmed(&c->v[S_BAL_CCY], &s);
	if (n >= sizeof(b->ccy))
		n = sizeof(b->ccy) - 1;
	memcpy(b->ccy, s, n);
	b->ccy[n] = '\0';
	return 0;
}

int camt_report_end(struct xml_state *st)
{
	struct camt_state *c = st->camt;
	char rpt[96], o[48], m[48], want[48], got[48];
	int64_t sum;
	int rc;

	if (!c->account_checked && (rc = camt_check_account(st)) != 0)
		return rc;
	if (!c->doc->statement || !c->opbd.present || !c->clbd.present || c->booked_unknown)
		return 0;
	report_text(rpt, sizeof(rpt), c);
	if (strcmp(c->opbd.ccy, c->clbd.ccy) != 0)
		return xml_refuse(st, RC_FILE_TOTALS, c->clbd.line,
				  "the %s has its opening booked balance in '%s' and its closing one in '%s' (line %llu)",
				  rpt, c->opbd.ccy, c->clbd.ccy, (unsigned long long)c->clbd.line);
	if (__builtin_add_overflow(c->opbd.amount, c->booked, &sum))
		return too_much(st, c->clbd.line, "the booked entries and the opening balance");
	if (sum != c->clbd.amount)
		return xml_refuse(st, RC_FILE_TOTALS, c->clbd.line,
				  "the %s does not balance: the opening booked balance (OPBD) %s and the booked "
				  "entries, %s, make %s, but the closing booked balance (CLBD, line %llu) is %s",
				  rpt, signed_text(o, sizeof(o), c->opbd.amount), signed_text(m, sizeof(m), c->booked),
				  signed_text(want, sizeof(want), sum), (unsigned long long)c->clbd.line,
				  signed_text(got, sizeof(got), c->clbd.amount));
	return 0;
}

void camt_entry_begin(struct camt_state *c, uint64_t line)
{
	c->entries++;
	c->entry_line = line;
	c->entry_records = 0;
	c->entry_sum = 0;
	c->entry_sum_ok = true;
	c->dtls_seen = false;
}

void camt_dtls_begin(struct camt_state *c, uint64_t line)
{
	c->dtls_seen = true;
	c->dtls_line = line;
	c->dtls_count = 0;
	c->dtls_sum = 0;
	c->dtls_sum_ok = true;
}

int camt_detail_sums(struct xml_state *st)
{
	struct camt_state *c = st->camt;
	const struct camt_value *own = (c->v[S_TX_AMT].flags & FIELD_PRESENT) ? &c->v[S_TX_AMT] : &c->v[S_TX_TXAMT];
	const struct camt_value *dir = (c->v[S_TX_DIR].flags & FIELD_PRESENT) ? &c->v[S_TX_DIR] : &c->v[S_NTRY_DIR];
	char ent[128], what[160];
	int64_t a;
	int sign;

	c->dtls_count++;
	if (!amount_read(own, &a) || (sign = sign_of(dir)) == 0) {
		c->dtls_sum_ok = false;
		c->entry_sum_ok = false;
		return 0;
	}
	if (__builtin_add_overflow(c->dtls_sum, sign * a, &c->dtls_sum) ||
	    __builtin_add_overflow(c->entry_sum, sign * a, &c->entry_sum)) {
		snprintf(what, sizeof(what), "the details of %s", entry_text(ent, sizeof(ent), c));
		return too_much(st, c->entry_line, what);
	}
	return 0;
}

int camt_dtls_end(struct xml_state *st)
{
	struct camt_state *c = st->camt;
	const struct camt_value *nb = &c->v[S_BTCH_N], *ttl = &c->v[S_BTCH_AMT];
	char ent[128], val[48], t[48], d[48];
	const char *s;
	size_t n = camt_trimmed(nb, &s);
	int64_t a;
	int sign;

	if (c->dtls_count == 0)
		return 0;
	entry_text(ent, sizeof(ent), c);
	if (nb->flags & FIELD_PRESENT) {
		uint64_t count = 0;
		bool ok = n > 0 && n <= 18;

		for (size_t i = 0; ok && i < n; i++) {
			ok = s[i] >= '0' && s[i] <= '9';
			count = count * 10 + (uint64_t)(s[i] - '0');
		}
		if (!ok)
			return xml_refuse(st, RC_FILE_TOTALS, nb->line,
					  "%s: the number of transactions of its batch (NtryDtls/Btch/NbOfTxs, line %llu) "
					  "is not a number: '%s'",
					  ent, (unsigned long long)nb->line, shown(val, sizeof(val), nb));
		if (count != c->dtls_count)
			return xml_refuse(st, RC_FILE_TOTALS, nb->line,
					  "%s: its batch counts %llu transactions (NtryDtls/Btch/NbOfTxs, line %llu), "
					  "its details (TxDtls) are %llu",
					  ent, (unsigned long long)count, (unsigned long long)nb->line,
					  (unsigned long long)c->dtls_count);
	}
	if (!(ttl->flags & FIELD_PRESENT))
		return 0;
	if (!amount_read(ttl, &a))
		return xml_refuse(st, RC_FILE_TOTALS, ttl->line,
				  "%s: the total of its batch (NtryDtls/Btch/TtlAmt, line %llu) is not an amount: '%s'",
				  ent, (unsigned long long)ttl->line, shown(val, sizeof(val), ttl));
	sign = (c->v[S_BTCH_DIR].flags & FIELD_PRESENT) ? sign_of(&c->v[S_BTCH_DIR]) : sign_of(&c->v[S_NTRY_DIR]);
	if (!c->dtls_sum_ok || sign == 0)
		return 0;
	if (sign * a != c->dtls_sum)
		return xml_refuse(st, RC_FILE_TOTALS, ttl->line,
				  "%s: the total of its batch (NtryDtls/Btch/TtlAmt, line %llu) is %s, its details "
				  "add up to %s",
				  ent, (unsigned long long)ttl->line, signed_text(t, sizeof(t), sign * a),
				  signed_text(d, sizeof(d), c->dtls_sum));
	return 0;
}

int camt_entry_end(struct xml_state *st)
{
	struct camt_state *c = st->camt;
	const struct camt_value *amt = &c->v[S_NTRY_AMT];
	const struct camt_value *sts = (c->v[S_NTRY_STS_CD].flags & FIELD_PRESENT) ? &c->v[S_NTRY_STS_CD]
										      : &c->v[S_NTRY_STS];
	char ent[128], t[48], d[48], ccy[8];
	const char *s;
	size_t n;
	int64_t a = 0;
	int sign = sign_of(&c->v[S_NTRY_DIR]);
	bool readable = amount_read(amt, &a) && sign != 0;

	entry_text(ent, sizeof(ent), c);
	if (c->entry_records > 0 && c->entry_sum_ok) {
		if (!readable)
			return xml_refuse(st, RC_FILE_TOTALS, c->entry_line,
					  "%s: its amount (Amt with CdtDbtInd) does not read, so it cannot be compared "
					  "with its details",
					  ent);
		if (sign * a != c->entry_sum)
			return xml_refuse(st, RC_FILE_TOTALS, c->entry_line,
					  "%s: its amount is %s, its details add up to %s", ent,
					  signed_text(t, sizeof(t), sign * a), signed_text(d, sizeof(d), c->entry_sum));
	}
	if (!c->doc->statement || !camt_is(sts, "BOOK"))
		return 0;
	if (!readable) {
		/* its record is the validator's; the balance cannot be checked */
		c->booked_unknown = true;
		return 0;
	}
	n = camt_trimmed(&c->v[S_NTRY_CCY], &s);
	if (c->opbd.present && (n != strlen(c->opbd.ccy) || memcmp(s, c->opbd.ccy, n) != 0)) {
		xml_shown(ccy, sizeof(ccy), n < sizeof(ccy) ? s : "?", n < sizeof(ccy) ? n : 1);
		return xml_refuse(st, RC_FILE_TOTALS, c->entry_line,
				  "%s: its amount is in '%s', the statement's opening booked balance in '%s'", ent, ccy,
				  c->opbd.ccy);
	}
	if (__builtin_add_overflow(c->booked, sign * a, &c->booked))
		return too_much(st, c->entry_line, "the booked entries");
	return 0;
}

int camt_refuse_order(struct xml_state *st, const char *name, uint64_t line)
{
	char ent[128], nm[NAME_SHOWN + 1];

	xml_shown(nm, sizeof(nm), name, NAME_SHOWN);
	return xml_refuse(st, RC_FILE_MALFORMED, line,
			  "%s: its element '%s' (line %llu) comes after its details (NtryDtls), where the schema "
			  "does not allow it",
			  entry_text(ent, sizeof(ent), st->camt), nm, (unsigned long long)line);
}
