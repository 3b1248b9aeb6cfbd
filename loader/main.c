/* main.c: bin/loader. Arguments, configuration, wiring; the only place
 * that exits. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "batch.h"
#include "case_ids.h"
#include "config.h"
#include "date.h"
#include "ids.h"
#include "log.h"
#include "phase.h"
#include "source.h"
#include "version.h"

static const char usage_main[] =
	"usage: loader COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"Loads creditors' collection cases and transactions into PostgreSQL.\n"
	"\n"
	"commands:\n"
	"  init-db                 create or upgrade the database schema (safe to run again)\n"
	"  creditors FILE          insert or update creditor master data from a CSV file\n"
	"  load FILE...            load case, transaction, event, bank or assignment files, one batch per file\n"
	"  rerun BATCH_ID          load a batch's file again (failed, refused, or with other options)\n"
	"  status [BATCH_ID]       list batches and their counts\n"
	"  suspense                list the bank payments that found no case (the suspense list)\n"
	"\n"
	"options every command takes (after the command word):\n"
	"  --conf FILE             configuration (default $ENGINE_CONF, else conf/engine.conf\n"
	"                          of the installation: the folder above this program's bin/)\n"
	"  --db CONNINFO           database connection (default: configuration, then PG* environment)\n"
	"  --help                  what the command does\n"
	"\n"
	"'loader COMMAND --help' tells more; 'loader --version' prints the version.\n";

static const char usage_load[] =
	"usage: loader load [--kind K] [--creditor ID] [--as-of YYYY-MM-DD]\n"
	"                   [--dry-run] [--conf FILE] [--db CONNINFO] FILE...\n"
	"\n"
	"Loads each FILE (CSV or XML, optionally gzip) as one atomic batch: every valid\n"
	"record is stored, every invalid one is listed with its line, field, code and\n"
	"value in <report_dir>/batch-<id>.rejects.csv; accepted and skipped records are\n"
	"listed in <report_dir>/batch-<id>.receipt.csv. A file already loaded is not\n"
	"loaded again ('loader rerun' loads it again on purpose).\n"
	"\n"
	"  --kind K       cases, transactions, events, bank or assignments (default: detected\n"
	"                 from the CSV header, the XML root, or the camt.053/camt.054 namespace)\n"
	"  --creditor ID  a known creditor; reject records of any other (CREDITOR_MISMATCH)\n"
	"  --as-of DATE   business date of the run (default today)\n"
	"  --dry-run      validate and write the reject report, load nothing\n"
	"\n"
	"Prints one line per file: batch <id> <status>: <n> records, <n> accepted, <n> skipped, <n> rejected\n"
	"(a bank file adds: <n> to suspense, <n> ignored).\n"
	"Exit status: 0 loaded (or already loaded), 1 a file was refused, 2 usage or\n"
	"configuration error (nothing done), 3 database or I/O failure (the batch is\n"
	"failed, nothing of it is loaded, and it can be re-run).\n";

static const char usage_rerun[] =
	"usage: loader rerun [--as-of YYYY-MM-DD] [--creditor ID | --all-creditors]\n"
	"                    [--kind K] [--conf FILE] [--db CONNINFO] BATCH_ID\n"
	"\n"
	"Loads a batch's file again, after checking that the file still has the recorded\n"
	"SHA-256 (else exit 2). A failed or refused batch is completed under its own id;\n"
	"a loaded batch's file is loaded as a new batch, where the records loaded before\n"
	"are skipped and only those rejected before (say, after a fix of the configuration\n"
	"or of creditor data) can be accepted now. The original as-of date and options\n"
	"apply unless an option below replaces them.\n"
	"\n"
	"  --as-of DATE      another business date\n"
	"  --creditor ID     restrict the batch to this creditor instead\n"
	"  --all-creditors   drop the original --creditor restriction\n"
	"  --kind K          cases, transactions, events, bank or assignments instead of the detected kind\n";

static const char usage_status[] =
	"usage: loader status [--creditor ID] [--status S] [--since YYYY-MM-DD] [--limit N]\n"
	"                     [--json] [--conf FILE] [--db CONNINFO] [BATCH_ID]\n"
	"\n"
	"Lists batches, oldest first: id, kind, status, as-of, started, run time, counts\n"
	"(records, accepted, skipped, rejected), file name and, for a failed or refused\n"
	"batch, why. A batch whose loader died is shown failed. --json adds the full\n"
	"sha256, file path and wall-clock start and finish times.\n"
	"\n"
	"  --creditor ID   batches with a record of this creditor\n"
	"  --status S      loading, loaded, refused, failed or dry_run\n"
	"  --since DATE    batches started on or after this date\n"
	"  --limit N       the N most recent batches\n"
	"  --json          a JSON array of objects (one object for BATCH_ID)\n";

static const char usage_creditors[] =
	"usage: loader creditors [--conf FILE] [--db CONNINFO] FILE\n"
	"\n"
	"Inserts or updates creditors from a CSV file with the header\n"
	"creditor_id,name,country,currency,commission_pct,interest_to,iban,active.\n"
	"A bad row is reported with its line and no row of the file is applied (exit 1).\n";

static const char usage_suspense[] =
	"usage: loader suspense [--all] [--json] [--conf FILE] [--db CONNINFO]\n"
	"\n"
	"Lists the suspense items, oldest first: money that came in a bank file and\n"
	"found no case (reason NO_REFERENCE, BAD_REFERENCE, UNKNOWN_REFERENCE,\n"
	"CASE_CLOSED or CURRENCY_MISMATCH). An operator books an item on a case with an\n"
	"assignment file, a CSV with the header suspense_id,creditor_id,creditor_reference,\n"
	"loaded by 'loader load'.\n"
	"\n"
	"  --all    also the items assigned to a case or reversed by the bank\n"
	"  --json   a JSON array of objects: id, batch, account, bank_reference,\n"
	"           booking_date, amount (\"12.50\"), currency, reference, reason, status,\n"
	"           debtor_name\n";

static const char usage_initdb[] =
	"usage: loader init-db [--conf FILE] [--db CONNINFO] [--schemas DIR]\n"
	"\n"
	"Creates or upgrades the schema from the numbered SQL files in DIR\n"
	"(default: the schemas/ folder of the installation). Safe to run again, also\n"
	"several at once.\n";

/* The commands, as bits: which command takes which option. */
enum command {
	CMD_INITDB = 1 << 0,
	CMD_CREDITORS = 1 << 1,
	CMD_LOAD = 1 << 2,
	CMD_RERUN = 1 << 3,
	CMD_STATUS = 1 << 4,
	CMD_SUSPENSE = 1 << 5,
};
#define CMD_ALL (CMD_INITDB | CMD_CREDITORS | CMD_LOAD | CMD_RERUN | CMD_STATUS | CMD_SUSPENSE)

