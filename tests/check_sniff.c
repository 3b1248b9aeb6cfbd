/* Unit tests for loader/sniff.c: what the first bytes say (issue 10,
 * finding 11): CSV or XML, UTF-16/32 refused, an XML declaration of
 * another encoding refused, a file of NUL bytes left to the decoders. */
#include <check.h>
#include <string.h>

#include "sniff.h"

Suite *sniff_suite(void);

static enum reject_code sniff(const char *head, size_t n, bool *xml, char *msg)
{
	return sniff_head(head, n, xml, msg, 256);
}

START_TEST(test_kinds)
{
	bool xml = true;
	char msg[256];

	ck_assert_int_eq(sniff("creditor_id,x\n", 14, &xml, msg), RC__COUNT);
	ck_assert(!xml);
	ck_assert_int_eq(sniff(" \r\n\t<caseFile/>", 15, &xml, msg), RC__COUNT);
	ck_assert(xml);
	ck_assert_int_eq(sniff("", 0, &xml, msg), RC__COUNT);
	ck_assert(!xml);
	/* NUL bytes alone (a gzip bomb of zeros) are not UTF-16 */
	ck_assert_int_eq(sniff("\0\0\0\0\0\0", 6, &xml, msg), RC__COUNT);
}
END_TEST

START_TEST(test_utf16)
{
	bool xml;
	char msg[256];

	ck_assert_int_eq(sniff("\xff\xfe" "c\0r\0", 6, &xml, msg), RC_FILE_MALFORMED);
	ck_assert_ptr_nonnull(strstr(msg, "UTF-16"));
	ck_assert_ptr_nonnull(strstr(msg, "iconv -f UTF-16 -t UTF-8"));
	ck_assert_int_eq(sniff("\xfe\xff\0c\0r", 6, &xml, msg), RC_FILE_MALFORMED);
	ck_assert_int_eq(sniff("c\0r\0e\0", 6, &xml, msg), RC_FILE_MALFORMED);   /* LE, no BOM */
	ck_assert_int_eq(sniff("\0c\0r\0e", 6, &xml, msg), RC_FILE_MALFORMED);   /* BE, no BOM */
	ck_assert_int_eq(sniff("\0\0\0<", 4, &xml, msg), RC_FILE_MALFORMED);     /* UTF-32 BE */
	ck_assert_int_eq(sniff("<\0\0\0", 4, &xml, msg), RC_FILE_MALFORMED);     /* UTF-32 LE */
}
END_TEST

START_TEST(test_xml_declaration)
{
	static const char latin[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<caseFile/>";
	static const char single[] = "<?xml version='1.0' encoding = 'windows-1252' ?><caseFile/>";
	bool xml;
	char msg[256];

	ck_assert_int_eq(sniff(latin, sizeof(latin) - 1, &xml, msg), RC_FILE_MALFORMED);
	ck_assert_str_eq(msg, "the XML declaration names the encoding 'ISO-8859-1', but only UTF-8 is accepted: "
			      "convert the file (e.g. iconv -f ISO-8859-1 -t UTF-8) and declare encoding=\"UTF-8\"");
	ck_assert_int_eq(sniff(single, sizeof(single) - 1, &xml, msg), RC_FILE_MALFORMED);
	ck_assert_ptr_nonnull(strstr(msg, "'windows-1252'"));
	ck_assert_int_eq(sniff("<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>", 42, &xml, msg), RC__COUNT);
	ck_assert_int_eq(sniff("<?xml version=\"1.0\" encoding=\"US-ASCII\"?><a/>", 45, &xml, msg), RC__COUNT);
	ck_assert_int_eq(sniff("<?xml version=\"1.0\"?><a encoding=\"x\"/>", 38, &xml, msg), RC__COUNT);
	ck_assert(xml);
}
END_TEST

Suite *sniff_suite(void)
{
	Suite *s = suite_create("sniff");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_kinds);
	tcase_add_test(tc, test_utf16);
	tcase_add_test(tc, test_xml_declaration);
	suite_add_tcase(s, tc);
	return s;
}
