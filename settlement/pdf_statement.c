/* pdf_statement.c: the PDF of a statement (pdf_statement.h). */
#include "pdf_statement.h"

#include <cairo-pdf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "money.h"
#include "pdf_pager.h"
#include "pdf_slip.h"
#include "qrbill.h"
#include "version.h"

/* A4 landscape, points */
#define PAGE_W 841.8898
#define PAGE_H 595.2756
/* A4 portrait, the payment page */
#define BILL_W PAGE_H
#define BILL_H PAGE_W
#define LEFT 36.0
#define RIGHT (PAGE_W - 36.0)
#define TOP 30.0
#define FOOT_Y (PAGE_H - 24.0) /* top of the footer line */
#define BOTTOM (PAGE_H - 32.0) /* rows and the summary end above it */
#define PAD_X 2.5 /* on each side of a cell's text */
#define PAD_Y 1.5 /* above and below a row's text */
#define SUMMARY_GAP 12.0
#define TOTALS_W 230.0 /* label and amount of a total */
#define PORTFOLIO_X (LEFT + TOTALS_W + 60) /* beside the totals */

#define TEXT_FONT "DejaVu Sans 8"
#define BOLD_FONT "DejaVu Sans Bold 8"

enum col {
	C_DATE, C_REF, C_NAME, C_TXID, C_KIND,
	C_AMOUNT, C_FEES, C_INTEREST, C_PRINCIPAL, C_COMMISSION, C_PAYOUT,
	NCOLS
};
#define FIRST_AMOUNT C_AMOUNT

/* The columns of SPEC 15; the three texts share what the others leave,
 * by weight. */
static const struct {
	const char *title;
	enum pdf_align align;
	double weight;
} columns[NCOLS] = {
	{ "Booking date", PDF_LEFT, 0 },    { "Creditor reference", PDF_LEFT, 0.28 },
	{ "Debtor name", PDF_LEFT, 0.42 },  { "Transaction ID", PDF_LEFT, 0.30 },
	{ "Kind", PDF_LEFT, 0 },            { "Amount", PDF_RIGHT, 0 },
	{ "To fees", PDF_RIGHT, 0 },        { "To interest", PDF_RIGHT, 0 },
	{ "To principal", PDF_RIGHT, 0 },   { "Commission", PDF_RIGHT, 0 },
	{ "Payout effect", PDF_RIGHT, 0 },
};

struct doc {
	struct pdf_fonts *f;
	const struct statement_info *info;
	const struct pdf_parties *parties;
	struct pdf_source *src;
	double x[NCOLS]; /* left edge of each cell's text */
	double w[NCOLS]; /* and its width */
	double header_h;
	struct pdf_pager_geom geom;
	int pages;       /* M of "page N of M" */
	bool shaded;     /* the path holds shaded rows not filled yet */
	double summary_y; /* where the summary goes on the last table page */
	int last_page;
	bool bill;       /* a payment page follows the table */
	struct qrbill qr;
	char number_line[160]; /* the footer's left part */
};

bool pdf_statement_has_bill(const struct statement_info *info)
{
	return info->totals.net_payout < 0 &&
	       (strcmp(info->currency, "CHF") == 0 || strcmp(info->currency, "EUR") == 0);
}

/* ---- the line table ---- */

static const int64_t *row_amount(const struct statement_row *row, int col)
{
	const struct booking_line *l = &row->line;
	const int64_t *v[NCOLS] = { [C_AMOUNT] = &l->amount,         [C_FEES] = &l->to_fees,
				    [C_INTEREST] = &l->to_interest,  [C_PRINCIPAL] = &l->to_principal,
				    [C_COMMISSION] = &l->commission, [C_PAYOUT] = &l->payout_effect };

	return v[col];
}

