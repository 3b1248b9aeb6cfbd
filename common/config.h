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
#define CONFIG_MAX_ACCOUNTS 8
#define CONFIG_PATH_MAX 1024
/* The default configuration, below the installation folder (the folder
 * above the program's bin/); $ENGINE_CONF overrides it (SPEC 2 v2). */
#define CONFIG_DEFAULT_REL "conf/engine.conf"
#define CONFIG_ENV "ENGINE_CONF"

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

/* Stages of a case (SPEC 16, v2). */
enum case_stage { STAGE_NOTICE, STAGE_COLLECTION, STAGE_LEGAL, STAGE_SURVEILLANCE, STAGE__COUNT };

/* Index of a stage name, or -1. */
int case_stage_parse(const char *s);
const char *case_stage_name(enum case_stage s);

/* Payment reference schemes (SPEC 12, v2). */
enum ref_scheme { REF_SCOR, REF_QRR, REF_OCR, REF_KID, REF_FIK, REF__COUNT };

int ref_scheme_parse(const char *s);
const char *ref_scheme_name(enum ref_scheme s);

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
	/* v2: the fee per stage (enum case_stage), -1 when not configured */
	int64_t stage_withdrawal_fee[STAGE__COUNT];
	bool notice_required;         /* v2: NO_NOTICE */
	enum ref_scheme payment_reference; /* v2: SPEC 12 */
};

/* An account of the agency: one currency, one IBAN. */
struct agency_account {
	char currency[4];
	char iban[35];
};

/* [agency] (v2): optional until a command needs it. */
struct agency_conf {
	char name[141];
	char address[141];
	char bic[12];
	struct agency_account accounts[CONFIG_MAX_ACCOUNTS];
	int naccounts;
};

struct config {
	char path[CONFIG_PATH_MAX];
	char *conninfo;                 /* NULL when not set */
	char report_dir[CONFIG_PATH_MAX]; /* relative to the file's folder */
	char out_dir[CONFIG_PATH_MAX];    /* [settlement] out_dir, the same */
	int64_t max_reject_ratio_ppm;   /* 1.0 -> 1000000 */
	int64_t max_amount;             /* minor units */
	uint64_t max_file_bytes;
	struct country_conf countries[CONFIG_MAX_COUNTRIES];
	int ncountries;
	struct agency_conf agency;
};

/* Defaults of SPEC 3 without any country. */
void config_init(struct config *c);
/* Read path into c (after config_init). A missing file is ERR_CONFIG.
 * Relative directories in it become relative to the file's folder. */
int config_load(struct config *c, const char *path, struct err *e);
/* The installation folder: the folder above the running program's bin/. */
int config_install_dir(char *out, size_t size, struct err *e);
/* The configuration to read when no --conf is given: $ENGINE_CONF, else
 * <installation>/conf/engine.conf. */
int config_default_path(char *out, size_t size, struct err *e);
/* The agency's account of a currency, or NULL. */
const char *config_agency_account(const struct config *c, const char *currency);
void config_release(struct config *c);
/* The section of a country code, or NULL when not configured. */
const struct country_conf *config_country(const struct config *c, const char *code);

#endif
