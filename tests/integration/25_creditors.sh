#!/usr/bin/env bash
# Creditor master data (SPEC 4): a file is applied as inserts and updates;
# a bad row is an error naming its line and then no row of the file is
# applied, not even the good ones.
. "$ROOT/tests/lib.sh"
new_db creditors

creditors_now() {
	sql "SELECT string_agg(creditor_id || '|' || name || '|' || country || '|' || currency || '|' || commission_pct
		|| '|' || interest_to || '|' || iban || '|' || active, E'\n' ORDER BY creditor_id) FROM creditors"
}

# ---- the fixture: 5 creditors inserted, IBANs in electronic form
run_loader creditors --conf "$CONF" "$FIX/creditors.csv"
expect_eq "insert: exit" "$rc" 0
expect_eq "insert: stdout" "$out" "creditors: 5 applied"
expect_eq "insert: stderr" "$err" ""
expect_eq "insert: rows" "$(creditors_now)" "$(cat <<'ROWS'
C1|Alpenstrom AG|CH|CHF|15.00|creditor|CH9300762011623852957|true
D1|Hygge Handel ApS|DK|DKK|20.00|agency|DK5000400440116243|true
N1|Fjordkraft Demo AS|NO|NOK|10.00|creditor|NO9386011117947|true
S1|Nordljus AB|SE|SEK|12.50|agency|SE4550000000058398257466|true
X9|Gone GmbH|CH|CHF|10.00|creditor|CH9300762011623852957|false
ROWS
)"
before=$(creditors_now)

# ---- the same file again: the same 5 rows, nothing added
run_loader creditors --conf "$CONF" "$FIX/creditors.csv"
expect_eq "re-apply: exit" "$rc" 0
expect_eq "re-apply: stdout" "$out" "creditors: 5 applied"
expect_eq "re-apply: rows" "$(creditors_now)" "$before"

# ---- an update: changed name, commission, interest_to and active flag;
# the other rows as they were
sed -e 's/^C1,Alpenstrom AG,CH,CHF,15.00,creditor,/C1,Alpenstrom Energie AG,CH,CHF,16.50,agency,/' \
	-e 's/^X9,\(.*\),false$/X9,\1,true/' "$FIX/creditors.csv" >"$TMP/update.csv"
run_loader creditors --conf "$CONF" "$TMP/update.csv"
expect_eq "update: exit" "$rc" 0
expect_eq "update: stdout" "$out" "creditors: 5 applied"
expect_eq "update: C1" "$(sql "SELECT name || '|' || commission_pct || '|' || interest_to FROM creditors WHERE creditor_id = 'C1'")" \
	"Alpenstrom Energie AG|16.50|agency"
expect_eq "update: X9 active" "$(sql "SELECT active FROM creditors WHERE creditor_id = 'X9'")" t
expect_eq "update: others unchanged" "$(creditors_now | grep -v '^C1|' | grep -v '^X9|')" \
	"$(grep -v '^C1|' <<<"$before" | grep -v '^X9|')"
after_update=$(creditors_now)

# ---- one bad IBAN on line 3 (last digit changed): exit 1, the line named,
# nothing applied: not the renames on lines 2 and 4, not the new creditor
# on line 5
cat >"$TMP/bad-iban.csv" <<'CSV'
creditor_id,name,country,currency,commission_pct,interest_to,iban,active
C1,Alpenstrom Renamed AG,CH,CHF,16.50,agency,CH9300762011623852957,true
S1,Nordljus AB,SE,SEK,12.50,agency,SE45 5000 0000 0583 9825 7467,true
N1,Fjordkraft Renamed AS,NO,NOK,11.00,creditor,NO9386011117947,true
Z7,New Creditor AG,CH,CHF,10.00,creditor,CH9300762011623852957,true
CSV
run_loader creditors --conf "$CONF" "$TMP/bad-iban.csv"
expect_eq "bad iban: exit" "$rc" 1
expect_eq "bad iban: stdout" "$out" ""
expect_eq "bad iban: stderr" "$err" "$(printf '%s\n%s' \
	"loader: error: line 3: iban is not a valid IBAN" \
	"loader: error: '$TMP/bad-iban.csv': 1 row with 1 error; no creditor was changed")"
expect_eq "bad iban: nothing applied" "$(creditors_now)" "$after_update"
expect_eq "bad iban: no new creditor" "$(sql "SELECT count(*) FROM creditors WHERE creditor_id = 'Z7'")" 0