/* The texts of a row's cells (amounts formatted into bufs). */
static void row_texts(const char *text[NCOLS], char bufs[NCOLS][MONEY_FMT_MAX],
		      const struct statement_row *row)
{
	date_format(bufs[C_DATE], MONEY_FMT_MAX, row->line.booking_date);
	text[C_DATE] = bufs[C_DATE];
	text[C_REF] = row->creditor_reference;
	text[C_NAME] = row->debtor_name;
	text[C_TXID] = row->transaction_id;
	text[C_KIND] = booking_kind_name(row->line.kind);
	for (int c = FIRST_AMOUNT; c < NCOLS; c++) {
		money_format(bufs[c], MONEY_FMT_MAX, *row_amount(row, c));
		text[c] = bufs[c];
	}
}

static double bold_width(struct doc *d, const char *text)
{
	return pdf_fast_width(d->f, &d->f->face[PDF_CELL_BOLD], text);
}

static double cell_width(struct doc *d, const char *text)
{
	return pdf_fast_width(d->f, &d->f->face[PDF_CELL], text);
}

/* Column widths: the date, the kind and each amount as wide as its widest
 * value (or title); the texts share the rest. One pass over the lines. */
static int measure_columns(struct doc *d, struct err *e)
{
	int64_t lo[NCOLS] = { 0 }, hi[NCOLS] = { 0 };
	double fixed = 0, free_w, x = LEFT;
	int64_t n = 0;
	int rc = d->src->rewind(d->src->ctx, e);

	while (rc == 0) {
		struct statement_row row;
		bool end;

		rc = d->src->next(d->src->ctx, &row, &end, e);
		if (rc != 0 || end)
			break;
		for (int c = FIRST_AMOUNT; c < NCOLS; c++) {
			int64_t v = *row_amount(&row, c);

			lo[c] = v < lo[c] ? v : lo[c];
			hi[c] = v > hi[c] ? v : hi[c];
		}
		n++;
	}
	if (rc != 0)
		return rc;
	if (n != d->info->totals.lines)
		return ERR_SET(e, ERR_DB, "%" PRId64 " lines stored, %" PRId64 " expected", n,
			       d->info->totals.lines);
	for (int c = 0; c < NCOLS; c++) {
		double w = bold_width(d, columns[c].title);

		if (c == C_DATE)
			w = w > cell_width(d, "0000-00-00") ? w : cell_width(d, "0000-00-00");
		for (int k = 0; c == C_KIND && k < BOOKING__KIND_COUNT; k++) {
			double kw = cell_width(d, booking_kind_name((enum booking_kind)k));

			w = kw > w ? kw : w;
		}
		if (c >= FIRST_AMOUNT) {
			char a[MONEY_FMT_MAX], b[MONEY_FMT_MAX];
			double wa = cell_width(d, money_format(a, sizeof(a), lo[c]));
			double wb = cell_width(d, money_format(b, sizeof(b), hi[c]));

			w = wa > w ? wa : w;
			w = wb > w ? wb : w;
		}
		d->w[c] = w;
		if (columns[c].weight == 0)
			fixed += w;
	}
	free_w = (RIGHT - LEFT) - fixed - NCOLS * 2 * PAD_X;
	for (int c = 0; c < NCOLS; c++) {
		if (columns[c].weight > 0 && free_w * columns[c].weight > d->w[c])
			d->w[c] = free_w * columns[c].weight;
		d->x[c] = x + PAD_X;
		x += d->w[c] + 2 * PAD_X;
	}
	d->header_h = d->f->face[PDF_CELL_BOLD].line_h + 2 * PAD_Y;
	return 0;
}

static double row_height(struct doc *d, const char *const text[NCOLS])
{
	double h = d->f->face[PDF_CELL].line_h;

	for (int c = C_REF; c <= C_TXID; c++) {
		double ch = pdf_cell_height(d->f, PDF_CELL, text[c], d->w[c]);

		h = ch > h ? ch : h;
	}
	return h + 2 * PAD_Y;
}

