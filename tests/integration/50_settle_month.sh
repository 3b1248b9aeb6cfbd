#!/usr/bin/env bash
# Settle February 2024 of the fixture creditors (fixtures/settlement/) and
# compare the statement files, the stdout lines and the case balances with
# the hand-computed expectations (fixtures/settlement/README.md). Then
# re-run the period: nothing new is settled and the files are byte-identical.
source "$ROOT/tests/lib.sh"

SF="$FIX/settlement"
EXP="$SF/expected"
OUT="$TMP/statements"

new_db settle_month
load_creditors
"$LOADER" load --conf "$CONF" --as-of 2024-01-25 "$SF/cases-2024-01.csv" >/dev/null || fail "load January cases"
"$LOADER" load --conf "$CONF" --as-of 2024-02-05 "$SF/cases-2024-02.csv" >/dev/null || fail "load February cases"
"$LOADER" load --conf "$CONF" --as-of 2024-03-01 "$SF/transactions-2024-02.csv" >/dev/null || fail "load transactions"

# the expected files name the agency's case numbers in load order
expect_eq "case numbers" "$(sql "SELECT string_agg(case_id || '=' || creditor_reference, ' ' ORDER BY case_id) FROM cases")" \
	"1=C1-F 2=C1-A 3=C1-B 4=C1-C 5=C1-D 6=C1-E 7=D1-A 8=D1-B 9=S1-A 10=S1-B"
expect_eq "transactions loaded" "$(sql "SELECT count(*) FROM transactions")" "11"

# January has nothing to settle: exit 0, no statement, no file
set +e
out=$("$SETTLEMENT" run --conf "$CONF" --period 2024-01 --as-of 2024-03-05 --out "$OUT" 2>"$TMP/err")
rc=$?
set -e
expect_eq "January exit" "$rc" "0"
expect_eq "January stdout" "$out" ""
[ ! -e "$OUT/2024-01" ] || fail "January wrote files"

