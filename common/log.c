#include "log.h"

#include "err.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static const char *program = "engine";
static int progress_shown;
static int tty = -1;
static struct timespec last_draw;
static const char *last_what;

void log_set_program(const char *name)
{
	program = name;
}

static void end_progress(void)
{
	if (progress_shown) {
		fputs("\r\033[K", stderr);
		progress_shown = 0;
	}
}

/* A message may quote outside text (a file name, a server's message):
 * control characters and invalid UTF-8 are escaped (SPEC 2 v2), so a
 * message is always one line and never drives the terminal. */
static void put_message(const char *fmt, va_list ap)
{
	char raw[2048], safe[4 * sizeof(raw)];
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);

	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(raw))
		n = (int)sizeof(raw) - 1;
	utf8_escape(safe, sizeof(safe), raw, (size_t)n, (size_t)-1);
	fputs(safe, stderr);
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
	end_progress();
	fprintf(stderr, "%s: %s", program, level);
	put_message(fmt, ap);
	fputc('\n', stderr);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap);
	va_end(ap);
}

int log_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	end_progress();
	fprintf(stderr, "%s: ", program);
	va_start(ap, fmt);
	put_message(fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n%s", usage);
	return 2;
}

int log_report(const struct err *e)
{
	log_error("%s", e->message);
	return err_exit_status(e->code);
}

static struct timespec step_start;

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Draw now? A few times a second, and at once for a new step. */
static bool due(const char *what, struct timespec *now)
{
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty)
		return false;
	clock_gettime(CLOCK_MONOTONIC, now);
	if (what != last_what)
		step_start = *now;
	else if (progress_shown && seconds_between(&last_draw, now) < 0.25)
		return false;
	last_draw = *now;
	last_what = what;
	return true;
}

static void draw(const char *line)
{
	fprintf(stderr, "\r\033[K%s: %s", program, line);
	fflush(stderr);
	progress_shown = 1;
}

void log_progress(const char *what, uint64_t done, uint64_t total)
{
	struct timespec now;
	char line[256];
	double secs;

	if (!due(what, &now))
		return;
	secs = seconds_between(&step_start, &now);
	if (total > 0)
		snprintf(line, sizeof(line), "%s: %llu of %llu (%llu%%), %.0f s", what, (unsigned long long)done,
			 (unsigned long long)total, (unsigned long long)(done * 100 / total), secs);
	else
		snprintf(line, sizeof(line), "%s: %llu, %.0f s", what, (unsigned long long)done, secs);
	draw(line);
}

void log_progress_read(const char *what, uint64_t records, uint64_t bytes, uint64_t total)
{
	struct timespec now;
	char line[256], left[48] = "";
	double secs, rate;
	size_t n;

	if (!due(what, &now))
		return;
	secs = seconds_between(&step_start, &now);
	rate = secs > 0.5 ? (double)records / secs : 0;
	if (total > 0 && bytes > 0 && bytes < total && secs > 1) {
		double rest = secs * (double)(total - bytes) / (double)bytes;

		snprintf(left, sizeof(left), ", %d:%02d left", (int)rest / 60, (int)rest % 60);
	}
	n = (size_t)snprintf(line, sizeof(line), "%s: ", what);
	if (total > 0 && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%llu%% of %.1f MB, ",
				      (unsigned long long)(bytes >= total ? 100 : bytes * 100 / total),
				      (double)total / 1e6);
	if (n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, "%llu records, %.0f rows/s%s", (unsigned long long)records,
			 rate, left);
	draw(line);
}

void log_progress_done(void)
{
	end_progress();
}
