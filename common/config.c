#include "config.h"

#include <ini.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "checkdigit.h"
#include "money.h"

static const char *const claim_names[CLAIM__COUNT] = {
	"goods", "services", "rent", "consumer_credit", "energy", "other",
};

int claim_type_parse(const char *s)
{
	for (int i = 0; i < CLAIM__COUNT; i++)
		if (strcmp(s, claim_names[i]) == 0)
			return i;
	return -1;
}

const char *claim_type_name(enum claim_type t)
{
	return (unsigned)t < CLAIM__COUNT ? claim_names[t] : "?";
}

static const char *const stage_names[STAGE__COUNT] = { "notice", "collection", "legal", "surveillance" };

int case_stage_parse(const char *s)
{
	for (int i = 0; i < STAGE__COUNT; i++)
		if (strcmp(s, stage_names[i]) == 0)
			return i;
	return -1;
}

const char *case_stage_name(enum case_stage s)
{
	return (unsigned)s < STAGE__COUNT ? stage_names[s] : "?";
}

static const char *const scheme_names[REF__COUNT] = { "scor", "qrr", "ocr", "kid", "fik" };

int ref_scheme_parse(const char *s)
{
	for (int i = 0; i < REF__COUNT; i++)
		if (strcmp(s, scheme_names[i]) == 0)
			return i;
	return -1;
}

const char *ref_scheme_name(enum ref_scheme s)
{
	return (unsigned)s < REF__COUNT ? scheme_names[s] : "?";
}

/* ---- value parsers: 0 ok, -1 bad ---- */

static int parse_money_value(const char *v, void *out)
{
	return money_parse(out, v, strlen(v), false);
}

static int parse_pct_value(const char *v, void *out)
{
	return pct_parse(out, v, strlen(v));
}

static int parse_bool_value(const char *v, void *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		*(bool *)out = true;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		*(bool *)out = false;
	else
		return -1;
	return 0;
}

static int parse_u64_value(const char *v, void *out)
{
	char *end;
	unsigned long long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || n == 0)
		return -1;
	*(uint64_t *)out = n;
	return 0;
}

static int parse_days_value(const char *v, void *out)
{
	if (strcmp(v, "365") == 0)
		*(int *)out = 365;
	else if (strcmp(v, "360") == 0)
		*(int *)out = 360;
	else
		return -1;
	return 0;
}

