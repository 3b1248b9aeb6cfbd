#!/usr/bin/env bash
# Case stages, collection notices and the case overview (SPEC 16, 5.1 v2,
# 9.1 v2, 9.3), with the real loader and settlement (fixtures/stages, the
# arithmetic in its README):
# - notice rules per country in CSV and XML alike (Denmark requires a
#   notice: NO_NOTICE; a notice_date that is not a date is BAD_DATE;
#   request_notice removes the reminder and notice requirements and starts
#   the case in stage notice), exact codes and line numbers;
# - event files in CSV and XML: every reject code of section 16 with its
#   line, identical resends skipped, the receipt; as engine_loader;
# - a case's stage on a date (ties: load order) in the case list;
# - the withdrawal fee of the stage on the withdrawal's booking date: a
#   statement with withdrawals in three stages, its lines, fees and VAT to
#   the cent;
# - the overview of a case with payments, a credit note, events and two
#   statements (text byte for byte, JSON field by field), unknown case or
#   creditor exit 2, and as engine_settlement.
source "$ROOT/tests/lib.sh"

SF="$FIX/stages"
OUT="$TMP/statements"

# the test configuration, with Denmark requiring a collection notice and
# Switzerland's fees of stages legal and surveillance
stage_conf() {
	sed -i -e '/^\[country\.DK\]/a notice_required = yes' \
		-e '/^\[country\.CH\]/a withdrawal_fee.legal = 300.00\nwithdrawal_fee.surveillance = 10.00' "$CONF"
}
# load AS_OF FILE EXPECTED_SUMMARY
load() {
	run_loader load --conf "$CONF" --as-of "$1" "$2"
	expect_eq "load $(basename "$2"): exit" "$rc" 0
	expect_eq "load $(basename "$2")" "$out" "$3"
}
# rejects_are BATCH EXPECTED_FILE
rejects_are() {
	report_rows "$TMP/reports/batch-$1.rejects.csv" >"$TMP/got.csv"
	diff -u "$2" "$TMP/got.csv" || fail "batch $1: reject report differs from $(basename "$2")"
}

# ---- the XML twin of the case file, alone ----
new_db stages_xml
stage_conf
load_creditors
load 2026-11-01 "$SF/cases-notice.xml" "batch 1 loaded: 14 records, 7 accepted, 0 skipped, 7 rejected"
rejects_are 1 "$SF/cases-notice-xml.expected-rejects.csv"
xml_cases=$(sql "SELECT string_agg(creditor_reference || ':' || coalesce(notice_date::text, '-') || ':' || request_notice,
	' ' ORDER BY case_id) FROM cases")

# ---- the CSV case file: notice rules per country ----
new_db stages
stage_conf
load_creditors
load 2026-11-01 "$SF/cases-notice.csv" "batch 1 loaded: 14 records, 7 accepted, 0 skipped, 7 rejected"
rejects_are 1 "$SF/cases-notice.expected-rejects.csv"
want="D-OK:2026-09-25:false D-REQ:-:true N-REQ:-:true C-A:-:false C-B:-:false C-C:-:true C-D:-:false"
expect_eq "cases stored" "$(sql "SELECT string_agg(creditor_reference || ':' || coalesce(notice_date::text, '-')
	|| ':' || request_notice, ' ' ORDER BY case_id) FROM cases")" "$want"
expect_eq "XML twin stores the same" "$xml_cases" "$want"
expect_eq "case numbers" "$(sql "SELECT string_agg(case_id || '=' || creditor_reference, ' ' ORDER BY case_id) FROM cases")" \
	"1=D-OK 2=D-REQ 3=N-REQ 4=C-A 5=C-B 6=C-C 7=C-D"
