#!/usr/bin/env bash
# Bank files loaded (SPEC 13): a camt.054 of the agency's CHF account whose
# credits carry the payment references of loaded cases (QR references in
# Switzerland, OCR in Sweden): each outcome of the table (accepted, every
# suspense reason, BAD_DATE and BAD_AMOUNT rejects, a pending entry and a
# fee ignored), a reversal of a suspense item and of a payment; the same
# file again; an overlapping file (skipped, DUPLICATE); the suspense list;
# assignment files with each of their codes; a reversal of an assigned
# payment; refused files leave the database as it was; one reference string
# in two currencies (the case of the credit's currency first).
. "$ROOT/tests/lib.sh"

new_db bank_load
# the test configuration, with the agency's accounts and the schemes of
# the countries' payment references
sed -i -e 's/^\[country\.CH\]$/&\npayment_reference = qrr/' -e 's/^\[country\.SE\]$/&\npayment_reference = ocr/' "$CONF"
add_agency CHF=CH4431999123000889012 SEK=SE4550000000058398257466 EUR=CH9300762011623852957
load_creditors
CHF=CH4431999123000889012

cat >"$TMP/cases.csv" <<'EOF'
creditor_id,creditor_reference,debtor_type,debtor_name,debtor_national_id,debtor_birth_date,debtor_street,debtor_postal_code,debtor_city,debtor_country,debtor_email,debtor_phone,invoice_number,invoice_date,due_date,original_amount,currency,paid_amount,fee_amount,interest_amount,claim_type,disputed,reminder_date
C1,B-A,person,Vera Amsler,,,Seestrasse 1,8002,Zürich,CH,,,A-1,2026-08-31,2026-09-30,500.00,CHF,,,,goods,false,
C1,B-B,person,Beat Brunner,,,Marktgasse 2,3011,Bern,CH,,,B-1,2026-08-31,2026-09-30,300.00,CHF,,,,goods,false,
C1,B-C,person,Carla Conti,,,Via Nassa 3,6900,Lugano,CH,,,C-1,2026-08-31,2026-09-30,200.00,CHF,,,,goods,false,
S1,B-D,company,Dala Trä AB,,,Storgatan 4,79130,Falun,SE,,,D-1,2026-08-31,2026-09-30,1000.00,SEK,,,,goods,false,2026-10-10
EOF
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/cases.csv"
expect_eq "cases" "$out" "batch 1 loaded: 4 records, 4 accepted, 0 skipped, 0 rejected"
printf 'creditor_id,creditor_reference,transaction_id,kind,booking_date,amount,currency,reason\nC1,B-B,W-1,withdrawal,2026-11-02,,,goodwill\n' >"$TMP/tx.csv"
run_loader load --conf "$CONF" --as-of 2026-11-02 "$TMP/tx.csv"
expect_eq "withdrawal" "$out" "batch 2 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected"
case_of() { sql "SELECT case_id FROM cases WHERE creditor_reference = '$1'"; }
ref_of() { sql "SELECT payment_reference FROM cases WHERE creditor_reference = '$1'"; }
A=$(case_of B-A) B=$(case_of B-B) C=$(case_of B-C) D=$(case_of B-D)
# the references the creditors printed on their letters, by SPEC 12
expect_eq "references" "$(ref_of B-A) $(ref_of B-D)" \
	"$(python3 "$ROOT/tests/tools/payref.py" qrr "$A") $(python3 "$ROOT/tests/tools/payref.py" ocr "$D")"
refA=$(ref_of B-A) refB=$(ref_of B-B) refD=$(ref_of B-D)
# a QR reference written in groups of five, as on the slip
refA_slip="${refA:0:2} ${refA:2:5} ${refA:7:5} ${refA:12:5} ${refA:17:5} ${refA:22:5}"
bad_ref="${refA:0:26}$(((${refA:26:1} + 1) % 10))"
nobody=$(python3 "$ROOT/tests/tools/payref.py" qrr 999999)

