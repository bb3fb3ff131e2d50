/* Replays a fuzz target's corpus (tests/fuzz/corpus/<name>/) through the target, as
 * a regression test: include after the target's fuzz_<name>.c.  Runs from the
 * checkout's root, like every unit test. */
#ifndef KP_TEST_FUZZ_REPLAY_H
#define KP_TEST_FUZZ_REPLAY_H
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../src/files.h"

/* Every file of dir through LLVMFuzzerTestOneInput; at least min of them. */
static void fuzz_replay(const char *dir, int min)
{
	DIR *d = opendir(dir);
	if (!d)
		fail_msg("%s is missing (run from the checkout root)", dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		char *data = NULL;
		size_t len = 0;
		kp_diag err;
		assert_int_equal(kp_files_read_all(path, 1 << 20, &data, &len, &err), 0);
		assert_int_equal(LLVMFuzzerTestOneInput((const uint8_t *)data, len), 0);
		free(data);
		n++;
	}
	closedir(d);
	assert_true(n >= min);
}

#endif
