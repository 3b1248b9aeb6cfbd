/* Unit tests for loader/source.c: plain and gzip input, the byte order
 * mark, truncated and corrupt gzip, the decompressed-size cap, concatenated
 * gzip members and the SHA-256 of the raw file.
 *
 * The gzip files are written here with zlib's gzopen/gzwrite; truncated
 * and corrupt ones are cut or changed copies of them.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "err.h"
#include "record.h"
#include "source.h"

Suite *source_suite(void);

#define TMP_PATH_MAX 64
#define NO_CAP (UINT64_C(1) << 40)

static void tmp_path(char path[TMP_PATH_MAX])
{
	int fd;

	snprintf(path, TMP_PATH_MAX, "/tmp/check_source.XXXXXX");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp failed");
	ck_assert_int_eq(close(fd), 0);
}

static void write_plain(char path[TMP_PATH_MAX], const void *data, size_t len)
{
	FILE *fp;

	tmp_path(path);
	fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(fp);
	if (len > 0)
		ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

/* One gzip member per part, appended to the file. */
static void append_gzip(const char *path, const void *data, size_t len)
{
	gzFile gz = gzopen(path, "ab9");
	const char *p = data;

	ck_assert_ptr_nonnull(gz);
	while (len > 0) {
		unsigned n = len > (1u << 20) ? (1u << 20) : (unsigned)len;

		ck_assert_int_eq(gzwrite(gz, p, n), (int)n);
		p += n;
		len -= n;
	}
	ck_assert_int_eq(gzclose(gz), Z_OK);
}

static void write_gzip(char path[TMP_PATH_MAX], const void *data, size_t len)
{
	tmp_path(path);
	append_gzip(path, data, len);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	char *buf;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fstat(fileno(fp), &st), 0);
	*len = (size_t)st.st_size;
	buf = malloc(*len + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, *len, fp), *len);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

/* Deterministic text that compresses only somewhat. */
static char *make_text(size_t len)
{
	char *buf = malloc(len + 1);
	uint32_t x = 12345;

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (i % 61 == 60) ? '\n' : (char)('a' + (x >> 16) % 26);
	}
	buf[len] = '\0';
	return buf;
}

struct read_result {
	int rc;                  /* 0 at a clean end, else the failing call's code */
	enum reject_code refusal;
	char *data;
	size_t len;
	size_t bom;
	struct err e;
};

/* Opens path and reads it to the end (or the first error) in chunks of
 * chunk bytes. bom: 3 when the file starts with a byte order mark. */
static void read_all_bom(struct read_result *r, const char *path, uint64_t max_bytes, size_t chunk,
			 size_t bom)
{
	struct source *s = NULL;
	size_t cap = 1u << 16;
	char *buf = malloc(chunk);

	memset(r, 0, sizeof(*r));
	r->bom = bom;
	r->refusal = RC__COUNT;
	r->data = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(r->data);
	r->rc = source_open(&s, path, max_bytes, &r->e);
	ck_assert_msg(r->rc == 0, "source_open: %s", r->e.message);
	for (;;) {
		size_t got = 12345;

		r->rc = source_read(s, buf, chunk, &got, &r->e);
		if (r->rc != 0) {
			r->refusal = source_refusal(s);
			break;
		}
		ck_assert_uint_le(got, chunk);
		if (got == 0)
			break;
		if (r->len + got > cap) {
			while (r->len + got > cap)
				cap *= 2;
			r->data = realloc(r->data, cap);
			ck_assert_ptr_nonnull(r->data);
		}
		memcpy(r->data + r->len, buf, got);
		r->len += got;
	}
	if (r->rc == 0) {
		size_t got = 12345;

		/* Past the end stays at the end. source_bytes counts the
		 * decompressed stream, a skipped BOM included. */
		ck_assert_uint_eq(source_bytes(s), r->len + r->bom);
		ck_assert_int_eq(source_read(s, buf, chunk, &got, &r->e), 0);
		ck_assert_uint_eq(got, 0);
	} else if (r->rc == ERR_REFUSED) {
		struct err again = ERR_INIT;
		size_t got = 12345;

		/* Sticky: the next read fails the same way. */
		ck_assert_int_eq(source_read(s, buf, chunk, &got, &again), ERR_REFUSED);
		ck_assert_uint_eq(got, 0);
		ck_assert_int_eq(source_refusal(s), r->refusal);
		ck_assert_str_eq(again.message, r->e.message);
	}
	source_free(s);
	free(buf);
}

