/* decode.h: the decoders (CSV with libcsv, XML with libxml2's SAX2 parser) turn the
 * byte source into records. Syntax only: no business rule, no database, no
 * logging of data; bank files (SPEC 13) add the file-level checks of
 * their account and totals. */
#ifndef LOADER_DECODE_H
#define LOADER_DECODE_H

#include "err.h"
#include "record.h"
#include "source.h"

struct decode_io {
	struct source *src;
	enum file_kind forced_kind; /* KIND_UNKNOWN: detect from header/root */
	/* Called once the kind is known, before the first record. */
	int (*on_kind)(void *ctx, enum file_kind kind, struct err *e);
	/* Called for every record; the record is reused after the call. */
	int (*on_record)(void *ctx, struct record *r, struct err *e);
	void *ctx;
	/* Bank files: the agency's account IBANs ([agency] account.<currency>).
	 * A file for another account is refused (FILE_ACCOUNT); none at all
	 * refuses every bank file. */
	const char *const *accounts;
	size_t naccounts;
	/* Out: set when the decoder returns ERR_REFUSED. */
	enum reject_code refusal;
	uint64_t refusal_line;   /* 0 when not known */
	uint64_t refusal_record; /* 0 when not tied to a record */
	/* Out: the CSV delimiter is ';', so amounts may use a decimal comma. */
	bool decimal_comma;
	/* Out: records delivered and the last line seen. */
	uint64_t records;
	uint64_t lines;
};

/* Both return 0 at a clean end, ERR_REFUSED for a file-level refusal (with
 * io->refusal set and e->message a short English sentence), or the error an
 * on_* callback or the source returned. xml_decode reads case,
 * transaction and event files and bank files (a root `Document` in a camt.053 or
 * camt.054 namespace: KIND_BANK); forced_kind KIND_BANK on anything else
 * is FILE_MALFORMED, in csv_decode too. */
int csv_decode(struct decode_io *io, struct err *e);
int xml_decode(struct decode_io *io, struct err *e);

/* Limits. Exceeding one is a file-level refusal, never silent truncation. */
#define XML_MAX_DEPTH 32            /* element nesting below the root */
#define XML_MAX_TEXT_BYTES (1u << 20) /* one text node; longer: FILE_MALFORMED */
#define CSV_MAX_FIELD_BYTES (16u << 20) /* libcsv buffer cap; longer: FILE_MALFORMED */
#define CSV_MAX_COLUMNS 64

#endif
