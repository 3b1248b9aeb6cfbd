/* xml_decode.c: case and transaction files in XML (SPEC 5.4 and 6) and
 * bank files (SPEC 13, camt.053 and camt.054) with libxml2's SAX2 parser
 * pulling from the byte source: one safe parser, two walks.
 *
 * Two stages look at the bytes:
 *
 * - A small lexer (xml_lex.c) runs in the read callback, on every byte
 *   before libxml2 sees it. It refuses a document type declaration before a
 *   single byte of it reaches the parser, refuses overlong runs without
 *   markup, and notes the exact line of every start tag (libxml2 gives the
 *   line where a start tag ends, in an int) and where each record starts
 *   and ends.
 *
 * - The parser's events (element starts and ends, pieces of text) go to a
 *   walk one at a time; no tree is ever built. Every event first passes
 *   the checks here (nesting depth, text size, the line of each start tag
 *   from the lexer); then a root `Document` goes to the bank file walk
 *   (camt_decode.c), anything else to the case and transaction walk
 *   (xml_walk.c: elements below each record map to fields by their path,
 *   "debtor/address/city", "invoice/amount/@currency"; unknown, repeated
 *   and foreign elements flag BAD_RECORD).
 *
 * The walks see what libxml2's xmlTextReader showed them before (it was
 * replaced for speed: building and freeing a tree node for every element
 * and text was about half of the decode): white space that its tree
 * (XML_PARSE_NOBLANKS) left out is left out here by the same rule, a text
 * node's length counts all its pieces, attribute values are resolved as
 * its tree builder resolved them.
 *
 * This file wires them together: libxml2's allocator, error handlers and
 * entity loader, the read callback (source, then lexer), the SAX callbacks
 * with the checks of every event, and the outcome (the first cause that
 * went wrong; struct xml_state in xml_decode_int.h).
 *
 * Options: XML_PARSE_NONET and XML_PARSE_IGNORE_ENC with the encoding fixed
 * to UTF-8 (SPEC 2: text is UTF-8; a declared encoding cannot make the
 * parser see other characters than the lexer). Never NOENT, DTDLOAD,
 * DTDATTR or HUGE. Any error libxml2 reports refuses the file, even one
 * after which it goes on. The external entity loader refuses everything.
 */
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/parserInternals.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "decode.h"
#include "xml_decode_int.h"

#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_IGNORE_ENC)

/* Test hook: cap the bytes one read callback asks of the source (0: no
 * cap), to replay documents at every chunk size. Not for production use. */
void xml_decode_set_read_cap(size_t max_bytes);

static size_t read_cap;
static bool libxml_alloc_set;

void xml_decode_set_read_cap(size_t max_bytes)
{
	read_cap = max_bytes;
}

void xml_set_cause(struct xml_state *st, enum cause cause, int rc, enum reject_code refusal,
		   uint64_t line, const char *fmt, ...)
{
	va_list ap;

	if (st->cause != CAUSE_NONE)
		return;
	st->cause = cause;
	st->cause_rc = rc;
	st->refusal = refusal;
	st->cause_line = line;
	st->stop = true;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(st->message, sizeof(st->message), fmt, ap);
		va_end(ap);
	}
}

int xml_refuse(struct xml_state *st, enum reject_code code, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	if (st->cause != CAUSE_NONE)
		return ERR_REFUSED;
	xml_set_cause(st, CAUSE_WALK, ERR_REFUSED, code, line, NULL);
	st->cause_record = st->cur_record;
	va_start(ap, fmt);
	vsnprintf(st->message, sizeof(st->message), fmt, ap);
	va_end(ap);
	return ERR_REFUSED;
}

/* After on_kind or on_record: the allocations that failed inside it are
 * its own (it reports them), and its error stops the decode. */
static int after_callback(struct xml_state *st, long failures, int rc, uint64_t line)
{
	st->cb_failures += alloc_failures() - failures;
	if (rc != 0)
		xml_set_cause(st, CAUSE_CALLBACK, rc, RC__COUNT, line, NULL);
	return rc;
}

int xml_deliver(struct xml_state *st, struct record *r)
{
	long failures = alloc_failures();

	st->io->records++;
	if (st->io->on_record == NULL)
		return 0;
	return after_callback(st, failures, st->io->on_record(st->io->ctx, r, st->e), r->line);
}