# camt FILE MSGID: a camt.054.001.08 of the CHF account from stdin, valid
# against its schema
camt() { camt_file "$1" "$CHF" "$2"; }
# status date amount currency direction reversal reference acct_svcr_ref uetr end_to_end_id entry_acct_svcr_ref debtor
T=$'\t'
camt "$TMP/bank1.xml" M-1 <<EOF
BOOK${T}2026-11-05${T}120.00${T}CHF${T}CRDT${T}-${T}$refA_slip${T}T-1${T}-${T}E2E-A${T}N-1${T}Vera Amsler
BOOK${T}2026-11-05${T}80.00${T}CHF${T}CRDT${T}-${T}-${T}T-2${T}6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7${T}-${T}N-2${T}Jürg Keller
BOOK${T}2026-11-05${T}50.00${T}CHF${T}CRDT${T}-${T}$bad_ref${T}T-3${T}-${T}-${T}N-3${T}Carla Conti
BOOK${T}2026-11-06${T}60.00${T}CHF${T}CRDT${T}-${T}$nobody${T}T-4${T}-${T}-${T}N-4${T}-
BOOK${T}2026-11-06${T}70.00${T}CHF${T}CRDT${T}-${T}$refB${T}T-5${T}-${T}-${T}N-5${T}Beat Brunner
BOOK${T}2026-11-06${T}90.00${T}CHF${T}CRDT${T}-${T}$refD${T}T-6${T}-${T}-${T}N-6${T}Dala Trä AB
BOOK${T}2026-11-25${T}10.00${T}CHF${T}CRDT${T}-${T}$refA${T}T-7${T}-${T}-${T}N-7${T}-
BOOK${T}2026-11-07${T}0.00${T}CHF${T}CRDT${T}-${T}$refA${T}T-8${T}-${T}-${T}N-8${T}-
PDNG${T}-${T}40.00${T}CHF${T}CRDT${T}-${T}$refA${T}T-9${T}-${T}-${T}N-9${T}-
BOOK${T}2026-11-07${T}5.00${T}CHF${T}DBIT${T}-${T}-${T}T-10${T}-${T}-${T}N-10${T}-
BOOK${T}2026-11-08${T}80.00${T}CHF${T}DBIT${T}true${T}-${T}T-11${T}6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7${T}-${T}N-11${T}Jürg Keller
EOF
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/bank1.xml"
expect_eq "bank 1: exit" "$rc" 0
expect_eq "bank 1: summary" "$out" \
	"batch 3 loaded: 11 records, 2 accepted, 0 skipped, 2 rejected, 5 to suspense, 2 ignored"
expect_eq "bank 1: rejects" "$(report_rows "$TMP/reports/batch-3.rejects.csv" | tail -n +2)" \
	"7,$(grep -n '<TxDtls>' "$TMP/bank1.xml" | sed -n 7p | cut -d: -f1),,booking_date,BAD_DATE
8,$(grep -n '<TxDtls>' "$TMP/bank1.xml" | sed -n 8p | cut -d: -f1),,amount,BAD_AMOUNT"
bank_id() { sql "SELECT id FROM bank_records WHERE bank_reference = '$1'"; }
expect_eq "bank 1: receipt" "$(cat "$TMP/reports/batch-3.receipt.csv")" "record,bank_reference,transaction_id,case_id,outcome
1,T-1,BANK-$(bank_id T-1),$A,accepted
2,T-2,,,suspense
3,T-3,,,suspense
4,T-4,,,suspense
5,T-5,,,suspense
6,T-6,,,suspense
9,T-9,,,ignored
10,T-10,,,ignored
11,T-11,,,accepted"
# one payment, on the booking date, for the amount the bank booked
expect_eq "bank 1: payment" "$(sql "SELECT creditor_id || ' ' || creditor_reference || ' ' || transaction_id || ' ' || kind
	|| ' ' || booking_date || ' ' || amount || ' ' || currency FROM transactions WHERE batch_id = 3")" \
	"C1 B-A BANK-$(bank_id T-1) payment 2026-11-05 12000 CHF"
