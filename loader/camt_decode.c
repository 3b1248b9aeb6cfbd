/* camt_decode.c: bank files (SPEC 13): ISO 20022 camt.054 (debit/credit
 * notification) and camt.053 (account statement), versions 001.02, 001.04
 * and 001.08, walked over the parser's events that xml_decode.c has checked
 * (same lexer, DOCTYPE refusal, error handler, size and depth limits, line
 * numbers).
 *
 * One record (KIND_BANK, enum bank_field) per transaction detail
 * Ntry/NtryDtls/TxDtls, or per entry without details, with the values the
 * engine reads as written; the rules are the validator's. The walk keeps
 * the values of the element it is in (the statement, a balance, an entry,
 * its batch, a detail) and running sums, never the entries: memory is
 * constant whatever the number of entries or details. A detail's record is
 * held back until the next detail or the end of its entry, because only
 * then is it known whether it is the entry's only record (whose amount may
 * be the entry's).
 *
 * File-level checks, as refusals: the account must be one of
 * io->accounts (FILE_ACCOUNT); a batch's NbOfTxs and TtlAmt, an entry's
 * amount and, in camt.053, the booked balances must agree with the
 * records (FILE_TOTALS, camt_totals.c). Elements outside the paths read
 * here, and elements in another namespace, are passed over.
 */
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "camt_decode_int.h"

static const struct camt_doc docs[] = {
	{ "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02", "camt.054.001.02", false },
	{ "urn:iso:std:iso:20022:tech:xsd:camt.054.001.04", "camt.054.001.04", false },
	{ "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08", "camt.054.001.08", false },
	{ "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", "camt.053.001.02", true },
	{ "urn:iso:std:iso:20022:tech:xsd:camt.053.001.04", "camt.053.001.04", true },
	{ "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08", "camt.053.001.08", true },
};

/* What the walk reads, by the element it is in and the path below it.
 * An element of `opens` begins that part of the walk; one with a slot is a
 * value (ccy: the slot of its Ccy attribute). */
struct camt_path {
	const char *path;
	size_t len; /* strlen(path): most elements are told apart by it */
	enum camt_part part;
	int slot;
	int ccy;
	enum camt_part opens;
};

/* a path and its length */
#define PATH(path) path, sizeof(path) - 1

static const struct camt_path paths[] = {
	{ PATH("Id"), P_REPORT, S_RPT_ID, -1, P_NONE },
	{ PATH("Acct/Id/IBAN"), P_REPORT, S_IBAN, -1, P_NONE },
	{ PATH("Bal"), P_REPORT, -1, -1, P_BAL }, /* camt.053 only (path_find) */
	{ PATH("Ntry"), P_REPORT, -1, -1, P_ENTRY },
	{ PATH("Tp/CdOrPrtry/Cd"), P_BAL, S_BAL_CODE, -1, P_NONE },
	{ PATH("Amt"), P_BAL, S_BAL_AMT, S_BAL_CCY, P_NONE },
	{ PATH("CdtDbtInd"), P_BAL, S_BAL_DIR, -1, P_NONE },
	{ PATH("Amt"), P_ENTRY, S_NTRY_AMT, S_NTRY_CCY, P_NONE },
	{ PATH("CdtDbtInd"), P_ENTRY, S_NTRY_DIR, -1, P_NONE },
	{ PATH("RvslInd"), P_ENTRY, S_NTRY_RVSL, -1, P_NONE },
	{ PATH("Sts"), P_ENTRY, S_NTRY_STS, -1, P_NONE },
	{ PATH("Sts/Cd"), P_ENTRY, S_NTRY_STS_CD, -1, P_NONE },
	{ PATH("BookgDt/Dt"), P_ENTRY, S_NTRY_DT, -1, P_NONE },
	{ PATH("BookgDt/DtTm"), P_ENTRY, S_NTRY_DTTM, -1, P_NONE },
	{ PATH("AcctSvcrRef"), P_ENTRY, S_NTRY_REF, -1, P_NONE },
	{ PATH("NtryDtls"), P_ENTRY, -1, -1, P_DTLS },
	{ PATH("Btch/NbOfTxs"), P_DTLS, S_BTCH_N, -1, P_NONE },
	{ PATH("Btch/TtlAmt"), P_DTLS, S_BTCH_AMT, S_BTCH_CCY, P_NONE },
	{ PATH("Btch/CdtDbtInd"), P_DTLS, S_BTCH_DIR, -1, P_NONE },
	{ PATH("TxDtls"), P_DTLS, -1, -1, P_TX },
	{ PATH("Refs/AcctSvcrRef"), P_TX, S_TX_REF, -1, P_NONE },
	{ PATH("Refs/UETR"), P_TX, S_TX_UETR, -1, P_NONE },
	{ PATH("Refs/EndToEndId"), P_TX, S_TX_E2E, -1, P_NONE },
	{ PATH("Amt"), P_TX, S_TX_AMT, S_TX_CCY, P_NONE },
	{ PATH("CdtDbtInd"), P_TX, S_TX_DIR, -1, P_NONE },
	{ PATH("AmtDtls/TxAmt/Amt"), P_TX, S_TX_TXAMT, S_TX_TXAMT_CCY, P_NONE },
	{ PATH("RvslInd"), P_TX, S_TX_RVSL, -1, P_NONE }, /* not in the ISO schemas; read when a bank writes it */
	{ PATH("RltdPties/Dbtr/Nm"), P_TX, S_TX_DBTR, -1, P_NONE },
	{ PATH("RltdPties/Dbtr/Pty/Nm"), P_TX, S_TX_DBTR_PTY, -1, P_NONE },
	{ PATH("RmtInf/Strd/CdtrRefInf/Ref"), P_TX, S_TX_CRREF, -1, P_NONE },
};
#undef PATH

