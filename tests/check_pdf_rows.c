/* check_pdf_rows.c: the lines spooled for a PDF statement
 * (settlement/pdf_rows.c): records read back as written, the end of the
 * file, a record cut short is an error. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pdf_rows.h"

Suite *pdf_rows_suite(void); /* for the runner */

START_TEST(test_round_trip)
{
	struct statement_row in[2], out;
	struct buf rec, back;
	struct err e = ERR_INIT;
	FILE *fp = tmpfile();
	bool end;

	ck_assert_ptr_nonnull(fp);
	buf_init(&rec, PDF_ROW_MAX + 16);
	buf_init(&back, PDF_ROW_MAX + 16);
	memset(in, 0, sizeof(in));
	in[0] = (struct statement_row){ 7, "INV-1", "\xc3\x98ystein \xc3\x85s", "TX-1", { 0 } };
	in[0].line.kind = BOOKING_REVERSAL;
	in[0].line.booking_date = 20000;
	in[0].line.amount = 12345;
	in[0].line.payout_effect = -9876;
	in[1] = (struct statement_row){ 8, "", "M\xc3\xbcller", "", { 0 } };
	in[1].line.to_fees = 5000;
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(pdf_rows_encode(&rec, &in[i], &e), 0);
		ck_assert_uint_eq(fwrite(rec.data, 1, rec.len, fp), rec.len);
	}
	rewind(fp);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(pdf_rows_read(fp, &back, &out, &end, &e), 0);
		ck_assert(!end);
		ck_assert_int_eq(out.case_id, in[i].case_id);
		ck_assert_str_eq(out.creditor_reference, in[i].creditor_reference);
		ck_assert_str_eq(out.debtor_name, in[i].debtor_name);
		ck_assert_str_eq(out.transaction_id, in[i].transaction_id);
		ck_assert_int_eq(memcmp(&out.line, &in[i].line, sizeof(out.line)), 0);
	}
	ck_assert_int_eq(pdf_rows_read(fp, &back, &out, &end, &e), 0);
	ck_assert(end);
	/* the last record cut by one byte */
	ck_assert_int_eq(ftruncate(fileno(fp), (off_t)ftell(fp) - 1), 0);
	rewind(fp);
	ck_assert_int_eq(pdf_rows_read(fp, &back, &out, &end, &e), 0);
	ck_assert_int_eq(pdf_rows_read(fp, &back, &out, &end, &e), ERR_IO);
	ck_assert_str_eq(e.message, "the spooled lines end in the middle of a line");
	fclose(fp);
	buf_release(&rec);
	buf_release(&back);
}
END_TEST

Suite *pdf_rows_suite(void)
{
	Suite *s = suite_create("pdf_rows");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