# the suspense items, in file order, with their reasons; the one the bank
# took back (T-11 reverses T-2 by its UETR) is closed
expect_eq "bank 1: suspense" "$(sql "SELECT string_agg(bank_reference || ' ' || amount || ' ' || coalesce(reference, '-')
	|| ' ' || reason || ' ' || status, E'\n' ORDER BY bank_record_id) FROM suspense")" \
	"T-2 8000 - NO_REFERENCE reversed
T-3 5000 $bad_ref BAD_REFERENCE open
T-4 6000 $nobody UNKNOWN_REFERENCE open
T-5 7000 $refB CASE_CLOSED open
T-6 9000 $refD CURRENCY_MISMATCH open"
expect_eq "bank 1: the reference as stored (spaces removed)" "$(sql "SELECT reference FROM bank_records WHERE bank_reference = 'T-1'")" "$refA"
expect_eq "bank 1: debtor names stored" "$(sql "SELECT debtor_name FROM bank_records WHERE bank_reference = 'T-2'")" "Jürg Keller"
grep -q "Jürg" "$TMP/all-stderr" && fail "a debtor's name was logged"
expect_eq "bank 1: status" "$("$LOADER" status --conf "$CONF" --json 3 | python3 -c 'import json,sys; b=json.load(sys.stdin); print(b["kind"], b["status"], b["records"], b["accepted"], b["rejected"], b["suspense"], b["ignored"])')" \
	"bank loaded 11 2 2 5 2"
expect_eq "bank 1: status detail" "$("$LOADER" status --conf "$CONF" 3 | grep -E '^(suspense|ignored) ')" "suspense  5
ignored   2"

# ---- the same file again: already loaded, nothing new
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/bank1.xml"
expect_eq "bank 1 again: exit" "$rc" 0
expect_eq "bank 1 again" "$out" "already loaded as batch 3"

# ---- an overlapping file: T-1 again (skipped), T-3 with another amount
# (DUPLICATE), a new payment, and the reversal of the payment T-1 by its
# EndToEndId (a reversal transaction of that payment)
camt "$TMP/bank2.xml" M-2 <<EOF
BOOK${T}2026-11-05${T}120.00${T}CHF${T}CRDT${T}-${T}$refA_slip${T}T-1${T}-${T}E2E-A${T}N-1${T}Vera Amsler
BOOK${T}2026-11-05${T}55.00${T}CHF${T}CRDT${T}-${T}$bad_ref${T}T-3${T}-${T}-${T}N-3${T}Carla Conti
BOOK${T}2026-11-12${T}200.00${T}CHF${T}CRDT${T}-${T}$(ref_of B-C)${T}T-20${T}-${T}-${T}N-20${T}Carla Conti
BOOK${T}2026-11-13${T}120.00${T}CHF${T}DBIT${T}true${T}-${T}T-21${T}-${T}E2E-A${T}N-21${T}Vera Amsler
EOF
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/bank2.xml"
expect_eq "bank 2: summary" "$out" \
	"batch 4 loaded: 4 records, 2 accepted, 1 skipped, 1 rejected, 0 to suspense, 0 ignored"
expect_eq "bank 2: reject" "$(report_rows "$TMP/reports/batch-4.rejects.csv" | tail -n +2 | cut -d, -f1,4,5)" "2,bank_reference,DUPLICATE"
expect_eq "bank 2: receipt" "$(cat "$TMP/reports/batch-4.receipt.csv")" "record,bank_reference,transaction_id,case_id,outcome
1,T-1,BANK-$(bank_id T-1),$A,skipped
3,T-20,BANK-$(bank_id T-20),$C,accepted
4,T-21,BANK-$(bank_id T-21),$A,accepted"
expect_eq "bank 2: transactions" "$(sql "SELECT string_agg(t.creditor_reference || ' ' || t.kind || ' ' || t.booking_date || ' '
	|| t.amount || ' ' || coalesce(o.transaction_id, '-'), E'\n' ORDER BY t.record)
	FROM transactions t LEFT JOIN transactions o ON o.creditor_id = t.creditor_id AND o.tx_id = t.reverses WHERE t.batch_id = 4")" \
	"B-C payment 2026-11-12 20000 -
