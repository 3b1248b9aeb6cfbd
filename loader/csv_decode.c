/* csv_decode.c: RFC 4180 case, transaction, assignment and event files
 * with libcsv (SPEC 5.2).
 *
 * libcsv runs with CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
 * CSV_REPALL_NL. With CSV_REPALL_NL every unquoted CR and LF reaches the row
 * callback, so lines are counted exactly: unquoted line ends there, line
 * breaks inside quoted fields from the field data. A record's line is the
 * line of its first byte. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "decode.h"

#define READ_CHUNK (64u * 1024u)
/* libcsv grows its field buffer by a fixed block (128 bytes by default):
 * a long field then costs one realloc and one copy per block, quadratic
 * time wherever realloc copies (AddressSanitizer, most allocators other
 * than glibc's mremap). The block is raised to the current buffer size
 * after every chunk, so the buffer doubles. */
#define CSV_MIN_BLK (64u * 1024u)

struct csv_ctx {
	struct decode_io *io;
	struct err *e;
	int rc;                   /* first error from a callback; stops work */
	enum file_kind kind;
	bool header_done;
	int col_field[CSV_MAX_COLUMNS]; /* header column -> field index */
	size_t ncols;
	size_t field_no;          /* fields seen in the current row */
	bool row_started;
	uint64_t line;            /* current line (1-based) */
	uint64_t row_line;        /* line where the current row started */
	bool pending_cr;          /* last row ended with CR: a LF next is CRLF */
	struct record *rec;
	/* header collection */
	char header_bad[160];
};

/* Why libcsv's last buffer request failed: the size cap (a field too long,
 * the file's fault) or the allocator (out of memory, not the file's fault).
 * libcsv retries a refused request with half the growth down to one byte,
 * so only the last answer before it gives up with CSV_ENOMEM counts: a
 * request over the cap that a smaller retry then satisfied must not make a
 * later real failure look like a long field. */
static bool over_cap_last;

/* libcsv's buffer grows through this; refuse past CSV_MAX_FIELD_BYTES. */
static void *capped_realloc(void *ptr, size_t size)
{
	void *p;

	if (size > CSV_MAX_FIELD_BYTES + 64) {
		over_cap_last = true;
		return NULL;
	}
	p = alloc_realloc(ptr, size);
	over_cap_last = false;
	return p;
}

static uint64_t count_breaks(const char *s, size_t n)
{
	uint64_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n')))
			k++;
	return k;
}

static void refuse(struct csv_ctx *c, enum reject_code code, uint64_t line, const char *msg)
{
	if (c->rc != 0)
		return;
	c->io->refusal = code;
	c->io->refusal_line = line;
	c->io->refusal_record = c->header_done ? c->io->records + 1 : 0;
	c->rc = ERR_SET(c->e, ERR_REFUSED, "%s", msg);
}

/* ASCII letters, digits and '_', starting with a letter, with at least one
 * '_' (like every multi-word column name), at most 40 bytes. */
static bool looks_like_column_name(const char *s, size_t len)
{
	bool underscore = false;

	if (len == 0 || len > 40 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '_')
			underscore = true;
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
			return false;
	}
	return underscore;
}

static void header_field(struct csv_ctx *c, const char *s, size_t len)
{
	size_t a = 0, b = len;
	int f;

	if (c->header_bad[0] != '\0')
		return;
	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	if (c->ncols >= CSV_MAX_COLUMNS) {
		snprintf(c->header_bad, sizeof(c->header_bad), "the header has more than %d columns",
			 CSV_MAX_COLUMNS);
		return;
	}
	/* Kind is decided after the whole header; map names for both now. */
	f = record_field_by_name(c->kind, s + a, b - a);
	if (f < 0) {
		/* A file without a header has a data row here: quote the cell
		 * only when it is shaped like a column name, never a debtor's
		 * name, id or address (SPEC 2: no personal data in logs). */
		if (looks_like_column_name(s + a, b - a))
			snprintf(c->header_bad, sizeof(c->header_bad), "unknown column '%.*s' in the header",
				 (int)(b - a), s + a);
		else
			snprintf(c->header_bad, sizeof(c->header_bad),
				 "column %zu of the header is not a known column name", c->ncols + 1);
		return;
	}
	for (size_t i = 0; i < c->ncols; i++) {
		if (c->col_field[i] == f) {
			snprintf(c->header_bad, sizeof(c->header_bad), "column '%.*s' appears twice in the header",
				 (int)(b - a), s + a);
			return;
		}
	}
	c->col_field[c->ncols++] = f;
}