static int draw_header_row(struct doc *d, cairo_t *cr, double y, struct err *e)
{
	int rc = 0;

	cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
	cairo_rectangle(cr, LEFT, y, RIGHT - LEFT, d->header_h);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int c = 0; c < NCOLS && rc == 0; c++)
		rc = pdf_cell_draw(d->f, PDF_CELL_BOLD, columns[c].title, d->x[c], y + PAD_Y,
				   d->w[c], columns[c].align, e);
	return rc;
}

static int draw_row(struct doc *d, cairo_t *cr, const char *const text[NCOLS], double y,
		    double h, bool shaded, struct err *e)
{
	int rc = 0;

	if (shaded) {
		/* filled once for the page (fill_shade), below the text */
		cairo_rectangle(cr, LEFT, y, RIGHT - LEFT, h);
		d->shaded = true;
	}
	for (int c = 0; c < NCOLS && rc == 0; c++)
		rc = pdf_cell_draw(d->f, PDF_CELL, text[c], d->x[c], y + PAD_Y, d->w[c],
				   columns[c].align, e);
	return rc;
}

/* Fill the page's shaded rows, collected in the path. */
static void fill_shade(struct doc *d, cairo_t *cr)
{
	if (d->shaded) {
		cairo_set_source_rgb(cr, 0.94, 0.94, 0.94);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		d->shaded = false;
	}
}

/* ---- headings, footer, summary ---- */

/* Page 1's heading; returns the y below it (cr NULL: only that). */
static double first_heading(struct doc *d, cairo_t *cr)
{
	const struct statement_info *in = d->info;
	char line[512], issued[DATE_FMT_MAX], from[DATE_FMT_MAX], to[DATE_FMT_MAX], iban[64];
	int year = 0, month = 0;
	double y, yr;

	date_parse_period(&year, &month, in->period);
	date_format(issued, sizeof(issued), in->issued);
	date_format(from, sizeof(from), date_from_ymd(year, month, 1));
	date_format(to, sizeof(to), date_from_ymd(year, month, date_days_in_month(year, month)));
	/* the agency, left; the statement, right */
	y = TOP + pdf_show(d->f, cr, "DejaVu Sans Bold 12", d->parties->agency_name, LEFT, TOP, 380,
			   PDF_LEFT);
	y += pdf_show(d->f, cr, TEXT_FONT, d->parties->agency_address, LEFT, y, 380, PDF_LEFT);
	snprintf(line, sizeof(line), "Statement %s", in->number);
	yr = TOP + pdf_show(d->f, cr, "DejaVu Sans Bold 14", line, RIGHT - 380, TOP, 380, PDF_RIGHT);
	snprintf(line, sizeof(line), "Period %s (%s to %s)", in->period, from, to);
	yr += pdf_show(d->f, cr, TEXT_FONT, line, RIGHT - 380, yr, 380, PDF_RIGHT);
	snprintf(line, sizeof(line), "Issued %s, amounts in %s", issued, in->currency);
	yr += pdf_show(d->f, cr, TEXT_FONT, line, RIGHT - 380, yr, 380, PDF_RIGHT);
	y = (y > yr ? y : yr) + 12;
	/* the creditor */
	y += pdf_show(d->f, cr, BOLD_FONT, "Creditor", LEFT, y, 0, PDF_LEFT);
	snprintf(line, sizeof(line), "%s (%s)", d->parties->creditor_name, in->creditor_id);
	y += pdf_show(d->f, cr, "DejaVu Sans 9", line, LEFT, y, 600, PDF_LEFT);
	snprintf(line, sizeof(line), "IBAN %s", qrbill_print_iban(iban, sizeof(iban),
								 d->parties->creditor_iban));
	y += pdf_show(d->f, cr, TEXT_FONT, line, LEFT, y, 600, PDF_LEFT);
	return y + 10;
}

