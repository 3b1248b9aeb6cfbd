#!/usr/bin/env bash
# CSV file-level outcomes (SPEC 5.2, 7.1, 8): empty files, a header without
# records, bad headers and broken quoting. Each hostile file of
# fixtures/bad/csv is loaded alone into a fresh database and compared with
# fixtures/bad/csv/expected.tsv: exit status, summary line, reject report,
# batch row, rejects table and stored cases. A refused file stores nothing.
. "$ROOT/tests/lib.sh"
fixtures_from "$FIX/bad/csv" csv20

for f in empty.csv blank-lines.csv bom-only.csv header-only.csv missing-column.csv \
	unknown-column.csv repeated-column.csv header-late-missing-column.csv no-header.csv \
	unterminated-quote.csv stray-quote.csv text-after-quote.csv; do
	expect_fixture "$f"
	# stderr says what is wrong, with the file (and the line)
	case $f in
	empty.csv)
		expect_eq "$f: stderr" "$err" "loader: error: '$BAD/$f': the file has no header row" ;;
	header-only.csv)
		expect_eq "$f: stderr" "$err" ""
		expect_eq "$f: empty receipt" "$(cat "$TMP/reports/batch-1.receipt.csv")" \
			"record,creditor_reference,case_id,outcome,payment_reference"
		;;
	missing-column.csv)
		expect_eq "$f: stderr" "$err" "loader: error: '$BAD/$f': the header has no column 'debtor_city'" ;;
	unknown-column.csv)
		expect_eq "$f: stderr" "$err" "loader: error: '$BAD/$f': unknown column 'favourite_colour' in the header" ;;
	repeated-column.csv)
		expect_eq "$f: stderr" "$err" "loader: error: '$BAD/$f': column 'Debtor_Name' appears twice in the header" ;;
	no-header.csv)
		# the first row is data: it is not quoted back (it may be personal data)
		expect_eq "$f: stderr" "$err" "loader: error: '$BAD/$f': column 1 of the header is not a known column name" ;;
	unterminated-quote.csv)
		expect_eq "$f: stderr" "$err" \
			"loader: error: '$BAD/$f': a quoted field starting on line 5 is not closed before the end of the file"
		expect_eq "$f: batch message" "$(sql "SELECT message FROM batches")" \
			"a quoted field starting on line 5 is not closed before the end of the file"
		# A refused file is not "already loaded": loading it again
		# refuses it again, in the same batch, nothing doubled.
		run_loader load --conf "$CONF" --as-of 2026-11-01 "$BAD/$f"
		expect_eq "refused again: exit" "$rc" 1
		expect_eq "refused again: summary" "$out" "batch 1 refused: 2 records, 0 accepted, 0 skipped, 0 rejected"
		expect_eq "refused again: database" "$(sql "SELECT (SELECT count(*) || ' ' || min(status) FROM batches)
			|| ' / ' || (SELECT count(*) FROM rejects) || ' / ' || (SELECT count(*) FROM cases)")" "1 refused / 1 / 0"
		report_rows "$TMP/reports/batch-1.rejects.csv" >"$TMP/got.csv"
		diff -u "$BAD/unterminated-quote.expected-rejects.csv" "$TMP/got.csv" || fail "refused again: report differs"
		;;
	stray-quote.csv)
		expect_eq "$f: stderr" "$err" "loader: error: '$BAD/$f': broken quoting in the field starting on line 3" ;;
	esac
done
