/* Unit tests for common/config.c (SPEC 3).
 *
 * Each test writes an INI text to a temporary file (mkstemp), loads it and
 * checks the exact values, or that the error is ERR_CONFIG with a message
 * that names the file, the line and the key.
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "err.h"

Suite *config_suite(void);

#define TMP_PATH_MAX 64

/* Writes text to a new temporary file; its name goes to path. */
static void write_conf(char path[TMP_PATH_MAX], const char *text)
{
	size_t len = strlen(text);
	int fd;

	snprintf(path, TMP_PATH_MAX, "/tmp/check_config.XXXXXX");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp failed");
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
}

/* Loads text into c (after config_init); returns config_load's result. */
static int load_text(struct config *c, const char *text, struct err *e, char path[TMP_PATH_MAX])
{
	int rc;

	config_init(c);
	write_conf(path, text);
	rc = config_load(c, path, e);
	unlink(path);
	return rc;
}

/* Asserts that text is refused with ERR_CONFIG and a message naming the
 * file, "line <line>" (0: no line expected) and every string of must. */
static void expect_config_error(const char *text, int line, const char *must1, const char *must2)
{
	struct config c;
	struct err e = ERR_INIT;
	char path[TMP_PATH_MAX];
	char want_line[32];
	int rc = load_text(&c, text, &e, path);

	ck_assert_msg(rc == ERR_CONFIG, "rc %d for:\n%s", rc, text);
	ck_assert_int_eq(e.code, ERR_CONFIG);
	ck_assert_msg(strstr(e.message, path) != NULL, "message '%s' does not name '%s'", e.message, path);
	if (line > 0) {
		snprintf(want_line, sizeof(want_line), "line %d:", line);
		ck_assert_msg(strstr(e.message, want_line) != NULL, "message '%s' does not name %s", e.message,
			      want_line);
	}
	if (must1 != NULL)
		ck_assert_msg(strstr(e.message, must1) != NULL, "message '%s' lacks '%s'", e.message, must1);
	if (must2 != NULL)
		ck_assert_msg(strstr(e.message, must2) != NULL, "message '%s' lacks '%s'", e.message, must2);
	config_release(&c);
}

/* The example of SPEC section 3, verbatim with its comments. */
static const char spec_example[] =
	"[database]\n"
	"conninfo =                    ; optional, see above\n"
	"[loader]\n"
	"report_dir = var/reports      ; where reject reports and receipts are written\n"
	"max_reject_ratio = 1.0        ; refuse the whole batch above this share of rejected records\n"
	"max_amount = 10000000.00      ; largest original_amount accepted\n"
	"max_file_bytes = 10737418240  ; largest decompressed input accepted\n"
	"[country.CH]                  ; one section per country: CH SE NO DK (more may be added)\n"
	"currency = CHF\n"
	"reminder_required = no        ; a reminder before handover is required (NO_REMINDER)\n"
	"special_claim_types = rent,consumer_credit,energy   ; need specialised handling (SPECIAL_HANDLING)\n"
	"collection_fee = 0.00         ; charged to the debtor when the case is registered; belongs to the agency\n"
	"interest_rate_pct = 5.00      ; yearly late interest on outstanding principal, simple\n"
	"interest_days_per_year = 365  ; day-count basis of that rate: 365 or 360 (Denmark uses 360)\n"
	"vat_pct = 8.10                ; VAT on the agency's commission and withdrawal fees\n"
	"withdrawal_fee = 0.00         ; charged to the creditor when it withdraws a case\n";

START_TEST(test_defaults)
{
	struct config c;

	config_init(&c);
	ck_assert_ptr_null(c.conninfo);
	ck_assert_str_eq(c.report_dir, "../var/reports"); /* relative to the file, as SPEC 3 */
	ck_assert_str_eq(c.out_dir, "../var/statements");
	ck_assert_int_eq(c.max_reject_ratio_ppm, 1000000);
	ck_assert_int_eq(c.max_amount, 1000000000);      /* 10000000.00 */
	ck_assert_uint_eq(c.max_file_bytes, UINT64_C(10737418240));
	ck_assert_int_eq(c.ncountries, 0);
	ck_assert_ptr_null(config_country(&c, "CH"));
	config_release(&c);
}
END_TEST

