/* pipeline.h: decode on a second thread.
 *
 * The decoder (libcsv or libxml2, plus gzip and the XML pre-scanner) runs
 * on its own thread and hands copies of the records through a small ring;
 * the caller's callbacks (validation, COPY, all database work) run on the
 * calling thread, in file order, exactly as if the decoder had called them.
 * On two cores the parser then overlaps the validation and the COPY, while
 * the server ingests. Memory: the ring's PIPELINE_SLOTS records. */
#ifndef LOADER_PIPELINE_H
#define LOADER_PIPELINE_H

#include "decode.h"

#define PIPELINE_SLOTS 64

/* Like decode(io, e): io's callbacks are called on this thread; io's out
 * fields (refusal, decimal_comma, records, lines) are set on return. An
 * error from a callback stops the decoder and is returned. */
int pipeline_decode(int (*decode)(struct decode_io *, struct err *), struct decode_io *io, struct err *e);

#endif
