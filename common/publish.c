/* publish.c: files published after COMMIT (publish.h). */
#include "publish.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"

void publish_init(struct publish *p)
{
	p->files = NULL;
	p->n = 0;
	p->cap = 0;
}

/* "<path>.tmp.<pid>.staged", which atomic_file_clean_stale() recognises. */
static char *staged_name(const char *path)
{
	int n = snprintf(NULL, 0, "%s.tmp.%ld.staged", path, (long)getpid());
	char *s;

	if (n < 0)
		return NULL;
	s = alloc_malloc((size_t)n + 1);
	if (s != NULL)
		snprintf(s, (size_t)n + 1, "%s.tmp.%ld.staged", path, (long)getpid());
	return s;
}

int publish_open(struct publish *p, struct atomic_file *af, const char *path, mode_t mode,
		 struct err *e)
{
	struct publish_file *f;
	int rc;

	memset(af, 0, sizeof(*af));
	if (p->n == p->cap) {
		size_t cap = p->cap > 0 ? p->cap * 2 : 16;
		struct publish_file *v;

		if (p->n >= PUBLISH_MAX_FILES)
			return ERR_SET(e, ERR_LIMIT, "more than %zu files to publish", PUBLISH_MAX_FILES);
		v = alloc_realloc(p->files, cap * sizeof(*v));
		if (v == NULL)
			return ERR_SET(e, ERR_NOMEM, "out of memory");
		p->files = v;
		p->cap = cap;
	}
	f = &p->files[p->n];
	f->final_path = alloc_strdup(path);
	f->staged_path = staged_name(path);
	if (f->final_path == NULL || f->staged_path == NULL) {
		alloc_free(f->final_path);
		alloc_free(f->staged_path);
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	}
	rc = atomic_file_open(af, f->staged_path, mode, e);
	if (rc != 0) {
		alloc_free(f->final_path);
		alloc_free(f->staged_path);
		return rc;
	}
	p->n++;
	return 0;
}

/* Length of the directory part of path ("." when it has none: 0). */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == NULL ? 0 : (size_t)(slash - path) + (slash == path);
}

/* fsync the directory made of the first len bytes of path ("." for 0). */
static int sync_dir(const char *path, size_t len, struct err *e)
{
	char *dir = alloc_malloc(len + 2);
	int fd;
	int rc = 0;

	if (dir == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	if (len == 0)
		memcpy(dir, ".", 2);
	else
		memcpy(dir, path, len);
	dir[len > 0 ? len : 1] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || fsync(fd) != 0)
		rc = ERR_SET(e, ERR_IO, "cannot sync the directory '%s': %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	alloc_free(dir);
	return rc;
}

int publish_commit(struct publish *p, struct err *e)
{
	const char *synced = NULL; /* the last directory synced */
	size_t synced_len = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct publish_file *f = &p->files[i];

		if (f->staged_path == NULL)
			continue;
		if (rename(f->staged_path, f->final_path) != 0)
			return ERR_SET(e, ERR_IO, "cannot rename into '%s': %s", f->final_path,
				       strerror(errno));
		alloc_free(f->staged_path);
		f->staged_path = NULL;
	}
	for (size_t i = 0; i < p->n; i++) {
		const char *path = p->files[i].final_path;
		size_t len = dir_len(path);
		int rc;

		if (synced != NULL && len == synced_len && memcmp(path, synced, len) == 0)
			continue;
		rc = sync_dir(path, len, e);
		if (rc != 0)
			return rc;
		synced = path;
		synced_len = len;
	}
	return 0;
}

void publish_discard(struct publish *p)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->files[i].staged_path != NULL)
			unlink(p->files[i].staged_path);
		alloc_free(p->files[i].staged_path);
		alloc_free(p->files[i].final_path);
	}
	p->n = 0;
}

void publish_release(struct publish *p)
{
	publish_discard(p);
	alloc_free(p->files);
	publish_init(p);
}
