#!/usr/bin/env bash
# PDF statements (SPEC 15): `settlement run` writes <creditor>-<currency>.pdf
# beside each statement's CSV and XML.
# - pdftotext finds every transaction id and every amount of a statement's
#   CSV in its PDF, and the UTF-8 names (Ø, Å, ü, æ) come back as they are;
# - a statement of 100 lines takes three pages: each has the table's header
#   row and "page N of 3";
# - qpdf --check passes on every PDF;
# - the QR code of a negative CHF statement, rendered at 300 dpi, decodes
#   (ZXingReader) to the payload written out below by hand from SPEC 15;
# - re-runs write the same bytes (also a deleted PDF, also after the
#   agency's name in the configuration changed); nothing half-written;
# - a run that needs a missing [agency] key (name; the CHF account of a
#   QR-bill) is a configuration error naming it and issues nothing.
. "$ROOT/tests/lib.sh"

new_db pdf
QR_IBAN=CH4431999123000889012
add_agency CHF=$QR_IBAN
OUT="$TMP/out"
P="$OUT/2026-10"

cat >"$TMP/creditors.csv" <<'EOF'
creditor_id,name,country,currency,commission_pct,interest_to,iban,active
C1,Zürcher Rückversicherung AG,CH,CHF,10.00,creditor,CH9300762011623852957,true
D1,Hygge Hæl ApS,DK,DKK,10.00,creditor,DK5000400440116243,true
N1,Nordlys Ørsted & Åberg AS,NO,NOK,10.00,creditor,NO9386011117947,true
EOF
load_creditors "$TMP/creditors.csv"

# N1: 100 cases, one payment each (100 lines); C1 and D1: a withdrawal
# each, so that their net payouts are negative:
#   C1: fee 25.00 CHF, VAT 8.1 % 2.03 (2.025): net -27.03 CHF (a QR-bill)
#   D1: fee 50.00 DKK, VAT 25 % 12.50: net -62.50 DKK (no QR-bill)
names=("Øystein Åsheim" "Jørgen Lærkehøj Müller" "Åse Ødegård" "Björn Grünwald")
{
	echo "creditor_id,creditor_reference,debtor_type,debtor_name,debtor_national_id,debtor_birth_date,debtor_street,debtor_postal_code,debtor_city,debtor_country,debtor_email,debtor_phone,invoice_number,invoice_date,due_date,original_amount,currency,paid_amount,fee_amount,interest_amount,claim_type,disputed,reminder_date"
	for i in $(seq 1 100); do
		printf 'N1,N1-%03d,person,%s,,,Storgata %d,0155,Oslo,NO,,,F-%d,2026-08-15,2026-09-15,%d.00,NOK,,,,goods,false,2026-09-25\n' \
			"$i" "${names[i % 4]}" "$i" "$i" $((1000 + 10 * i))
	done
	echo "C1,C1-A,person,Dario Dösch,,,Seeweg 6,6300,Zug,CH,,,E-1,2026-08-31,2026-09-30,400.00,CHF,,,,goods,false,"
	echo "C1,C1-B,person,Emil Egli,,,Dorfstrasse 7,8400,Winterthur,CH,,,E-2,2026-08-31,2026-09-30,500.00,CHF,,,,goods,false,"
	echo "D1,D1-A,person,Søren Kær,,,Vestergade 1,1456,København,DK,,,H-1,2026-08-15,2026-09-15,500.00,DKK,,,,goods,false,2026-09-20"
} >"$TMP/cases.csv"
run_loader load --conf "$CONF" --as-of 2026-10-01 "$TMP/cases.csv"
expect_eq "cases" "$out" "batch 1 loaded: 103 records, 103 accepted, 0 skipped, 0 rejected"
{
	echo "creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason"
	for i in $(seq 1 100); do
		printf 'N1,N1-%03d,NT-%05d,payment,2026-10-%02d,%d.%02d,NOK,\n' "$i" $((i * 7)) $((1 + i % 28)) $((200 + i)) $((i % 100))
	done
	echo "C1,C1-A,C1-W,withdrawal,2026-10-15,,,goodwill"
	echo "D1,D1-A,D1-W,withdrawal,2026-10-15,,,goodwill"
} >"$TMP/tx.csv"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/tx.csv"
expect_eq "transactions" "$out" "batch 2 loaded: 102 records, 102 accepted, 0 skipped, 0 rejected"

