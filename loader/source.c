#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "alloc.h"

#define RAW_CHUNK (256u * 1024u)
#define HEAD_BYTES 4096u

struct source {
	int fd;
	char *path;
	bool gzip;
	bool raw_eof;
	bool stream_end; /* gzip: the last member ended cleanly */
	z_stream zs;
	bool zs_live;
	unsigned char *raw;
	size_t raw_len; /* bytes in raw not yet consumed (gzip: zs.avail_in) */
	size_t raw_pos; /* plain files: bytes of raw already handed out */
	uint64_t max_bytes;
	uint64_t delivered; /* decompressed bytes produced, BOM included */
	/* The raw bytes, as given: hashed as they are read (SPEC 7 v2: the
	 * recorded SHA-256 is that of the bytes loaded), counted for the
	 * progress line (read from the other thread). */
	EVP_MD_CTX *md;
	_Atomic uint64_t raw_read;
	uint64_t raw_size; /* the file's size when opened */
	/* The head: first decompressed bytes, for peeking; drained first. */
	char head[HEAD_BYTES];
	size_t head_len;
	size_t head_pos;
	/* Sticky failure. */
	int failed;
	enum reject_code refusal;
	char message[ERR_MESSAGE_MAX];
};

/* zlib's state and window come from the engine's allocator too. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	return alloc_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	alloc_free(p);
}

static int fail(struct source *s, struct err *e, int code, enum reject_code rc, const char *msg)
{
	s->failed = code;
	s->refusal = rc;
	snprintf(s->message, sizeof(s->message), "%s", msg);
	return ERR_SET(e, code, "%s", s->message);
}

static void raw_consumed(struct source *s, const void *data, size_t n)
{
	if (n == 0)
		return;
	EVP_DigestUpdate(s->md, data, n);
	atomic_store_explicit(&s->raw_read, atomic_load_explicit(&s->raw_read, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static int fill_raw(struct source *s, struct err *e)
{
	ssize_t n;

	if (s->raw_eof)
		return 0;
	if (s->gzip && s->zs.avail_in > 0 && s->zs.next_in != s->raw)
		memmove(s->raw, s->zs.next_in, s->zs.avail_in);
	if (s->gzip)
		s->raw_len = s->zs.avail_in;
	do {
		n = read(s->fd, s->raw + s->raw_len, RAW_CHUNK - s->raw_len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		char msg[ERR_MESSAGE_MAX];

		snprintf(msg, sizeof(msg), "cannot read '%s': %s", s->path, strerror(errno));
		return fail(s, e, ERR_IO, RC__COUNT, msg);
	}
	if (n == 0)
		s->raw_eof = true;
	raw_consumed(s, s->raw + s->raw_len, (size_t)n);
	s->raw_len += (size_t)n;
	if (s->gzip) {
		s->zs.next_in = s->raw;
		s->zs.avail_in = (uInt)s->raw_len;
	}
	return 0;
}

/* Produce up to n decompressed bytes, not counting the head. */
static int produce(struct source *s, char *buf, size_t n, size_t *got, struct err *e)
{
	int rc;

	*got = 0;
	if (!s->gzip && (n < RAW_CHUNK / 4 || s->raw_pos < s->raw_len)) {
		/* Small reads (libxml2 asks for 4000 bytes at a time) are served
		 * from one large read instead of a system call each. */
		size_t k;

		if (s->raw_pos == s->raw_len) {
			s->raw_pos = s->raw_len = 0;
			if ((rc = fill_raw(s, e)) != 0)
				return rc;
		}
		k = s->raw_len - s->raw_pos < n ? s->raw_len - s->raw_pos : n;
		memcpy(buf, s->raw + s->raw_pos, k);
		s->raw_pos += k;
		*got = k;
	} else if (!s->gzip) {
		ssize_t r;

		if (s->raw_eof)
			return 0;
		do {
			r = read(s->fd, buf, n);
		} while (r < 0 && errno == EINTR);
		if (r < 0) {
			char msg[ERR_MESSAGE_MAX];

			snprintf(msg, sizeof(msg), "cannot read '%s': %s", s->path, strerror(errno));
			return fail(s, e, ERR_IO, RC__COUNT, msg);
		}
		if (r == 0)
			s->raw_eof = true;
		raw_consumed(s, buf, (size_t)r);
		*got = (size_t)r;
	} else {
		s->zs.next_out = (Bytef *)buf;
		s->zs.avail_out = (uInt)n;
		while (s->zs.avail_out == n) {
			if (s->stream_end) {
				/* Another member may follow (concatenated gzip). */
				if (s->zs.avail_in == 0 && !s->raw_eof && (rc = fill_raw(s, e)) != 0)
					return rc;
				if (s->zs.avail_in == 0 && s->raw_eof)
					break;
				if (s->zs.avail_in < 2 && !s->raw_eof && (rc = fill_raw(s, e)) != 0)
					return rc;
				if (s->zs.avail_in < 2 || s->zs.next_in[0] != 0x1f || s->zs.next_in[1] != 0x8b)
					return fail(s, e, ERR_REFUSED, RC_FILE_TRUNCATED,
						    "the gzip stream is followed by data that is not gzip");
				if (inflateReset(&s->zs) != Z_OK)
					return fail(s, e, ERR_NOMEM, RC__COUNT, "cannot reset the gzip decoder");
				s->stream_end = false;
			}
			if (s->zs.avail_in == 0) {
				if (s->raw_eof)
					return fail(s, e, ERR_REFUSED, RC_FILE_TRUNCATED,
						    "the gzip stream ends before its end marker (file cut short)");
				if ((rc = fill_raw(s, e)) != 0)
					return rc;
				continue;
			}
			rc = inflate(&s->zs, Z_NO_FLUSH);
			if (rc == Z_STREAM_END) {
				s->stream_end = true;
			} else if (rc == Z_MEM_ERROR) {
				return fail(s, e, ERR_NOMEM, RC__COUNT, "out of memory in the gzip decoder");
			} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
				char msg[ERR_MESSAGE_MAX];

				snprintf(msg, sizeof(msg), "the gzip stream is corrupt at byte %llu of the decompressed data: %s",
					 (unsigned long long)(s->delivered + (n - s->zs.avail_out)),
					 s->zs.msg != NULL ? s->zs.msg : "bad data");
				return fail(s, e, ERR_REFUSED, RC_FILE_TRUNCATED, msg);
			}
		}
		*got = n - s->zs.avail_out;
	}
	s->delivered += *got;
	if (s->delivered > s->max_bytes) {
		char msg[ERR_MESSAGE_MAX];

		snprintf(msg, sizeof(msg), "the decompressed input is larger than max_file_bytes (%llu bytes)",
			 (unsigned long long)s->max_bytes);
		return fail(s, e, ERR_REFUSED, RC_FILE_TOO_LARGE, msg);
	}
	return 0;
}

