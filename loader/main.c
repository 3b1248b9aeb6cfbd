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
#include "config.h"
#include "date.h"
#include "log.h"
#include "source.h"

static const char usage_main[] =
	"usage: loader COMMAND [OPTIONS] [ARGS]\n"
	"\n"
	"Loads creditors' collection cases and transactions into PostgreSQL.\n"
	"\n"
	"commands:\n"
	"  init-db                 create or upgrade the database schema (safe to run again)\n"
	"  creditors FILE          insert or update creditor master data from a CSV file\n"
	"  load FILE...            load case or transaction files, one batch per file\n"
	"  rerun BATCH_ID          load a failed or refused batch's file again\n"
	"  status [BATCH_ID]       list batches and their counts\n"
	"\n"
	"options every command takes (after the command word):\n"
	"  --conf FILE             configuration (default conf/engine.conf)\n"
	"  --db CONNINFO           database connection (default: configuration, then PG* environment)\n"
	"  --help                  what the command does\n"
	"\n"
	"'loader COMMAND --help' tells more.\n";

static const char usage_load[] =
	"usage: loader load [--kind cases|transactions] [--creditor ID] [--as-of YYYY-MM-DD]\n"
	"                   [--dry-run] [--conf FILE] [--db CONNINFO] FILE...\n"
	"\n"
	"Loads each FILE (CSV or XML, optionally gzip) as one atomic batch: every valid\n"
	"record is stored, every invalid one is listed with its line, field and code in\n"
	"<report_dir>/batch-<id>.rejects.csv; accepted and skipped records are listed in\n"
	"<report_dir>/batch-<id>.receipt.csv. A file already loaded is not loaded again.\n"
	"\n"
	"  --kind K       cases or transactions (default: detected from the CSV header or XML root)\n"
	"  --creditor ID  reject records of any other creditor (CREDITOR_MISMATCH)\n"
	"  --as-of DATE   business date of the run (default today)\n"
	"  --dry-run      validate and write the reject report, load nothing\n"
	"\n"
	"Prints one line per file: batch <id> <status>: <n> records, <n> accepted, <n> skipped, <n> rejected\n"
	"Exit status: 0 loaded (or already loaded), 1 a file was refused, 2 usage or\n"
	"configuration error, 3 database or I/O failure (the batch is failed and can be re-run).\n";

static const char usage_rerun[] =
	"usage: loader rerun [--conf FILE] [--db CONNINFO] BATCH_ID\n"
	"\n"
	"Loads a failed or refused batch's file again with its original as-of date and\n"
	"options, after checking that the file still has the recorded SHA-256 (else exit 2).\n";

static const char usage_status[] =
	"usage: loader status [--json] [--conf FILE] [--db CONNINFO] [BATCH_ID]\n"
	"\n"
	"Lists batches: id, kind, file name, sha256, as-of, started, finished, status\n"
	"(loading, loaded, refused, failed, dry_run) and counts. A batch whose loader\n"
	"died is shown failed.\n";

static const char usage_creditors[] =
	"usage: loader creditors [--conf FILE] [--db CONNINFO] FILE\n"
	"\n"
	"Inserts or updates creditors from a CSV file with the header\n"
	"creditor_id,name,country,currency,commission_pct,interest_to,iban,active.\n"
	"A bad row is reported with its line and no row of the file is applied (exit 1).\n";

static const char usage_initdb[] =
	"usage: loader init-db [--conf FILE] [--db CONNINFO] [--schemas DIR]\n"
	"\n"
	"Creates or upgrades the schema from the numbered SQL files in DIR\n"
	"(default: the schemas/ directory of the installation). Safe to run again.\n";

struct cli {
	const char *conf_path;
	const char *db;
	const char *schemas;
	const char *creditor;
	enum file_kind kind;
	int32_t as_of;
	bool as_of_set;
	bool dry_run;
	bool json;
	bool help;
};

static void on_signal(int sig)
{
	(void)sig;
	batch_interrupt();
}

