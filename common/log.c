#include "log.h"

#include "err.h"

#include <stdarg.h>
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

static void vlog(const char *level, const char *fmt, va_list ap)
{
	end_progress();
	fprintf(stderr, "%s: %s", program, level);
	vfprintf(stderr, fmt, ap);
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
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n%s", usage);
	return 2;
}

int log_report(const struct err *e)
{
	log_error("%s", e->message);
	return err_exit_status(e->code);
}

void log_progress(const char *what, uint64_t done, uint64_t total)
{
	struct timespec now;
	long ms;

	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - last_draw.tv_sec) * 1000 + (now.tv_nsec - last_draw.tv_nsec) / 1000000;
	if (progress_shown && ms < 250 && what == last_what)
		return; /* redraw a few times a second, and at once for a new step */
	last_draw = now;
	last_what = what;
	if (total > 0)
		fprintf(stderr, "\r\033[K%s: %s %llu of %llu (%llu%%)", program, what,
			(unsigned long long)done, (unsigned long long)total,
			(unsigned long long)(done * 100 / total));
	else
		fprintf(stderr, "\r\033[K%s: %s %llu", program, what, (unsigned long long)done);
	fflush(stderr);
	progress_shown = 1;
}

void log_progress_done(void)
{
	end_progress();
}
