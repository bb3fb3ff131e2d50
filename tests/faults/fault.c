/* A fault-injection shim for integration tests, loaded with LD_PRELOAD.
 *   KPLAN_FAULT_FSYNC_DIR=PATH   fsync of the directory PATH fails with EIO
 * Only the test that sets the variable is affected; without it every call passes
 * straight through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fsync(int fd);

int fsync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	const char *want = getenv("KPLAN_FAULT_FSYNC_DIR");
	struct stat st;
	if (want && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		char link[64], path[PATH_MAX];
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, path, sizeof path - 1);
		if (n > 0) {
			path[n] = '\0';
			if (strcmp(path, want) == 0) {
				errno = EIO;
				return -1;
			}
		}
	}
	return real(fd);
}
