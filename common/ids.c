/* ids.c: see ids.h. */
#include "ids.h"

#include <string.h>

bool ids_creditor_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 16 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n;
}
