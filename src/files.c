#include "i18n.h"
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

static void io_error(kp_diag *err, const char *path, const char *what, int e)
{
	if (!err)
		return;
	kp_diag_set(err, KP_SEV_ERROR, "io-error", "cannot %s \"%s\": %s", _(what), path, strerror(e));
	kp_diag_at(err, path, 0, 0, -1);
}

/* Directory part of path ("." when there is none); caller frees. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	size_t n = (size_t)(slash - path);
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, path, n);
		d[n] = '\0';
	}
	return d;
}

static void atomic_release(kp_atomic *a)
{
	free(a->tmp);
	a->path = a->tmp = NULL;
	a->fp = NULL;
}

int kp_files_atomic_open(kp_atomic *a, const char *path, kp_diag *err)
{
	memset(a, 0, sizeof *a);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t dirlen = (size_t)(base - path);
	/* ".<name>.tmpXXXXXX" beside the target, so rename() stays within one file system. */
	size_t n = dirlen + 1 + strlen(base) + sizeof ".tmpXXXXXX";
	a->path = path;
	a->tmp = malloc(n);
	if (!a->tmp) {
		atomic_release(a);
		io_error(err, path, "allocate memory for", ENOMEM);
		return -1;
	}
	snprintf(a->tmp, n, "%.*s.%s.tmpXXXXXX", (int)dirlen, path, base);
	int fd = mkstemp(a->tmp);
	if (fd < 0) {
		int e = errno;
		atomic_release(a);
		io_error(err, path, "create a temporary file for", e);
		return -1;
	}
	mode_t mask = umask(0);
	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
	a->fp = fdopen(fd, "wb");
	if (!a->fp) {
		int e = errno;
		close(fd);
		unlink(a->tmp);
		atomic_release(a);
		io_error(err, path, "open", e);
		return -1;
	}
	return 0;
}

void kp_files_atomic_abort(kp_atomic *a)
{
	if (a->fp)
		fclose(a->fp);
	if (a->tmp)
		unlink(a->tmp);
	atomic_release(a);
}

int kp_files_atomic_commit(kp_atomic *a, kp_diag *err)
{
	int e = 0;
	if (fflush(a->fp) != 0 || ferror(a->fp))
		e = errno ? errno : EIO;
	else if (fsync(fileno(a->fp)) != 0 && errno != EINVAL)
		e = errno;
	int rc = fclose(a->fp);
	a->fp = NULL;
	if (!e && rc != 0)
		e = errno ? errno : EIO;
	if (!e && rename(a->tmp, a->path) != 0)
		e = errno;
	if (e) {
		io_error(err, a->path, "write", e);
		kp_files_atomic_abort(a);
		return -1;
	}
	/* Make the rename itself durable: a failure here means the new file may vanish in
	 * a crash, which the caller must hear of. */
	char *dir = dir_of(a->path);
	int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	int de = !dir ? ENOMEM : dfd < 0 ? errno : fsync(dfd) != 0 ? errno : 0;
	if (dfd >= 0)
		close(dfd);
	free(dir);
	free(a->tmp);
	a->tmp = NULL;
	if (de && de != EINVAL) {
		if (err) {
			kp_diag_set(err, KP_SEV_ERROR, "io-error",
				    "cannot make \"%s\" durable (fsync of its folder: %s)", a->path,
				    strerror(de));
			kp_diag_at(err, a->path, 0, 0, -1);
		}
		atomic_release(a);
		return -1;
	}
	atomic_release(a);
	return 0;
}