/* The slots each part clears when it begins. */
static const int part_slots[P__COUNT][2] = {
	[P_REPORT] = { S_RPT_ID, S_BAL_CODE },
	[P_BAL] = { S_BAL_CODE, S_NTRY_AMT },
	[P_ENTRY] = { S_NTRY_AMT, S_BTCH_N },
	[P_DTLS] = { S_BTCH_N, S_TX_REF },
	[P_TX] = { S_TX_REF, S__COUNT },
};

/* The element that begins each part's parent. */
static const enum camt_part part_parent[P__COUNT] = {
	[P_REPORT] = P_NONE, [P_BAL] = P_REPORT, [P_ENTRY] = P_REPORT, [P_DTLS] = P_ENTRY, [P_TX] = P_DTLS,
};

static const struct camt_path *path_find(const struct camt_state *c, const char *path)
{
	size_t len = strlen(path);

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (paths[i].part == c->part && paths[i].len == len && memcmp(paths[i].path, path, len) == 0)
			return paths[i].opens == P_BAL && !c->doc->statement ? NULL : &paths[i];
	return NULL;
}

size_t camt_trimmed(const struct camt_value *v, const char **s)
{
	size_t a = 0, b = v->len;

	*s = v->s;
	if (!(v->flags & FIELD_PRESENT) || (v->flags & FIELD_TOO_LONG))
		return 0;
	while (a < b && (v->s[a] == ' ' || v->s[a] == '\t' || v->s[a] == '\r' || v->s[a] == '\n'))
		a++;
	while (b > a && (v->s[b - 1] == ' ' || v->s[b - 1] == '\t' || v->s[b - 1] == '\r' || v->s[b - 1] == '\n'))
		b--;
	*s = v->s + a;
	return b - a;
}

bool camt_is(const struct camt_value *v, const char *word)
{
	const char *s;
	size_t n = camt_trimmed(v, &s);

	return n == strlen(word) && memcmp(s, word, n) == 0;
}

static void value_clear(struct camt_value *v)
{
	v->len = 0;
	v->flags = 0;
	v->line = 0;
	v->s[0] = '\0';
}

static void value_append(struct camt_value *v, const char *s, size_t n)
{
	if (v->flags & FIELD_TOO_LONG)
		return;
	if (v->len + n > RECORD_FIELD_MAX_BYTES) {
		v->flags |= FIELD_TOO_LONG;
		v->len = 0;
		v->s[0] = '\0';
		return;
	}
	memcpy(v->s + v->len, s, n);
	v->len += n;
	v->s[v->len] = '\0';
}

