/* libFuzzer target: the input is a Table Schema descriptor, optionally followed by a NUL
 * byte and cells separated by newlines.  The schema is loaded (every error must be a
 * diagnostic, never a crash); when it loads, fixed sample cells and the input's cells
 * are cast, checked and rendered canonically against every field. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../src/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *ctx, const kp_diag *d)
{
	(void)d;
	(*(size_t *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t jlen = nul ? (size_t)(nul - data) : size;
	json_t *root = json_loadb((const char *)data, jlen, JSON_DECODE_ANY, NULL);
	if (!root)
		return 0;
	size_t n = 0;
	kp_diag_sink sink = {count, &n};
	kp_schema *s = NULL;
	int rc = kp_schema_load_json(root, "fuzz.json", NULL, &s, &sink);
	if (rc == 0 && s) {
		static const char *const cells[] = {"", "1", "-1.5e3", "2019-04-01", "12:00:00",
			"2019-04-01T00:00:00Z", "P1D", "136.6,36.5", "true", "[1,2]", "{\"a\":1}",
			"金沢市", "1,000", "NaN", "2019", "2019-04"};
		for (size_t f = 0; f < s->nfields && f < 64; f++)
			for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
				kp_value v;
				kp_diag err;
				char buf[64];
				if (kp_cast_cell(&s->fields[f], cells[c], strlen(cells[c]), &v, &err) !=
					KP_CAST_ERROR) {
					kp_cast_check(&s->fields[f], &v, &err);
					kp_cast_canonical(&s->fields[f], &v, buf, sizeof buf);
				}
			}
		/* The input's own cells (not NUL-terminated, as the CSV reader hands them). */
		const char *p = nul ? (const char *)nul + 1 : NULL, *end = (const char *)data + size;
		while (p && p <= end) {
			const char *q = memchr(p, '\n', (size_t)(end - p));
			size_t len = q ? (size_t)(q - p) : (size_t)(end - p);
			for (size_t f = 0; f < s->nfields && f < 64; f++) {
				kp_value v;
				kp_diag err;
				char buf[64];
				if (kp_cast_cell(&s->fields[f], p, len, &v, &err) != KP_CAST_ERROR) {
					kp_cast_check(&s->fields[f], &v, &err);
					kp_cast_canonical(&s->fields[f], &v, buf, sizeof buf);
				}
			}
			p = q ? q + 1 : NULL;
		}
	}
	kp_schema_free(s);
	json_decref(root);
	return 0;
}
