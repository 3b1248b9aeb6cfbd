#!/usr/bin/env bash
# Bank files (SPEC 13), as far as this version goes:
# - every good fixture under fixtures/bank, and the hostile ones whose flaw
#   no schema sees (wrong totals, another account), is valid against its
#   ISO 20022 schema in ../shared/iso20022 (the loader itself never
#   validates against a schema);
# - bin/loader load detects a bank file and refuses it with exit 2 and
#   nothing stored (no batch, no report): the bank sink comes later.
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

# ---- the loader: a bank file is recognised and refused before anything is done
new_db bank_files
load_creditors
batches() { sql "SELECT count(*) FROM batches"; }
for f in camt054-001-02.xml camt053-001-08.xml bad/wrong-account.xml; do
	run_loader load --conf "$CONF" --as-of 2026-11-20 "$FIX/bank/$f"
	expect_eq "$f: exit" "$rc" 2
	expect_eq "$f: summary" "$out" ""
	expect_eq "$f: message" "$err" "loader: error: '$FIX/bank/$f': a bank file (ISO 20022 camt.053 or camt.054): bank files are not loaded yet by this version; nothing was loaded"
done
# gzip, --dry-run, and a case file given with it: nothing of them is loaded
gzip -c "$FIX/bank/camt054-001-04.xml" >"$TMP/camt.xml.gz"
run_loader load --conf "$CONF" --as-of 2026-11-01 --dry-run "$FIX/xml/cases-good.xml" "$TMP/camt.xml.gz"
expect_eq "gzip: exit" "$rc" 2
echo "$err" | grep -q "camt.xml.gz': a bank file" || fail "gzip: $err"
expect_eq "nothing stored" "$(batches)" 0
[ -z "$(ls -A "$TMP/reports" 2>/dev/null)" ] || fail "reports written: $(ls "$TMP/reports")"
# --kind bank, whatever the file
run_loader load --conf "$CONF" --kind bank --as-of 2026-11-01 "$FIX/cases/cases-mixed.csv"
expect_eq "--kind bank: exit" "$rc" 2
expect_eq "--kind bank: message" "$err" "loader: error: '$FIX/cases/cases-mixed.csv': --kind bank: bank files are not loaded yet by this version; nothing was loaded"
expect_eq "nothing stored" "$(batches)" 0
# other XML is loaded as before, and a root Document of another message is refused as XML
run_loader load --conf "$CONF" --as-of 2026-11-01 "$FIX/xml/cases-good.xml"
expect_eq "cases: exit" "$rc" 0
expect_eq "cases: summary" "$out" "batch 1 loaded: 6 records, 6 accepted, 0 skipped, 0 rejected"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$FIX/bank/bad/camt052.xml"
expect_eq "camt.052: exit" "$rc" 1
expect_eq "camt.052: code" "$(report_rows "$TMP/reports/batch-2.rejects.csv" | tail -n +2 | cut -d, -f2,5)" "2,FILE_MALFORMED"
echo "bank files refused with exit 2, nothing stored; other files as before"