out=$("$SETTLEMENT" run --conf "$CONF" --out "$OUT" --period 2026-10 --as-of 2026-11-02 2>"$TMP/err") ||
	{ cat "$TMP/err" >&2; fail "settlement run"; }
expect_eq "statements" "$(grep -c '^statement ' <<<"$out")" 3
grep -q '^statement 2026-10-C1-CHF: 1 lines, net payout -27.03 CHF$' <<<"$out" || fail "C1: $out"
grep -q '^statement 2026-10-D1-DKK: 1 lines, net payout -62.50 DKK$' <<<"$out" || fail "D1: $out"
grep -q '^statement 2026-10-N1-NOK: 100 lines, ' <<<"$out" || fail "N1: $out"
expect_eq "files" "$(ls "$P" | tr '\n' ' ')" \
	"C1-CHF.csv C1-CHF.pdf C1-CHF.xml D1-DKK.csv D1-DKK.pdf D1-DKK.xml N1-NOK.csv N1-NOK.pdf N1-NOK.xml "
for f in "$P"/*.pdf; do
	qpdf --check "$f" >"$TMP/qpdf" 2>&1 || { cat "$TMP/qpdf" >&2; fail "qpdf --check $(basename "$f")"; }
done

# every transaction id and amount of the CSV, and the names, in the text
for s in N1-NOK C1-CHF D1-DKK; do
	pdftotext -layout "$P/$s.pdf" "$TMP/$s.txt"
	python3 - "$P/$s.csv" "$TMP/$s.txt" <<'PY' || fail "$s: the PDF's text lacks values of the CSV"
import csv, sys
text = open(sys.argv[2], encoding="utf-8").read()
tokens = set(text.split())
missing = []
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
for r in rows:
    for k in ("transaction_id", "booking_date", "kind", "amount", "to_fees", "to_interest",
              "to_principal", "commission", "payout_effect"):
        if r[k] not in tokens:
            missing.append(f"{r['transaction_id']} {k} {r[k]}")
    if r["debtor_name"] not in text:
        missing.append(f"{r['transaction_id']} debtor_name {r['debtor_name']}")
if missing:
    print("\n".join(missing[:20]), file=sys.stderr)
    sys.exit(1)
print(f"{len(rows)} lines found", file=sys.stderr)
PY
done
for name in "Øystein Åsheim" "Jørgen Lærkehøj Müller" "Åse Ødegård" "Nordlys Ørsted & Åberg AS (N1)" \
	"Inkasso Test AG" "Bahnhofstrasse 1, 8001 Zürich" "Statement 2026-10-N1-NOK"; do
	grep -qF "$name" "$TMP/N1-NOK.txt" || fail "N1's PDF lacks '$name'"
done
grep -qF "Zürcher Rückversicherung AG (C1)" "$TMP/C1-CHF.txt" || fail "C1's name"
grep -qF "Hygge Hæl ApS (D1)" "$TMP/D1-DKK.txt" || fail "D1's name"

# three pages, each with the header row and its number
expect_eq "N1 pages" "$(pdfinfo "$P/N1-NOK.pdf" | sed -n 's/^Pages: *//p')" 3
for n in 1 2 3; do
	pdftotext -layout -f $n -l $n "$P/N1-NOK.pdf" "$TMP/page.txt"
	for h in "Booking date" "Creditor reference" "Debtor name" "Transaction ID" "Kind" "Amount" \
		"To fees" "To interest" "To principal" "Commission" "Payout effect" "page $n of 3"; do
		grep -qF "$h" "$TMP/page.txt" || fail "N1 page $n lacks '$h'"
	done
