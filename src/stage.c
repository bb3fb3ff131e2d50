/* stage — see stage.h.  The exchange is the whole commit: everything before it only
 * builds the new folder, everything after it only removes the old one. */
#define _GNU_SOURCE /* renameat2, RENAME_EXCHANGE */
#include "i18n.h"
#include "stage.h"

#include "text.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define STAGE_TAG ".kplan-"    /* ".OUT.kplan-XXXXXX" */
#define OLD_TAG ".kplan-old-"  /* ".OUT.kplan-old-XXXXXX" (two-rename fallback) */
#define NAME_MAX_BYTES 200

static int stage_fail(kp_diag *err, int e, const char *what, const char *path)
{
	kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot %s \"%s\": %s", _(what), path, strerror(e));
	kp_diag_at(err, path, 0, 0, -1);
	return -1;
}

/* Removes the entry `name` of dirfd and, for a folder, everything in it.  Symbolic
 * links are removed, never followed.  Returns 0 or -1 (errno set). */
static int rm_tree(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (rm_tree(fd, e->d_name) != 0)
			rc = -1;
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0)
		rc = -1;
	return rc;
}

/* "PARENT/.BASE<tag>" + suffix: the names this module makes beside OUT. */
static int is_ours(const char *entry, const char *base, const char *tag)
{
	size_t bl = strlen(base), tl = strlen(tag);
	return entry[0] == '.' && strncmp(entry + 1, base, bl) == 0 &&
	       strncmp(entry + 1 + bl, tag, tl) == 0 && strlen(entry + 1 + bl + tl) == 6 &&
	       !strchr(entry + 1 + bl + tl, '.');
}

/* OUT is missing while an "old" folder of a run killed between the two fallback renames
 * exists: put it back. */
static void recover_old(kp_stage *s)
{
	DIR *d = opendir(s->parent);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)))
		if (is_ours(e->d_name, s->base, OLD_TAG) &&
		    renameat(s->parent_fd, e->d_name, s->parent_fd, s->base) == 0)
			break;
	closedir(d);
}

/* Stages and old folders of earlier runs that no process holds any more. */
static void remove_stale(kp_stage *s)
{
	DIR *d = opendir(s->parent);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!is_ours(e->d_name, s->base, STAGE_TAG) && !is_ours(e->d_name, s->base, OLD_TAG))
			continue;
		int fd = openat(s->parent_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			(void)rm_tree(s->parent_fd, e->d_name);
		close(fd);
	}
	closedir(d);
}

/* Locks OUT.  The lock is on the folder itself, which a concurrent run may exchange
 * while we wait: after each wait, the folder now at OUT must be the one locked. */