START_TEST(test_spec_example)
{
	struct config c;
	struct err e = ERR_INIT;
	char path[TMP_PATH_MAX];
	const struct country_conf *ch;

	ck_assert_int_eq(load_text(&c, spec_example, &e, path), 0);
	ck_assert_int_eq(e.code, ERR_OK);
	ck_assert_str_eq(c.path, path);
	ck_assert_ptr_null(c.conninfo);
	/* SPEC 2 v2: relative to the configuration file's folder */
	ck_assert_str_eq(c.report_dir, "/tmp/var/reports");
	ck_assert_int_eq(c.max_reject_ratio_ppm, 1000000);
	ck_assert_int_eq(c.max_amount, 1000000000);
	ck_assert_uint_eq(c.max_file_bytes, UINT64_C(10737418240));
	ck_assert_int_eq(c.ncountries, 1);
	ch = config_country(&c, "CH");
	ck_assert_ptr_nonnull(ch);
	ck_assert_ptr_eq(ch, &c.countries[0]);
	ck_assert_str_eq(ch->code, "CH");
	ck_assert_str_eq(ch->currency, "CHF");
	ck_assert(!ch->reminder_required);
	/* rent = 2, consumer_credit = 3, energy = 4: 4 + 8 + 16 */
	ck_assert_uint_eq(ch->special_claim_types, 28u);
	ck_assert_uint_eq(ch->special_claim_types,
			  (1u << CLAIM_RENT) | (1u << CLAIM_CONSUMER_CREDIT) | (1u << CLAIM_ENERGY));
	ck_assert_int_eq(ch->collection_fee, 0);
	ck_assert_int_eq(ch->interest_rate_bp, 500);
	ck_assert_int_eq(ch->interest_days_per_year, 365);
	ck_assert_int_eq(ch->vat_bp, 810);
	ck_assert_int_eq(ch->withdrawal_fee, 0);
	config_release(&c);
	ck_assert_ptr_null(c.conninfo);
}
END_TEST


/* The example of SPEC section 3, version 2, verbatim with its comments. */
static const char spec_example_v2[] =
	"[database]\n"
	"conninfo =                    ; optional, see above\n"
	"[loader]\n"
	"report_dir = ../var/reports   ; where reject reports and receipts are written (v2: relative to this file's folder)\n"
	"max_reject_ratio = 1.0        ; refuse the whole batch above this share of rejected records\n"
	"max_amount = 10000000.00      ; largest original_amount accepted\n"
	"max_file_bytes = 10737418240  ; largest decompressed input accepted\n"
	"[settlement]                  ; v2\n"
	"out_dir = ../var/statements   ; default of --out (a relative --out is relative to the working directory)\n"
	"[country.CH]                  ; one section per country: CH SE NO DK (more may be added)\n"
	"currency = CHF\n"
	"reminder_required = no        ; a reminder before handover is required (NO_REMINDER)\n"
	"special_claim_types = rent,consumer_credit,energy   ; need specialised handling (SPECIAL_HANDLING)\n"
	"collection_fee = 0.00         ; charged to the debtor when the case is registered; belongs to the agency\n"
	"interest_rate_pct = 5.00      ; yearly late interest on outstanding principal, simple\n"
	"interest_days_per_year = 365  ; day-count basis of that rate: 365 or 360 (Denmark uses 360)\n"
	"vat_pct = 8.10                ; VAT on the agency's commission and withdrawal fees\n"
	"withdrawal_fee = 0.00         ; charged to the creditor when it withdraws a case\n"
	"withdrawal_fee.legal = 0.00   ; v2, optional: the fee when the case is in stage `legal` (one key per stage, section 16)\n"
	"notice_required = no          ; v2: a collection notice before handover is required (NO_NOTICE; Denmark: yes)\n"
	"payment_reference = scor      ; v2: qrr, scor, ocr, kid or fik (section 12); default scor\n"
	"[agency]                      ; v2: the agency itself, for references, payouts and PDF statements\n"
	"name = Inkasso Muster AG\n"
	"address = Bahnhofstrasse 1, 8001 Z\xc3\xbcrich\n"
	"account.CHF = CH4431999123000889012   ; the agency's collection account per currency (IBAN); one key per currency\n"
	"account.EUR = CH9300762011623852957\n"
	"bic = POFICHBEXXX\n";

