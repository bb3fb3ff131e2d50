/* hash — SipHash-1-3 under a 128-bit key drawn at random once per process.
 *
 * Every hash table kplan keeps over data it reads (key sets, label sets, enum sets)
 * uses it: the hashes of a table cannot be known in advance, so nobody can craft
 * values that collide (a fixed, invertible hash let a crafted key pass as its parent,
 * two distinct keys be reported as a repeat, or a set degrade to a list).  Values of
 * one run still collide by chance with probability about n^2 / 2^65.
 *
 * kp_hash_init must have run before any hash is taken (it is cheap to call again).
 */
#ifndef KP_HASH_H
#define KP_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

extern uint64_t kp_hash_k0_, kp_hash_k1_; /* the key: set by kp_hash_init */

/* Draws the key (getrandom) on the first call; thread-safe. */
void kp_hash_init(void);

#define KP_HASH_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define KP_HASH_ROUND                                                                              \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = KP_HASH_ROTL(v1, 13);                                                         \
		v1 ^= v0;                                                                          \
		v0 = KP_HASH_ROTL(v0, 32);                                                         \
		v2 += v3;                                                                          \
		v3 = KP_HASH_ROTL(v3, 16);                                                         \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = KP_HASH_ROTL(v3, 21);                                                         \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = KP_HASH_ROTL(v1, 17);                                                         \
		v1 ^= v2;                                                                          \
		v2 = KP_HASH_ROTL(v2, 32);                                                         \
	} while (0)

/* SipHash-1-3 of the word h, the n8 bytes at s (a multiple of 8) and the last word
 * `tail` holding the n - n8 bytes that follow them (zero-padded). */
static inline uint64_t kp_hash_words(uint64_t h, const char *s, size_t n8, uint64_t tail, size_t n)
{
	uint64_t v0 = kp_hash_k0_ ^ 0x736f6d6570736575ull, v1 = kp_hash_k1_ ^ 0x646f72616e646f6dull;
	uint64_t v2 = kp_hash_k0_ ^ 0x6c7967656e657261ull, v3 = kp_hash_k1_ ^ 0x7465646279746573ull;
	v3 ^= h;
	KP_HASH_ROUND;
	v0 ^= h;
	for (size_t i = 0; i < n8; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		v3 ^= w;
		KP_HASH_ROUND;
		v0 ^= w;
	}
	uint64_t w = tail | ((uint64_t)n + 8) << 56;
	v3 ^= w;
	KP_HASH_ROUND;
	v0 ^= w;
	v2 ^= 0xff;
	KP_HASH_ROUND;
	KP_HASH_ROUND;
	KP_HASH_ROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* SipHash-1-3 of the 8-byte word h followed by s[0..n): h is the hash of the earlier
 * fields of a key (0 for the first), so the fields of a key chain, and "ab"+"" and
 * "a"+"b" differ (each step hashes its own length).  The last word is read whole and
 * masked: s[0..n+8) must be readable when n is not a multiple of 8. */
static inline uint64_t kp_hash_bytes(uint64_t h, const char *s, size_t n)
{
	size_t n8 = n & ~(size_t)7;
	uint64_t tail = 0;
	if (n > n8) {
		memcpy(&tail, s + n8, 8);
		tail &= ~0ull >> (64 - 8 * (n - n8));
	}
	return kp_hash_words(h, s, n8, tail, n);
}

/* A hash that is never 0 (0 marks an empty slot in kplan's tables). */
static inline uint64_t kp_hash_nonzero(uint64_t h)
{
	return h ? h : 1;
}

/* kp_hash_nonzero(kp_hash_bytes(0, s, n)) for text that may end anywhere (nothing
 * readable after it). */
uint64_t kp_hash_text(const char *s, size_t n);

/* A set of texts, each with a value: open addressing over keyed hashes, so adding and
 * finding take constant time whatever the texts.  Keys are borrowed: they must outlive
 * the set. */
typedef struct kp_strset {
	struct kp_strset_slot {
		const char *key; /* borrowed; NULL: empty */
		size_t len;
		size_t val;
		uint64_t h;
	} *slots; /* owned */
	size_t cap, len;
} kp_strset;

/* Adds key -> val unless key is there.  Returns 1 added, 0 present (*old, if non-NULL,
 * gets its value), -1 out of memory. */
int kp_strset_add(kp_strset *s, const char *key, size_t len, size_t val, size_t *old);

/* Returns 1 and sets *val when key is in the set, else 0. */
int kp_strset_find(const kp_strset *s, const char *key, size_t len, size_t *val);

void kp_strset_free(kp_strset *s);

#endif