static int lock_out(kp_stage *s, kp_diag *err)
{
	for (int tries = 0; tries < 1000; tries++) {
		int fd = openat(s->parent_fd, s->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			recover_old(s);
			if (mkdirat(s->parent_fd, s->base, 0777) == 0)
				s->made_out = 1;
			else if (errno != EEXIST)
				return stage_fail(err, errno, "create", s->out);
			continue;
		}
		if (fd < 0)
			return stage_fail(err, errno == ENOTDIR || errno == ELOOP ? ENOTDIR : errno, "open",
				    s->out);
		if (flock(fd, LOCK_EX) != 0) {
			int e = errno;
			close(fd);
			return stage_fail(err, e, "lock", s->out);
		}
		struct stat a, b;
		if (fstat(fd, &a) == 0 && fstatat(s->parent_fd, s->base, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			s->out_fd = fd;
			return 0;
		}
		close(fd);
	}
	return stage_fail(err, EAGAIN, "lock", s->out);
}

int kp_stage_open(kp_stage *s, const char *out, kp_diag *err)
{
	memset(s, 0, sizeof *s);
	s->parent_fd = s->out_fd = s->dir_fd = -1;
	s->out = strdup(out);
	if (!s->out)
		return stage_fail(err, ENOMEM, "prepare", out);
	/* OUT's parent must exist; OUT itself may not yet. */
	char *copy = strdup(out);
	if (!copy) {
		kp_stage_release(s);
		return stage_fail(err, ENOMEM, "prepare", out);
	}
	size_t n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	char *slash = strrchr(copy, '/');
	const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
	const char *base = slash ? slash + 1 : copy;
	if (slash)
		*slash = '\0';
	char real[PATH_MAX];
	int e = 0;
	if (!realpath(dir, real))
		e = errno;
	else if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || !*base) {
		/* "-o ." or "-o ..": name the folder by its real path */
		char whole[PATH_MAX];
		if (!realpath(out, whole))
			e = errno;
		else if (strcmp(whole, "/") == 0)
			e = EBUSY;
		else {
			char *ls = strrchr(whole, '/');
			s->base = strdup(ls + 1);
			*ls = '\0';
			s->parent = strdup(ls == whole ? "/" : whole);
		}
	} else {
		s->parent = strdup(real);
		s->base = strdup(base);
	}
	free(copy);
	if (e) {
		stage_fail(err, e, "use the output folder", out);
		kp_stage_release(s);
		return -1;
	}
	if (!s->parent || !s->base || strlen(s->base) > NAME_MAX - 24) {
		stage_fail(err, s->parent && s->base ? ENAMETOOLONG : ENOMEM, "use the output folder", out);
		kp_stage_release(s);
		return -1;
	}
	s->parent_fd = open(s->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->parent_fd < 0) {
		stage_fail(err, errno, "open", s->parent);
		kp_stage_release(s);
		return -1;
	}
	if (lock_out(s, err) != 0) {
		kp_stage_release(s);
		return -1;
	}
	remove_stale(s);
	size_t pl = strlen(s->parent) + strlen(s->base) + sizeof "/." STAGE_TAG "XXXXXX";
	char *path = malloc(pl);
	if (!path) {
		stage_fail(err, ENOMEM, "prepare", out);
		kp_stage_release(s);
		return -1;
	}
	snprintf(path, pl, "%s/.%s" STAGE_TAG "XXXXXX", s->parent, s->base);
	struct stat st;
	if (!mkdtemp(path) || (s->name = strdup(strrchr(path, '/') + 1)) == NULL) {
		e = errno ? errno : ENOMEM;
		free(path);
		stage_fail(err, e, "create a new folder beside", out);
		kp_stage_release(s);
		return -1;
	}
	free(path);
	s->dir_fd = openat(s->parent_fd, s->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->dir_fd < 0 || flock(s->dir_fd, LOCK_EX | LOCK_NB) != 0 ||
	    fstat(s->out_fd, &st) != 0 || fchmod(s->dir_fd, st.st_mode & 07777) != 0) {
		stage_fail(err, errno, "prepare a new folder beside", out);
		kp_stage_release(s);
		return -1;
	}
	return 0;
}

FILE *kp_stage_create(kp_stage *s, const char *name, kp_diag *err)
{
	int fd = openat(s->dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!fp) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot create \"%s/%s\": %s", s->out, name,
			    strerror(e));
		return NULL;
	}
	return fp;
}

int kp_stage_close_file(FILE *fp, const char *what, kp_diag *err)
{
	int e = 0;
	if (fflush(fp) != 0 || ferror(fp))
		e = errno ? errno : EIO;
	else if (fsync(fileno(fp)) != 0 && errno != EINVAL)
		e = errno;
	if (fclose(fp) != 0 && !e)
		e = errno ? errno : EIO;
	if (e)
		return stage_fail(err, e, "write", what);
	return 0;
}