/* The portfolio of SPEC 9.2 at x; returns the y below it. */
static double portfolio(struct doc *d, cairo_t *cr, double x, double y)
{
	const struct statement_portfolio *p = &d->info->portfolio;
	char n[32], a[MONEY_FMT_MAX];
	/* label, cases, principal (NULL: none) */
	struct {
		const char *label;
		int64_t cases;
		const int64_t *principal;
	} const rows[] = {
		{ "Registered in the period", p->registered_cases, &p->registered_principal },
		{ "Open at the end of the period", p->open_cases, &p->open_principal },
		{ "Withdrawn", p->withdrawn_cases, NULL },
		{ "Paid", p->paid_cases, NULL },
		{ "Reopened", p->reopened_cases, NULL },
	};

	y += pdf_show(d->f, cr, "DejaVu Sans Bold 9", "Portfolio", x, y, 0, PDF_LEFT);
	pdf_show(d->f, cr, BOLD_FONT, "cases", x + 150, y, 45, PDF_RIGHT);
	y += pdf_show(d->f, cr, BOLD_FONT, "principal", x + 195, y, 75, PDF_RIGHT);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(n, sizeof(n), "%" PRId64, rows[i].cases);
		pdf_show(d->f, cr, TEXT_FONT, rows[i].label, x, y, 0, PDF_LEFT);
		pdf_show(d->f, cr, TEXT_FONT, n, x + 150, y, 45, PDF_RIGHT);
		y += pdf_show(d->f, cr, TEXT_FONT,
			      rows[i].principal ? money_format(a, sizeof(a), *rows[i].principal) : "",
			      x + 195, y, 75, PDF_RIGHT);
	}
	return y;
}

/* The heading of the pages after the first (queued with the cells);
 * returns the y below it (cr NULL: only that). */
static double later_heading(struct doc *d, cairo_t *cr, struct err *e)
{
	char line[512];
	int rc = 0;

	if (cr != NULL) {
		snprintf(line, sizeof(line), "%s \u00b7 Statement %s", d->parties->agency_name,
			 d->info->number);
		rc = pdf_cell_draw(d->f, PDF_LINE_BOLD, line, LEFT, TOP, 400, PDF_LEFT, e);
		snprintf(line, sizeof(line), "%s (%s) \u00b7 Period %s", d->parties->creditor_name,
			 d->info->creditor_id, d->info->period);
		if (rc == 0)
			rc = pdf_cell_draw(d->f, PDF_LINE, line, RIGHT - 340, TOP, 340, PDF_RIGHT, e);
	}
	return rc != 0 ? -1 : TOP + d->f->face[PDF_LINE_BOLD].line_h + 6;
}

/* The foot line of a page, queued with the cells. */
static int footer(struct doc *d, double width, double y, int page, struct err *e)
{
	char line[64];
	int rc = pdf_cell_draw(d->f, PDF_CELL, d->number_line, LEFT, y, 400, PDF_LEFT, e);

	snprintf(line, sizeof(line), "page %d of %d", page, d->pages);
	if (rc == 0)
		rc = pdf_cell_draw(d->f, PDF_CELL, line, width - LEFT - 200, y, 200, PDF_RIGHT, e);
	return rc;
}

/* What happens to the money: a sentence, then the account and the
 * reference each on a line of its own (never broken inside). Returns the
 * number of lines. */