done
grep -qF "page 4" "$TMP/N1-NOK.txt" && fail "N1 has a page 4"
# the totals and where the money goes, after the last row
grep -q "Net payout (NOK) *$(sed -n 's/.*net payout \([-0-9.]*\) NOK$/\1/p' <<<"$out")" "$TMP/N1-NOK.txt" ||
	fail "N1's net payout"
grep -qF "is transferred to Nordlys Ørsted & Åberg AS:" "$TMP/N1-NOK.txt" || fail "N1's payout sentence"
grep -qF "IBAN NO93 8601 1117 947" "$TMP/N1-NOK.txt" || fail "N1's payout IBAN"
grep -qF "Hygge Hæl ApS owes Inkasso Test AG 62.50 DKK. Please pay it with the message:" "$TMP/D1-DKK.txt" ||
	fail "D1 owes"
grep -qF "reference 00 00000 00000 01000 00000 00014" "$TMP/C1-CHF.txt" || fail "C1's reference on page 1"
expect_eq "D1 pages (no QR-bill in DKK)" "$(pdfinfo "$P/D1-DKK.pdf" | sed -n 's/^Pages: *//p')" 1

# C1 owes 27.03 CHF: page 2 is the QR-bill. Its payload, by hand (SPEC 15):
# the statement's numeric id is the first of statement_id_seq,
# 1000000000001 (C1 is the first creditor of the run); QRR: 26 digits,
# 0000000000000 1000000000001, then the recursive mod 10 check digit:
# carry 0 -> 1: 9 -> eleven 0s: 5 2 4 8 3 6 7 1 9 5 2 -> 1: table[3] = 6;
# check (10 - 6) mod 10 = 4.
expect_eq "C1's numeric id" "$(sql "SELECT statement_id FROM statement_documents WHERE statement_number = '2026-10-C1-CHF'")" \
	1000000000001
expect_eq "C1 pages" "$(pdfinfo "$P/C1-CHF.pdf" | sed -n 's/^Pages: *//p')" 2
printf 'SPC\n0200\n1\n%s\nS\nInkasso Test AG\nBahnhofstrasse\n1\n8001\nZürich\nCH\n\n\n\n\n\n\n\n27.03\nCHF\n\n\n\n\n\n\n\nQRR\n000000000000010000000000014\nStatement 2026-10-C1-CHF\nEPD' \
	"$QR_IBAN" >"$TMP/payload.expected"
pdftoppm -r 300 -png -f 2 -l 2 "$P/C1-CHF.pdf" "$TMP/bill"
ZXingReader -format QRCode -bytes "$TMP"/bill-2.png >"$TMP/payload" || fail "no QR code on C1's page 2"
cmp "$TMP/payload.expected" "$TMP/payload" || { cat -A "$TMP/payload" >&2; fail "C1's QR payload"; }
ZXingReader -format QRCode "$TMP"/bill-2.png | grep -q '^EC Level: *M$' || fail "C1's QR error correction"
pdftotext -layout -f 2 -l 2 "$P/C1-CHF.pdf" "$TMP/bill.txt"
for t in "Receipt" "Payment part" "Account / Payable to" "CH44 3199 9123 0008 8901 2" \
	"00 00000 00000 01000 00000 00014" "Statement 2026-10-C1-CHF" "Payable by (name/address)" \
	"27.03" "page 2 of 2"; do
	grep -qF "$t" "$TMP/bill.txt" || fail "C1's bill lacks '$t'"
done

