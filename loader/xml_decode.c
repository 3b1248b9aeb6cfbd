/* xml_decode.c: case and transaction files in XML (SPEC 5.4 and 6) with
 * libxml2's streaming reader (xmlTextReader) over the byte source.
 *
 * Two stages look at the bytes:
 *
 * - A small lexer (xml_lex.c) runs in the read callback, on every byte
 *   before libxml2 sees it. It refuses a document type declaration before a
 *   single byte of it reaches the parser, refuses overlong runs without
 *   markup, and notes the exact line of every start tag (libxml2's lines
 *   are unsigned short and run ahead of the reader) and where each record
 *   starts and ends.
 *
 * - The reader walks the nodes one at a time and frees them behind it (no
 *   tree is ever built), maps elements below each record to fields by their
 *   path ("debtor/address/city", "invoice/amount/@currency") and flags
 *   unknown, repeated and foreign elements as BAD_RECORD.
 *
 * Options: XML_PARSE_NONET and XML_PARSE_IGNORE_ENC with the encoding fixed
 * to UTF-8 (SPEC 2: text is UTF-8; a declared encoding cannot make the
 * parser see other characters than the lexer). Never NOENT, DTDLOAD,
 * DTDATTR or HUGE. Any error libxml2 reports refuses the file, even when
 * xmlTextReaderRead() still returns 1. The external entity loader refuses
 * everything.
 */
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "decode.h"
#include "xml_lex.h"

#define NS_CASES "urn:inkasso:case-file:1"
#define NS_TRANSACTIONS "urn:inkasso:transaction-file:1"

#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_IGNORE_ENC | XML_PARSE_NOBLANKS)
/* Longest element path below a record that can be a field or container. */
#define PATH_BYTES 256u
#define MAX_CONTAINERS 16u
/* Bytes of an element or attribute name shown in a message. */
#define NAME_SHOWN 48

enum cause {
	CAUSE_NONE,
	CAUSE_SOURCE,   /* source_read failed: its code and message stand */
	CAUSE_LEXER,    /* the lexer refused the bytes */
	CAUSE_PARSER,   /* libxml2 reported an error */
	CAUSE_WALK,     /* the node walk refused the file */
	CAUSE_CALLBACK, /* on_kind or on_record failed: its code and message stand */
	CAUSE_INTERNAL, /* ring overflow: cannot happen */
};

enum frame_role { FR_ROOT, FR_RECORD, FR_CONTAINER, FR_LEAF };

struct frame {
	enum frame_role role;
	int field;       /* FR_LEAF: the field */
	size_t path_len; /* path bytes up to the end of this element's name */
	size_t name_off; /* where this element's name starts in path */
};

struct container {
	const char *path; /* into the static field table */
	size_t len;
};

struct xml_state {
	struct decode_io *io;
	struct err *e;
	struct record *rec;
	xmlTextReaderPtr reader;

	/* The kind, from the root element. */
	const char *ns;
	const char *root_name;
	const char *record_name;
	struct container containers[MAX_CONTAINERS];
	size_t ncontainers;
	enum file_kind kind;

	/* The walk. */
	const char *ns_seen; /* a namespace name (libxml2's pointer) found equal to ns */
	int field_hint; /* the last field found: its successor is tried first */
	int skip_depth; /* -1, or the depth of an element whose subtree is ignored */
	uint64_t ordinal;
	uint64_t seen_fields;
	struct frame frames[XML_MAX_DEPTH + 1];
	char path[PATH_BYTES];
	uint32_t seen_containers;
	bool root_seen;
	bool root_done;
	bool in_record;

	/* Allocations that failed inside on_kind and on_record: those
	 * callbacks report their own failures. */
	long cb_failures;

	/* The first thing that went wrong decides the outcome. */
	bool stop; /* the read callback hands out no more bytes */
	uint64_t cause_line;
	uint64_t cause_record;
	enum cause cause;
	int cause_rc;
	enum reject_code refusal;
	int xml_code; /* CAUSE_PARSER: libxml2's error code */
	char message[ERR_MESSAGE_MAX];

	/* The lexer, and whether the source said end of input. */
	struct xml_lex lx;
	bool eof;
};

