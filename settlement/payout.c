/* payout.c: pain.001.001.09 payout files rendered with xmlTextWriter
 * (payout.h). */
#include "payout.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "money.h"
#include "utf8.h"

int payout_msgid(char *buf, size_t size, const char *period, const char *currency, int64_t seq,
		 struct err *e)
{
	int n = snprintf(buf, size, "%s-%s-%lld", period, currency, (long long)seq);

	if (n < 0 || (size_t)n >= size || n > 35)
		return ERR_SET(e, ERR_LIMIT, "payout MsgId '%s-%s-%lld' longer than 35 characters", period,
			       currency, (long long)seq);
	return 0;
}

/* ---- names ---- */

/* The next character of a name as written: its bytes in *out (1-4) and
 * how many bytes of s it takes (0 at the end). */
static size_t name_char(const unsigned char *s, char out[4], size_t *outlen)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	size_t n;

	if (*s == '\0')
		return 0;
	n = utf8_seq(s, (size_t)-1); /* s is NUL-terminated */
	if (n == 0 || (n == 3 && s[0] == 0xef && s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf))) {
		memcpy(out, replacement, 3);
		*outlen = 3;
		return n == 0 ? 1 : n;
	}
	if (utf8_is_control(s, n)) {
		out[0] = ' ';
		*outlen = 1;
		return n;
	}
	memcpy(out, s, n);
	*outlen = n;
	return n;
}

/* Walk the name as written: its length in bytes within size - 1 and in
 * characters (at most max_chars), without spaces at either end. */
static size_t name_walk(char *out, size_t size, const char *in, size_t max_chars, size_t *chars)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, kept = 0, n_chars = 0, kept_chars = 0;
	char c[4];
	size_t clen, step;

	while ((step = name_char(s, c, &clen)) != 0) {
		bool space = clen == 1 && c[0] == ' ';

		if (o == 0 && space) { /* a leading space, or what became one */
			s += step;
			continue;
		}
		if (n_chars == max_chars || o + clen >= size)
			break;
		if (out != NULL)
			memcpy(out + o, c, clen);
		o += clen;
		n_chars++;
		if (!space) {
			kept = o; /* up to the last character that is not a space */
			kept_chars = n_chars;
		}
		s += step;
	}
	if (out != NULL && size > 0)
		out[kept] = '\0';
	*chars = kept_chars;
	return kept;
}

size_t payout_name(char *out, size_t size, const char *in, const char *fallback)
{
	size_t chars;
	size_t n;

	if (size == 0)
		return 0;
	n = name_walk(out, size, in, PAYOUT_NAME_CHARS, &chars);
	if (n == 0)
		n = name_walk(out, size, fallback, PAYOUT_NAME_CHARS, &chars);
	return n;
}

bool payout_name_is_cut(const char *in)
{
	size_t all, chars;

	/* the whole name, counted without a limit of bytes */
	(void)name_walk(NULL, (size_t)-1, in, (size_t)-1, &all);
	(void)name_walk(NULL, (size_t)-1, in, PAYOUT_NAME_CHARS, &chars);
	return all > chars;
}

/* ---- the writer ----
 *
 * xmlTextWriter writes into memory (an xmlBuffer); after the frame and
 * after each transfer, what it holds goes to the caller's output in one
 * call and the buffer is emptied, so memory stays at one transfer and an
 * output error is the output's own, with its message. A failed
 * xmlTextWriter call can only be out of memory. */

static int xml_failed(struct err *e)
{
	return ERR_SET(e, ERR_NOMEM, "out of memory writing a payout file");
}

/* Hand what the writer holds to the output. */
static int drain(struct payout_xml *x, struct err *e)
{
	int rc;

	if (xmlTextWriterFlush(x->w) < 0)
		return xml_failed(e);
	rc = x->write(x->ctx, xmlBufferContent(x->mem), (size_t)xmlBufferLength(x->mem), e);
	xmlBufferEmpty(x->mem);
	return rc;
}

static int start(struct payout_xml *x, const char *name, struct err *e)
{
	return xmlTextWriterStartElement(x->w, BAD_CAST name) < 0 ? xml_failed(e) : 0;
}

