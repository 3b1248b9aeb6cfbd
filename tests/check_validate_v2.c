/* Unit tests for loader/validate.c, the v2 fields of SPEC 5.1 and the
 * event files of SPEC 16: notice_date (NO_NOTICE where the country has
 * notice_required = yes, BAD_DATE elsewhere and for a value that is not a
 * date), request_notice (no reminder and no notice required), each with the
 * exact code and field.
 *
 * validate_test.h's configuration, with Denmark requiring a notice as
 * SPEC 3 says (notice_required = yes), Sweden and Norway a reminder only,
 * Switzerland neither. As-of 2026-09-30; the base cases are due 2026-07-31
 * (SE, DK) and 2026-08-31 (CH). */
#include "validate_test.h"

Suite *validate_v2_suite(void); /* for the runner */

static void setup_v2(void)
{
	setup();
	for (int i = 0; i < conf.ncountries; i++)
		if (strcmp(conf.countries[i].code, "DK") == 0)
			conf.countries[i].notice_required = true;
}

/* The Swedish base case as a Danish one (creditor D1), reminder
 * 2026-08-15, notice_date and request_notice as given. */
static struct record *case_dk(const char *notice, const char *request)
{
	case_with(case_se, CF_CREDITOR_ID, "D1", CF_CURRENCY, "DKK");
	put(CF_DEBTOR_COUNTRY, "DK");
	put(CF_DEBTOR_POSTAL_CODE, "2100");
	put(CF_NOTICE_DATE, notice);
	return put(CF_REQUEST_NOTICE, request);
}

/* Exactly two errors, in this order. */
static void case_two(struct record *r, enum reject_code c1, int f1, enum reject_code c2, int f2, const char *what)
{
	const enum reject_code codes[2] = { c1, c2 };
	const int fields[2] = { f1, f2 };

	validate_case(&vctx, r, &verdict);
	expect_items(&verdict, 2, codes, fields, what);
}

START_TEST(test_notice_dk)
{
	/* Denmark: a notice not before the reminder (2026-08-15), not after as-of */
	case_ok(case_dk("2026-08-15", ABSENT), "DK notice on the reminder date");
	case_ok(case_dk(AS_OF, ABSENT), "DK notice on as-of");
	case_only(case_dk(ABSENT, ABSENT), RC_NO_NOTICE, CF_NOTICE_DATE, "DK without notice_date column");
	case_only(case_dk("", ABSENT), RC_NO_NOTICE, CF_NOTICE_DATE, "DK empty notice_date");
	case_only(case_dk("  ", "false"), RC_NO_NOTICE, CF_NOTICE_DATE, "DK blank notice_date");
	case_only(case_dk("2026-08-14", ABSENT), RC_NO_NOTICE, CF_NOTICE_DATE, "DK notice before the reminder");
	case_only(case_dk("2026-10-01", ABSENT), RC_NO_NOTICE, CF_NOTICE_DATE, "DK notice after as-of");
	/* not a date at all: BAD_DATE (SPEC 16), also where it is required */
	case_only(case_dk("2026-02-30", ABSENT), RC_BAD_DATE, CF_NOTICE_DATE, "DK notice not a date");
	case_only(case_dk("15.08.2026", ABSENT), RC_BAD_DATE, CF_NOTICE_DATE, "DK notice in another format");
	/* no reminder in range: the notice is compared with the due date */
	put(CF_NOTICE_DATE, "2026-08-01");
	case_only(put(CF_REMINDER_DATE, ABSENT), RC_NO_REMINDER, CF_REMINDER_DATE, "DK without reminder");
	case_dk("2026-07-30", ABSENT);
	case_two(put(CF_REMINDER_DATE, ""), RC_NO_REMINDER, CF_REMINDER_DATE, RC_NO_NOTICE, CF_NOTICE_DATE,
		 "DK notice before the due date, no reminder");
	/* a reminder out of range is its own error; the notice then only
	 * needs to be on or after the due date */
	case_dk("2026-07-31", ABSENT);
	case_only(put(CF_REMINDER_DATE, "2026-07-30"), RC_NO_REMINDER, CF_REMINDER_DATE,
		  "DK reminder before due, notice on the due date");
}
END_TEST

