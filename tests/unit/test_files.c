#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/files.h"

static char dir[] = "/tmp/kplan-test-files-XXXXXX";

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/kplan-test-files-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int entries(void)
{
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void slurp(const char *path, char *buf, size_t cap)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	size_t n = fread(buf, 1, cap - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

static void commit_replaces_target(void **state)
{
	(void)state;
	char path[256], buf[64];
	snprintf(path, sizeof path, "%s/out.csv", dir);
	kp_atomic a;
	kp_diag err;
	assert_int_equal(kp_files_atomic_open(&a, path, &err), 0);
	fputs("old\n", a.fp);
	assert_int_equal(kp_files_atomic_commit(&a, &err), 0);
	assert_int_equal(kp_files_atomic_open(&a, path, &err), 0);
	fputs("new\n", a.fp);
	/* Before commit the previous content is still what readers see. */
	slurp(path, buf, sizeof buf);
	assert_string_equal(buf, "old\n");
	assert_int_equal(entries(), 2);
	assert_int_equal(kp_files_atomic_commit(&a, &err), 0);
	slurp(path, buf, sizeof buf);
	assert_string_equal(buf, "new\n");
	assert_int_equal(entries(), 1);
}

static void abort_leaves_previous_and_no_temp(void **state)
{
	(void)state;
	char path[256], buf[64];
	snprintf(path, sizeof path, "%s/keep.txt", dir);
	kp_atomic a;
	kp_diag err;
	assert_int_equal(kp_files_atomic_open(&a, path, &err), 0);
	fputs("kept\n", a.fp);
	assert_int_equal(kp_files_atomic_commit(&a, &err), 0);
	assert_int_equal(kp_files_atomic_open(&a, path, &err), 0);
	fputs("half", a.fp);
	kp_files_atomic_abort(&a);
	slurp(path, buf, sizeof buf);
	assert_string_equal(buf, "kept\n");
	assert_int_equal(entries(), 1);
	kp_files_atomic_abort(&a); /* a second abort is harmless */
}

static void open_in_missing_dir_fails_with_position(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/no/such/dir/x.csv", dir);
	kp_atomic a;
	kp_diag err;
	assert_int_equal(kp_files_atomic_open(&a, path, &err), -1);
	assert_string_equal(err.code, "io-error");
	assert_string_equal(err.file, path);
	assert_non_null(strstr(err.message, "No such file"));
	assert_null(a.fp);
}

static void commit_to_full_device_fails(void **state)
{
	(void)state;
	/* A rename onto a directory fails: the temp must go, the directory stays. */
	char path[256];
	snprintf(path, sizeof path, "%s/adir", dir);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "mkdir '%s' && touch '%s/x'", path, path);
	assert_int_equal(system(cmd), 0);
	kp_atomic a;
	kp_diag err;
	assert_int_equal(kp_files_atomic_open(&a, path, &err), 0);
	fputs("data", a.fp);
	assert_int_equal(kp_files_atomic_commit(&a, &err), -1);
	assert_string_equal(err.code, "io-error");
	/* The position still names the target after the kp_atomic is released. */
	assert_ptr_equal(err.file, path);
	assert_string_equal(err.file, path);
	assert_int_equal(entries(), 1);
}

static void sha256_of_known_strings(void **state)
{
	(void)state;
	char hex[KP_SHA256_HEX_LEN + 1];
	kp_sha256 h;
	assert_int_equal(kp_files_sha256_init(&h), 0);
	assert_int_equal(kp_files_sha256_final(&h, hex), 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(kp_files_sha256_init(&h), 0);
	kp_files_sha256_update(&h, "a", 1);
	kp_files_sha256_update(&h, "bc", 2);
	assert_int_equal(kp_files_sha256_final(&h, hex), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

	char path[256];
	snprintf(path, sizeof path, "%s/abc", dir);
	FILE *fp = fopen(path, "wb");
	fputs("abc", fp);
	fclose(fp);
	long long bytes = 0;
	kp_diag err;
	assert_int_equal(kp_files_sha256_file(path, NULL, hex, &bytes, &err), 0);
	assert_int_equal(bytes, 3);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	snprintf(path, sizeof path, "%s/missing", dir);
	assert_int_equal(kp_files_sha256_file(path, NULL, hex, &bytes, &err), -1);
	assert_string_equal(err.code, "io-error");
}

static void read_all_respects_limit(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/big", dir);
	FILE *fp = fopen(path, "wb");
	for (int i = 0; i < 100000; i++)
		fputc('x', fp);
	fclose(fp);
	char *data;
	size_t len;
	kp_diag err;
	assert_int_equal(kp_files_read_all(path, 1 << 20, &data, &len, &err), 0);
	assert_int_equal(len, 100000);
	assert_int_equal(data[len], '\0');
	free(data);
	assert_int_equal(kp_files_read_all(path, 70000, &data, &len, &err), -1);
	assert_null(data);
	assert_non_null(strstr(err.message, "too large"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(commit_replaces_target, setup, teardown),
		cmocka_unit_test_setup_teardown(abort_leaves_previous_and_no_temp, setup, teardown),
		cmocka_unit_test_setup_teardown(open_in_missing_dir_fails_with_position, setup, teardown),
		cmocka_unit_test_setup_teardown(commit_to_full_device_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(sha256_of_known_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(read_all_respects_limit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