static int end(struct payout_xml *x, struct err *e)
{
	return xmlTextWriterEndElement(x->w) < 0 ? xml_failed(e) : 0;
}

/* <name>text</name>, the text escaped by the writer */
static int element(struct payout_xml *x, const char *name, const char *text, struct err *e)
{
	return xmlTextWriterWriteElement(x->w, BAD_CAST name, BAD_CAST text) < 0 ? xml_failed(e) : 0;
}

static int money_element(struct payout_xml *x, const char *name, int64_t v, struct err *e)
{
	char amount[MONEY_FMT_MAX];

	return element(x, name, money_format(amount, sizeof(amount), v), e);
}

/* A chain of elements each inside the one before, the last with text:
 * nested(x, "DbtrAgt/FinInstnId/BICFI", bic). */
static int nested(struct payout_xml *x, const char *path, const char *text, struct err *e)
{
	char name[32];
	const char *slash = strchr(path, '/');
	size_t n;
	int rc;

	if (slash == NULL)
		return element(x, path, text, e);
	n = (size_t)(slash - path);
	if (n >= sizeof(name))
		return ERR_SET(e, ERR_LIMIT, "element name too long");
	memcpy(name, path, n);
	name[n] = '\0';
	rc = start(x, name, e);
	if (rc == 0)
		rc = nested(x, slash + 1, text, e);
	if (rc == 0)
		rc = end(x, e);
	return rc;
}

/* A party with only a name: InitgPty, Dbtr, Cdtr. */
static int party(struct payout_xml *x, const char *element_name, const char *name, const char *fallback,
		 struct err *e)
{
	char nm[PAYOUT_NAME_SIZE];
	int rc = start(x, element_name, e);

	payout_name(nm, sizeof(nm), name, fallback);
	if (rc == 0)
		rc = element(x, "Nm", nm, e);
	if (rc == 0)
		rc = end(x, e);
	return rc;
}

/* NbOfTxs and CtrlSum (group header, payment information). */
static int counts(struct payout_xml *x, const struct payout_header *h, struct err *e)
{
	char n[24];
	int rc;

	snprintf(n, sizeof(n), "%lld", (long long)h->transfers);
	rc = element(x, "NbOfTxs", n, e);
	return rc == 0 ? money_element(x, "CtrlSum", h->control_sum, e) : rc;
}

static int group_header(struct payout_xml *x, const struct payout_header *h, struct err *e)
{
	char date[DATE_FMT_MAX];
	char created[DATE_FMT_MAX + 9];
	int rc;

	snprintf(created, sizeof(created), "%sT00:00:00", date_format(date, sizeof(date), h->as_of));
	rc = start(x, "GrpHdr", e);
	if (rc == 0)
		rc = element(x, "MsgId", h->msgid, e);
	if (rc == 0)
		rc = element(x, "CreDtTm", created, e);
	if (rc == 0)
		rc = counts(x, h, e);
	if (rc == 0)
		rc = party(x, "InitgPty", h->debtor_name, "?", e);
	if (rc == 0)
		rc = end(x, e);
	return rc;
}

/* PmtInf up to its first CdtTrfTxInf. */
static int payment_information(struct payout_xml *x, const struct payout_header *h, struct err *e)
{
	char date[DATE_FMT_MAX];
	int rc;

	rc = start(x, "PmtInf", e);
	if (rc == 0)
		rc = element(x, "PmtInfId", h->msgid, e);
	if (rc == 0)
		rc = element(x, "PmtMtd", "TRF", e);
	if (rc == 0)
		rc = element(x, "BtchBookg", "false", e);
	if (rc == 0)
		rc = counts(x, h, e);
	/* the SEPA service level exists for euro only */
	if (rc == 0 && strcmp(h->currency, "EUR") == 0)
		rc = nested(x, "PmtTpInf/SvcLvl/Cd", "SEPA", e);
	if (rc == 0)
		rc = nested(x, "ReqdExctnDt/Dt", date_format(date, sizeof(date), h->as_of), e);
	if (rc == 0)
		rc = party(x, "Dbtr", h->debtor_name, "?", e);
	if (rc == 0)
		rc = start(x, "DbtrAcct", e);
	if (rc == 0)
		rc = nested(x, "Id/IBAN", h->debtor_iban, e);
	if (rc == 0)
		rc = element(x, "Ccy", h->currency, e);
	if (rc == 0)
		rc = end(x, e);
	if (rc == 0)
		rc = nested(x, "DbtrAgt/FinInstnId/BICFI", h->debtor_bic, e);
	if (rc == 0)
		rc = element(x, "ChrgBr", "SLEV", e);
	return rc;
}

