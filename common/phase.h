/* phase.h: how long each phase of a run took, logged on stderr as
 * "<program>: phase <name>: N.NNN s" when enabled (a measuring aid, off
 * by default). Library code never reads the environment: a program's
 * main() decides, from its own variable (LOADER_TIMING, SETTLE_TIMING):
 *
 *   phase_enable(getenv("SETTLE_TIMING") != NULL);
 *   ...
 *   phase_mark(NULL);            (start the clock)
 *   ... work ...
 *   phase_mark("commit");        (log the time since the last mark)
 *
 * Process-wide state: call from one thread. */
#ifndef COMMON_PHASE_H
#define COMMON_PHASE_H

#include <stdbool.h>

/* Turn the log on or off; turning it on starts the clock. */
void phase_enable(bool on);
/* When on: log the time since the last mark (or phase_enable) under
 * name, and start the clock again; a NULL name only starts it. */
void phase_mark(const char *name);

#endif
