#!/usr/bin/env bash
# Every hostile XML file through the real loader: a refused file exits 1
# with its code in the reject report and the database unchanged; a file
# with bad records loads the others and reports BAD_RECORD. Expectations
# come from fixtures/bad/xml/expected.tsv (the decoder's own table), plus
# the big ones made at test time (10,000-deep nesting, a 50 MB text node)
# with bounded time and memory.
. "$ROOT/tests/lib.sh"
new_db xml_hostile
load_creditors
as_of=2026-11-20
cases_before=$(sql "SELECT count(*) FROM cases")

check_refused() { # file code
	local f=$1 code=$2
	run_loader load --conf "$CONF" --as-of $as_of "$f"
	expect_eq "$(basename "$f"): exit" "$rc" 1
	id=$(echo "$out" | sed -n 's/^batch \([0-9]*\) refused:.*/\1/p')
	[ -n "$id" ] || fail "$(basename "$f"): no refused summary: $out"
	expect_eq "$(basename "$f"): code" "$(report_rows "$TMP/reports/batch-$id.rejects.csv" | tail -n +2 | cut -d, -f5)" "$code"
	expect_eq "$(basename "$f"): database unchanged" "$(sql "SELECT count(*) FROM cases")" "$cases_before"
	echo "$(basename "$f"): refused $code"
}

while IFS=$'\t' read -r file result code line record bad why; do
	case "$file" in '#'* | file | '') continue ;; esac
	# The loader chooses the decoder by content, not by name: CSV text in a
	# .xml file goes to the CSV decoder, whose header check refuses it.
	[ "$file" = not-xml.xml ] && code=FILE_HEADER
	if [ "$result" = refused ]; then
		check_refused "$FIX/bad/xml/$file" "$code"
	else
		run_loader load --conf "$CONF" --as-of $as_of --dry-run "$FIX/bad/xml/$file"
		expect_eq "$file: exit" "$rc" 0
		id=$(echo "$out" | sed -n 's/^batch \([0-9]*\) dry_run:.*/\1/p')
		n=${result% records}
		echo "$out" | grep -q ": $n records," || fail "$file: expected $n records: $out"
		for r in ${bad//,/ }; do
			report_rows "$TMP/reports/batch-$id.rejects.csv" | grep -q "^$r,.*,BAD_RECORD$" ||
				fail "$file: record $r not BAD_RECORD"
		done
		echo "$file: $n records, BAD_RECORD for $bad"
	fi
done <"$FIX/bad/xml/expected.tsv"

sh "$FIX/bad/xml/make-big.sh" "$TMP/big" >/dev/null
for f in deep-nesting big-text; do
	/usr/bin/time -f "%e %M" -o "$TMP/time" "$LOADER" load --conf "$CONF" --as-of $as_of "$TMP/big/$f.xml" >"$TMP/out" 2>/dev/null || true
	read -r secs kb < <(tail -n 1 "$TMP/time")
	grep -q 'refused' "$TMP/out" || fail "$f not refused"
	id=$(sed -n 's/^batch \([0-9]*\) refused:.*/\1/p' "$TMP/out")
	expect_eq "$f code" "$(report_rows "$TMP/reports/batch-$id.rejects.csv" | tail -n +2 | cut -d, -f5)" FILE_MALFORMED
	[ "${secs%.*}" -lt 20 ] || fail "$f took $secs s"
	[ "$kb" -lt 150000 ] || fail "$f used $kb KiB"
	echo "$f: refused in $secs s, peak RSS $kb KiB (sanitizer build)"
done
# the file that leaked /etc/passwd contents never reaches the database
expect_eq "no passwd in the database" "$(sql "SELECT count(*) FROM rejects WHERE message LIKE '%root:%'")" 0

# libxml2's own messages quote the document ("Entity 'X' not defined"):
# the loader uses its own words, so no document text reaches the logs
cat >"$TMP/entity-canary.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<caseFile xmlns="urn:inkasso:case-file:1">
  <case><creditorId>C1</creditorId><creditorReference>R1</creditorReference>
    <debtor type="person"><name>Canary &Zyxwvut;</name></debtor></case>
</caseFile>
XML
run_loader load --conf "$CONF" --as-of $as_of "$TMP/entity-canary.xml"
expect_eq "undefined entity: exit" "$rc" 1
echo "$err$out" | grep -q "Zyxwvut" && fail "document text in the output: $err"
echo "$err" | grep -q "an undefined entity is used" || fail "unclear message: $err"
