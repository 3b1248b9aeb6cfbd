#!/usr/bin/env bash
# No debtor personal data in logs or output (SPEC 2): canary values for a
# debtor's name, national id, street, e-mail and phone go through loads
# with and without errors, file-level refusals (a missing header, broken
# quoting, REJECT_RATIO), a dry run, --creditor, rerun and status; none of
# them may appear on the loader's stdout or stderr. The database does hold
# them (the canaries did go through). A password in --db is not shown
# either. The debtor's name in a bank file (SPEC 13) likewise: stored, shown
# only by the suspense list that exists to show it, never logged.
. "$ROOT/tests/lib.sh"
new_db no_personal_data
sed -i 's/^\[country\.CH\]$/&\npayment_reference = qrr/' "$CONF"
CHF=CH4431999123000889012
add_agency CHF=$CHF
load_creditors
: >"$TMP/all-stdout"
: >"$TMP/all-stderr"

# every run: stderr is collected by run_loader, stdout here
run() {
	run_loader "$@"
	printf '%s\n' "$out" >>"$TMP/all-stdout"
}

H='creditor_id,creditor_reference,debtor_type,debtor_name,debtor_national_id,debtor_birth_date,debtor_street,debtor_postal_code,debtor_city,debtor_country,debtor_email,debtor_phone,invoice_number,invoice_date,due_date,original_amount,currency,claim_type,disputed'
# case REF NAME ID STREET POSTAL EMAIL PHONE
case_row() {
	printf 'C1,%s,person,%s,%s,1970-01-01,%s,%s,Bern,CH,%s,%s,INV-1,2026-09-01,2026-09-30,100.00,CHF,goods,false\n' "$@"
}
NAME='Canary Zyxwvut'
ID='756.9999.8888.75' # a valid AHV number
STREET='Zyxwvutgasse 7'
EMAIL='canary.zyxwvut@example.ch'
PHONE='+41 79 555 01 99'

# ---- a clean file: loads
{
	echo "$H"
	case_row C1-6001 "$NAME" "$ID" "$STREET" 3000 "$EMAIL" "$PHONE"
} >"$TMP/a.csv"
run load --conf "$CONF" --as-of 2026-11-01 "$TMP/a.csv"
expect_eq "clean: summary" "$out" "batch 1 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected"

# ---- a file where every record has errors in or next to personal data
{
	echo "$H"
	case_row C1-6002 "$NAME" '756.9999.8888.70' "$STREET" 3000 "$EMAIL" "$PHONE"         # BAD_ID
	case_row C1-6003 $'Canary Zyxwvut\xff' "$ID" "$STREET" 3000 "$EMAIL" "$PHONE"           # BAD_ENCODING
	case_row C1-6004 "$(printf 'Zyxwvut %.0s' {1..30})" "$ID" "$STREET" 3000 "$EMAIL" "$PHONE" # FIELD_TOO_LONG
	case_row C1-6005 "$NAME" "$ID" "$STREET" 30000 "$EMAIL" "$PHONE"                         # BAD_FORMAT postal code
	case_row C1-6006 "$NAME" "$ID" "$STREET" 3000 'zyxwvut@@example' "$PHONE"                # BAD_FORMAT e-mail
	case_row C1-6007 "$NAME" "$ID" "$STREET" 3000 "$EMAIL" '+41 79 555 01 99 Zyxwvut'       # BAD_FORMAT phone
	case_row C1-6008 "$NAME" "$ID" "$STREET,extra" 3000 "$EMAIL" "$PHONE"                    # BAD_RECORD
	case_row C1-6001 "$NAME Again" "$ID" "$STREET" 3000 "$EMAIL" "$PHONE"                    # DUPLICATE
	case_row C1-6009 "$NAME" "$ID" "$STREET" 3000 "$EMAIL" "$PHONE"                          # good
	case_row C1-6009 "$NAME" "$ID" "$STREET" 3000 "$EMAIL" "$PHONE"                          # DUPLICATE_IN_FILE
} >"$TMP/b.csv"
run load --conf "$CONF" --as-of 2026-11-01 "$TMP/b.csv"
expect_eq "errors: summary" "$out" "batch 2 loaded: 10 records, 1 accepted, 0 skipped, 9 rejected"
expect_eq "errors: codes" "$(sql "SELECT string_agg(DISTINCT code, ' ' ORDER BY code) FROM rejects WHERE batch_id = 2")" \
	"BAD_ENCODING BAD_FORMAT BAD_ID BAD_RECORD DUPLICATE DUPLICATE_IN_FILE FIELD_TOO_LONG"

# ---- the same records with --creditor S1 and as a dry run
{ cat "$TMP/b.csv"; echo; } >"$TMP/c.csv"
run load --conf "$CONF" --creditor S1 --as-of 2026-11-01 "$TMP/c.csv"
expect_eq "creditor: summary" "$out" "batch 3 loaded: 10 records, 0 accepted, 0 skipped, 10 rejected"
{ cat "$TMP/b.csv"; echo; echo; } >"$TMP/d.csv"
run load --conf "$CONF" --dry-run --as-of 2026-11-01 "$TMP/d.csv"
expect_eq "dry run: summary" "$out" "batch 4 dry_run: 10 records, 0 accepted, 1 skipped, 9 rejected"

