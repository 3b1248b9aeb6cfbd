/* libFuzzer harness: bank files (SPEC 13, camt.053 and camt.054) through
 * the xml decoder, from a corpus of bank files (scripts/fuzz.sh) and the
 * element names of fuzz/camt.dict. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(data, size, 1);
	return 0;
}