/* ---- records ------------------------------------------------------------ */

/* A value into a field of the record, with its flags. */
static void put(struct record *r, int f, const struct camt_value *v, uint8_t extra)
{
	if (!(v->flags & FIELD_PRESENT))
		return;
	if (v->flags & FIELD_TOO_LONG)
		r->f[f].flags |= FIELD_PRESENT | FIELD_TOO_LONG;
	else
		record_set_field(r, f, v->s, v->len);
	r->f[f].flags |= (v->flags | extra) & FIELD_REPEATED;
}

/* The first of two values that is present; FIELD_REPEATED when both are. */
static void put_either(struct record *r, int f, const struct camt_value *a, const struct camt_value *b)
{
	bool both = (a->flags & FIELD_PRESENT) && (b->flags & FIELD_PRESENT);

	put(r, f, (a->flags & FIELD_PRESENT) ? a : b, both ? FIELD_REPEATED : 0);
}

/* A reference that takes part in bank_reference: present and not blank. */
static bool usable(const struct camt_value *v)
{
	const char *s;

	return (v->flags & FIELD_TOO_LONG) || camt_trimmed(v, &s) > 0;
}

/* SPEC 13: TxDtls/Refs/AcctSvcrRef, else TxDtls/Refs/UETR, else
 * Ntry/AcctSvcrRef "/" TxDtls/Refs/EndToEndId, else Ntry/AcctSvcrRef "#"
 * the detail's ordinal; from the trimmed values. None: left out. */
static void put_bank_reference(struct camt_state *c, struct record *r, uint64_t ordinal)
{
	const struct camt_value *tx = &c->v[S_TX_REF], *uetr = &c->v[S_TX_UETR], *e2e = &c->v[S_TX_E2E],
				*ntry = &c->v[S_NTRY_REF];
	const struct camt_value *first = NULL, *second = NULL;
	char buf[2 * RECORD_FIELD_MAX_BYTES + 32], sep[24] = "";
	const char *s;
	size_t n, len = 0;

	if (usable(tx)) {
		first = tx;
	} else if (usable(uetr)) {
		first = uetr;
	} else if (usable(ntry) && usable(e2e)) {
		first = ntry;
		second = e2e;
		snprintf(sep, sizeof(sep), "/");
	} else if (usable(ntry)) {
		first = ntry;
		snprintf(sep, sizeof(sep), "#%llu", (unsigned long long)ordinal);
	} else {
		return;
	}
	if ((first->flags & FIELD_TOO_LONG) || (second != NULL && (second->flags & FIELD_TOO_LONG))) {
		r->f[BF_BANK_REFERENCE].flags |= FIELD_PRESENT | FIELD_TOO_LONG;
		return;
	}
	n = camt_trimmed(first, &s);
	memcpy(buf, s, n);
	len = n;
	n = strlen(sep);
	memcpy(buf + len, sep, n);
	len += n;
	if (second != NULL) {
		n = camt_trimmed(second, &s);
		memcpy(buf + len, s, n);
		len += n;
	}
	record_set_field(r, BF_BANK_REFERENCE, buf, len);
}

/* The record of the detail whose values are in the P_TX slots (all empty
 * for an entry without details), but for the entry's amount, which
 * camt_amount_fallback adds once the entry is known to have one record. */
