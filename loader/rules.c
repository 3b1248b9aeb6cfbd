/* rules.c: pure format and check-digit rules (SPEC 4, 5.1, 5.3).
 *
 * Every function here looks only at its arguments: no allocation, no I/O,
 * no global state but constant tables. Inputs are already trimmed, so a
 * leading or trailing space is simply not part of any accepted format.
 *
 * National numbers (rules_national_id_ok), the exact forms accepted ('#' is
 * one ASCII digit, everything else is literal):
 *
 *   SE person   ##########  ######-####  ######+####
 *               ############  ########-####  ########+####
 *               Luhn on the last 10 digits. The date part is not checked
 *               (samordningsnummer add 60 to the day).
 *   SE company  ##########  ######-####        Luhn on all 10 digits.
 *   NO person   ###########  fødselsnummer: k1 on the first 9 digits with
 *               weights 3 7 6 1 8 9 4 5 2, k2 on the first 10 with weights
 *               5 4 3 2 7 6 5 4 3 2. The date part is not checked
 *               (D-numbers and H-numbers shift it).
 *   NO company  #########  ### ### ###  (one space between groups of three),
 *               weights 3 2 7 6 5 4 3 2 on the first 8 digits.
 *   DK person   ##########  ######-####  CPR: the first six digits are a
 *               DDMMYY date that exists in some century, so 29 February is
 *               valid when YY is a multiple of 4 (00 included, as 2000 was a
 *               leap year). No check digit (dropped in 2007).
 *   DK company  ########  CVR: digits times 2 7 6 5 4 3 2 1 sum to 0 mod 11.
 *   CH person   756.####.####.##  756##########  AHV: EAN-13 check digit.
 *   CH company  CHE-###.###.###  CHE#########  UID: weights 5 4 3 2 7 6 5 4
 *               on the first 8 digits.
 *
 * All mod-11 check digits are 11 - sum % 11, where 11 means 0 and 10 means
 * that no valid number has this prefix. The country is matched exactly
 * ("SE", not "se"); any other country is not checked.
 */
#include "rules.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "checkdigit.h"
#include "utf8.h"

