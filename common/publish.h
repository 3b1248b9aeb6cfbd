/* publish.h: output files that appear only once a database transaction
 * has committed: all of them, or none.
 *
 * Each file is written with atomic_file under a staged name beside its
 * final one, "<path>.tmp.<pid>.staged", and made durable there (written
 * whole, fsync'd) before COMMIT; after COMMIT, publish_commit() renames
 * every staged file into place and syncs their directories. When anything
 * fails before COMMIT, publish_discard() removes the staged files: a
 * failed run leaves no output behind and never a half-written one. Staged
 * files of a process that died are removed by atomic_file_clean_stale().
 *
 *   struct publish pub;
 *   struct atomic_file af;
 *
 *   publish_init(&pub);
 *   rc = publish_open(&pub, &af, "out/2024-03/C1-CHF.csv", 0600, e);
 *   ... atomic_file_write(&af, ...) ...
 *   rc = atomic_file_commit(&af, e);       the file is staged
 *   ... more files, then COMMIT ...
 *   if (rc == 0)
 *           rc = publish_commit(&pub, e);  every file in place
 *   publish_release(&pub);                 removes whatever is still staged
 *
 * A failure while renaming leaves the files before it in place and the
 * others staged (publish_release removes them); the error says which. */
#ifndef COMMON_PUBLISH_H
#define COMMON_PUBLISH_H

#include <stddef.h>
#include <sys/types.h>

#include "atomic_file.h"
#include "err.h"

/* Most files one publish may hold; one more is ERR_LIMIT. */
#define PUBLISH_MAX_FILES ((size_t)1 << 20)

struct publish_file {
	char *staged_path; /* NULL once renamed into place */
	char *final_path;
};

struct publish {
	struct publish_file *files;
	size_t n;
	size_t cap;
};

void publish_init(struct publish *p);
/* Open af on the staged name of path (atomic_file_open with mode) and
 * remember the file. The caller writes it and finishes it with
 * atomic_file_commit (the file is then staged) or atomic_file_abort. */
int publish_open(struct publish *p, struct atomic_file *af, const char *path, mode_t mode,
		 struct err *e);
/* After COMMIT: rename every staged file to its final name, in the order
 * they were opened, then sync each directory that received one. Every
 * file opened must have been committed with atomic_file_commit. */
int publish_commit(struct publish *p, struct err *e);
/* Remove the staged files not yet renamed and forget every file. */
void publish_discard(struct publish *p);
/* publish_discard, and free the memory. */
void publish_release(struct publish *p);

#endif
