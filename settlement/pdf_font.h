/* pdf_font.h: the fonts of the PDF statements and the text of their cells.
 *
 * Fonts: DejaVu Sans and DejaVu Sans Bold (Debian's fonts-dejavu-core),
 * loaded from their files into a fontconfig configuration of their own,
 * so that what the machine has installed besides (or a fontconfig rule)
 * never changes a statement: the same text gives the same glyphs on every
 * machine with these files. A character that DejaVu lacks prints as
 * pango's box with its code, never in another font. cairo embeds the
 * subset of the glyphs used.
 *
 * Text goes through pango (layout, line breaking, shaping). A table of a
 * million lines is eleven million cells, too many for a pango layout each
 * (about 10 us), so a cell whose text is made only of characters that need
 * no shaping (Latin, Greek, Cyrillic without combining marks; the glyph
 * and its advance taken once per character from pango's own shaping) and
 * fits its column on one line is set from that table: its glyphs, and the
 * text they stand for (so that it can be copied), are collected for the
 * page and shown with one cairo_show_text_glyphs call per face. Any other
 * cell (another script, a combining mark, a control character, a text too
 * wide for its column) is a pango layout, wrapped at word boundaries (or
 * inside a word that is wider than the column). Kerning is applied in the
 * layouts only. */
#ifndef SETTLEMENT_PDF_FONT_H
#define SETTLEMENT_PDF_FONT_H

#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define PDF_FONT_DIR "/usr/share/fonts/truetype/dejavu"
/* Characters whose glyphs the fast path keeps (U+0000-U+1FFF). */
#define PDF_FAST_CHARS 0x2000
/* Most glyphs of one face collected for one page. */
#define PDF_GLYPHS_MAX ((size_t)1 << 20)

enum pdf_align { PDF_LEFT, PDF_RIGHT };

/* One font at one size, with the glyphs of the fast path. */
struct pdf_face {
	PangoFontDescription *desc;
	PangoFont *font;
	cairo_scaled_font_t *scaled; /* the font's, not owned */
	double ascent;               /* baseline below the top of a line, points */
	double line_h;               /* height of a line */
	uint8_t state[PDF_FAST_CHARS]; /* 0 not looked up, 1 fast, 2 needs pango */
	uint32_t glyph[PDF_FAST_CHARS];
	float adv[PDF_FAST_CHARS];
	/* the glyphs of the current page (fast path) */
	cairo_glyph_t *glyphs;
	cairo_text_cluster_t *clusters;
	size_t n;
	size_t cap;
	struct buf utf8;
};

/* The faces of the fast path: the table's cells (7 pt) and the heading
 * and foot lines of the pages (8 pt, 7 pt). */
enum pdf_face_id { PDF_CELL, PDF_CELL_BOLD, PDF_LINE, PDF_LINE_BOLD, PDF_FACES };

/* A cell on the slow path, drawn when the page is flushed: after what the
 * caller fills below the text (the table's shaded rows), like the glyphs. */
struct pdf_deferred {
	enum pdf_face_id face;
	enum pdf_align align;
	double x, y, width;
	size_t text; /* offset in texts */
};

struct pdf_fonts {
	void *fc; /* FcConfig */
	PangoFontMap *map;
	PangoContext *ctx;
	PangoLayout *layout; /* for cells on the slow path */
	struct pdf_face face[PDF_FACES];
	struct pdf_deferred *deferred; /* the page's cells on the slow path */
	size_t ndeferred;
	size_t deferred_cap;
	struct buf texts;
};

/* The fonts: ERR_IO naming a font file that cannot be loaded. */
int pdf_fonts_init(struct pdf_fonts *f, struct err *e);
void pdf_fonts_release(struct pdf_fonts *f);

/* A pango layout of text in the fonts' context, in font (a pango font
 * description: "DejaVu Sans Bold 11"), width points wide (<= 0: one line,
 * as wide as it is), aligned: the caller unrefs it. */
PangoLayout *pdf_layout(struct pdf_fonts *f, const char *font, const char *text,
			double width, enum pdf_align align);

/* Show text as pdf_layout() lays it out with its top left corner at
 * (x, y) (with width > 0 and PDF_RIGHT, x is the left edge of the box);
 * returns its height in points. With cr NULL, only measures it. */
double pdf_show(struct pdf_fonts *f, cairo_t *cr, const char *font, const char *text, double x,
		double y, double width, enum pdf_align align);

/* Width of text in points on the fast path, or -1 when it needs pango. */
double pdf_fast_width(struct pdf_fonts *f, struct pdf_face *face, const char *text);

/* Height of a cell of text, width points wide. */
double pdf_cell_height(struct pdf_fonts *f, enum pdf_face_id id, const char *text,
		       double width);

/* A cell whose top left corner is (x, y), drawn when the page is flushed
 * (pdf_fonts_flush): on the fast path as glyphs, else as a layout. */
int pdf_cell_draw(struct pdf_fonts *f, enum pdf_face_id id, const char *text,
		  double x, double y, double width, enum pdf_align align, struct err *e);

/* Show the cells collected for the page (layouts, then glyphs), and
 * forget them. */
void pdf_fonts_flush(struct pdf_fonts *f, cairo_t *cr);

#endif