START_TEST(test_spec_example_v2)
{
	struct config c;
	struct err e = ERR_INIT;
	char path[TMP_PATH_MAX];
	const struct country_conf *ch;

	ck_assert_msg(load_text(&c, spec_example_v2, &e, path) == 0, "%s", e.message);
	/* relative to the file's folder (/tmp), "dir/.." dropped */
	ck_assert_str_eq(c.report_dir, "/var/reports");
	ck_assert_str_eq(c.out_dir, "/var/statements");
	ch = config_country(&c, "CH");
	ck_assert_ptr_nonnull(ch);
	ck_assert_int_eq(ch->stage_withdrawal_fee[STAGE_LEGAL], 0);
	ck_assert_int_eq(ch->stage_withdrawal_fee[STAGE_COLLECTION], -1); /* not configured */
	ck_assert_int_eq(ch->stage_withdrawal_fee[STAGE_NOTICE], -1);
	ck_assert(!ch->notice_required);
	ck_assert_int_eq(ch->payment_reference, REF_SCOR);
	ck_assert_str_eq(c.agency.name, "Inkasso Muster AG");
	ck_assert_str_eq(c.agency.address, "Bahnhofstrasse 1, 8001 Z\xc3\xbcrich");
	ck_assert_str_eq(c.agency.bic, "POFICHBEXXX");
	ck_assert_str_eq(config_agency_account(&c, "CHF"), "CH4431999123000889012");
	ck_assert_str_eq(config_agency_account(&c, "EUR"), "CH9300762011623852957");
	ck_assert_ptr_null(config_agency_account(&c, "SEK"));
	config_release(&c);
}
END_TEST

START_TEST(test_v2_keys)
{
	struct config c;
	struct err e = ERR_INIT;
	char path[TMP_PATH_MAX];
	const struct country_conf *cc;

	ck_assert_int_eq(load_text(&c,
				   "[country.SE]\ncurrency = SEK\nwithdrawal_fee = 300.00\nwithdrawal_fee.legal = 900\n"
				   "withdrawal_fee.surveillance = 600.50\nwithdrawal_fee.notice = 0\n"
				   "payment_reference = ocr\n[country.DK]\ncurrency = DKK\nnotice_required = yes\n"
				   "payment_reference = fik\n[country.NO]\ncurrency = NOK\npayment_reference = kid\n"
				   "[settlement]\nout_dir = /srv/statements\n",
				   &e, path),
			 0);
	cc = config_country(&c, "SE");
	ck_assert_int_eq(cc->withdrawal_fee, 30000);
	ck_assert_int_eq(cc->stage_withdrawal_fee[STAGE_LEGAL], 90000);
	ck_assert_int_eq(cc->stage_withdrawal_fee[STAGE_SURVEILLANCE], 60050);
	ck_assert_int_eq(cc->stage_withdrawal_fee[STAGE_NOTICE], 0);
	ck_assert_int_eq(cc->stage_withdrawal_fee[STAGE_COLLECTION], -1);
	ck_assert_int_eq(cc->payment_reference, REF_OCR);
	ck_assert(!cc->notice_required);
	cc = config_country(&c, "DK");
	ck_assert(cc->notice_required);
	ck_assert_int_eq(cc->payment_reference, REF_FIK);
	ck_assert_int_eq(config_country(&c, "NO")->payment_reference, REF_KID);
	ck_assert_str_eq(c.out_dir, "/srv/statements"); /* absolute stays */
	config_release(&c);

	expect_config_error("[country.SE]\ncurrency = SEK\nwithdrawal_fee.court = 5\n", 3, "'withdrawal_fee.court'", NULL);
	expect_config_error("[country.SE]\ncurrency = SEK\npayment_reference = iso\n", 3, "'payment_reference'",
			    "qrr, scor, ocr, kid or fik");
	expect_config_error("[settlement]\nreport_dir = x\n", 2, "'report_dir'", "settlement");
	expect_config_error("[agency]\naccount.CHF = CH4431999123000889013\n", 2, "'account.CHF'", "IBAN");
	expect_config_error("[agency]\naccount.chf = CH4431999123000889012\n", 2, "'account.chf'", NULL);
	expect_config_error("[agency]\nbic = POFI\n", 2, "'bic'", NULL);
	expect_config_error("[agency]\niban = x\n", 2, "'iban'", "agency");
}
END_TEST

/* Relative directories are taken from the file's folder, and read without
 * "x/.." and "." (the folder need not exist). */