static void build(struct camt_state *c, struct record *r, uint64_t ordinal, uint64_t line)
{
	const struct camt_value *v = c->v;
	char num[24];

	record_reset(r, KIND_BANK);
	r->line = line;
	put(r, BF_ACCOUNT, &v[S_IBAN], 0);
	/* 001.08 writes Sts/Cd; then Sts itself holds only white space */
	put(r, BF_ENTRY_STATUS, (v[S_NTRY_STS_CD].flags & FIELD_PRESENT) ? &v[S_NTRY_STS_CD] : &v[S_NTRY_STS], 0);
	if (v[S_NTRY_DT].flags & FIELD_PRESENT) {
		put(r, BF_BOOKING_DATE, &v[S_NTRY_DT], (v[S_NTRY_DTTM].flags & FIELD_PRESENT) ? FIELD_REPEATED : 0);
	} else if (v[S_NTRY_DTTM].flags & FIELD_PRESENT) {
		/* the date written in it: what comes before the 'T' */
		const char *s;
		size_t n = camt_trimmed(&v[S_NTRY_DTTM], &s);
		const char *t = memchr(s, 'T', n);

		if (v[S_NTRY_DTTM].flags & FIELD_TOO_LONG)
			put(r, BF_BOOKING_DATE, &v[S_NTRY_DTTM], 0);
		else
			record_set_field(r, BF_BOOKING_DATE, s, t != NULL ? (size_t)(t - s) : n);
	}
	if (v[S_TX_AMT].flags & FIELD_PRESENT) {
		put(r, BF_AMOUNT, &v[S_TX_AMT], 0);
		put(r, BF_CURRENCY, &v[S_TX_CCY], 0);
	} else if (v[S_TX_TXAMT].flags & FIELD_PRESENT) {
		put(r, BF_AMOUNT, &v[S_TX_TXAMT], 0);
		put(r, BF_CURRENCY, &v[S_TX_TXAMT_CCY], 0);
	}
	put(r, BF_DIRECTION, (v[S_TX_DIR].flags & FIELD_PRESENT) ? &v[S_TX_DIR] : &v[S_NTRY_DIR], 0);
	put(r, BF_REVERSAL, (v[S_TX_RVSL].flags & FIELD_PRESENT) ? &v[S_TX_RVSL] : &v[S_NTRY_RVSL], 0);
	put(r, BF_REFERENCE, &v[S_TX_CRREF], 0);
	put_either(r, BF_DEBTOR_NAME, &v[S_TX_DBTR], &v[S_TX_DBTR_PTY]);
	put(r, BF_ACCT_SVCR_REF, &v[S_TX_REF], 0);
	put(r, BF_UETR, &v[S_TX_UETR], 0);
	put(r, BF_END_TO_END_ID, &v[S_TX_E2E], 0);
	put(r, BF_ENTRY_ACCT_SVCR_REF, &v[S_NTRY_REF], 0);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)ordinal);
	record_set_field(r, BF_DETAIL_ORDINAL, num, strlen(num));
	put_bank_reference(c, r, ordinal);
}

void camt_amount_fallback(struct camt_state *c, struct record *r)
{
	if (r->f[BF_AMOUNT].flags & FIELD_PRESENT)
		return;
	put(r, BF_AMOUNT, &c->v[S_NTRY_AMT], 0);
	put(r, BF_CURRENCY, &c->v[S_NTRY_CCY], 0);
}

int camt_emit(struct xml_state *st, struct record *r)
{
	r->ordinal = ++st->ordinal;
	return xml_deliver(st, r);
}

/* The record held back, if any: the entry has more than one record. */
static int emit_held(struct xml_state *st)
{
	struct camt_state *c = st->camt;

	if (!c->holding)
		return 0;
	c->holding = false;
	return camt_emit(st, c->held);
}

/* ---- the parts of the document ------------------------------------------ */

static int part_begin(struct xml_state *st, enum camt_part part, uint64_t line, size_t path_len)
{
	struct camt_state *c = st->camt;
	int rc;

	for (int s = part_slots[part][0]; s < part_slots[part][1]; s++)
		value_clear(&c->v[s]);
	c->part = part;
	c->part_base[part] = part == P_REPORT ? 0 : path_len + 1;
	switch (part) {
	case P_REPORT:
		camt_report_begin(c, line);
		break;
	case P_ENTRY:
		if (!c->account_checked && (rc = camt_check_account(st)) != 0)
			return rc;
		camt_entry_begin(c, line);
		break;
	case P_DTLS:
		camt_dtls_begin(c, line);
		break;
	case P_TX:
		if ((rc = emit_held(st)) != 0)
			return rc;
		c->tx_line = line;
		c->entry_records++;
		break;
	case P_BAL:
		c->bal_line = line;
		break;
	case P_NONE:
	case P__COUNT:
		break;
	}
	return 0;
}

