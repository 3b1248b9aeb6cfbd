/* pdf_font.c: fonts and cell text of the PDF statements (pdf_font.h). */
#include "pdf_font.h"

#include <fontconfig/fontconfig.h>
#include <pango/pangofc-fontmap.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

static const char *const font_files[] = { "DejaVuSans.ttf", "DejaVuSans-Bold.ttf" };
static const struct {
	const char *name;
	double size;
} faces[PDF_FACES] = { { "DejaVu Sans", 7 }, { "DejaVu Sans Bold", 7 },
		       { "DejaVu Sans", 8 }, { "DejaVu Sans Bold", 8 } };

/* Characters set from the glyph table: no shaping across them (no
 * combining marks, no joining, left to right). */
static bool fast_range(uint32_t c)
{
	return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0x2ff) ||
	       (c >= 0x370 && c <= 0x482) || (c >= 0x48a && c <= 0x52f) ||
	       (c >= 0x1e00 && c < PDF_FAST_CHARS);
}

/* The code point at s (n bytes, from utf8_seq). */
static uint32_t code_point(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[5] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	uint32_t c = s[0] & lead_mask[n];

	for (size_t i = 1; i < n; i++)
		c = (c << 6) | (s[i] & 0x3f);
	return c;
}

/* Look up c for the fast path: one glyph of the face itself when pango
 * shapes it alone. */
static void face_learn(struct pdf_fonts *f, struct pdf_face *face, uint32_t c)
{
	char text[8];
	gint len = g_unichar_to_utf8(c, text);
	PangoLayout *l;
	PangoLayoutLine *line;
	PangoGlyphItem *run;

	face->state[c] = 2;
	if (!fast_range(c))
		return;
	l = pango_layout_new(f->ctx);
	pango_layout_set_font_description(l, face->desc);
	pango_layout_set_text(l, text, len);
	line = pango_layout_get_line_readonly(l, 0);
	run = line != NULL && line->runs != NULL && line->runs->next == NULL ? line->runs->data : NULL;
	if (run != NULL && run->glyphs->num_glyphs == 1 &&
	    (run->glyphs->glyphs[0].glyph & PANGO_GLYPH_UNKNOWN_FLAG) == 0 &&
	    run->glyphs->glyphs[0].glyph != 0 && run->item->analysis.font == face->font) {
		face->glyph[c] = run->glyphs->glyphs[0].glyph;
		face->adv[c] = (float)run->glyphs->glyphs[0].geometry.width / PANGO_SCALE;
		face->state[c] = 1;
	}
	g_object_unref(l);
}

static bool face_fast(struct pdf_fonts *f, struct pdf_face *face, uint32_t c)
{
	if (c >= PDF_FAST_CHARS)
		return false;
	if (face->state[c] == 0)
		face_learn(f, face, c);
	return face->state[c] == 1;
}

double pdf_fast_width(struct pdf_fonts *f, struct pdf_face *face, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	double w = 0;

	while (*s != '\0') {
		size_t n = utf8_seq(s, (size_t)-1);
		uint32_t c;

		if (n == 0)
			return -1;
		c = code_point(s, n);
		if (!face_fast(f, face, c))
			return -1;
		w += face->adv[c];
		s += n;
	}
	return w;
}

