/* libFuzzer target: the input is a datapackage.json, loaded from a scratch folder that
 * also holds a table and, outside it, a file no resource may reach.  Every error must be
 * a diagnostic, never a crash.  Then, for the package name and every resource name and
 * path (hostile names are the point):
 *   - a name kp_stage_safe_name accepts has no '/', no control byte, does not start
 *     with '.', is not "." or "..": it can only ever name a file inside OUT;
 *   - kp_stage_show_name never lets a control or formatting character through;
 *   - kp_files_open_in never opens a file outside the package folder.
 * A broken promise aborts (the fuzzer reports it as a crash). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/files.h"
#include "../../src/schema.h"
#include "../../src/stage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], pkgdir[96], descriptor[128];

static int count(void *ctx, const kp_diag *d)
{
	(void)d;
	(*(size_t *)ctx)++;
	return 0;
}

static void cleanup(void)
{
	char p[160];
	const char *names[] = {"pkg/datapackage.json", "pkg/t.csv", "pkg/link.csv", "secret.csv",
			       "pkg", ""};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		if (remove(p) != 0 && i == sizeof names / sizeof names[0] - 1)
			rmdir(dir);
	}
}

static void setup(void)
{
	if (dir[0])
		return;
	atexit(cleanup);
	snprintf(dir, sizeof dir, "/tmp/kplan-fuzz-package-%ld", (long)getpid());
	snprintf(pkgdir, sizeof pkgdir, "%s/pkg", dir);
	snprintf(descriptor, sizeof descriptor, "%s/datapackage.json", pkgdir);
	mkdir(dir, 0700);
	mkdir(pkgdir, 0700);
	char p[160];
	snprintf(p, sizeof p, "%s/secret.csv", dir);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs("secret\r\n1\r\n", f);
		fclose(f);
	}
	snprintf(p, sizeof p, "%s/t.csv", pkgdir);
	f = fopen(p, "w");
	if (f) {
		fputs("id\r\n1\r\n", f);
		fclose(f);
	}
	snprintf(p, sizeof p, "%s/link.csv", pkgdir);
	if (symlink("../secret.csv", p) != 0 && access(p, F_OK) != 0)
		abort();
}

static void check_name(const char *name)
{
	if (!name)
		return;
	const char *why;
	if (kp_stage_safe_name(name, &why)) {
		if (strchr(name, '/') || name[0] == '.' || !strcmp(name, "..") || !*name)
			abort();
		for (const unsigned char *p = (const unsigned char *)name; *p; p++)
			if (*p < 0x20 || *p == 0x7F)
				abort();
	} else if (!why) {
		abort();
	}
	char shown[512];
	kp_stage_show_name(name, shown, sizeof shown);
	for (const unsigned char *p = (const unsigned char *)shown; *p; p++)
		if (*p < 0x20 || *p == 0x7F)
			abort();
	if (strstr(shown, "\xE2\x80\xAE") || strstr(shown, "\xE2\x81\xA6")) /* RLO, LRI */
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	FILE *f = fopen(descriptor, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	size_t n = 0;
	kp_diag_sink sink = {count, &n};
	kp_package *p = NULL;
	kp_schema_package_load(descriptor, &p, &sink);
	if (p) {
		check_name(p->name);
		for (size_t i = 0; i < p->nresources; i++) {
			const kp_resource *r = &p->resources[i];
			check_name(r->name);
			if (!r->full_path)
				continue;
			kp_diag err;
			kp_diag_clear(&err);
			FILE *fp = kp_files_open_in(r->full_path, pkgdir, &err);
			if (fp) {
				char line[16] = "";
				if (fgets(line, sizeof line, fp) && strncmp(line, "secret", 6) == 0)
					abort(); /* read a file outside the package */
				fclose(fp);
			}
		}
	}
	kp_schema_package_free(p);
	return 0;
}
