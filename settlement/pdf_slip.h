/* pdf_slip.h: the receipt and payment part of a Swiss QR-bill (SIX style
 * guide for the QR-bill), 210 x 105 mm at the foot of an A4 portrait page:
 * the receipt (62 mm) on the left, the payment part (148 mm) with the QR
 * code on the right, separated by lines with a scissors symbol (for a
 * bill printed on plain paper). Headings 6 pt (receipt) and 8 pt
 * (payment part) bold, values 8 and 10 pt, titles 11 pt bold, in DejaVu
 * Sans (the style guide names Arial, Frutiger, Helvetica and Liberation
 * Sans; DejaVu Sans is the one sans-serif font the statements embed).
 *
 * The QR code: libqrencode, error correction M, the payload as one byte
 * segment (UTF-8), 46 x 46 mm, with the Swiss cross (7 x 7 mm: a black
 * square with a white border and a white cross) in its centre. The
 * payer's name and address are not known to the engine: both parts show
 * the empty box with corner marks the style guide asks for then. */
#ifndef SETTLEMENT_PDF_SLIP_H
#define SETTLEMENT_PDF_SLIP_H

#include <cairo.h>

#include "err.h"
#include "pdf_font.h"
#include "qrbill.h"

#define PDF_MM (72.0 / 25.4)
/* Height of the receipt and payment part. */
#define PDF_SLIP_H (105 * PDF_MM)

/* Draw the bill's receipt and payment part with their top at y0 on a page
 * 210 mm wide. ERR_LIMIT when the payload does not fit in a QR code. */
int pdf_slip_draw(struct pdf_fonts *f, cairo_t *cr, const struct qrbill *bill, double y0,
		  struct err *e);

#endif
