/* fuzz_common.h: shared set-up of the libFuzzer harnesses. The input is
 * written to a file in /dev/shm and read through the engine's own source,
 * so the gzip stage, the decoder and the validator run as in a load. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "record.h"

/* Decode data as CSV (xml == 0) or XML (case, transaction and bank files),
 * validating every record (bank records: the decoder's own promises);
 * abort() when an invariant breaks. */
void fuzz_decode(const uint8_t *data, size_t size, int xml);

#endif