/* The longest national number has 13 digits (AHV). */
#define ID_DIGITS_MAX 13
#define ID_PATTERNS_MAX 6
#define POSTAL_OTHER_MAX 16
#define IBAN_MIN 15
#define IBAN_MAX 34
#define IBAN_GROUP 4

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_alpha(char c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

/* Match s exactly against pattern: '#' matches one ASCII digit, any other
 * character matches itself. Every digit of s is stored in d (up to max);
 * *n is set to their count. */
static bool match_pattern(const char *s, const char *pattern, int *d, size_t max, size_t *n)
{
	size_t count = 0;

	for (; *pattern != '\0'; pattern++, s++) {
		if (*s == '\0')
			return false;
		if (*pattern == '#' ? !is_digit(*s) : *s != *pattern)
			return false;
		if (is_digit(*s)) {
			if (count == max)
				return false;
			d[count++] = *s - '0';
		}
	}
	if (*s != '\0')
		return false;
	*n = count;
	return true;
}

/* 11 - sum % 11 over the first count digits; 11 gives 0; 10 gives -1 (no
 * valid check digit exists). */
static int mod11_check_digit(const int *d, const int *weights, size_t count)
{
	int sum = 0;
	int check;

	for (size_t i = 0; i < count; i++)
		sum += d[i] * weights[i];
	check = 11 - sum % 11;
	if (check == 11)
		return 0;
	if (check == 10)
		return -1;
	return check;
}

static bool se_luhn(const int *d, size_t n)
{
	int sum = 0;

	if (n < 10)
		return false;
	d += n - 10;
	for (size_t i = 0; i < 10; i++) {
		int v = d[i];

		if (i % 2 == 0) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

static bool no_fodselsnummer(const int *d, size_t n)
{
	static const int w1[9] = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
	static const int w2[10] = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };

	return n == 11 && mod11_check_digit(d, w1, 9) == d[9] &&
	       mod11_check_digit(d, w2, 10) == d[10];
}

static bool no_organisasjonsnummer(const int *d, size_t n)
{
	static const int w[8] = { 3, 2, 7, 6, 5, 4, 3, 2 };

	return n == 9 && mod11_check_digit(d, w, 8) == d[8];
}

static bool dk_cpr(const int *d, size_t n)
{
	static const int days[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int day;
	int month;
	int year;

	if (n != 10)
		return false;
	day = d[0] * 10 + d[1];
	month = d[2] * 10 + d[3];
	year = d[4] * 10 + d[5];
	if (month < 1 || month > 12 || day < 1 || day > days[month - 1])
		return false;
	/* 29 February exists in some century exactly when YY % 4 == 0. */
	return !(month == 2 && day == 29 && year % 4 != 0);
}

static bool dk_cvr(const int *d, size_t n)
{
	static const int w[8] = { 2, 7, 6, 5, 4, 3, 2, 1 };
	int sum = 0;

	if (n != 8)
		return false;
	for (size_t i = 0; i < 8; i++)
		sum += d[i] * w[i];
	return sum % 11 == 0;
}

static bool ch_ahv(const int *d, size_t n)
{
	int sum = 0;

	if (n != 13)
		return false;
	for (size_t i = 0; i < 12; i++)
		sum += d[i] * (i % 2 == 0 ? 1 : 3);
	return (10 - sum % 10) % 10 == d[12];
}

static bool ch_uid(const int *d, size_t n)
{
	static const int w[8] = { 5, 4, 3, 2, 7, 6, 5, 4 };

	return n == 9 && mod11_check_digit(d, w, 8) == d[8];
}

struct id_rule {
	const char *country;
	bool company;
	const char *patterns[ID_PATTERNS_MAX + 1]; /* NULL-terminated */
	bool (*check)(const int *d, size_t n);
};

static const struct id_rule id_rules[] = {
	{ "SE",
	  false,
	  { "##########", "######-####", "######+####", "############", "########-####",
	    "########+####", NULL },
	  se_luhn },
	{ "SE", true, { "##########", "######-####", NULL }, se_luhn },
	{ "NO", false, { "###########", NULL }, no_fodselsnummer },
	{ "NO", true, { "#########", "### ### ###", NULL }, no_organisasjonsnummer },
	{ "DK", false, { "##########", "######-####", NULL }, dk_cpr },
	{ "DK", true, { "########", NULL }, dk_cvr },
	{ "CH", false, { "756.####.####.##", "756##########", NULL }, ch_ahv },
	{ "CH", true, { "CHE-###.###.###", "CHE#########", NULL }, ch_uid },
};

bool rules_national_id_ok(const char *country, bool company, const char *s)
{
	assert(country != NULL && s != NULL);
	for (size_t i = 0; i < sizeof(id_rules) / sizeof(id_rules[0]); i++) {
		const struct id_rule *r = &id_rules[i];

		if (strcmp(r->country, country) != 0 || r->company != company)
			continue;
		for (size_t k = 0; r->patterns[k] != NULL; k++) {
			int d[ID_DIGITS_MAX];
			size_t n;

			if (match_pattern(s, r->patterns[k], d, ID_DIGITS_MAX, &n))
				return r->check(d, n);
		}
		return false;
	}
	return true;
}

/* CH, NO, DK: exactly 4 digits. SE: "12345" or "123 45". Elsewhere: 1-16
 * ASCII letters, digits, spaces and '-', with at least one letter or digit
 * (a lone "-" is not a postal code). */
bool rules_postal_code_ok(const char *country, const char *s)
{
	int d[5];
	size_t n;
	size_t len = 0;
	bool alnum = false;

	assert(country != NULL && s != NULL);
	if (strcmp(country, "CH") == 0 || strcmp(country, "NO") == 0 ||
	    strcmp(country, "DK") == 0)
		return match_pattern(s, "####", d, 5, &n);
	if (strcmp(country, "SE") == 0)
		return match_pattern(s, "#####", d, 5, &n) || match_pattern(s, "### ##", d, 5, &n);
	for (; s[len] != '\0'; len++) {
		char c = s[len];

		if (len == POSTAL_OTHER_MAX)
			return false;
		if (is_alpha(c) || is_digit(c))
			alnum = true;
		else if (c != ' ' && c != '-')
			return false;
	}
	return alnum;
}

/* Exactly one '@' with a non-empty local part before it; the domain after
 * it has at least one dot, and no empty label (so no dot first, last or
 * doubled). No space, C0 control or DEL anywhere. Non-ASCII bytes are
 * allowed (internationalised addresses); UTF-8 validity is checked apart. */
bool rules_email_ok(const char *s)
{
	const char *at = NULL;
	const char *p;
	bool dot = false;

	assert(s != NULL);
	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7f)
			return false;
		if (c == '@') {
			if (at != NULL)
				return false;
			at = p;
		}
	}
	if (at == NULL || at == s)
		return false;
	for (p = at + 1; *p != '\0'; p++) {
		if (*p != '.')
			continue;
		if (p == at + 1 || p[1] == '\0' || p[1] == '.')
			return false;
		dot = true;
	}
	return dot;
}

/* An optional leading '+', then ASCII digits and spaces with 6-16 digits. */
bool rules_phone_ok(const char *s)
{
	size_t digits = 0;

	assert(s != NULL);
	if (*s == '+')
		s++;
	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		if (!is_digit(*s))
			return false;
		if (++digits > 16)
			return false;
	}
	return digits >= 6;
}

