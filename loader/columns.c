/* columns.c: see columns.h. */
#include "columns.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *columns_sql_type(enum col_type t)
{
	switch (t) {
	case COL_TEXT: return "text";
	case COL_DATE: return "date";
	case COL_MONEY: return "bigint";
	case COL_BOOL: return "boolean";
	case COL_NONE: break;
	}
	return NULL;
}

size_t columns_stored(enum file_kind kind)
{
	size_t nd, n = 0;
	const struct field_def *d = record_fields(kind, &nd);

	for (size_t i = 0; i < nd; i++)
		n += d[i].type != COL_NONE;
	return n;
}

/* Append ", " (unless first) and the formatted text; false when it does
 * not fit. */
static bool append(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len > 0) {
		if (*len + 3 > size)
			return false;
		memcpy(buf + *len, ", ", 3);
		*len += 2;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len)
		return false;
	*len += (size_t)n;
	return true;
}

static int too_long(struct err *e, enum file_kind kind)
{
	return ERR_SET(e, ERR_LIMIT, "the column list of %s does not fit", file_kind_name(kind));
}

int columns_stage_defs(char *out, size_t size, enum file_kind kind, struct err *e)
{
	size_t nd, len = 0;
	const struct field_def *d = record_fields(kind, &nd);

	out[0] = '\0';
	for (size_t i = 0; i < nd; i++)
		if (d[i].type != COL_NONE &&
		    !append(out, size, &len, "%s %s", d[i].name, columns_sql_type(d[i].type)))
			return too_long(e, kind);
	return 0;
}

int columns_list(char *out, size_t size, enum file_kind kind, bool content_only, const char *prefix,
		 const struct columns_override *ov, struct err *e)
{
	size_t nd, len = 0;
	const struct field_def *d = record_fields(kind, &nd);

	out[0] = '\0';
	for (size_t i = 0; i < nd; i++) {
		bool ok;

		if (d[i].type == COL_NONE || (content_only && !d[i].content))
			continue;
		if (ov != NULL && strcmp(ov->column, d[i].name) == 0)
			ok = append(out, size, &len, "%s", ov->expr);
		else
			ok = append(out, size, &len, "%s%s", prefix, d[i].name);
		if (!ok)
			return too_long(e, kind);
	}
	return 0;
}
