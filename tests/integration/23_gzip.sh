#!/usr/bin/env bash
# gzip input (SPEC 1, 8): a gzip case file loads exactly like the plain
# one; the magic bytes decide, not the name; concatenated members are one
# stream; a cut, corrupt or trailing-garbage stream is FILE_TRUNCATED and
# stores nothing; decompressed input over max_file_bytes is FILE_TOO_LARGE,
# for a bomb within seconds and in bounded memory, and for a plain file
# too. The hostile files are fixtures/bad/gz (make.sh, expected.tsv); the
# big ones are made here.
. "$ROOT/tests/lib.sh"
fixtures_from "$FIX/bad/gz" gzip23

stored_cases() {
	sql "SELECT string_agg(creditor_reference || ':' || original_amount || ':' || paid_amount || ':'
		|| debtor_name || ':' || debtor_street, '|' ORDER BY record) FROM cases"
}

# ---- the mixed fixture, plain and gzip: same summary, report and cases
fresh_db
run_loader load --conf "$CONF" --as-of 2026-11-01 "$FIX/cases/cases-mixed.csv"
expect_eq "plain: summary" "$out" "batch 1 loaded: 16 records, 5 accepted, 0 skipped, 11 rejected"
plain_cases=$(stored_cases)
gzip -n -9 <"$FIX/cases/cases-mixed.csv" >"$TMP/cases-mixed.csv.gz"
fresh_db
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/cases-mixed.csv.gz"
expect_eq "gzip: exit" "$rc" 0
expect_eq "gzip: summary" "$out" "batch 1 loaded: 16 records, 5 accepted, 0 skipped, 11 rejected"
report_rows "$TMP/reports/batch-1.rejects.csv" >"$TMP/got.csv"
diff -u "$FIX/cases/cases-mixed.expected-rejects.csv" "$TMP/got.csv" || fail "gzip: reject report differs"
expect_eq "gzip: same cases" "$(stored_cases)" "$plain_cases"
expect_eq "gzip: sha256 of the file as given" "$(sql "SELECT sha256 FROM batches")" \
	"$(sha256sum "$TMP/cases-mixed.csv.gz" | cut -d' ' -f1)"

# ---- the hostile gzip fixtures
for f in base.csv gzip-named.csv plain-named.csv.gz concatenated.csv.gz truncated-trailer.csv.gz \
	truncated-middle.csv.gz corrupt.csv.gz bad-crc.csv.gz trailing-garbage.csv.gz \
	empty-member.csv.gz magic-only.csv.gz; do
	expect_fixture "$f"
	case $f in
	base.csv) base_cases=$(stored_cases) ;;
	gzip-named.csv | plain-named.csv.gz | concatenated.csv.gz)
		expect_eq "$f: same cases as base.csv" "$(stored_cases)" "$base_cases" ;;
	truncated-trailer.csv.gz | truncated-middle.csv.gz)
		expect_eq "$f: stderr" "$err" "loader: error: '$BAD/$f': the gzip stream ends before its end marker (file cut short)" ;;
	bad-crc.csv.gz)
		expect_eq "$f: stderr" "$err" \
			"loader: error: '$BAD/$f': the gzip stream is corrupt at byte 611 of the decompressed data: incorrect data check" ;;
	esac
done

# ---- max_file_bytes = 1000000

# run_timed NAME FILE: load FILE under /usr/bin/time -v; sets rc, out, err,
# secs (wall clock, whole seconds) and rss (peak, kB)
run_timed() {
	local t0 t1
	t0=$(date +%s%N)
	set +e
	/usr/bin/time -v -o "$TMP/time.log" "$LOADER" load --conf "$CONF" --as-of 2026-11-01 "$2" >"$TMP/out" 2>"$TMP/stderr"
	rc=$?
	set -e
	t1=$(date +%s%N)
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/stderr")
	secs=$(((t1 - t0) / 1000000000))
	rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$TMP/time.log")
	[ "$secs" -lt 10 ] || fail "$1: took ${secs} s, expected under 10 s"
	[ "$rss" -lt 102400 ] || fail "$1: peak RSS ${rss} kB, expected below 100 MB"
}

# a zero bomb: 50 MB of zeros in about 200 kB of gzip
head -c 50000000 /dev/zero | gzip -n -1 >"$TMP/zero-bomb.gz"
fresh_db
sed -i 's/^max_file_bytes = .*/max_file_bytes = 1000000/' "$CONF"
run_timed "zero bomb" "$TMP/zero-bomb.gz"
expect_eq "zero bomb: exit" "$rc" 1
expect_eq "zero bomb: summary" "$out" "batch 1 refused: 0 records, 0 accepted, 0 skipped, 0 rejected"
expect_eq "zero bomb: stderr" "$err" \
	"loader: error: '$TMP/zero-bomb.gz': the decompressed input is larger than max_file_bytes (1000000 bytes)"
expect_eq "zero bomb: report" "$(report_rows "$TMP/reports/batch-1.rejects.csv")" \
	"$(printf 'record,line,creditor_reference,field,code\n,1,,,FILE_TOO_LARGE')"