/* Test hook: cap the bytes one read callback asks of the source (0: no
 * cap), to replay documents at every chunk size. Not for production use. */
void xml_decode_set_read_cap(size_t max_bytes);

static size_t read_cap;
static bool libxml_alloc_set;

void xml_decode_set_read_cap(size_t max_bytes)
{
	read_cap = max_bytes;
}

/* Copy a name or libxml2 message for a message: ASCII only (anything else
 * becomes '?'), no control characters, at most max bytes, first line only. */
static void shown(char *dst, size_t dstsize, const char *s, size_t max)
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

static void set_cause(struct xml_state *st, enum cause cause, int rc, enum reject_code refusal,
		      uint64_t line, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void set_cause(struct xml_state *st, enum cause cause, int rc, enum reject_code refusal,
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

/* A file-level refusal decided by the walk, which knows the record. */
static int walk_refuse(struct xml_state *st, enum reject_code code, uint64_t line, const char *fmt,
		       ...) __attribute__((format(printf, 4, 5)));

static int walk_refuse(struct xml_state *st, enum reject_code code, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	if (st->cause != CAUSE_NONE)
		return ERR_REFUSED;
	set_cause(st, CAUSE_WALK, ERR_REFUSED, code, line, NULL);
	st->cause_record = st->in_record ? st->ordinal : 0;
	va_start(ap, fmt);
	vsnprintf(st->message, sizeof(st->message), fmt, ap);
	va_end(ap);
	return ERR_REFUSED;
}

/* A record-level problem (BAD_RECORD); the first one is kept. */
static void bad_record(struct xml_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad_record(struct xml_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->rec->bad_record)
		return;
	st->rec->bad_record = true;
	va_start(ap, fmt);
	vsnprintf(st->rec->problem, sizeof(st->rec->problem), fmt, ap);
	va_end(ap);
}

/* The record the parser is in now (it runs behind the lexer). */
static uint64_t parser_record(const struct xml_state *st)
{
	long off = st->reader != NULL ? xmlTextReaderByteConsumed(st->reader) : -1;

	if (off < 0)
		return xml_lex_record(&st->lx);
	return xml_lex_record_at(&st->lx, (uint64_t)off);
}

/* libxml2's read callback: bytes from the source, through the lexer. */
static int read_source(void *ctx, char *buf, int len)
{
	struct xml_state *st = ctx;
	size_t want, got = 0, room;
	int rc;

	if (st->stop)
		return -1;
	if (len <= 0)
		return 0;
	want = (size_t)len;
	if (read_cap > 0 && want > read_cap)
		want = read_cap;
	room = xml_lex_room(&st->lx);
	if (want > room)
		want = room;
	if (want == 0) {
		set_cause(st, CAUSE_INTERNAL, ERR_LIMIT, RC__COUNT, st->lx.line,
			  "the xml reader fell more than %u start tags behind", XML_LEX_LINE_RING);
		return -1;
	}
	rc = source_read(st->io->src, buf, want, &got, st->e);
	if (rc != 0) {
		set_cause(st, CAUSE_SOURCE, rc, RC__COUNT, st->lx.line, NULL);
		return -1;
	}
	if (got == 0) {
		st->eof = true;
		return 0;
	}
	if (xml_lex_feed(&st->lx, buf, got) != 0) {
		set_cause(st, st->lx.failure == ERR_REFUSED ? CAUSE_LEXER : CAUSE_INTERNAL, st->lx.failure,
			  st->lx.refusal, st->lx.failure_line, "%s", st->lx.message);
		st->cause_record = st->lx.failure_record;
		return -1;
	}
	return (int)got;
}

/* ---- libxml2 hooks ---------------------------------------------------- */

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
	set_cause(st, CAUSE_PARSER, ERR_REFUSED, RC_FILE_MALFORMED, err->line > 0 ? (uint64_t)err->line : 0,
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
	set_cause(st, CAUSE_PARSER, ERR_REFUSED, RC_FILE_MALFORMED, 0,
		  "the xml file is not well formed: parser error");
}

static xmlParserInputPtr refuse_entity(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

/* ---- The walk --------------------------------------------------------- */

static bool is_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* Containers are the element paths that have element paths below them. */
static void find_containers(struct xml_state *st)
{
	size_t n;
	const struct field_def *defs = record_fields(st->kind, &n);

	st->ncontainers = 0;
	for (size_t f = 0; f < n; f++) {
		const char *p = defs[f].xml_path;

		if (p == NULL)
			continue;
		for (size_t i = 0; p[i] != '\0'; i++) {
			bool known = false;

			if (p[i] != '/' || p[i + 1] == '@')
				continue;
			for (size_t c = 0; c < st->ncontainers; c++)
				if (st->containers[c].len == i && memcmp(st->containers[c].path, p, i) == 0)
					known = true;
			if (known)
				continue;
			if (st->ncontainers == MAX_CONTAINERS)
				return;
			st->containers[st->ncontainers].path = p;
			st->containers[st->ncontainers].len = i;
			st->ncontainers++;
		}
	}
}

static int container_index(const struct xml_state *st, const char *path, size_t len)
{
	for (size_t c = 0; c < st->ncontainers; c++)
		if (st->containers[c].len == len && memcmp(st->containers[c].path, path, len) == 0)
			return (int)c;
	return -1;
}

static int on_root(struct xml_state *st, xmlTextReaderPtr rd, uint64_t line)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(rd);
	const char *ns = (const char *)xmlTextReaderConstNamespaceUri(rd);
	enum file_kind kind;
	char nm[NAME_SHOWN + 1];
	int rc;

	shown(nm, sizeof(nm), name, NAME_SHOWN);
	if (name != NULL && strcmp(name, "caseFile") == 0) {
		kind = KIND_CASES;
		st->ns = NS_CASES;
		st->root_name = "caseFile";
		st->record_name = "case";
	} else if (name != NULL && strcmp(name, "transactionFile") == 0) {
		kind = KIND_TRANSACTIONS;
		st->ns = NS_TRANSACTIONS;
		st->root_name = "transactionFile";
		st->record_name = "transaction";
	} else {
		return walk_refuse(st, RC_FILE_MALFORMED, line,
				   "unknown xml root element '%s': expected 'caseFile' or 'transactionFile'", nm);
	}
	if (ns == NULL || strcmp(ns, st->ns) != 0)
		return walk_refuse(st, RC_FILE_MALFORMED, line,
				   "the xml root element '%s' is not in the namespace '%s'", nm, st->ns);
	if (st->io->forced_kind != KIND_UNKNOWN && st->io->forced_kind != kind)
		return walk_refuse(st, RC_FILE_MALFORMED, line,
				   "the xml root element '%s' holds %s, not %s", nm, file_kind_name(kind),
				   file_kind_name(st->io->forced_kind));
	st->kind = kind;
	st->root_seen = true;
	st->frames[0].role = FR_ROOT;
	find_containers(st);
	if (st->io->on_kind != NULL) {
		long failures = alloc_failures();

		rc = st->io->on_kind(st->io->ctx, kind, st->e);
		st->cb_failures += alloc_failures() - failures;
		if (rc != 0) {
			set_cause(st, CAUSE_CALLBACK, rc, RC__COUNT, line, NULL);
			return rc;
		}
	}
	return 0;
}

/* The attributes of an element at path[0..path_len) ("" for the record). */
static void on_attributes(struct xml_state *st, xmlTextReaderPtr rd, size_t path_len, const char *elem)
{
	if (xmlTextReaderHasAttributes(rd) != 1)
		return;
	while (xmlTextReaderMoveToNextAttribute(rd) == 1) {
		const char *name, *value;
		size_t nlen, at = path_len;
		int f = -1;

		if (xmlTextReaderIsNamespaceDecl(rd) == 1)
			continue;
		/* xml:lang, xsi:schemaLocation and other qualified attributes
		 * are not data: ignore them. */
		if (xmlTextReaderConstNamespaceUri(rd) != NULL)
			continue;
		name = (const char *)xmlTextReaderConstLocalName(rd);
		value = (const char *)xmlTextReaderConstValue(rd);
		if (name == NULL)
			continue;
		nlen = strlen(name);
		if (at + 2 + nlen < PATH_BYTES) {
			if (at > 0)
				st->path[at++] = '/';
			st->path[at++] = '@';
			memcpy(st->path + at, name, nlen + 1);
			f = record_field_by_xml_path(st->kind, st->path);
		}
		if (f < 0 || f >= RECORD_MAX_FIELDS) {
			char nm[NAME_SHOWN + 1];

			shown(nm, sizeof(nm), name, NAME_SHOWN);
			bad_record(st, "unknown attribute '%s' on '%s' in %s", nm, elem, st->record_name);
			continue;
		}
		st->seen_fields |= (uint64_t)1 << f;
		record_set_field(st->rec, f, value != NULL ? value : "", value != NULL ? strlen(value) : 0);
	}
	xmlTextReaderMoveToElement(rd);
}

static int deliver(struct xml_state *st)
{
	int rc;

	st->in_record = false;
	st->io->records++;
	if (st->io->on_record != NULL) {
		long failures = alloc_failures();

		rc = st->io->on_record(st->io->ctx, st->rec, st->e);
		st->cb_failures += alloc_failures() - failures;
		if (rc != 0) {
			set_cause(st, CAUSE_CALLBACK, rc, RC__COUNT, st->rec->line, NULL);
			return rc;
		}
	}
	return 0;
}

static int on_record_start(struct xml_state *st, xmlTextReaderPtr rd, uint64_t line, bool empty)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(rd);
	const char *ns = (const char *)xmlTextReaderConstNamespaceUri(rd);
	char nm[NAME_SHOWN + 1];

	shown(nm, sizeof(nm), name, NAME_SHOWN);
	if (name == NULL || strcmp(name, st->record_name) != 0)
		return walk_refuse(st, RC_FILE_MALFORMED, line, "unexpected element '%s' in '%s': expected '%s'", nm,
				   st->root_name, st->record_name);
	if (ns == NULL || strcmp(ns, st->ns) != 0)
		return walk_refuse(st, RC_FILE_MALFORMED, line, "the element '%s' in '%s' is not in the namespace '%s'",
				   nm, st->root_name, st->ns);
	st->ordinal++;
	record_reset(st->rec, st->kind);
	st->rec->ordinal = st->ordinal;
	st->rec->line = line;
	st->in_record = true;
	st->seen_fields = 0;
	st->seen_containers = 0;
	st->skip_depth = -1;
	st->frames[1] = (struct frame){ FR_RECORD, -1, 0, 0 };
	on_attributes(st, rd, 0, st->record_name);
	return empty ? deliver(st) : 0;
}

/* An element below a record, at depth >= 2. */
static void on_field_start(struct xml_state *st, xmlTextReaderPtr rd, int depth, bool empty)
{
	const struct frame *parent = &st->frames[depth - 1];
	struct frame *fr = &st->frames[depth];
	const char *name = (const char *)xmlTextReaderConstLocalName(rd);
	const char *ns = (const char *)xmlTextReaderConstNamespaceUri(rd);
	char nm[NAME_SHOWN + 1] = "";
	size_t at = parent->path_len, nlen;
	int f = -1, c = -1;

	if (name == NULL)
		name = "";
	nlen = strlen(name);
	/* libxml2 interns namespace names: the same pointer, the same name */
	if (ns == NULL || (ns != st->ns_seen && strcmp(ns, st->ns) != 0)) {
		shown(nm, sizeof(nm), name, NAME_SHOWN);
		bad_record(st, "element '%s' in %s is in a foreign namespace", nm, st->record_name);
		goto skip;
	}
	st->ns_seen = ns;
	if (parent->role == FR_LEAF || at + 1 + nlen >= PATH_BYTES) {
		shown(nm, sizeof(nm), name, NAME_SHOWN);
		bad_record(st, "unknown element '%s' in %s", nm, st->record_name);
		goto skip;
	}
	if (at > 0)
		st->path[at++] = '/';
	fr->name_off = at;
	memcpy(st->path + at, name, nlen + 1);
	fr->path_len = at + nlen;
	/* containers first: a handful, compared by length first; a field
	 * lookup would try every field before giving up on one */
	c = container_index(st, st->path, fr->path_len);
	if (c < 0)
		f = record_field_by_xml_path_from(st->kind, st->path, &st->field_hint);
	if (f >= RECORD_MAX_FIELDS)
		f = -1;
	if (f < 0 && c < 0) {
		shown(nm, sizeof(nm), name, NAME_SHOWN);
		bad_record(st, "unknown element '%s' in %s", nm, st->record_name);
		goto skip;
	}
	if (f >= 0 ? (st->seen_fields & ((uint64_t)1 << f)) != 0 : (st->seen_containers & (1u << c)) != 0) {
		if (f >= 0)
			st->rec->f[f].flags |= FIELD_REPEATED;
		shown(nm, sizeof(nm), name, NAME_SHOWN);
		bad_record(st, "repeated element '%s' in %s", nm, st->record_name);
		goto skip;
	}
	if (f >= 0) {
		st->seen_fields |= (uint64_t)1 << f;
		fr->role = FR_LEAF;
		fr->field = f;
		/* Present, and empty until text arrives. */
		record_set_field(st->rec, f, "", 0);
	} else {
		st->seen_containers |= 1u << c;
		fr->role = FR_CONTAINER;
		fr->field = -1;
	}
	if (xmlTextReaderHasAttributes(rd) == 1) {
		shown(nm, sizeof(nm), name, NAME_SHOWN);
		on_attributes(st, rd, fr->path_len, nm);
	}
	return;
skip:
	if (!empty)
		st->skip_depth = depth;
}

/* Text, CDATA or white space whose parent is at depth - 1. */
static int on_text(struct xml_state *st, xmlTextReaderPtr rd, int depth, int type)
{
	const char *value = (const char *)xmlTextReaderConstValue(rd);
	size_t len = value != NULL ? strlen(value) : 0;
	const struct frame *owner;
	bool blank;

	if (len > XML_MAX_TEXT_BYTES)
		return walk_refuse(st, RC_FILE_MALFORMED, (uint64_t)xmlTextReaderGetParserLineNumber(rd),
				   "the xml file has a text longer than %u bytes", XML_MAX_TEXT_BYTES);
	if (value == NULL || depth < 1 || (st->skip_depth >= 0 && depth > st->skip_depth))
		return 0;
	blank = type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
		is_blank(value);
	owner = &st->frames[depth - 1];
	switch (owner->role) {
	case FR_ROOT:
		if (!blank)
			return walk_refuse(st, RC_FILE_MALFORMED, (uint64_t)xmlTextReaderGetParserLineNumber(rd),
					   "the xml file has text directly inside '%s'", st->root_name);
		break;
	case FR_RECORD:
		if (!blank)
			bad_record(st, "text directly inside %s", st->record_name);
		break;
	case FR_CONTAINER:
		if (!blank) {
			char nm[NAME_SHOWN + 1];

			shown(nm, sizeof(nm), st->path + owner->name_off, owner->path_len - owner->name_off);
			bad_record(st, "text directly inside element '%s' in %s", nm, st->record_name);
		}
		break;
	case FR_LEAF:
		record_append_field(st->rec, owner->field, value, len);
		break;
	}
	return 0;
}

static int on_element(struct xml_state *st, xmlTextReaderPtr rd, int depth)
{
	uint64_t line;
	bool empty = xmlTextReaderIsEmptyElement(rd) == 1;

	if (!xml_lex_pop_line(&st->lx, &line))
		line = (uint64_t)xmlTextReaderGetParserLineNumber(rd);
	if (depth > XML_MAX_DEPTH)
		return walk_refuse(st, RC_FILE_MALFORMED, line,
				   "the xml elements are nested more than %d levels below the root", XML_MAX_DEPTH);
	if (st->skip_depth >= 0 && depth > st->skip_depth)
		return 0;
	if (depth == 0) {
		int rc = on_root(st, rd, line);

		st->root_done = rc == 0 && empty;
		return rc;
	}
	if (!st->root_seen)
		return walk_refuse(st, RC_FILE_MALFORMED, line, "the xml file has no root element");
	if (depth == 1)
		return on_record_start(st, rd, line, empty);
	on_field_start(st, rd, depth, empty);
	return 0;
}

static int on_end(struct xml_state *st, int depth)
{
	if (st->skip_depth >= 0 && depth >= st->skip_depth) {
		if (depth == st->skip_depth)
			st->skip_depth = -1;
		return 0;
	}
	if (depth == 0)
		st->root_done = true;
	else if (depth == 1 && st->in_record)
		return deliver(st);
	return 0;
}

static int visit(struct xml_state *st, xmlTextReaderPtr rd)
{
	int type = xmlTextReaderNodeType(rd);
	int depth = xmlTextReaderDepth(rd);

	switch (type) {
	case XML_READER_TYPE_ELEMENT:
		return on_element(st, rd, depth);
	case XML_READER_TYPE_END_ELEMENT:
		return on_end(st, depth);
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_WHITESPACE:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		return on_text(st, rd, depth, type);
	case XML_READER_TYPE_DOCUMENT_TYPE:
	case XML_READER_TYPE_ENTITY:
	case XML_READER_TYPE_NOTATION:
		return walk_refuse(st, RC_FILE_DTD, (uint64_t)xmlTextReaderGetParserLineNumber(rd),
				   "the xml file has a document type declaration (DOCTYPE), which is not allowed");
	case XML_READER_TYPE_ENTITY_REFERENCE:
		return walk_refuse(st, RC_FILE_MALFORMED, (uint64_t)xmlTextReaderGetParserLineNumber(rd),
				   "the xml file refers to an entity that is not predefined");
	default:
		/* comments, processing instructions, the XML declaration */
		return 0;
	}
}

int xml_decode(struct decode_io *io, struct err *e)
{
	struct xml_state *st = NULL;
	xmlTextReaderPtr rd = NULL;
	xmlStructuredErrorFunc old_serror;
	xmlGenericErrorFunc old_gerror;
	void *old_sctx, *old_gctx;
	bool empty;
	int rc = 0, ret = 0;
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

	rd = xmlReaderForIO(read_source, NULL, st, NULL, "UTF-8", XML_OPTIONS);
	if (rd == NULL) {
		/* Only allocations fail here (the source's own failure stands). */
		if (st->cause != CAUSE_SOURCE) {
			st->cause = CAUSE_NONE;
			set_cause(st, CAUSE_INTERNAL, ERR_NOMEM, RC__COUNT, 0, "cannot start the xml reader");
		}
		goto outcome;
	}
	st->reader = rd;
	xmlTextReaderSetStructuredErrorHandler(rd, on_xml_error, st);
	for (;;) {
		ret = xmlTextReaderRead(rd);
		if (ret != 1)
			break;
		/* An error reported while xmlTextReaderRead() still returns 1
		 * refuses the file all the same. */
		if (st->cause != CAUSE_NONE || visit(st, rd) != 0)
			break;
	}
	if (ret == -1 && st->cause == CAUSE_NONE) {
		set_cause(st, CAUSE_PARSER, ERR_REFUSED, RC_FILE_MALFORMED,
			  (uint64_t)xmlTextReaderGetParserLineNumber(rd), "the xml file is not well formed");
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
		set_cause(st, CAUSE_PARSER, ERR_REFUSED, empty ? RC_FILE_EMPTY : RC_FILE_MALFORMED, st->lx.line,
			  "the xml file has no root element");
	else if (st->cause == CAUSE_NONE && !st->root_done)
		set_cause(st, CAUSE_PARSER, ERR_REFUSED, RC_FILE_MALFORMED, st->lx.line,
			  "the xml file ends before its root element is closed");
	if (st->cause == CAUSE_PARSER && st->xml_code != XML_ERR_NO_MEMORY) {
		/* libxml2's words for these are misleading ("document is
		 * empty", "extra content at the end of the document"). */
		if (!st->lx.start_seen && st->lx.junk)
			snprintf(st->message, sizeof(st->message),
				 "the file is not xml: it has text before its first element");
		else if (st->lx.junk)
			snprintf(st->message, sizeof(st->message), "the xml file has text before its root element");
		else if (st->eof && st->lx.depth > 0 && st->cause_line + 1 >= st->lx.line)
			snprintf(st->message, sizeof(st->message),
				 "the xml file ends before its root element is closed (cut short?)");
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
	xmlFreeTextReader(rd);
	xmlSetStructuredErrorFunc(old_sctx, old_serror);
	xmlSetGenericErrorFunc(old_gctx, old_gerror);
	alloc_free(st->rec);
	alloc_free(st);
	return rc;
}