int xml_tell_kind(struct xml_state *st, enum file_kind kind, uint64_t line)
{
	long failures = alloc_failures();

	if (st->io->on_kind == NULL)
		return 0;
	return after_callback(st, failures, st->io->on_kind(st->io->ctx, kind, st->e), line);
}

void xml_shown(char *dst, size_t dstsize, const char *s, size_t max)
{
	size_t i = 0;

	if (s == NULL)
		s = "";
	while (s[i] != '\0' && s[i] != '\n' && i < max && i + 1 < dstsize) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		i++;
	}
	while (i > 0 && dst[i - 1] == ' ')
		i--;
	dst[i] = '\0';
}

/* The record the parser is in now (it runs behind the lexer). */
static uint64_t parser_record(const struct xml_state *st)
{
	long off = st->ctxt != NULL ? xmlByteConsumed(st->ctxt) : -1;

	if (off < 0)
		return xml_lex_record(&st->lx);
	return xml_lex_record_at(&st->lx, (uint64_t)off);
}

uint64_t xml_parser_line(const struct xml_state *st)
{
	if (st->ctxt == NULL || st->ctxt->input == NULL || st->ctxt->input->line < 0)
		return 0;
	return (uint64_t)st->ctxt->input->line;
}

/* libxml2's read callback: the next bytes of the source, through the
 * lexer first (refused bytes never reach the parser). It fills what the
 * parser asks for (at most what the lexer's ring has room for): the parser
 * takes a short read for the end of what it can see ahead. */
static int read_source(void *ctx, char *buf, int len)
{
	struct xml_state *st = ctx;
	size_t want, got = 0, room;

	if (st->stop)
		return -1;
	if (len <= 0)
		return 0;
	want = (size_t)len;
	room = xml_lex_room(&st->lx);
	if (want > room)
		want = room;
	if (want == 0) {
		xml_set_cause(st, CAUSE_INTERNAL, ERR_LIMIT, RC__COUNT, st->lx.line,
			      "the xml parser fell more than %u start tags behind", XML_LEX_LINE_RING);
		return -1;
	}
	while (got < want && !st->eof) {
		size_t step = want - got, n = 0;
		int rc;

		if (read_cap > 0 && step > read_cap)
			step = read_cap;
		rc = source_read(st->io->src, buf + got, step, &n, st->e);
		if (rc != 0) {
			xml_set_cause(st, CAUSE_SOURCE, rc, RC__COUNT, st->lx.line, NULL);
			return -1;
		}
		if (n == 0) {
			st->eof = true;
			break;
		}
		if (xml_lex_feed(&st->lx, buf + got, n) != 0) {
			xml_set_cause(st, st->lx.failure == ERR_REFUSED ? CAUSE_LEXER : CAUSE_INTERNAL,
				      st->lx.failure, st->lx.refusal, st->lx.failure_line, "%s", st->lx.message);
			st->cause_record = st->lx.failure_record;
			return -1;
		}
		got += n;
	}
	return (int)got;
}

/* The parser over read_source, with the callbacks below: 0, or -1 when
 * an allocation failed. Made by hand: xmlCreateIOParserCtxt() leaks its
 * input buffer when an allocation fails after it (libxml2 2.9). */
static int parser_new(struct xml_state *st, const xmlSAXHandler *handler)
{
	xmlParserInputBufferPtr buf;
	xmlParserInputPtr input;

	st->ctxt = xmlNewParserCtxt();
	if (st->ctxt == NULL || st->ctxt->sax == NULL)
		return -1;
	memcpy(st->ctxt->sax, handler, sizeof(*handler));
	st->ctxt->userData = st;
	if (xmlCtxtUseOptions(st->ctxt, XML_OPTIONS) < 0)
		return -1;
	buf = xmlParserInputBufferCreateIO(read_source, NULL, st, XML_CHAR_ENCODING_NONE);
	if (buf == NULL)
		return -1;
	input = xmlNewIOInputStream(st->ctxt, buf, XML_CHAR_ENCODING_NONE);
	if (input == NULL) {
		xmlFreeParserInputBuffer(buf);
		return -1;
	}
	if (inputPush(st->ctxt, input) < 0) {
		xmlFreeInputStream(input);
		return -1;
	}
	/* UTF-8 whatever the declaration says (XML_PARSE_IGNORE_ENC) or the
	 * first bytes look like (an encoding named before the parse stops
	 * xmlParseDocument() from guessing one): no conversion, the parser
	 * reads the very bytes the lexer has seen. */
	if (xmlSwitchEncoding(st->ctxt, XML_CHAR_ENCODING_UTF8) != 0)
		return -1;
	st->ctxt->encoding = xmlStrdup(BAD_CAST "UTF-8");
	return st->ctxt->encoding != NULL ? 0 : -1;
}

