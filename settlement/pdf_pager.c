/* pdf_pager.c: page breaking of a PDF statement's line table (pdf_pager.h). */
#include "pdf_pager.h"

#include <inttypes.h>
#include <string.h>

void pdf_pager_init(struct pdf_pager *p, const struct pdf_pager_geom *g, int64_t rows)
{
	memset(p, 0, sizeof(*p));
	p->g = *g;
	p->rows = rows;
}

int pdf_pager_place(struct pdf_pager *p, double h, int *page, double *y, bool *new_page,
		    struct err *e)
{
	bool last = p->placed + 1 == p->rows;
	/* what must fit below the row's top on its page */
	double need = h + (last ? p->g.summary_h : 0);

	if (p->placed >= p->rows)
		return ERR_SET(e, ERR_USAGE, "row %" PRId64 " of a table of %" PRId64, p->placed + 1,
			       p->rows);
	*new_page = p->page == 0 || p->y + need > p->g.bottom;
	if (*new_page) {
		double top = (p->page == 0 ? p->g.first_top : p->g.top) + p->g.header_h;

		if (top + need > p->g.bottom)
			return ERR_SET(e, ERR_LIMIT, "row %" PRId64 " is higher than a page",
				       p->placed + 1);
		if (p->page >= PDF_MAX_PAGES)
			return ERR_SET(e, ERR_LIMIT, "more than %d pages", PDF_MAX_PAGES);
		p->page++;
		p->y = top;
	}
	*page = p->page;
	*y = p->y;
	p->y += h;
	p->placed++;
	return 0;
}
