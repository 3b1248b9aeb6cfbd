/* Unit tests for common/publish.c: files staged before COMMIT appear
 * under their names only with publish_commit (all of them, content and
 * mode as written); publish_discard and publish_release remove every
 * staged or half-written file. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "publish.h"

Suite *publish_suite(void);

static char dir[64];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_publish.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static char *in_dir(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

/* The names in dir, sorted, separated by spaces ("" when empty). */
static const char *listing(const char *d)
{
	static char out[1024];
	struct dirent **names;
	int n = scandir(d, &names, NULL, alphasort);
	size_t len = 0;

	ck_assert_int_ge(n, 0);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", len > 0 ? " " : "",
						names[i]->d_name);
			ck_assert_uint_lt(len, sizeof(out));
		}
		free(names[i]);
	}
	free(names);
	return out;
}

static const char *content(const char *path)
{
	static char out[256];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

static void write_file(struct publish *p, const char *path, mode_t mode, const char *text)
{
	struct atomic_file af;
	struct err e = ERR_INIT;

	ck_assert_int_eq(publish_open(p, &af, path, mode, &e), 0);
	ck_assert_int_eq(atomic_file_write(&af, text, strlen(text), &e), 0);
	ck_assert_int_eq(atomic_file_commit(&af, &e), 0);
}

START_TEST(test_commit_renames_all)
{
	struct publish p;
	struct err e = ERR_INIT;
	char a[128], b[128], sub[128], staged[160];
	struct stat st;

	make_dir();
	ck_assert_int_eq(mkdir(in_dir(sub, sizeof(sub), "sub"), 0700), 0);
	publish_init(&p);
	write_file(&p, in_dir(a, sizeof(a), "C1-CHF.csv"), 0600, "one\n");
	write_file(&p, in_dir(b, sizeof(b), "sub/C1-CHF.xml"), 0640, "<two/>\n");
	/* staged, fsync'd, not yet there */
	snprintf(staged, sizeof(staged), "C1-CHF.csv.tmp.%ld.staged sub", (long)getpid());
	ck_assert_str_eq(listing(dir), staged);
	snprintf(staged, sizeof(staged), "%s.tmp.%ld.staged", a, (long)getpid());
	ck_assert_str_eq(content(staged), "one\n");
	ck_assert_int_eq(publish_commit(&p, &e), 0);
	ck_assert_str_eq(listing(dir), "C1-CHF.csv sub");
	ck_assert_str_eq(listing(sub), "C1-CHF.xml");
	ck_assert_str_eq(content(a), "one\n");
	ck_assert_str_eq(content(b), "<two/>\n");
	ck_assert_int_eq(stat(a, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(stat(b, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	/* published files are no longer the publish's to remove */
	publish_release(&p);
	ck_assert_str_eq(listing(dir), "C1-CHF.csv sub");
	unlink(a);
	unlink(b);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

START_TEST(test_discard_removes_all)
{
	struct publish p;
	struct atomic_file af;
	struct err e = ERR_INIT;
	char a[128], b[128], c[128];

	make_dir();
	publish_init(&p);
	write_file(&p, in_dir(a, sizeof(a), "a.csv"), 0600, "staged\n");
	/* one half-written: its temporary file is there */
	ck_assert_int_eq(publish_open(&p, &af, in_dir(b, sizeof(b), "b.csv"), 0600, &e), 0);
	ck_assert_int_eq(atomic_file_write(&af, "half", 4, &e), 0);
	ck_assert_int_eq(fflush(af.fp), 0);
	ck_assert_int_eq(access(af.tmp_path, F_OK), 0);
	atomic_file_abort(&af);
	publish_discard(&p);
	ck_assert_str_eq(listing(dir), "");
	ck_assert_uint_eq(p.n, 0);
	/* used again after a discard */
	write_file(&p, in_dir(c, sizeof(c), "c.csv"), 0600, "c\n");
	publish_release(&p);
	ck_assert_str_eq(listing(dir), "");
	ck_assert_ptr_null(p.files);
	rmdir(dir);
}
END_TEST

/* A rename that fails (the final name is a directory): the files before
 * it are in place, the others removed by publish_release. */
START_TEST(test_failed_rename)
{
	struct publish p;
	struct err e = ERR_INIT;
	char a[128], b[128], c[128], want[256];

	make_dir();
	publish_init(&p);
	write_file(&p, in_dir(a, sizeof(a), "a.csv"), 0600, "a\n");
	write_file(&p, in_dir(b, sizeof(b), "b.csv"), 0600, "b\n");
	write_file(&p, in_dir(c, sizeof(c), "c.csv"), 0600, "c\n");
	ck_assert_int_eq(mkdir(b, 0700), 0);
	ck_assert_int_eq(mkdir(in_dir(want, sizeof(want), "b.csv/x"), 0700), 0);
	ck_assert_int_eq(publish_commit(&p, &e), ERR_IO);
	snprintf(want, sizeof(want), "cannot rename into '%s': ", b);
	ck_assert_msg(strncmp(e.message, want, strlen(want)) == 0, "message [%s]", e.message);
	publish_release(&p);
	ck_assert_str_eq(listing(dir), "a.csv b.csv");
	ck_assert_str_eq(content(a), "a\n");
	unlink(a);
	rmdir(in_dir(want, sizeof(want), "b.csv/x"));
	rmdir(b);
	rmdir(dir);
}
END_TEST

START_TEST(test_open_fails)
{
	struct publish p;
	struct atomic_file af;
	struct err e = ERR_INIT;
	char a[128];
	long live = alloc_live();

	make_dir();
	publish_init(&p);
	/* no such directory */
	ck_assert_int_eq(publish_open(&p, &af, in_dir(a, sizeof(a), "none/a.csv"), 0600, &e), ERR_IO);
	ck_assert_uint_eq(p.n, 0);
	/* out of memory */
	alloc_fail_at(1);
	ck_assert_int_eq(publish_open(&p, &af, in_dir(a, sizeof(a), "a.csv"), 0600, &e), ERR_NOMEM);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_int_eq(publish_commit(&p, &e), 0);
	publish_release(&p);
	ck_assert_int_eq(alloc_live(), live);
	ck_assert_str_eq(listing(dir), "");
	rmdir(dir);
}
END_TEST

Suite *publish_suite(void)
{
	Suite *s = suite_create("publish");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_commit_renames_all);
	tcase_add_test(tc, test_discard_removes_all);
	tcase_add_test(tc, test_failed_rename);
	tcase_add_test(tc, test_open_fails);
	suite_add_tcase(s, tc);
	return s;
}
