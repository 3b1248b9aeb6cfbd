/* phase.c: phase timing (phase.h). */
#include "phase.h"

#include <time.h>

#include "log.h"

static bool enabled;
static struct timespec last;

void phase_enable(bool on)
{
	enabled = on;
	if (on)
		clock_gettime(CLOCK_MONOTONIC, &last);
}

void phase_mark(const char *name)
{
	struct timespec now;

	if (!enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (name != NULL)
		log_info("phase %s: %.3f s", name,
			 (double)(now.tv_sec - last.tv_sec) + (double)(now.tv_nsec - last.tv_nsec) / 1e9);
	last = now;
}