# ---- several bad rows: each is named by its line; nothing applied
cat >"$TMP/many-bad.csv" <<'CSV'
creditor_id,name,country,currency,commission_pct,interest_to,iban,active
c1,Lower Case,CH,CHF,15.00,creditor,CH9300762011623852957,true
C2,Bad Country,XX,CHF,15.00,creditor,CH9300762011623852957,true
C3,Bad Percentage,CH,CHF,100.01,creditor,CH9300762011623852957,true
C4,Good One,CH,CHF,10.00,agency,CH9300762011623852957,false
C4,Twice,CH,CHF,10.00,agency,CH9300762011623852957,false
C5,Bad Interest To,CH,CHF,10.00,debtor,CH9300762011623852957,false
C6,,CH,CHF,10.00,agency,CH9300762011623852957,false
C7,Bad Active,CH,CHF,10.00,agency,CH9300762011623852957,yes
CSV
run_loader creditors --conf "$CONF" "$TMP/many-bad.csv"
expect_eq "many bad: exit" "$rc" 1
expect_eq "many bad: lines named" "$(grep -o 'line [0-9]*: [a-z_]*' <<<"$err")" "$(cat <<'LINES'
line 2: creditor_id
line 3: country
line 4: commission_pct
line 6: creditor_id
line 7: interest_to
line 8: name
line 9: active
LINES
)"
expect_eq "many bad: counted by rows and errors" "$(tail -n 1 <<<"$err")" \
	"loader: error: '$TMP/many-bad.csv': 7 rows with 7 errors; no creditor was changed"
# one row with three errors is one bad row (issue 10.12: not "3 bad rows")
printf 'creditor_id,name,country,currency,commission_pct,interest_to,iban,active\nc1,X,XX,CHF,15.00,creditor,CH9300762011623852957,true\nC2,Y,XX,CHF,15.00,creditor,CH9300762011623852957,maybe\n' >"$TMP/three.csv"
run_loader creditors --conf "$CONF" "$TMP/three.csv"
expect_eq "errors per row: summary" "$(tail -n 1 <<<"$err")" \
	"loader: error: '$TMP/three.csv': 2 rows with 4 errors; no creditor was changed"
expect_eq "many bad: nothing applied" "$(creditors_now)" "$after_update"

# ---- a header that does not fit: refused with its line, nothing applied
printf 'creditor_id,name,country\nC8,Short,CH\n' >"$TMP/short-header.csv"
run_loader creditors --conf "$CONF" "$TMP/short-header.csv"
expect_eq "short header: exit" "$rc" 1
expect_eq "short header: stderr" "$err" "loader: error: '$TMP/short-header.csv' line 1: the header has no column 'currency'"
expect_eq "short header: nothing applied" "$(creditors_now)" "$after_update"

# ---- the applied data is what case loads use: C1 deactivated, its new
# cases are UNKNOWN_CREDITOR; X9 activated, its case loads
sed -e 's/^C1,\(.*\),true$/C1,\1,false/' "$TMP/update.csv" >"$TMP/deactivate.csv"
run_loader creditors --conf "$CONF" "$TMP/deactivate.csv"
expect_eq "deactivate: exit" "$rc" 0
cat >"$TMP/cases.csv" <<'CSV'
creditor_id,creditor_reference,debtor_type,debtor_name,debtor_street,debtor_postal_code,debtor_city,debtor_country,invoice_number,invoice_date,due_date,original_amount,currency,claim_type,disputed
C1,C1-5001,person,Anna Muster,Weg 1,3000,Bern,CH,INV-1,2026-09-01,2026-09-30,100.00,CHF,goods,false
X9,X9-5002,person,Bruno Muster,Weg 2,3000,Bern,CH,INV-2,2026-09-01,2026-09-30,200.00,CHF,goods,false
CSV
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/cases.csv"
expect_eq "cases: summary" "$out" "batch 1 loaded: 2 records, 1 accepted, 0 skipped, 1 rejected"
expect_eq "cases: report" "$(report_rows "$TMP/reports/batch-1.rejects.csv" | tail -n +2)" "1,2,C1-5001,creditor_id,UNKNOWN_CREDITOR"
expect_eq "cases: stored" "$(sql "SELECT creditor_id || '/' || creditor_reference FROM cases")" "X9/X9-5002"