static int money_text(char out[3][512], struct doc *d)
{
	const struct statement_info *in = d->info;
	const struct pdf_parties *pp = d->parties;
	char a[MONEY_FMT_MAX], iban[64], ref[PAYREF_GROUPED_SIZE];
	int64_t net = in->totals.net_payout;

	if (net > 0) {
		snprintf(out[0], 512, "The net payout of %s %s is transferred to %s:",
			 money_format(a, sizeof(a), net), in->currency, pp->creditor_name);
		snprintf(out[1], 512, "IBAN %s", qrbill_print_iban(iban, sizeof(iban), pp->creditor_iban));
		return 2;
	}
	if (net == 0) {
		snprintf(out[0], 512, "The net payout is 0.00 %s: nothing is transferred and nothing "
			 "is owed.", in->currency);
		return 1;
	}
	money_format(a, sizeof(a), -net);
	if (d->bill) {
		/* (before the statement's id is known, the reference's place only:
		 * a line of its own) */
		if (d->qr.reference[0] != '\0')
			payref_format_groups(ref, sizeof(ref), d->qr.reference, d->qr.ref_type);
		else /* as long as any */
			snprintf(ref, sizeof(ref), "00 00000 00000 00000 00000 00000");
		snprintf(out[0], 512, "%s owes %s %s %s. Please pay it with the QR-bill on page %d:",
			 pp->creditor_name, pp->agency_name, a, in->currency, d->pages);
		snprintf(out[1], 512, "account %s",
			 qrbill_print_iban(iban, sizeof(iban), pp->pay_account ? pp->pay_account : ""));
		snprintf(out[2], 512, "reference %s", ref);
		return 3;
	}
	snprintf(out[0], 512, "%s owes %s %s %s. Please pay it with the message:",
		 pp->creditor_name, pp->agency_name, a, in->currency);
	snprintf(out[1], 512, "Statement %s", in->number);
	if (pp->pay_account == NULL)
		return 2;
	snprintf(out[2], 512, "to the account %s",
		 qrbill_print_iban(iban, sizeof(iban), pp->pay_account));
	return 3;
}

/* The totals and where the money goes, from y; returns its height (cr
 * NULL: only that). */
static double summary(struct doc *d, cairo_t *cr, double y)
{
	const struct booking_totals *t = &d->info->totals;
	struct {
		const char *label;
		int64_t v;
		bool shown;
	} const rows[] = {
		{ "Payments", t->payments, true },
		{ "Direct payments", t->direct_payments, true },
		{ "Credit notes", t->credit_notes, true },
		/* as in the XML: only in a statement with a reversal */
		{ "Reversals", t->reversals, t->reversals != 0 },
		{ "Withdrawal fees", t->withdrawal_fees, true },
		{ "Creditor share", t->creditor_share, true },
		{ "Commission", t->commission, true },
		{ "VAT", t->vat, true },
	};
	char a[MONEY_FMT_MAX], text[64], label[64], money[3][512];
	double y0 = y, yl, yr, yp;
	int nmoney;

	y += SUMMARY_GAP;
	yl = y + pdf_show(d->f, cr, "DejaVu Sans Bold 9", "Totals", LEFT, y, 0, PDF_LEFT);
	snprintf(text, sizeof(text), "%" PRId64, t->lines);
	pdf_show(d->f, cr, TEXT_FONT, "Lines", LEFT, yl, 0, PDF_LEFT);
	yl += pdf_show(d->f, cr, TEXT_FONT, text, LEFT, yl, TOTALS_W, PDF_RIGHT);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (!rows[i].shown)
			continue;
		pdf_show(d->f, cr, TEXT_FONT, rows[i].label, LEFT, yl, 0, PDF_LEFT);
		yl += pdf_show(d->f, cr, TEXT_FONT, money_format(a, sizeof(a), rows[i].v), LEFT, yl,
			       TOTALS_W, PDF_RIGHT);
	}
	if (cr != NULL) {
		cairo_set_line_width(cr, 0.5);
		cairo_move_to(cr, LEFT, yl + 1);
		cairo_line_to(cr, LEFT + TOTALS_W, yl + 1);
		cairo_stroke(cr);
	}
	yl += 3;
	snprintf(label, sizeof(label), "Net payout (%s)", d->info->currency);
	pdf_show(d->f, cr, "DejaVu Sans Bold 9", label, LEFT, yl, 0, PDF_LEFT);
	yl += pdf_show(d->f, cr, "DejaVu Sans Bold 9", money_format(a, sizeof(a), t->net_payout),
		       LEFT, yl, TOTALS_W, PDF_RIGHT);
	/* the portfolio beside the totals; where the money goes below both */
	yp = portfolio(d, cr, PORTFOLIO_X, y);
	yr = (yl > yp ? yl : yp) + 10;
	yr += pdf_show(d->f, cr, "DejaVu Sans Bold 9", "Payout", LEFT, yr, 0, PDF_LEFT);
	nmoney = money_text(money, d);
	for (int i = 0; i < nmoney; i++)
		yr += pdf_show(d->f, cr, "DejaVu Sans 9", money[i], LEFT, yr, RIGHT - LEFT, PDF_LEFT);
	return yr - y0;
}

