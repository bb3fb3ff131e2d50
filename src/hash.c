#include "hash.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint64_t kp_hash_k0_, kp_hash_k1_;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void draw_key(void)
{
	uint64_t k[2] = {0, 0};
	if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k) {
		/* no getrandom (a very old kernel): the clock and addresses, still unknown to
		 * whoever wrote the table */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		k[0] = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)&ts;
		k[1] = (uint64_t)(uintptr_t)&kp_hash_k0_ * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid();
	}
	kp_hash_k0_ = k[0];
	kp_hash_k1_ = k[1];
}

void kp_hash_init(void)
{
	pthread_once(&once, draw_key);
}

uint64_t kp_hash_text(const char *s, size_t n)
{
	/* The words before the tail are read in place, the tail from a padded copy. */
	size_t n8 = n & ~(size_t)7;
	uint64_t tail = 0;
	memcpy(&tail, s + n8, n - n8);
	return kp_hash_nonzero(kp_hash_words(0, s, n8, tail, n));
}

static int strset_grow(kp_strset *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 16;
	struct kp_strset_slot *ns = calloc(ncap, sizeof *ns);
	if (!ns)
		return -1;
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->slots[i].key)
			continue;
		size_t j = s->slots[i].h & (ncap - 1);
		while (ns[j].key)
			j = (j + 1) & (ncap - 1);
		ns[j] = s->slots[i];
	}
	free(s->slots);
	s->slots = ns;
	s->cap = ncap;
	return 0;
}

int kp_strset_add(kp_strset *s, const char *key, size_t len, size_t val, size_t *old)
{
	kp_hash_init();
	if ((s->len + 1) * 4 > s->cap * 3 && strset_grow(s) != 0)
		return -1;
	uint64_t h = kp_hash_text(key, len);
	size_t j = h & (s->cap - 1);
	for (; s->slots[j].key; j = (j + 1) & (s->cap - 1)) {
		const struct kp_strset_slot *e = &s->slots[j];
		if (e->h == h && e->len == len && memcmp(e->key, key, len) == 0) {
			if (old)
				*old = e->val;
			return 0;
		}
	}
	s->slots[j] = (struct kp_strset_slot){key, len, val, h};
	s->len++;
	return 1;
}

int kp_strset_find(const kp_strset *s, const char *key, size_t len, size_t *val)
{
	if (!s->cap)
		return 0;
	uint64_t h = kp_hash_text(key, len);
	for (size_t j = h & (s->cap - 1); s->slots[j].key; j = (j + 1) & (s->cap - 1)) {
		const struct kp_strset_slot *e = &s->slots[j];
		if (e->h == h && e->len == len && memcmp(e->key, key, len) == 0) {
			if (val)
				*val = e->val;
			return 1;
		}
	}
	return 0;
}

void kp_strset_free(kp_strset *s)
{
	free(s->slots);
	s->slots = NULL;
	s->cap = s->len = 0;
}