static const struct command_def {
	const char *name;
	enum command cmd;
	const char *usage;
} commands[] = {
	{ "init-db", CMD_INITDB, usage_initdb },
	{ "creditors", CMD_CREDITORS, usage_creditors },
	{ "load", CMD_LOAD, usage_load },
	{ "rerun", CMD_RERUN, usage_rerun },
	{ "status", CMD_STATUS, usage_status },
	{ "suspense", CMD_SUSPENSE, usage_suspense },
};

enum opt_id {
	OPT_CONF = 'c', OPT_DB = 'd', OPT_KIND = 'k', OPT_CREDITOR = 'r', OPT_AS_OF = 'a',
	OPT_DRY_RUN = 'n', OPT_JSON = 'j', OPT_SCHEMAS = 's', OPT_HELP = 'h', OPT_VERSION = 'V',
	OPT_ALL_CREDITORS = 'A', OPT_STATUS = 'S', OPT_SINCE = 'i', OPT_LIMIT = 'l', OPT_ALL = 'L',
};

/* Every option with the commands that take it. */
static const struct option longopts[] = {
	{ "conf", required_argument, NULL, OPT_CONF },
	{ "db", required_argument, NULL, OPT_DB },
	{ "kind", required_argument, NULL, OPT_KIND },
	{ "creditor", required_argument, NULL, OPT_CREDITOR },
	{ "as-of", required_argument, NULL, OPT_AS_OF },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "schemas", required_argument, NULL, OPT_SCHEMAS },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "all-creditors", no_argument, NULL, OPT_ALL_CREDITORS },
	{ "status", required_argument, NULL, OPT_STATUS },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "all", no_argument, NULL, OPT_ALL },
	{ NULL, 0, NULL, 0 },
};
static const unsigned option_commands[] = {
	CMD_ALL, CMD_ALL, CMD_LOAD | CMD_RERUN, CMD_LOAD | CMD_RERUN | CMD_STATUS, CMD_LOAD | CMD_RERUN,
	CMD_LOAD, CMD_STATUS | CMD_SUSPENSE, CMD_INITDB, CMD_ALL, CMD_ALL, CMD_RERUN, CMD_STATUS, CMD_STATUS,
	CMD_STATUS, CMD_SUSPENSE,
};

