/* source.h: the byte stage of the pipeline. A file, plain or gzip
 * (recognised by its magic bytes, whatever its name), with a cap on the
 * decompressed bytes and sticky errors. It hashes the raw bytes (SHA-256 of
 * the file as given) and skips a UTF-8 byte order mark at the start of the
 * decompressed stream. */
#ifndef LOADER_SOURCE_H
#define LOADER_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "record.h"

struct source;

/* Open path. max_bytes caps the decompressed bytes (FILE_TOO_LARGE). */
int source_open(struct source **out, const char *path, uint64_t max_bytes, struct err *e);
/* Read up to n decompressed bytes into buf; *got == 0 at the end.
 * On a refusal (truncated or corrupt gzip, over the cap) returns
 * ERR_REFUSED and source_refusal() tells the code; I/O failure ERR_IO.
 * Errors are sticky: every later call fails the same way. */
int source_read(struct source *s, char *buf, size_t n, size_t *got, struct err *e);
/* Look at the first bytes of the decompressed stream without consuming
 * them (after the BOM). *got may be less than n at the end of the input. */
int source_peek(struct source *s, const char **data, size_t n, size_t *got, struct err *e);
enum reject_code source_refusal(const struct source *s);
bool source_is_gzip(const struct source *s);
/* Decompressed bytes delivered so far. */
uint64_t source_bytes(const struct source *s);
/* Raw (as given) bytes read so far, and the file's size when opened (0
 * when unknown). Safe to call from another thread than the reader. */
uint64_t source_raw_read(const struct source *s);
uint64_t source_raw_size(const struct source *s);
/* SHA-256 of the raw bytes this source read, hex: it reads on to the end
 * of the file first. The stream is spent afterwards. */
int source_sha256(struct source *s, char hex[65], struct err *e);
/* SHA-256 of the whole raw file at path, hex. */
int source_sha256_file(const char *path, char hex[65], struct err *e);
void source_free(struct source *s);

#endif