START_TEST(test_relative_dirs)
{
	static const struct {
		const char *value, *want;
	} cases[] = {
		{ "../var/reports", "var/reports" },
		{ "reports", "conf-test/reports" },
		{ "./a/./b/", "conf-test/a/b" },
		{ "../../x", "../x" },
		{ "../../../x/../y", "../../y" },
		{ "..", "." },
		{ "/srv//a/../b/.", "/srv/b" },
		{ "/../../a", "/a" },
	};
	struct config c;
	struct err e = ERR_INIT;
	FILE *f;

	ck_assert(mkdir("conf-test", 0700) == 0 || errno == EEXIST);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = fopen("conf-test/engine.conf", "w");
		ck_assert_ptr_nonnull(f);
		fprintf(f, "[loader]\nreport_dir = %s\n", cases[i].value);
		fclose(f);
		config_init(&c);
		ck_assert_int_eq(config_load(&c, "conf-test/engine.conf", &e), 0);
		ck_assert_msg(strcmp(c.report_dir, cases[i].want) == 0, "'%s' -> '%s', want '%s'", cases[i].value,
			      c.report_dir, cases[i].want);
		config_release(&c);
	}
	unlink("conf-test/engine.conf");
	rmdir("conf-test");
}
END_TEST

START_TEST(test_default_path)
{
	char path[CONFIG_PATH_MAX], dir[CONFIG_PATH_MAX];
	struct err e = ERR_INIT;

	/* the test runner lives in <tree>/tests/: the installation is <tree> */
	ck_assert_int_eq(config_install_dir(dir, sizeof(dir), &e), 0);
	setenv(CONFIG_ENV, "/etc/engine/engine.conf", 1);
	ck_assert_int_eq(config_default_path(path, sizeof(path), &e), 0);
	ck_assert_str_eq(path, "/etc/engine/engine.conf");
	unsetenv(CONFIG_ENV);
	ck_assert_int_eq(config_default_path(path, sizeof(path), &e), 0);
	ck_assert_int_eq(strncmp(path, dir, strlen(dir)), 0);
	ck_assert_str_eq(path + strlen(dir), "/conf/engine.conf");
}
END_TEST

START_TEST(test_four_countries)
{
	static const char text[] =
		"; comment line\n"
		"# another comment line\n"
		"\n"
		"[database]\n"
		"conninfo = host=/run/pg dbname=engine ; not the password\n"
		"[loader]\n"
		"report_dir = /srv/reports\n"
		"max_reject_ratio = 0.25\n"
		"max_amount = 5000.50\n"
		"max_file_bytes = 1048576\n"
		"[country.CH]\n"
		"currency = CHF\n"
		"collection_fee = 50.00\n"
		"[country.SE]\n"
		"currency = SEK\n"
		"reminder_required = yes\n"
		"special_claim_types = consumer_credit\n"
		"collection_fee = 180\n"
		"interest_rate_pct = 10.50\n"
		"vat_pct = 25\n"
		"[country.DK]\n"
		"currency=DKK\n"
		"reminder_required = true\n"
		"special_claim_types = rent , energy\n"
		"interest_rate_pct = 10.25\n"
		"interest_days_per_year = 360\n"
		"withdrawal_fee = 50.5\n"
		"[country.NO]\n"
		"currency = NOK\n"
		"reminder_required = false\n"
		"special_claim_types =\n"
		"[country.CH]\n"
		"withdrawal_fee = 25.00\n";
	struct config c;
	struct err e = ERR_INIT;
	char path[TMP_PATH_MAX];
	const struct country_conf *cc;

	ck_assert_int_eq(load_text(&c, text, &e, path), 0);
	ck_assert_str_eq(c.conninfo, "host=/run/pg dbname=engine");
	ck_assert_str_eq(c.report_dir, "/srv/reports");
	ck_assert_int_eq(c.max_reject_ratio_ppm, 250000);
	ck_assert_int_eq(c.max_amount, 500050);
	ck_assert_uint_eq(c.max_file_bytes, 1048576);
	ck_assert_int_eq(c.ncountries, 4); /* a repeated section adds to the first */

	cc = config_country(&c, "CH");
	ck_assert_ptr_nonnull(cc);
	ck_assert_str_eq(cc->currency, "CHF");
	ck_assert_int_eq(cc->collection_fee, 5000);
	ck_assert_int_eq(cc->withdrawal_fee, 2500);
	ck_assert_int_eq(cc->interest_days_per_year, 365); /* default */
	ck_assert_int_eq(cc->interest_rate_bp, 0);
	ck_assert_uint_eq(cc->special_claim_types, 0u);
	ck_assert(!cc->reminder_required);

	cc = config_country(&c, "SE");
	ck_assert_ptr_nonnull(cc);
	ck_assert_str_eq(cc->code, "SE");
	ck_assert_str_eq(cc->currency, "SEK");
	ck_assert(cc->reminder_required);
	ck_assert_uint_eq(cc->special_claim_types, 1u << CLAIM_CONSUMER_CREDIT);
	ck_assert_int_eq(cc->collection_fee, 18000);
	ck_assert_int_eq(cc->interest_rate_bp, 1050);
	ck_assert_int_eq(cc->vat_bp, 2500);

	cc = config_country(&c, "DK");
	ck_assert_ptr_nonnull(cc);
	ck_assert_str_eq(cc->currency, "DKK");
	ck_assert(cc->reminder_required);
	ck_assert_uint_eq(cc->special_claim_types, (1u << CLAIM_RENT) | (1u << CLAIM_ENERGY));
	ck_assert_int_eq(cc->interest_rate_bp, 1025);
	ck_assert_int_eq(cc->interest_days_per_year, 360);
	ck_assert_int_eq(cc->withdrawal_fee, 5050);

	cc = config_country(&c, "NO");
	ck_assert_ptr_nonnull(cc);
	ck_assert_str_eq(cc->currency, "NOK");
	ck_assert(!cc->reminder_required);
	ck_assert_uint_eq(cc->special_claim_types, 0u);

	ck_assert_ptr_null(config_country(&c, "FI"));
	ck_assert_ptr_null(config_country(&c, "ch"));
	ck_assert_ptr_null(config_country(&c, ""));
	config_release(&c);
	ck_assert_ptr_null(c.conninfo);
}
END_TEST

