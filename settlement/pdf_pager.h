/* pdf_pager.h: where the rows of a PDF statement's line table go (SPEC
 * 15): page breaking as arithmetic over row heights, so that the number of
 * pages is known before the first page is drawn ("page N of M") and the
 * drawing pass puts every row where the counting pass did. Pure: no font,
 * no cairo.
 *
 * Page 1 starts its table lower (below the statement's heading); every
 * page has the table's header row at its top, then rows, each whole on one
 * page, down to the bottom. The last row shares its page with the summary
 * (totals and where the money goes): when both do not fit, the last row
 * moves to a new page, so that no page holds the summary without a row of
 * the table and its header. */
#ifndef SETTLEMENT_PDF_PAGER_H
#define SETTLEMENT_PDF_PAGER_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* Most pages of one statement (about 2,300,000 lines). */
#define PDF_MAX_PAGES 50000

/* Vertical geometry of the table pages, in points, y down from the top. */
struct pdf_pager_geom {
	double first_top; /* where the table (its header row) starts on page 1 */
	double top;       /* and on the pages after it */
	double bottom;    /* where rows and the summary must end */
	double header_h;  /* the table's header row */
	double summary_h; /* what follows the last row on its page */
};

struct pdf_pager {
	struct pdf_pager_geom g;
	int64_t rows;   /* rows of the table */
	int64_t placed; /* rows placed so far */
	int page;       /* the page of the last row placed (1-based; 0 before) */
	double y;       /* where the next row would start on that page */
};

void pdf_pager_init(struct pdf_pager *p, const struct pdf_pager_geom *g, int64_t rows);

/* Place the next row, h points high: *page is its page, *y its top;
 * *new_page when it is the first row of its page (the caller draws the
 * page's frame first). ERR_LIMIT when the row (the last one with the
 * summary) is higher than an empty page holds, or past PDF_MAX_PAGES;
 * ERR_USAGE when more rows are placed than there are. */
int pdf_pager_place(struct pdf_pager *p, double h, int *page, double *y, bool *new_page,
		    struct err *e);

#endif