PangoLayout *pdf_layout(struct pdf_fonts *f, const char *font, const char *text,
			double width, enum pdf_align align)
{
	PangoLayout *l = pango_layout_new(f->ctx);
	PangoFontDescription *d = pango_font_description_from_string(font);

	pango_layout_set_font_description(l, d);
	pango_font_description_free(d);
	pango_layout_set_single_paragraph_mode(l, TRUE);
	if (width > 0) {
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
		pango_layout_set_alignment(l, align == PDF_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
	}
	pango_layout_set_text(l, text, -1);
	return l;
}

double pdf_show(struct pdf_fonts *f, cairo_t *cr, const char *font, const char *text, double x,
		double y, double width, enum pdf_align align)
{
	PangoLayout *l = pdf_layout(f, font, text, width, align);
	int lw, lh;

	pango_layout_get_size(l, &lw, &lh);
	if (cr != NULL) {
		cairo_move_to(cr, x, y);
		pango_cairo_show_layout(cr, l);
	}
	g_object_unref(l);
	return (double)lh / PANGO_SCALE;
}

/* The slow path's layout of a cell. */
static PangoLayout *cell_layout(struct pdf_fonts *f, struct pdf_face *face, const char *text,
				double width, enum pdf_align align)
{
	PangoLayout *l = f->layout;

	pango_layout_set_font_description(l, face->desc);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_alignment(l, align == PDF_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
	pango_layout_set_text(l, text, -1);
	return l;
}

double pdf_cell_height(struct pdf_fonts *f, enum pdf_face_id id, const char *text,
		       double width)
{
	struct pdf_face *face = &f->face[id];
	double w = pdf_fast_width(f, face, text);
	int lw, lh;

	if (w >= 0 && w <= width)
		return face->line_h;
	pango_layout_get_size(cell_layout(f, face, text, width, PDF_LEFT), &lw, &lh);
	return (double)lh / PANGO_SCALE;
}

static int face_grow(struct pdf_face *face, size_t more, struct err *e)
{
	size_t cap = face->cap ? face->cap : 4096;
	cairo_glyph_t *g;
	cairo_text_cluster_t *c;

	while (cap < face->n + more)
		cap *= 2;
	if (cap > PDF_GLYPHS_MAX)
		return ERR_SET(e, ERR_LIMIT, "more than %zu glyphs on a page", PDF_GLYPHS_MAX);
	g = realloc(face->glyphs, cap * sizeof(*g));
	if (g != NULL)
		face->glyphs = g;
	c = g != NULL ? realloc(face->clusters, cap * sizeof(*c)) : NULL;
	if (c == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	face->clusters = c;
	face->cap = cap;
	return 0;
}

int pdf_cell_draw(struct pdf_fonts *f, enum pdf_face_id id, const char *text,
		  double x, double y, double width, enum pdf_align align, struct err *e)
{
	struct pdf_face *face = &f->face[id];
	double w = pdf_fast_width(f, face, text);
	const unsigned char *s = (const unsigned char *)text;
	size_t len = strlen(text);
	int rc;

	if (w < 0 || w > width) {
		struct pdf_deferred *dp;

		if (f->ndeferred == f->deferred_cap) {
			size_t cap = f->deferred_cap ? f->deferred_cap * 2 : 64;

			dp = realloc(f->deferred, cap * sizeof(*dp));
			if (dp == NULL)
				return ERR_SET(e, ERR_NOMEM, "out of memory");
			f->deferred = dp;
			f->deferred_cap = cap;
		}
		dp = &f->deferred[f->ndeferred];
		*dp = (struct pdf_deferred){ id, align, x, y, width, f->texts.len };
		rc = buf_add(&f->texts, text, len + 1, e);
		if (rc == 0)
			f->ndeferred++;
		return rc;
	}
	if (face->n + len > face->cap && (rc = face_grow(face, len, e)) != 0)
		return rc;
	rc = buf_add(&face->utf8, text, len, e);
	if (rc != 0)
		return rc;
	if (align == PDF_RIGHT)
		x += width - w;
	y += face->ascent;
	while (*s != '\0') {
		size_t n = utf8_seq(s, (size_t)-1);
		uint32_t c = code_point(s, n);

		face->glyphs[face->n] = (cairo_glyph_t){ face->glyph[c], x, y };
		face->clusters[face->n] = (cairo_text_cluster_t){ (int)n, 1 };
		face->n++;
		x += face->adv[c];
		s += n;
	}
	return 0;
}

void pdf_fonts_flush(struct pdf_fonts *f, cairo_t *cr)
{
	for (size_t i = 0; i < f->ndeferred; i++) {
		const struct pdf_deferred *dp = &f->deferred[i];

		cairo_move_to(cr, dp->x, dp->y);
		pango_cairo_show_layout(cr, cell_layout(f, &f->face[dp->face], f->texts.data + dp->text,
							dp->width, dp->align));
	}
	f->ndeferred = 0;
	buf_reset(&f->texts);
	for (int i = 0; i < PDF_FACES; i++) {
		struct pdf_face *face = &f->face[i];

		if (face->n > 0) {
			cairo_set_scaled_font(cr, face->scaled);
			cairo_show_text_glyphs(cr, face->utf8.data, (int)face->utf8.len, face->glyphs,
					       (int)face->n, face->clusters, (int)face->n, 0);
		}
		face->n = 0;
		buf_reset(&face->utf8);
	}
}

static int face_init(struct pdf_fonts *f, struct pdf_face *face, const char *name, double size,
		     struct err *e)
{
	PangoLayout *l;
	PangoRectangle logical;

	face->desc = pango_font_description_from_string(name);
	pango_font_description_set_size(face->desc, (gint)(size * PANGO_SCALE));
	face->font = pango_font_map_load_font(f->map, f->ctx, face->desc);
	if (face->font == NULL)
		return ERR_SET(e, ERR_IO, "cannot load the font '%s'", name);
	face->scaled = pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(face->font));
	if (face->scaled == NULL)
		return ERR_SET(e, ERR_IO, "cannot load the font '%s'", name);
	/* a line as pango sets it: the fast path's must be the same */
	l = pango_layout_new(f->ctx);
	pango_layout_set_font_description(l, face->desc);
	pango_layout_set_text(l, "Xg", -1);
	pango_layout_get_extents(l, NULL, &logical);
	face->ascent = (double)pango_layout_get_baseline(l) / PANGO_SCALE;
	face->line_h = (double)logical.height / PANGO_SCALE;
	g_object_unref(l);
	buf_init(&face->utf8, PDF_GLYPHS_MAX * 4);
	return 0;
}

int pdf_fonts_init(struct pdf_fonts *f, struct err *e)
{
	cairo_font_options_t *opt;
	FcConfig *fc;
	int rc = 0;

	memset(f, 0, sizeof(*f));
	fc = FcConfigCreate();
	f->fc = fc;
	if (fc == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < sizeof(font_files) / sizeof(font_files[0]); i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", PDF_FONT_DIR, font_files[i]);
		if (!FcConfigAppFontAddFile(fc, (const FcChar8 *)path))
			return ERR_SET(e, ERR_IO, "cannot load the font '%s' (Debian: fonts-dejavu-core)",
				       path);
	}
	f->map = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT);
	if (f->map == NULL)
		return ERR_SET(e, ERR_IO, "cannot make a pango font map");
	pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(f->map), fc);
	f->ctx = pango_font_map_create_context(f->map);
	/* points as units; outlines and advances as designed, not fitted to
	 * a pixel grid: a PDF is printed at any resolution */
	pango_cairo_context_set_resolution(f->ctx, 72);
	pango_context_set_round_glyph_positions(f->ctx, FALSE);
	opt = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(opt, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(opt, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(f->ctx, opt);
	cairo_font_options_destroy(opt);
	f->layout = pango_layout_new(f->ctx);
	pango_layout_set_single_paragraph_mode(f->layout, TRUE);
	pango_layout_set_wrap(f->layout, PANGO_WRAP_WORD_CHAR);
	buf_init(&f->texts, PDF_GLYPHS_MAX * 4);
	for (int i = 0; i < PDF_FACES && rc == 0; i++)
		rc = face_init(f, &f->face[i], faces[i].name, faces[i].size, e);
	return rc;
}

void pdf_fonts_release(struct pdf_fonts *f)
{
	for (int i = 0; i < PDF_FACES; i++) {
		struct pdf_face *face = &f->face[i];

		if (face->font != NULL)
			g_object_unref(face->font);
		if (face->desc != NULL)
			pango_font_description_free(face->desc);
		free(face->glyphs);
		free(face->clusters);
		buf_release(&face->utf8);
	}
	free(f->deferred);
	buf_release(&f->texts);
	if (f->layout != NULL)
		g_object_unref(f->layout);
	if (f->ctx != NULL)
		g_object_unref(f->ctx);
	if (f->map != NULL)
		g_object_unref(f->map);
	if (f->fc != NULL)
		FcConfigDestroy(f->fc);
	memset(f, 0, sizeof(*f));
}