static void read_all(struct read_result *r, const char *path, uint64_t max_bytes, size_t chunk)
{
	read_all_bom(r, path, max_bytes, chunk, 0);
}

static void expect_data(const struct read_result *r, const char *want, size_t want_len)
{
	ck_assert_msg(r->rc == 0, "rc %d: %s", r->rc, r->e.message);
	ck_assert_uint_eq(r->len, want_len);
	ck_assert_msg(memcmp(r->data, want, want_len) == 0, "decoded bytes differ");
}

START_TEST(test_plain)
{
	static const char text[] = "creditor_id,creditor_reference\nC1,R1\n";
	char path[TMP_PATH_MAX];
	struct read_result r;
	struct source *s = NULL;
	struct err e = ERR_INIT;

	write_plain(path, text, strlen(text));
	ck_assert_int_eq(source_open(&s, path, NO_CAP, &e), 0);
	ck_assert(!source_is_gzip(s));
	ck_assert_uint_eq(source_bytes(s), 0);
	source_free(s);

	read_all(&r, path, NO_CAP, 4096);
	expect_data(&r, text, strlen(text));
	free(r.data);
	read_all(&r, path, NO_CAP, 1);
	expect_data(&r, text, strlen(text));
	free(r.data);
	unlink(path);
}
END_TEST

START_TEST(test_gzip)
{
	static const char text[] = "creditor_id,creditor_reference\nC1,R1\n";
	char path[TMP_PATH_MAX];
	struct read_result r;
	struct source *s = NULL;
	struct err e = ERR_INIT;

	write_gzip(path, text, strlen(text));
	ck_assert_int_eq(source_open(&s, path, NO_CAP, &e), 0);
	ck_assert(source_is_gzip(s));
	source_free(s);
	read_all(&r, path, NO_CAP, 4096);
	expect_data(&r, text, strlen(text));
	free(r.data);
	read_all(&r, path, NO_CAP, 3);
	expect_data(&r, text, strlen(text));
	free(r.data);
	unlink(path);
}
END_TEST

START_TEST(test_empty)
{
	char path[TMP_PATH_MAX];
	struct read_result r;

	write_plain(path, "", 0);
	read_all(&r, path, NO_CAP, 100);
	expect_data(&r, "", 0);
	free(r.data);
	unlink(path);

	write_gzip(path, "", 0);
	read_all(&r, path, NO_CAP, 100);
	expect_data(&r, "", 0);
	free(r.data);
	unlink(path);
}
END_TEST

/* Larger than the head, than zlib's and the source's buffers; read in
 * chunk sizes that do not divide any of them. */
START_TEST(test_large)
{
	size_t len = (3u << 20) + 17;
	char *text = make_text(len);
	char path[TMP_PATH_MAX];
	struct read_result r;
	static const size_t chunks[] = { 65536, 4093, 1000000 };

	for (int gz = 0; gz < 2; gz++) {
		if (gz)
			write_gzip(path, text, len);
		else
			write_plain(path, text, len);
		for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
			read_all(&r, path, NO_CAP, chunks[i]);
			expect_data(&r, text, len);
			free(r.data);
		}
		unlink(path);
	}
	free(text);
}
END_TEST