/* ---- the document ---- */

struct sink {
	pdf_write_fn write;
	void *ctx;
	struct err *e;
	int rc;
};

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct sink *s = closure;

	if (s->rc == 0)
		s->rc = s->write(s->ctx, data, len, s->e);
	return s->rc == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static int finish_page(struct doc *d, cairo_t *cr, int page, struct err *e)
{
	int rc;

	fill_shade(d, cr);
	rc = footer(d, PAGE_W, FOOT_Y, page, e);
	pdf_fonts_flush(d->f, cr);
	cairo_show_page(cr);
	return rc;
}

/* The table pages: with cr NULL, only count them (d->pages); else draw
 * them, every row where the counting pass put it. */
static int table_pages(struct doc *d, cairo_t *cr, struct err *e)
{
	struct pdf_pager pg;
	int64_t i = 0;
	int page = 0;
	int rc = d->src->rewind(d->src->ctx, e);

	pdf_pager_init(&pg, &d->geom, d->info->totals.lines);
	while (rc == 0) {
		struct statement_row row;
		const char *text[NCOLS];
		char bufs[NCOLS][MONEY_FMT_MAX];
		bool end, new_page;
		double y, h;

		rc = d->src->next(d->src->ctx, &row, &end, e);
		if (rc != 0 || end)
			break;
		row_texts(text, bufs, &row);
		h = row_height(d, text);
		rc = pdf_pager_place(&pg, h, &page, &y, &new_page, e);
		if (cr == NULL || rc != 0)
			continue;
		if (new_page) {
			double top;

			if (page > 1)
				rc = finish_page(d, cr, page - 1, e);
			top = page == 1 ? first_heading(d, cr) : later_heading(d, cr, e);
			if (rc == 0 && top < 0)
				rc = e->code;
			if (rc == 0)
				rc = draw_header_row(d, cr, top, e);
		}
		if (rc == 0)
			rc = draw_row(d, cr, text, y, h, i % 2 == 1, e);
		i++;
	}
	if (rc == 0 && cr == NULL)
		d->pages = pg.page + (d->bill ? 1 : 0);
	if (rc == 0 && cr != NULL) {
		/* the rows drawn out: the summary is drawn by pdf_render_finish */
		fill_shade(d, cr);
		pdf_fonts_flush(d->f, cr);
		d->summary_y = pg.y;
		d->last_page = page;
	}
	return rc;
}

