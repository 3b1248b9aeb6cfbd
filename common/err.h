/* err.h: one error struct passed last to every function that can fail.
 *
 * A function returns 0 on success or a negative enum err_code, and sets the
 * struct err with a message. A lower layer's message is kept; callers add
 * context with err_prefix(). Messages never contain debtor personal data.
 */
#ifndef COMMON_ERR_H
#define COMMON_ERR_H

#include <stddef.h>

enum err_code {
	ERR_OK = 0,
	ERR_USAGE = -1,    /* bad command line: exit 2 */
	ERR_CONFIG = -2,   /* bad configuration: exit 2 */
	ERR_REFUSED = -3,  /* input file refused as a whole: exit 1 */
	ERR_IO = -4,       /* local I/O failure: exit 3 */
	ERR_DB = -5,       /* database failure: exit 3 */
	ERR_NOMEM = -6,    /* allocation failed: exit 3 */
	ERR_LIMIT = -7,    /* a size limit was exceeded */
	ERR_INTERRUPTED = -8, /* SIGINT/SIGTERM: exit 3 */
};

#define ERR_MESSAGE_MAX 512

struct err {
	enum err_code code;
	char message[ERR_MESSAGE_MAX];
	const char *src_file; /* where it was set, for debugging */
	int src_line;
};

#define ERR_INIT { ERR_OK, "", NULL, 0 }

/* Set e (which may be NULL) and return code. */
#define ERR_SET(e, code, ...) err_set_at((e), (code), __FILE__, __LINE__, __VA_ARGS__)

int err_set_at(struct err *e, enum err_code code, const char *file, int line,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Prepend "prefix: " to the message, keeping the code. Returns e->code. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(struct err *e);
const char *err_code_name(enum err_code code);
/* The process exit status for an error code (0, 1, 2 or 3). */
int err_exit_status(enum err_code code);

#endif