# the same file again: every case skipped (notice_date and request_notice compared)
load 2026-11-01 "$SF/cases-notice.csv" "already loaded as batch 1"
sed 's/^D1,D-OK,\(.*\),2026-09-25,$/D1,D-OK,\1,2026-09-26,/' "$SF/cases-notice.csv" >"$TMP/changed.csv"
load 2026-11-01 "$TMP/changed.csv" "batch 2 loaded: 14 records, 0 accepted, 6 skipped, 8 rejected"
expect_eq "a changed notice_date is DUPLICATE" "$(rejects_of 2 | head -n 1 | cut -d, -f1-5)" \
	"1,2,D-OK,creditor_reference,DUPLICATE"

# ---- events ----
load 2026-11-20 "$SF/events-2026-11.csv" "batch 3 loaded: 13 records, 8 accepted, 0 skipped, 5 rejected"
rejects_are 3 "$SF/events-2026-11.expected-rejects.csv"
expect_eq "event receipt" "$(tail -n +2 "$TMP/reports/batch-3.receipt.csv" | tr '\n' ' ')" \
	"1,C-A,EV-A1,4,accepted 2,C-B,EV-B1,5,accepted 3,C-B,EV-B2,5,accepted 4,C-A,EV-A2,4,accepted 10,D-OK,EV-DK1,1,accepted 11,C-A,EV-A3,4,accepted 12,C-D,EV-D1,7,accepted 13,N-REQ,EV-N0,3,accepted "
expect_eq "batch kind" "$(sql "SELECT kind FROM batches WHERE batch_id = 3")" "events"

# the stage on a date in the case list: C-A legal and then collection on
# 2026-11-10 (the later loaded event wins), C-C in stage notice from its
# registration (request_notice)
stages_on() {
	"$SETTLEMENT" cases --conf "$CONF" --creditor "$1" --as-of "$2" | tail -n +2 | cut -d, -f2,4,11 | tr '\n' ' '
}
expect_eq "header" "$("$SETTLEMENT" cases --conf "$CONF" --creditor C1 --as-of 2026-11-09 | head -n 1)" \
	"case_id,creditor_reference,debtor_name,status,original_amount,principal,fees,interest,last_transaction_date,payment_reference,stage"
expect_eq "C1 on 2026-11-09" "$(stages_on C1 2026-11-09)" "C-A,open,collection C-B,open,legal C-C,open,notice C-D,open,collection "
expect_eq "C1 on 2026-11-10" "$(stages_on C1 2026-11-10)" "C-A,open,collection C-B,open,legal C-C,open,notice C-D,open,collection "
expect_eq "C1 on 2026-11-12" "$(stages_on C1 2026-11-12)" "C-A,open,collection C-B,open,surveillance C-C,open,notice C-D,open,legal "
expect_eq "C1 on 2026-11-15" "$(stages_on C1 2026-11-15)" "C-A,open,legal C-B,open,surveillance C-C,open,notice C-D,open,legal "
expect_eq "D1 on 2026-11-15" "$(stages_on D1 2026-11-15)" "D-OK,open,legal D-REQ,open,notice "
expect_eq "N1 on 2026-11-19" "$(stages_on N1 2026-11-19)" "N-REQ,open,notice "

# ---- November: withdrawals in three stages ----
load 2026-11-20 "$SF/transactions-2026-11.csv" "batch 4 loaded: 6 records, 6 accepted, 0 skipped, 0 rejected"
# the resend of events, as a login role of engine_loader: identical ones
# skipped (also of a withdrawn case), another stage DUPLICATE, a new event
# of a withdrawn case CASE_CLOSED
psql -X -q -c "DROP ROLE IF EXISTS t_stages_l_$$; CREATE ROLE t_stages_l_$$ LOGIN IN ROLE engine_loader" \
	-c "DROP ROLE IF EXISTS t_stages_s_$$; CREATE ROLE t_stages_s_$$ LOGIN IN ROLE engine_settlement"
