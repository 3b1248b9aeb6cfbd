/* Unit tests for loader/reject.c: the table of reject codes, and the
 * README's list of codes checked against it (STYLE: the list is data,
 * the README must not drift from it). Run from the top of the tree. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "reject.h"

Suite *reject_suite(void);

START_TEST(test_names)
{
	ck_assert_str_eq(reject_code_name(RC_DUPLICATE_IN_FILE), "DUPLICATE_IN_FILE");
	ck_assert_str_eq(reject_code_name(RC_REJECT_RATIO), "REJECT_RATIO");
	ck_assert_str_eq(reject_code_name(RC__COUNT), "UNKNOWN");
	ck_assert_int_eq(reject_code_parse("CASE_CLOSED"), RC_CASE_CLOSED);
	ck_assert_int_eq(reject_code_parse("case_closed"), RC__COUNT);
	ck_assert_ptr_null(reject_def(RC__COUNT));
	/* every row is filled, names are distinct and parse back */
	for (int i = 0; i < RC__COUNT; i++) {
		const struct reject_def *d = reject_def((enum reject_code)i);

		ck_assert_ptr_nonnull(d->name);
		ck_assert_ptr_nonnull(d->spec);
		ck_assert_ptr_nonnull(d->meaning);
		ck_assert_int_eq(reject_code_parse(d->name), i);
	}
	ck_assert_int_eq(reject_def(RC_FILE_DTD)->origin, ORIGIN_FILE);
	ck_assert_int_eq(reject_def(RC_UNKNOWN_CASE)->origin, ORIGIN_DATABASE);
	ck_assert_int_eq(reject_def(RC_BAD_RECORD)->origin, ORIGIN_RECORD);
	ck_assert_int_eq(reject_def(RC_BAD_ID)->origin, ORIGIN_FIELD);
}
END_TEST

static const char *origin_word(enum reject_origin o)
{
	switch (o) {
	case ORIGIN_FIELD: return "validator";
	case ORIGIN_RECORD: return "decoder";
	case ORIGIN_DATABASE: return "database";
	case ORIGIN_FILE: return "file";
	}
	return "?";
}

START_TEST(test_readme_list)
{
	FILE *f = fopen("README.md", "r");
	char line[512];
	int next = 0;
	bool in_list = false;

	ck_assert_msg(f != NULL, "README.md not found (run from the top of the tree)");
	while (fgets(line, sizeof(line), f) != NULL) {
		char want[512];
		const struct reject_def *d;

		if (strncmp(line, "### Reject codes", 16) == 0) {
			in_list = true;
			continue;
		}
		if (in_list && next > 0 && strncmp(line, "| ", 2) != 0)
			break; /* the end of the table */
		if (!in_list || strncmp(line, "| ", 2) != 0 || strncmp(line, "| code ", 7) == 0)
			continue;
		ck_assert_msg(next < RC__COUNT, "README lists more codes than reject.c: %s", line);
		d = reject_def((enum reject_code)next);
		snprintf(want, sizeof(want), "| %s | %s | %s | %s |\n", d->name, origin_word(d->origin), d->spec,
			 d->meaning);
		ck_assert_str_eq(line, want);
		next++;
	}
	fclose(f);
	ck_assert_msg(next == RC__COUNT, "README lists %d codes, reject.c %d", next, RC__COUNT);
}
END_TEST

Suite *reject_suite(void)
{
	Suite *s = suite_create("reject");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_readme_list);
	suite_add_tcase(s, tc);
	return s;
}