/* The payment page: A4 portrait, the bill at its foot. */
static int draw_bill_page(struct doc *d, cairo_surface_t *s, cairo_t *cr, struct err *e)
{
	const struct statement_info *in = d->info;
	char line[1024], net[MONEY_FMT_MAX], owed[MONEY_FMT_MAX];
	double y, slip_y = BILL_H - PDF_SLIP_H;
	int rc;

	cairo_pdf_surface_set_size(s, BILL_W, BILL_H);
	y = TOP + pdf_show(d->f, cr, "DejaVu Sans Bold 12", d->parties->agency_name, LEFT, TOP,
			   BILL_W - 2 * LEFT, PDF_LEFT);
	y += pdf_show(d->f, cr, TEXT_FONT, d->parties->agency_address, LEFT, y, BILL_W - 2 * LEFT,
		      PDF_LEFT);
	snprintf(line, sizeof(line), "Payment of statement %s", in->number);
	y += 30 + pdf_show(d->f, cr, "DejaVu Sans Bold 14", line, LEFT, y + 30, BILL_W - 2 * LEFT,
			   PDF_LEFT);
	snprintf(line, sizeof(line), "The net payout of statement %s of %s (%s) for the period "
		 "%s is %s %s: %s owes %s %s %s. Please pay it with the payment part below.",
		 in->number, d->parties->creditor_name, in->creditor_id, in->period,
		 money_format(net, sizeof(net), in->totals.net_payout), in->currency,
		 d->parties->creditor_name, d->parties->agency_name,
		 money_format(owed, sizeof(owed), -in->totals.net_payout), in->currency);
	pdf_show(d->f, cr, "DejaVu Sans 9", line, LEFT, y + 12, BILL_W - 2 * LEFT, PDF_LEFT);
	rc = footer(d, BILL_W, slip_y - 24, d->pages, e);
	pdf_fonts_flush(d->f, cr);
	if (rc == 0)
		rc = pdf_slip_draw(d->f, cr, &d->qr, slip_y, e);
	cairo_show_page(cr);
	return rc;
}

static void set_metadata(cairo_surface_t *s, const struct doc *d)
{
	char date[32], day[DATE_FMT_MAX], text[512];

	/* the document's dates are the issue date (SPEC 15), not the time of
	 * the run, so the same statement gives the same bytes */
	snprintf(date, sizeof(date), "%sT00:00:00Z", date_format(day, sizeof(day), d->info->issued));
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, date);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, date);
	snprintf(text, sizeof(text), "Statement %s", d->info->number);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, text);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, d->parties->agency_name);
	snprintf(text, sizeof(text), "Statement of %s for %s", d->parties->creditor_name,
		 d->info->period);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, text);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "settlement " ENGINE_VERSION);
}

/* A document being drawn: its table pages are done, its last page waits
 * for the summary. */
struct pdf_render {
	struct doc d;
	struct statement_info info; /* d.info */
	struct pdf_parties parties; /* d.parties */
	struct sink sink;
	struct err err;             /* the sink's errors */
	cairo_surface_t *s;
	cairo_t *cr;
};

void pdf_render_abort(struct pdf_render *r)
{
	if (r == NULL)
		return;
	if (r->cr != NULL)
		cairo_destroy(r->cr);
	if (r->s != NULL) {
		/* finishing writes the rest; the writer drops it */
		r->sink.rc = ERR_IO;
		cairo_surface_finish(r->s);
		cairo_surface_destroy(r->s);
	}
	free(r);
}

int pdf_render_begin(struct pdf_render **out, struct pdf_fonts *f,
		     const struct statement_info *info, const struct pdf_parties *parties,
		     struct pdf_source *src, pdf_write_fn write, void *wctx, struct err *e)
{
	struct pdf_render *r = calloc(1, sizeof(*r));
	struct doc *d;
	char issued[DATE_FMT_MAX];
	int rc;

	*out = NULL;
	if (r == NULL)
		return ERR_SET(e, ERR_NOMEM, "out of memory");
	r->info = *info;
	r->parties = *parties;
	r->sink = (struct sink){ write, wctx, &r->err, 0 };
	d = &r->d;
	d->f = f;
	d->info = &r->info;
	d->parties = &r->parties;
	d->src = src;
	d->bill = pdf_statement_has_bill(info);
	snprintf(d->number_line, sizeof(d->number_line), "Statement %s \u00b7 issued %s",
		 info->number, date_format(issued, sizeof(issued), info->issued));
	rc = measure_columns(d, e);
	if (rc != 0)
		goto fail;
	d->geom = (struct pdf_pager_geom){ first_heading(d, NULL), later_heading(d, NULL, e),
					   BOTTOM, d->header_h, 0 };
	d->pages = PDF_MAX_PAGES; /* the widest page number the summary can name */
	d->geom.summary_h = summary(d, NULL, 0);
	rc = table_pages(d, NULL, e);
	if (rc != 0)
		goto fail;
	r->s = cairo_pdf_surface_create_for_stream(sink_write, &r->sink, PAGE_W, PAGE_H);
	set_metadata(r->s, d);
	r->cr = cairo_create(r->s);
	rc = table_pages(d, r->cr, e);
	if (rc == 0 && r->sink.rc != 0) {
		*e = r->err;
		rc = e->code;
	}
	if (rc != 0)
		goto fail;
	*out = r;
	return 0;
fail:
	pdf_render_abort(r);
	return err_prefix(e, "PDF of statement '%s'", info->number);
}

