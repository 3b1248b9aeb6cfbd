/* xml_lex.c: the pre-scanner of the XML decoder (see xml_lex.h): exact
 * start tag lines, record boundaries, DOCTYPE and overlong runs refused
 * before libxml2 sees a byte of them.
 */
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "err.h"
#include "xml_lex.h"

/* Bytes of tag allowed in front of a text run before the lexer refuses. */
#define LEX_SLACK 4096u

void xml_lex_init(struct xml_lex *lx)
{
	memset(lx, 0, sizeof(*lx));
	lx->line = 1;
}

size_t xml_lex_room(const struct xml_lex *lx)
{
	return XML_LEX_LINE_RING - lx->ring_count;
}

bool xml_lex_empty(const struct xml_lex *lx)
{
	return !lx->start_seen && !lx->junk && lx->state == LX_TEXT;
}

uint64_t xml_lex_last_line(const struct xml_lex *lx)
{
	return lx->ends_nl && lx->line > 1 ? lx->line - 1 : lx->line;
}

static void ring_push(struct xml_lex *lx, uint64_t line)
{
	if (lx->ring_count == XML_LEX_LINE_RING) {
		if (lx->failure == 0) {
			lx->failure = ERR_LIMIT;
			lx->refusal = RC__COUNT;
			lx->failure_line = lx->line;
			snprintf(lx->message, sizeof(lx->message),
				 "the xml parser fell more than %u start tags behind", XML_LEX_LINE_RING);
		}
		return;
	}
	lx->ring[(lx->ring_head + lx->ring_count) % XML_LEX_LINE_RING] = line;
	lx->ring_count++;
}

bool xml_lex_pop_line(struct xml_lex *lx, uint64_t *line)
{
	if (lx->ring_count == 0)
		return false;
	*line = lx->ring[lx->ring_head];
	lx->ring_head = (lx->ring_head + 1) % XML_LEX_LINE_RING;
	lx->ring_count--;
	return true;
}

static void event_push(struct xml_lex *lx, uint64_t off, bool open)
{
	struct xml_lex_event *ev;

	if (open)
		lx->records++;
	lx->open = open;
	if (lx->ev_count == XML_LEX_EVENT_RING) {
		ev = &lx->events[lx->ev_head];
		lx->ev_base_ordinal = ev->ordinal;
		lx->ev_base_open = ev->open;
		lx->ev_head = (lx->ev_head + 1) % XML_LEX_EVENT_RING;
		lx->ev_count--;
	}
	ev = &lx->events[(lx->ev_head + lx->ev_count) % XML_LEX_EVENT_RING];
	ev->off = off;
	ev->ordinal = lx->records;
	ev->open = open;
	lx->ev_count++;
}

uint64_t xml_lex_record_at(const struct xml_lex *lx, uint64_t off)
{
	for (size_t i = lx->ev_count; i > 0; i--) {
		const struct xml_lex_event *ev = &lx->events[(lx->ev_head + i - 1) % XML_LEX_EVENT_RING];

		if (ev->off <= off)
			return ev->open ? ev->ordinal : 0;
	}
	return lx->ev_base_open ? lx->ev_base_ordinal : 0;
}

uint64_t xml_lex_record(const struct xml_lex *lx)
{
	return lx->open ? lx->records : 0;
}

static void lex_refuse(struct xml_lex *lx, enum reject_code code, const char *msg)
{
	if (lx->failure != 0)
		return;
	lx->failure = ERR_REFUSED;
	lx->refusal = code;
	lx->failure_line = lx->line;
	lx->failure_record = xml_lex_record(lx);
	snprintf(lx->message, sizeof(lx->message), "%s", msg);
}

static void lex_too_long(struct xml_lex *lx)
{
	char msg[160];

	if (lx->run_pieces)
		snprintf(msg, sizeof(msg),
			 "the xml file has more than %u bytes of text, comments, CDATA sections or processing"
			 " instructions between two tags",
			 XML_MAX_TEXT_BYTES);
	else
		snprintf(msg, sizeof(msg), "the xml file has a %s longer than %u bytes",
			 lx->state == LX_COMMENT ? "comment"
			 : lx->state == LX_CDATA ? "CDATA section"
			 : lx->state == LX_PI    ? "processing instruction"
			 : lx->state == LX_TEXT  ? "text"
					      : "tag",
			 XML_MAX_TEXT_BYTES);
	lex_refuse(lx, RC_FILE_MALFORMED, msg);
}

