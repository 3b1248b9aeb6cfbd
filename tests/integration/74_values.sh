#!/usr/bin/env bash
# Issue 10, finding 6 (SPEC 2, 6 v2): bad input accepted or good input
# refused. C1 control characters in creditor_reference are BAD_FORMAT; an
# XML value with XML whitespace around it (valid against the XSD) is
# accepted; a transaction above max_amount is BAD_AMOUNT and every
# settlement still runs; a booking before the case's registration is
# BAD_DATE.
. "$ROOT/tests/lib.sh"
new_db values
load_creditors

# ---- XML: whitespace around values is the XSD's, not a reason to reject
python3 - "$FIX/xml/cases-good.xml" "$TMP/spaced.xml" <<'PY'
import re, sys
s = open(sys.argv[1], encoding="utf-8").read()
# every simple element's value gets a newline and tabs around it
s = re.sub(r"<(dueDate|date|birthDate|reminderDate|amount currency=\"[A-Z]+\"|paidAmount|feeAmount)>([^<]*)</",
           lambda m: "<%s>\n\t %s\r\n\t</" % (m.group(1), m.group(2)), s)
open(sys.argv[2], "w", encoding="utf-8").write(s)
PY
grep -q $'<dueDate>\n\t 2025-02-14' "$TMP/spaced.xml" || fail "the test file has no spaced value"
xmllint --noout --nonet --schema "$ROOT/schemas/case-file.xsd" "$TMP/spaced.xml" 2>"$TMP/xmllint" ||
	fail "the spaced file is not valid against the XSD: $(cat "$TMP/xmllint")"
records=$(grep -c '<case>' "$TMP/spaced.xml")
run_loader load --conf "$CONF" --as-of 2025-06-30 "$TMP/spaced.xml"
expect_eq "xml whitespace: summary" "$out" "batch 1 loaded: $records records, $records accepted, 0 skipped, 0 rejected"
expect_eq "xml whitespace: values stored trimmed" \
	"$(sql "SELECT creditor_reference || ' ' || due_date || ' ' || original_amount || ' ' || paid_amount FROM cases ORDER BY case_id LIMIT 1")" \
	"C1-2025-0001 2025-02-14 125050 25050"
# CSV keeps its own rule: spaces and tabs only
printf '%s\n' "$(head -n 1 "$FIX/cases/cases-mixed.csv")" >"$TMP/crlf-in-value.csv"
sed -n 2p "$FIX/cases/cases-mixed.csv" | sed 's/,C1-1001,/,"C1-1001\n",/' >>"$TMP/crlf-in-value.csv"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/crlf-in-value.csv"
expect_eq "csv: a line break inside a value" "$(python3 -c 'import csv, sys
for r in list(csv.reader(open(sys.argv[1], newline="")))[1:]: print(r[3], r[4], r[6])' "$TMP/reports/batch-2.rejects.csv")" \
	'creditor_reference BAD_FORMAT C1-1001\n'

# ---- C1 control characters (U+0085 NEL, U+009B CSI) in creditor_reference
for c in $'\xc2\x85' $'\xc2\x9b'; do
	printf '%s\n' "$(head -n 1 "$FIX/cases/cases-mixed.csv")" >"$TMP/c1.csv"
	sed -n 2p "$FIX/cases/cases-mixed.csv" | sed "s/,C1-1001,/,C1-10${c}01,/" >>"$TMP/c1.csv"
	run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/c1.csv"
	id=$(sql "SELECT max(batch_id) FROM batches")
	expect_eq "C1 control in csv" "$(rejects_of "$id" | cut -d, -f4,5,7)" \
		"creditor_reference,BAD_FORMAT,C1-10\\u00$(printf '%s' "$c" | od -An -tx1 | awk '{ print $2 }')01"
done
sed 's|<creditorReference>C1-2025-0001</creditorReference>|<creditorReference>C1-2025\xc2\x850001</creditorReference>|' \
	"$FIX/xml/cases-good.xml" >"$TMP/c1.xml"
run_loader load --conf "$CONF" --as-of 2025-06-30 "$TMP/c1.xml"
id=$(sql "SELECT max(batch_id) FROM batches")
expect_eq "C1 control in xml" "$(rejects_of "$id" | cut -d, -f1,4,5)" "1,creditor_reference,BAD_FORMAT"

# ---- a transaction above max_amount; the settlement runs afterwards
new_db values_tx
load_creditors
run_loader load --conf "$CONF" --as-of 2026-10-01 "$FIX/cases/cases-mixed.csv"
cat >"$TMP/tx.csv" <<'CSV'
creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason
C1,C1-1001,T-HUGE,payment,2026-10-20,9999999999999.99,CHF,
C1,C1-1001,T-MAX,credit_note,2026-10-20,10000000.01,CHF,
C1,C1-1001,T-OK,payment,2026-10-21,100.00,CHF,
C1,C1-1001,T-EARLY,payment,2026-09-30,5.00,CHF,
CSV
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/tx.csv"
expect_eq "amounts: summary" "$out" "batch 2 loaded: 4 records, 1 accepted, 0 skipped, 3 rejected"
expect_eq "amounts: report" "$(rejects_of 2 | cut -d, -f1,4,5,7)" "$(printf '%s\n' \
	"1,amount,BAD_AMOUNT,9999999999999.99" "2,amount,BAD_AMOUNT,10000000.01" "4,booking_date,BAD_DATE,2026-09-30")"
grep -q '^4,5,C1-1001,booking_date,BAD_DATE,booking_date is before the case was registered (2026-10-01),' \
	"$TMP/reports/batch-2.rejects.csv" || fail "booking before registration: message"
set +e
"$SETTLEMENT" run --conf "$CONF" --period 2026-10 --as-of 2026-11-02 --out "$TMP/st" >"$TMP/settle.out" 2>"$TMP/settle.err"
rc=$?
set -e
expect_eq "settlement after an overflowing amount was refused: exit" "$rc" 0
grep -q '^statement 2026-10-C1-CHF: 1 lines' "$TMP/settle.out" || fail "settlement: $(cat "$TMP/settle.out" "$TMP/settle.err")"
echo ok
