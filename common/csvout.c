#include "csvout.h"

#include <string.h>

bool csvout_needs_quotes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return true;
	return false;
}

int csvout_field(struct atomic_file *af, const char *s, size_t len, bool formula_escape,
		 struct err *e)
{
	bool escape = formula_escape && len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
	bool quote = (escape && (s[0] == '\t' || s[0] == '\r')) || csvout_needs_quotes(s, len);
	int rc;

	if (!quote) {
		if (escape && (rc = atomic_file_write(af, "'", 1, e)) != 0)
			return rc;
		return atomic_file_write(af, s, len, e);
	}
	if ((rc = atomic_file_write(af, escape ? "\"'" : "\"", escape ? 2 : 1, e)) != 0)
		return rc;
	for (size_t i = 0; i < len; i++) {
		const char *q = memchr(s + i, '"', len - i);
		size_t n = q != NULL ? (size_t)(q - (s + i)) + 1 : len - i;

		if ((rc = atomic_file_write(af, s + i, n, e)) != 0)
			return rc;
		if (q != NULL && (rc = atomic_file_write(af, "\"", 1, e)) != 0)
			return rc;
		i += n - 1;
	}
	return atomic_file_write(af, "\"", 1, e);
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
