/* main.c: bin/settlement. Arguments, configuration, wiring; the only place
 * that exits. */
#include <getopt.h>
#include <libxml/xmlerror.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_overview.h"
#include "config.h"
#include "date.h"
#include "ids.h"
#include "db.h"
#include "log.h"
#include "payout_run.h"
#include "phase.h"
#include "settle.h"
#include "statements_list.h"
#include "version.h"
#include "lsan_hooks.h" /* defines; included by each program once */

static const char usage_main[] =
	"usage: settlement COMMAND [OPTIONS]\n"
	"\n"
	"Settles collected money with creditors: monthly statements, case lists and\n"
	"case overviews.\n"
	"\n"
	"commands:\n"
	"  run --period YYYY-MM    settle an ended month and write its statements\n"
	"  cases --creditor ID     write a creditor's case list as CSV on stdout\n"
	"  payout --period YYYY-MM write the pain.001 payout files of a settled month\n"
	"  statements              list the statements, their payout files and paid dates\n"
	"  case --creditor ID REF  the overview of one case: balances, transactions and events\n"
	"\n"
	"options every command takes (after the command word):\n"
	"  --conf FILE             configuration (default $ENGINE_CONF, else conf/engine.conf\n"
	"                          of the installation: the folder above this program's bin/)\n"
	"  --db CONNINFO           database connection (default: configuration, then PG* environment)\n"
	"  --help                  what the command does\n"
	"\n"
	"'settlement COMMAND --help' tells more; 'settlement --version' prints the version.\n";

static const char usage_run[] =
	"usage: settlement run --period YYYY-MM [--creditor ID] [--as-of YYYY-MM-DD]\n"
	"                      [--out DIR] [--conf FILE] [--db CONNINFO]\n"
	"\n"
	"Settles every transaction booked on or before the last day of the period that\n"
	"no earlier statement settled (late-loaded ones included) and issues one\n"
	"statement per creditor and currency, numbered <period>-<creditor_id>-<currency>.\n"
	"A run covers every creditor (or the --creditor one) and closes the period for\n"
	"it, with a statement or without: running that period again, or an earlier\n"
	"one, issues nothing new for the creditor and rewrites byte-identical files;\n"
	"a transaction loaded later goes into the creditor's next period run. Files:\n"
	"<out>/<period>/<creditor_id>-<currency>.csv, .xml and .pdf (the PDF needs\n"
	"[agency] name and address, and a QR-bill's account.CHF or .EUR).\n"
	"\n"
	"  --period YYYY-MM  the month to settle; its last day must be before the as-of date\n"
	"  --creditor ID     settle only this creditor (default: all)\n"
	"  --as-of DATE      business date of the run, stored as the issue date (default today)\n"
	"  --out DIR         statement directory (default: out_dir of the configuration)\n"
	"\n"
	"Prints one line per statement: statement <number>: <n> lines, net payout <amount> <currency>\n"
	"Exit status: 0 done (also when there was nothing to settle), 2 usage or\n"
	"configuration error or period not ended, 3 database or I/O failure (nothing issued).\n";

static const char usage_cases[] =
	"usage: settlement cases --creditor ID [--as-of YYYY-MM-DD]\n"
	"                        [--status open|closed|withdrawn|all] [--conf FILE] [--db CONNINFO]\n"
	"\n"
	"Writes the creditor's cases registered up to the as-of date as CSV on stdout:\n"
	"case_id,creditor_reference,debtor_name,status,original_amount,principal,fees,\n"
	"interest,last_transaction_date,payment_reference,stage, ordered by\n"
	"creditor_reference. Balances are those of the last settlement; the status\n"
	"and the stage are the ones on the as-of date.\n"
	"\n"
	"  --creditor ID   the creditor (required)\n"
	"  --as-of DATE    business date (default today)\n"
	"  --status S      only cases with this status (default all)\n"
	"\n"
	"Exit status: 0 done, 2 usage or configuration error or unknown creditor,\n"
	"3 database or I/O failure.\n";

