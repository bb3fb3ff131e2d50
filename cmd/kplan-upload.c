/* kplan-upload — (being built). */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static const char tool[] = "kplan-upload";

static const char usage[] =
	"usage: kplan-upload [options] TABLE.csv...\n"
	"Check CSV tables against a Table Schema or a Data Package.\n"
	"\n"
	"  -s, --schema FILE     Table Schema for the table(s)\n"
	"  -p, --package PATH    Data Package (datapackage.json or its folder)\n"
	"  -f, --format FMT      report format: text (default) or json\n"
	"  -h, --help            show this help and exit\n"
	"  -V, --version         show the version and exit\n"
	"\n"
	"exit status: 0 valid, 1 invalid, 2 usage error, 3 I/O error\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"schema", required_argument, NULL, 's'},
		{"package", required_argument, NULL, 'p'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:p:f:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return kp_cli_finish(tool, KP_EXIT_OK);
		case 'V':
			return kp_cli_finish(tool, kp_cli_version(tool));
		case ':':
			return kp_cli_usage_error(tool, "option '%s' needs an argument", argv[optind - 1]);
		case '?':
			return kp_cli_usage_error(tool, "unknown option '%s'", argv[optind - 1]);
		default:
			break;
		}
	}
	if (optind >= argc)
		return kp_cli_usage_error(tool, "no table given");
	kp_cli_error(tool, "validation is not implemented yet");
	return kp_cli_finish(tool, KP_EXIT_USAGE);
}