set +e
out=$("$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-03-05 --out "$OUT" 2>"$TMP/err")
rc=$?
set -e
cat "$TMP/err" >&2
expect_eq "February exit" "$rc" "0"
expect_eq "February stdout" "$out" "statement 2024-02-C1-CHF: 6 lines, net payout 488.60 CHF
statement 2024-02-D1-DKK: 2 lines, net payout 508.48 DKK
statement 2024-02-S1-SEK: 2 lines, net payout -391.10 SEK"
# no debtor personal data in the log
if grep -q -e Müller -e Meier -e Sørensen "$TMP/err"; then fail "debtor names in the log"; fi

for f in C1-CHF D1-DKK S1-SEK; do
	for ext in csv xml; do
		cmp "$EXP/2024-02/$f.$ext" "$OUT/2024-02/$f.$ext" ||
			{ diff "$EXP/2024-02/$f.$ext" "$OUT/2024-02/$f.$ext" >&2 || true; fail "$f.$ext differs from the expected file"; }
	done
	if command -v xmllint >/dev/null; then
		xmllint --noout --nonet --schema "$ROOT/schemas/statement.xsd" "$OUT/2024-02/$f.xml" 2>"$TMP/xmllint" ||
			{ cat "$TMP/xmllint" >&2; fail "$f.xml is not valid against statement.xsd"; }
	fi
done
expect_eq "files written" "$(ls "$OUT/2024-02" | tr '\n' ' ')" "C1-CHF.csv C1-CHF.pdf C1-CHF.xml D1-DKK.csv D1-DKK.pdf D1-DKK.xml S1-SEK.csv S1-SEK.pdf S1-SEK.xml "
expect_eq "file mode" "$(stat -c %a "$OUT/2024-02/C1-CHF.csv")" "600"

# database: statements, lines, settled transactions, balances
expect_eq "statements" "$(sql "SELECT string_agg(statement_number || ' ' || lines || ' ' || net_payout || ' ' || issued, ', ' ORDER BY statement_number) FROM statements")" \
	"2024-02-C1-CHF 6 48860 2024-03-05, 2024-02-D1-DKK 2 50848 2024-03-05, 2024-02-S1-SEK 2 -39110 2024-03-05"
expect_eq "settled" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NOT NULL")" "10"
expect_eq "March payment not settled" "$(sql "SELECT coalesce(statement_number, 'none') FROM transactions WHERE transaction_id = 'C1-T7'")" "none"
expect_eq "lines = settled" "$(sql "SELECT count(*) FROM statement_lines l JOIN transactions t USING (tx_id) WHERE t.statement_number = l.statement_number")" "10"
expect_eq "balances" "$(sql "SELECT string_agg(creditor_reference || ':' || principal || '/' || fees || '/' || interest || '/' || accrued_to || '/' || status || '/' || coalesce(closed_date::text, '-'), ' ' ORDER BY case_id) FROM cases")" \
	"C1-F:25000/5000/0/2024-01-15/open/- C1-A:75411/0/0/2024-02-14/open/- C1-B:0/0/0/2024-02-29/closed/2024-02-29 C1-C:0/0/89/2024-02-20/open/- C1-D:0/0/0/2024-02-15/withdrawn/2024-02-15 C1-E:118957/0/0/2024-02-28/open/- D1-A:111708/0/0/2024-02-14/open/- D1-B:40495/0/0/2024-02-29/open/- S1-A:0/0/0/2024-02-20/withdrawn/2024-02-20 S1-B:68575/0/0/2024-02-10/open/-"
expect_eq "withdrawal write-offs" "$(sql "SELECT string_agg(transaction_id || ':' || written_off || '/' || withdrawal_fee, ' ' ORDER BY transaction_id) FROM statement_lines WHERE kind = 'withdrawal'")" \
	"C1-T5:35148/2500 S1-T1:118575/0"

# the case list of SPEC 9.3
"$SETTLEMENT" cases --conf "$CONF" --creditor C1 --as-of 2024-03-05 >"$TMP/cases.csv" || fail "cases"
cmp "$SF/expected/cases-C1-2024-03-05.csv" "$TMP/cases.csv" || { diff "$SF/expected/cases-C1-2024-03-05.csv" "$TMP/cases.csv" >&2 || true; fail "case list differs"; }
expect_eq "cases --status closed" "$("$SETTLEMENT" cases --conf "$CONF" --creditor C1 --as-of 2024-03-05 --status closed | cut -d, -f1-4)" \
	"case_id,creditor_reference,debtor_name,status
3,C1-B,Berg & Co. AG,closed"
expect_eq "cases --status withdrawn" "$("$SETTLEMENT" cases --conf "$CONF" --creditor C1 --as-of 2024-03-05 --status withdrawn | tail -n +2 | cut -d, -f1,2,4)" "5,C1-D,withdrawn"
expect_eq "cases --status open" "$("$SETTLEMENT" cases --conf "$CONF" --creditor C1 --as-of 2024-03-05 --status open | tail -n +2 | cut -d, -f2 | tr '\n' ' ')" "C1-A C1-C C1-E C1-F "
# as of a date before the withdrawal and before the February registrations
expect_eq "cases as of 2024-02-01" "$("$SETTLEMENT" cases --conf "$CONF" --creditor C1 --as-of 2024-02-01 | tail -n +2 | cut -d, -f2,4)" "C1-F,open"
expect_eq "cases as of 2024-02-10, withdrawn case still open" "$("$SETTLEMENT" cases --conf "$CONF" --creditor C1 --as-of 2024-02-10 --status open | tail -n +2 | cut -d, -f2 | tr '\n' ' ')" "C1-A C1-B C1-C C1-D C1-E C1-F "

# re-run: nothing new, byte-identical files, same stdout, even with another as-of
cp -a "$OUT/2024-02" "$TMP/first"
before=$(sql "SELECT string_agg(statement_number || issued_at::text, ',' ORDER BY statement_number) FROM statements")
sleep 1
set +e
out2=$("$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-04-30 --out "$OUT" 2>>"$TMP/err")
rc=$?
set -e
expect_eq "re-run exit" "$rc" "0"
expect_eq "re-run stdout" "$out2" "$out"
expect_eq "re-run statements" "$(sql "SELECT string_agg(statement_number || issued_at::text, ',' ORDER BY statement_number) FROM statements")" "$before"
expect_eq "re-run settled" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NOT NULL")" "10"
diff -r "$TMP/first" "$OUT/2024-02" >/dev/null || fail "re-run changed the files"
# a re-run restores a deleted or damaged file, byte for byte
rm "$OUT/2024-02/D1-DKK.xml"
echo garbage >"$OUT/2024-02/C1-CHF.csv"
"$SETTLEMENT" run --conf "$CONF" --period 2024-02 --creditor D1 --as-of 2024-04-30 --out "$OUT" >/dev/null 2>>"$TMP/err" || fail "re-run D1"
cmp "$TMP/first/D1-DKK.xml" "$OUT/2024-02/D1-DKK.xml" || fail "D1-DKK.xml not restored"
"$SETTLEMENT" run --conf "$CONF" --period 2024-02 --as-of 2024-04-30 --out "$OUT" >/dev/null 2>>"$TMP/err" || fail "re-run all"
diff -r "$TMP/first" "$OUT/2024-02" >/dev/null || fail "re-run did not restore the files"
[ -z "$(ls -A "$OUT/2024-02" | grep -v -e '\.csv$' -e '\.xml$' -e '\.pdf$')" ] || fail "temporary files left behind"

# an issued statement cannot change, even by hand
if sql "UPDATE statements SET net_payout = 0 WHERE statement_number = '2024-02-C1-CHF'" 2>/dev/null; then fail "statement updated"; fi
if sql "DELETE FROM statement_lines WHERE statement_number = '2024-02-C1-CHF'" 2>/dev/null; then fail "statement line deleted"; fi
if sql "UPDATE transactions SET statement_number = NULL WHERE transaction_id = 'C1-T1'" 2>/dev/null; then fail "settled transaction released"; fi
echo "ok"
