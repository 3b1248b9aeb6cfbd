#!/usr/bin/env bash
# A CSV case file with every kind of record error: exact counts, codes,
# fields, line numbers (quoted line breaks counted), stored rows, receipt,
# idempotent re-load.
. "$ROOT/tests/lib.sh"
new_db cases_csv
load_creditors

run_loader load --conf "$CONF" --as-of 2026-11-01 "$FIX/cases/cases-mixed.csv"
expect_eq "exit status" "$rc" 0
expect_eq "summary" "$out" "batch 1 loaded: 16 records, 5 accepted, 0 skipped, 11 rejected"

report_rows "$TMP/reports/batch-1.rejects.csv" >"$TMP/got.csv"
diff -u "$FIX/cases/cases-mixed.expected-rejects.csv" "$TMP/got.csv" || fail "reject report differs"
expect_eq "report mode" "$(stat -c %a "$TMP/reports/batch-1.rejects.csv")" 600
expect_eq "receipt mode" "$(stat -c %a "$TMP/reports/batch-1.receipt.csv")" 600
expect_eq "rejects table" "$(sql "SELECT count(*), count(DISTINCT record) FROM rejects WHERE batch_id = 1")" "23|11"

# the stored cases, to the cent
expect_eq "cases" "$(sql "SELECT string_agg(creditor_reference || ':' || original_amount || ':' || paid_amount || ':' || principal || ':' || fees || ':' || accrued_to, ' ' ORDER BY case_id) FROM cases")" \
	"C1-1001:120050:20050:100000:5000:2026-08-31 S1-2001:500000:0:500000:18000:2026-07-31 N1-3001:1250000:0:1250000:7000:2026-06-15 D1-4001:99999:0:99999:10000:2026-05-31 C1-1003:7505:0:7505:5000:2026-09-30"
expect_eq "verbatim name" "$(sql "SELECT debtor_name FROM cases WHERE creditor_reference = 'C1-1003'")" \
	"Robert'); DROP TABLE cases;-- =HYPERLINK(\"x\")"
expect_eq "quoted line break kept" "$(sql "SELECT debtor_street = E'Nørregade 4\n2. sal' FROM cases WHERE creditor_reference = 'D1-4001'")" "t"
expect_eq "batch row" "$(sql "SELECT kind, status, records, accepted, skipped, rejected, as_of FROM batches")" \
	"cases|loaded|16|5|0|11|2026-11-01"

# receipt: one row per accepted record with the agency's case number and
# its payment reference (SPEC 12; the test configuration's scheme is scor)
read -r r1 r2 r3 r4 r5 <<<"$(python3 "$ROOT/tests/tools/payref.py" scor 1 2 3 4 5 | tr '\n' ' ')"
expect_eq "receipt" "$(cat "$TMP/reports/batch-1.receipt.csv")" "$(printf 'record,creditor_reference,case_id,outcome,payment_reference\n1,C1-1001,1,accepted,%s\n2,S1-2001,2,accepted,%s\n3,N1-3001,3,accepted,%s\n4,D1-4001,4,accepted,%s\n6,C1-1003,5,accepted,%s' "$r1" "$r2" "$r3" "$r4" "$r5")"
expect_eq "payment references stored" "$(sql "SELECT string_agg(payment_reference, ' ' ORDER BY case_id) FROM cases")" "$r1 $r2 $r3 $r4 $r5"

# the same file again: nothing changes
run_loader load --conf "$CONF" --as-of 2026-11-01 "$FIX/cases/cases-mixed.csv"
expect_eq "re-load exit" "$rc" 0
expect_eq "re-load message" "$out" "already loaded as batch 1"
expect_eq "no new batch" "$(sql "SELECT count(*) FROM batches")" 1

# a corrected resend: identical records skipped, a changed one DUPLICATE
head -n 6 "$FIX/cases/cases-mixed.csv" >"$TMP/resend.csv"
sed -n '8p' "$FIX/cases/cases-mixed.csv" | sed 's/75\.05/75.06/' >>"$TMP/resend.csv"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/resend.csv"
expect_eq "resend exit" "$rc" 0
expect_eq "resend summary" "$out" "batch 2 loaded: 5 records, 0 accepted, 4 skipped, 1 rejected"
expect_eq "resend rejects" "$(report_rows "$TMP/reports/batch-2.rejects.csv" | tail -n +2)" "5,7,C1-1003,creditor_reference,DUPLICATE"
expect_eq "resend receipt" "$(tail -n +2 "$TMP/reports/batch-2.receipt.csv")" "$(printf '1,C1-1001,1,skipped,%s\n2,S1-2001,2,skipped,%s\n3,N1-3001,3,skipped,%s\n4,D1-4001,4,skipped,%s' "$r1" "$r2" "$r3" "$r4")"
expect_eq "still 5 cases" "$(sql "SELECT count(*) FROM cases")" 5