/* The end of a comment, CDATA section or PI: character data again, in
 * the same run. */
static void piece_end(struct xml_lex *lx)
{
	lx->state = LX_TEXT;
	lx->run_pieces = true;
}

/* Skip bytes i..to-1 that change nothing but the counters; true when the
 * buffer is done or the run is too long. */
static bool lex_skip(struct xml_lex *lx, size_t *i, size_t to, size_t n)
{
	lx->bytes += to - *i;
	lx->run += to - *i;
	*i = to;
	if (lx->run > XML_MAX_TEXT_BYTES + LEX_SLACK) {
		lex_too_long(lx);
		return true;
	}
	return to == n;
}

/* The bytes that end an element's name. */
static bool name_end(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/' || c == '>' || c == '<';
}

static void root_name_add(struct xml_lex *lx, const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++, lx->root_len++)
		if (lx->root_len + 1 < sizeof(lx->root_name))
			lx->root_name[lx->root_len] = s[k];
}

/* The root's name is complete: a bank file's root `Document` (any
 * prefix) has no records as the lexer counts them. */
static void root_name_end(struct xml_lex *lx)
{
	const char *local;

	lx->naming = false;
	if (lx->root_len + 1 > sizeof(lx->root_name))
		return;
	lx->root_name[lx->root_len] = '\0';
	local = strrchr(lx->root_name, ':');
	local = local != NULL ? local + 1 : lx->root_name;
	lx->no_records = strcmp(local, "Document") == 0;
}

/* The bytes that change the lexer's state inside a start or end tag. */
static const bool stag_special[256] = { ['"'] = true, ['\''] = true, ['>'] = true,
					['<'] = true, ['/'] = true, ['\n'] = true };
static const bool etag_special[256] = { ['>'] = true, ['<'] = true, ['\n'] = true };

