/* Unit tests for common/phase.c: nothing on stderr when disabled; when
 * enabled, one line per named mark with the seconds since the last one. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "phase.h"

Suite *phase_suite(void);

static char captured[4096];
static int saved_fd = -1;
static FILE *sink;

/* stderr into a temporary file, until stop_capture() */
static void start_capture(void)
{
	fflush(stderr);
	sink = tmpfile();
	ck_assert_ptr_nonnull(sink);
	saved_fd = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_fd, 0);
	ck_assert_int_ge(dup2(fileno(sink), STDERR_FILENO), 0);
}

static const char *stop_capture(void)
{
	size_t n;

	fflush(stderr);
	ck_assert_int_ge(dup2(saved_fd, STDERR_FILENO), 0);
	close(saved_fd);
	rewind(sink);
	n = fread(captured, 1, sizeof(captured) - 1, sink);
	captured[n] = '\0';
	fclose(sink);
	return captured;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

START_TEST(test_disabled)
{
	log_set_program("check");
	phase_enable(false);
	start_capture();
	phase_mark(NULL);
	phase_mark("load");
	phase_mark("commit");
	ck_assert_str_eq(stop_capture(), "");
}
END_TEST

/* "check: phase <name>: S.MMM s": the seconds since the last mark */
static double seconds_of(const char *line, const char *name)
{
	char prefix[64];
	const char *p;
	char *end;
	double s;

	snprintf(prefix, sizeof(prefix), "check: phase %s: ", name);
	ck_assert_msg(strncmp(line, prefix, strlen(prefix)) == 0, "line [%s]", line);
	p = line + strlen(prefix);
	s = strtod(p, &end);
	ck_assert_int_eq(end - p, 5); /* "0.030": three decimals */
	ck_assert_int_eq(p[1], '.');
	ck_assert_str_eq(end, " s\n");
	return s;
}

START_TEST(test_enabled)
{
	char first[256];
	const char *out;
	const char *nl;
	double s;

	log_set_program("check");
	phase_enable(true);
	start_capture();
	sleep_ms(200);
	phase_mark("load");
	phase_mark(NULL); /* the clock again, nothing logged */
	sleep_ms(10);
	phase_mark("commit");
	phase_enable(false);
	phase_mark("after");
	out = stop_capture();
	nl = strchr(out, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_uint_lt((size_t)(nl - out) + 1, sizeof(first));
	memcpy(first, out, (size_t)(nl - out) + 1);
	first[nl - out + 1] = '\0';
	s = seconds_of(first, "load");
	ck_assert_msg(s >= 0.199 && s < 5, "load took %f s", s);
	s = seconds_of(nl + 1, "commit");
	/* from the NULL mark, not from "load" */
	ck_assert_msg(s >= 0.009 && s < 0.15, "commit took %f s", s);
}
END_TEST

Suite *phase_suite(void)
{
	Suite *s = suite_create("phase");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_disabled);
	tcase_add_test(tc, test_enabled);
	suite_add_tcase(s, tc);
	return s;
}