START_TEST(test_notice_by_country)
{
	/* Switzerland requires neither: a bad notice_date is BAD_DATE, none is fine */
	case_ok(case_with(case_ch, CF_NOTICE_DATE, "2026-09-10", -1, NULL), "CH notice");
	case_ok(case_with(case_ch, CF_NOTICE_DATE, "", -1, NULL), "CH empty notice");
	case_only(case_with(case_ch, CF_NOTICE_DATE, "2026-08-30", -1, NULL), RC_BAD_DATE, CF_NOTICE_DATE,
		  "CH notice before due");
	case_only(case_with(case_ch, CF_NOTICE_DATE, "2026-10-01", -1, NULL), RC_BAD_DATE, CF_NOTICE_DATE,
		  "CH notice after as-of");
	case_only(case_with(case_ch, CF_NOTICE_DATE, "soon", -1, NULL), RC_BAD_DATE, CF_NOTICE_DATE,
		  "CH notice not a date");
	/* Sweden requires a reminder, not a notice: the notice is compared
	 * with the reminder (2026-08-15) */
	case_ok(case_with(case_se, CF_NOTICE_DATE, ABSENT, -1, NULL), "SE without notice");
	case_ok(case_with(case_se, CF_NOTICE_DATE, "2026-08-20", -1, NULL), "SE notice");
	case_only(case_with(case_se, CF_NOTICE_DATE, "2026-08-01", -1, NULL), RC_BAD_DATE, CF_NOTICE_DATE,
		  "SE notice before the reminder");
	/* Norway alike */
	case_with(case_se, CF_CREDITOR_ID, "N1", CF_CURRENCY, "NOK");
	put(CF_DEBTOR_COUNTRY, "NO");
	put(CF_DEBTOR_POSTAL_CODE, "0150");
	case_ok(&rec, "NO without notice");
}
END_TEST

START_TEST(test_request_notice)
{
	static const char *const yes[] = { "true", "TRUE", "yes", "Yes", "1" };
	static const char *const no[] = { "false", "no", "0", "" };

	/* the agency sends reminder and notice: neither is required */
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		case_dk(ABSENT, yes[i]);
		case_ok(put(CF_REMINDER_DATE, ABSENT), yes[i]);
		ck_assert_int_eq(verdict.num[CF_REQUEST_NOTICE], 1);
	}
	case_with(case_se, CF_REQUEST_NOTICE, "true", CF_REMINDER_DATE, "");
	case_ok(&rec, "SE requested, no reminder");
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		case_only(case_dk(ABSENT, no[i]), RC_NO_NOTICE, CF_NOTICE_DATE, no[i]);
		ck_assert_int_eq(verdict.num[CF_REQUEST_NOTICE], 0);
	}
	case_ok(case_dk("2026-08-20", ABSENT), "DK notice, no request_notice");
	ck_assert_int_eq(verdict.num[CF_REQUEST_NOTICE], 0);
	/* not a boolean: BAD_FORMAT, and the requirements stay */
	case_only(case_dk("2026-08-20", "maybe"), RC_BAD_FORMAT, CF_REQUEST_NOTICE, "request_notice maybe");
	case_two(case_dk(ABSENT, "ja"), RC_NO_NOTICE, CF_NOTICE_DATE, RC_BAD_FORMAT, CF_REQUEST_NOTICE,
		 "request_notice ja, no notice");
	/* dates given although requested are still checked, as BAD_DATE */
	case_only(case_dk("2026-10-01", "true"), RC_BAD_DATE, CF_NOTICE_DATE, "requested, notice after as-of");
	case_dk(ABSENT, "true");
	case_only(put(CF_REMINDER_DATE, "2026-07-30"), RC_BAD_DATE, CF_REMINDER_DATE, "requested, reminder before due");
	case_dk(ABSENT, "true");
	case_only(put(CF_REMINDER_DATE, "x"), RC_BAD_DATE, CF_REMINDER_DATE, "requested, reminder not a date");
}
END_TEST