START_TEST(test_ratio_values)
{
	static const struct {
		const char *text;
		int64_t ppm;
	} ok[] = {
		{ "0", 0 }, { "1", 1000000 }, { "0.5", 500000 }, { "0.000001", 1 },
		{ "1.000000", 1000000 }, { "0.05", 50000 }, { "1.0", 1000000 },
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[128];
		struct config c;
		struct err e = ERR_INIT;
		char path[TMP_PATH_MAX];

		snprintf(text, sizeof(text), "[loader]\nmax_reject_ratio = %s\n", ok[i].text);
		ck_assert_msg(load_text(&c, text, &e, path) == 0, "'%s': %s", ok[i].text, e.message);
		ck_assert_int_eq(c.max_reject_ratio_ppm, ok[i].ppm);
		config_release(&c);
	}
}
END_TEST

START_TEST(test_inline_comments)
{
	struct config c;
	struct err e = ERR_INIT;
	char path[TMP_PATH_MAX];

	ck_assert_int_eq(load_text(&c,
				   "[country.NO] ; Norway\n"
				   "currency = NOK ; kroner\n"
				   "vat_pct = 25.00\t; tab before the comment\n"
				   "; vat_pct = 99\n"
				   "# vat_pct = 98\n",
				   &e, path),
			 0);
	ck_assert_int_eq(c.ncountries, 1);
	ck_assert_str_eq(c.countries[0].currency, "NOK");
	ck_assert_int_eq(c.countries[0].vat_bp, 2500);
	config_release(&c);

	/* Without a space before it, ';' is part of the value: not a number. */
	expect_config_error("[country.NO]\ncurrency = NOK\nvat_pct = 25.00;x\n", 3, "'vat_pct'", NULL);
}
END_TEST

START_TEST(test_unknown_section)
{
	expect_config_error("[loader]\nmax_amount = 10.00\n[bogus]\nkey = 1\n", 4, "bogus", "'key'");
	expect_config_error("[Loader]\nmax_amount = 10.00\n", 2, "Loader", "'max_amount'");
	expect_config_error("max_amount = 10.00\n", 1, "'max_amount'", NULL); /* before any section */
	expect_config_error("[country.ch]\ncurrency = CHF\n", 2, "country.ch", NULL);
	expect_config_error("[country.CHE]\ncurrency = CHF\n", 2, "country.CHE", NULL);
	expect_config_error("[country.]\ncurrency = CHF\n", 2, "country.", NULL);
	expect_config_error("[country]\ncurrency = CHF\n", 2, "country", "'currency'");
}
END_TEST