struct cli {
	const char *conf_path; /* --conf, or NULL: the default */
	const char *db;
	const char *schemas;
	const char *creditor;
	bool all_creditors;
	bool all; /* suspense --all */
	enum file_kind kind;
	int32_t as_of;
	bool as_of_set;
	bool dry_run;
	bool json;
	bool help;
	bool version;
	struct status_filter filter;
};

static void on_signal(int sig)
{
	(void)sig;
	batch_interrupt();
}

/* The options of one command; any other is a usage error (SPEC 2 v2).
 * Returns 0, or an exit status. */
static int parse_options(int argc, char **argv, struct cli *cli, const struct command_def *cmd)
{
	const char *usage = cmd->usage;
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (opt != '?' && opt != ':' && opt != 'h') {
			size_t i = 0;

			while (longopts[i].val != opt)
				i++;
			if (!(option_commands[i] & cmd->cmd))
				return log_usage_error(usage, "'--%s' is not an option of 'loader %s'", longopts[i].name,
						       cmd->name);
		}
		switch (opt) {
		case OPT_CONF: cli->conf_path = optarg; break;
		case OPT_DB: cli->db = optarg; break;
		case OPT_SCHEMAS: cli->schemas = optarg; break;
		case OPT_DRY_RUN: cli->dry_run = true; break;
		case OPT_JSON: cli->json = true; break;
		case OPT_HELP: cli->help = true; break;
		case OPT_VERSION: cli->version = true; break;
		case OPT_ALL_CREDITORS: cli->all_creditors = true; break;
		case OPT_ALL: cli->all = true; break;
		case OPT_CREDITOR:
			if (!ids_creditor_ok(optarg))
				return log_usage_error(usage, "--creditor '%s' is not a creditor id ([A-Z0-9]{1,16})", optarg);
			cli->creditor = optarg;
			if (cmd->cmd == CMD_STATUS)
				cli->filter.creditor = optarg;
			break;
		case OPT_KIND:
			cli->kind = file_kind_parse(optarg);
			if (cli->kind == KIND_UNKNOWN || cli->kind == KIND_CREDITORS)
				return log_usage_error(usage,
						       "--kind must be 'cases', 'transactions', 'events', 'bank' or 'assignments',"
						       " not '%s'",
						       optarg);
			break;
		case OPT_AS_OF:
			if (date_parse(&cli->as_of, optarg, strlen(optarg)) != 0)
				return log_usage_error(usage, "--as-of '%s' is not a date YYYY-MM-DD", optarg);
			cli->as_of_set = true;
			break;
		case OPT_STATUS:
			if (!batch_status_name_ok(optarg))
				return log_usage_error(usage, "--status must be loading, loaded, refused, failed or "
						       "dry_run, not '%s'", optarg);
			cli->filter.status = optarg;
			break;
		case OPT_SINCE:
			if (date_parse(&cli->filter.since, optarg, strlen(optarg)) != 0)
				return log_usage_error(usage, "--since '%s' is not a date YYYY-MM-DD", optarg);
			cli->filter.since_set = true;
			break;
		case OPT_LIMIT: {
			char *end;
			long long n;

			errno = 0;
			n = strtoll(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || n <= 0)
				return log_usage_error(usage, "--limit '%s' is not a positive number", optarg);
			cli->filter.limit = n;
			break;
		}
		default:
			return log_usage_error(usage, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (cli->all_creditors && cli->creditor != NULL)
		return log_usage_error(usage, "%s", "--creditor and --all-creditors exclude each other");
	return 0;
}

static void print_summary(const struct batch_result *r)
{
	if (r->already_loaded)
		printf("already loaded as batch %lld\n", r->batch_id);
	else if (r->batch_id > 0 && r->bank)
		printf("batch %lld %s: %lld records, %lld accepted, %lld skipped, %lld rejected, %lld to suspense,"
		       " %lld ignored\n", r->batch_id, r->status, r->records, r->accepted, r->skipped, r->rejected,
		       r->suspense, r->ignored);
	else if (r->batch_id > 0)
		printf("batch %lld %s: %lld records, %lld accepted, %lld skipped, %lld rejected\n",
		       r->batch_id, r->status, r->records, r->accepted, r->skipped, r->rejected);
	fflush(stdout);
}

/* The test hooks of the environment (README "Test hooks"). */
static void test_hooks(struct load_opts *opts)
{
	const char *bits = getenv("LOADER_KEY_FILTER_BITS");

	opts->staged_only = getenv("LOADER_STAGED") != NULL;
	if (bits != NULL) {
		char *end;
		unsigned long n = strtoul(bits, &end, 10);

		if (*end == '\0' && n >= 6 && n <= 34)
			opts->key_filter_log2_bits = (unsigned)n;
	}
	phase_enable(getenv("LOADER_TIMING") != NULL);
}

static int load_files(struct config *conf, const char *conninfo, char **files, int nfiles,
		      struct load_opts *opts)
{
	int worst = 0;

	test_hooks(opts);
	/* Exit 2 means nothing done: check every file, and the creditor,
	 * before loading any. */
	for (int i = 0; i < nfiles; i++) {
		struct stat st;

		if (stat(files[i], &st) != 0 || access(files[i], R_OK) != 0) {
			char why[128];

			snprintf(why, sizeof(why), "%s", strerror(errno));
			if (why[0] >= 'A' && why[0] <= 'Z')
				why[0] = (char)(why[0] - 'A' + 'a');
			log_error("cannot read '%s': %s", files[i], why);
			worst = 2;
		} else if (!S_ISREG(st.st_mode)) {
			log_error("'%s' is not a regular file", files[i]);
			worst = 2;
		}
	}
	if (worst != 0)
		return worst;
	{
		struct err e = ERR_INIT;

		if (case_ids_check_config(conf, &e) != 0 ||
		    (opts->creditor != NULL && batch_check_creditor(conninfo, opts->creditor, &e) != 0))
			return log_report(&e);
	}
	for (int i = 0; i < nfiles; i++) {
		struct batch_result res;
		struct err e = ERR_INIT;
		int rc, status;

		rc = batch_load(conf, conninfo, files[i], opts, &res, &e);
		status = err_exit_status(rc);
		print_summary(&res);
		if (rc != 0)
			log_error("'%s': %s", files[i], e.message);
		batch_report_hints(&res);
		if (status > worst)
			worst = status;
		if (batch_interrupted)
			break;
	}
	return worst;
}

/* rerun BATCH_ID: the batch's file again, with its options unless the
 * command line replaces them. */
static int rerun(struct config *conf, const char *conninfo, const struct cli *cli, const char *arg)
{
	struct batch_info info;
	struct load_opts opts;
	struct err e = ERR_INIT;
	char sha[65];
	long long id;
	char *end;

	errno = 0;
	id = strtoll(arg, &end, 10);
	if (errno != 0 || id <= 0 || *end != '\0')
		return log_usage_error(usage_rerun, "'%s' is not a batch id", arg);
	if (batch_lookup(conninfo, id, &info, &e) != 0)
		return log_report(&e);
	if (source_sha256_file(info.file_path, sha, &e) != 0) {
		log_error("batch %lld: %s", id, e.message);
		return 2;
	}
	if (strcmp(sha, info.sha256) != 0) {
		log_error("batch %lld: '%s' has changed since it was loaded (SHA-256 differs); not re-run",
			  id, info.file_path);
		return 2;
	}
	memset(&opts, 0, sizeof(opts));
	opts.kind = cli->kind != KIND_UNKNOWN ? cli->kind : file_kind_parse(info.kind);
	opts.creditor = cli->creditor != NULL ? cli->creditor
			: cli->all_creditors || info.creditor[0] == '\0' ? NULL : info.creditor;
	if (cli->as_of_set)
		opts.as_of = cli->as_of;
	else
		date_parse(&opts.as_of, info.as_of, strlen(info.as_of));
	opts.dry_run = info.dry_run;
	opts.rerun_batch = id;
	/* a loaded batch's file is loaded again as a new batch */
	opts.rerun_loaded = strcmp(info.status, "loaded") == 0;
	{
		char *files[1] = { info.file_path };

		return load_files(conf, conninfo, files, 1, &opts);
	}
}

static int init_db(const char *conninfo, const struct cli *cli)
{
	char dir[PATH_MAX];
	struct err e = ERR_INIT;
	int applied = 0;

	if (cli->schemas != NULL) {
		snprintf(dir, sizeof(dir), "%s", cli->schemas);
	} else {
		char root[PATH_MAX];

		if (config_install_dir(root, sizeof(root), &e) != 0)
			return log_report(&e);
		if ((size_t)snprintf(dir, sizeof(dir), "%s/schemas", strcmp(root, "/") == 0 ? "" : root) >= sizeof(dir)) {
			log_error("the schema folder's path is too long");
			return 2;
		}
	}
	if (schema_init(conninfo, dir, &applied, &e) != 0)
		return log_report(&e);
	printf("schema up to date: %d migration%s applied\n", applied, applied == 1 ? "" : "s");
	return 0;
}

int main(int argc, char **argv)
{
	struct cli cli;
	struct config conf;
	struct err e = ERR_INIT;
	const struct command_def *cmd = NULL;
	const char *conninfo;
	char conf_path[CONFIG_PATH_MAX];
	struct sigaction sa;
	int rc, status = 0;

	log_set_program("loader");
	memset(&cli, 0, sizeof(cli));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_main, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("loader %s\n", ENGINE_VERSION);
		return fflush(stdout) == 0 ? 0 : 3;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL)
		return log_usage_error(usage_main, "unknown command '%s'", argv[1]);

	if ((rc = parse_options(argc - 1, argv + 1, &cli, cmd)) != 0)
		return rc;
	if (cli.help || cli.version) {
		if (cli.help)
			fputs(cmd->usage, stdout);
		else
			printf("loader %s\n", ENGINE_VERSION);
		return fflush(stdout) == 0 ? 0 : 3;
	}
	argc -= optind + 1;
	argv += optind + 1;
	/* the arguments before anything else: a usage error does nothing */
	switch (cmd->cmd) {
	case CMD_INITDB:
		if (argc != 0)
			return log_usage_error(cmd->usage, "unexpected argument '%s'", argv[0]);
		break;
	case CMD_CREDITORS:
		if (argc != 1)
			return log_usage_error(cmd->usage, "%s", "expected exactly one FILE");
		break;
	case CMD_STATUS:
		if (argc > 1)
			return log_usage_error(cmd->usage, "unexpected argument '%s'", argv[1]);
		break;
	case CMD_SUSPENSE:
		if (argc != 0)
			return log_usage_error(cmd->usage, "unexpected argument '%s'", argv[0]);
		break;
	case CMD_LOAD:
		if (argc < 1)
			return log_usage_error(cmd->usage, "%s", "expected at least one FILE");
		break;
	case CMD_RERUN:
		if (argc != 1)
			return log_usage_error(cmd->usage, "%s", "expected one BATCH_ID");
		break;
	}

	if (cli.conf_path != NULL) {
		snprintf(conf_path, sizeof(conf_path), "%s", cli.conf_path);
	} else if (config_default_path(conf_path, sizeof(conf_path), &e) != 0) {
		return log_report(&e);
	}
	config_init(&conf);
	if (config_load(&conf, conf_path, &e) != 0) {
		config_release(&conf);
		return log_report(&e);
	}
	conninfo = cli.db != NULL ? cli.db : conf.conninfo;

	switch (cmd->cmd) {
	case CMD_INITDB:
		status = init_db(conninfo, &cli);
		break;
	case CMD_CREDITORS: {
		long applied = 0;

		if (creditors_import(&conf, conninfo, argv[0], &applied, &e) != 0)
			status = log_report(&e);
		else
			printf("creditors: %ld applied\n", applied);
		break;
	}
	case CMD_STATUS: {
		long long id = 0;

		if (argc == 1) {
			char *end;

			errno = 0;
			id = strtoll(argv[0], &end, 10);
			if (errno != 0 || *end != '\0' || id <= 0) {
				status = log_usage_error(cmd->usage, "'%s' is not a batch id", argv[0]);
				break;
			}
		}
		if (batch_status(conninfo, id, &cli.filter, cli.json, &e) != 0)
			status = log_report(&e);
		break;
	}
	case CMD_LOAD: {
		struct load_opts opts = { .kind = cli.kind,
					  .creditor = cli.creditor,
					  .as_of = cli.as_of_set ? cli.as_of : date_today(),
					  .dry_run = cli.dry_run };

		status = load_files(&conf, conninfo, argv, argc, &opts);
		break;
	}
	case CMD_RERUN:
		status = rerun(&conf, conninfo, &cli, argv[0]);
		break;
	case CMD_SUSPENSE:
		if (suspense_list(conninfo, cli.all, cli.json, &e) != 0)
			status = log_report(&e);
		break;
	}
	config_release(&conf);
	if (fflush(stdout) != 0 && status == 0)
		status = 3;
	return status;
}