START_TEST(test_bom)
{
	static const struct {
		const char *raw;
		size_t raw_len;
		const char *want;
		size_t want_len;
	} cases[] = {
		{ "\xEF\xBB\xBF" "a,b\n", 7, "a,b\n", 4 },
		{ "\xEF\xBB\xBF", 3, "", 0 },
		{ "\xEF\xBB\xBF\xEF\xBB\xBFx", 7, "\xEF\xBB\xBFx", 4 }, /* only one is skipped */
		{ "a\xEF\xBB\xBF", 4, "a\xEF\xBB\xBF", 4 },             /* only at the start */
		{ "\xEF\xBB", 2, "\xEF\xBB", 2 },                       /* not a whole BOM */
		{ "\xEF\xBB\xBE" "a", 4, "\xEF\xBB\xBE" "a", 4 },
	};
	char path[TMP_PATH_MAX];
	struct read_result r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int gz = 0; gz < 2; gz++) {
			if (gz)
				write_gzip(path, cases[i].raw, cases[i].raw_len);
			else
				write_plain(path, cases[i].raw, cases[i].raw_len);
			read_all_bom(&r, path, NO_CAP, 1, cases[i].raw_len - cases[i].want_len);
			expect_data(&r, cases[i].want, cases[i].want_len);
			free(r.data);
			unlink(path);
		}
	}
}
END_TEST

/* A BOM in front of more than a head's worth of data. */
START_TEST(test_bom_large)
{
	size_t len = 100000;
	char *text = make_text(len + 3);
	char path[TMP_PATH_MAX];
	struct read_result r;

	memcpy(text, "\xEF\xBB\xBF", 3);
	write_gzip(path, text, len + 3);
	read_all_bom(&r, path, NO_CAP, 4096, 3);
	expect_data(&r, text + 3, len);
	free(r.data);
	unlink(path);
	free(text);
}
END_TEST

START_TEST(test_peek)
{
	static const char raw[] = "\xEF\xBB\xBF" "creditor_id;name\nX;Y\n";
	char path[TMP_PATH_MAX];
	struct source *s = NULL;
	struct err e = ERR_INIT;
	const char *data = NULL;
	size_t got = 0;
	char buf[64];

	write_gzip(path, raw, strlen(raw));
	ck_assert_int_eq(source_open(&s, path, NO_CAP, &e), 0);
	ck_assert_int_eq(source_peek(s, &data, 11, &got, &e), 0);
	ck_assert_uint_eq(got, 11);
	ck_assert(memcmp(data, "creditor_id", 11) == 0);
	/* Asking for more than there is gives what there is. */
	ck_assert_int_eq(source_peek(s, &data, 4096, &got, &e), 0);
	ck_assert_uint_eq(got, strlen(raw) - 3);
	/* Peeking consumed nothing. */
	ck_assert_int_eq(source_read(s, buf, 5, &got, &e), 0);
	ck_assert_uint_eq(got, 5);
	ck_assert(memcmp(buf, "credi", 5) == 0);
	ck_assert_uint_eq(source_bytes(s), 3 + 5); /* the BOM counts */
	source_free(s);
	unlink(path);
}
END_TEST

START_TEST(test_open_missing)
{
	struct source *s = (struct source *)&s; /* not NULL */
	struct err e = ERR_INIT;
	char hex[65];

	ck_assert_int_eq(source_open(&s, "/nonexistent/check_source/cases.csv", NO_CAP, &e), ERR_IO);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(e.code, ERR_IO);
	ck_assert_ptr_nonnull(strstr(e.message, "/nonexistent/check_source/cases.csv"));
	err_clear(&e);
	ck_assert_int_eq(source_sha256_file("/nonexistent/check_source/cases.csv", hex, &e), ERR_IO);
	ck_assert_int_eq(e.code, ERR_IO);
	source_free(NULL);
}
END_TEST

/* Cut a good gzip file at many places: every cut is FILE_TRUNCATED, never
 * a clean end with less data. */