/* A ratio 0..1 with up to 6 decimals, as parts per million. */
static int parse_ratio_value(const char *v, void *out)
{
	int64_t ppm = 0;
	size_t i = 0, frac = 0;
	size_t n = strlen(v);

	if (n == 0 || (v[0] != '0' && v[0] != '1'))
		return -1;
	ppm = (v[0] - '0') * 1000000;
	i = 1;
	if (i < n && v[i] == '.') {
		int64_t scale = 100000;
		i++;
		if (i == n)
			return -1;
		for (; i < n; i++, frac++) {
			if (v[i] < '0' || v[i] > '9' || frac >= 6)
				return -1;
			ppm += (v[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (i != n || ppm > 1000000)
		return -1;
	*(int64_t *)out = ppm;
	return 0;
}

static int parse_currency_value(const char *v, void *out)
{
	if (strlen(v) != 3)
		return -1;
	for (int i = 0; i < 3; i++)
		if (v[i] < 'A' || v[i] > 'Z')
			return -1;
	memcpy(out, v, 4);
	return 0;
}

static int parse_claim_list_value(const char *v, void *out)
{
	unsigned mask = 0;
	const char *p = v;

	while (*p != '\0') {
		char name[32];
		size_t len = strcspn(p, ",");
		size_t a = 0, b = len;
		int t;

		while (a < b && p[a] == ' ')
			a++;
		while (b > a && p[b - 1] == ' ')
			b--;
		if (b - a == 0 || b - a >= sizeof(name))
			return -1;
		memcpy(name, p + a, b - a);
		name[b - a] = '\0';
		t = claim_type_parse(name);
		if (t < 0)
			return -1;
		mask |= 1u << t;
		p += len;
		if (*p == ',')
			p++;
	}
	*(unsigned *)out = mask;
	return 0;
}

static int parse_scheme_value(const char *v, void *out)
{
	int s = ref_scheme_parse(v);

	if (s < 0)
		return -1;
	*(enum ref_scheme *)out = (enum ref_scheme)s;
	return 0;
}

/* Text of at most size - 1 bytes, without control characters. */
static int parse_text(const char *v, char *out, size_t size)
{
	size_t n = strlen(v);

	if (n == 0 || n >= size)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return -1;
	memcpy(out, v, n + 1);
	return 0;
}

static int parse_name_value(const char *v, void *out)
{
	return parse_text(v, out, sizeof(((struct agency_conf *)0)->name));
}

static int parse_bic_value(const char *v, void *out)
{
	size_t n = strlen(v);

	if (n != 8 && n != 11)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= 'A' && v[i] <= 'Z') || (i >= 6 && v[i] >= '0' && v[i] <= '9')))
			return -1;
	memcpy(out, v, n + 1);
	return 0;
}

/* An IBAN in its electronic form: country, check digits, 11-30 letters or
 * digits, and mod 97 = 1 (ISO 13616). */
static int parse_iban_value(const char *v, void *out)
{
	size_t n = strlen(v);

	if (n < 15 || n > 34 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' ||
	    v[2] < '0' || v[2] > '9' || v[3] < '0' || v[3] > '9' || checkdigit_mod97(v, n) != 1)
		return -1;
	memcpy(out, v, n + 1);
	return 0;
}

/* ---- the option tables ---- */

struct option_row {
	const char *section; /* "country" for country.XX */
	const char *key;
	int (*parse)(const char *value, void *out);
	size_t offset; /* into struct config, or struct country_conf */
	const char *what; /* what a good value looks like */
};

#define CFG(field) offsetof(struct config, field)
#define CTRY(field) offsetof(struct country_conf, field)
#define AGY(field) (offsetof(struct config, agency) + offsetof(struct agency_conf, field))

static const struct option_row options[] = {
	{ "loader", "max_reject_ratio", parse_ratio_value, CFG(max_reject_ratio_ppm), "a ratio from 0 to 1" },
	{ "loader", "max_amount", parse_money_value, CFG(max_amount), "an amount like 10000000.00" },
	{ "loader", "max_file_bytes", parse_u64_value, CFG(max_file_bytes), "a positive whole number of bytes" },
	{ "country", "currency", parse_currency_value, CTRY(currency), "a currency code like CHF" },
	{ "country", "reminder_required", parse_bool_value, CTRY(reminder_required), "yes or no" },
	{ "country", "special_claim_types", parse_claim_list_value, CTRY(special_claim_types), "a comma-separated list of claim types" },
	{ "country", "collection_fee", parse_money_value, CTRY(collection_fee), "an amount like 50.00" },
	{ "country", "interest_rate_pct", parse_pct_value, CTRY(interest_rate_bp), "a percentage like 5.00" },
	{ "country", "interest_days_per_year", parse_days_value, CTRY(interest_days_per_year), "365 or 360" },
	{ "country", "vat_pct", parse_pct_value, CTRY(vat_bp), "a percentage like 8.10" },
	{ "country", "withdrawal_fee", parse_money_value, CTRY(withdrawal_fee), "an amount like 25.00" },
	{ "country", "withdrawal_fee.notice", parse_money_value, CTRY(stage_withdrawal_fee[STAGE_NOTICE]), "an amount like 25.00" },
	{ "country", "withdrawal_fee.collection", parse_money_value, CTRY(stage_withdrawal_fee[STAGE_COLLECTION]), "an amount like 25.00" },
	{ "country", "withdrawal_fee.legal", parse_money_value, CTRY(stage_withdrawal_fee[STAGE_LEGAL]), "an amount like 25.00" },
	{ "country", "withdrawal_fee.surveillance", parse_money_value, CTRY(stage_withdrawal_fee[STAGE_SURVEILLANCE]), "an amount like 25.00" },
	{ "country", "notice_required", parse_bool_value, CTRY(notice_required), "yes or no" },
	{ "country", "payment_reference", parse_scheme_value, CTRY(payment_reference), "qrr, scor, ocr, kid or fik" },
	{ "agency", "name", parse_name_value, AGY(name), "a name of at most 140 characters" },
	{ "agency", "address", parse_name_value, AGY(address), "an address of at most 140 characters" },
	{ "agency", "bic", parse_bic_value, AGY(bic), "a BIC of 8 or 11 characters" },
};

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->report_dir, sizeof(c->report_dir), "../var/reports");
	snprintf(c->out_dir, sizeof(c->out_dir), "../var/statements");
	c->max_reject_ratio_ppm = 1000000;
	c->max_amount = 1000000000; /* 10000000.00 */
	c->max_file_bytes = UINT64_C(10737418240);
}

