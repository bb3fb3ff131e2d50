/* lgcode — 全国地方公共団体コード (local government code): 2-digit prefecture +
 * 3-digit municipality + 1 check digit (JIS X 0401/0402). */
#ifndef KP_LGCODE_H
#define KP_LGCODE_H

#include <stddef.h>

enum kp_lgcode_result {
	KP_LGCODE_OK = 0,
	KP_LGCODE_NOT_SIX_DIGITS, /* not exactly six ASCII digits */
	KP_LGCODE_BAD_CHECK_DIGIT /* six digits whose last is not the check digit */
};

/* Check digit for the first five digits d[0..4] (ASCII): (11 - S mod 11) mod 10
 * with S = 6d1 + 5d2 + 4d3 + 3d4 + 2d5.  Returns the digit as 0..9. */
int kp_lgcode_check_digit(const char *five);

/* Classifies s[0..len).  When the check digit is wrong, *expected (if non-NULL) gets it. */
enum kp_lgcode_result kp_lgcode_check(const char *s, size_t len, int *expected);

/* 法人番号 (corporate number, 国税庁): 13 digits, the first the check digit of the twelve
 * after it: 9 - (sum of the digits weighted 1, 2, 1, 2 … from the last) mod 9.  Returns
 * 1 valid, 0 a wrong check digit (*expected gets the right one), -1 not 13 digits. */
int kp_lgcode_corporate_check(const char *s, size_t len, int *expected);

/* 総務省's list of codes (schemas/lgcodes/local-gov-codes.json): a code with a right
 * check digit may still be no code ("018201"). */
typedef struct kp_lgcode_entry {
	char code[7];
	char *name;      /* owned: prefecture and municipality, "石川県金沢市" */
	char *pref_name; /* owned: "石川県" */
	char *city_name; /* owned: "金沢市" (for a ward "札幌市中央区"), "" for a prefecture */
} kp_lgcode_entry;

typedef struct kp_lgcode_list {
	kp_lgcode_entry *entries; /* owned, sorted by code */
	size_t n;
} kp_lgcode_list;

/* Loads the list from the JSON file at path.  Returns 0, -1 with err set. */
int kp_lgcode_list_load(kp_lgcode_list *l, const char *path, char *err, size_t errsz);

void kp_lgcode_list_free(kp_lgcode_list *l);

/* The entry of the six characters at code, or NULL. */
const kp_lgcode_entry *kp_lgcode_list_find(const kp_lgcode_list *l, const char *code);

#endif
