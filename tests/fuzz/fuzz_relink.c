/* libFuzzer target: the input is an RDF/XML file as kplan-upload may read it (its own
 * export, or anything a changed file holds).  It is relinked with a few pairs and
 * dates: every input must give a copy or a diagnostic, never a crash, and with no
 * attribute matched the copy is the input byte for byte.  The input is also taken as
 * a cell of each Table Schema type for the DataStore: the JSON value made must parse. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../../src/datastore.h"
#include "../../src/files.h"
#include "../../src/relink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char src[] = "/tmp/kplan-fuzz-relink-XXXXXX";
	int fd = mkstemp(src);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(src);
		return 0;
	}
	close(fd);
	kp_relink m;
	kp_relink_init(&m);
	kp_relink_add(&m, "https://c.example/dl/a.csv", "http://p/dataset/x/resource/1/download/a.csv");
	kp_relink_add(&m, "https://c.example/d", "http://p/dataset/x");
	kp_relink_add_dates(&m, "https://c.example/d/resource/a.csv", "2026-04-01", "2026-12-02");
	char *out = NULL, *copy = NULL;
	size_t n = 0, len = 0;
	kp_diag err;
	kp_diag_clear(&err);
	if (kp_relink_file(&m, src, &out, &n, &err) == 0) {
		if (kp_files_read_all(out, 1u << 24, &copy, &len, &err) == 0 && n == 0 &&
		    (len != size || memcmp(copy, data, size)))
			abort(); /* nothing replaced, yet the copy differs */
		free(copy);
		unlink(out);
		free(out);
	}
	kp_relink_release(&m);
	unlink(src);

	/* cells come from the UTF-8 the reader has checked, without NUL */
	json_t *utf8 = json_stringn((const char *)data, size);
	int plain = utf8 && !memchr(data, 0, size);
	json_decref(utf8);
	static const char *const types[] = {"string", "integer", "number", "boolean",
					    "object", "date", "year", "list"};
	for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
		char *buf = NULL;
		size_t bl = 0, cap = 0;
		if (kp_ds_cell_json(&buf, &bl, &cap, types[t], (const char *)data, size) == 0) {
			json_t *j = json_loadb(buf, bl, JSON_DECODE_ANY, NULL);
			if (!j && plain)
				abort(); /* not JSON */
			json_decref(j);
		}
		free(buf);
	}
	return 0;
}
