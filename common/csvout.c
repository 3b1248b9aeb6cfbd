#include "csvout.h"

#include <string.h>

#include "alloc.h"

bool csvout_needs_quotes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return true;
	return false;
}

/* Does the field get the leading '\'' of the formula rule? Is it quoted? */
static bool formula_escaped(const char *s, size_t len, bool formula_escape)
{
	return formula_escape && len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
}

static bool quoted(const char *s, size_t len, bool escape)
{
	return (escape && (s[0] == '\t' || s[0] == '\r')) || csvout_needs_quotes(s, len);
}

size_t csvout_encode(char *out, const char *s, size_t len, bool formula_escape)
{
	bool escape = formula_escaped(s, len, formula_escape);
	bool quote = quoted(s, len, escape);
	size_t o = 0;

	if (quote)
		out[o++] = '"';
	if (escape)
		out[o++] = '\'';
	for (size_t i = 0; i < len; i++) {
		if (quote && s[i] == '"')
			out[o++] = '"';
		out[o++] = s[i];
	}
	if (quote)
		out[o++] = '"';
	return o;
}

int csvout_add(struct buf *b, const char *s, size_t len, bool formula_escape, struct err *e)
{
	size_t room = CSVOUT_ENCODED_MAX(len);
	int rc;

	if (room > b->max - b->len) {
		/* near the limit: the exact length decides */
		bool escape = formula_escaped(s, len, formula_escape);

		room = len + escape;
		if (quoted(s, len, escape)) {
			room += 2;
			for (const char *q = s; (q = memchr(q, '"', len - (size_t)(q - s))) != NULL; q++)
				room++;
		}
	}
	rc = buf_reserve(b, room, e);
	if (rc != 0)
		return rc;
	b->len += csvout_encode(b->data + b->len, s, len, formula_escape);
	b->data[b->len] = '\0';
	return 0;
}

int csvout_field(struct atomic_file *af, const char *s, size_t len, bool formula_escape,
		 struct err *e)
{
	char small[1024];
	char *out = small;
	int rc;

	if (CSVOUT_ENCODED_MAX(len) > sizeof(small) && (out = alloc_malloc(CSVOUT_ENCODED_MAX(len))) == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	rc = atomic_file_write(af, out, csvout_encode(out, s, len, formula_escape), e);
	if (out != small)
		alloc_free(out);
	return rc;
}

int csvout_row(struct atomic_file *af, const char *const *fields, size_t n, bool formula_escape,
	       struct err *e)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (i > 0 && (rc = atomic_file_write(af, ",", 1, e)) != 0)
			return rc;
		if (fields[i] != NULL &&
		    (rc = csvout_field(af, fields[i], strlen(fields[i]), formula_escape, e)) != 0)
			return rc;
	}
	return atomic_file_write(af, "\n", 1, e);
}