static int part_end(struct xml_state *st, enum camt_part part)
{
	struct camt_state *c = st->camt;
	struct record *r;
	int rc = 0;

	if (part <= P_NONE || part >= P__COUNT)
		return 0;
	c->part = part_parent[part];
	switch (part) {
	case P_REPORT:
		return camt_report_end(st);
	case P_BAL:
		return camt_balance_end(st);
	case P_ENTRY:
		if (c->holding) {
			if (c->entry_records == 1)
				camt_amount_fallback(c, c->held);
			rc = emit_held(st);
		} else if (c->entry_records == 0) {
			/* an entry without details is one record itself */
			for (int s = S_TX_REF; s < S__COUNT; s++)
				value_clear(&c->v[s]);
			build(c, c->cur, 1, c->entry_line);
			camt_amount_fallback(c, c->cur);
			rc = camt_emit(st, c->cur);
		}
		return rc != 0 ? rc : camt_entry_end(st);
	case P_DTLS:
		return camt_dtls_end(st);
	case P_TX:
		build(c, c->cur, c->entry_records, c->tx_line);
		if ((rc = camt_detail_sums(st)) != 0)
			return rc;
		r = c->held;
		c->held = c->cur;
		c->cur = r;
		c->holding = true;
		return 0;
	case P_NONE:
	case P__COUNT:
		break;
	}
	return 0;
}

/* ---- the walk ------------------------------------------------------------- */

static int on_root(struct xml_state *st, const struct xml_node *n)
{
	struct camt_state *c = st->camt;
	const char *ns = n->ns;
	char shown[96];

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]) && c->doc == NULL; i++)
		if (ns != NULL && strcmp(ns, docs[i].ns) == 0)
			c->doc = &docs[i];
	if (c->doc == NULL) {
		xml_shown(shown, sizeof(shown), ns != NULL ? ns : "", 80);
		return xml_refuse(st, RC_FILE_MALFORMED, n->line,
				  "the xml root element 'Document' is not a bank file this loader reads: its namespace "
				  "'%s' is not camt.053 or camt.054 in version 001.02, 001.04 or 001.08",
				  shown);
	}
	if (st->io->forced_kind != KIND_UNKNOWN && st->io->forced_kind != KIND_BANK)
		return xml_refuse(st, RC_FILE_MALFORMED, n->line, "the xml root element 'Document' holds bank, not %s",
				  file_kind_name(st->io->forced_kind));
	c->ns_seen = ns;
	c->msg_name = c->doc->statement ? "BkToCstmrStmt" : "BkToCstmrDbtCdtNtfctn";
	c->report_name = c->doc->statement ? "Stmt" : "Ntfctn";
	st->kind = KIND_BANK;
	st->root_seen = true;
	return xml_tell_kind(st, KIND_BANK, n->line);
}

/* An amount's currency: its attribute `Ccy` (in no namespace), if any. */
static void put_currency(struct xml_state *st, const struct xml_node *n, struct camt_value *v)
{
	for (int i = 0; i < n->nattrs; i++) {
		struct xml_attr a;

		xml_attr(st, n, i, &a);
		if (a.ns != NULL || strcmp(a.name, "Ccy") != 0)
			continue;
		v->flags = FIELD_PRESENT;
		v->line = n->line;
		value_append(v, a.value, a.len);
		return;
	}
}