int source_open(struct source **out, const char *path, uint64_t max_bytes, struct err *e)
{
	struct source *s;
	unsigned char magic[2];
	ssize_t n;
	size_t got;
	int rc;

	*out = NULL;
	s = alloc_calloc(1, sizeof(*s));
	if (s == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	s->fd = -1;
	s->max_bytes = max_bytes;
	s->refusal = RC__COUNT;
	s->path = alloc_strdup(path);
	s->raw = alloc_malloc(RAW_CHUNK);
	s->md = EVP_MD_CTX_new();
	if (s->path == NULL || s->raw == NULL || s->md == NULL) {
		rc = ERR_SET(e, ERR_NOMEM, "out of memory");
		goto free_source;
	}
	if (EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1) {
		rc = ERR_SET(e, ERR_NOMEM, "cannot start SHA-256");
		goto free_source;
	}
	s->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0) {
		rc = ERR_SET(e, ERR_IO, "cannot open '%s': %s", path, strerror(errno));
		goto free_source;
	}
	{
		struct stat st;

		if (fstat(s->fd, &st) == 0 && st.st_size > 0)
			s->raw_size = (uint64_t)st.st_size;
	}
	n = pread(s->fd, magic, 2, 0);
	if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		s->gzip = true;
		s->zs.zalloc = z_alloc;
		s->zs.zfree = z_free;
		s->zs.opaque = Z_NULL;
		if (inflateInit2(&s->zs, 16 + MAX_WBITS) != Z_OK) {
			rc = ERR_SET(e, ERR_NOMEM, "cannot start the gzip decoder");
			goto free_source;
		}
		s->zs_live = true;
	}
	/* Fill the head, so the caller can peek; then skip a UTF-8 BOM. */
	while (s->head_len < HEAD_BYTES) {
		if ((rc = produce(s, s->head + s->head_len, HEAD_BYTES - s->head_len, &got, e)) != 0) {
			if (rc == ERR_REFUSED)
				break; /* reported at the first read */
			goto free_source;
		}
		if (got == 0)
			break;
		s->head_len += got;
	}
	if (s->head_len >= 3 && memcmp(s->head, "\xEF\xBB\xBF", 3) == 0)
		s->head_pos = 3;
	*out = s;
	return 0;