static const char usage_payout[] =
	"usage: settlement payout --period YYYY-MM [--as-of YYYY-MM-DD] [--out DIR]\n"
	"                         [--conf FILE] [--db CONNINFO]\n"
	"\n"
	"Writes, for every currency, one ISO 20022 pain.001.001.09 credit transfer\n"
	"initiation with one transfer per statement of the period whose net payout is\n"
	"positive and that no earlier payout file holds (statements issued after the\n"
	"as-of date wait for a later run): <out>/<period>/payout-<msgid>.xml, MsgId\n"
	"<period>-<currency>-<n>, n one more for each run that finds new statements of\n"
	"that currency. Debtor: [agency] name, account.<currency> and bic of the\n"
	"configuration; creditor: its name and IBAN; EndToEndId: the statement number.\n"
	"Every payout file of the period is written again, byte for byte the same.\n"
	"\n"
	"  --period YYYY-MM  the settled month; its last day must be before the as-of date\n"
	"  --as-of DATE      business date: the requested execution date (default today)\n"
	"  --out DIR         directory (default: out_dir of the configuration)\n"
	"\n"
	"Prints one line per payout file: payout <msgid>: <n> transfers, <total> <currency>\n"
	"Exit status: 0 done (also when there was nothing new to pay), 2 usage or\n"
	"configuration error or period not ended, 3 database or I/O failure (nothing written).\n";

static const char usage_statements[] =
	"usage: settlement statements [--period YYYY-MM] [--creditor ID] [--json]\n"
	"                             [--conf FILE] [--db CONNINFO]\n"
	"\n"
	"Lists the statements issued: number, creditor, currency, net payout, the MsgId\n"
	"of the payout file that holds it and the date the bank paid it ('-' for none),\n"
	"ordered by period, creditor and currency.\n"
	"\n"
	"  --period YYYY-MM  only the statements of this month\n"
	"  --creditor ID     only this creditor's statements\n"
	"  --json            an array of objects: number, creditor_id, currency,\n"
	"                    net_payout (a string), payout_msgid and paid_date (null when none)\n"
	"\n"
	"Exit status: 0 done, 2 usage or configuration error or unknown creditor,\n"
	"3 database or I/O failure.\n";

static const char usage_case[] =
	"usage: settlement case --creditor ID [--as-of YYYY-MM-DD] [--json]\n"
	"                      [--conf FILE] [--db CONNINFO] REFERENCE\n"
	"\n"
	"The overview of the creditor's case REFERENCE (its creditor_reference): case\n"
	"number, references, debtor name and city, status and stage on the as-of date,\n"
	"payment reference, the balances at registration and as of the last settlement,\n"
	"and every transaction and event in booking order (on one date events first,\n"
	"then load order), each settled transaction with its allocation and the\n"
	"statement that settled it ('-': not settled yet). Options may also follow\n"
	"REFERENCE.\n"
	"\n"
	"  --creditor ID   the creditor (required)\n"
	"  --as-of DATE    the date of the status and the stage (default today)\n"
	"  --json          one object with snake_case keys, amounts as strings with two\n"
	"                  decimals and the array history (type transaction or event,\n"
	"                  statement_number null when not settled)\n"
	"\n"
	"Exit status: 0 done, 2 usage or configuration error, unknown creditor or case,\n"
	"3 database or I/O failure.\n";

/* libxml2 only writes statements here (statement.c): a failed write is
 * reported by the settlement's message, not by libxml2's too. */
static void xml_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* The commands and the options each takes (getopt letters of longopts). */
enum command { CMD_RUN, CMD_CASES, CMD_PAYOUT, CMD_STATEMENTS, CMD_CASE };

static const struct command_def {
	const char *name;
	const char *usage;
	const char *options;
	const char *app_name; /* application_name of its connection */
	int args;             /* arguments it takes besides the options */
} commands[] = {
	[CMD_RUN] = { "run", usage_run, "cdpraohV", "settlement run" },
	[CMD_CASES] = { "cases", usage_cases, "cdrashV", "settlement cases" },
	[CMD_PAYOUT] = { "payout", usage_payout, "cdpaohV", "settlement payout" },
	[CMD_STATEMENTS] = { "statements", usage_statements, "cdprjhV", "settlement statements" },
	[CMD_CASE] = { "case", usage_case, "cdrajhV", "settlement case", 1 },
};

