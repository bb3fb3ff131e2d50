/* The ceiling for any libcsv-based reader: parse a file with libcsv and count fields and
 * records, nothing else.  Built and run by bench-validate.sh. */
#include <csv.h>
#include <stdio.h>

static long fields, rows;

static void on_field(void *s, size_t n, void *d)
{
	(void)s;
	(void)n;
	(void)d;
	fields++;
}

static void on_row(int c, void *d)
{
	(void)c;
	(void)d;
	rows++;
}

int main(int argc, char **argv)
{
	static char buf[1 << 18];
	struct csv_parser p;
	size_t n;
	FILE *fp = argc > 1 ? fopen(argv[1], "rb") : NULL;
	if (!fp || csv_init(&p, 0) != 0)
		return 3;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, NULL) != n)
			return 1;
	csv_fini(&p, on_field, on_row, NULL);
	csv_free(&p);
	fclose(fp);
	printf("%ld records, %ld fields\n", rows, fields);
	return 0;
}