/* Our own words for libxml2's errors: its messages quote names from the
 * document ("Entity 'X' not defined"), which may be anything, personal
 * data included. */
static const char *xml_error_text(int code)
{
	switch (code) {
	case XML_ERR_UNDECLARED_ENTITY:
	case XML_WAR_UNDECLARED_ENTITY: return "an undefined entity is used";
	case XML_ERR_TAG_NAME_MISMATCH: return "a start tag and its end tag do not match";
	case XML_ERR_TAG_NOT_FINISHED: return "an element is not closed";
	case XML_ERR_LT_IN_ATTRIBUTE:
	case XML_ERR_ATTRIBUTE_NOT_STARTED:
	case XML_ERR_ATTRIBUTE_NOT_FINISHED:
	case XML_ERR_ATTRIBUTE_WITHOUT_VALUE: return "an attribute is malformed";
	case XML_ERR_ATTRIBUTE_REDEFINED: return "an attribute is given twice";
	case XML_ERR_GT_REQUIRED: return "a tag is not closed with '>'";
	case XML_ERR_INVALID_CHAR:
	case XML_ERR_INVALID_CHARREF: return "a character is not allowed in xml";
	case XML_ERR_DOCUMENT_END: return "there is content after the root element";
	case XML_ERR_DOCUMENT_EMPTY: return "the document is empty";
	case XML_NS_ERR_UNDEFINED_NAMESPACE: return "an undefined namespace prefix is used";
	case XML_ERR_COMMENT_NOT_FINISHED: return "a comment is not closed";
	case XML_ERR_NAME_REQUIRED: return "a name is missing where the syntax needs one";
	default: return NULL;
	}
}

static void on_xml_error(void *ctx, xmlErrorPtr err)
{
	struct xml_state *st = ctx;
	const char *text;
	char generic[64];

	if (err == NULL || err->level < XML_ERR_ERROR || st->cause != CAUSE_NONE)
		return;
	text = xml_error_text(err->code);
	if (text == NULL) {
		snprintf(generic, sizeof(generic), "parser error %d", err->code);
		text = generic;
	}
	/* "proper UTF-8" is looked for below to say so in plain words */
	if (err->code == XML_ERR_INVALID_CHAR && err->message != NULL && strstr(err->message, "proper UTF-8") != NULL)
		text = "not proper UTF-8";
	xml_set_cause(st, CAUSE_PARSER, ERR_REFUSED, RC_FILE_MALFORMED, err->line > 0 ? (uint64_t)err->line : 0,
		      "the xml file is not well formed: %s", text);
	st->xml_code = err->code;
	st->cause_record = parser_record(st);
}

static void on_xml_generic_error(void *ctx, const char *msg, ...) __attribute__((format(printf, 2, 3)));

/* Errors without a parser context go here; they are counted as errors. */
static void on_xml_generic_error(void *ctx, const char *msg, ...)
{
	struct xml_state *st = ctx;

	(void)msg;
	xml_set_cause(st, CAUSE_PARSER, ERR_REFUSED, RC_FILE_MALFORMED, 0,
		      "the xml file is not well formed: parser error");
}

/* The walk of the file: a root `Document` is a bank file's (ISO 20022's
 * root; the lexer agrees, xml_lex.h). */
static void walk(struct xml_state *st, const struct xml_node *n)
{
	int rc = st->camt != NULL ? camt_walk_visit(st, n) : xml_walk_visit(st, n);

	/* every failure of a walk has set its cause; should one not have */
	if (rc != 0 && st->cause == CAUSE_NONE)
		xml_set_cause(st, CAUSE_INTERNAL, rc, RC__COUNT, xml_parser_line(st), "the xml walk failed");
}

