#!/usr/bin/env bash
# Hostile CSV content (SPEC 5.1, 7): invalid UTF-8 and NUL bytes are
# BAD_ENCODING for their record only; control characters in
# creditor_reference are BAD_FORMAT; COPY markers, SQL, formulas and
# backslashes are stored verbatim; a 10 MB field is FIELD_TOO_LONG for its
# record in bounded memory while the rest loads; a field over the decoder's
# 16 MiB cap refuses the file (FILE_MALFORMED) in bounded memory.
. "$ROOT/tests/lib.sh"
fixtures_from "$FIX/bad/csv" csv22

# peak_rss_kb FILE: "Maximum resident set size" of a /usr/bin/time -v log
peak_rss_kb() {
	awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"
}

# ---- encoding: only the bad records are rejected, the good one is stored
expect_fixture invalid-utf8.csv
expect_eq "utf8: the valid record, byte for byte" \
	"$(sql "SELECT creditor_reference || ':' || (debtor_name = U&'M\\00FCller \\+01F600 \\00C6r\\00F8') FROM cases")" "C1-2506:true"
expect_fixture nul-byte.csv
expect_eq "nul: stored" "$(sql "SELECT string_agg(creditor_reference, ' ') FROM cases")" "C1-2603"

# ---- control characters in creditor_reference: BAD_FORMAT
expect_fixture control-reference.csv
expect_eq "control: stored" "$(sql "SELECT string_agg(creditor_reference, ' ') FROM cases")" "C1-2706"

# ---- COPY markers, SQL, formulas: every value stored exactly as the CSV
# says (Python's csv module is the oracle), nothing executed, no row lost.
expect_fixture copy-markers.csv
sql "SELECT json_agg(json_build_array(creditor_reference, debtor_name, debtor_street) ORDER BY record) FROM cases" >"$TMP/got.json"
python3 - "$BAD/copy-markers.csv" "$TMP/got.json" <<'PY' || fail "copy markers: stored values differ from the file"
import csv, json, sys
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    want = [[r['creditor_reference'], r['debtor_name'], r['debtor_street']] for r in csv.DictReader(f)]
got = json.load(open(sys.argv[2], encoding='utf-8'))
for w, g in zip(want, got):
    if w != g:
        print('want', json.dumps(w), '\ngot ', json.dumps(g), file=sys.stderr)
if len(want) != len(got) or want != got:
    sys.exit(1)
PY
expect_eq "copy: \\. alone is data" "$(sql "SELECT debtor_name || '|' || debtor_street FROM cases WHERE creditor_reference = 'C1-2801'")" '\.|\.'
expect_eq "copy: \\N is not NULL" "$(sql "SELECT count(*) FROM cases WHERE creditor_reference = 'C1-2802' AND debtor_name = E'\\\\N' AND debtor_street = E'\\\\N'")" 1
expect_eq "copy: tab kept" "$(sql "SELECT debtor_name = E'tab\\tinside' AND debtor_street = E'Weg\\t4' FROM cases WHERE creditor_reference = 'C1-2804'")" t
expect_eq "copy: line of \\. inside a quoted field" "$(sql "SELECT debtor_name = E'x\\n\\\\.\\ny' AND debtor_street = E'\\\\.\\n' FROM cases WHERE creditor_reference = 'C1-2808'")" t
expect_eq "copy: tables intact" "$(sql "SELECT count(*) FROM cases")|$(sql "SELECT count(*) FROM creditors")" "10|5"

