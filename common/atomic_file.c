#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "<path>.tmp.<pid>.XXXXXX" for mkstemp. */
static char *temp_name(const char *path, long pid)
{
	int n = snprintf(NULL, 0, "%s.tmp.%ld.XXXXXX", path, pid);
	char *s;

	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s != NULL && snprintf(s, (size_t)n + 1, "%s.tmp.%ld.XXXXXX", path, pid) != n) {
		free(s);
		s = NULL;
	}
	return s;
}

int atomic_file_open(struct atomic_file *af, const char *path, mode_t mode, struct err *e)
{
	int fd;

	memset(af, 0, sizeof(*af));
	af->path = strdup(path);
	af->tmp_path = temp_name(path, (long)getpid());
	if (af->path == NULL || af->tmp_path == NULL) {
		atomic_file_abort(af);
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	}
	fd = mkstemp(af->tmp_path);
	if (fd < 0) {
		int saved = errno;

		free(af->tmp_path);
		af->tmp_path = NULL;
		atomic_file_abort(af);
		return ERR_SET(e, ERR_IO, "cannot create a temporary file for '%s': %s", path, strerror(saved));
	}
	if (fchmod(fd, mode) != 0 || (af->fp = fdopen(fd, "w")) == NULL) {
		int saved = errno;

		close(fd);
		atomic_file_abort(af);
		return ERR_SET(e, ERR_IO, "cannot open '%s': %s", path, strerror(saved));
	}
	return 0;
}

int atomic_file_write(struct atomic_file *af, const void *data, size_t len, struct err *e)
{
	if (af->failed)
		return ERR_SET(e, ERR_IO, "cannot write '%s': an earlier write failed", af->path);
	if (len > 0 && fwrite(data, 1, len, af->fp) != len) {
		af->failed = 1;
		return ERR_SET(e, ERR_IO, "cannot write '%s': %s", af->path, strerror(errno));
	}
	return 0;
}

int atomic_file_printf(struct atomic_file *af, struct err *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (af->failed)
		return ERR_SET(e, ERR_IO, "cannot write '%s': an earlier write failed", af->path);
	va_start(ap, fmt);
	n = vfprintf(af->fp, fmt, ap);
	va_end(ap);
	if (n < 0) {
		af->failed = 1;
		return ERR_SET(e, ERR_IO, "cannot write '%s': %s", af->path, strerror(errno));
	}
	return 0;
}

static int sync_dir_of(const char *path)
{
	char *dir = strdup(path);
	char *slash;
	int fd, rc = 0;

	if (dir == NULL)
		return -1;
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		free(dir);
		dir = strdup(".");
		if (dir == NULL)
			return -1;
	} else if (slash == dir) {
		slash[1] = '\0';
	} else {
		*slash = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(dir);
	return rc;
}

int atomic_file_commit(struct atomic_file *af, struct err *e)
{
	FILE *fp = af->fp;
	int rc = 0;

	if (fp == NULL)
		return ERR_SET(e, ERR_IO, "cannot write '%s': not open", af->path != NULL ? af->path : "?");
	af->fp = NULL;
	if (af->failed) {
		fclose(fp);
		rc = ERR_SET(e, ERR_IO, "cannot write '%s': an earlier write failed", af->path);
	} else if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		rc = ERR_SET(e, ERR_IO, "cannot write '%s': %s", af->path, strerror(errno));
		fclose(fp);
	} else if (fclose(fp) != 0) {
		rc = ERR_SET(e, ERR_IO, "cannot write '%s': %s", af->path, strerror(errno));
	} else if (rename(af->tmp_path, af->path) != 0) {
		rc = ERR_SET(e, ERR_IO, "cannot rename into '%s': %s", af->path, strerror(errno));
	} else {
		free(af->tmp_path);
		af->tmp_path = NULL;
		if (sync_dir_of(af->path) != 0)
			rc = ERR_SET(e, ERR_IO, "cannot sync the directory of '%s': %s", af->path, strerror(errno));
	}
	atomic_file_abort(af);
	return rc;
}

void atomic_file_abort(struct atomic_file *af)
{
	if (af->fp != NULL) {
		fclose(af->fp);
		af->fp = NULL;
	}
	if (af->tmp_path != NULL) {
		unlink(af->tmp_path);
		free(af->tmp_path);
		af->tmp_path = NULL;
	}
	free(af->path);
	af->path = NULL;
}

int make_dirs(const char *path, struct err *e)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return ERR_SET(e, ERR_IO, "bad directory path");
	memcpy(buf, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char c = buf[i];

			buf[i] = '\0';
			if (mkdir(buf, 0700) != 0 && errno != EEXIST)
				return ERR_SET(e, ERR_IO, "cannot create directory '%s': %s", buf, strerror(errno));
			buf[i] = c;
		}
	}
	return 0;
}

void atomic_file_clean_stale(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		const char *t = strstr(de->d_name, ".tmp.");
		char *end;
		long pid;
		char path[4096];

		if (t == NULL)
			continue;
		errno = 0;
		pid = strtol(t + 5, &end, 10);
		if (errno != 0 || end == t + 5 || *end != '.' || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
			continue; /* its writer is alive */
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < sizeof(path))
			unlink(path);
	}
	closedir(d);
}