FILE *kp_files_open_in(const char *path, const char *root, kp_diag *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		io_error(err, path, "open", errno);
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		const char *what = S_ISFIFO(st.st_mode) ? _("a FIFO (named pipe)")
				   : S_ISDIR(st.st_mode) ? _("a folder")
				   : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? _("a device")
				   : S_ISSOCK(st.st_mode) ? _("a socket")
							  : _("not a regular file");
		kp_diag_set(err, KP_SEV_ERROR, "io-error",
			    "\"%s\" is %s: a table is read only from a regular file", path, what);
		kp_diag_at(err, path, 0, 0, -1);
		close(fd);
		return NULL;
	}
	/* Where the file really is: the opened descriptor's path (no race with a link
	 * swapped after the check), or failing /proc, the resolved name. */
	char real[PATH_MAX], top[PATH_MAX], link[64];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, real, sizeof real - 1);
	if (n > 0)
		real[n] = '\0';
	int ok = (n > 0 || realpath(path, real)) && realpath(root, top);
	size_t tl = ok ? strlen(top) : 0;
	if (ok && !(strcmp(top, "/") == 0 ||
		    (strncmp(real, top, tl) == 0 && real[tl] == '/'))) {
		kp_diag_set(err, KP_SEV_ERROR, "io-error",
			    "\"%s\" leads to \"%s\", outside the package folder \"%s\": put the "
			    "file itself in the folder",
			    path, real, top);
		kp_diag_at(err, path, 0, 0, -1);
		close(fd);
		return NULL;
	}
	if (!ok) {
		io_error(err, path, "resolve", errno);
		close(fd);
		return NULL;
	}
	int fl = fcntl(fd, F_GETFL);
	FILE *fp = fl >= 0 && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0 ? fdopen(fd, "rb") : NULL;
	if (!fp) {
		io_error(err, path, "open", errno);
		close(fd);
	}
	return fp;
}

int kp_files_sha256_init(kp_sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	h->md = ctx;
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		kp_files_sha256_release(h);
		return -1;
	}
	return 0;
}

int kp_files_sha256_update(kp_sha256 *h, const void *data, size_t len)
{
	return EVP_DigestUpdate(h->md, data, len) == 1 ? 0 : -1;
}

int kp_files_sha256_final(kp_sha256 *h, char hex[KP_SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int rc = EVP_DigestFinal_ex(h->md, md, &n) == 1 && n == 32 ? 0 : -1;
	kp_files_sha256_release(h);
	if (rc != 0)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * n] = '\0';
	return 0;
}

void kp_files_sha256_release(kp_sha256 *h)
{
	EVP_MD_CTX_free(h->md);
	h->md = NULL;
}

int kp_files_sha256_file(const char *path, const char *root, char hex[KP_SHA256_HEX_LEN + 1],
	long long *bytes, kp_diag *err)
{
	FILE *fp = root ? kp_files_open_in(path, root, err) : fopen(path, "rb");
	if (!fp) {
		if (!root)
			io_error(err, path, "open", errno);
		return -1;
	}
	kp_sha256 h;
	if (kp_files_sha256_init(&h) != 0) {
		fclose(fp);
		io_error(err, path, "hash", ENOMEM);
		return -1;
	}
	unsigned char buf[65536];
	long long total = 0;
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
		kp_files_sha256_update(&h, buf, n);
		total += (long long)n;
	}
	int e = ferror(fp) ? (errno ? errno : EIO) : 0;
	fclose(fp);
	if (e) {
		kp_files_sha256_release(&h);
		io_error(err, path, "read", e);
		return -1;
	}
	if (kp_files_sha256_final(&h, hex) != 0) {
		io_error(err, path, "hash", EIO);
		return -1;
	}
	if (bytes)
		*bytes = total;
	return 0;
}

int kp_files_read_all(const char *path, size_t max, char **data, size_t *len, kp_diag *err)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	*data = NULL;
	*len = 0;
	if (!fp) {
		io_error(err, path, "open", errno);
		return -1;
	}
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	int e = buf ? 0 : ENOMEM;
	while (!e) {
		if (n == cap) {
			if (cap >= max) {
				e = EFBIG;
				break;
			}
			size_t ncap = cap * 2 > max ? max : cap * 2;
			char *nbuf = realloc(buf, ncap + 1);
			if (!nbuf) {
				e = ENOMEM;
				break;
			}
			buf = nbuf;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0) {
			if (ferror(fp))
				e = errno ? errno : EIO;
			break;
		}
	}
	if (!is_stdin)
		fclose(fp);
	if (e) {
		free(buf);
		io_error(err, path, "read", e);
		return -1;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}
