/* pdf_rows.c: a statement's lines spooled for its PDF (pdf_rows.h). */
#include "pdf_rows.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

/* A record: this header, then the three texts, each without its NUL. */
struct row_head {
	uint32_t len[3]; /* creditor_reference, debtor_name, transaction_id */
	int64_t case_id;
	struct booking_line line;
};

int pdf_rows_encode(struct buf *b, const struct statement_row *row, struct err *e)
{
	const char *text[3] = { row->creditor_reference, row->debtor_name, row->transaction_id };
	struct row_head h;
	size_t total = sizeof(h);
	int rc;

	memset(&h, 0, sizeof(h));
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(text[i]);

		if (n > PDF_ROW_MAX)
			return ERR_SET(e, ERR_LIMIT, "a text of a line is longer than %zu bytes",
				       PDF_ROW_MAX);
		h.len[i] = (uint32_t)n;
		total += n;
	}
	if (total > PDF_ROW_MAX)
		return ERR_SET(e, ERR_LIMIT, "a line is longer than %zu bytes", PDF_ROW_MAX);
	h.case_id = row->case_id;
	h.line = row->line;
	buf_reset(b);
	rc = buf_add(b, &h, sizeof(h), e);
	for (int i = 0; i < 3 && rc == 0; i++)
		rc = buf_add(b, text[i], h.len[i], e);
	return rc;
}

static int read_exact(FILE *fp, void *dst, size_t n, bool *end, struct err *e)
{
	size_t got = fread(dst, 1, n, fp);

	if (got == n)
		return 0;
	if (ferror(fp))
		return ERR_SET(e, ERR_IO, "cannot read the spooled lines: %s", strerror(errno));
	if (got == 0 && end != NULL) {
		*end = true;
		return 0;
	}
	return ERR_SET(e, ERR_IO, "the spooled lines end in the middle of a line");
}

int pdf_rows_read(FILE *fp, struct buf *b, struct statement_row *row, bool *end,
		  struct err *e)
{
	struct row_head h;
	size_t total;
	size_t off;
	int rc;

	*end = false;
	rc = read_exact(fp, &h, sizeof(h), end, e);
	if (rc != 0 || *end)
		return rc;
	total = (size_t)h.len[0] + h.len[1] + h.len[2];
	if (total > PDF_ROW_MAX)
		return ERR_SET(e, ERR_IO, "the spooled lines are damaged");
	/* three texts, each followed by a NUL of its own */
	buf_reset(b);
	rc = buf_reserve(b, total + 3, e);
	if (rc != 0)
		return rc;
	off = 0;
	for (int i = 0; i < 3 && rc == 0; i++) {
		rc = read_exact(fp, b->data + off, h.len[i], NULL, e);
		b->data[off + h.len[i]] = '\0';
		off += h.len[i] + 1;
	}
	if (rc != 0)
		return rc;
	b->len = off - 1;
	memset(row, 0, sizeof(*row));
	row->case_id = h.case_id;
	row->line = h.line;
	row->creditor_reference = b->data;
	row->debtor_name = b->data + h.len[0] + 1;
	row->transaction_id = b->data + h.len[0] + 1 + h.len[1] + 1;
	return 0;
}