B-A reversal 2026-11-13 12000 BANK-$(bank_id T-1)"

# ---- the suspense list: open items, --all, --json
run_loader suspense --conf "$CONF" --json
expect_eq "suspense --json: exit" "$rc" 0
ids=$(sql "SELECT string_agg(id::text, ' ' ORDER BY id) FROM suspense WHERE bank_reference IN ('T-3', 'T-4', 'T-5', 'T-6')")
expect_eq "suspense --json" "$(python3 -c '
import json, sys
for o in json.load(sys.stdin):
    print(" ".join(str(o[k]) for k in ("id", "batch", "account", "bank_reference", "booking_date", "amount",
                                        "currency", "reference", "reason", "status", "debtor_name")))' <<<"$out")" \
	"$(set -- $ids; printf '%s\n' "$1 3 $CHF T-3 2026-11-05 50.00 CHF $bad_ref BAD_REFERENCE open Carla Conti" \
		"$2 3 $CHF T-4 2026-11-06 60.00 CHF $nobody UNKNOWN_REFERENCE open None" \
		"$3 3 $CHF T-5 2026-11-06 70.00 CHF $refB CASE_CLOSED open Beat Brunner" \
		"$4 3 $CHF T-6 2026-11-06 90.00 CHF $refD CURRENCY_MISMATCH open Dala Trä AB")"
run_loader suspense --conf "$CONF" --all
expect_eq "suspense --all: lines" "$(wc -l <<<"$out")" 6
expect_eq "suspense --all: the reversed item" "$(grep -c ' NO_REFERENCE *reversed ' <<<"$out")" 1
expect_eq "suspense: header" "$(head -n 1 <<<"$out" | tr -s ' ')" " id batch booked amount cur reason status reference debtor"
run_loader suspense --conf "$CONF" extra
expect_eq "suspense extra: exit" "$rc" 2
set -- $ids
s3=$1 s4=$2 s5=$3 s6=$4 s2=$(sql "SELECT id FROM suspense WHERE bank_reference = 'T-2'")

# ---- assignment files (kind detected from the header)
before=$(sql "SELECT count(*) FROM transactions")
cat >"$TMP/assign1.csv" <<EOF
suspense_id,creditor_id,creditor_reference
$s2,C1,B-C
$s3,C1,B-C
$s3,C1,B-A
$s4,C1,NOPE
$s5,C1,B-B
$s6,S1,B-D
999999,C1,B-A
x12,C1,B-A
$s4,X9,B-A
EOF
run_loader load --conf "$CONF" --as-of 2026-11-21 "$TMP/assign1.csv"
expect_eq "assign 1: exit" "$rc" 0
expect_eq "assign 1: summary" "$out" "batch 5 loaded: 9 records, 1 accepted, 0 skipped, 8 rejected"
expect_eq "assign 1: kind" "$(sql "SELECT kind FROM batches WHERE batch_id = 5")" assignments
expect_eq "assign 1: rejects" "$(report_rows "$TMP/reports/batch-5.rejects.csv" | tail -n +2 | cut -d, -f1,2,4,5)" \
	"1,2,suspense_id,SUSPENSE_CLOSED
3,4,suspense_id,DUPLICATE_IN_FILE
4,5,creditor_reference,UNKNOWN_CASE
5,6,creditor_reference,CASE_CLOSED
6,7,suspense_id,CURRENCY_MISMATCH
7,8,suspense_id,UNKNOWN_SUSPENSE
8,9,suspense_id,BAD_FORMAT
9,10,creditor_id,UNKNOWN_CREDITOR
9,10,suspense_id,DUPLICATE_IN_FILE"
expect_eq "assign 1: messages" "$(python3 -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows[:2] + rows[4:5]: print(r["message"])' "$TMP/reports/batch-5.rejects.csv")" \
	"the suspense item is reversed by the bank (batch 3)
