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
