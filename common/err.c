#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set_at(struct err *e, enum err_code code, const char *file, int line,
	       const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	e->src_file = file;
	e->src_line = line;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return code;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char prefix[ERR_MESSAGE_MAX];
	char old[ERR_MESSAGE_MAX];
	va_list ap;

	if (e == NULL)
		return ERR_IO;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->message, sizeof(old));
	/* A message cut at ERR_MESSAGE_MAX is acceptable. */
	if (old[0] != '\0') {
		if (snprintf(e->message, sizeof(e->message), "%s: %s", prefix, old) < 0)
			e->message[0] = '\0';
	} else if (snprintf(e->message, sizeof(e->message), "%s", prefix) < 0) {
		e->message[0] = '\0';
	}
	return e->code;
}

void err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->code = ERR_OK;
	e->message[0] = '\0';
	e->src_file = NULL;
	e->src_line = 0;
}

const char *err_code_name(enum err_code code)
{
	switch (code) {
	case ERR_OK: return "ok";
	case ERR_USAGE: return "usage error";
	case ERR_CONFIG: return "configuration error";
	case ERR_REFUSED: return "file refused";
	case ERR_IO: return "I/O error";
	case ERR_DB: return "database error";
	case ERR_NOMEM: return "out of memory";
	case ERR_LIMIT: return "limit exceeded";
	case ERR_INTERRUPTED: return "interrupted";
	}
	return "unknown error";
}

int err_exit_status(enum err_code code)
{
	switch (code) {
	case ERR_OK: return 0;
	case ERR_REFUSED: return 1;
	case ERR_USAGE:
	case ERR_CONFIG: return 2;
	case ERR_IO:
	case ERR_DB:
	case ERR_NOMEM:
	case ERR_LIMIT:
	case ERR_INTERRUPTED: return 3;
	}
	return 3;
}
