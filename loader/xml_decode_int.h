/* xml_decode_int.h: the state of one XML decode, shared by the driver
 * (xml_decode.c: libxml2's setup and SAX callbacks, the reads through the
 * lexer, the checks every node passes, the outcome) and the two walks
 * over the parser's events: xml_walk.c for case and transaction files,
 * camt_decode.c for bank files (a root `Document`). Private to those
 * files.
 */
#ifndef LOADER_XML_DECODE_INT_H
#define LOADER_XML_DECODE_INT_H

#include <libxml/parser.h>
#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "xml_lex.h"

/* Longest element path below a record that can be a field or container. */
#define PATH_BYTES 256u
#define MAX_CONTAINERS 16u

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

struct camt_state; /* camt_decode.c */

/* What the walks are shown: a start tag, an end tag, or a piece of text. */
enum xml_node_type { XN_ELEMENT, XN_END, XN_TEXT };

/* A parser event once the driver has checked it (nesting depth, text
 * size): an element's start or end, or a piece of its text (character
 * data and CDATA sections arrive in pieces; the walks append them). */
struct xml_node {
	enum xml_node_type type;
	int depth;     /* an element: 0 for the root; text: its element's + 1 */
	uint64_t line; /* an element: the exact line of its start tag */
	const char *name; /* an element: its local name (libxml2's dictionary) */
	const char *ns;   /* an element: its namespace name, or NULL */
	int nattrs;       /* an element: its attributes (namespace declarations apart) */
	const xmlChar **attrs; /* libxml2's quintuplets: local name, prefix, URI, value, end */
	const char *value; /* text: its bytes (not NUL-terminated) */
	size_t len;
};

/* One attribute of an element (xml_attr). */
struct xml_attr {
	const char *name;  /* local name */
	const char *ns;    /* namespace name, or NULL */
	const char *value; /* its value with references resolved, not NUL-terminated */
	size_t len;
};

struct xml_state {
	struct decode_io *io;
	struct err *e;
	struct record *rec;
	xmlParserCtxtPtr ctxt;

	/* The kind, from the root element. */
	const char *ns;
	const char *root_name;
	const char *record_name;
	struct container containers[MAX_CONTAINERS];
	size_t ncontainers;
	enum file_kind kind;

	/* The walk: a bank file's (camt != NULL) or the case walker's. */
	struct camt_state *camt;
	uint64_t cur_record; /* the record a refusal is tied to now, or 0 */
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

	/* The parser's events: open elements, and what each holds so far
	 * (xml_decode.c: which white space libxml2's tree would have kept,
	 * and the length of the text node it would have built). */
	int open;
	struct xml_level {
		bool kids;       /* a child node (element, text, CDATA, comment, PI) */
		bool first_text; /* the first child is text */
		bool last_text;  /* the last child is text */
	} levels[XML_MAX_DEPTH + 2];
	int run_type;    /* the text node being built: 0 none, 1 text, 2 CDATA */
	size_t run_len;  /* its bytes */
	xmlChar *attr_dup; /* the last attribute value decoded (xml_attr) */

	/* The lexer, and whether the source said end of input. */
	struct xml_lex lx;
	bool eof;
};

/* Record the first thing that went wrong (later ones change nothing) and
 * stop the read callback; fmt NULL keeps the message of whoever set e. */
void xml_set_cause(struct xml_state *st, enum cause cause, int rc, enum reject_code refusal,
		   uint64_t line, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* A file-level refusal decided by a walk (tied to st->cur_record):
 * returns ERR_REFUSED. */
int xml_refuse(struct xml_state *st, enum reject_code code, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Hand a record to on_record (and count it): 0 or the callback's error,
 * with the cause set. */
int xml_deliver(struct xml_state *st, struct record *r);
/* Tell on_kind the kind: 0 or the callback's error, with the cause set. */
int xml_tell_kind(struct xml_state *st, enum file_kind kind, uint64_t line);
/* Copy a name from the document for a message: ASCII only (anything else
 * becomes '?'), no control characters, at most max bytes, first line only. */
void xml_shown(char *dst, size_t dstsize, const char *s, size_t max);
/* Bytes of an element name or document value shown in a message. */
#define NAME_SHOWN 48

/* The i-th attribute of an element node (0 <= i < n->nattrs). */
void xml_attr(struct xml_state *st, const struct xml_node *n, int i, struct xml_attr *a);
/* The parser's line now (where a text or an error is), for messages. */
uint64_t xml_parser_line(const struct xml_state *st);

/* One event, checked by the driver: 0, or an error with the cause set. */
int xml_walk_visit(struct xml_state *st, const struct xml_node *n);
int camt_walk_visit(struct xml_state *st, const struct xml_node *n);
/* The bank file walk's state (st->camt), made at the root and freed at the
 * end (camt_walk_free accepts a state without one). */
int camt_walk_begin(struct xml_state *st);
void camt_walk_free(struct xml_state *st);

#endif