START_TEST(test_notice_generic_checks)
{
	char big[RECORD_FIELD_MAX_BYTES + 2];

	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	case_only(case_dk(big, ABSENT), RC_FIELD_TOO_LONG, CF_NOTICE_DATE, "DK notice too long");
	case_only(case_dk("2026-08-2\xff", ABSENT), RC_BAD_ENCODING, CF_NOTICE_DATE, "DK notice not UTF-8");
	case_only(case_dk("2026-08-20", "tr\xc3"), RC_BAD_ENCODING, CF_REQUEST_NOTICE, "request_notice not UTF-8");
	/* trimmed like every value */
	case_ok(case_dk(" 2026-08-20\t", " yes "), "padded");
	ck_assert_str_eq(record_value(&rec, CF_NOTICE_DATE), "2026-08-20");
}
END_TEST

/* ---- event files (SPEC 16) ---- */

static const char *const event_base[EF__COUNT] = {
	[EF_CREDITOR_ID] = "C1",
	[EF_CREDITOR_REFERENCE] = "C1-1001",
	[EF_EVENT_ID] = "EV-1",
	[EF_STAGE] = "legal",
	[EF_EVENT_DATE] = "2026-09-01",
};

static struct record *event_with(int f, const char *v)
{
	const char *vals[EF__COUNT];

	memcpy(vals, event_base, sizeof(vals));
	if (f >= 0)
		vals[f] = v;
	fill(&rec, KIND_EVENTS, vals, EF__COUNT);
	return &rec;
}

static void event_only(struct record *r, enum reject_code code, int field, const char *what)
{
	validate_event(&vctx, r, &verdict);
	expect_items(&verdict, 1, &code, &field, what);
}

START_TEST(test_events)
{
	static const char *const stages[] = { "notice", "collection", "legal", "surveillance" };

	for (size_t i = 0; i < 4; i++) {
		validate_event(&vctx, event_with(EF_STAGE, stages[i]), &verdict);
		expect_items(&verdict, 0, NULL, NULL, stages[i]);
		ck_assert(verdict.key_ok && verdict.txid_ok);
	}
	validate_event(&vctx, event_with(EF_EVENT_DATE, AS_OF), &verdict);
	expect_items(&verdict, 0, NULL, NULL, "on as-of");
	event_only(event_with(EF_STAGE, "Legal"), RC_BAD_FORMAT, EF_STAGE, "stage in another case");
	event_only(event_with(EF_STAGE, "enforcement"), RC_BAD_FORMAT, EF_STAGE, "unknown stage");
	event_only(event_with(EF_STAGE, ""), RC_MISSING_FIELD, EF_STAGE, "no stage");
	event_only(event_with(EF_EVENT_DATE, "2026-10-01"), RC_BAD_DATE, EF_EVENT_DATE, "after as-of");
	event_only(event_with(EF_EVENT_DATE, "2026-09-31"), RC_BAD_DATE, EF_EVENT_DATE, "not a date");
	event_only(event_with(EF_EVENT_DATE, ABSENT), RC_MISSING_FIELD, EF_EVENT_DATE, "no date");
	event_only(event_with(EF_EVENT_ID, ""), RC_MISSING_FIELD, EF_EVENT_ID, "no event_id");
	ck_assert(!verdict.txid_ok);
	event_only(event_with(EF_EVENT_ID, "EV\x1b" "1"), RC_BAD_FORMAT, EF_EVENT_ID, "control character");
	ck_assert(!verdict.txid_ok);
	event_only(event_with(EF_CREDITOR_ID, "C2"), RC_UNKNOWN_CREDITOR, EF_CREDITOR_ID, "inactive creditor");
	ck_assert(!verdict.key_ok && !verdict.txid_ok);
	vctx.creditor_filter = "S1";
	event_only(event_with(-1, NULL), RC_CREDITOR_MISMATCH, EF_CREDITOR_ID, "--creditor S1");
}
END_TEST

Suite *validate_v2_suite(void)
{
	Suite *s = suite_create("validate_v2");
	TCase *tc_case = tcase_create("case_v2");

	tcase_add_checked_fixture(tc_case, setup_v2, teardown);
	tcase_add_test(tc_case, test_notice_dk);
	tcase_add_test(tc_case, test_notice_by_country);
	tcase_add_test(tc_case, test_request_notice);
	tcase_add_test(tc_case, test_notice_generic_checks);
	tcase_add_test(tc_case, test_events);
	suite_add_tcase(s, tc_case);
	return s;
}