/* ISO 3166-1 alpha-2 codes, sorted, two characters each: the 249 officially
 * assigned codes (user-assigned ones such as XK are not included). */
static const char country_codes[] =
	"ADAEAFAGAIALAMAOAQARASATAUAWAXAZ"
	"BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ"
	"CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ"
	"DEDJDKDMDODZ"
	"ECEEEGEHERESET"
	"FIFJFKFMFOFR"
	"GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY"
	"HKHMHNHRHTHU"
	"IDIEILIMINIOIQIRISIT"
	"JEJMJOJP"
	"KEKGKHKIKMKNKPKRKWKYKZ"
	"LALBLCLILKLRLSLTLULVLY"
	"MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ"
	"NANCNENFNGNINLNONPNRNUNZ"
	"OM"
	"PAPEPFPGPHPKPLPMPNPRPSPTPWPY"
	"QA"
	"RERORSRURW"
	"SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ"
	"TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ"
	"UAUGUMUSUYUZ"
	"VAVCVEVGVIVNVU"
	"WFWS"
	"YEYT"
	"ZAZMZW";

/* ISO 4217 List One, active alphabetic codes (178), sorted, three characters
 * each: currencies, funds, precious metals and the X codes. Up to date as of
 * 2026: XCG, ZWG and XAD added; ANG, BGN (euro since 2026), CUC, HRK (euro
 * since 2023), SLL and ZWL withdrawn. */
static const char currency_codes[] =
	"AEDAFNALLAMDAOAARSAUDAWGAZN"
	"BAMBBDBDTBHDBIFBMDBNDBOBBOVBRLBSDBTNBWPBYNBZD"
	"CADCDFCHECHFCHWCLFCLPCNYCOPCOUCRCCUPCVECZK"
	"DJFDKKDOPDZD"
	"EGPERNETBEUR"
	"FJDFKP"
	"GBPGELGHSGIPGMDGNFGTQGYD"
	"HKDHNLHTGHUF"
	"IDRILSINRIQDIRRISK"
	"JMDJODJPY"
	"KESKGSKHRKMFKPWKRWKWDKYDKZT"
	"LAKLBPLKRLRDLSLLYD"
	"MADMDLMGAMKDMMKMNTMOPMRUMURMVRMWKMXNMXVMYRMZN"
	"NADNGNNIONOKNPRNZD"
	"OMR"
	"PABPENPGKPHPPKRPLNPYG"
	"QAR"
	"RONRSDRUBRWF"
	"SARSBDSCRSDGSEKSGDSHPSLESOSSRDSSPSTNSVCSYPSZL"
	"THBTJSTMTTNDTOPTRYTTDTWDTZS"
	"UAHUGXUSDUSNUYIUYUUYWUZS"
	"VEDVESVNDVUV"
	"WST"
	"XADXAFXAGXAUXBAXBBXBCXBDXCDXCGXDRXOFXPDXPFXPTXSUXTSXUAXXX"
	"YER"
	"ZARZMWZWG";

