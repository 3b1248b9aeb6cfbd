/* copy_text.c: COPY text-format fields (copy_text.h). */
#include "copy_text.h"

/* Bytes that copy_text_str() escapes, and what follows their backslash. */
static const char escape_of[256] = {
	['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r',
};

int copy_text_str(struct buf *b, const char *s, size_t n, struct err *e)
{
	size_t start = 0;
	int rc;

	for (;;) {
		size_t i = start;
		char esc[2] = { '\\', 0 };

		/* a run of bytes that stand for themselves: one copy */
		while (i < n && escape_of[(unsigned char)s[i]] == 0)
			i++;
		rc = buf_add(b, s + start, i - start, e);
		if (rc != 0 || i == n)
			return rc;
		esc[1] = escape_of[(unsigned char)s[i]];
		rc = buf_add(b, esc, 2, e);
		if (rc != 0)
			return rc;
		start = i + 1;
	}
}
