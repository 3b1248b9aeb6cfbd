/* pdf_rows.h: the lines of a statement spooled for its PDF. The PDF needs
 * its page count before its first page ("page N of M"), so it is made in
 * two passes over the lines (count the pages, then draw them); the lines
 * are not held in memory but written to a temporary file as they are
 * booked or read back from statement_lines, one record each, and read
 * twice. The records live only as long as the run, in the process that
 * wrote them: the struct booking_line is written as it is in memory. */
#ifndef SETTLEMENT_PDF_ROWS_H
#define SETTLEMENT_PDF_ROWS_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "err.h"
#include "statement.h"

/* Largest record (three texts of a line and the numbers). */
#define PDF_ROW_MAX ((size_t)64 * 1024)

/* Append the record of row to b (b is reset first). */
int pdf_rows_encode(struct buf *b, const struct statement_row *row, struct err *e);

/* Read the next record of fp into b and row (whose texts point into b);
 * *end at the end of the file. ERR_IO on a read error or a cut record. */
int pdf_rows_read(FILE *fp, struct buf *b, struct statement_row *row, bool *end,
		  struct err *e);

#endif
