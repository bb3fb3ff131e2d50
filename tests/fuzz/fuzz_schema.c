/* libFuzzer target: the input is a Table Schema descriptor.  It is loaded (every error
 * must be a diagnostic, never a crash), and when it loads, a few cells are cast and
 * checked against every field so the typed constraint values are exercised too. */
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
	json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
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
	}
	kp_schema_free(s);
	json_decref(root);
	return 0;
}