int payout_xml_open(struct payout_xml *x,
		    int (*write)(void *ctx, const void *data, size_t len, struct err *e), void *ctx,
		    const struct payout_header *h, struct err *e)
{
	int rc;

	memset(x, 0, sizeof(*x));
	x->write = write;
	x->ctx = ctx;
	x->currency = h->currency;
	x->mem = xmlBufferCreate();
	if (x->mem == NULL)
		return xml_failed(e);
	x->w = xmlNewTextWriterMemory(x->mem, 0);
	if (x->w == NULL)
		return xml_failed(e);
	if (xmlTextWriterSetIndent(x->w, 1) < 0 || xmlTextWriterSetIndentString(x->w, BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL) < 0)
		return xml_failed(e);
	rc = start(x, "Document", e);
	if (rc == 0 && xmlTextWriterWriteAttribute(x->w, BAD_CAST "xmlns", BAD_CAST PAYOUT_XML_NS) < 0)
		rc = xml_failed(e);
	if (rc == 0)
		rc = start(x, "CstmrCdtTrfInitn", e);
	if (rc == 0)
		rc = group_header(x, h, e);
	if (rc == 0)
		rc = payment_information(x, h, e);
	if (rc == 0)
		rc = drain(x, e);
	return rc;
}

int payout_xml_transfer(struct payout_xml *x, const struct payout_transfer *t, struct err *e)
{
	char amount[MONEY_FMT_MAX];
	char ustrd[64];
	int rc;

	if (t->amount <= 0 || t->amount > PAYOUT_AMOUNT_MAX)
		return ERR_SET(e, ERR_LIMIT,
			       "statement '%s': a pain.001 transfer carries 0.01 to 999999999.99, not %s",
			       t->statement_number, money_format(amount, sizeof(amount), t->amount));
	snprintf(ustrd, sizeof(ustrd), "Statement %s", t->statement_number);
	rc = start(x, "CdtTrfTxInf", e);
	if (rc == 0)
		rc = nested(x, "PmtId/EndToEndId", t->statement_number, e);
	if (rc == 0)
		rc = start(x, "Amt", e);
	if (rc == 0 && (xmlTextWriterStartElement(x->w, BAD_CAST "InstdAmt") < 0 ||
			xmlTextWriterWriteAttribute(x->w, BAD_CAST "Ccy", BAD_CAST x->currency) < 0 ||
			xmlTextWriterWriteString(x->w, BAD_CAST money_format(amount, sizeof(amount),
									     t->amount)) < 0 ||
			xmlTextWriterEndElement(x->w) < 0))
		rc = xml_failed(e);
	if (rc == 0)
		rc = end(x, e); /* Amt */
	if (rc == 0)
		rc = party(x, "Cdtr", t->creditor_name, t->statement_number, e);
	if (rc == 0)
		rc = nested(x, "CdtrAcct/Id/IBAN", t->creditor_iban, e);
	if (rc == 0)
		rc = nested(x, "RmtInf/Ustrd", ustrd, e);
	if (rc == 0)
		rc = end(x, e); /* CdtTrfTxInf */
	if (rc == 0)
		rc = drain(x, e);
	if (rc == 0) {
		x->transfers++;
		x->sum += t->amount;
	}
	return rc;
}

int payout_xml_end(struct payout_xml *x, struct err *e)
{
	/* PmtInf, CstmrCdtTrfInitn and Document, then the final line break */
	if (xmlTextWriterEndDocument(x->w) < 0)
		return xml_failed(e);
	return drain(x, e);
}

void payout_xml_close(struct payout_xml *x)
{
	if (x->w != NULL)
		xmlFreeTextWriter(x->w); /* not the xmlBuffer */
	if (x->mem != NULL)
		xmlBufferFree(x->mem);
	x->w = NULL;
	x->mem = NULL;
}