suspense_id already appears in record 2
the suspense item's currency CHF is not the case's currency SEK"
expect_eq "assign 1: receipt" "$(cat "$TMP/reports/batch-5.receipt.csv")" "record,suspense_id,transaction_id,case_id,outcome
2,$s3,BANK-$(bank_id T-3),$C,accepted"
expect_eq "assign 1: the payment" "$(sql "SELECT creditor_reference || ' ' || transaction_id || ' ' || kind || ' ' || booking_date
	|| ' ' || amount || ' ' || currency FROM transactions WHERE batch_id = 5")" "B-C BANK-$(bank_id T-3) payment 2026-11-05 5000 CHF"
expect_eq "assign 1: one transaction more" "$(sql "SELECT count(*) FROM transactions")" $((before + 1))
expect_eq "assign 1: the item" "$(sql "SELECT status || ' ' || case_id || ' ' || creditor_id || ' ' || closed_batch_id FROM suspense WHERE id = $s3")" \
	"assigned $C C1 5"

# the same row again (skipped) and an item on a case of another creditor
printf 'suspense_id,creditor_id,creditor_reference\n%s,C1,B-C\n%s,C1,B-A\n' "$s3" "$s4" >"$TMP/assign2.csv"
run_loader load --conf "$CONF" --as-of 2026-11-21 "$TMP/assign2.csv"
expect_eq "assign 2: summary" "$out" "batch 6 loaded: 2 records, 1 accepted, 1 skipped, 0 rejected"
expect_eq "assign 2: receipt" "$(cat "$TMP/reports/batch-6.receipt.csv")" "record,suspense_id,transaction_id,case_id,outcome
1,$s3,BANK-$(bank_id T-3),$C,skipped
2,$s4,BANK-$(bank_id T-4),$A,accepted"
# the assigned item to another case
printf 'suspense_id,creditor_id,creditor_reference\n%s,C1,B-A\n' "$s3" >"$TMP/assign3.csv"
run_loader load --conf "$CONF" --as-of 2026-11-21 "$TMP/assign3.csv"
expect_eq "assign 3: summary" "$out" "batch 7 loaded: 1 records, 0 accepted, 0 skipped, 1 rejected"
expect_eq "assign 3: reject" "$(python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])): print(r["record"], r["code"], r["message"])' "$TMP/reports/batch-7.rejects.csv")" \
	"1 SUSPENSE_CLOSED the suspense item is assigned to case $C (batch 5)"
run_loader suspense --conf "$CONF" --json
expect_eq "open items left" "$(python3 -c 'import json, sys; print(" ".join(o["bank_reference"] for o in json.load(sys.stdin)))' <<<"$out")" "T-5 T-6"

# ---- the bank takes back the assigned payment (by AcctSvcrRef: the
# reversal's key gets /R): a reversal of that payment on case B-C
camt "$TMP/bank3.xml" M-3 <<EOF
BOOK${T}2026-11-16${T}50.00${T}CHF${T}DBIT${T}true${T}-${T}T-3${T}-${T}-${T}N-30${T}Carla Conti
EOF
run_loader load --conf "$CONF" --as-of 2026-11-21 "$TMP/bank3.xml"
expect_eq "bank 3: summary" "$out" "batch 8 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected, 0 to suspense, 0 ignored"
expect_eq "bank 3: receipt" "$(tail -n +2 "$TMP/reports/batch-8.receipt.csv")" "1,T-3/R,BANK-$(bank_id T-3/R),$C,accepted"
expect_eq "bank 3: reversal" "$(sql "SELECT t.creditor_reference || ' ' || t.kind || ' ' || t.amount || ' ' || o.transaction_id
	FROM transactions t JOIN transactions o ON o.creditor_id = t.creditor_id AND o.tx_id = t.reverses WHERE t.batch_id = 8")" "B-C reversal 5000 BANK-$(bank_id T-3)"