static int on_element(struct xml_state *st, const struct xml_node *n)
{
	struct camt_state *c = st->camt;
	const char *name = n->name;
	const char *ns = n->ns;
	struct camt_frame *fr = &c->frames[n->depth];
	const struct camt_path *p;
	char nm[NAME_SHOWN + 1];
	size_t at, len;

	fr->slot = -1;
	fr->opens = P_NONE;
	fr->path_len = 0;
	if (c->skip_depth >= 0 && n->depth > c->skip_depth)
		return 0;
	if (n->depth == 0)
		return on_root(st, n);
	if (name == NULL)
		name = "";
	/* libxml2 interns namespace names: the same pointer, the same name */
	if (ns == NULL || (ns != c->ns_seen && strcmp(ns, c->doc->ns) != 0)) {
		/* another vocabulary (SplmtryData/Envlp): not read */
		c->skip_depth = n->depth;
		return 0;
	}
	if (n->depth == 1) {
		if (strcmp(name, c->msg_name) != 0) {
			xml_shown(nm, sizeof(nm), name, NAME_SHOWN);
			return xml_refuse(st, RC_FILE_MALFORMED, n->line,
					  "unexpected element '%s' in 'Document': a %s document holds '%s'", nm,
					  c->doc->name, c->msg_name);
		}
		c->msg_seen = true;
		return 0;
	}
	if (n->depth == 2) {
		if (strcmp(name, c->report_name) != 0) {
			c->skip_depth = n->depth; /* GrpHdr, SplmtryData */
			return 0;
		}
		fr->opens = P_REPORT;
		return part_begin(st, P_REPORT, n->line, 0);
	}
	/* below a statement or notification: its path from the part it is in */
	at = c->frames[n->depth - 1].path_len;
	len = strlen(name);
	if (c->part == P_NONE || at + 1 + len >= sizeof(c->path)) {
		c->skip_depth = n->depth;
		return 0;
	}
	if (at > 0)
		c->path[at++] = '/';
	memcpy(c->path + at, name, len + 1);
	fr->path_len = at + len;
	p = path_find(c, c->path + c->part_base[c->part]);
	if (p == NULL)
		return 0;
	if (p->opens != P_NONE) {
		fr->opens = p->opens;
		return part_begin(st, p->opens, n->line, fr->path_len);
	}
	if (p->part == P_ENTRY && c->dtls_seen)
		return camt_refuse_order(st, name, n->line);
	if (c->v[p->slot].flags & FIELD_PRESENT) {
		/* the first value stands */
		c->v[p->slot].flags |= FIELD_REPEATED;
		return 0;
	}
	c->v[p->slot].flags = FIELD_PRESENT;
	c->v[p->slot].line = n->line;
	fr->slot = p->slot;
	if (p->ccy >= 0)
		put_currency(st, n, &c->v[p->ccy]);
	return 0;
}

static int on_end(struct xml_state *st, int depth)
{
	struct camt_state *c = st->camt;
	const struct camt_frame *fr = &c->frames[depth];

	if (c->skip_depth >= 0 && depth >= c->skip_depth) {
		if (depth == c->skip_depth)
			c->skip_depth = -1;
		return 0;
	}
	if (depth == 0) {
		st->root_done = true;
		if (c->reports == 0)
			return xml_refuse(st, RC_FILE_MALFORMED, st->lx.line,
					  "the bank file holds no '%s' (a %s document has at least one)", c->report_name,
					  c->doc->name);
		return 0;
	}
	if (fr->opens != P_NONE)
		return part_end(st, fr->opens);
	return 0;
}

int camt_walk_visit(struct xml_state *st, const struct xml_node *n)
{
	struct camt_state *c = st->camt;

	switch (n->type) {
	case XN_ELEMENT:
		return on_element(st, n);
	case XN_END:
		return on_end(st, n->depth);
	case XN_TEXT: /* text, CDATA, white space: a value's, or nothing */
		break;
	}
	if (n->depth < 1 || (c->skip_depth >= 0 && n->depth > c->skip_depth))
		return 0;
	if (c->frames[n->depth - 1].slot >= 0)
		value_append(&c->v[c->frames[n->depth - 1].slot], n->value, n->len);
	return 0;
}

int camt_walk_begin(struct xml_state *st)
{
	struct camt_state *c = alloc_calloc(1, sizeof(*c));

	if (c == NULL || (c->own = alloc_malloc(sizeof(*c->own))) == NULL) {
		alloc_free(c);
		xml_set_cause(st, CAUSE_INTERNAL, ERR_NOMEM, RC__COUNT, 0, "out of memory");
		return ERR_NOMEM;
	}
	c->skip_depth = -1;
	c->cur = st->rec;
	c->held = c->own;
	st->camt = c;
	return 0;
}

void camt_walk_free(struct xml_state *st)
{
	if (st->camt == NULL)
		return;
	alloc_free(st->camt->own);
	alloc_free(st->camt);
	st->camt = NULL;
}
