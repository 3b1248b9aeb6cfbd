/* xml_lex.h: the pre-scanner of the XML decoder (private to xml_decode.c).
 *
 * It runs in libxml2's read callback, on every byte before libxml2 sees
 * it, and keeps what the parser cannot give:
 *
 * - the exact line of every start tag. libxml2's parser gives the line
 *   where a start tag ends (in an int), not where it starts; the k-th
 *   start tag the lexer sees is the k-th element the parser reports, and a
 *   ring of lines joins the two (xml_lex_pop_line);
 * - where each record starts and ends, to tell which record the parser was
 *   in when it failed (xml_lex_record_at). Records are the root's
 *   children, except in a bank file (an ISO 20022 root `Document`), whose
 *   records lie deeper and are numbered by the camt walker: there the
 *   lexer counts none and a refusal is tied to no record;
 * - a refusal of a document type declaration before a single byte of it
 *   reaches the parser (so no entity is ever declared, let alone
 *   expanded), and of any run of more than XML_MAX_TEXT_BYTES (plus a
 *   little slack for the tag in front) without a start or end tag, so
 *   libxml2 never buffers a huge text, comment or tag, nor a huge text cut
 *   into pieces by comments, CDATA sections or processing instructions
 *   (a tree would keep every piece as a node of the element until the next
 *   tag, and join adjacent CDATA sections into one node).
 */
#ifndef LOADER_XML_LEX_H
#define LOADER_XML_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* Start tags lexed but not yet reported by the parser. The parser runs a
 * few kilobytes behind the lexer; the read callback never hands out more
 * bytes than there are free slots (xml_lex_room), so the ring cannot
 * overflow. */
#define XML_LEX_LINE_RING 8192u
/* Record starts and ends the lexer saw, to tell which record the parser
 * was in when it failed; older ones are folded into a base state. Each
 * takes at least two bytes, so this covers more than the parser's lag. */
#define XML_LEX_EVENT_RING 8192u

enum xml_lex_state {
	LX_TEXT,      /* character data */
	LX_LT,        /* after '<' */
	LX_STAG,      /* inside a start tag, after "<x" */
	LX_ETAG,      /* inside an end tag, after "</" */
	LX_BANG,      /* after "<!" */
	LX_BANG_DASH, /* after "<!-" */
	LX_COMMENT,   /* inside "<!--", until "-->" */
	LX_CDATA,     /* inside "<![", until "]]>" */
	LX_PI,        /* inside "<?", until "?>" */
};

struct xml_lex_event {
	uint64_t off; /* byte offset of the '<' of a start, after the '>' of an end */
	uint64_t ordinal;
	bool open; /* the record starts (true) or ends (false) here */
};

struct xml_lex {
	/* What the decoder reads (written only by xml_lex.c). */
	uint64_t line;    /* 1 + line feeds seen */
	bool ends_nl;     /* the last byte seen is a line feed */
	uint64_t depth;   /* open elements */
	uint64_t records; /* record start tags seen */
	bool open;        /* inside a record */
	bool start_seen;  /* a start tag was seen */
	bool junk;        /* non-blank character data before the first start tag */
	bool no_records;  /* the root is a `Document`: no record boundaries */

	/* Why the lexer stopped: 0 while it runs, else ERR_REFUSED (the bytes
	 * are refused as `refusal`) or ERR_LIMIT (the parser fell behind,
	 * which cannot happen). The line and the record it was in then. */
	int failure;
	enum reject_code refusal;
	uint64_t failure_line;
	uint64_t failure_record;
	char message[160];

	/* The scanner's own state. */
	uint64_t lt_line; /* line of the last '<' */
	uint64_t lt_off;  /* its byte offset */
	uint64_t bytes;   /* bytes lexed */
	size_t run;       /* bytes since the '<' of the last tag (xml_lex_feed) */
	size_t lt_run;    /* the run before the last '<' in character data */
	bool run_pieces;  /* the run holds a whole comment, CDATA section or PI */
	enum xml_lex_state state;
	unsigned count;  /* dashes, brackets or '?' just seen */
	char quote;      /* LX_STAG: the quote of an attribute value, or 0 */
	bool slash;      /* LX_STAG: the last byte was '/' */
	bool closing;    /* LX_ETAG: the end tag closes a record */
	bool naming;     /* LX_STAG: inside the root element's name */
	size_t root_len; /* bytes of the root's name (more than root_name holds: not a Document) */
	char root_name[24];
	bool ev_base_open;
	uint64_t ev_base_ordinal; /* the state before the oldest event */
	size_t ev_head;
	size_t ev_count;
	size_t ring_head;
	size_t ring_count;
	uint64_t ring[XML_LEX_LINE_RING];
	struct xml_lex_event events[XML_LEX_EVENT_RING];
};

void xml_lex_init(struct xml_lex *lx);
/* Scan the next n bytes of the document. Returns 0, or lx->failure (set
 * with its message, line and record) once the lexer has stopped; it then
 * scans nothing more. */
int xml_lex_feed(struct xml_lex *lx, const char *buf, size_t n);
/* How many bytes may be fed next: every byte can complete at most one
 * start tag, and each takes a slot of the line ring until it is popped. */
size_t xml_lex_room(const struct xml_lex *lx);
/* The line the bytes so far end on: a line feed at the end ends its line,
 * it does not begin another. */
uint64_t xml_lex_last_line(const struct xml_lex *lx);
/* The line of the oldest start tag not yet popped; false when none. */
bool xml_lex_pop_line(struct xml_lex *lx, uint64_t *line);
/* The record (ordinal) the lexer is in now, or 0. */
uint64_t xml_lex_record(const struct xml_lex *lx);
/* The record open at a byte offset the lexer has passed, or 0. */
uint64_t xml_lex_record_at(const struct xml_lex *lx, uint64_t off);
/* Every byte so far was white space, a comment, a processing instruction
 * or the XML declaration, and none of them is left open. */
bool xml_lex_empty(const struct xml_lex *lx);

#endif
