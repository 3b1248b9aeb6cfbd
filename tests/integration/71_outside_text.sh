#!/usr/bin/env bash
# Issue 10, findings 7 and 11: outside text never reaches the terminal or
# the logs raw (file names with a newline, an escape sequence, bytes that
# are not UTF-8); a creditor can fix a file from the reject report alone
# (the value column, the formula rule, the lines after the summary); a
# Windows-1252 file gets a hint, a UTF-16 file and an XML file declaring
# another encoding are refused saying so.
. "$ROOT/tests/lib.sh"
new_db outside
python3 "$ROOT/tests/tools/gen.py" creditors 2 "$TMP/creditors.csv"
load_creditors "$TMP/creditors.csv"
python3 "$ROOT/tests/tools/gen.py" cases 4 "$TMP/base.csv" 2

# ---- file names: an escape sequence, a newline, bytes that are not UTF-8
esc="$TMP/esc"$'\x1b'"[31mred.csv"
nl="$TMP/new"$'\n'"line.csv"
latin="$TMP/caf"$'\xe9'".csv"
{ head -n 1 "$TMP/base.csv"; sed -n 2p "$TMP/base.csv"; } >"$esc"
{ head -n 1 "$TMP/base.csv"; sed -n 3p "$TMP/base.csv"; } >"$nl"
{ head -n 1 "$TMP/base.csv"; sed -n 4p "$TMP/base.csv"; } >"$latin"
# a bad record, so that the report lines follow the summary
sed -n 5p "$TMP/base.csv" | sed 's/,CHF,/,EUR,/; s/,SEK,/,EUR,/' >>"$esc"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$esc" "$nl" "$latin"
expect_eq "odd names: exit" "$rc" 0
expect_eq "odd names: summaries" "$out" "$(printf '%s\n' \
	"batch 1 loaded: 2 records, 1 accepted, 0 skipped, 1 rejected" \
	"batch 2 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected" \
	"batch 3 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected")"
if grep -q $'\x1b' <<<"$err"; then fail "an escape sequence reached stderr: $err"; fi
expect_eq "odd names: stored escaped" "$(sql "SELECT string_agg(file_name, ' | ' ORDER BY batch_id) FROM batches")" \
	'esc\x1b[31mred.csv | new\nline.csv | caf\xe9.csv'
run_loader status --conf "$CONF"
if grep -q $'\x1b' <<<"$out"; then fail "an escape sequence in status"; fi
expect_eq "status: one line per batch (and one reason line)" "$(wc -l <<<"$out")" 4
grep -qF 'esc\x1b[31mred.csv' <<<"$out" || fail "status: escaped name missing: $out"
grep -qF 'new\nline.csv' <<<"$out" || fail "status: escaped newline missing"
grep -qF 'caf\xe9.csv' <<<"$out" || fail "status: escaped byte missing"
awk 'length($0) > 120 { exit 1 }' <<<"$out" || fail "status is wider than 120 columns"
# the path as given is kept for rerun: a non-UTF-8 name can be re-run
run_loader rerun --conf "$CONF" 3
expect_eq "rerun of a non-UTF-8 name" "$out" "batch 4 loaded: 1 records, 0 accepted, 1 skipped, 0 rejected"
# errors name the file escaped too
run_loader load --conf "$CONF" "$TMP/no"$'\x1b'"such.csv"
expect_eq "missing odd name: exit" "$rc" 2
expect_eq "missing odd name: message" "$err" "loader: error: cannot read '$TMP/no\\x1bsuch.csv': no such file or directory"