free_source:
	source_free(s);
	return rc;
}

int source_read(struct source *s, char *buf, size_t n, size_t *got, struct err *e)
{
	*got = 0;
	if (s->head_pos < s->head_len) {
		size_t k = s->head_len - s->head_pos;

		if (k > n)
			k = n;
		memcpy(buf, s->head + s->head_pos, k);
		s->head_pos += k;
		*got = k;
		return 0;
	}
	if (s->failed)
		return ERR_SET(e, s->failed, "%s", s->message);
	return produce(s, buf, n, got, e);
}

int source_peek(struct source *s, const char **data, size_t n, size_t *got, struct err *e)
{
	(void)e;
	*data = s->head + s->head_pos;
	*got = s->head_len - s->head_pos;
	if (*got > n)
		*got = n;
	return 0;
}

enum reject_code source_refusal(const struct source *s)
{
	return s->refusal;
}

bool source_is_gzip(const struct source *s)
{
	return s->gzip;
}

uint64_t source_bytes(const struct source *s)
{
	return s->delivered - (s->head_len - s->head_pos);
}

uint64_t source_raw_read(const struct source *s)
{
	return atomic_load_explicit(&((struct source *)s)->raw_read, memory_order_relaxed);
}

uint64_t source_raw_size(const struct source *s)
{
	return s->raw_size;
}

static void to_hex(const unsigned char md[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

int source_sha256(struct source *s, char hex[65], struct err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	ssize_t n;

	if (s->failed == ERR_IO)
		return ERR_SET(e, ERR_IO, "%s", s->message);
	/* Bytes are hashed when read; what the decoder did not need (the rest
	 * after a refusal, bytes appended after the end) is read now. */
	while (!s->raw_eof) {
		n = read(s->fd, s->raw, RAW_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ERR_SET(e, ERR_IO, "cannot read '%s': %s", s->path, strerror(errno));
		if (n == 0)
			s->raw_eof = true;
		raw_consumed(s, s->raw, (size_t)n);
	}
	s->failed = ERR_IO; /* the stream is spent */
	snprintf(s->message, sizeof(s->message), "'%s' was read to its end", s->path);
	if (EVP_DigestFinal_ex(s->md, md, &mdlen) != 1 || mdlen != 32)
		return ERR_SET(e, ERR_IO, "cannot finish SHA-256");
	to_hex(md, hex);
	return 0;
}

int source_sha256_file(const char *path, char hex[65], struct err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned char *buf = NULL;
	EVP_MD_CTX *ctx = NULL;
	int fd = -1, rc = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ERR_SET(e, ERR_IO, "cannot open '%s': %s", path, strerror(errno));
	buf = alloc_malloc(RAW_CHUNK);
	ctx = EVP_MD_CTX_new();
	if (buf == NULL || ctx == NULL) {
		rc = ERR_SET(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = ERR_SET(e, ERR_IO, "cannot start SHA-256");
		goto out;
	}
	for (;;) {
		n = read(fd, buf, RAW_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ERR_SET(e, ERR_IO, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32) {
		rc = ERR_SET(e, ERR_IO, "cannot finish SHA-256");
		goto out;
	}
	to_hex(md, hex);
out:
	EVP_MD_CTX_free(ctx);
	alloc_free(buf);
	close(fd);
	return rc;
}

void source_free(struct source *s)
{
	if (s == NULL)
		return;
	if (s->zs_live)
		inflateEnd(&s->zs);
	EVP_MD_CTX_free(s->md);
	if (s->fd >= 0)
		close(s->fd);
	alloc_free(s->raw);
	alloc_free(s->path);
	alloc_free(s);
}
