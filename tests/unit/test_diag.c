#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/diag.h"

static char *render(const kp_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	assert_int_equal(kp_diag_write_text(fp, "kplan-test", d), 0);
	fclose(fp);
	return buf;
}

static void text_format_with_full_position(void **state)
{
	(void)state;
	kp_diag d;
	kp_diag_set(&d, KP_SEV_ERROR, "type-error", "cell \"%s\" is not an integer", "x1");
	kp_diag_at(&d, "items.csv", 12, 3, 420);
	d.rule = "L2-01";
	char *s = render(&d);
	assert_string_equal(s,
		"kplan-test: items.csv:12:3: error: [type-error L2-01] cell \"x1\" is not an integer\n");
	free(s);
}

static void text_format_leaves_out_missing_parts(void **state)
{
	(void)state;
	kp_diag d;
	kp_diag_set(&d, KP_SEV_WARNING, "bom", "byte order mark");
	kp_diag_at(&d, "a.csv", 0, 0, 0);
	char *s = render(&d);
	assert_string_equal(s, "kplan-test: a.csv: warning: [bom] byte order mark\n");
	free(s);

	kp_diag_at(&d, "a.csv", 4, 0, -1);
	d.severity = KP_SEV_INFO;
	s = render(&d);
	assert_string_equal(s, "kplan-test: a.csv:4: info: [bom] byte order mark\n");
	free(s);

	kp_diag_at(&d, NULL, 4, 2, -1);
	s = render(&d);
	assert_string_equal(s, "kplan-test: info: [bom] byte order mark\n");
	free(s);
}

static void text_format_names_field_and_cell(void **state)
{
	(void)state;
	kp_diag d;
	kp_diag_set(&d, KP_SEV_ERROR, "type-error", "not an integer");
	kp_diag_at(&d, "t.csv", 3, 2, -1);
	d.field = "value";
	kp_diag_set_cell(&d, "12x", 3);
	char *s = render(&d);
	assert_string_equal(s, "kplan-test: t.csv:3:2: error: [type-error] not an integer (field 'value', cell \"12x\")\n");
	free(s);
	d.has_cell = 0;
	s = render(&d);
	assert_string_equal(s, "kplan-test: t.csv:3:2: error: [type-error] not an integer (field 'value')\n");
	free(s);
	d.field = NULL;
	kp_diag_set_cell(&d, "", 0);
	s = render(&d);
	assert_string_equal(s, "kplan-test: t.csv:3:2: error: [type-error] not an integer (cell \"\")\n");
	free(s);
}

static void text_format_makes_control_characters_visible(void **state)
{
	(void)state;
	kp_diag d;
	kp_diag_set(&d, KP_SEV_ERROR, "line-break-in-cell", "bell\a here");
	kp_diag_at(&d, "t.csv", 2, 1, -1);
	kp_diag_set_cell(&d, "a\nb\r\tc\x1b[31m", 12);
	char *s = render(&d);
	assert_string_equal(s, "kplan-test: t.csv:2:1: error: [line-break-in-cell] bell\\x07 here "
			       "(cell \"a\\nb\\r\\tc\\x1B[31m\")\n");
	free(s);
}

static void cell_is_shortened_on_a_character_boundary(void **state)
{
	(void)state;
	kp_diag d;
	kp_diag_clear(&d);
	/* 40 three-byte characters (120 bytes) do not fit in KP_DIAG_CELL_MAX. */
	char cell[121];
	for (int i = 0; i < 40; i++)
		memcpy(cell + 3 * i, "\xE9\x87\x91", 3); /* 金 */
	cell[120] = '\0';
	kp_diag_set_cell(&d, cell, 120);
	size_t n = strlen(d.cell);
	assert_true(n < KP_DIAG_CELL_MAX);
	/* Ends with the ellipsis, and the text before it is whole characters. */
	assert_memory_equal(d.cell + n - 3, "\xE2\x80\xA6", 3);
	assert_int_equal((n - 3) % 3, 0);
	assert_memory_equal(d.cell, cell, n - 3);

	kp_diag_set_cell(&d, "short", 5);
	assert_string_equal(d.cell, "short");
}

static void message_is_truncated_not_overflowed(void **state)
{
	(void)state;
	kp_diag d;
	char big[2000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	kp_diag_set(&d, KP_SEV_ERROR, "x", "%s", big);
	assert_int_equal(strlen(d.message), KP_DIAG_MESSAGE_MAX - 1);
}

static void json_has_position_and_no_absent_keys(void **state)
{
	(void)state;
	kp_diag d;
	kp_diag_set(&d, KP_SEV_ERROR, "constraint-error", "too small");
	kp_diag_at(&d, "t.csv", 5, 2, 77);
	d.field = "value";
	kp_diag_set_cell(&d, "-1", 2);
	json_t *o = kp_diag_to_json(&d);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "code")), "constraint-error");
	assert_string_equal(json_string_value(json_object_get(o, "severity")), "error");
	assert_int_equal(json_integer_value(json_object_get(o, "row")), 5);
	assert_int_equal(json_integer_value(json_object_get(o, "column")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "offset")), 77);
	assert_string_equal(json_string_value(json_object_get(o, "field")), "value");
	assert_string_equal(json_string_value(json_object_get(o, "cell")), "-1");
	assert_null(json_object_get(o, "rule"));
	json_decref(o);

	kp_diag_clear(&d);
	o = kp_diag_to_json(&d);
	assert_null(json_object_get(o, "row"));
	assert_null(json_object_get(o, "offset"));
	assert_null(json_object_get(o, "cell"));
	json_decref(o);
}

static void list_counts_and_stops_at_limit(void **state)
{
	(void)state;
	kp_diag_list l;
	kp_diag_list_init(&l);
	l.limit = 3;
	kp_diag_sink sink = kp_diag_list_sink(&l);
	kp_diag d;
	kp_diag_set(&d, KP_SEV_WARNING, "w", "w");
	assert_int_equal(kp_diag_emit(&sink, &d), 0);
	kp_diag_set(&d, KP_SEV_ERROR, "e", "e");
	assert_int_equal(kp_diag_emit(&sink, &d), 0);
	assert_int_equal(kp_diag_emit(&sink, &d), 0);
	assert_int_not_equal(kp_diag_emit(&sink, &d), 0);
	assert_int_equal(l.len, 4);
	assert_int_equal(l.count[KP_SEV_ERROR], 3);
	assert_int_equal(l.count[KP_SEV_WARNING], 1);
	assert_true(l.truncated);
	kp_diag_list_release(&l);
	assert_int_equal(kp_diag_emit(NULL, &d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_format_with_full_position),
		cmocka_unit_test(text_format_leaves_out_missing_parts),
		cmocka_unit_test(text_format_names_field_and_cell),
		cmocka_unit_test(text_format_makes_control_characters_visible),
		cmocka_unit_test(cell_is_shortened_on_a_character_boundary),
		cmocka_unit_test(message_is_truncated_not_overflowed),
		cmocka_unit_test(json_has_position_and_no_absent_keys),
		cmocka_unit_test(list_counts_and_stops_at_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
