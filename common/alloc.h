/* alloc.h: the engine's allocator wrapper.
 *
 * Every allocation of the pipeline (source, decoders, configuration) goes
 * through these, and so do libcsv's field buffer (csv_set_realloc_func /
 * csv_set_free_func), zlib's state (z_stream.zalloc / zfree) and libxml2's
 * (xmlMemSetup). By default they pass straight through to the C library;
 * each call costs one counter increment and one compare.
 *
 * The test hook makes an allocation fail, to check that every caller
 * survives a failure at every point without a crash or a leak:
 *
 *   alloc_fail_at(n)    only the n-th allocation from now fails (n >= 1);
 *                       the ones after it succeed again, as when memory is
 *                       short for a moment ("transient", as SQLite's
 *                       fault tests call it).
 *   alloc_fail_from(n)  the n-th allocation from now and every one after
 *                       it fail, as when memory is exhausted
 *                       ("persistent").
 *   alloc_fail_at(0), alloc_fail_from(0)  disarm them.
 *
 * The two can be armed together (one allocation fails, and later all do):
 * that reaches code that only runs after a recovered failure.
 *
 * An "allocation" is a call of alloc_malloc, alloc_calloc, alloc_strdup or
 * alloc_realloc (growing or not); alloc_free is not one. The counters are
 * plain process-wide variables: the engine allocates from one thread.
 */
#ifndef COMMON_ALLOC_H
#define COMMON_ALLOC_H

#include <stddef.h>

void *alloc_malloc(size_t size);
void *alloc_calloc(size_t n, size_t size);
void *alloc_realloc(void *ptr, size_t size);
char *alloc_strdup(const char *s);
/* Accepts NULL. */
void alloc_free(void *ptr);

/* Test hook: see above. */
void alloc_fail_at(long n);
void alloc_fail_from(long n);
/* Allocations attempted since the start of the process. */
long alloc_count(void);
/* Allocations that failed (injected or real) since the start. */
long alloc_failures(void);
/* Blocks allocated through the wrapper and not yet freed through it
 * (malloc, calloc, strdup and realloc(NULL, n) minus frees of non-NULL
 * pointers). Compare it before and after a piece of work to find a leak;
 * memory freed through the wrapper that was not allocated through it
 * makes it drift, so only differences mean something. */
long alloc_live(void);

#endif
