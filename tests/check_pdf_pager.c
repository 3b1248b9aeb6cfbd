/* check_pdf_pager.c: page breaking of the PDF statements' line table
 * (settlement/pdf_pager.c), in round numbers: page 1's table starts at
 * 100, later pages' at 20, the header row is 10 high, rows end at 500, so
 * page 1 holds (500 - 110) / 10 = 39 rows of 10 and later pages
 * (500 - 30) / 10 = 47; the summary (60) goes with the last row. */
#include <check.h>

#include "pdf_pager.h"

Suite *pdf_pager_suite(void); /* for the runner */

static const struct pdf_pager_geom geom = { 100, 20, 500, 10, 60 };

/* The page of each of n rows of height h; returns the last page. */
static int place_all(int64_t n, double h, int *first_of_page, int max)
{
	struct pdf_pager p;
	struct err e = ERR_INIT;
	int page = 0, k = 0;
	double y;
	bool new_page;

	pdf_pager_init(&p, &geom, n);
	for (int64_t i = 0; i < n; i++) {
		ck_assert_int_eq(pdf_pager_place(&p, h, &page, &y, &new_page, &e), 0);
		if (new_page && k < max)
			first_of_page[k++] = (int)i;
		ck_assert(y + h <= geom.bottom);
	}
	return page;
}

START_TEST(test_capacity)
{
	int first[8];

	/* 39 rows on page 1, the summary too: 110 + 390 = 500 leaves no room
	 * for it, so the 39th (last) row moves to page 2 */
	ck_assert_int_eq(place_all(39, 10, first, 8), 2);
	ck_assert_int_eq(first[1], 38);
	/* 33 rows: 110 + 330 + 60 = 500, exactly on page 1 */
	ck_assert_int_eq(place_all(33, 10, first, 8), 1);
	/* 34 rows: the last with the summary needs 110 + 340 + 60 > 500 */
	ck_assert_int_eq(place_all(34, 10, first, 8), 2);
	ck_assert_int_eq(first[1], 33);
	/* 39 + 47 + 47 rows, the last page's last row with the summary:
	 * 39 on 1, 47 on 2, 47 on 3 would end at 30 + 470 = 500, so the last
	 * row goes to page 4 */
	ck_assert_int_eq(place_all(39 + 47 + 47, 10, first, 8), 4);
	ck_assert_int_eq(first[1], 39);
	ck_assert_int_eq(first[2], 86);
	ck_assert_int_eq(first[3], 132);
	/* 39 + 47 + 41 rows: page 3 ends at 30 + 410 + 60 = 500 */
	ck_assert_int_eq(place_all(39 + 47 + 41, 10, first, 8), 3);
}
END_TEST

/* Rows of different heights: a tall row that does not fit starts a page. */
START_TEST(test_heights)
{
	struct pdf_pager p;
	struct err e = ERR_INIT;
	int page;
	double y;
	bool np;

	pdf_pager_init(&p, &geom, 4);
	ck_assert_int_eq(pdf_pager_place(&p, 380, &page, &y, &np, &e), 0);
	ck_assert(np);
	ck_assert_int_eq(page, 1);
	ck_assert_double_eq(y, 110);
	ck_assert_int_eq(pdf_pager_place(&p, 10, &page, &y, &np, &e), 0);
	ck_assert(!np);
	ck_assert_double_eq(y, 490);
	ck_assert_int_eq(pdf_pager_place(&p, 20, &page, &y, &np, &e), 0);
	ck_assert(np);
	ck_assert_int_eq(page, 2);
	ck_assert_double_eq(y, 30);
	ck_assert_int_eq(pdf_pager_place(&p, 10, &page, &y, &np, &e), 0);
	ck_assert(!np);
	ck_assert_double_eq(y, 50);
	/* a fifth row of a table of four */
	ck_assert_int_eq(pdf_pager_place(&p, 10, &page, &y, &np, &e), ERR_USAGE);
}
END_TEST

START_TEST(test_too_high)
{
	struct pdf_pager p;
	struct err e = ERR_INIT;
	int page;
	double y;
	bool np;

	/* a row higher than a later page holds */
	pdf_pager_init(&p, &geom, 3);
	ck_assert_int_eq(pdf_pager_place(&p, 10, &page, &y, &np, &e), 0);
	ck_assert_int_eq(pdf_pager_place(&p, 471, &page, &y, &np, &e), ERR_LIMIT);
	/* the last row with the summary: 30 + 411 + 60 > 500 */
	pdf_pager_init(&p, &geom, 2);
	ck_assert_int_eq(pdf_pager_place(&p, 10, &page, &y, &np, &e), 0);
	ck_assert_int_eq(pdf_pager_place(&p, 411, &page, &y, &np, &e), ERR_LIMIT);
}
END_TEST

Suite *pdf_pager_suite(void)
{
	Suite *s = suite_create("pdf_pager");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_capacity);
	tcase_add_test(tc, test_heights);
	tcase_add_test(tc, test_too_high);
	suite_add_tcase(s, tc);
	return s;
}
