#!/usr/bin/env bash
# CSV dialects (SPEC 2, 5.2): ';' with decimal commas, a BOM, CRLF, columns
# in another order and case; ',' where a decimal comma splits the field
# (BAD_RECORD); LF files with quoted line breaks and exact line numbers;
# blank lines before a ';' header. Each file of fixtures/bad/csv is loaded
# alone into a fresh database and compared with expected.tsv, then the
# stored values are checked to the minor unit and byte.
. "$ROOT/tests/lib.sh"
fixtures_from "$FIX/bad/csv" csv21
FIXTURE_QUIET=1

# ';' + BOM + CRLF + reordered upper-case columns: decimal commas to the
# minor unit; the quoted ',' and ';' and the quoted CRLF kept as data.
expect_fixture semicolon-bom-crlf.csv
expect_eq "semicolon: amounts" "$(sql "SELECT string_agg(creditor_reference || ':' || original_amount || ':'
	|| paid_amount || ':' || principal || ':' || debtor_type, ' ' ORDER BY record) FROM cases")" \
	"C1-2101:123450:3450:120000:person C1-2102:9995:0:9995:company C1-2103:123450:0:123450:person"
expect_eq "semicolon: quoted delimiter and comma kept" \
	"$(sql "SELECT debtor_name = 'Komma, AG' AND debtor_street = E'Weg; 2\r\nHinterhaus' FROM cases WHERE creditor_reference = 'C1-2102'")" t
expect_eq "semicolon: BOM not in the data" "$(sql "SELECT count(*) FROM cases WHERE creditor_id <> 'C1'")" 0
expect_eq "semicolon: receipt" "$(tail -n +2 "$TMP/reports/batch-1.receipt.csv")" \
	"$(printf '1,C1-2101,1,accepted,%s\n2,C1-2102,2,accepted,%s\n3,C1-2103,3,accepted,%s' \
		$(python3 "$ROOT/tests/tools/payref.py" scor 1 2 3))"

# ',' delimiter: 1234,50 unquoted is two fields (BAD_RECORD), quoted it is
# not an amount (BAD_AMOUNT); only the point is a decimal separator here.
expect_fixture comma-decimal-comma.csv
expect_eq "comma: stored" "$(sql "SELECT creditor_reference || ':' || original_amount FROM cases")" "C1-2203:123450"
expect_eq "comma: messages" "$(sql "SELECT string_agg(code || ': ' || message, ' | ' ORDER BY record) FROM rejects")" \
	"BAD_RECORD: the row has 16 fields but the header has 15 | BAD_AMOUNT: original_amount is not an amount like 1234.50"

# LF only: quoted line breaks are counted, a blank line is skipped, the last
# record has no line end; line numbers in the report are exact (above) and
# the breaks are stored as data.
expect_fixture lf-quoted-breaks.csv
expect_eq "lf: stored" "$(sql "SELECT string_agg(creditor_reference || ':' || record, ' ' ORDER BY record) FROM cases")" \
	"C1-2301:1 C1-2304:4"
expect_eq "lf: quoted breaks kept" "$(sql "SELECT debtor_name = E'Multi\nLine\nName' FROM cases WHERE creditor_reference = 'C1-2301'")" t
expect_eq "lf: rejects lines in the table" "$(sql "SELECT string_agg(record || '@' || line, ' ' ORDER BY record) FROM rejects")" \
	"2@6 3@8 5@12"

# Blank lines before a ';' header: the delimiter comes from the header line.
expect_fixture semicolon-blank-lines.csv
expect_eq "blank lines: amount" "$(sql "SELECT creditor_reference || ':' || original_amount FROM cases")" "C1-2401:1050"
