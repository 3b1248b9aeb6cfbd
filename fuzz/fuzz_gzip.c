/* libFuzzer harness: the gzip source. The input is prefixed with the gzip
 * magic bytes so that the decompressor always runs; every byte must be
 * delivered or the stream refused, never a crash or a hang. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], buf[4096];
	struct source *src = NULL;
	struct err e = ERR_INIT;
	size_t got;
	uint64_t total = 0;
	FILE *fp;
	int rc;

	snprintf(path, sizeof(path), "/dev/shm/engine-fuzz-gz-%ld", (long)getpid());
	fp = fopen(path, "wb");
	if (fp == NULL || fwrite("\x1f\x8b", 1, 2, fp) != 2 || fwrite(data, 1, size, fp) != size || fclose(fp) != 0)
		abort();
	if (source_open(&src, path, 1u << 20, &e) == 0) {
		while ((rc = source_read(src, buf, sizeof(buf), &got, &e)) == 0 && got > 0)
			total += got;
		if (total > (1u << 20))
			abort(); /* the cap holds */
		if (rc == ERR_REFUSED && source_refusal(src) != RC_FILE_TRUNCATED &&
		    source_refusal(src) != RC_FILE_TOO_LARGE)
			abort();
		source_free(src);
	}
	unlink(path);
	return 0;
}