void xml_attr(struct xml_state *st, const struct xml_node *n, int i, struct xml_attr *a)
{
	const xmlChar **q = n->attrs + 5 * i;

	a->name = (const char *)q[0];
	a->ns = (const char *)q[2];
	a->value = (const char *)q[3];
	a->len = (size_t)(q[4] - q[3]);
	/* Without entity substitution libxml2 hands "&amp;" over as "&#38;"
	 * and leaves it to the tree builder to resolve (xmlSAX2AttributeNs):
	 * resolve it here the same way. */
	if (memchr(a->value, '&', a->len) == NULL)
		return;
	xmlFree(st->attr_dup);
	st->attr_dup = xmlStringLenDecodeEntities(st->ctxt, q[3], (int)a->len, XML_SUBSTITUTE_REF, 0, 0, 0);
	a->value = st->attr_dup != NULL ? (const char *)st->attr_dup : "";
	a->len = strlen(a->value);
}

/* A child node (not an element's text) of the open element. */
static void child_node(struct xml_state *st)
{
	if (st->open > 0) {
		st->levels[st->open - 1].kids = true;
		st->levels[st->open - 1].last_text = false;
	}
	st->run_type = 0;
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
		     int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
		     const xmlChar **attributes)
{
	struct xml_state *st = ctx;
	struct xml_node n = { XN_ELEMENT, st->open, 0, (const char *)localname, (const char *)uri,
			      nb_attributes, attributes, NULL, 0 };
	int rc;

	(void)prefix;
	(void)nb_namespaces;
	(void)namespaces;
	(void)nb_defaulted;
	if (st->cause != CAUSE_NONE)
		return;
	if (!xml_lex_pop_line(&st->lx, &n.line))
		n.line = xml_parser_line(st);
	if (n.depth > XML_MAX_DEPTH) {
		xml_refuse(st, RC_FILE_MALFORMED, n.line, "the xml elements are nested more than %d levels below the root",
			   XML_MAX_DEPTH);
		return;
	}
	child_node(st);
	st->levels[st->open] = (struct xml_level){ false, false, false };
	st->open++;
	if (n.depth == 0 && !st->root_seen && st->camt == NULL && strcmp(n.name, "Document") == 0 &&
	    (rc = camt_walk_begin(st)) != 0)
		return;
	walk(st, &n);
}

static void on_end_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	struct xml_state *st = ctx;
	struct xml_node n = { XN_END, 0, 0, (const char *)localname, (const char *)uri, 0, NULL, NULL, 0 };

	(void)prefix;
	if (st->cause != CAUSE_NONE || st->open == 0)
		return;
	st->open--;
	st->run_type = 0;
	n.depth = st->open;
	walk(st, &n);
}

/* White space libxml2 (XML_PARSE_NOBLANKS) would have left out of its tree:
 * its heuristic (areBlanks() in parser.c) for blanks the character data
 * parser found in the input, on the element's children so far. */
static bool ignorable(const struct xml_state *st, const xmlChar *ch, size_t len)
{
	const xmlParserCtxtPtr c = st->ctxt;
	const struct xml_level *lv = &st->levels[st->open - 1];
	const xmlChar *raw;

	/* the cheap tests first: most text is a value, followed by its end tag */
	if (c->input == NULL || ch < c->input->base || ch >= c->input->end)
		return false; /* a character reference: always kept */
	raw = c->input->cur;
	if (raw[0] != '<' && raw[0] != 0xD)
		return false;
	if (!lv->kids ? raw[0] == '<' && raw[1] == '/' : lv->last_text || lv->first_text)
		return false;
	if (c->space == NULL || *c->space == 1 || *c->space == -2)
		return false; /* xml:space="preserve" */
	for (size_t i = 0; i < len; i++)
		if (ch[i] != ' ' && ch[i] != '\t' && ch[i] != '\n' && ch[i] != '\r')
			return false;
	return true;
}

/* A piece of text or CDATA (type 1 or 2) of the open element. */
static void text_piece(struct xml_state *st, const xmlChar *ch, int len, int type)
{
	struct xml_level *lv;
	struct xml_node n = { XN_TEXT, st->open, 0, NULL, NULL, 0, NULL, (const char *)ch, (size_t)len };

	if (st->cause != CAUSE_NONE || st->open == 0 || len <= 0)
		return;
	if (type == 1 && ignorable(st, ch, (size_t)len))
		return;
	lv = &st->levels[st->open - 1];
	if (st->run_type != type) {
		st->run_type = type;
		st->run_len = 0;
		if (!lv->kids)
			lv->first_text = type == 1;
	}
	lv->kids = true;
	lv->last_text = type == 1;
	st->run_len += (size_t)len;
	if (st->run_len > XML_MAX_TEXT_BYTES) {
		xml_refuse(st, RC_FILE_MALFORMED, xml_parser_line(st), "the xml file has a text longer than %u bytes",
			   XML_MAX_TEXT_BYTES);
		return;
	}
	walk(st, &n);
}

