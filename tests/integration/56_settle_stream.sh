#!/usr/bin/env bash
# The settlement at a scale where it streams: 12,000 transactions of three
# creditors on 2,300 cases, more than one FETCH chunk (SETTLE_CHUNK, 5000
# rows), the first chunk ending inside a case. Checks the stored result against itself
# (every line's transaction marked with its statement, case balances equal
# to the case's last line, statement totals equal to the sums of the lines,
# line numbers 1..n) and the files: the first run renders them while
# booking, a re-run renders them from the stored rows; they must be the
# same bytes. No temporary file and no connection is left behind.
source "$ROOT/tests/lib.sh"

OUT="$TMP/statements"
GEN="$ROOT/tests/tools/gen.py"

new_db settle_stream
python3 "$GEN" creditors 3 "$TMP/creditors.csv"
python3 "$GEN" cases 2300 "$TMP/cases.csv" 3
python3 "$GEN" transactions 12000 "$TMP/tx.csv" 2300 3
load_creditors "$TMP/creditors.csv"
"$LOADER" load --conf "$CONF" --as-of 2026-10-01 "$TMP/cases.csv" >/dev/null || fail "load cases"
"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/tx.csv" >/dev/null || fail "load transactions"
expect_eq "transactions loaded" "$(sql "SELECT count(*) FROM transactions")" "12000"

out=$("$SETTLEMENT" run --conf "$CONF" --period 2026-10 --as-of 2026-11-20 --out "$OUT" 2>"$TMP/err") ||
	{ cat "$TMP/err" >&2; fail "settle"; }
expect_eq "stdout" "$(echo "$out" | sed 's/net payout .*/net payout/')" "statement 2026-10-CR000-CHF: 4002 lines, net payout
statement 2026-10-CR001-SEK: 4002 lines, net payout
statement 2026-10-CR002-NOK: 3996 lines, net payout"
expect_eq "stdout = statements" "$out" "$(sql "SELECT string_agg('statement ' || statement_number || ': ' || lines || ' lines, net payout ' || to_char(net_payout / 100.0, 'FM9999999999990.00') || ' ' || currency, E'\n' ORDER BY statement_number) FROM statements")"

expect_eq "all settled" "$(sql "SELECT count(*) FROM transactions WHERE statement_number IS NULL")" "0"
expect_eq "one line per transaction, marked with its statement" \
	"$(sql "SELECT count(*) FROM statement_lines l JOIN transactions t ON t.tx_id = l.tx_id AND t.creditor_id = l.creditor_id AND t.statement_number = l.statement_number")" "12000"
expect_eq "lines copied from their transaction and case" \
	"$(sql "SELECT count(*) FROM statement_lines l JOIN transactions t USING (tx_id) JOIN cases c ON c.case_id = t.case_id WHERE l.case_id = t.case_id AND l.transaction_id = t.transaction_id AND l.kind = t.kind AND l.booking_date = t.booking_date AND l.creditor_reference = c.creditor_reference AND l.debtor_name = c.debtor_name")" "12000"
expect_eq "line numbers 1..n" \
	"$(sql "SELECT count(*) FROM (SELECT statement_number, min(line_no) AS lo, max(line_no) AS hi, count(*) AS n FROM statement_lines GROUP BY 1) s WHERE lo <> 1 OR hi <> n")" "0"
expect_eq "file order: creditor_reference, booking_date, load order" \
	"$(sql "SELECT count(*) FROM (SELECT line_no, row_number() OVER (PARTITION BY statement_number ORDER BY creditor_reference COLLATE \"C\", booking_date, tx_id) AS want FROM statement_lines) s WHERE line_no <> want")" "0"
expect_eq "case balances = the case's last line" \
	"$(sql "SELECT count(*) FROM cases c JOIN LATERAL (SELECT principal_after, fees_after, interest_after, booking_date FROM statement_lines l WHERE l.creditor_id = c.creditor_id AND l.case_id = c.case_id ORDER BY line_no DESC LIMIT 1) x ON true WHERE (c.principal, c.fees, c.interest, c.last_transaction_date) IS DISTINCT FROM (x.principal_after, x.fees_after, x.interest_after, x.booking_date)")" "0"
expect_eq "cases booked" "$(sql "SELECT count(*) FROM cases WHERE last_transaction_date IS NOT NULL")" "2300"
expect_eq "rows 5000 and 5001 of the reader are one case's" \
	"$(sql "SELECT count(DISTINCT case_id) FROM (SELECT case_id, row_number() OVER (ORDER BY creditor_id COLLATE \"C\", line_no) AS n FROM statement_lines) s WHERE n IN (5000, 5001)")" "1"
expect_eq "statement totals = sums of the lines" \
	"$(sql "SELECT count(*) FROM statements s JOIN (SELECT statement_number, count(*) AS n, sum(amount) FILTER (WHERE kind = 'payment') AS p, sum(amount) FILTER (WHERE kind = 'direct_payment') AS d, sum(amount) FILTER (WHERE kind = 'credit_note') AS c, sum(withdrawal_fee) AS w, sum(creditor_share) AS cs, sum(commission) AS co, sum(payout_effect) AS pe FROM statement_lines GROUP BY 1) l USING (statement_number) WHERE (s.lines, s.payments, s.direct_payments, s.credit_notes, s.withdrawal_fees, s.creditor_share, s.commission, s.payout_effect) IS DISTINCT FROM (l.n, coalesce(l.p, 0), coalesce(l.d, 0), coalesce(l.c, 0), l.w, l.cs, l.co, l.pe)")" "0"

for f in CR000-CHF:4002 CR001-SEK:4002 CR002-NOK:3996; do
	n=${f#*:}
	f=${f%:*}
	expect_eq "$f.csv rows" "$(wc -l <"$OUT/2026-10/$f.csv")" "$((n + 1))"
	expect_eq "$f.xml lines" "$(grep -c '^    <line>$' "$OUT/2026-10/$f.xml")" "$n"
done
if command -v xmllint >/dev/null; then
	xmllint --noout --nonet --schema "$ROOT/schemas/statement.xsd" "$OUT/2026-10/CR001-SEK.xml" 2>"$TMP/xmllint" ||
		{ cat "$TMP/xmllint" >&2; fail "CR001-SEK.xml is not valid against statement.xsd"; }
fi
expect_eq "files written" "$(ls -A "$OUT/2026-10" | tr '\n' ' ')" \
	"CR000-CHF.csv CR000-CHF.pdf CR000-CHF.xml CR001-SEK.csv CR001-SEK.pdf CR001-SEK.xml CR002-NOK.csv CR002-NOK.pdf CR002-NOK.xml "
expect_eq "no connection left" "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'settlement%'")" "0"

# rendered from the stored rows: the same bytes as rendered while booking
cp -a "$OUT/2026-10" "$TMP/first"
rm "$OUT"/2026-10/*
out2=$("$SETTLEMENT" run --conf "$CONF" --period 2026-10 --as-of 2026-12-01 --out "$OUT" 2>>"$TMP/err") || fail "re-run"
expect_eq "re-run stdout" "$out2" "$out"
diff -r "$TMP/first" "$OUT/2026-10" >/dev/null || fail "files rendered from the stored rows differ"
expect_eq "re-run settled nothing" "$(sql "SELECT count(*) FROM statement_lines")" "12000"
[ -z "$(ls -A "$OUT/2026-10" | grep -v -e '\.csv$' -e '\.xml$' -e '\.pdf$')" ] || fail "temporary files left behind"
echo "ok"