START_TEST(test_unknown_key)
{
	expect_config_error("[loader]\nreport_dir = x\nmax_rejects = 1\n", 3, "'max_rejects'", "loader");
	expect_config_error("[database]\nhost = db\n", 2, "'host'", "database");
	expect_config_error("[database]\nconninfo = x\n[country.CH]\ncurrency = CHF\nvat = 8.10\n", 5,
			    "'vat'", "country.CH");
	/* Key names are exact. */
	expect_config_error("[country.CH]\nCurrency = CHF\n", 2, "'Currency'", NULL);
	/* A loader key in a country section and the reverse. */
	expect_config_error("[country.CH]\ncurrency = CHF\nmax_amount = 5.00\n", 3, "'max_amount'", NULL);
	expect_config_error("[loader]\ncurrency = CHF\n", 2, "'currency'", NULL);
}
END_TEST

START_TEST(test_bad_values)
{
	static const struct {
		const char *line;
		const char *key;
	} country_bad[] = {
		{ "interest_days_per_year = 364", "interest_days_per_year" },
		{ "interest_days_per_year = 365.0", "interest_days_per_year" },
		{ "vat_pct = abc", "vat_pct" },
		{ "vat_pct = 100.01", "vat_pct" },
		{ "vat_pct = 8,10", "vat_pct" },
		{ "interest_rate_pct = -1", "interest_rate_pct" },
		{ "interest_rate_pct = 5.001", "interest_rate_pct" },
		{ "reminder_required = maybe", "reminder_required" },
		{ "reminder_required =", "reminder_required" },
		{ "special_claim_types = rent,bogus", "special_claim_types" },
		{ "special_claim_types = rent,,energy", "special_claim_types" },
		{ "special_claim_types = Rent", "special_claim_types" },
		{ "collection_fee = 1e3", "collection_fee" },
		{ "collection_fee = 12.345", "collection_fee" },
		{ "collection_fee = -5.00", "collection_fee" },
		{ "withdrawal_fee = 1,000.00", "withdrawal_fee" },
		{ "withdrawal_fee =", "withdrawal_fee" },
	};
	static const struct {
		const char *line;
		const char *key;
	} loader_bad[] = {
		{ "max_reject_ratio = 1.5", "max_reject_ratio" },
		{ "max_reject_ratio = 1.000001", "max_reject_ratio" },
		{ "max_reject_ratio = -0.1", "max_reject_ratio" },
		{ "max_reject_ratio = 0.1234567", "max_reject_ratio" },
		{ "max_reject_ratio = 50%", "max_reject_ratio" },
		{ "max_reject_ratio = .5", "max_reject_ratio" },
		{ "max_reject_ratio = 1.", "max_reject_ratio" },
		{ "max_reject_ratio = 2", "max_reject_ratio" },
		{ "max_amount = 10000000,00", "max_amount" },
		{ "max_amount = NaN", "max_amount" },
		{ "max_file_bytes = 0", "max_file_bytes" },
		{ "max_file_bytes = -1", "max_file_bytes" },
		{ "max_file_bytes = 10GB", "max_file_bytes" },
		{ "max_file_bytes = 99999999999999999999999", "max_file_bytes" },
		{ "max_file_bytes = 0x10", "max_file_bytes" },
		{ "report_dir =", "report_dir" },
	};

	for (size_t i = 0; i < sizeof(country_bad) / sizeof(country_bad[0]); i++) {
		char text[256];

		/* the bad line is line 4 */
		snprintf(text, sizeof(text), "[loader]\n[country.SE]\ncurrency = SEK\n%s\nvat_pct = 25\n",
			 country_bad[i].line);
		expect_config_error(text, 4, country_bad[i].key, NULL);
	}
	for (size_t i = 0; i < sizeof(loader_bad) / sizeof(loader_bad[0]); i++) {
		char text[256];

		/* the bad line is line 3 */
		snprintf(text, sizeof(text), "[loader]\nreport_dir = r\n%s\nmax_amount = 1.00\n",
			 loader_bad[i].line);
		expect_config_error(text, 3, loader_bad[i].key, NULL);
	}
	/* Currency: three upper-case letters. */
	expect_config_error("[country.CH]\ncurrency = chf\n", 2, "'currency'", NULL);
	expect_config_error("[country.CH]\ncurrency = CHFX\n", 2, "'currency'", NULL);
	expect_config_error("[country.CH]\ncurrency =\n", 2, "'currency'", NULL);
}
END_TEST

START_TEST(test_first_error_wins)
{
	expect_config_error("[loader]\nmax_amount = x\nmax_file_bytes = y\n", 2, "'max_amount'", NULL);
}
END_TEST