expect_eq "zero bomb: database" "$(sql "SELECT status FROM batches")|$(sql "SELECT count(*) FROM cases")" "refused|0"

# a CSV bomb: a header and 50 MB of valid rows (about 150 kB of gzip):
# refused in the middle of the records, where the cap is crossed; nothing
# stored. The exact record depends on the read sizes: the report row is
# checked for its code and for record and line agreeing (one line a row).
H='creditor_id,creditor_reference,debtor_type,debtor_name,debtor_street,debtor_postal_code,debtor_city,debtor_country,invoice_number,invoice_date,due_date,original_amount,currency,claim_type,disputed'
# rows FILE N: the header and N valid, distinct records of about 100 bytes
rows() {
	python3 - "$H" "$2" >"$1" <<'PY'
import sys
out = sys.stdout
out.write(sys.argv[1] + '\n')
row = 'C1,C1-%07d,person,Anna Muster,Weg 1,3000,Bern,CH,INV-1,2026-09-01,2026-09-30,100.00,CHF,goods,false\n'
for i in range(int(sys.argv[2])):
    out.write(row % i)
PY
}
rows "$TMP/csv-bomb.csv" 500000
gzip -n -9 "$TMP/csv-bomb.csv"
run_timed "csv bomb" "$TMP/csv-bomb.csv.gz"
expect_eq "csv bomb: exit" "$rc" 1
[[ $out =~ ^batch\ 2\ refused:\ ([0-9]+)\ records,\ 0\ accepted,\ 0\ skipped,\ 0\ rejected$ ]] || fail "csv bomb: summary '$out'"
records=${BASH_REMATCH[1]}
((records > 0 && records < 10000)) || fail "csv bomb: $records records decoded before the refusal"
expect_eq "csv bomb: report" "$(report_rows "$TMP/reports/batch-2.rejects.csv")" \
	"$(printf 'record,line,creditor_reference,field,code\n%d,%d,,,FILE_TOO_LARGE' $((records + 1)) $((records + 2)))"
expect_eq "csv bomb: database" "$(sql "SELECT status || ':' || records FROM batches WHERE batch_id = 2")|$(sql "SELECT count(*) FROM cases")" \
	"refused:$records|0"

# a plain file over the cap is refused the same way
rows "$TMP/too-large.csv" 30000
run_timed "plain too large" "$TMP/too-large.csv"
expect_eq "plain too large: exit" "$rc" 1
expect_eq "plain too large: stderr" "$err" \
	"loader: error: '$TMP/too-large.csv': the decompressed input is larger than max_file_bytes (1000000 bytes)"
[[ $out =~ ^batch\ 3\ refused:\ ([0-9]+)\ records,\ 0\ accepted,\ 0\ skipped,\ 0\ rejected$ ]] || fail "plain too large: summary '$out'"
records=${BASH_REMATCH[1]}
expect_eq "plain too large: report" "$(report_rows "$TMP/reports/batch-3.rejects.csv")" \
	"$(printf 'record,line,creditor_reference,field,code\n%d,%d,,,FILE_TOO_LARGE' $((records + 1)) $((records + 2)))"
expect_eq "plain too large: nothing stored" "$(sql "SELECT count(*) FROM cases")" 0

# the cap counts decompressed bytes and is inclusive: a file of exactly
# max_file_bytes loads, plain or gzip; with a cap one byte lower it is
# refused
rows "$TMP/exact.csv" 100
size=$(stat -c %s "$TMP/exact.csv")
gzip -n -9 <"$TMP/exact.csv" >"$TMP/exact.csv.gz"
fresh_db
sed -i "s/^max_file_bytes = .*/max_file_bytes = $size/" "$CONF"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/exact.csv"
expect_eq "exact size: summary" "$out" "batch 1 loaded: 100 records, 100 accepted, 0 skipped, 0 rejected"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/exact.csv.gz"
expect_eq "exact size gzip: summary" "$out" "batch 2 loaded: 100 records, 0 accepted, 100 skipped, 0 rejected"
sed -i "s/^max_file_bytes = .*/max_file_bytes = $((size - 1))/" "$CONF"
gzip -n -1 <"$TMP/exact.csv" >"$TMP/exact-1.csv.gz" # other bytes, same content
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/exact-1.csv.gz"
expect_eq "one byte over: exit" "$rc" 1
[[ $out =~ ^batch\ 3\ refused:\ ([0-9]+)\ records,\ 0\ accepted,\ 0\ skipped,\ 0\ rejected$ ]] || fail "one byte over: summary '$out'"
records=${BASH_REMATCH[1]}
expect_eq "one byte over: report" "$(report_rows "$TMP/reports/batch-3.rejects.csv")" \
	"$(printf 'record,line,creditor_reference,field,code\n%d,%d,,,FILE_TOO_LARGE' $((records + 1)) $((records + 2)))"
expect_eq "one byte over: still 100 cases" "$(sql "SELECT count(*) FROM cases")" 100