static void on_field(void *data, size_t len, void *ctx)
{
	struct csv_ctx *c = ctx;
	const char *s = data != NULL ? data : "";

	if (c->rc != 0)
		return;
	c->pending_cr = false;
	if (!c->row_started) {
		c->row_started = true;
		c->row_line = c->line;
		c->field_no = 0;
		if (c->header_done) {
			record_reset(c->rec, c->kind);
			c->rec->ordinal = c->io->records + 1;
			c->rec->line = c->row_line;
		}
	}
	if (!c->header_done) {
		/* Header names are ASCII column names: a break means garbage. */
		header_field(c, s, len);
	} else if (c->field_no < c->ncols) {
		record_set_field(c->rec, c->col_field[c->field_no], s, len);
	}
	c->field_no++;
	c->line += count_breaks(s, len);
}

/* The header line in the first bytes of the file: the first line that is
 * not blank, as the parser skips blank lines before the header too. */
static void header_line(const char *head, size_t n, const char **line, size_t *len)
{
	size_t i = 0, start = 0, end;

	while (i < n) {
		if (head[i] == '\n' || head[i] == '\r')
			start = i + 1;
		else if (head[i] != ' ' && head[i] != '\t')
			break;
		i++;
	}
	for (end = start; end < n && head[end] != '\n' && head[end] != '\r'; end++)
		;
	*line = head + start;
	*len = end - start;
}

/* Which kind does the header describe? The first of these columns it
 * has (in any case) decides; none: a case file (SPEC 5). */
static const struct {
	const char *column;
	enum file_kind kind;
} kind_columns[] = {
	{ "suspense_id", KIND_ASSIGNMENTS },     /* SPEC 13 */
	{ "transaction_id", KIND_TRANSACTIONS }, /* SPEC 6 */
	{ "event_id", KIND_EVENTS },             /* SPEC 16 */
};

static enum file_kind header_kind(struct csv_ctx *c, const char *head, size_t len)
{
	if (c->io->forced_kind != KIND_UNKNOWN)
		return c->io->forced_kind;
	for (size_t k = 0; k < sizeof(kind_columns) / sizeof(kind_columns[0]); k++) {
		size_t n = strlen(kind_columns[k].column);

		for (size_t i = 0; i + n <= len; i++)
			if (strncasecmp(head + i, kind_columns[k].column, n) == 0)
				return kind_columns[k].kind;
	}
	return KIND_CASES;
}

static void finish_header(struct csv_ctx *c)
{
	size_t nfields;
	const struct field_def *defs = record_fields(c->kind, &nfields);
	bool seen[RECORD_MAX_FIELDS] = { false };
	int rc;

	if (c->header_bad[0] != '\0') {
		refuse(c, RC_FILE_HEADER, c->row_line, c->header_bad);
		return;
	}
	for (size_t i = 0; i < c->ncols; i++)
		seen[c->col_field[i]] = true;
	for (size_t f = 0; f < nfields; f++) {
		if (defs[f].required && !seen[f]) {
			char msg[160];

			snprintf(msg, sizeof(msg), "the header has no column '%s'", defs[f].name);
			refuse(c, RC_FILE_HEADER, c->row_line, msg);
			return;
		}
	}
	c->header_done = true;
	if (c->io->on_kind != NULL && (rc = c->io->on_kind(c->io->ctx, c->kind, c->e)) != 0)
		c->rc = rc;
}

static void on_row(int term, void *ctx)
{
	struct csv_ctx *c = ctx;
	int rc;

	if (c->rc != 0)
		return;
	if (term == '\n') {
		if (!c->pending_cr)
			c->line++;
		c->pending_cr = false;
	} else if (term == '\r') {
		c->line++;
		c->pending_cr = true;
	} else {
		c->pending_cr = false;
	}
	if (!c->row_started)
		return; /* an empty line */
	c->row_started = false;
	if (!c->header_done) {
		finish_header(c);
		return;
	}
	/* A line of nothing but spaces decodes as one empty field: skip it. */
	if (c->field_no == 1 && c->ncols > 1 && c->rec->f[c->col_field[0]].len == 0 &&
	    !(c->rec->f[c->col_field[0]].flags & FIELD_TOO_LONG))
		return;
	if (c->field_no != c->ncols) {
		c->rec->bad_record = true;
		snprintf(c->rec->problem, sizeof(c->rec->problem),
			 "the row has %zu fields but the header has %zu", c->field_no, c->ncols);
	}
	c->io->records++;
	if ((rc = c->io->on_record(c->io->ctx, c->rec, c->e)) != 0)
		c->rc = rc;
}