START_TEST(test_truncated)
{
	size_t len = 200000;
	char *text = make_text(len);
	char path[TMP_PATH_MAX], cut_path[TMP_PATH_MAX];
	char *gz;
	size_t gz_len;
	struct read_result r;

	write_gzip(path, text, len);
	gz = slurp(path, &gz_len);
	ck_assert_uint_gt(gz_len, 1000);
	/* the 8-byte trailer (CRC32, ISIZE), its last byte, the data */
	static const size_t cuts[] = { 1, 2, 4, 7, 8, 9, 100, 5000 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		write_plain(cut_path, gz, gz_len - cuts[i]);
		read_all(&r, cut_path, NO_CAP, 65536);
		ck_assert_msg(r.rc == ERR_REFUSED, "cut %zu: rc %d", cuts[i], r.rc);
		ck_assert_int_eq(r.refusal, RC_FILE_TRUNCATED);
		ck_assert_int_eq(r.e.code, ERR_REFUSED);
		/* What came out before the cut is a prefix of the text. */
		ck_assert_uint_le(r.len, len);
		ck_assert(memcmp(r.data, text, r.len) == 0);
		free(r.data);
		unlink(cut_path);
	}
	/* Cut in the header, and half of it. */
	for (size_t keep = 3; keep <= 12; keep += 3) {
		write_plain(cut_path, gz, keep);
		read_all(&r, cut_path, NO_CAP, 65536);
		ck_assert_msg(r.rc == ERR_REFUSED, "keep %zu: rc %d", keep, r.rc);
		ck_assert_int_eq(r.refusal, RC_FILE_TRUNCATED);
		ck_assert_uint_eq(r.len, 0);
		free(r.data);
		unlink(cut_path);
	}
	write_plain(cut_path, gz, gz_len / 2);
	read_all(&r, cut_path, NO_CAP, 1000);
	ck_assert_int_eq(r.rc, ERR_REFUSED);
	ck_assert_int_eq(r.refusal, RC_FILE_TRUNCATED);
	free(r.data);
	unlink(cut_path);
	free(gz);
	unlink(path);
	free(text);
}
END_TEST

/* A short file whose cut falls inside the head read by source_open. */
START_TEST(test_truncated_small)
{
	static const char text[] = "creditor_id,creditor_reference\nC1,R1\nC1,R2\n";
	char path[TMP_PATH_MAX], cut_path[TMP_PATH_MAX];
	char *gz;
	size_t gz_len;
	struct read_result r;

	write_gzip(path, text, strlen(text));
	gz = slurp(path, &gz_len);
	for (size_t cut = 1; cut < gz_len - 2; cut++) {
		write_plain(cut_path, gz, gz_len - cut);
		read_all(&r, cut_path, NO_CAP, 4096);
		ck_assert_msg(r.rc == ERR_REFUSED && r.refusal == RC_FILE_TRUNCATED,
			      "cut %zu of %zu: rc %d refusal %d", cut, gz_len, r.rc, (int)r.refusal);
		free(r.data);
		unlink(cut_path);
	}
	free(gz);
	unlink(path);
}
END_TEST

START_TEST(test_corrupt)
{
	size_t len = 100000;
	char *text = make_text(len);
	char path[TMP_PATH_MAX], bad_path[TMP_PATH_MAX];
	char *gz;
	size_t gz_len;
	struct read_result r;

	write_gzip(path, text, len);
	gz = slurp(path, &gz_len);
	/* a byte of the deflate data, of the CRC32, of the length */
	size_t where[] = { gz_len / 2, gz_len - 8, gz_len - 1 };
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		gz[where[i]] ^= 0x55;
		write_plain(bad_path, gz, gz_len);
		gz[where[i]] ^= 0x55;
		read_all(&r, bad_path, NO_CAP, 65536);
		ck_assert_msg(r.rc == ERR_REFUSED, "byte %zu: rc %d", where[i], r.rc);
		ck_assert_int_eq(r.refusal, RC_FILE_TRUNCATED);
		free(r.data);
		unlink(bad_path);
	}
	/* The magic bytes and then garbage: gzip by its magic, and corrupt. */
	write_plain(bad_path, "\x1f\x8bthis is not deflate data at all\n", 34);
	read_all(&r, bad_path, NO_CAP, 65536);
	ck_assert_int_eq(r.rc, ERR_REFUSED);
	ck_assert_int_eq(r.refusal, RC_FILE_TRUNCATED);
	free(r.data);
	unlink(bad_path);
	/* Garbage after a good member. */
	{
		char *more = malloc(gz_len + 16);

		ck_assert_ptr_nonnull(more);
		memcpy(more, gz, gz_len);
		memcpy(more + gz_len, "trailing garbage", 16);
		write_plain(bad_path, more, gz_len + 16);
		free(more);
	}
	read_all(&r, bad_path, NO_CAP, 65536);
	ck_assert_int_eq(r.rc, ERR_REFUSED);
	ck_assert_int_eq(r.refusal, RC_FILE_TRUNCATED);
	free(r.data);
	unlink(bad_path);
	free(gz);
	unlink(path);
	free(text);
}
END_TEST

