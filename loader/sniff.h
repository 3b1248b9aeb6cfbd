/* sniff.h: what the first bytes of a file say before a decoder reads it:
 * CSV or XML, and whether the text is UTF-8 at all. A UTF-16 or UTF-32
 * file, or an XML file that declares another encoding, is refused with a
 * message that says so and how to convert it (SPEC 2: text is UTF-8). */
#ifndef LOADER_SNIFF_H
#define LOADER_SNIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "record.h"

/* head: the first decompressed bytes (after a UTF-8 BOM). Sets *xml when
 * the first non-blank byte is '<'. Returns RC__COUNT when the file may be
 * decoded, else the refusal code with msg set. */
enum reject_code sniff_head(const char *head, size_t n, bool *xml, char *msg, size_t msgsz);

#endif