START_TEST(test_not_key_value)
{
	expect_config_error("[loader]\nmax_amount 10.00\n", 2, NULL, NULL);
	expect_config_error("[loader\nmax_amount = 10.00\n", 1, NULL, NULL);
}
END_TEST

/* inih reads an indented line as a continuation of the key above it and
 * calls the handler again with it: it must not silently replace the value
 * (vat_pct would become 25.00 here). */
START_TEST(test_continuation_line)
{
	expect_config_error("[country.CH]\ncurrency = CHF\nvat_pct = 8.10\n  25.00\n", 4, "'vat_pct'", NULL);
	expect_config_error("[country.CH]\ncurrency = CHF\n    vat_pct = 8.10\n", 3, "'currency'", NULL);
	expect_config_error("[loader]\nmax_amount = 5.00\nmax_amount = 6.00\n", 3, "'max_amount'", NULL);
}
END_TEST

/* inih's line buffer holds 199 characters: a longer line is an error on
 * its own line, not a cut value and a bogus key on the next line. */
START_TEST(test_long_lines)
{
	char text[1024];
	char value[512];
	struct config c;
	struct err e = ERR_INIT;
	char path[TMP_PATH_MAX];

	/* "report_dir = " is 13 characters: 186 more make 199. */
	memset(value, 'd', 186);
	value[186] = '\0';
	snprintf(text, sizeof(text), "[loader]\nreport_dir = /%s\nmax_amount = 7.00\n", value + 1);
	ck_assert_int_eq(load_text(&c, text, &e, path), 0);
	ck_assert_str_eq(c.report_dir + 1, value + 1);
	ck_assert_int_eq(c.max_amount, 700);
	config_release(&c);
	/* the same line as the last one, without a line end */
	snprintf(text, sizeof(text), "[loader]\nmax_amount = 7.00\nreport_dir = /%s", value + 1);
	ck_assert_int_eq(load_text(&c, text, &e, path), 0);
	ck_assert_str_eq(c.report_dir + 1, value + 1);
	config_release(&c);

	value[186] = 'd';
	value[187] = '\0';
	snprintf(text, sizeof(text), "[loader]\nreport_dir = %s\nmax_amount = 7.00\n", value);
	expect_config_error(text, 2, "longer than 199", NULL);
	/* a conninfo with spaces: its tail must not become a continuation */
	snprintf(text, sizeof(text),
		 "[database]\nconninfo = host=/var/run/postgresql port=5432 dbname=collection_engine "
		 "user=collection_loader application_name=collection_loader_nightly_batch sslmode=disable "
		 "connect_timeout=10 options=-csearch_path=engine target_session_attrs=read-write\n");
	expect_config_error(text, 2, "longer than 199", NULL);
	/* an error on an earlier line is the one reported */
	snprintf(text, sizeof(text), "[loader]\nmax_amount = x\nreport_dir = %s\n", value);
	expect_config_error(text, 2, "'max_amount'", NULL);
}
END_TEST

START_TEST(test_crlf_and_bom)
{
	struct config c;
	struct err e = ERR_INIT;
	char path[TMP_PATH_MAX];

	ck_assert_int_eq(load_text(&c, "\xEF\xBB\xBF[country.DK]\r\ncurrency = DKK\r\ninterest_days_per_year = 360\r\n",
				   &e, path),
			 0);
	ck_assert_int_eq(c.ncountries, 1);
	ck_assert_str_eq(c.countries[0].code, "DK");
	ck_assert_str_eq(c.countries[0].currency, "DKK");
	ck_assert_int_eq(c.countries[0].interest_days_per_year, 360);
	config_release(&c);
}
END_TEST

START_TEST(test_missing_currency)
{
	expect_config_error("[country.CH]\nvat_pct = 8.10\n[country.SE]\ncurrency = SEK\n", 0,
			    "country.CH", "'currency'");
}
END_TEST

START_TEST(test_too_many_countries)
{
	char text[4096];
	size_t used = 0;
	int n = 0;

	/* CONFIG_MAX_COUNTRIES sections are fine, one more is not. */
	for (char a = 'A'; a <= 'Z' && n <= CONFIG_MAX_COUNTRIES; a++) {
		for (char b = 'A'; b <= 'B' && n <= CONFIG_MAX_COUNTRIES; b++, n++) {
			int k = snprintf(text + used, sizeof(text) - used, "[country.%c%c]\ncurrency = EUR\n",
					 a, b);

			ck_assert(k > 0 && (size_t)k < sizeof(text) - used);
			used += (size_t)k;
		}
	}
	ck_assert_int_eq(n, CONFIG_MAX_COUNTRIES + 1);
	/* the 33rd section's key is on line 2 * 33 = 66 */
	expect_config_error(text, 2 * (CONFIG_MAX_COUNTRIES + 1), NULL, NULL);
}
END_TEST