/* A plain file named like gzip is plain: the magic bytes decide. */
START_TEST(test_gzip_by_magic_only)
{
	static const char text[] = "a,b\n1,2\n";
	char path[TMP_PATH_MAX], gz_name[TMP_PATH_MAX + 8];
	struct source *s = NULL;
	struct err e = ERR_INIT;

	write_plain(path, text, strlen(text));
	snprintf(gz_name, sizeof(gz_name), "%s.gz", path);
	ck_assert_int_eq(rename(path, gz_name), 0);
	ck_assert_int_eq(source_open(&s, gz_name, NO_CAP, &e), 0);
	ck_assert(!source_is_gzip(s));
	source_free(s);
	unlink(gz_name);

	write_gzip(path, text, strlen(text)); /* a gzip file named without .gz */
	ck_assert_int_eq(source_open(&s, path, NO_CAP, &e), 0);
	ck_assert(source_is_gzip(s));
	source_free(s);
	unlink(path);
}
END_TEST

START_TEST(test_size_cap_plain)
{
	char *text = make_text(300000);
	char path[TMP_PATH_MAX];
	struct read_result r;

	write_plain(path, text, 1000);
	read_all(&r, path, 1000, 4096); /* exactly the cap: fine */
	expect_data(&r, text, 1000);
	free(r.data);
	read_all(&r, path, 999, 4096);
	ck_assert_int_eq(r.rc, ERR_REFUSED);
	ck_assert_int_eq(r.refusal, RC_FILE_TOO_LARGE);
	ck_assert_uint_le(r.len, 999);
	free(r.data);
	unlink(path);

	write_plain(path, text, 300000);
	read_all(&r, path, 200000, 65536);
	ck_assert_int_eq(r.rc, ERR_REFUSED);
	ck_assert_int_eq(r.refusal, RC_FILE_TOO_LARGE);
	ck_assert_uint_le(r.len, 200000);
	free(r.data);
	unlink(path);
	free(text);
}
END_TEST

/* 50 MB of zeros compress to about 50 KB; with a cap of 1 MB the source
 * must stop soon after 1 MB, not inflate all of it. */
START_TEST(test_gzip_bomb)
{
	size_t zeros = 50u << 20;
	char *block = calloc(1, 1u << 20);
	char path[TMP_PATH_MAX];
	gzFile gz;
	struct read_result r;
	struct timespec t0, t1;
	double secs;
	size_t gz_len;
	char *raw;

	ck_assert_ptr_nonnull(block);
	tmp_path(path);
	gz = gzopen(path, "wb9");
	ck_assert_ptr_nonnull(gz);
	for (size_t done = 0; done < zeros; done += 1u << 20)
		ck_assert_int_eq(gzwrite(gz, block, 1u << 20), 1 << 20);
	ck_assert_int_eq(gzclose(gz), Z_OK);
	free(block);
	raw = slurp(path, &gz_len);
	free(raw);
	ck_assert_uint_lt(gz_len, 200000);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	read_all(&r, path, 1u << 20, 65536);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_int_eq(r.rc, ERR_REFUSED);
	ck_assert_int_eq(r.refusal, RC_FILE_TOO_LARGE);
	ck_assert_uint_le(r.len, 1u << 20);
	ck_assert_msg(secs < 2.0, "the bomb took %.2f s", secs);
	free(r.data);
	unlink(path);
}
END_TEST

