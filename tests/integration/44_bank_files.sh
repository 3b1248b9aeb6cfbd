#!/usr/bin/env bash
# Bank files (SPEC 13), the fixtures:
# - every good fixture under fixtures/bank, and the hostile ones whose flaw
#   no schema sees (wrong totals, another account), is valid against its
#   ISO 20022 schema in ../shared/iso20022 (the loader itself never
#   validates against a schema);
# - bin/loader load loads every good fixture (exit 0, as many records as
#   fixtures/bank/expected.tsv says; with no cases, no payment) and refuses
#   every bad one with exit 1 and the code of expected.tsv, storing nothing
#   of it; a copy of a loaded file stores nothing new. What becomes of each
#   record: tests/integration/45_bank_load.sh.
# The decoder's records and refusals are checked by tests/check_camt_decode.c
# against fixtures/bank/expected.tsv.
. "$ROOT/tests/lib.sh"

xsd_dir=${ISO20022_XSD_DIR:-$ROOT/../shared/iso20022}
[ -d "$xsd_dir" ] || fail "no ISO 20022 schemas in '$xsd_dir' (SPEC 13: ../shared/iso20022; or set ISO20022_XSD_DIR)"
n=0
for f in "$FIX"/bank/*.xml "$FIX"/bank/bad/totals-*.xml "$FIX"/bank/bad/wrong-account.xml; do
	version=$(grep -o 'urn:iso:std:iso:20022:tech:xsd:camt\.05[34]\.001\.0[0-9]' "$f" | head -n 1)
	[ -n "$version" ] || fail "$(basename "$f"): no camt namespace"
	xsd="$xsd_dir/${version##*:}.xsd"
	[ -f "$xsd" ] || fail "$(basename "$f"): no schema $xsd"
	xmllint --noout --nonet --schema "$xsd" "$f" >"$TMP/xmllint.out" 2>&1 ||
		fail "$(basename "$f") is not valid against ${version##*:}.xsd: $(cat "$TMP/xmllint.out")"
	n=$((n + 1))
done
[ "$n" -ge 10 ] || fail "only $n bank fixtures validated"
echo "$n bank fixtures valid against their schemas"
for v in camt.054.001.02 camt.054.001.04 camt.054.001.08 camt.053.001.04 camt.053.001.08; do
	grep -lq "xsd:$v\"" "$FIX"/bank/*.xml || fail "no good fixture of $v"
done


# ---- the loader: every fixture, the good ones loaded, the bad ones refused
new_db bank_files
printf '[agency]\nname = Inkasso Test AG\naccount.CHF = CH4431999123000889012\naccount.EUR = CH9300762011623852957\n' >>"$CONF"
load_creditors
stored() { sql "SELECT (SELECT count(*) FROM bank_records) || '/' || (SELECT count(*) FROM suspense) || '/'
	|| (SELECT count(*) FROM transactions)"; }
summary_re='^batch ([0-9]+) loaded: ([0-9]+) records, ([0-9]+) accepted, ([0-9]+) skipped, ([0-9]+) rejected, ([0-9]+) to suspense, ([0-9]+) ignored$'
batch=0
while IFS=$'\t' read -r f what code; do
	batch=$((batch + 1))
	was=$(stored)
	run_loader load --conf "$CONF" --as-of 2026-11-20 "$FIX/bank/$f"
	if [ "$what" = records ]; then
		expect_eq "$f: exit" "$rc" 0
		[[ "$out" =~ $summary_re ]] || fail "$f: summary '$out'"
		expect_eq "$f: batch, records" "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}" "$batch $code"
		# the outcomes add up to the records; no case, no payment
		expect_eq "$f: accepted + skipped + rejected + suspense + ignored" \
			"$((BASH_REMATCH[3] + BASH_REMATCH[4] + BASH_REMATCH[5] + BASH_REMATCH[6] + BASH_REMATCH[7]))" "$code"
		expect_eq "$f: payments" "$(sql "SELECT count(*) FROM transactions WHERE kind = 'payment'")" 0
	else
		expect_eq "$f: exit" "$rc" 1
		expect_eq "$f: code" "$(report_rows "$TMP/reports/batch-$batch.rejects.csv" | tail -n +2 | cut -d, -f5)" "$code"
		expect_eq "$f: status" "$(sql "SELECT status FROM batches WHERE batch_id = $batch")" refused
		expect_eq "$f: nothing stored" "$(stored)" "$was"
	fi
done < <(awk -F'\t' '$1 !~ /^#/ && ($2 == "records" || $2 == "refused") {print $1 "\t" $2 "\t" $3}' "$FIX/bank/expected.tsv")
[ "$batch" -ge 19 ] || fail "only $batch fixtures in expected.tsv"
# a good one again: already loaded; a copy of it under another message id
# (the same bank references) stores nothing new
was=$(stored)
run_loader load --conf "$CONF" --as-of 2026-11-20 "$FIX/bank/camt054-001-08.xml"
expect_eq "again" "$out" "already loaded as batch $(sql "SELECT batch_id FROM batches WHERE file_name = 'camt054-001-08.xml'")"
sed 's/MSG-CHF-20261105-0002/MSG-CHF-20261105-0002-COPY/' "$FIX/bank/camt054-001-08.xml" >"$TMP/copy.xml"
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/copy.xml"
expect_eq "a copy: exit" "$rc" 0
[[ "$out" =~ $summary_re ]] || fail "a copy: summary '$out'"
expect_eq "a copy: records, accepted, rejected, to suspense" \
	"${BASH_REMATCH[2]} ${BASH_REMATCH[3]} ${BASH_REMATCH[5]} ${BASH_REMATCH[6]}" "7 0 0 0"
expect_eq "a copy: nothing new" "$(stored)" "$was"
# other XML is loaded as before
run_loader load --conf "$CONF" --as-of 2026-11-01 "$FIX/xml/cases-good.xml"
expect_eq "cases: exit" "$rc" 0
expect_eq "cases: summary" "$out" "batch $((batch + 2)) loaded: 6 records, 6 accepted, 0 skipped, 0 rejected"
echo "$batch bank fixtures loaded or refused as expected.tsv says"
