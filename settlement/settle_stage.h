/* settle_stage.h: the statement files of a settlement run.
 *
 * Statement files are staged inside the settling transaction with
 * common/publish.h: "<final>.tmp.<pid>.staged" beside their final names,
 * written whole and fsync'd. Only after COMMIT are they renamed into
 * place; any failure before that rolls back and removes them, so an I/O
 * failure issues nothing. Staged and spooled files of a run that died are removed
 * by atomic_file_clean_stale().
 *
 * A statement issued by this run is rendered while its lines are booked
 * (the main connection's server process is the bottleneck then, not this
 * one): its CSV rows and XML <line> elements go to two spools
 * ("<final>.tmp.<pid>.XXXXXX", never synced) that stage_creditor() frames
 * with the header, the portfolio and the totals once the statement row
 * exists. A statement issued before is rendered from the stored rows. The
 * rendering functions and the values are the same either way, so a re-run
 * rewrites the same bytes. */
#ifndef SETTLEMENT_SETTLE_STAGE_H
#define SETTLEMENT_SETTLE_STAGE_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "err.h"
#include "pdf_font.h"
#include "publish.h"
#include "statement.h"

/* Statement files are created with this mode (they hold debtor names). */
#define STAGE_FILE_MODE 0600

/* The CSV rows or XML lines of a statement of this run, waiting for
 * their frame, or its lines for its PDF (pdf_rows.h). */
struct pdf_pool;

struct spooled {
	char *path;
	char creditor_id[24];
	char currency[4];
	char ext[4]; /* "csv", "xml" or "row" */
	int64_t lines;
};

struct stage {
	struct publish pub; /* the staged statement files */
	pthread_mutex_t pub_lock; /* pub, opened by the PDF threads too */
	struct spooled *spools; /* in creditor order, as the settling pass made them */
	size_t nspools;
	size_t spools_cap;
	struct statement_info *infos; /* for the stdout lines, in order */
	size_t ninfos;
	size_t infos_cap;
	char dir[4096];
	bool dir_made;
	char made[4096]; /* the outermost directory this attempt created, "" if none */
	const struct config *conf; /* [agency] for the PDFs' documents */
	struct pdf_pool *pdf;      /* the PDFs being rendered (settle_pdf.h) */
	bool no_pdf;               /* write no PDFs (SETTLE_PDF=0, the bench's baseline) */
};

/* A staged statement file, "<dir>/<creditor_id>-<currency>.<ext>", with
 * its own output buffer: rows are a few hundred bytes, written in
 * STAGE_FILE_BUF pieces. */
struct outfile {
	struct atomic_file af;
	struct buf buf;
	struct statement_out out; /* the renderers' way in */
};

/* Closed: outfile_close() may be called. */
void outfile_init(struct outfile *f);
int outfile_open(struct outfile *f, struct stage *st, const struct statement_info *info,
		 const char *ext, struct err *e);
/* A statement_out writer: ctx is the struct outfile. */
int outfile_write(void *ctx, const void *data, size_t len, struct err *e);
/* Flush, fsync and close: the file is staged. */
int outfile_commit(struct outfile *f, struct err *e);
/* Remove what is not committed and free the buffer. */
void outfile_close(struct outfile *f);

/* A spool: a temporary file in the statement directory,
 * "<final>.tmp.<pid>.XXXXXX", written through a STAGE_FILE_BUF (256 KiB) stdio
 * buffer and never synced. The stage owns its path from the start. */
struct spool {
	FILE *fp;
	char *buf;
	size_t index; /* of its entry in st->spools */
};

struct spool_out {
	struct spool *sp;
	struct stage *st;
};

/* Remove every staged file and spool (after a failed attempt, or left over). */
void stage_discard(struct stage *st);
/* After a failed attempt: remove the directories it created, when empty
 * (a run that issues nothing leaves nothing behind). */
void stage_unmake_dir(struct stage *st);
/* An empty stage for the directory st->dir (set by the caller). */
void stage_init(struct stage *st);
void stage_release(struct stage *st);
/* The statement directory st->dir, made on first use. */
int stage_dir(struct stage *st, struct err *e);

/* Open a spool for the CSV rows ("csv"), XML lines ("xml") or the lines
 * for the PDF ("row") of a statement. */
int spool_open(struct spool *sp, struct stage *st, const struct statement_info *info,
	       const char *ext, struct err *e);
/* A statement_out writer: ctx is a struct spool_out. */
int spool_write(void *ctx, const void *data, size_t len, struct err *e);
/* Close the spool; with ok, record its line count (it is complete). */
int spool_close(struct spool *sp, struct stage *st, bool ok, int64_t lines, struct err *e);

/* Stage the files of every statement of the period of one creditor, in
 * the settling transaction: the ones of this run from their spools, the
 * ones issued before rendered again from the stored rows (the same bytes).
 * Each one's statement_info joins st->infos, for the stdout lines. */
int stage_creditor(struct stage *st, PGconn *conn, const char *period,
		   const char *creditor_id, struct err *e);
/* ERR_DB when a spool was not used: a statement rendered but not stored. */
int stage_check_spools(const struct stage *st, const char *period, struct err *e);
/* After COMMIT: move the staged files into place and sync the directory. */
int stage_publish(struct stage *st, struct err *e);

#endif