static void on_characters(void *ctx, const xmlChar *ch, int len)
{
	text_piece(ctx, ch, len, 1);
}

static void on_cdata(void *ctx, const xmlChar *ch, int len)
{
	text_piece(ctx, ch, len, 2);
}

/* Comments and processing instructions: children that end a text node. */
static void on_comment(void *ctx, const xmlChar *value)
{
	(void)value;
	child_node(ctx);
}

static void on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
	(void)target;
	(void)data;
	child_node(ctx);
}

/* Never called: the lexer refuses a DOCTYPE before the parser sees it, and
 * without one no entity but the predefined ones exists. Refuse anyway. */
static void on_subset(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
	struct xml_state *st = ctx;

	(void)name;
	(void)external_id;
	(void)system_id;
	xml_refuse(st, RC_FILE_DTD, xml_parser_line(st),
		   "the xml file has a document type declaration (DOCTYPE), which is not allowed");
}

static void on_reference(void *ctx, const xmlChar *name)
{
	struct xml_state *st = ctx;

	(void)name;
	xml_refuse(st, RC_FILE_MALFORMED, xml_parser_line(st), "the xml file refers to an entity that is not predefined");
}

static xmlParserInputPtr refuse_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

/* The parser's callbacks: no tree is built; every event goes to a walk. */
static xmlSAXHandler sax = {
	.initialized = XML_SAX2_MAGIC,
	.startElementNs = on_start,
	.endElementNs = on_end_element,
	.characters = on_characters,
	.ignorableWhitespace = on_characters,
	.cdataBlock = on_cdata,
	.comment = on_comment,
	.processingInstruction = on_pi,
	.internalSubset = on_subset,
	.externalSubset = on_subset,
	.reference = on_reference,
	.serror = on_xml_error,
};