struct cli {
	const char *conf_path; /* NULL: the default */
	const char *db;
	const char *creditor;
	const char *out_dir;
	const char *period; /* as given */
	const char *arg;    /* the one argument of a command that takes one */
	int year;
	int month;
	bool period_set;
	bool json;
	int32_t as_of;
	bool as_of_set;
	int filter;
	bool help;
	bool version;
};

/* Options of a command. Returns 0, or an exit status. */
static int parse_options(int argc, char **argv, struct cli *cli, const struct command_def *cmd)
{
	static const struct option longopts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "period", required_argument, NULL, 'p' },
		{ "creditor", required_argument, NULL, 'r' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "out", required_argument, NULL, 'o' },
		{ "status", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = cmd->usage;
	int opt;
	int index;

	opterr = 0;
	optind = 1;
next:
	while ((opt = getopt_long(argc, argv, "+h", longopts, &index)) != -1) {
		if (opt != '?' && opt != ':' && strchr(cmd->options, opt) == NULL)
			return log_usage_error(usage, "--%s is not an option of '%s'",
					       opt == 'h' ? "help" : longopts[index].name, cmd->name);
		switch (opt) {
		case 'c': cli->conf_path = optarg; break;
		case 'V': cli->version = true; break;
		case 'd': cli->db = optarg; break;
		case 'h': cli->help = true; break;
		case 'j': cli->json = true; break;
		case 'r':
			if (!ids_creditor_ok(optarg))
				return log_usage_error(usage, "--creditor '%s' is not a creditor id", optarg);
			cli->creditor = optarg;
			break;
		case 'a':
			if (date_parse(&cli->as_of, optarg, strlen(optarg)) != 0)
				return log_usage_error(usage, "--as-of '%s' is not a date YYYY-MM-DD", optarg);
			cli->as_of_set = true;
			break;
		case 'p':
			if (date_parse_period(&cli->year, &cli->month, optarg) != 0)
				return log_usage_error(usage, "--period '%s' is not a month YYYY-MM", optarg);
			cli->period = optarg;
			cli->period_set = true;
			break;
		case 'o':
			if (*optarg == '\0')
				return log_usage_error(usage, "%s", "--out needs a directory");
			cli->out_dir = optarg;
			break;
		case 's':
			cli->filter = settle_case_filter_parse(optarg);
			if (cli->filter < 0)
				return log_usage_error(usage, "--status must be open, closed, withdrawn "
						  "or all, not '%s'", optarg);
			break;
		default:
			return log_usage_error(usage, "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	/* a command's argument; options may follow it (settlement case) */
	if (optind < argc && cmd->args > 0 && cli->arg == NULL && strcmp(argv[optind - 1], "--") != 0) {
		cli->arg = argv[optind++];
		goto next;
	}
	if (optind < argc && cmd->args > 0 && cli->arg == NULL)
		cli->arg = argv[optind++];
	if (optind < argc)
		return log_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* What a command needs before the configuration is read. Returns 0, or
 * an exit status. */
static int check_required(struct cli *cli, enum command cmd, struct err *e)
{
	const char *usage = commands[cmd].usage;
	int32_t first, last;

	if (cmd == CMD_RUN || cmd == CMD_PAYOUT) {
		if (!cli->period_set)
			return log_usage_error(usage, "%s", "--period YYYY-MM is required");
		/* before anything else: an unended period is a usage error */
		if (settle_check_period(&first, &last, cli->year, cli->month, cli->as_of, e) != 0)
			return log_report(e);
	} else if ((cmd == CMD_CASES || cmd == CMD_CASE) && cli->creditor == NULL) {
		return log_usage_error(usage, "%s", "--creditor ID is required");
	}
	if (cmd == CMD_CASE && cli->arg == NULL)
		return log_usage_error(usage, "%s", "the case's REFERENCE is required");
	return 0;
}

/* Run the command on the open connection. */
static int run_command(PGconn *conn, enum command cmd, struct cli *cli, const struct config *conf,
		       struct err *e)
{
	switch (cmd) {
	case CMD_RUN:
	case CMD_PAYOUT: {
		struct settle_opts o = {
			.conf = conf,
			.year = cli->year,
			.month = cli->month,
			.creditor_id = cli->creditor, /* payout takes none */
			.as_of = cli->as_of,
			.out_dir = cli->out_dir,
			.out = stdout,
			/* SETTLE_PDF=0 leaves the PDFs out: a measuring aid for
			 * `make bench` (SPEC 15 wants them), like SETTLE_TIMING */
			.no_pdf = getenv("SETTLE_PDF") != NULL && strcmp(getenv("SETTLE_PDF"), "0") == 0,
		};

		return cmd == CMD_RUN ? settle_run(conn, &o, e) : payout_run(conn, &o, e);
	}
	case CMD_CASES: {
		struct settle_cases_opts o = {
			.creditor_id = cli->creditor,
			.as_of = cli->as_of,
			.filter = (enum settle_case_filter)cli->filter,
			.out = stdout,
		};

		return settle_cases(conn, &o, e);
	}
	case CMD_CASE: {
		struct case_overview_opts o = {
			.creditor_id = cli->creditor,
			.reference = cli->arg,
			.as_of = cli->as_of,
			.json = cli->json,
			.out = stdout,
		};

		return case_overview(conn, &o, e);
	}
	case CMD_STATEMENTS: {
		struct statements_opts o = {
			.period = cli->period,
			.creditor_id = cli->creditor,
			.json = cli->json,
			.out = stdout,
		};

		return statements_list(conn, &o, e);
	}
	}
	return ERR_SET(e, ERR_USAGE, "unknown command");
}

int main(int argc, char **argv)
{
	struct cli cli = { .conf_path = NULL };
	char conf_path[CONFIG_PATH_MAX];
	struct config conf;
	struct err e = ERR_INIT;
	PGconn *conn = NULL;
	const char *conninfo;
	enum command cmd;
	size_t ci;
	int status = 0;
	int rc;

	log_set_program("settlement");
	signal(SIGPIPE, SIG_IGN);
	/* SETTLE_TIMING (any value) logs the duration of each phase */
	phase_enable(getenv("SETTLE_TIMING") != NULL);
	xmlSetGenericErrorFunc(NULL, xml_quiet);

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_main, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("settlement %s\n", ENGINE_VERSION);
		return fflush(stdout) == 0 ? 0 : 3;
	}
	for (ci = 0; ci < sizeof(commands) / sizeof(commands[0]); ci++)
		if (strcmp(argv[1], commands[ci].name) == 0)
			break;
	if (ci == sizeof(commands) / sizeof(commands[0]))
		return log_usage_error(usage_main, "unknown command '%s'", argv[1]);
	cmd = (enum command)ci;

	rc = parse_options(argc - 1, argv + 1, &cli, &commands[cmd]);
	if (rc != 0)
		return rc;
	if (cli.help || cli.version) {
		if (cli.help)
			fputs(commands[cmd].usage, stdout);
		else
			printf("settlement %s\n", ENGINE_VERSION);
		return fflush(stdout) == 0 ? 0 : 3;
	}
	if (!cli.as_of_set)
		cli.as_of = date_today();
	rc = check_required(&cli, cmd, &e);
	if (rc != 0)
		return rc;

	if (cli.conf_path != NULL)
		snprintf(conf_path, sizeof(conf_path), "%s", cli.conf_path);
	else if (config_default_path(conf_path, sizeof(conf_path), &e) != 0)
		return log_report(&e);
	config_init(&conf);
	if (config_load(&conf, conf_path, &e) != 0) {
		status = log_report(&e);
		goto out;
	}
	if (cli.out_dir == NULL)
		cli.out_dir = conf.out_dir;
	conninfo = cli.db != NULL ? cli.db : conf.conninfo;
	if (db_connect(&conn, conninfo, commands[cmd].app_name, &e) != 0) {
		status = log_report(&e);
		goto out;
	}
	if (run_command(conn, cmd, &cli, &conf, &e) != 0)
		status = log_report(&e);
out:
	db_close(conn);
	config_release(&conf);
	if (fflush(stdout) != 0 && status == 0)
		status = 3;
	return status;
}