trap 'psql -X -q -c "DROP OWNED BY t_stages_l_$$, t_stages_s_$$; DROP ROLE t_stages_l_$$; DROP ROLE t_stages_s_$$" >/dev/null 2>&1 || true' EXIT
PGUSER=t_stages_l_$$ load 2026-11-25 "$SF/events-resend.xml" "batch 5 loaded: 5 records, 1 accepted, 2 skipped, 2 rejected"
rejects_are 5 "$SF/events-resend.expected-rejects.csv"
diff -u "$SF/events-resend.expected-receipt.csv" "$TMP/reports/batch-5.receipt.csv" || fail "resend receipt"
expect_eq "N1 on 2026-11-20" "$(stages_on N1 2026-11-20)" "N-REQ,open,collection "
expect_eq "events stored" "$(sql "SELECT count(*) FROM case_events")" 9

got=$("$SETTLEMENT" run --conf "$CONF" --period 2026-11 --as-of 2026-12-01 --out "$OUT" 2>"$TMP/err") ||
	{ cat "$TMP/err" >&2; fail "settle November"; }
expect_eq "November" "$got" "statement 2026-11-C1-CHF: 6 lines, net payout -193.04 CHF"
diff -u "$SF/expected/2026-11/C1-CHF.csv" "$OUT/2026-11/C1-CHF.csv" || fail "November statement differs"
expect_eq "fees by stage" "$(sql "SELECT string_agg(transaction_id || ':' || withdrawal_fee || ':' || written_off, ' '
	ORDER BY line_no) FROM statement_lines WHERE kind = 'withdrawal'")" "W-A:30000:85622 W-B:1000:55308 W-C:2500:45181"
expect_eq "November totals" "$(sql "SELECT payments || ' ' || credit_notes || ' ' || withdrawal_fees || ' '
	|| creditor_share || ' ' || commission || ' ' || payout_effect || ' ' || vat || ' ' || net_payout
	FROM statements WHERE statement_number = '2026-11-C1-CHF'")" "30000 5000 33500 20000 2859 -16359 2945 -19304"
for t in '<withdrawalFees>335.00</withdrawalFees>' '<commission>28.59</commission>' '<vat>29.45</vat>' \
	'<netPayout>-193.04</netPayout>'; do
	grep -qF "$t" "$OUT/2026-11/C1-CHF.xml" || fail "November XML has no $t"
done
valid_xml "$ROOT/schemas/statement.xsd" "$OUT/2026-11/C1-CHF.xml"

# ---- December, and a payment of January not settled ----
load 2026-12-15 "$SF/transactions-2026-12.csv" "batch 6 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected"
load 2026-12-15 "$SF/events-2026-12.csv" "batch 7 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected"
load 2027-01-05 "$SF/transactions-2027-01.csv" "batch 8 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected"
got=$("$SETTLEMENT" run --conf "$CONF" --period 2026-12 --as-of 2027-01-05 --out "$OUT" 2>"$TMP/err") ||
	{ cat "$TMP/err" >&2; fail "settle December"; }
expect_eq "December" "$got" "statement 2026-12-C1-CHF: 1 lines, net payout 251.83 CHF"
diff -u "$SF/expected/2026-12/C1-CHF.csv" "$OUT/2026-12/C1-CHF.csv" || fail "December statement differs"

# ---- the case overview ----
expect_eq "payment reference of case 7" "$(sql "SELECT payment_reference FROM cases WHERE case_id = 7")" "RF097"
"$SETTLEMENT" case --conf "$CONF" --creditor C1 --as-of 2027-01-05 C-D >"$TMP/case.txt" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "case C-D"; }
diff -u "$SF/case-C-D.expected.txt" "$TMP/case.txt" || fail "overview of C-D differs"
# options after the reference, as engine_settlement
PGUSER=t_stages_s_$$ "$SETTLEMENT" case --conf "$CONF" --creditor C1 C-D --as-of 2027-01-05 --json >"$TMP/case.json" \
	2>"$TMP/err" || { cat "$TMP/err" >&2; fail "case C-D --json"; }