int kp_stage_out_has_dir(const kp_stage *s, const char *name)
{
	struct stat st;
	return fstatat(s->out_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* ".NAME.tmpXXXXXX" or "NAME.bakXXXXXX" for one of the run's own names: what an
 * earlier kplan-export (which wrote beside the targets) could leave behind. */
static int is_old_temp(const char *e, const char *const *skip, size_t nskip)
{
	for (size_t i = 0; i < nskip; i++) {
		size_t n = strlen(skip[i]);
		if (e[0] == '.' && strncmp(e + 1, skip[i], n) == 0 && strncmp(e + 1 + n, ".tmp", 4) == 0 &&
		    strlen(e + 1 + n + 4) == 6)
			return 1;
		if (strncmp(e, skip[i], n) == 0 && strncmp(e + n, ".bak", 4) == 0 && strlen(e + n + 4) == 6)
			return 1;
	}
	return 0;
}

/* Links (or, where a link is refused, copies) src/name to dst/name. */
static int carry_one(int src, int dst, const char *name, const struct stat *st)
{
	if (S_ISDIR(st->st_mode)) {
		if (mkdirat(dst, name, st->st_mode & 07777) != 0)
			return -1;
		int a = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int b = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d = a >= 0 ? fdopendir(a) : NULL;
		int rc = d && b >= 0 ? 0 : -1;
		struct dirent *e;
		while (rc == 0 && (e = readdir(d))) {
			struct stat cs;
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			if (fstatat(a, e->d_name, &cs, AT_SYMLINK_NOFOLLOW) != 0 ||
			    carry_one(a, b, e->d_name, &cs) != 0)
				rc = -1;
		}
		if (d)
			closedir(d);
		else if (a >= 0)
			close(a);
		if (b >= 0)
			close(b);
		return rc;
	}
	if (linkat(src, name, dst, name, 0) == 0)
		return 0;
	if (!S_ISREG(st->st_mode) || (errno != EPERM && errno != EMLINK && errno != EXDEV))
		return -1;
	int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st->st_mode & 07777);
	int rc = in >= 0 && out >= 0 ? 0 : -1;
	char buf[65536];
	ssize_t n;
	while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0)
		if (n < 0 || write(out, buf, (size_t)n) != n)
			rc = -1;
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0)
		rc = -1;
	return rc;
}