static int parse_error(struct csv_ctx *c, struct csv_parser *p, bool at_end)
{
	/* The line where the field libcsv choked on starts: the breaks of
	 * every finished field and row are counted, those of the open field
	 * are not. (The record's first line would point at an innocent
	 * earlier line when a quoted break precedes the bad field.) */
	uint64_t line = c->line;
	char msg[200];

	if (c->rc != 0)
		return c->rc;
	if (csv_error(p) == CSV_ENOMEM && over_cap_last) {
		snprintf(msg, sizeof(msg), "a field starting on line %llu is longer than %u bytes",
			 (unsigned long long)line, CSV_MAX_FIELD_BYTES);
	} else if (csv_error(p) == CSV_ENOMEM || csv_error(p) == CSV_ETOOBIG) {
		c->rc = ERR_SET(c->e, ERR_NOMEM, "out of memory while parsing CSV");
		return c->rc;
	} else if (at_end) {
		snprintf(msg, sizeof(msg), "a quoted field starting on line %llu is not closed before the end of the file",
			 (unsigned long long)line);
	} else {
		snprintf(msg, sizeof(msg), "broken quoting in the field starting on line %llu",
			 (unsigned long long)line);
	}
	refuse(c, RC_FILE_MALFORMED, line, msg);
	return c->rc;
}

int csv_decode(struct decode_io *io, struct err *e)
{
	struct csv_parser p;
	struct csv_ctx c;
	char *buf = NULL;
	const char *head;
	size_t head_len = 0, got = 0;
	int rc;

	memset(&c, 0, sizeof(c));
	c.io = io;
	c.e = e;
	c.line = 1;
	io->records = 0;
	io->refusal = RC__COUNT;
	if (io->forced_kind == KIND_BANK) {
		/* SPEC 13: --kind bank on a file that is not a camt document */
		io->refusal = RC_FILE_MALFORMED;
		io->refusal_line = 1;
		io->refusal_record = 0;
		io->lines = 1;
		return ERR_SET(e, ERR_REFUSED, "the file is not a bank file: --kind bank reads ISO 20022 camt.053 and "
			       "camt.054 documents (XML), and this file is not XML");
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_REPALL_NL) != 0)
		return ERR_SET(e, ERR_NOMEM, "cannot start the CSV parser");
	csv_set_realloc_func(&p, capped_realloc);
	csv_set_free_func(&p, alloc_free);
	csv_set_blk_size(&p, CSV_MIN_BLK);
	over_cap_last = false;
	buf = alloc_malloc(READ_CHUNK);
	c.rec = alloc_malloc(sizeof(*c.rec));
	if (buf == NULL || c.rec == NULL) {
		rc = ERR_SET(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = source_peek(io->src, &head, 4096, &head_len, e)) != 0)
		goto out;
	{
		const char *hdr;
		size_t hl;

		header_line(head, head_len, &hdr, &hl);
		if (memchr(hdr, ';', hl) != NULL && memchr(hdr, ',', hl) == NULL) {
			csv_set_delim(&p, ';');
			io->decimal_comma = true;
		}
		c.kind = header_kind(&c, hdr, hl);
	}
	for (;;) {
		if ((rc = source_read(io->src, buf, READ_CHUNK, &got, e)) != 0) {
			if (rc == ERR_REFUSED) {
				io->refusal = source_refusal(io->src);
				io->refusal_line = c.line;
				io->refusal_record = c.header_done ? io->records + 1 : 0;
			}
			goto out;
		}
		if (got == 0)
			break;
		if (csv_parse(&p, buf, got, on_field, on_row, &c) != got) {
			rc = parse_error(&c, &p, false);
			goto out;
		}
		{
			size_t bs = csv_get_buffer_size(&p);

			csv_set_blk_size(&p, bs > CSV_MIN_BLK ? bs : CSV_MIN_BLK);
		}
		if (c.rc != 0) {
			rc = c.rc;
			goto out;
		}
	}
	if (csv_fini(&p, on_field, on_row, &c) != 0) {
		rc = parse_error(&c, &p, true);
		goto out;
	}
	if ((rc = c.rc) != 0)
		goto out;
	if (!c.header_done) {
		io->refusal = RC_FILE_EMPTY;
		io->refusal_line = 1;
		io->refusal_record = 0;
		rc = ERR_SET(e, ERR_REFUSED, "the file has no header row");
		goto out;
	}
out:
	io->lines = c.line;
	csv_free(&p);
	alloc_free(c.rec);
	alloc_free(buf);
	return rc;
}