# ---- a 10 MB debtor_name with 1000 quoted line breaks: FIELD_TOO_LONG for
# that record only, the records after it load, their lines are exact, and
# memory stays bounded.
H='creditor_id,creditor_reference,debtor_type,debtor_name,debtor_street,debtor_postal_code,debtor_city,debtor_country,invoice_number,invoice_date,due_date,original_amount,currency,claim_type,disputed'
T='3000,Bern,CH,INV-1,2026-09-01,2026-09-30,100.00,CHF,goods,false'
python3 - "$TMP/big-field.csv" "$H" "$T" <<'PY'
import sys
path, h, t = sys.argv[1:]
with open(path, 'w') as f:
    f.write(h + '\n')
    f.write('C1,C1-2901,person,Anna Muster,Weg 1,' + t + '\n')
    f.write('C1,C1-2902,person,"' + ('A' * 9999 + '\n') * 1000 + '",Weg 2,' + t + '\n')
    f.write('C1,C1-2903,person,Carla Muster,Weg 3,' + t + '\n')
    f.write('C1,C1-2904,person,Dora Muster,Weg 4,' + t.replace('2026-09-30', '2026-12-01') + '\n')
PY
fresh_db
set +e
/usr/bin/time -v -o "$TMP/time.log" "$LOADER" load --conf "$CONF" --as-of 2026-11-01 "$TMP/big-field.csv" >"$TMP/out" 2>"$TMP/stderr"
rc=$?
set -e
expect_eq "big field: exit" "$rc" 0
expect_eq "big field: summary" "$(cat "$TMP/out")" "batch 1 loaded: 4 records, 2 accepted, 0 skipped, 2 rejected"
expect_eq "big field: report" "$(report_rows "$TMP/reports/batch-1.rejects.csv")" \
	"$(printf 'record,line,creditor_reference,field,code\n2,3,C1-2902,debtor_name,FIELD_TOO_LONG\n4,1005,C1-2904,due_date,NOT_OVERDUE')"
expect_eq "big field: stored" "$(sql "SELECT string_agg(creditor_reference, ' ' ORDER BY record) FROM cases")" "C1-2901 C1-2903"
rss=$(peak_rss_kb "$TMP/time.log")
[ "$rss" -lt 102400 ] || fail "big field: peak RSS ${rss} kB, expected below 100 MB"

# ---- a 20 MB field: over CSV_MAX_FIELD_BYTES (16 MiB), the file is refused
# at once (FILE_MALFORMED at the line where the field starts), in bounded
# memory. SPEC 5.1 would say FIELD_TOO_LONG for the record; the decoder
# cannot skip a field it cannot hold, so it refuses the file.
python3 - "$TMP/huge-field.csv" "$H" "$T" <<'PY'
import sys
path, h, t = sys.argv[1:]
with open(path, 'w') as f:
    f.write(h + '\n')
    f.write('C1,C1-2951,person,Anna Muster,Weg 1,' + t + '\n')
    f.write('C1,C1-2952,person,Bruno Muster,"' + 'B' * 20000000 + '",' + t + '\n')
    f.write('C1,C1-2953,person,Carla Muster,Weg 3,' + t + '\n')
PY
rm -rf "$TMP/reports"
set +e
/usr/bin/time -v -o "$TMP/time.log" "$LOADER" load --conf "$CONF" --as-of 2026-11-01 "$TMP/huge-field.csv" >"$TMP/out" 2>"$TMP/stderr"
rc=$?
set -e
expect_eq "huge field: exit" "$rc" 1
expect_eq "huge field: summary" "$(cat "$TMP/out")" "batch 2 refused: 1 records, 0 accepted, 0 skipped, 0 rejected"
expect_eq "huge field: stderr" "$(cat "$TMP/stderr")" \
	"loader: error: '$TMP/huge-field.csv': a field starting on line 3 is longer than 16777216 bytes"
expect_eq "huge field: report" "$(report_rows "$TMP/reports/batch-2.rejects.csv")" \
	"$(printf 'record,line,creditor_reference,field,code\n2,3,,,FILE_MALFORMED')"
expect_eq "huge field: nothing more stored" "$(sql "SELECT count(*) FROM cases WHERE batch_id = 2")|$(sql "SELECT status FROM batches WHERE batch_id = 2")" "0|refused"
rss=$(peak_rss_kb "$TMP/time.log")
[ "$rss" -lt 102400 ] || fail "huge field: peak RSS ${rss} kB, expected below 100 MB"