/* Binary search in a sorted list of fixed-width upper-case codes. */
static bool code_listed(const char *list, size_t list_len, size_t width, const char *s)
{
	size_t lo = 0;
	size_t hi = list_len / width;

	for (size_t i = 0; i < width; i++)
		if (!is_upper(s[i]))
			return false; /* also stops at a short string's NUL */
	if (s[width] != '\0')
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = memcmp(s, list + mid * width, width);

		if (cmp == 0)
			return true;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

bool rules_country_ok(const char *s)
{
	assert(s != NULL);
	return code_listed(country_codes, sizeof(country_codes) - 1, 2, s);
}

bool rules_currency_ok(const char *s)
{
	assert(s != NULL);
	return code_listed(currency_codes, sizeof(currency_codes) - 1, 3, s);
}

/* IBAN lengths of the SWIFT IBAN registry: every SEPA country (the EU, EEA,
 * CH, GB, AD, MC, SM, VA, GI, AL, MD, ME, MK, RS) and the other registered
 * countries that are well established. A country not listed here must be an
 * ISO 3166-1 code, and its IBAN 15-34 characters long. */
struct iban_length {
	char country[3];
	unsigned char length;
};

static const struct iban_length iban_lengths[] = {
	{ "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 }, { "BA", 20 },
	{ "BE", 16 }, { "BG", 22 }, { "BH", 22 }, { "BR", 29 }, { "BY", 28 }, { "CH", 21 },
	{ "CR", 22 }, { "CY", 28 }, { "CZ", 24 }, { "DE", 22 }, { "DK", 18 }, { "DO", 28 },
	{ "EE", 20 }, { "EG", 29 }, { "ES", 24 }, { "FI", 18 }, { "FO", 18 }, { "FR", 27 },
	{ "GB", 22 }, { "GE", 22 }, { "GI", 23 }, { "GL", 18 }, { "GR", 27 }, { "GT", 28 },
	{ "HR", 21 }, { "HU", 28 }, { "IE", 22 }, { "IL", 23 }, { "IQ", 23 }, { "IS", 26 },
	{ "IT", 27 }, { "JO", 30 }, { "KW", 30 }, { "KZ", 20 }, { "LB", 28 }, { "LC", 32 },
	{ "LI", 21 }, { "LT", 20 }, { "LU", 20 }, { "LV", 21 }, { "MC", 27 }, { "MD", 24 },
	{ "ME", 22 }, { "MK", 19 }, { "MR", 27 }, { "MT", 31 }, { "MU", 30 }, { "NL", 18 },
	{ "NO", 15 }, { "PK", 24 }, { "PL", 28 }, { "PS", 29 }, { "PT", 25 }, { "QA", 29 },
	{ "RO", 24 }, { "RS", 22 }, { "SA", 24 }, { "SC", 31 }, { "SE", 24 }, { "SI", 19 },
	{ "SK", 24 }, { "SM", 27 }, { "ST", 25 }, { "SV", 28 }, { "TL", 23 }, { "TN", 24 },
	{ "TR", 26 }, { "UA", 29 }, { "VA", 22 }, { "VG", 24 }, { "XK", 20 },
};

/* The registered length for the country, 0 if it has none. */
static size_t iban_registered_length(const char *country)
{
	for (size_t i = 0; i < sizeof(iban_lengths) / sizeof(iban_lengths[0]); i++)
		if (memcmp(iban_lengths[i].country, country, 2) == 0)
			return iban_lengths[i].length;
	return 0;
}

/* Accepted: the electronic form (no spaces), or the paper form of ISO 13616
 * (groups of four separated by one space, the last group 1-4 characters).
 * Letters must be upper case. The check digits must be 02-98: 00, 01 and 99
 * are never issued, and 99 would pass mod 97 wherever 02 does. */
bool rules_iban_ok(const char *s)
{
	char iban[IBAN_MAX];
	size_t len = 0;
	size_t group = 0;
	size_t registered;
	int check;
	bool spaced;

	assert(s != NULL);
	spaced = strchr(s, ' ') != NULL;

	for (; *s != '\0'; s++) {
		if (*s == ' ') {
			if (group != IBAN_GROUP)
				return false;
			group = 0;
			continue;
		}
		if (!is_upper(*s) && !is_digit(*s))
			return false;
		if (spaced && group == IBAN_GROUP)
			return false;
		if (len == IBAN_MAX)
			return false;
		iban[len++] = *s;
		group++;
	}
	if (group == 0 || len < IBAN_MIN)
		return false; /* empty, or ends in a space */

	if (!is_upper(iban[0]) || !is_upper(iban[1]) || !is_digit(iban[2]) || !is_digit(iban[3]))
		return false;
	check = (iban[2] - '0') * 10 + (iban[3] - '0');
	if (check < 2 || check > 98)
		return false;
	registered = iban_registered_length(iban);
	if (registered != 0 && len != registered)
		return false;
	if (registered == 0) {
		char country[3] = { iban[0], iban[1], '\0' };

		if (!rules_country_ok(country))
			return false;
	}

	/* Mod 97 of the digits of BBAN + country + check, letters as 10-35. */
	return checkdigit_mod97(iban, len) == 1;
}

bool rules_utf8_ok(const char *s, unsigned long len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long i = 0;

	assert(s != NULL || len == 0);
	while (i < len) {
		size_t n;

		if (p[i] < 0x80) { /* most bytes: no call */
			i++;
			continue;
		}
		n = utf8_seq(p + i, len - i);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/* Counts the bytes that are not continuation bytes: exact for valid UTF-8;
 * for invalid input the count is defined but meaningless. */
unsigned long rules_utf8_chars(const char *s, unsigned long len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long n = 0;

	assert(s != NULL || len == 0);
	for (unsigned long i = 0; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* C0 (U+0000-U+001F, NUL included), DEL (U+007F) and C1 (U+0080-U+009F,
 * C2 80 to C2 9F in UTF-8): SPEC 2 v2. */
bool rules_has_control(const char *s, unsigned long len)
{
	const unsigned char *p = (const unsigned char *)s;

	assert(s != NULL || len == 0);
	for (unsigned long i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f || (p[i] == 0xc2 && i + 1 < len && p[i + 1] < 0xa0 && p[i + 1] >= 0x80))
			return true;
	return false;
}