# ---- the reject report: value column, formula rule; stderr after the summary
hdr=$(head -n 1 "$TMP/base.csv")
r1=$(sed -n 2p "$TMP/base.csv")
python3 - "$TMP/base.csv" "$TMP/values.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
h, body = rows[0], rows[1:]
i = {n: k for k, n in enumerate(h)}
out = [h]
a = list(body[0]); a[i["original_amount"]] = "12.345"; a[i["creditor_reference"]] = "=HYPERLINK(\"x\")"
b = list(body[1]); b[i["due_date"]] = "2026-02-30"; b[i["creditor_reference"]] = "+SUM(1)"
c = list(body[2]); c[i["debtor_postal_code"]] = "80\x0101"; c[i["creditor_reference"]] = "-R3"
d = list(body[3]); d[i["original_amount"]] = "1,5"
out += [a, b, c, d]
csv.writer(open(sys.argv[2], "w", newline="", encoding="utf-8"), lineterminator="\n").writerows(out)
PY
new_db outside_values
load_creditors "$TMP/creditors.csv"
rm -rf "$TMP/reports"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/values.csv"
expect_eq "values: summary" "$out" "batch 1 loaded: 4 records, 0 accepted, 0 skipped, 4 rejected"
expect_eq "values: report" "$(cat "$TMP/reports/batch-1.rejects.csv")" "$(cat <<'CSV'
record,line,creditor_reference,field,code,message,value
1,2,"'=HYPERLINK(""x"")",original_amount,BAD_AMOUNT,original_amount is not an amount like 1234.50,12.345
2,3,'+SUM(1),due_date,BAD_DATE,due_date is not a date YYYY-MM-DD,2026-02-30
3,4,'-R3,debtor_postal_code,BAD_FORMAT,debtor_postal_code is not a postal code of the debtor's country,80\x0101
4,5,REF-000000003,original_amount,BAD_AMOUNT,original_amount is not an amount like 1234.50,"1,5"
CSV
)"
expect_eq "values: stderr after the summary" "$err" \
	"loader: batch 1: reject report $TMP/reports/batch-1.rejects.csv; most frequent: BAD_AMOUNT 2, BAD_DATE 1, BAD_FORMAT 1"

# ---- encodings: Windows-1252 (a hint), UTF-16 and a foreign XML declaration (refused)
python3 - "$TMP/base.csv" "$TMP/cp1252.csv" "$TMP/utf16.csv" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
# every record gets a name with a letter outside ASCII
lines = text.split("\n")
lines = [lines[0]] + [l.replace(",person,", ",person,Jürg ", 1).replace(",company,", ",company,Grüter ", 1) for l in lines[1:]]
open(sys.argv[2], "wb").write("\n".join(lines).encode("cp1252"))
open(sys.argv[3], "wb").write(text.encode("utf-16"))
PY
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/cp1252.csv"
expect_eq "cp1252: summary" "$out" "batch 2 loaded: 4 records, 0 accepted, 0 skipped, 4 rejected"
expect_eq "cp1252: hint" "$(tail -n 1 <<<"$err")" \
	"loader: batch 2: hint: 4 of 4 records are not UTF-8 text; if the file comes from Excel or another Windows program, convert it and load it again: iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8.csv"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/utf16.csv"
expect_eq "utf-16: exit" "$rc" 1
expect_eq "utf-16: summary" "$out" "batch 3 refused: 0 records, 0 accepted, 0 skipped, 0 rejected"
expect_eq "utf-16: message" "$err" \
	"loader: error: '$TMP/utf16.csv': the file is UTF-16 or UTF-32 text, not UTF-8: convert it first, e.g. iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8"
expect_eq "utf-16: report" "$(rejects_of 3)" ",1,,,FILE_MALFORMED,\"the file is UTF-16 or UTF-32 text, not UTF-8: convert it first, e.g. iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8\","
sed 's/encoding="UTF-8"/encoding="ISO-8859-1"/' "$FIX/xml/cases-good.xml" >"$TMP/latin1.xml"
grep -q 'ISO-8859-1' "$TMP/latin1.xml" || fail "fixture has no encoding declaration"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/latin1.xml"
expect_eq "xml encoding: exit" "$rc" 1
expect_eq "xml encoding: message" "$err" \
	"loader: error: '$TMP/latin1.xml': the XML declaration names the encoding 'ISO-8859-1', but only UTF-8 is accepted: convert the file (e.g. iconv -f ISO-8859-1 -t UTF-8) and declare encoding=\"UTF-8\""
expect_eq "nothing stored" "$(sql "SELECT count(*) FROM cases")" 0
echo ok
