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
 * stderr is a terminal. log_progress_done() ends the line. A step is named
 * by what (the same pointer for the same step): the line shows the step,
 * its count (of total, when known) and the seconds it has taken. */
void log_progress(const char *what, uint64_t done, uint64_t total);
/* A reading step: the share of the input's bytes read (total 0: unknown),
 * the records so far, rows per second and the time left. */
void log_progress_read(const char *what, uint64_t records, uint64_t bytes, uint64_t total);
void log_progress_done(void);

#endif
