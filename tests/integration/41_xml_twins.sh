#!/usr/bin/env bash
# The XML twin of each CSV fixture has the same outcome: counts, and per
# record the same codes and fields (lines differ: XML counts the line of
# the record's start tag). The fixtures are valid against the XSDs where
# the records are valid.
. "$ROOT/tests/lib.sh"
new_db xml_twins
load_creditors

run_loader load --conf "$CONF" --as-of 2026-11-01 "$FIX/xml/cases-mixed.xml"
expect_eq "cases exit" "$rc" 0
expect_eq "cases summary" "$out" "batch 1 loaded: 16 records, 5 accepted, 0 skipped, 11 rejected"
report_rows "$TMP/reports/batch-1.rejects.csv" | cut -d, -f1,3- >"$TMP/got.csv"
cut -d, -f1,3- "$FIX/cases/cases-mixed.expected-rejects.csv" >"$TMP/want.csv"
diff -u "$TMP/want.csv" "$TMP/got.csv" || fail "XML case rejects differ from the CSV twin"
expect_eq "xml line of record 5" "$(report_rows "$TMP/reports/batch-1.rejects.csv" | sed -n 2p | cut -d, -f2)" \
	"$(grep -n '<case>' "$FIX/xml/cases-mixed.xml" | sed -n 5p | cut -d: -f1)"
expect_eq "same stored amounts as CSV" "$(sql "SELECT string_agg(creditor_reference || ':' || principal || ':' || fees, ' ' ORDER BY case_id) FROM cases")" \
	"C1-1001:100000:5000 S1-2001:500000:18000 N1-3001:1250000:7000 D1-4001:99999:10000 C1-1003:7505:5000"

run_loader load --conf "$CONF" --as-of 2026-11-20 "$FIX/xml/transactions-mixed.xml"
expect_eq "tx exit" "$rc" 0
expect_eq "tx summary" "$out" "batch 2 loaded: 14 records, 4 accepted, 0 skipped, 10 rejected"
report_rows "$TMP/reports/batch-2.rejects.csv" | cut -d, -f1,3- >"$TMP/got.csv"
cut -d, -f1,3- "$FIX/transactions/transactions-mixed.expected-rejects.csv" >"$TMP/want.csv"
diff -u "$TMP/want.csv" "$TMP/got.csv" || fail "XML transaction rejects differ from the CSV twin"

# schema validity of the good fixtures
xmllint --noout --schema "$ROOT/schemas/case-file.xsd" "$FIX/xml/cases-good.xml" 2>/dev/null || fail "cases-good.xml not valid"
xmllint --noout --schema "$ROOT/schemas/transaction-file.xsd" "$FIX/xml/transactions-good.xml" 2>/dev/null || fail "transactions-good.xml not valid"
