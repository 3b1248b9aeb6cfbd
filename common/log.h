/* log.h: one line per event on stderr, "<program>: <message>". Never pass
 * debtor personal data. The progress line is shown only on a terminal. */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdbool.h>
#include <stdint.h>

void log_set_program(const char *name);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "<program>: <message>", a blank line and the usage text on stderr;
 * returns 2, the exit status of a usage error. */
int log_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct err;
/* Log e's message as an error; returns the exit status of its code. */
int log_report(const struct err *e);

/* Progress: call often; it redraws at most a few times a second, only when
 * stderr is a terminal. log_progress_done() ends the line. */
void log_progress(const char *what, uint64_t done, uint64_t total);
void log_progress_done(void);

#endif