/* What the table pages show must be what the summary is drawn for. */
static bool same_parties(const struct pdf_parties *a, const struct pdf_parties *b)
{
	return strcmp(a->agency_name, b->agency_name) == 0 &&
	       strcmp(a->agency_address, b->agency_address) == 0 &&
	       strcmp(a->creditor_name, b->creditor_name) == 0 &&
	       strcmp(a->creditor_iban, b->creditor_iban) == 0 &&
	       (a->pay_account == NULL) == (b->pay_account == NULL) &&
	       (a->pay_account == NULL || strcmp(a->pay_account, b->pay_account) == 0);
}

int pdf_render_finish(struct pdf_render *r, const struct statement_info *info,
		      const struct pdf_parties *parties, struct err *e)
{
	struct doc *d = &r->d;
	const char *number = r->info.number;
	int rc = 0;

	if (strcmp(info->number, r->info.number) != 0 || info->totals.lines != r->info.totals.lines ||
	    info->totals.net_payout != r->info.totals.net_payout ||
	    info->totals.reversals != r->info.totals.reversals || !same_parties(parties, &r->parties))
		rc = ERR_SET(e, ERR_DB, "the statement changed while its PDF was drawn");
	if (rc == 0) {
		r->info = *info;
		r->parties = *parties;
	}
	if (rc == 0 && d->bill)
		rc = qrbill_make(&d->qr, parties->pay_account ? parties->pay_account : "",
				 parties->agency_name, parties->agency_address, info->currency,
				 -info->totals.net_payout, parties->statement_id, info->number, e);
	if (rc == 0) {
		summary(d, r->cr, d->summary_y);
		rc = finish_page(d, r->cr, d->last_page, e);
	}
	if (rc == 0 && d->bill)
		rc = draw_bill_page(d, r->s, r->cr, e);
	if (rc != 0) {
		char saved[24 + STATEMENT_NUMBER_MAX];

		snprintf(saved, sizeof(saved), "%s", number);
		pdf_render_abort(r);
		return err_prefix(e, "PDF of statement '%s'", saved);
	}
	cairo_destroy(r->cr);
	r->cr = NULL;
	cairo_surface_finish(r->s);
	if (r->sink.rc != 0) {
		*e = r->err;
		rc = e->code;
	} else if (cairo_surface_status(r->s) != CAIRO_STATUS_SUCCESS) {
		rc = ERR_SET(e, ERR_IO, "cannot write the PDF: %s",
			     cairo_status_to_string(cairo_surface_status(r->s)));
	}
	cairo_surface_destroy(r->s);
	r->s = NULL;
	if (rc != 0)
		err_prefix(e, "PDF of statement '%s'", r->info.number);
	free(r);
	return rc;
}

int pdf_statement_write(struct pdf_fonts *f, const struct statement_info *info,
			const struct pdf_parties *parties, struct pdf_source *src,
			pdf_write_fn write, void *wctx, struct err *e)
{
	struct pdf_render *r = NULL;
	int rc = pdf_render_begin(&r, f, info, parties, src, write, wctx, e);

	return rc == 0 && r != NULL ? pdf_render_finish(r, info, parties, e) : rc;
}