void config_release(struct config *c)
{
	alloc_free(c->conninfo);
	c->conninfo = NULL;
}

const struct country_conf *config_country(const struct config *c, const char *code)
{
	for (int i = 0; i < c->ncountries; i++)
		if (strcmp(c->countries[i].code, code) == 0)
			return &c->countries[i];
	return NULL;
}

struct load_ctx {
	struct config *c;
	struct err *e;
	int line; /* line of the failure, for the message */
	/* The previous key: inih hands an indented line to the handler again
	 * under the key above it (a continuation line), which would silently
	 * replace that key's value. */
	char prev_section[64];
	char prev_name[64];
};

static struct country_conf *country_section(struct config *c, const char *section, struct err *e)
{
	const char *code = section + strlen("country.");
	struct country_conf *cc;

	if (strlen(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z') {
		ERR_SET(e, ERR_CONFIG, "section '%s' does not name a country code like [country.CH]", section);
		return NULL;
	}
	for (int i = 0; i < c->ncountries; i++)
		if (strcmp(c->countries[i].code, code) == 0)
			return &c->countries[i];
	if (c->ncountries >= CONFIG_MAX_COUNTRIES) {
		ERR_SET(e, ERR_CONFIG, "more than %d country sections", CONFIG_MAX_COUNTRIES);
		return NULL;
	}
	cc = &c->countries[c->ncountries++];
	memset(cc, 0, sizeof(*cc));
	memcpy(cc->code, code, 3);
	cc->interest_days_per_year = 365;
	cc->payment_reference = REF_SCOR;
	for (int i = 0; i < STAGE__COUNT; i++)
		cc->stage_withdrawal_fee[i] = -1;
	return cc;
}

/* account.<currency> = IBAN */
static int agency_account(struct config *c, const char *currency, const char *value, struct err *e)
{
	struct agency_conf *a = &c->agency;
	struct agency_account *acc = NULL;
	char cur[4];

	if (parse_currency_value(currency, cur) != 0) {
		ERR_SET(e, ERR_CONFIG, "key 'account.%s' in [agency]: '%s' is not a currency code like CHF",
			currency, currency);
		return 0;
	}
	for (int i = 0; i < a->naccounts; i++)
		if (strcmp(a->accounts[i].currency, cur) == 0)
			acc = &a->accounts[i];
	if (acc == NULL) {
		if (a->naccounts >= CONFIG_MAX_ACCOUNTS) {
			ERR_SET(e, ERR_CONFIG, "more than %d accounts in [agency]", CONFIG_MAX_ACCOUNTS);
			return 0;
		}
		acc = &a->accounts[a->naccounts++];
		memcpy(acc->currency, cur, sizeof(cur));
	}
	if (parse_iban_value(value, acc->iban) != 0) {
		ERR_SET(e, ERR_CONFIG, "key 'account.%s' in [agency]: '%s' is not an IBAN (no spaces, valid check digits)",
			cur, value);
		return 0;
	}
	return 1;
}

const char *config_agency_account(const struct config *c, const char *currency)
{
	for (int i = 0; i < c->agency.naccounts; i++)
		if (strcmp(c->agency.accounts[i].currency, currency) == 0)
			return c->agency.accounts[i].iban;
	return NULL;
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *ctx = user;
	struct config *c = ctx->c;
	void *base = NULL;
	const char *family = section;

	if (ctx->e != NULL && ctx->e->code != ERR_OK)
		return 0; /* inih goes on after an error; keep the first one */
	if (strcmp(section, ctx->prev_section) == 0 && strcmp(name, ctx->prev_name) == 0) {
		ERR_SET(ctx->e, ERR_CONFIG,
			"key '%s' in [%s] is given again: a line that starts with a space continues the key above it",
			name, section);
		return 0;
	}
	snprintf(ctx->prev_section, sizeof(ctx->prev_section), "%s", section);
	snprintf(ctx->prev_name, sizeof(ctx->prev_name), "%s", name);

	if (strcmp(section, "database") == 0) {
		if (strcmp(name, "conninfo") != 0)
			goto unknown_key;
		alloc_free(c->conninfo);
		c->conninfo = *value != '\0' ? alloc_strdup(value) : NULL;
		if (*value != '\0' && c->conninfo == NULL) {
			ERR_SET(ctx->e, ERR_NOMEM, "out of memory");
			return 0;
		}
		return 1;
	}
	if (strcmp(section, "loader") == 0 || strcmp(section, "settlement") == 0) {
		char *dir = strcmp(section, "loader") == 0 ? c->report_dir : c->out_dir;
		const char *key = strcmp(section, "loader") == 0 ? "report_dir" : "out_dir";

		if (strcmp(name, key) == 0) {
			if (*value == '\0' || strlen(value) >= CONFIG_PATH_MAX / 2) {
				ERR_SET(ctx->e, ERR_CONFIG, "key '%s': expected a directory path", key);
				return 0;
			}
			snprintf(dir, CONFIG_PATH_MAX, "%s", value);
			return 1;
		}
		if (strcmp(section, "settlement") == 0)
			goto unknown_key;
		base = c;
	} else if (strcmp(section, "agency") == 0) {
		if (strncmp(name, "account.", 8) == 0)
			return agency_account(c, name + 8, value, ctx->e);
		base = c;
	} else if (strncmp(section, "country.", 8) == 0) {
		base = country_section(c, section, ctx->e);
		if (base == NULL)
			return 0;
		family = "country";
	} else {
		ERR_SET(ctx->e, ERR_CONFIG, "unknown section '[%s]' (key '%s')", section, name);
		return 0;
	}
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (strcmp(options[i].section, family) != 0 || strcmp(options[i].key, name) != 0)
			continue;
		if (options[i].parse(value, (char *)base + options[i].offset) != 0) {
			ERR_SET(ctx->e, ERR_CONFIG, "key '%s' in [%s]: '%s' is not %s", name,
				section, value, options[i].what);
			return 0;
		}
		return 1;
	}
unknown_key:
	ERR_SET(ctx->e, ERR_CONFIG, "unknown key '%s' in section '[%s]'", name, section);
	return 0;
}