python3 - "$TMP/case.json" <<'PY' || fail "overview JSON"
import json, sys
o = json.load(open(sys.argv[1]))
want = {
    "case_id": 7, "creditor_id": "C1", "creditor_reference": "C-D", "invoice_number": "CH-D",
    "payment_reference": "RF097", "as_of": "2027-01-05", "status": "open", "stage": "surveillance",
    "debtor_name": "Dario Delta", "debtor_city": "Basel", "currency": "CHF", "registered": "2026-11-01",
    "registration_stage": "collection", "original_amount": "800.00", "paid_amount": "0.00",
    "original_principal": "800.00", "original_fees": "50.00", "original_interest": "0.00",
    "principal": "407.44", "fees": "0.00", "interest": "0.00", "last_statement_number": "2026-12-C1-CHF",
}
for k, v in want.items():
    assert o[k] == v, (k, o[k], v)
def tx(date, tid, kind, amount, alloc, st):
    d = {"type": "transaction", "date": date, "booking_date": date, "transaction_id": tid, "kind": kind,
         "amount": amount, "reason": None, "statement_number": st}
    d.update(zip(["to_fees", "to_interest", "to_principal", "overpaid", "withdrawal_fee"], alloc))
    return d
def ev(date, eid, stage):
    return {"type": "event", "date": date, "event_date": date, "event_id": eid, "stage": stage,
            "statement_number": None}
history = [
    tx("2026-11-10", "PAY-D1", "payment", "100.00", ["50.00", "4.49", "45.51", "0.00", "0.00"], "2026-11-C1-CHF"),
    ev("2026-11-12", "EV-D1", "legal"),
    tx("2026-11-18", "CN-D1", "credit_note", "50.00", ["0.00", "0.00", "50.00", "0.00", "0.00"], "2026-11-C1-CHF"),
    ev("2026-12-10", "EV-D2", "surveillance"),
    tx("2026-12-10", "PAY-D2", "payment", "300.00", ["0.00", "2.95", "297.05", "0.00", "0.00"], "2026-12-C1-CHF"),
    tx("2027-01-03", "PAY-D3", "payment", "20.00", [None] * 5, None),
]
assert len(o["history"]) == len(history), o["history"]
for got, exp in zip(o["history"], history):
    assert got == exp, (got, exp)
PY

# C-A on 2026-11-12: still open (withdrawn on 2026-11-16), stage
# collection; its withdrawal in stage legal with the fee of 300.00
"$SETTLEMENT" case --conf "$CONF" --creditor C1 --as-of 2026-11-12 C-A >"$TMP/case-a.txt"
expect_eq "C-A status and stage" "$(grep -E '^  (status|stage) ' "$TMP/case-a.txt" | tr -s ' ')" " status open
 stage collection"
expect_eq "C-A withdrawal fee" "$(grep -A1 '^2026-11-16  withdrawal' "$TMP/case-a.txt" | tail -n 1)" \
	"            reason unjustified, withdrawal fee 300.00 charged to the creditor"
expect_eq "C-A original fees" "$(grep '^  at registration' "$TMP/case-a.txt" | tr -s ' ')" " at registration 1000.00 50.00 0.00"
"$SETTLEMENT" case --conf "$CONF" --creditor C1 --as-of 2026-12-01 C-A --json >"$TMP/case-a.json"
expect_eq "C-A on 2026-12-01" "$(python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); print(o["status"], o["stage"], o["principal"], [h.get("withdrawal_fee") for h in o["history"]])' "$TMP/case-a.json")" \
	"withdrawn legal 0.00 ['0.00', None, None, None, '300.00']"

# unknown case, unknown creditor, no reference: exit 2, nothing on stdout
for args in "--creditor C1 C-X" "--creditor Q9 C-A" "--creditor C1" "C-A"; do
	set +e
	# shellcheck disable=SC2086
	"$SETTLEMENT" case --conf "$CONF" $args >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	expect_eq "case $args: exit" "$rc" 2
	expect_eq "case $args: stdout" "$(cat "$TMP/out")" ""
done
echo "ok"