int xml_decode(struct decode_io *io, struct err *e)
{
	struct xml_state *st = NULL;
	xmlStructuredErrorFunc old_serror;
	xmlGenericErrorFunc old_gerror;
	void *old_sctx, *old_gctx;
	bool empty;
	int rc = 0;
	long failures;

	io->records = 0;
	io->lines = 0;
	io->refusal = RC__COUNT;
	io->refusal_line = 0;
	io->refusal_record = 0;
	io->decimal_comma = false;
	/* libxml2 allocates through the engine's wrapper, so that a failure
	 * inside it is known for one (see "outcome"). Set once, before the
	 * first parser; the wrapper passes through to the C library, so a
	 * block libxml2 allocated before (for another user) frees the same. */
	if (!libxml_alloc_set) {
		if (xmlMemSetup(alloc_free, alloc_malloc, alloc_realloc, alloc_strdup) != 0)
			return ERR_SET(e, ERR_NOMEM, "cannot set the xml parser's allocator");
		libxml_alloc_set = true;
	}
	failures = alloc_failures();
	st = alloc_calloc(1, sizeof(*st));
	if (st == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	st->rec = alloc_malloc(sizeof(*st->rec));
	if (st->rec == NULL) {
		alloc_free(st);
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	}
	st->io = io;
	st->e = e;
	xml_lex_init(&st->lx);
	st->skip_depth = -1;
	st->field_hint = -1;

	xmlInitParser();
	/* Process-wide and left installed: nothing here may load an entity. */
	xmlSetExternalEntityLoader(refuse_entity);
	old_serror = xmlStructuredError;
	old_sctx = xmlStructuredErrorContext;
	old_gerror = xmlGenericError;
	old_gctx = xmlGenericErrorContext;
	xmlSetStructuredErrorFunc(st, on_xml_error);
	xmlSetGenericErrorFunc(st, on_xml_generic_error);

	if (parser_new(st, &sax) != 0) {
		xml_set_cause(st, CAUSE_INTERNAL, ERR_NOMEM, RC__COUNT, 0, "cannot start the xml parser");
		goto outcome;
	}
	/* The whole document in one call, pulling bytes through read_source;
	 * the first thing that goes wrong stops the reads and every callback. */
	xmlParseDocument(st->ctxt);
	if (st->ctxt != NULL && !st->ctxt->wellFormed && st->cause == CAUSE_NONE) {
		xml_set_cause(st, CAUSE_PARSER, ERR_REFUSED, RC_FILE_MALFORMED, xml_parser_line(st),
			      "the xml file is not well formed");
		st->cause_record = parser_record(st);
	}

outcome:
	/* libxml2 2.9 does not always say that an allocation failed: when its
	 * dictionary cannot store the URI of a prefixed namespace declaration
	 * it reports "xmlns:xi: Empty XML namespace is not allowed" (error
	 * 200), which would refuse a good file as FILE_MALFORMED; other paths
	 * may not say it either. So any allocation that failed during the
	 * decode, in libxml2 or in this decoder (the callbacks and the source
	 * report their own), makes the outcome "out of memory": the file is
	 * not to blame, and what was decoded cannot be trusted. */
	if (st->cause != CAUSE_CALLBACK && st->cause != CAUSE_SOURCE &&
	    alloc_failures() - failures - st->cb_failures > 0) {
		st->cause = CAUSE_PARSER;
		st->xml_code = XML_ERR_NO_MEMORY;
	}
	/* Empty: the whole input was read and held no markup but comments,
	 * processing instructions and white space. */
	empty = st->eof && xml_lex_empty(&st->lx);
	if (st->cause == CAUSE_NONE && !st->root_seen)
		xml_set_cause(st, CAUSE_PARSER, ERR_REFUSED, empty ? RC_FILE_EMPTY : RC_FILE_MALFORMED, st->lx.line,
			      "the xml file has no root element");
	else if (st->cause == CAUSE_NONE && !st->root_done)
		xml_set_cause(st, CAUSE_PARSER, ERR_REFUSED, RC_FILE_MALFORMED, st->lx.line,
			      "the xml file ends before its root element is closed");
	if (st->cause == CAUSE_PARSER && st->xml_code != XML_ERR_NO_MEMORY) {
		/* libxml2's words for these are misleading ("document is
		 * empty", "extra content at the end of the document"). */
		if (!st->lx.start_seen && st->lx.junk)
			snprintf(st->message, sizeof(st->message),
				 "the file is not xml: it has text before its first element");
		else if (st->lx.junk)
			snprintf(st->message, sizeof(st->message), "the xml file has text before its root element");
		else if (st->eof && st->lx.depth > 0 && st->cause_line + 1 >= st->lx.line) {
			snprintf(st->message, sizeof(st->message),
				 "the xml file ends before its root element is closed (cut short?)");
			/* the line the file ends on (the parser may count the
			 * line feed at the end as the start of one more) */
			if (st->cause_line > xml_lex_last_line(&st->lx))
				st->cause_line = xml_lex_last_line(&st->lx);
		}
		else if (st->xml_code == XML_ERR_INVALID_CHAR && strstr(st->message, "proper UTF-8") != NULL)
			snprintf(st->message, sizeof(st->message), "the xml file is not valid UTF-8");
	}
	switch (st->cause) {
	case CAUSE_NONE:
		rc = 0;
		break;
	case CAUSE_CALLBACK:
		rc = st->cause_rc; /* the callback set e */
		break;
	case CAUSE_SOURCE:
		rc = st->cause_rc; /* the source set e */
		if (rc == ERR_REFUSED) {
			io->refusal = source_refusal(io->src);
			io->refusal_line = st->lx.line;
			io->refusal_record = xml_lex_record(&st->lx);
		}
		break;
	case CAUSE_INTERNAL:
		rc = ERR_SET(e, st->cause_rc, "%s", st->message);
		break;
	case CAUSE_PARSER:
		if (st->xml_code == XML_ERR_NO_MEMORY) {
			rc = ERR_SET(e, ERR_NOMEM, "out of memory while parsing xml");
			break;
		}
		if (!st->root_seen && empty) {
			st->refusal = RC_FILE_EMPTY;
			snprintf(st->message, sizeof(st->message), "the xml file has no root element");
		}
		/* fall through */
	case CAUSE_LEXER:
	case CAUSE_WALK:
		io->refusal = st->refusal;
		io->refusal_line = st->cause_line;
		io->refusal_record = st->cause_record;
		rc = ERR_SET(e, ERR_REFUSED, "%s", st->message);
		break;
	}
	io->lines = st->lx.line;
	if (st->ctxt != NULL)
		xmlFreeParserCtxt(st->ctxt);
	xmlFree(st->attr_dup);
	camt_walk_free(st);
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	xmlSetGenericErrorFunc(old_gctx, old_gerror);
	alloc_free(st->rec);
	alloc_free(st);
	return rc;
}