START_TEST(test_concatenated_members)
{
	static const char one[] = "creditor_id,creditor_reference\nC1,R1\n";
	static const char two[] = "C1,R2\nC1,R3\n";
	char path[TMP_PATH_MAX];
	char want[128];
	struct read_result r;
	size_t big_len = 300000;
	char *big = make_text(big_len);
	char *all;

	write_gzip(path, one, strlen(one));
	append_gzip(path, two, strlen(two));
	snprintf(want, sizeof(want), "%s%s", one, two);
	read_all(&r, path, NO_CAP, 65536);
	expect_data(&r, want, strlen(want));
	free(r.data);
	read_all(&r, path, NO_CAP, 1);
	expect_data(&r, want, strlen(want));
	free(r.data);
	unlink(path);

	/* Members larger than the raw buffer, and an empty one between. */
	write_gzip(path, big, big_len);
	append_gzip(path, "", 0);
	append_gzip(path, big, big_len);
	all = malloc(2 * big_len);
	ck_assert_ptr_nonnull(all);
	memcpy(all, big, big_len);
	memcpy(all + big_len, big, big_len);
	read_all(&r, path, NO_CAP, 65536);
	expect_data(&r, all, 2 * big_len);
	free(r.data);
	unlink(path);
	free(all);
	free(big);
}
END_TEST

static void expect_sha256(const void *data, size_t len, const char *want)
{
	char path[TMP_PATH_MAX];
	char hex[65];
	struct err e = ERR_INIT;

	write_plain(path, data, len);
	memset(hex, 'x', sizeof(hex));
	ck_assert_int_eq(source_sha256_file(path, hex, &e), 0);
	ck_assert_str_eq(hex, want);
	unlink(path);
}

START_TEST(test_sha256)
{
	char *million = malloc(1000000);

	/* FIPS 180-2 test vectors. */
	expect_sha256("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	expect_sha256("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	ck_assert_ptr_nonnull(million);
	memset(million, 'a', 1000000); /* several raw reads */
	expect_sha256(million, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}
END_TEST

/* The hash is of the file as given: a gzip file hashes as its compressed
 * bytes. These 24 bytes are gzip of "abc\n" (mtime 0); the hash was taken
 * with sha256sum. */
START_TEST(test_sha256_of_raw_gzip)
{
	static const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\x4b\x4c\x4a\xe6\x02\x00"
				 "\x4e\x81\x88\x47\x04\x00\x00\x00";
	char path[TMP_PATH_MAX];
	struct read_result r;

	expect_sha256(gz, 24, "df64dcb8ff5c74a8673bcddf1fcdbcc3b4da564e17adb1b430a19573914e5623");
	write_plain(path, gz, 24);
	read_all(&r, path, NO_CAP, 4096);
	expect_data(&r, "abc\n", 4);
	free(r.data);
	unlink(path);
}
END_TEST

Suite *source_suite(void)
{
	Suite *s = suite_create("source");
	TCase *tc_read = tcase_create("read");
	TCase *tc_bad = tcase_create("refusals");
	TCase *tc_hash = tcase_create("sha256");

	tcase_add_test(tc_read, test_plain);
	tcase_add_test(tc_read, test_gzip);
	tcase_add_test(tc_read, test_empty);
	tcase_add_test(tc_read, test_large);
	tcase_add_test(tc_read, test_bom);
	tcase_add_test(tc_read, test_bom_large);
	tcase_add_test(tc_read, test_peek);
	tcase_add_test(tc_read, test_open_missing);
	tcase_add_test(tc_read, test_gzip_by_magic_only);
	tcase_add_test(tc_read, test_concatenated_members);
	suite_add_tcase(s, tc_read);

	tcase_add_test(tc_bad, test_truncated);
	tcase_add_test(tc_bad, test_truncated_small);
	tcase_add_test(tc_bad, test_corrupt);
	tcase_add_test(tc_bad, test_size_cap_plain);
	tcase_add_test(tc_bad, test_gzip_bomb);
	tcase_set_timeout(tc_bad, 30);
	suite_add_tcase(s, tc_bad);

	tcase_add_test(tc_hash, test_sha256);
	tcase_add_test(tc_hash, test_sha256_of_raw_gzip);
	suite_add_tcase(s, tc_hash);
	return s;
}