# ---- refused files change nothing: another account, wrong totals, a
# CSV file forced to be a bank file
snapshot() { sql "SELECT (SELECT count(*) FROM bank_records) || '/' || (SELECT count(*) FROM suspense) || '/'
	|| (SELECT count(*) FROM transactions) || '/' || (SELECT count(*) FROM rejects WHERE batch_id <= 8)
	|| '/' || (SELECT string_agg(status, ',' ORDER BY id) FROM suspense)"; }
was=$(snapshot)
python3 "$ROOT/tests/tools/camt.py" CH5604835012345678009 M-4 </dev/null >"$TMP/other.xml"
run_loader load --conf "$CONF" --as-of 2026-11-21 "$TMP/other.xml"
expect_eq "another account: exit" "$rc" 1
expect_eq "another account: code" "$(report_rows "$TMP/reports/batch-9.rejects.csv" | tail -n +2 | cut -d, -f5)" FILE_ACCOUNT
run_loader load --conf "$CONF" --as-of 2026-11-21 "$FIX/bank/bad/totals-entry.xml"
expect_eq "wrong totals: exit" "$rc" 1
expect_eq "wrong totals: code" "$(report_rows "$TMP/reports/batch-10.rejects.csv" | tail -n +2 | cut -d, -f5)" FILE_TOTALS
printf 'suspense_id,creditor_id,creditor_reference\n%s,C1,B-C\n' "$s5" >"$TMP/assign4.csv"
run_loader load --conf "$CONF" --kind bank --as-of 2026-11-21 "$TMP/assign4.csv"
expect_eq "--kind bank on a CSV: exit" "$rc" 1
expect_eq "--kind bank on a CSV: code" "$(report_rows "$TMP/reports/batch-11.rejects.csv" | tail -n +2 | cut -d, -f5)" FILE_MALFORMED
expect_eq "nothing changed" "$(snapshot)" "$was"

# ---- one reference string in two currencies (unique per currency, SPEC
# 12): a credit takes the case of its own currency, not the lower case
# number of another currency; the only case of a reference in another
# currency, closed: CASE_CLOSED; open: CURRENCY_MISMATCH
sql "UPDATE cases SET payment_reference = '$refD' WHERE creditor_reference = 'B-C'"
expect_eq "the CHF case numbered below the SEK one" "$(sql "SELECT count(*) FROM cases WHERE payment_reference = '$refD'
	AND (currency, case_id) IN (('CHF', $C), ('SEK', $D))") $((C < D))" "2 1"
camt_file "$TMP/bank-sek.xml" SE4550000000058398257466 M-5 <<EOF
BOOK${T}2026-11-18${T}30.00${T}SEK${T}CRDT${T}-${T}$refD${T}T-50${T}-${T}-${T}N-50${T}Dala Trä AB
BOOK${T}2026-11-18${T}31.00${T}SEK${T}CRDT${T}-${T}$refB${T}T-51${T}-${T}-${T}N-51${T}-
BOOK${T}2026-11-18${T}32.00${T}SEK${T}CRDT${T}-${T}$refA${T}T-52${T}-${T}-${T}N-52${T}-
EOF
run_loader load --conf "$CONF" --as-of 2026-11-21 "$TMP/bank-sek.xml"
expect_eq "SEK: summary" "$out" "batch 12 loaded: 3 records, 1 accepted, 0 skipped, 0 rejected, 2 to suspense, 0 ignored"
expect_eq "SEK: receipt" "$(tail -n +2 "$TMP/reports/batch-12.receipt.csv")" "1,T-50,BANK-$(bank_id T-50),$D,accepted
2,T-51,,,suspense
3,T-52,,,suspense"
expect_eq "SEK: payment" "$(sql "SELECT creditor_reference || ' ' || amount || ' ' || currency FROM transactions
	WHERE batch_id = 12")" "B-D 3000 SEK"
expect_eq "SEK: suspense" "$(sql "SELECT string_agg(bank_reference || ' ' || amount || ' ' || currency || ' ' || reason,
	E'\n' ORDER BY id) FROM suspense WHERE batch_id = 12")" "T-51 3100 SEK CASE_CLOSED
T-52 3200 SEK CURRENCY_MISMATCH"

# ---- a key repeated in one file: the same again (skipped), another amount
# (DUPLICATE), a key whose first record was rejected (BAD_DATE; then
# DUPLICATE, another date), and a pending entry with the bank_reference of
# a booked one (its key holds its status: ignored, no DUPLICATE); the
# loader's key filter marks the keys to number. With a tiny filter
# (LOADER_KEY_FILTER_BITS=6) nearly every key looks repeated: the same
# outcomes.
repeats() { # BATCH PREFIX [env...]
	local b=$1 p=$2
	shift 2
	camt "$TMP/repeats-$p.xml" "M-$p" <<EOF
BOOK${T}2026-11-19${T}11.00${T}CHF${T}CRDT${T}-${T}$refA${T}$p-1${T}-${T}-${T}N-$p${T}-
BOOK${T}2026-11-19${T}11.00${T}CHF${T}CRDT${T}-${T}$refA${T}$p-1${T}-${T}-${T}N-$p${T}-
BOOK${T}2026-11-19${T}12.00${T}CHF${T}CRDT${T}-${T}$refA${T}$p-1${T}-${T}-${T}N-$p${T}-
BOOK${T}2026-11-25${T}13.00${T}CHF${T}CRDT${T}-${T}$refA${T}$p-2${T}-${T}-${T}N-$p${T}-
BOOK${T}2026-11-19${T}13.00${T}CHF${T}CRDT${T}-${T}$refA${T}$p-2${T}-${T}-${T}N-$p${T}-
BOOK${T}2026-11-19${T}14.00${T}CHF${T}CRDT${T}-${T}$refA${T}$p-3${T}-${T}-${T}N-$p${T}-
PDNG${T}-${T}15.00${T}CHF${T}CRDT${T}-${T}$refA${T}$p-3${T}-${T}-${T}N-$p${T}-
EOF
	env "$@" "$LOADER" load --conf "$CONF" --as-of 2026-11-21 "$TMP/repeats-$p.xml" >"$TMP/out" 2>>"$TMP/all-stderr" ||
		fail "repeats $p: exit $?"
	expect_eq "repeats $p: summary" "$(cat "$TMP/out")" \
		"batch $b loaded: 7 records, 2 accepted, 1 skipped, 3 rejected, 0 to suspense, 1 ignored"
	expect_eq "repeats $p: receipt" "$(tail -n +2 "$TMP/reports/batch-$b.receipt.csv")" "1,$p-1,BANK-$(bank_id "$p-1"),$A,accepted
2,$p-1,,,skipped
6,$p-3,BANK-$(bank_id "$p-3"),$A,accepted
7,$p-3,,,ignored"
	expect_eq "repeats $p: rejects" "$(report_rows "$TMP/reports/batch-$b.rejects.csv" | tail -n +2 | cut -d, -f1,4,5)" \
		"3,bank_reference,DUPLICATE
4,booking_date,BAD_DATE
5,bank_reference,DUPLICATE"
	expect_eq "repeats $p: bank records, by id" "$(sql "SELECT string_agg(record || ' ' || bank_reference || ' ' || outcome,
		', ' ORDER BY id) FROM bank_records WHERE batch_id = $b")" "1 $p-1 accepted, 6 $p-3 accepted, 7 $p-3#PDNG ignored"
	expect_eq "repeats $p: payments" "$(sql "SELECT string_agg(amount::text, ' ' ORDER BY tx_id) FROM transactions
		WHERE batch_id = $b")" "1100 1400"
}
repeats 13 T-6
repeats 14 T-7 LOADER_KEY_FILTER_BITS=6
echo "bank files, suspense and assignments as SPEC 13 says"