START_TEST(test_missing_file)
{
	struct config c;
	struct err e = ERR_INIT;

	/* SPEC 2 v2: a missing file is an error, never built-in defaults */
	config_init(&c);
	ck_assert_int_eq(config_load(&c, "/nonexistent/check_config/engine.conf", &e), ERR_CONFIG);
	ck_assert_int_eq(e.code, ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.message, "/nonexistent/check_config/engine.conf"));
	config_release(&c);
}
END_TEST

/* Without a struct err the code is still ERR_CONFIG (exit 2), not an I/O
 * error (exit 3). */
START_TEST(test_error_without_err_struct)
{
	struct config c;
	char path[TMP_PATH_MAX];

	ck_assert_int_eq(load_text(&c, "[loader]\nmax_amount = x\n", NULL, path), ERR_CONFIG);
	config_release(&c);
	ck_assert_int_eq(load_text(&c, "[bogus]\nkey = 1\n", NULL, path), ERR_CONFIG);
	config_release(&c);
	ck_assert_int_eq(load_text(&c, "[country.CH]\nvat_pct = 1\n", NULL, path), ERR_CONFIG);
	config_release(&c);
	ck_assert_int_eq(load_text(&c, "[loader]\nmax_amount = 1.00\n", NULL, path), 0);
	ck_assert_int_eq(c.max_amount, 100);
	config_release(&c);
}
END_TEST

START_TEST(test_claim_type_names)
{
	ck_assert_int_eq(claim_type_parse("goods"), CLAIM_GOODS);
	ck_assert_int_eq(claim_type_parse("services"), CLAIM_SERVICES);
	ck_assert_int_eq(claim_type_parse("rent"), CLAIM_RENT);
	ck_assert_int_eq(claim_type_parse("consumer_credit"), CLAIM_CONSUMER_CREDIT);
	ck_assert_int_eq(claim_type_parse("energy"), CLAIM_ENERGY);
	ck_assert_int_eq(claim_type_parse("other"), CLAIM_OTHER);
	ck_assert_int_eq(claim_type_parse("Goods"), -1);
	ck_assert_int_eq(claim_type_parse(""), -1);
	ck_assert_int_eq(claim_type_parse("consumer credit"), -1);
	ck_assert_str_eq(claim_type_name(CLAIM_CONSUMER_CREDIT), "consumer_credit");
	ck_assert_str_eq(claim_type_name(CLAIM_OTHER), "other");
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc_ok = tcase_create("load");
	TCase *tc_bad = tcase_create("errors");

	tcase_add_test(tc_ok, test_defaults);
	tcase_add_test(tc_ok, test_spec_example);
	tcase_add_test(tc_ok, test_spec_example_v2);
	tcase_add_test(tc_ok, test_v2_keys);
	tcase_add_test(tc_ok, test_default_path);
	tcase_add_test(tc_ok, test_relative_dirs);
	tcase_add_test(tc_ok, test_four_countries);
	tcase_add_test(tc_ok, test_ratio_values);
	tcase_add_test(tc_ok, test_inline_comments);
	tcase_add_test(tc_ok, test_claim_type_names);
	tcase_add_test(tc_ok, test_crlf_and_bom);
	suite_add_tcase(s, tc_ok);

	tcase_add_test(tc_bad, test_unknown_section);
	tcase_add_test(tc_bad, test_unknown_key);
	tcase_add_test(tc_bad, test_bad_values);
	tcase_add_test(tc_bad, test_first_error_wins);
	tcase_add_test(tc_bad, test_not_key_value);
	tcase_add_test(tc_bad, test_continuation_line);
	tcase_add_test(tc_bad, test_long_lines);
	tcase_add_test(tc_bad, test_missing_currency);
	tcase_add_test(tc_bad, test_too_many_countries);
	tcase_add_test(tc_bad, test_missing_file);
	tcase_add_test(tc_bad, test_error_without_err_struct);
	suite_add_tcase(s, tc_bad);
	return s;
}
