/* pdf_slip.c: the receipt and payment part of a QR-bill (pdf_slip.h). */
#include "pdf_slip.h"

#include <qrencode.h>
#include <string.h>

#include "money.h"
#include "payref.h"

#define RECEIPT_W (62 * PDF_MM)
#define PART_W (148 * PDF_MM)
#define MARGIN (5 * PDF_MM)
#define QR_SIZE (46 * PDF_MM)
#define CROSS_SIZE (7 * PDF_MM)

/* Fonts of the two parts: heading, value. */
struct part_style {
	const char *heading;
	const char *value;
	double heading_gap; /* below a heading */
	double block_gap;   /* between blocks */
};

/* (receipt values at 7.5 pt, not 8: in DejaVu Sans, wider than the fonts
 * the style guide names, a QR reference needs 53 of the receipt's 52 mm
 * at 8 pt) */
static const struct part_style receipt_style = { "DejaVu Sans Bold 6", "DejaVu Sans 7.5", 0.5,
						 9 * 0.6 };
static const struct part_style payment_style = { "DejaVu Sans Bold 8", "DejaVu Sans 10", 0.7,
						 11 * 0.6 };

/* A heading and its value lines; returns the y below them. */
static double block(struct pdf_fonts *f, cairo_t *cr, const struct part_style *st,
		    const char *heading, const char *const *lines, int n, double x, double y,
		    double w)
{
	y += pdf_show(f, cr, st->heading, heading, x, y, w, PDF_LEFT) + st->heading_gap;
	for (int i = 0; i < n; i++)
		if (lines[i] != NULL && lines[i][0] != '\0')
			y += pdf_show(f, cr, st->value, lines[i], x, y, w, PDF_LEFT);
	return y + st->block_gap;
}

/* The corner marks of an empty field to write in (0.75 pt lines, 3 mm). */
static void corners(cairo_t *cr, double x, double y, double w, double h)
{
	double m = 3 * PDF_MM;

	cairo_save(cr);
	cairo_set_line_width(cr, 0.75);
	cairo_move_to(cr, x, y + m);
	cairo_line_to(cr, x, y);
	cairo_line_to(cr, x + m, y);
	cairo_move_to(cr, x + w - m, y);
	cairo_line_to(cr, x + w, y);
	cairo_line_to(cr, x + w, y + m);
	cairo_move_to(cr, x + w, y + h - m);
	cairo_line_to(cr, x + w, y + h);
	cairo_line_to(cr, x + w - m, y + h);
	cairo_move_to(cr, x + m, y + h);
	cairo_line_to(cr, x, y + h);
	cairo_line_to(cr, x, y + h - m);
	cairo_stroke(cr);
	cairo_restore(cr);
}

/* Currency and amount: headings at y, values dy below; an amount not
 * known (too large for a bill) is a box to write it in. */
static void amount_block(struct pdf_fonts *f, cairo_t *cr, const struct part_style *st,
			 const struct qrbill *bill, const char *amount, double x, double y,
			 double amount_dx, double dy, double box_w, double box_h)
{
	pdf_show(f, cr, st->heading, "Currency", x, y, 0, PDF_LEFT);
	pdf_show(f, cr, st->heading, "Amount", x + amount_dx, y, 0, PDF_LEFT);
	pdf_show(f, cr, st->value, bill->currency, x, y + dy, 0, PDF_LEFT);
	if (amount[0] != '\0')
		pdf_show(f, cr, st->value, amount, x + amount_dx, y + dy, 0, PDF_LEFT);
	else
		corners(cr, x + amount_dx, y + dy, box_w, box_h);
}

/* The QR code's modules, each row's dark runs as rectangles, and the
 * Swiss cross over its centre. */
static int qr_code(cairo_t *cr, const struct qrbill *bill, double x, double y, struct err *e)
{
	char payload[QRBILL_PAYLOAD_SIZE];
	QRcode *qr;
	double m, cx, cy, s, arm_w, arm_l;
	int rc = qrbill_payload(payload, sizeof(payload), bill, e);

	if (rc != 0)
		return rc;
	qr = QRcode_encodeString8bit(payload, 0, QR_ECLEVEL_M);
	if (qr == NULL)
		return ERR_SET(e, ERR_LIMIT, "the QR-bill's data does not fit in a QR code");
	m = QR_SIZE / qr->width;
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int r = 0; r < qr->width; r++) {
		for (int c = 0; c < qr->width;) {
			int start = c;

			while (c < qr->width && (qr->data[r * qr->width + c] & 1))
				c++;
			if (c > start)
				cairo_rectangle(cr, x + start * m, y + r * m, (c - start) * m, m);
			else
				c++;
		}
	}
	cairo_fill(cr);
	QRcode_free(qr);

	/* the Swiss cross: white border, black square, white cross (the
	 * flag's proportions: arms 6/32 wide, 20/32 long) */
	cx = x + QR_SIZE / 2;
	cy = y + QR_SIZE / 2;
	s = CROSS_SIZE;
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, cx - s / 2, cy - s / 2, s, s);
	cairo_fill(cr);
	s -= 2 * 0.5 * PDF_MM;
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_rectangle(cr, cx - s / 2, cy - s / 2, s, s);
	cairo_fill(cr);
	arm_w = s * 6 / 32;
	arm_l = s * 20 / 32;
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, cx - arm_w / 2, cy - arm_l / 2, arm_w, arm_l);
	cairo_rectangle(cr, cx - arm_l / 2, cy - arm_w / 2, arm_l, arm_w);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	return 0;
}

