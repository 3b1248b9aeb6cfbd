/* atomic_file.h: write a file whole or not at all: a temporary file in the
 * same directory (mode 0600 unless told), fsync, rename, fsync of the
 * directory. Every write, flush, sync and close is checked. */
#ifndef COMMON_ATOMIC_FILE_H
#define COMMON_ATOMIC_FILE_H

#include <stdio.h>
#include <sys/types.h>

#include "err.h"

struct atomic_file {
	char *path;     /* final path */
	char *tmp_path; /* path.tmp.<pid>.XXXXXX */
	FILE *fp;
	int failed;     /* sticky: a write failed */
};

int atomic_file_open(struct atomic_file *af, const char *path, mode_t mode, struct err *e);
int atomic_file_write(struct atomic_file *af, const void *data, size_t len, struct err *e);
int atomic_file_printf(struct atomic_file *af, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Flush, fsync, close and rename into place. */
int atomic_file_commit(struct atomic_file *af, struct err *e);
/* Remove the temporary file (safe after commit or on a zeroed struct). */
void atomic_file_abort(struct atomic_file *af);
/* Create a directory and its parents (mode 0700 for new ones). */
int make_dirs(const char *path, struct err *e);
/* Remove stale "<name>.tmp.<pid>.*" files in dir whose pid is not alive. */
void atomic_file_clean_stale(const char *dir);

#endif
