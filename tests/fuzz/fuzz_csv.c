/* libFuzzer target: the CSV reader and the validator on arbitrary bytes.
 * The input goes through kp_csvread (with small chunk and limit sizes, so that chunk
 * boundaries and limits are hit) and through kp_validate_table against a schema that
 * turns on unique, primary and foreign keys, the Japanese rules and a plan rule, once with
 * the fast path and once with every cell through the general path: the two must give the
 * same findings (the fast path may only take cells the general path finds nothing in). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/csvread.h"
#include "../../src/schema.h"
#include "../../src/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static kp_schema *schema;

static int count(void *ctx, const kp_diag *d)
{
	(void)d;
	(*(long *)ctx)++;
	return 0;
}

static void load_schema(void)
{
	json_t *j = json_loads(
		"{\"fields\":[{\"name\":\"lg_code\",\"type\":\"string\"},{\"name\":\"id\",\"type\":"
		"\"integer\",\"constraints\":{\"unique\":true,\"minimum\":0}},{\"name\":\"parent\","
		"\"type\":\"integer\"},{\"name\":\"v\",\"type\":\"number\",\"missingValues\":[\"-\"]},"
		"{\"name\":\"d\",\"type\":\"date\"},{\"name\":\"s\",\"type\":\"string\",\"constraints\":{\"pattern\":"
		"\"[a-z]*\",\"maxLength\":5}},{\"name\":\"b\",\"type\":\"boolean\"},{\"name\":\"k\","
		"\"constraints\":{\"enum\":[\"a\",\"金沢\",\"a b\"],\"required\":true}},{\"name\":\"st\","
		"\"type\":\"integer\",\"constraints\":{\"enum\":[1,2,3],\"maximum\":2}}],\"primaryKey\":[\"id\"],\"uniqueKeys\":[[\"v\",\"s\"]],"
		"\"foreignKeys\":[{\"fields\":\"parent\",\"reference\":{\"resource\":\"\",\"fields\":"
		"\"id\"}}],\"rules\":[{\"id\":\"r\",\"type\":\"non-decreasing\",\"field\":\"v\","
		"\"groupBy\":\"parent\",\"orderBy\":\"d\"}]}",
		0, NULL);
	if (!j || kp_schema_load_json(j, NULL, NULL, &schema, NULL) != 0)
		abort();
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!schema)
		load_schema();
	long n = 0;
	kp_diag_sink sink = {count, &n};

	FILE *fp = fmemopen((void *)(uintptr_t)data, size ? size : 1, "rb");
	if (!fp)
		return 0;
	kp_csvread_opts o;
	memset(&o, 0, sizeof o);
	o.file = "fuzz";
	o.chunk_bytes = 16 + size % 61;
	o.max_cell_bytes = 4096;
	o.max_fields = 64;
	o.sink = sink;
	kp_diag err;
	kp_csvread *r = kp_csvread_open_stream(fp, &o, &err);
	if (r) {
		kp_csvrecord rec;
		while (kp_csvread_next(r, &rec) == 1)
			for (size_t i = 0; i < rec.ncells; i++)
				if (rec.cells[i].data[rec.cells[i].len] != '\0')
					abort();
		kp_csvread_free(r);
	}
	fclose(fp);

	char path[] = "/tmp/kp-fuzz-csv-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		kp_diag_list fast, general;
		kp_diag_list_init(&fast);
		kp_diag_list_init(&general);
		kp_diag_sink fs = kp_diag_list_sink(&fast), gs = kp_diag_list_sink(&general);
		kp_validate_opts vo = {.max_errors = 50}, go = {.max_errors = 50, .general_only = 1};
		int frc = kp_validate_table(path, "fuzz", schema, &vo, &fs, NULL);
		int grc = kp_validate_table(path, "fuzz", schema, &go, &gs, NULL);
		if (frc != grc || fast.len != general.len)
			abort();
		for (size_t i = 0; i < fast.len; i++)
			if (strcmp(fast.items[i].code, general.items[i].code) != 0 ||
				fast.items[i].row != general.items[i].row ||
				fast.items[i].column != general.items[i].column ||
				strcmp(fast.items[i].message, general.items[i].message) != 0)
				abort();
		n += (long)fast.len;
		kp_diag_list_release(&fast);
		kp_diag_list_release(&general);
	}
	close(fd);
	unlink(path);
	return 0;
}