# re-runs: the same bytes, rendered from the stored rows; a deleted PDF
# written again; the agency renamed in the configuration changes nothing
cp -a "$P" "$TMP/first"
rerun() {
	"$SETTLEMENT" run --conf "${1:-$CONF}" --out "$OUT" --period 2026-10 --as-of 2026-11-02 >"$TMP/out2" 2>>"$TMP/err" ||
		{ cat "$TMP/err" >&2; fail "re-run"; }
	expect_eq "re-run stdout" "$(cat "$TMP/out2")" "$out"
	for f in "$TMP"/first/*; do
		cmp "$f" "$P/$(basename "$f")" || fail "re-run: $(basename "$f") differs"
	done
}
rerun
rm "$P/N1-NOK.pdf" "$P/C1-CHF.pdf"
rerun
sed 's/^name = Inkasso Test AG$/name = Inkasso Neu AG/' "$CONF" >"$TMP/renamed.conf"
rm "$P/C1-CHF.pdf"
rerun "$TMP/renamed.conf"
[ -z "$(ls -A "$P" | grep -v -e '\.csv$' -e '\.xml$' -e '\.pdf$')" ] || fail "temporary files left behind"

# November: a negative CHF statement (C1 withdraws C1-B: -27.03 CHF) and a
# positive one. Without [agency] name nothing is issued; without the CHF
# account of C1's QR-bill neither.
cat >"$TMP/tx-11.csv" <<'EOF'
creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason
C1,C1-B,C1-W2,withdrawal,2026-11-03,,,goodwill
N1,N1-001,NT-N1,payment,2026-11-03,10.00,NOK,
EOF
run_loader load --conf "$CONF" --as-of 2026-12-01 "$TMP/tx-11.csv"
# (the first address goes too: two in a row would be a key given again)
grep -v '^name = ' "$CONF" | sed '0,/^address = /{/^address = /d}' >"$TMP/noname.conf"
grep -v '^account.CHF = ' "$CONF" >"$TMP/noaccount.conf"
issued() { sql "SELECT (SELECT count(*) FROM statements) || '/' || (SELECT count(*) FROM statement_documents)"; }
before=$(issued)
# refused WHAT CONF MESSAGE: November with CONF is a configuration error
# (exit 2) with MESSAGE on stderr, and issues nothing
refused() {
	set +e
	"$SETTLEMENT" run --conf "$2" --out "$OUT" --period 2026-11 --as-of 2026-12-02 >"$TMP/o" 2>"$TMP/e"
	rc=$?
	set -e
	expect_eq "$1: exit" "$rc" 2
	expect_eq "$1: message" "$(cat "$TMP/e")" "settlement: error: configuration '$2': $3"
	expect_eq "$1: nothing issued" "$(issued)" "$before"
	[ ! -e "$OUT/2026-11" ] || fail "$1: files written"
}
refused "no name" "$TMP/noname.conf" "PDF statements need [agency] name"
refused "no CHF account" "$TMP/noaccount.conf" \
	"the QR-bill of statement '2026-11-C1-CHF' needs [agency] account.CHF"
"$SETTLEMENT" run --conf "$CONF" --out "$OUT" --period 2026-11 --as-of 2026-12-02 >"$TMP/o" 2>>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "November"; }
expect_eq "November" "$(cat "$TMP/o")" "statement 2026-11-C1-CHF: 1 lines, net payout -27.03 CHF
statement 2026-11-N1-NOK: 1 lines, net payout $(sql "SELECT to_char(net_payout / 100.0, 'FM9999990.00') FROM statements WHERE statement_number = '2026-11-N1-NOK'") NOK"
expect_eq "November's ids" "$(sql "SELECT string_agg(statement_number || ' ' || statement_id, ', ' ORDER BY statement_id) FROM statement_documents")" \
	"2026-10-C1-CHF 1000000000001, 2026-10-D1-DKK 1000000000002, 2026-10-N1-NOK 1000000000003, 2026-11-C1-CHF 1000000000004, 2026-11-N1-NOK 1000000000005"
# the agency keys are no longer needed for October: its documents are stored
"$SETTLEMENT" run --conf "$TMP/noname.conf" --out "$OUT" --period 2026-10 --as-of 2026-11-02 >/dev/null 2>>"$TMP/err" ||
	fail "October again without the agency's name"
cmp "$TMP/first/N1-NOK.pdf" "$P/N1-NOK.pdf" || fail "October without the agency's name: N1 differs"
echo "ok"
