/* sniff.c: see sniff.h. */
#include "sniff.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The value of encoding="..." in an XML declaration at the start of head,
 * copied into out; false when there is none. */
static bool declared_encoding(const char *head, size_t n, char *out, size_t size)
{
	const char *end, *p;
	char quote;
	size_t len;

	if (n < 5 || memcmp(head, "<?xml", 5) != 0)
		return false;
	end = memchr(head, '>', n);
	if (end == NULL)
		end = head + n;
	for (p = head + 5; p + 8 < end; p++) {
		if (memcmp(p, "encoding", 8) != 0 || (p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\r' && p[-1] != '\n'))
			continue;
		p += 8;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '='))
			p++;
		if (p >= end || (*p != '"' && *p != '\''))
			return false;
		quote = *p++;
		for (len = 0; p + len < end && p[len] != quote; len++)
			;
		if (len == 0 || len >= size)
			return false;
		for (size_t i = 0; i < len; i++)
			out[i] = (p[i] > 0x20 && p[i] < 0x7f) ? p[i] : '?';
		out[len] = '\0';
		return true;
	}
	return false;
}

enum reject_code sniff_head(const char *head, size_t n, bool *xml, char *msg, size_t msgsz)
{
	const unsigned char *u = (const unsigned char *)head;
	size_t i = 0;
	char enc[48];

	*xml = false;
	/* UTF-16/32: a byte order mark, or ASCII text with every other (or
	 * three of four) bytes NUL; a file of NUL bytes is none of these. */
	if ((n >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff))) ||
	    (n >= 4 && ((u[0] != 0 && u[1] == 0 && u[3] == 0) || (u[0] == 0 && u[1] != 0 && u[2] == 0) ||
			(u[0] == 0 && u[1] == 0 && u[2] == 0 && u[3] != 0)))) {
		snprintf(msg, msgsz, "the file is UTF-16 or UTF-32 text, not UTF-8: convert it first, "
			 "e.g. iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8");
		return RC_FILE_MALFORMED;
	}
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	*xml = i < n && head[i] == '<';
	if (*xml && declared_encoding(head + i, n - i, enc, sizeof(enc)) && strcasecmp(enc, "UTF-8") != 0 &&
	    strcasecmp(enc, "UTF8") != 0 && strcasecmp(enc, "US-ASCII") != 0 && strcasecmp(enc, "ASCII") != 0) {
		snprintf(msg, msgsz, "the XML declaration names the encoding '%s', but only UTF-8 is accepted: "
			 "convert the file (e.g. iconv -f %s -t UTF-8) and declare encoding=\"UTF-8\"", enc, enc);
		return RC_FILE_MALFORMED;
	}
	return RC__COUNT;
}