# ---- file-level refusals: no header (the first row is personal data),
# a quote opened in a name and never closed
case_row C1-6010 "$NAME" "$ID" "$STREET" 3000 "$EMAIL" "$PHONE" |
	awk -F, -v OFS=, '{ t = $1; $1 = $4; $4 = t; print }' >"$TMP/e.csv" # the name first
run load --conf "$CONF" --as-of 2026-11-01 "$TMP/e.csv"
expect_eq "no header: exit" "$rc" 1
{
	echo "$H"
	case_row C1-6011 "\"$NAME" "$ID" "$STREET" 3000 "$EMAIL" "$PHONE"
} >"$TMP/f.csv"
run load --conf "$CONF" --as-of 2026-11-01 "$TMP/f.csv"
expect_eq "open quote: exit" "$rc" 1

# ---- REJECT_RATIO, then a rerun of the refused batch
sed 's/^max_reject_ratio = .*/max_reject_ratio = 0.1/' "$CONF" >"$TMP/strict.conf"
{ cat "$TMP/b.csv"; echo; echo; echo; } >"$TMP/g.csv"
run load --conf "$TMP/strict.conf" --as-of 2026-11-01 "$TMP/g.csv"
expect_eq "ratio: exit" "$rc" 1
batch=$(awk '{ print $2 }' <<<"$out")
run rerun --conf "$TMP/strict.conf" "$batch"
expect_eq "rerun: exit" "$rc" 1

# ---- bank files: a payment, a suspense item and a rejected record with
# the name, the same as a dry run, a file of another account (refused)
ref=$(sql "SELECT payment_reference FROM cases WHERE creditor_reference = 'C1-6001'")
T=$'\t'
bank_rows() {
	cat <<EOF
BOOK${T}2026-11-05${T}20.00${T}CHF${T}CRDT${T}-${T}$ref${T}T-1${T}-${T}-${T}N-1${T}$NAME
BOOK${T}2026-11-05${T}30.00${T}CHF${T}CRDT${T}-${T}-${T}T-2${T}-${T}-${T}N-2${T}$NAME
BOOK${T}2026-11-05${T}0.00${T}CHF${T}CRDT${T}-${T}$ref${T}T-3${T}-${T}-${T}N-3${T}$NAME Zyxwvut
EOF
}
bank_rows | camt_file "$TMP/bank.xml" "$CHF" M-26
run load --conf "$CONF" --as-of 2026-11-20 --dry-run "$TMP/bank.xml"
expect_eq "bank dry run: summary" "${out#batch [0-9]* }" "dry_run: 3 records, 1 accepted, 0 skipped, 1 rejected, 1 to suspense, 0 ignored"
run load --conf "$CONF" --as-of 2026-11-20 "$TMP/bank.xml"
expect_eq "bank: summary" "${out#batch [0-9]* }" "loaded: 3 records, 1 accepted, 0 skipped, 1 rejected, 1 to suspense, 0 ignored"
bank_rows | camt_file "$TMP/bank-other.xml" CH9300762011623852957 M-27
run load --conf "$CONF" --as-of 2026-11-20 "$TMP/bank-other.xml"
expect_eq "another account: exit" "$rc" 1
expect_eq "bank names stored" "$(sql "SELECT count(*) FROM bank_records WHERE debtor_name = '$NAME'")" 2
# the suspense list is where an operator reads the name (SPEC 13): not
# collected with the rest
"$LOADER" suspense --conf "$CONF" --json >"$TMP/suspense.json" || fail "suspense --json"
grep -q -F "\"debtor_name\": \"$NAME\"" "$TMP/suspense.json" || { cat "$TMP/suspense.json" >&2; fail "suspense list without the name"; }

# ---- status, all and one, text and JSON
run status --conf "$CONF"
expect_eq "status: exit" "$rc" 0
run status --conf "$CONF" --json
expect_eq "status --json: exit" "$rc" 0
for b in $(sql "SELECT batch_id FROM batches ORDER BY 1"); do
	run status --conf "$CONF" --json "$b"
	expect_eq "status --json $b: exit" "$rc" 0
done

# ---- a password in --db
run status --db "host=$PGHOST port=$PGPORT dbname=no_such_db_$$ user=$PGUSER password=Zyxwvut-Secret-42" --conf "$CONF"
expect_eq "password: exit" "$rc" 3

# ---- the canaries went through: stored where they belong ...
expect_eq "canaries stored" "$(sql "SELECT count(*) FROM cases WHERE debtor_name = '$NAME' AND debtor_national_id = '$ID'
	AND debtor_street = '$STREET' AND debtor_email = '$EMAIL' AND debtor_phone = '$PHONE'")" 2
[ "$(wc -l <"$TMP/all-stderr")" -ge 4 ] || fail "expected error messages on stderr"

# ... and never on stdout or stderr
for canary in zyxwvut 9999.8888 99998888 '555 01 99' 5550199 'Secret-42'; do
	if grep -i -n -F -- "$canary" "$TMP/all-stdout" "$TMP/all-stderr"; then
		fail "personal data ('$canary') in the loader's output"
	fi
done