/* inih reads lines into a fixed buffer (INI_MAX_LINE) and parses the rest
 * of a longer line as a line of its own: a long conninfo would be cut and
 * its tail reported as a bogus key on the wrong line. This reader hands
 * inih whole lines and stops at the first line that does not fit. */
struct line_reader {
	FILE *fp;
	int line;     /* lines read */
	int too_long; /* the line that did not fit, or 0 */
	int max;      /* characters that fit */
};

static char *read_line(char *str, int num, void *stream)
{
	struct line_reader *r = stream;
	size_t n;
	int ch;

	if (r->too_long != 0 || fgets(str, num, r->fp) == NULL)
		return NULL;
	r->line++;
	n = strlen(str);
	if (n > 0 && str[n - 1] != '\n') {
		/* The buffer is full or the file ends without a line end. */
		ch = getc(r->fp);
		if (ch != '\n' && ch != EOF) {
			r->too_long = r->line;
			r->max = num - 1;
			return NULL;
		}
	}
	return str;
}

/* Drop "name/.." pairs and "." segments of a path, lexically (the folder
 * need not exist yet): "/opt/engine/conf/../var/reports" reads as
 * "/opt/engine/var/reports" in messages. Leading ".." stay. */
static void normalize_path(char *p)
{
	char out[CONFIG_PATH_MAX];
	size_t o = 0, i = 0, n = strlen(p);
	bool abs = p[0] == '/';

	/* out holds the segments kept, joined by '/', after a leading '/' */
	if (abs)
		out[o++] = '/';
	while (i < n) {
		size_t start, len;

		while (i < n && p[i] == '/')
			i++;
		start = i;
		while (i < n && p[i] != '/')
			i++;
		len = i - start;
		if (len == 0 || (len == 1 && p[start] == '.'))
			continue;
		if (len == 2 && p[start] == '.' && p[start + 1] == '.') {
			/* drop the last kept segment, unless there is none or it is ".." */
			size_t last = o;

			while (last > (abs ? 1u : 0u) && out[last - 1] != '/')
				last--;
			if (last < o && !(o - last == 2 && out[last] == '.' && out[last + 1] == '.')) {
				o = last > (abs ? 1u : 0u) ? last - 1 : last;
				continue;
			}
			if (abs && o == 1)
				continue; /* "/.." is "/" */
		}
		if (o > (abs ? 1u : 0u))
			out[o++] = '/';
		memcpy(out + o, p + start, len);
		o += len;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	memcpy(p, out, o + 1);
}

/* A relative directory of the file becomes relative to the file's folder. */
static int resolve_dir(char *dir, const char *conf_path, const char *key, struct err *e)
{
	const char *slash = strrchr(conf_path, '/');
	char joined[CONFIG_PATH_MAX];

	if (dir[0] != '/' && slash != NULL) {
		if ((size_t)snprintf(joined, sizeof(joined), "%.*s/%s", (int)(slash - conf_path), conf_path, dir) >=
		    sizeof(joined))
			return ERR_SET(e, ERR_CONFIG, "configuration '%s': key '%s': the path is too long", conf_path,
				       key);
		memcpy(dir, joined, strlen(joined) + 1);
	}
	normalize_path(dir);
	return 0;
}

int config_install_dir(char *out, size_t size, struct err *e)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return ERR_SET(e, ERR_CONFIG, "cannot find the program's own folder (/proc/self/exe)");
	exe[n] = '\0';
	/* <install>/bin/<program>: drop the program, then bin */
	for (int i = 0; i < 2; i++) {
		slash = strrchr(exe, '/');
		if (slash == NULL)
			return ERR_SET(e, ERR_CONFIG, "the program '%s' is not in a bin/ folder", exe);
		*slash = '\0';
	}
	if ((size_t)snprintf(out, size, "%s", exe[0] != '\0' ? exe : "/") >= size)
		return ERR_SET(e, ERR_CONFIG, "the program's folder name is too long");
	return 0;
}

