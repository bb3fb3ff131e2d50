#include "i18n.h"
#include "lgcode.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kp_lgcode_check_digit(const char *five)
{
	static const int weight[5] = {6, 5, 4, 3, 2};
	int sum = 0;
	for (int i = 0; i < 5; i++)
		sum += weight[i] * (five[i] - '0');
	return (11 - sum % 11) % 10;
}

enum kp_lgcode_result kp_lgcode_check(const char *s, size_t len, int *expected)
{
	if (len != 6)
		return KP_LGCODE_NOT_SIX_DIGITS;
	for (size_t i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return KP_LGCODE_NOT_SIX_DIGITS;
	int cd = kp_lgcode_check_digit(s);
	if (expected)
		*expected = cd;
	return cd == s[5] - '0' ? KP_LGCODE_OK : KP_LGCODE_BAD_CHECK_DIGIT;
}

int kp_lgcode_corporate_check(const char *s, size_t len, int *expected)
{
	if (len != 13)
		return -1;
	int sum = 0;
	for (size_t i = 0; i < 13; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	for (size_t n = 1; n <= 12; n++) /* n-th digit from the last */
		sum += (s[13 - n] - '0') * (n % 2 ? 1 : 2);
	int cd = 9 - sum % 9;
	if (expected)
		*expected = cd;
	return cd == s[0] - '0';
}

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(((const kp_lgcode_entry *)a)->code, ((const kp_lgcode_entry *)b)->code, 6);
}

static char *dup_or_empty(json_t *e, const char *key)
{
	const char *v = json_string_value(json_object_get(e, key));
	return strdup(v ? v : "");
}

int kp_lgcode_list_load(kp_lgcode_list *l, const char *path, char *err, size_t errsz)
{
	memset(l, 0, sizeof *l);
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!json_is_array(root)) {
		snprintf(err, errsz, _("cannot read the list of codes \"%s\": %s"), path,
			 root ? "not a JSON array" : je.text);
		json_decref(root);
		return -1;
	}
	l->entries = calloc(json_array_size(root) + 1, sizeof *l->entries);
	if (!l->entries) {
		snprintf(err, errsz, "out of memory");
		json_decref(root);
		return -1;
	}
	size_t i;
	json_t *e;
	json_array_foreach(root, i, e)
	{
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *type = json_string_value(json_object_get(e, "type"));
		if (!code || strlen(code) != 6 || kp_lgcode_check(code, 6, NULL) != KP_LGCODE_OK ||
		    !type) {
			snprintf(err, errsz, _("\"%s\": entry %zu has no valid code"), path, i);
			json_decref(root);
			kp_lgcode_list_free(l);
			return -1;
		}
		kp_lgcode_entry *x = &l->entries[l->n++];
		memcpy(x->code, code, 7);
		x->name = dup_or_empty(e, "name");
		x->pref_name = dup_or_empty(e, "pref_name");
		/* a ward's municipality is its city and the ward: 札幌市中央区 */
		const char *city = json_string_value(json_object_get(e, "city_name"));
		const char *full = json_string_value(json_object_get(e, "name"));
		size_t pl = strlen(x->pref_name);
		if (strcmp(type, "prefecture") == 0)
			x->city_name = strdup("");
		else if (full && strncmp(full, x->pref_name, pl) == 0)
			x->city_name = strdup(full + pl);
		else
			x->city_name = strdup(city ? city : "");
		if (!x->name || !x->pref_name || !x->city_name) {
			snprintf(err, errsz, "out of memory");
			json_decref(root);
			kp_lgcode_list_free(l);
			return -1;
		}
	}
	json_decref(root);
	qsort(l->entries, l->n, sizeof *l->entries, cmp_entry);
	return 0;
}

void kp_lgcode_list_free(kp_lgcode_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->entries[i].name);
		free(l->entries[i].pref_name);
		free(l->entries[i].city_name);
	}
	free(l->entries);
	memset(l, 0, sizeof *l);
}

const kp_lgcode_entry *kp_lgcode_list_find(const kp_lgcode_list *l, const char *code)
{
	if (!l || !l->n)
		return NULL;
	kp_lgcode_entry key;
	memcpy(key.code, code, 6);
	return bsearch(&key, l->entries, l->n, sizeof *l->entries, cmp_entry);
}
