/* config.h: conf/engine.conf (SPEC 3), read with inih.
 *
 * Every key is a row in one table (name, default, parser). An unknown
 * section or key, or a value that does not parse, is ERR_CONFIG naming the
 * file, line and key. */
#ifndef COMMON_CONFIG_H
#define COMMON_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define CONFIG_MAX_COUNTRIES 32
#define CONFIG_PATH_MAX 1024
#define CONFIG_DEFAULT_PATH "conf/engine.conf"

enum claim_type {
	CLAIM_GOODS,
	CLAIM_SERVICES,
	CLAIM_RENT,
	CLAIM_CONSUMER_CREDIT,
	CLAIM_ENERGY,
	CLAIM_OTHER,
	CLAIM__COUNT
};

/* Index of a claim type name ("consumer_credit"), or -1. Case-sensitive. */
int claim_type_parse(const char *s);
const char *claim_type_name(enum claim_type t);

struct country_conf {
	char code[3];                 /* "CH" */
	char currency[4];             /* "CHF" */
	bool reminder_required;
	unsigned special_claim_types; /* bit (1u << enum claim_type) */
	int64_t collection_fee;       /* minor units */
	int64_t interest_rate_bp;     /* 5.00 % -> 500 */
	int interest_days_per_year;   /* 365 or 360 */
	int64_t vat_bp;               /* 8.10 % -> 810 */
	int64_t withdrawal_fee;       /* minor units */
};

struct config {
	char path[CONFIG_PATH_MAX];
	char *conninfo;                 /* NULL when not set */
	char report_dir[CONFIG_PATH_MAX];
	int64_t max_reject_ratio_ppm;   /* 1.0 -> 1000000 */
	int64_t max_amount;             /* minor units */
	uint64_t max_file_bytes;
	struct country_conf countries[CONFIG_MAX_COUNTRIES];
	int ncountries;
};

/* Defaults of SPEC 3 without any country. */
void config_init(struct config *c);
/* Read path into c (after config_init). A missing file is an error unless
 * missing_ok. */
int config_load(struct config *c, const char *path, bool missing_ok, struct err *e);
void config_release(struct config *c);
/* The section of a country code, or NULL when not configured. */
const struct country_conf *config_country(const struct config *c, const char *code);

#endif