int config_default_path(char *out, size_t size, struct err *e)
{
	const char *env = getenv(CONFIG_ENV);
	char dir[CONFIG_PATH_MAX];
	int rc;

	if (env != NULL && *env != '\0') {
		if ((size_t)snprintf(out, size, "%s", env) >= size)
			return ERR_SET(e, ERR_CONFIG, "$%s is too long", CONFIG_ENV);
		return 0;
	}
	if ((rc = config_install_dir(dir, sizeof(dir), e)) != 0)
		return rc;
	if ((size_t)snprintf(out, size, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, CONFIG_DEFAULT_REL) >= size)
		return ERR_SET(e, ERR_CONFIG, "the configuration's path is too long");
	return 0;
}

int config_load(struct config *c, const char *path, struct err *e)
{
	struct err local = ERR_INIT;
	struct load_ctx ctx;
	struct line_reader reader;
	FILE *fp;
	int rc;

	/* The handler keeps the first error in e, and its code is what we
	 * return: without a caller's struct err, use our own. */
	if (e == NULL)
		e = &local;
	memset(&ctx, 0, sizeof(ctx));
	ctx.c = c;
	ctx.e = e;
	snprintf(c->path, sizeof(c->path), "%s", path);
	fp = fopen(path, "r");
	if (fp == NULL) {
		return ERR_SET(e, ERR_CONFIG, "cannot open configuration '%s': %s", path, strerror(errno));
	}
	err_clear(e);
	memset(&reader, 0, sizeof(reader));
	reader.fp = fp;
	rc = ini_parse_stream(read_line, &reader, on_value, &ctx);
	if (ferror(fp) && rc == 0)
		rc = -1;
	fclose(fp);
	if (rc == -2)
		return ERR_SET(e, ERR_NOMEM, "out of memory reading '%s'", path);
	if (reader.too_long != 0 && (rc == 0 || rc > reader.too_long)) {
		ERR_SET(e, ERR_CONFIG, "the line is longer than %d characters", reader.max);
		return err_prefix(e, "configuration '%s' line %d", path, reader.too_long);
	}
	if (rc > 0) {
		if (e != NULL && e->code == ERR_OK)
			ERR_SET(e, ERR_CONFIG, "line does not parse as 'key = value' or '[section]'");
		return err_prefix(e, "configuration '%s' line %d", path, rc);
	}
	if (rc < 0)
		return ERR_SET(e, ERR_CONFIG, "cannot read configuration '%s'", path);
	for (int i = 0; i < c->ncountries; i++) {
		if (c->countries[i].currency[0] == '\0')
			return ERR_SET(e, ERR_CONFIG, "configuration '%s': section [country.%s] has no key 'currency'",
				       path, c->countries[i].code);
	}
	if ((rc = resolve_dir(c->report_dir, path, "report_dir", e)) != 0)
		return rc;
	return resolve_dir(c->out_dir, path, "out_dir", e);
}