int xml_lex_feed(struct xml_lex *lx, const char *buf, size_t n)
{
	for (size_t i = 0; i < n && lx->failure == 0; i++) {
		if (lx->state == LX_TEXT && lx->start_seen) {
			/* Text between tags, most of the file: jump to the next
			 * '<', counting lines, instead of a byte at a time. */
			size_t end = i;
			uint64_t lines = 0;

			/* a byte at a time: the runs are short (the white space
			 * between two tags, a value), a library call each would
			 * cost more than the bytes */
			while (end < n && buf[end] != '<')
				lines += buf[end++] == '\n';
			lx->line += lines;
			if (lex_skip(lx, &i, end, n))
				break;
		}
		if (lx->state == LX_STAG && lx->naming) {
			/* The root's name, up to the first byte that ends it. */
			size_t j = i;

			while (j < n && !name_end(buf[j]))
				j++;
			root_name_add(lx, buf + i, j - i);
			if (j < n)
				root_name_end(lx);
			if (j > i) {
				lx->slash = false;
				if (lex_skip(lx, &i, j, n))
					break;
			}
		}
		if (lx->state == LX_STAG || lx->state == LX_ETAG) {
			/* Inside a tag: jump to the next byte that matters. */
			size_t j = i;

			if (lx->state == LX_ETAG)
				while (j < n && !etag_special[(unsigned char)buf[j]])
					j++;
			else if (lx->quote != 0)
				while (j < n && buf[j] != lx->quote && buf[j] != '\n')
					j++;
			else
				while (j < n && !stag_special[(unsigned char)buf[j]])
					j++;
			if (j > i) {
				lx->slash = false;
				if (lex_skip(lx, &i, j, n))
					break;
			}
		}
		char c = buf[i];
		uint64_t off = lx->bytes++;

		/* UTF-16 and UTF-32 start with a NUL or a byte order mark; the
		 * source has skipped a UTF-8 one. */
		if (off == 0 && (c == '\0' || c == '\xFE' || c == '\xFF')) {
			lex_refuse(lx, RC_FILE_MALFORMED, "the xml file is not UTF-8 (it looks like UTF-16 or UTF-32)");
			break;
		}
		if (c == '\n')
			lx->line++;
		lx->run++;
		switch (lx->state) {
		case LX_TEXT:
			if (c == '<') {
				lx->state = LX_LT;
				lx->lt_line = lx->line;
				lx->lt_off = off;
				lx->lt_run = lx->run - 1;
				lx->run = 1;
			} else if (!lx->start_seen && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
				lx->junk = true;
			}
			break;
		case LX_LT:
			/* A comment, CDATA section or PI goes on with the run of
			 * the text in front of it: libxml2 keeps them all as
			 * nodes of one element until a tag comes. */
			if (c == '!' || c == '?')
				lx->run += lx->lt_run;
			else
				lx->run_pieces = false;
			if (c == '!') {
				lx->state = LX_BANG;
			} else if (c == '?') {
				lx->state = LX_PI;
				lx->count = 0;
			} else if (c == '/') {
				if (!lx->start_seen)
					lx->junk = true;
				lx->closing = lx->depth == 2 && !lx->no_records;
				if (lx->depth > 0)
					lx->depth--;
				lx->state = LX_ETAG;
			} else {
				if (!lx->start_seen && lx->depth == 0) {
					lx->naming = !name_end(c);
					root_name_add(lx, &c, 1);
					if (!lx->naming)
						root_name_end(lx);
				}
				lx->start_seen = true;
				ring_push(lx, lx->lt_line);
				if (lx->depth == 1 && !lx->no_records)
					event_push(lx, lx->lt_off, true);
				lx->depth++;
				lx->state = LX_STAG;
				lx->quote = 0;
				lx->slash = false;
			}
			break;
		case LX_STAG:
			/* Attribute values may hold '>' and "/>"; '<' is an error
			 * libxml2 reports, so it is taken as markup here. */
			if (lx->quote != 0) {
				if (c == lx->quote)
					lx->quote = 0;
			} else if (c == '"' || c == '\'') {
				lx->quote = c;
			} else if (c == '>') {
				if (lx->slash) {
					if (lx->depth == 2 && !lx->no_records)
						event_push(lx, off + 1, false);
					lx->depth--;
				}
				lx->state = LX_TEXT;
			} else if (c == '<') {
				lx->state = LX_LT;
				lx->lt_line = lx->line;
				lx->lt_off = off;
				lx->lt_run = 0;
				lx->run = 1;
			}
			lx->slash = c == '/';
			break;
		case LX_ETAG:
			if (c == '>') {
				if (lx->closing)
					event_push(lx, off + 1, false);
				lx->state = LX_TEXT;
			} else if (c == '<') {
				lx->state = LX_LT;
				lx->lt_line = lx->line;
				lx->lt_off = off;
				lx->lt_run = 0;
				lx->run = 1;
			}
			break;
		case LX_BANG:
			if (c == '-') {
				lx->state = LX_BANG_DASH;
			} else if (c == '[') {
				lx->state = LX_CDATA;
				lx->count = 0;
			} else if (c == 'D') {
				lex_refuse(lx, RC_FILE_DTD,
					   "the xml file has a document type declaration (DOCTYPE), which is not allowed");
			} else {
				lex_refuse(lx, RC_FILE_MALFORMED,
					   "the xml file has a markup declaration outside a document type declaration");
			}
			break;
		case LX_BANG_DASH:
			/* "<!-x" is not well formed; libxml2 reports it. */
			lx->state = c == '-' ? LX_COMMENT : LX_TEXT;
			lx->count = 0;
			break;
		case LX_COMMENT:
			if (c == '>' && lx->count >= 2)
				piece_end(lx);
			else
				lx->count = c == '-' ? lx->count + 1 : 0;
			break;
		case LX_CDATA:
			if (c == '>' && lx->count >= 2)
				piece_end(lx);
			else
				lx->count = c == ']' ? lx->count + 1 : 0;
			break;
		case LX_PI:
			if (c == '>' && lx->count >= 1)
				piece_end(lx);
			else
				lx->count = c == '?' ? 1 : 0;
			break;
		}
		if (lx->run > XML_MAX_TEXT_BYTES + LEX_SLACK && lx->failure == 0)
			lex_too_long(lx);
	}
	if (lx->failure == 0 && n > 0)
		lx->ends_nl = buf[n - 1] == '\n';
	return lx->failure;
}
