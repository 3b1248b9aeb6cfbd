#include "alloc.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The hot path is "++attempts >= fail_at": fail_at is the earlier of the
 * two armed points, LONG_MAX while the hook is disarmed, so no allocation
 * ever takes the slow path then. */
static long attempts;
static long fail_at = LONG_MAX;
static long once_at = LONG_MAX; /* alloc_fail_at */
static long from_at = LONG_MAX; /* alloc_fail_from */
static long failures;
static long live;

/* The slow path, taken only when the hook is armed and due. */
static bool injected(void)
{
	if (attempts == once_at)
		once_at = LONG_MAX;
	else if (attempts < from_at)
		return false; /* cannot happen: fail_at is the earlier one */
	fail_at = once_at < from_at ? once_at : from_at;
	failures++;
	return true;
}

#define DUE() (++attempts >= fail_at && injected())

static void *counted(void *p)
{
	if (p == NULL)
		failures++;
	else
		live++;
	return p;
}

void *alloc_malloc(size_t size)
{
	if (DUE())
		return NULL;
	/* malloc(0) may return NULL, which every caller would take for a
	 * failure: ask for one byte. */
	return counted(malloc(size != 0 ? size : 1));
}

void *alloc_calloc(size_t n, size_t size)
{
	if (DUE())
		return NULL;
	if (n == 0 || size == 0)
		n = size = 1;
	return counted(calloc(n, size));
}

void *alloc_realloc(void *ptr, size_t size)
{
	void *p;

	if (DUE())
		return NULL; /* ptr stays valid, as with realloc */
	/* realloc(ptr, 0) frees ptr on some C libraries and not on others. */
	p = realloc(ptr, size != 0 ? size : 1);
	if (p == NULL)
		failures++;
	else if (ptr == NULL)
		live++;
	return p;
}

char *alloc_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (DUE())
		return NULL;
	p = counted(malloc(n));
	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

void alloc_free(void *ptr)
{
	if (ptr == NULL)
		return;
	live--;
	free(ptr);
}

static long point(long n)
{
	return n > 0 && n <= LONG_MAX - attempts ? attempts + n : LONG_MAX;
}

void alloc_fail_at(long n)
{
	once_at = point(n);
	fail_at = once_at < from_at ? once_at : from_at;
}

void alloc_fail_from(long n)
{
	from_at = point(n);
	fail_at = once_at < from_at ? once_at : from_at;
}

long alloc_count(void)
{
	return attempts;
}

long alloc_failures(void)
{
	return failures;
}

long alloc_live(void)
{
	return live;
}