int kp_stage_carry(kp_stage *s, const char *const *skip, size_t nskip, kp_diag *err)
{
	int fd = dup(s->out_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return stage_fail(err, errno, "read", s->out);
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		int mine = 0;
		for (size_t i = 0; i < nskip && !mine; i++)
			mine = strcmp(e->d_name, skip[i]) == 0;
		if (mine || is_old_temp(e->d_name, skip, nskip))
			continue;
		struct stat st;
		if (fstatat(s->out_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    carry_one(s->out_fd, s->dir_fd, e->d_name, &st) != 0) {
			char what[PATH_MAX];
			snprintf(what, sizeof what, "%s/%s", s->out, e->d_name);
			kp_diag_set(err, KP_SEV_ERROR, "io-error",
				    "cannot keep \"%s\" in the new folder: %s", what, strerror(errno));
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

/* Exchanges the stage and OUT; falls back to two renames where the file system cannot
 * exchange.  Returns 0, or -1 with errno set and nothing changed. */
static int exchange(kp_stage *s, char *old, size_t oldsz)
{
	old[0] = '\0';
	if (renameat2(s->parent_fd, s->name, s->parent_fd, s->base, RENAME_EXCHANGE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	snprintf(old, oldsz, ".%s" OLD_TAG "%s", s->base, s->name + strlen(s->name) - 6);
	if (renameat(s->parent_fd, s->base, s->parent_fd, old) != 0)
		return -1;
	if (renameat(s->parent_fd, s->name, s->parent_fd, s->base) != 0) {
		int e = errno;
		(void)renameat(s->parent_fd, old, s->parent_fd, s->base);
		errno = e;
		return -1;
	}
	return 0;
}

int kp_stage_commit(kp_stage *s, const volatile sig_atomic_t *interrupted, kp_diag *err)
{
	if (fsync(s->dir_fd) != 0)
		return stage_fail(err, errno, "write", s->out);
	if (interrupted && *interrupted) {
		kp_diag_set(err, KP_SEV_ERROR, "interrupted", "interrupted by signal %d",
			    (int)*interrupted);
		return -1;
	}
	char old[NAME_MAX + 1];
	if (exchange(s, old, sizeof old) != 0)
		return stage_fail(err, errno, "replace", s->out);
	if (fsync(s->parent_fd) != 0) {
		/* The new folder is visible but may not survive a crash: undo, so the exit
		 * status ("nothing written") stays true. */
		int e = errno;
		int undone = old[0] ? renameat(s->parent_fd, s->base, s->parent_fd, s->name) == 0 &&
					  renameat(s->parent_fd, old, s->parent_fd, s->base) == 0
				    : renameat2(s->parent_fd, s->name, s->parent_fd, s->base,
						RENAME_EXCHANGE) == 0;
		(void)fsync(s->parent_fd);
		kp_diag_set(err, KP_SEV_ERROR, "io-error",
			    "cannot make the new \"%s\" durable (fsync of \"%s\": %s)%s", s->out,
			    s->parent, strerror(e),
			    undone ? _("; the previous folder was put back")
				   : _("; it may not survive a crash"));
		kp_diag_at(err, s->out, 0, 0, -1);
		if (undone)
			return -1;
		s->committed = 1; /* the new folder stays: do not remove it */
		return -1;
	}
	s->committed = 1;
	/* The previous OUT now has the stage's name (or the old name): it goes. */
	(void)rm_tree(s->parent_fd, old[0] ? old : s->name);
	return 0;
}

void kp_stage_release(kp_stage *s)
{
	if (s->dir_fd >= 0) {
		if (!s->committed)
			(void)rm_tree(s->parent_fd, s->name);
		close(s->dir_fd);
	}
	if (s->out_fd >= 0) {
		if (s->made_out && !s->committed)
			(void)unlinkat(s->parent_fd, s->base, AT_REMOVEDIR); /* only if empty */
		close(s->out_fd);
	}
	if (s->parent_fd >= 0)
		close(s->parent_fd);
	free(s->out);
	free(s->parent);
	free(s->base);
	free(s->name);
	memset(s, 0, sizeof *s);
	s->parent_fd = s->out_fd = s->dir_fd = -1;
}

/* Code points that are invisible or change how text around them is shown. */
static int invisible(uint32_t c)
{
	static const uint32_t ranges[][2] = {
	    {0x0080, 0x00A0}, /* C1 controls, no-break space */
	    {0x00AD, 0x00AD}, /* soft hyphen */
	    {0x061C, 0x061C}, /* Arabic letter mark */
	    {0x115F, 0x1160}, {0x1680, 0x1680}, {0x180E, 0x180E},
	    {0x2000, 0x200F}, /* spaces, zero-width characters, LRM/RLM */
	    {0x2028, 0x202F}, /* separators, bidi embeddings and overrides */
	    {0x205F, 0x206F}, /* word joiner, invisible operators, bidi isolates */
	    {0x3000, 0x3000}, /* ideographic space */
	    {0x3164, 0x3164}, {0xFE00, 0xFE0F}, /* variation selectors */
	    {0xFEFF, 0xFEFF}, /* BOM */
	    {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFFF}, {0xE0000, 0xE0FFF}, /* tags, selectors */
	};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return 1;
	return 0;
}

int kp_stage_safe_name(const char *name, const char **why)
{
	const char *w = NULL;
	size_t n = name ? strlen(name) : 0;
	if (n == 0)
		w = _("it is empty");
	else if (n > NAME_MAX_BYTES)
		w = _("it is longer than 200 bytes");
	for (const unsigned char *p = (const unsigned char *)name; !w && p && *p;) {
		uint32_t cp;
		int len = (int)kp_text_utf8_decode((const char *)p, n - (size_t)(p - (const unsigned char *)name), &cp);
		if (!len)
			w = _("it is not valid UTF-8");
		else if (cp == '/' || cp == '\\')
			w = _("it holds a slash");
		else if (cp < 0x20 || cp == 0x7F)
			w = _("it holds a control character");
		else if (cp == ' ')
			w = _("it holds a space");
		else if (cp < 0x80 && !((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
					(cp >= '0' && cp <= '9') || cp == '-' || cp == '_' || cp == '.'))
			w = _("it holds a character other than letters, digits, '-', '_' and '.'");
		else if (invisible(cp))
			w = _("it holds a space, control or invisible formatting character");
		p += len ? len : 1;
	}
	if (!w && name[0] == '.')
		w = _("it starts with '.'");
	else if (!w && name[n - 1] == '.')
		w = _("it ends with '.'");
	if (why)
		*why = w;
	return w == NULL;
}

const char *kp_stage_show_name(const char *name, char *buf, size_t size)
{
	size_t o = 0, n = strlen(name);
	if (!size)
		return "";
	for (const unsigned char *p = (const unsigned char *)name; *p && o + 12 < size;) {
		uint32_t cp;
		int len = (int)kp_text_utf8_decode((const char *)p, n - (size_t)(p - (const unsigned char *)name), &cp);
		if (len && cp >= 0x20 && cp != 0x7F && !invisible(cp)) {
			memcpy(buf + o, p, (size_t)len);
			o += (size_t)len;
			p += len;
		} else {
			o += (size_t)snprintf(buf + o, size - o, len ? "<U+%04X>" : "<0x%02X>",
					      len ? (unsigned)cp : (unsigned)*p);
			p += len ? len : 1;
		}
	}
	buf[o] = '\0';
	return buf;
}