/* Options of every command. Returns 0, or an exit status. */
static int parse_options(int argc, char **argv, struct cli *cli, const char *usage)
{
	static const struct option longopts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "kind", required_argument, NULL, 'k' },
		{ "creditor", required_argument, NULL, 'r' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "schemas", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': cli->conf_path = optarg; break;
		case 'd': cli->db = optarg; break;
		case 's': cli->schemas = optarg; break;
		case 'n': cli->dry_run = true; break;
		case 'j': cli->json = true; break;
		case 'h': cli->help = true; break;
		case 'r':
			if (*optarg == '\0' || strlen(optarg) > 16)
				return log_usage_error(usage, "--creditor '%s' is not a creditor id", optarg);
			cli->creditor = optarg;
			break;
		case 'k':
			if (strcmp(optarg, "cases") == 0)
				cli->kind = KIND_CASES;
			else if (strcmp(optarg, "transactions") == 0)
				cli->kind = KIND_TRANSACTIONS;
			else
				return log_usage_error(usage, "--kind must be 'cases' or 'transactions', not '%s'", optarg);
			break;
		case 'a':
			if (date_parse(&cli->as_of, optarg, strlen(optarg)) != 0)
				return log_usage_error(usage, "--as-of '%s' is not a date YYYY-MM-DD", optarg);
			cli->as_of_set = true;
			break;
		default:
			return log_usage_error(usage, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	return 0;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* schemas/ beside the installation: <exe>/../schemas, or ./schemas. */
static void default_schema_dir(char *out, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	static const char *const rel[] = { "/../schemas", "/../../../schemas" };

	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			for (size_t i = 0; i < 2; i++) {
				if ((size_t)snprintf(out, size, "%s%s", exe, rel[i]) < size && is_dir(out))
					return;
			}
		}
	}
	snprintf(out, size, "schemas");
}

static void print_summary(const struct batch_result *r)
{
	if (r->already_loaded)
		printf("already loaded as batch %lld\n", r->batch_id);
	else if (r->batch_id > 0)
		printf("batch %lld %s: %lld records, %lld accepted, %lld skipped, %lld rejected\n",
		       r->batch_id, r->status, r->records, r->accepted, r->skipped, r->rejected);
	fflush(stdout);
}

static int load_files(struct config *conf, const char *conninfo, char **files, int nfiles,
		      const struct load_opts *opts)
{
	int worst = 0;

	/* Exit 2 means nothing done: check every file before loading any. */
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
	for (int i = 0; i < nfiles; i++) {
		struct batch_result res;
		struct err e = ERR_INIT;
		int rc, status;

		rc = batch_load(conf, conninfo, files[i], opts, &res, &e);
		status = err_exit_status(rc);
		print_summary(&res);
		if (rc != 0)
			log_error("'%s': %s", files[i], e.message);
		if (status > worst)
			worst = status;
		if (batch_interrupted)
			break;
	}
	return worst;
}