/* The separation lines and their scissors. */
static void cut_lines(struct pdf_fonts *f, cairo_t *cr, double y0)
{
	cairo_save(cr);
	cairo_set_line_width(cr, 0.5);
	cairo_move_to(cr, 0, y0);
	cairo_line_to(cr, RECEIPT_W + PART_W, y0);
	cairo_move_to(cr, RECEIPT_W, y0);
	cairo_line_to(cr, RECEIPT_W, y0 + PDF_SLIP_H);
	cairo_stroke(cr);
	cairo_restore(cr);
	pdf_show(f, cr, "DejaVu Sans 9", "\u2702", 5 * PDF_MM, y0 - 5, 0, PDF_LEFT);
}

int pdf_slip_draw(struct pdf_fonts *f, cairo_t *cr, const struct qrbill *bill, double y0,
		  struct err *e)
{
	char iban[48], street[4 * QRBILL_STREET_MAX + 4 * QRBILL_BUILDING_MAX + 2];
	char town[4 * QRBILL_POSTCODE_MAX + 4 * QRBILL_TOWN_MAX + 2], ref[PAYREF_GROUPED_SIZE];
	char amount[MONEY_FMT_MAX + 16] = "";
	const char *payee[4] = { iban, bill->name, street, town };
	const char *reference[1] = { ref };
	const char *message[1] = { bill->message };
	double x, y, w;

	qrbill_print_iban(iban, sizeof(iban), bill->iban);
	qrbill_print_street(street, sizeof(street), bill);
	qrbill_print_town(town, sizeof(town), bill);
	payref_format_groups(ref, sizeof(ref), bill->reference, bill->ref_type);
	if (bill->amount > 0)
		qrbill_print_amount(amount, sizeof(amount), bill->amount);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cut_lines(f, cr, y0);

	/* the receipt */
	x = MARGIN;
	w = RECEIPT_W - 2 * MARGIN;
	pdf_show(f, cr, "DejaVu Sans Bold 11", "Receipt", x, y0 + MARGIN, w, PDF_LEFT);
	y = y0 + 12 * PDF_MM;
	y = block(f, cr, &receipt_style, "Account / Payable to", payee, 4, x, y, w);
	y = block(f, cr, &receipt_style, "Reference", reference, 1, x, y, w);
	y += pdf_show(f, cr, receipt_style.heading, "Payable by (name/address)", x, y, w, PDF_LEFT);
	corners(cr, x, y + 1, 52 * PDF_MM, 20 * PDF_MM);
	amount_block(f, cr, &receipt_style, bill, amount, x, y0 + 68 * PDF_MM, 13 * PDF_MM,
		     3.5 * PDF_MM, 30 * PDF_MM, 10 * PDF_MM);
	pdf_show(f, cr, receipt_style.heading, "Acceptance point", x, y0 + 82 * PDF_MM, w,
		 PDF_RIGHT);

	/* the payment part: title, QR code, amount; the details on the right */
	x = RECEIPT_W + MARGIN;
	pdf_show(f, cr, "DejaVu Sans Bold 11", "Payment part", x, y0 + MARGIN, 0, PDF_LEFT);
	if (qr_code(cr, bill, x, y0 + 17 * PDF_MM, e) != 0)
		return e->code;
	amount_block(f, cr, &payment_style, bill, amount, x, y0 + 68 * PDF_MM, 18 * PDF_MM,
		     4.5 * PDF_MM, 40 * PDF_MM, 15 * PDF_MM);
	x = RECEIPT_W + 56 * PDF_MM;
	w = PART_W - 56 * PDF_MM - MARGIN;
	y = y0 + MARGIN;
	y = block(f, cr, &payment_style, "Account / Payable to", payee, 4, x, y, w);
	y = block(f, cr, &payment_style, "Reference", reference, 1, x, y, w);
	y = block(f, cr, &payment_style, "Additional information", message, 1, x, y, w);
	y += pdf_show(f, cr, payment_style.heading, "Payable by (name/address)", x, y, w, PDF_LEFT);
	corners(cr, x, y + 1, 65 * PDF_MM, 25 * PDF_MM);
	return 0;
}
