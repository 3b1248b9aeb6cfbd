/* ids.h: identifier forms both programs check. */
#ifndef COMMON_IDS_H
#define COMMON_IDS_H

#include <stdbool.h>

/* A creditor_id: 1 to 16 upper-case letters or digits (SPEC 4). */
bool ids_creditor_ok(const char *s);

#endif