int main(int argc, char **argv)
{
	struct cli cli = { .conf_path = CONFIG_DEFAULT_PATH };
	struct config conf;
	struct err e = ERR_INIT;
	const char *cmd, *usage, *conninfo;
	struct sigaction sa;
	int rc, status = 0;

	log_set_program("loader");
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
	cmd = argv[1];
	if (strcmp(cmd, "load") == 0)
		usage = usage_load;
	else if (strcmp(cmd, "rerun") == 0)
		usage = usage_rerun;
	else if (strcmp(cmd, "status") == 0)
		usage = usage_status;
	else if (strcmp(cmd, "creditors") == 0)
		usage = usage_creditors;
	else if (strcmp(cmd, "init-db") == 0)
		usage = usage_initdb;
	else
		return log_usage_error(usage_main, "unknown command '%s'", cmd);

	if ((rc = parse_options(argc - 1, argv + 1, &cli, usage)) != 0)
		return rc;
	if (cli.help) {
		fputs(usage, stdout);
		return 0;
	}
	argc -= optind + 1;
	argv += optind + 1;

	config_init(&conf);
	if (config_load(&conf, cli.conf_path, strcmp(cli.conf_path, CONFIG_DEFAULT_PATH) == 0, &e) != 0) {
		config_release(&conf);
		return log_report(&e);
	}
	conninfo = cli.db != NULL ? cli.db : conf.conninfo;

	if (strcmp(cmd, "init-db") == 0) {
		char dir[PATH_MAX];
		int applied = 0;

		if (argc != 0) {
			status = log_usage_error(usage, "unexpected argument '%s'", argv[0]);
			goto out;
		}
		if (cli.schemas != NULL)
			snprintf(dir, sizeof(dir), "%s", cli.schemas);
		else
			default_schema_dir(dir, sizeof(dir));
		if (schema_init(conninfo, dir, &applied, &e) != 0) {
			status = log_report(&e);
			goto out;
		}
		printf("schema up to date: %d migration%s applied\n", applied, applied == 1 ? "" : "s");
	} else if (strcmp(cmd, "creditors") == 0) {
		long applied = 0;

		if (argc != 1) {
			status = log_usage_error(usage, "%s", "expected exactly one FILE");
			goto out;
		}
		if (creditors_import(&conf, conninfo, argv[0], &applied, &e) != 0) {
			status = log_report(&e);
			goto out;
		}
		printf("creditors: %ld applied\n", applied);
	} else if (strcmp(cmd, "status") == 0) {
		long long id = 0;

		if (argc > 1) {
			status = log_usage_error(usage, "unexpected argument '%s'", argv[1]);
			goto out;
		}
		if (argc == 1) {
			char *end;

			id = strtoll(argv[0], &end, 10);
			if (*end != '\0' || id <= 0) {
				status = log_usage_error(usage, "'%s' is not a batch id", argv[0]);
				goto out;
			}
		}
		if (batch_status(conninfo, id, cli.json, &e) != 0)
			status = log_report(&e);
	} else if (strcmp(cmd, "load") == 0) {
		struct load_opts opts = { cli.kind, cli.creditor, cli.as_of_set ? cli.as_of : date_today(),
					  cli.dry_run, 0 };

		if (argc < 1) {
			status = log_usage_error(usage, "%s", "expected at least one FILE");
			goto out;
		}
		status = load_files(&conf, conninfo, argv, argc, &opts);
	} else {
		struct batch_info info;
		struct load_opts opts;
		char sha[65];
		long long id;
		char *end;

		if (argc != 1 || (id = strtoll(argv[0], &end, 10)) <= 0 || *end != '\0') {
			status = log_usage_error(usage, "%s", "expected one BATCH_ID");
			goto out;
		}
		if (batch_lookup(conninfo, id, &info, &e) != 0) {
			status = log_report(&e);
			goto out;
		}
		if (strcmp(info.status, "loaded") == 0) {
			printf("already loaded as batch %lld\n", id);
			goto out;
		}
		if (source_sha256_file(info.file_path, sha, &e) != 0) {
			log_error("batch %lld: %s", id, e.message);
			status = 2;
			goto out;
		}
		if (strcmp(sha, info.sha256) != 0) {
			log_error("batch %lld: '%s' has changed since it was loaded (SHA-256 differs); not re-run",
				  id, info.file_path);
			status = 2;
			goto out;
		}
		memset(&opts, 0, sizeof(opts));
		opts.kind = strcmp(info.kind, "cases") == 0 ? KIND_CASES
			    : strcmp(info.kind, "transactions") == 0 ? KIND_TRANSACTIONS : KIND_UNKNOWN;
		opts.creditor = info.creditor[0] != '\0' ? info.creditor : NULL;
		date_parse(&opts.as_of, info.as_of, strlen(info.as_of));
		opts.dry_run = info.dry_run;
		opts.rerun_batch = id;
		{
			char *files[1] = { info.file_path };

			status = load_files(&conf, conninfo, files, 1, &opts);
		}
	}
out:
	config_release(&conf);
	if (fflush(stdout) != 0 && status == 0)
		status = 3;
	return status;
}
