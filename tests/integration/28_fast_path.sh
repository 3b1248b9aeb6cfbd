#!/usr/bin/env bash
# The fast case load (accepted records with a new key COPYed straight into
# cases) gives exactly what the staged path gives: the same summary, reject
# report, receipt, cases (every column), rejects and batch rows. Case
# numbers are compared by what they point at (each receipt row names the
# case row holding that record), not by value: a sequence never gives
# numbers back, so a fallback or a refused fast load leaves a gap, and the
# staged records of a fast load are numbered after the fast ones. Each comparison loads the same file on two fresh databases,
# once on the fast path and once with LOADER_STAGED=1; with
# LOADER_KEY_FILTER_BITS=6 the key filter is tiny, so nearly every record
# is a suspect and goes through the staged classification while the rest go
# fast. Also: a resend (keys already loaded: the fast path falls back), two
# fast loaders at once (case numbers in the receipts), REJECT_RATIO.
. "$ROOT/tests/lib.sh"
unset LOADER_STAGED LOADER_KEY_FILTER_BITS
ASOF=2026-11-20

python3 "$ROOT/tests/tools/gen.py" creditors 40 "$TMP/creditors.csv"
new_db fast_path
load_creditors "$TMP/creditors.csv"
TEMPLATE=$PGDATABASE # fresh_db (lib.sh): a copy of it, reports removed
fixture_n=0

# load_as MODE FILE [CONF]: run_loader on the fast path (fast), with a tiny
# key filter (tiny) or on the staged path (staged)
load_as() {
	local mode=$1 file=$2 conf=${3:-$CONF}
	case $mode in
	fast) run_loader load --conf "$conf" --as-of $ASOF "$file" ;;
	tiny) LOADER_KEY_FILTER_BITS=6 run_loader load --conf "$conf" --as-of $ASOF "$file" ;;
	staged) LOADER_STAGED=1 run_loader load --conf "$conf" --as-of $ASOF "$file" ;;
	*) fail "load_as: mode $mode" ;;
	esac
}

# snapshot NAME BATCH: what a load left behind, into $TMP/NAME/: exit
# status and summary, the batch's reject report and receipt as written, and
# dumps of cases (all columns), rejects and batches
snapshot() {
	local d="$TMP/$1" b=$2
	rm -rf "$d"
	mkdir -p "$d"
	printf 'exit %s\n%s\n' "$rc" "$out" >"$d/out"
	cp "$TMP/reports/batch-$b.rejects.csv" "$d/rejects.csv" || fail "$1: no reject report"
	if [ -e "$TMP/reports/batch-$b.receipt.csv" ]; then
		cp "$TMP/reports/batch-$b.receipt.csv" "$d/receipt.raw"
		# in file order; the case number replaced by "it names the case
		# holding this record" (accepted) or "a case with this key" (skipped)
		psql -X -q -v ON_ERROR_STOP=1 >"$d/receipt.csv" <<SQL
CREATE TEMP TABLE r (n serial, record bigint, creditor_reference text, case_id bigint, outcome text,
	payment_reference text);
\copy r (record, creditor_reference, case_id, outcome, payment_reference) FROM '$d/receipt.raw' WITH (FORMAT csv, HEADER)
COPY (WITH c AS MATERIALIZED (SELECT * FROM cases WHERE case_id IN (SELECT case_id FROM r))
	SELECT r.record, r.creditor_reference, r.outcome, EXISTS (SELECT 1 FROM c
	WHERE c.case_id = r.case_id AND c.creditor_reference = r.creditor_reference
	AND c.payment_reference = r.payment_reference
	AND (r.outcome = 'skipped' AND c.batch_id <> $b OR c.batch_id = $b AND c.record = r.record)) AS case_ok
	FROM r ORDER BY n) TO STDOUT;
SQL
		grep -q $'\tf$' "$d/receipt.csv" && fail "$1: a receipt row names the wrong case"
	else
		echo "(no receipt)" >"$d/receipt.csv"
	fi
	# the payment reference is made from the case number (checked against
	# the receipt above), so it differs as the case number does
	psql -X -q -v ON_ERROR_STOP=1 -c "COPY (SELECT to_jsonb(c) - 'case_id' - 'payment_reference' FROM cases c ORDER BY batch_id, record)
		TO STDOUT" >"$d/cases.tsv"
	psql -X -q -v ON_ERROR_STOP=1 -c "COPY (SELECT batch_id, record, line, creditor_id, creditor_reference,
		field, code, message, seq FROM rejects ORDER BY batch_id, record NULLS LAST, seq) TO STDOUT" >"$d/rejects.tsv"
	psql -X -q -v ON_ERROR_STOP=1 -c "COPY (SELECT batch_id, kind, file_name, sha256, as_of, creditor_filter,
		dry_run, status, records, accepted, skipped, rejected, message FROM batches ORDER BY batch_id)
		TO STDOUT" >"$d/batches.tsv"
}

# same_results WHAT A B: two snapshots are byte-identical
same_results() {
	local f
	for f in out rejects.csv receipt.csv cases.tsv rejects.tsv batches.tsv; do
		if ! cmp -s "$TMP/$2/$f" "$TMP/$3/$f"; then
			diff -u "$TMP/$2/$f" "$TMP/$3/$f" | head -n 20 >&2 || true
			fail "$1: $f differs between $2 and $3"
		fi
	done
}

# ---- 1. a mixed file: repeats with the same and with other content, a
# rejected record whose key comes back valid, quoted references, a quoted
# line break, invalid records
python3 "$ROOT/tests/tools/gen.py" cases 4000 "$TMP/base.csv"
python3 - "$TMP/base.csv" "$TMP/mixed.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
head, base = rows[0], rows[1:3001]
recs = [list(r) for r in base]            # record n is recs[n - 1]
def rec(n):
    return recs[n - 1]
rec(8)[6] = "Storgatan 8\nuppgång B"         # a quoted line break: later lines + 1
rec(10)[1] = 'REF,"Q"-1'                    # a comma and quotes
rec(11)[1] = 'REF "Quoted" 2'               # quotes only
rec(20)[15] = "12x.50"                      # BAD_AMOUNT; its key comes back in 3003
rec(30)[16] = "XXX"                         # BAD_CURRENCY
rec(40)[0] = "ZZ9"                          # UNKNOWN_CREDITOR
rec(50)[3] = ""                             # MISSING_FIELD
recs[59] = rec(60)[:-1]                     # BAD_RECORD: a field short
recs[1499] = list(rec(5))                   # record 1500: record 5 again, identical
changed = list(rec(200)); changed[12] = "INV-CHANGED"
other10 = list(rec(10)); other10[12] = "INV-OTHER"
new = list(base[2999]); new[1] = 'NEW,"1"'; new[12] = "INV-NEW"
recs += [list(rec(100)),                     # 3001: identical repeat of 100
         changed,                            # 3002: 200 with other content
         list(base[19]),                     # 3003: the valid version of 20
         other10,                            # 3004: 10 with other content
         list(rec(100)),                     # 3005: 100 a third time
         new]                                # 3006: new, quoted reference
with open(sys.argv[2], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(head)
    w.writerows(recs)
PY
expect_eq "mixed file: quoted references written as CSV" "$(grep -c '"REF,""Q""-1"' "$TMP/mixed.csv")" 2

fresh_db
load_as fast "$TMP/mixed.csv"
snapshot mixed-fast 1

# the expected values, derived from the edits above (lines: record + 1, + 2
# after the line break in record 8)
expect_eq "mixed: exit" "$(head -n 1 "$TMP/mixed-fast/out")" "exit 0"
expect_eq "mixed: summary" "$(tail -n +2 "$TMP/mixed-fast/out")" \
	"batch 1 loaded: 3006 records, 2995 accepted, 0 skipped, 11 rejected"
expect_eq "mixed: reject report" "$(report_rows "$TMP/mixed-fast/rejects.csv")" "$(cat <<'ROWS'
record,line,creditor_reference,field,code
20,22,REF-000000019,original_amount,BAD_AMOUNT
30,32,REF-000000029,currency,BAD_CURRENCY
40,42,REF-000000039,creditor_id,UNKNOWN_CREDITOR
50,52,REF-000000049,debtor_name,MISSING_FIELD
60,62,REF-000000059,,BAD_RECORD
1500,1502,REF-000000004,creditor_reference,DUPLICATE_IN_FILE
3001,3003,REF-000000099,creditor_reference,DUPLICATE_IN_FILE
3002,3004,REF-000000199,creditor_reference,DUPLICATE_IN_FILE
3003,3005,REF-000000019,creditor_reference,DUPLICATE_IN_FILE
3004,3006,REF,"Q"-1,creditor_reference,DUPLICATE_IN_FILE
3005,3007,REF-000000099,creditor_reference,DUPLICATE_IN_FILE
ROWS
)"
expect_eq "mixed: DUPLICATE_IN_FILE points at the first occurrence" \
	"$(sql "SELECT string_agg(record || ':' || message, ' / ' ORDER BY record) FROM rejects WHERE code = 'DUPLICATE_IN_FILE'")" \
	"1500:creditor_reference already appears in record 5 / 3001:creditor_reference already appears in record 100 / 3002:creditor_reference already appears in record 200 / 3003:creditor_reference already appears in record 20 / 3004:creditor_reference already appears in record 10 / 3005:creditor_reference already appears in record 100"
# receipt: every accepted record once, in file order, case numbers rising
# (a number drawn for a record that turned out a repeat is a gap)
python3 - "$TMP/mixed-fast/receipt.raw" <<'PY' || fail "mixed: receipt"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert rows[0] == ["record", "creditor_reference", "case_id", "outcome", "payment_reference"], rows[0]
rejected = {20, 30, 40, 50, 60, 1500, 3001, 3002, 3003, 3004, 3005}
want = [r for r in range(1, 3007) if r not in rejected]
assert [int(r[0]) for r in rows[1:]] == want, "records"
ids = [int(r[2]) for r in rows[1:]]
assert all(a < b for a, b in zip(ids, ids[1:])) and ids[0] >= 1, "case numbers"
assert all(r[3] == "accepted" for r in rows[1:])
PY
grep -qx "10,\"REF,\"\"Q\"\"-1\",10,accepted,$(python3 "$ROOT/tests/tools/payref.py" scor 10)" "$TMP/mixed-fast/receipt.raw" ||
	fail "mixed: receipt row of record 10"
grep -qx "11,\"REF \"\"Quoted\"\" 2\",11,accepted,$(python3 "$ROOT/tests/tools/payref.py" scor 11)" "$TMP/mixed-fast/receipt.raw" ||
	fail "mixed: receipt row of record 11"
last_id=$(tail -n 1 "$TMP/mixed-fast/receipt.raw" | awk -F, '{ print $(NF - 2) }')
expect_eq "mixed: last receipt row" "$(tail -n 1 "$TMP/mixed-fast/receipt.raw")" \
	"3006,\"NEW,\"\"1\"\"\",$last_id,accepted,$(python3 "$ROOT/tests/tools/payref.py" scor "$last_id")"
expect_eq "mixed: stored" "$(sql "SELECT count(*), count(DISTINCT creditor_reference), count(DISTINCT record) FROM cases")" \
	"2995|2995|2995"
expect_eq "mixed: quoted reference and line break stored verbatim" \
	"$(sql "SELECT string_agg(record || '=' || creditor_reference, ' ' ORDER BY record) FROM cases
		WHERE creditor_reference LIKE '%\"%' OR debtor_street = E'Storgatan 8\nuppgång B'")" \
	"8=REF-000000007 10=REF,\"Q\"-1 11=REF \"Quoted\" 2 3006=NEW,\"1\""
expect_eq "mixed: first occurrences kept, repeats not" \
	"$(sql "SELECT string_agg(creditor_reference || ':' || record || ':' || original_amount, ' ' ORDER BY record)
		FROM cases WHERE creditor_reference IN ('REF-000000004', 'REF-000000099', 'REF-000000199', 'REF-000000019')")" \
	"$(python3 - "$TMP/base.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))[1:]
def cents(s):
    a, _, b = s.partition(".")
    return int(a) * 100 + int((b + "00")[:2])
print(" ".join(f"{rows[n - 1][1]}:{n}:{cents(rows[n - 1][15])}" for n in (5, 100, 200)))
PY
)"

# the same file on the staged path: identical
fresh_db
load_as staged "$TMP/mixed.csv"
snapshot mixed-staged 1
same_results "mixed file" mixed-fast mixed-staged

# ---- 2. the same file with a tiny key filter: nearly every record is a
# suspect, classified set-wise, while the rest go fast; identical again
fresh_db
load_as tiny "$TMP/mixed.csv"
snapshot mixed-tiny 1
same_results "mixed file, tiny key filter" mixed-tiny mixed-staged

# ---- 3. a resend: a file A loaded, then a file B holding some of A's
# records unchanged (skipped), some of A's keys with other content
# (DUPLICATE) and new keys. B's keys already exist, so the fast path falls
# back to the staged path; B on the fast path and B staged: identical.
python3 - "$TMP/base.csv" "$TMP/a.csv" "$TMP/b.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
head, base = rows[0], rows[1:]
a = base[:1500]                              # A: REF-0..1499, case n = record n
changed = []
for r in a[400:450]:                         # A's records 401..450, other content
    r = list(r); r[12] = r[12] + "-X"; changed.append(r)
b = base[1500:1800] + a[100:300] + base[1800:2100] + changed + base[2100:2300]
for path, recs in ((sys.argv[2], a), (sys.argv[3], b)):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        w.writerows(recs)
PY
for mode in fast staged; do
	fresh_db
	load_as fast "$TMP/a.csv"
	expect_eq "resend: A ($mode)" "$out" "batch 1 loaded: 1500 records, 1500 accepted, 0 skipped, 0 rejected"
	load_as $mode "$TMP/b.csv"
	snapshot resend-$mode 2
done
same_results "resend" resend-fast resend-staged
expect_eq "resend: exit" "$(head -n 1 "$TMP/resend-fast/out")" "exit 0"
expect_eq "resend: summary" "$(tail -n +2 "$TMP/resend-fast/out")" \
	"batch 2 loaded: 1050 records, 800 accepted, 200 skipped, 50 rejected"
# B's records 301..500 are A's 101..300 (cases 101..300), skipped; 801..850
# are A's 401..450 with other content, DUPLICATE of cases 401..450
expect_eq "resend: DUPLICATE rows" "$(sql "SELECT count(*), min(record), max(record),
	bool_and(field = 'creditor_reference' AND line = record + 1 AND creditor_reference = 'REF-' || lpad((record - 401)::text, 9, '0')
		AND message = 'a case with this creditor_reference and other content exists (case ' || (record - 400) || ')'),
	(SELECT count(*) FROM rejects WHERE batch_id = 2 AND code <> 'DUPLICATE')
	FROM rejects WHERE batch_id = 2 AND code = 'DUPLICATE'")" "50|801|850|t|0"
expect_eq "resend: skipped receipt rows" "$(awk -F, '$4 == "skipped" {
		n++; if ($1 < 301 || $1 > 500 || $3 != $1 - 200 || $2 != sprintf("REF-%09d", $1 - 201)) bad++
	} END { print n + 0, bad + 0 }' "$TMP/resend-fast/receipt.raw")" "200 0"
expect_eq "resend: accepted receipt rows" "$(awk -F, '$4 == "accepted" { n++ } END { print n + 0 }' "$TMP/resend-fast/receipt.raw")" 800
expect_eq "resend: cases" "$(sql "SELECT count(*), count(*) FILTER (WHERE batch_id = 2),
	count(*) FILTER (WHERE batch_id = 1 AND invoice_number LIKE '%-X') FROM cases")" "2300|800|0"

# ---- 4. REJECT_RATIO: 61 of 100 records rejected, over 0.5: refused on
# both paths (the fast one falls back), the same report, nothing stored;
# the next file then loads the same on both databases
sed 's/^max_reject_ratio = .*/max_reject_ratio = 0.5/' "$CONF" >"$TMP/ratio.conf"
python3 - "$TMP/base.csv" "$TMP/ratio.csv" "$TMP/after.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
head, base = rows[0], rows[1:]
recs = [list(r) for r in base[3000:3100]]
for n in range(1, 101):
    if n % 5 in (1, 2, 3):
        recs[n - 1][15] = "-" + recs[n - 1][15]  # BAD_AMOUNT
recs[99] = list(recs[4])                         # 100: record 5 again
for path, rs in ((sys.argv[2], recs), (sys.argv[3], base[3100:3200])):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        w.writerows(rs)
PY
for mode in fast staged; do
	fresh_db
	load_as $mode "$TMP/ratio.csv" "$TMP/ratio.conf"
	snapshot ratio-$mode 1
	load_as fast "$TMP/after.csv"
	snapshot after-ratio-$mode 2
done
same_results "REJECT_RATIO" ratio-fast ratio-staged
expect_eq "ratio: exit and summary" "$(cat "$TMP/ratio-fast/out")" \
	"$(printf 'exit 1\nbatch 1 refused: 100 records, 0 accepted, 0 skipped, 61 rejected')"
expect_eq "ratio: no receipt" "$(cat "$TMP/ratio-fast/receipt.csv")" "(no receipt)"
expect_eq "ratio: nothing stored" "$(wc -c <"$TMP/ratio-fast/cases.tsv")" 0
expect_eq "ratio: report" "$(report_rows "$TMP/ratio-fast/rejects.csv" | awk -F, 'NR > 1 { c[$5]++ } END { for (k in c) print k, c[k] }' | sort)" \
	"$(printf 'BAD_AMOUNT 60\nDUPLICATE_IN_FILE 1\nREJECT_RATIO 1')"
grep -qx ',,,,REJECT_RATIO,"61 of 100 records were rejected, more than max_reject_ratio allows",' "$TMP/ratio-fast/rejects.csv" ||
	fail "ratio: REJECT_RATIO row"
grep -qx '100,101,REF-000003004,creditor_reference,DUPLICATE_IN_FILE,creditor_reference already appears in record 5,REF-000003004' \
	"$TMP/ratio-fast/rejects.csv" || fail "ratio: DUPLICATE_IN_FILE row"
same_results "a load after REJECT_RATIO" after-ratio-fast after-ratio-staged
expect_eq "after ratio: accepted in file order" "$(sed -n '2p;$p' "$TMP/after-ratio-fast/receipt.raw" | cut -d, -f1,2,4)" \
	"$(printf '1,REF-000003100,accepted\n100,REF-000003199,accepted')"

# ---- 5. two fast loaders at once on files with different keys: each
# receipt row names the case stored for its record
N=20000
python3 "$ROOT/tests/tools/gen.py" cases $N "$TMP/x.csv"
sed '2,$s/^\(CR[0-9]*\),REF-/\1,OTH-/' "$TMP/x.csv" >"$TMP/y.csv"
fresh_db
"$LOADER" load --conf "$CONF" --as-of $ASOF "$TMP/x.csv" >"$TMP/x.out" 2>"$TMP/x.err" &
x=$!
"$LOADER" load --conf "$CONF" --as-of $ASOF "$TMP/y.csv" >"$TMP/y.out" 2>"$TMP/y.err" &
y=$!
wait $x || fail "loader x failed: $(cat "$TMP/x.err")"
wait $y || fail "loader y failed: $(cat "$TMP/y.err")"
expect_eq "two loaders: summaries" "$(cat "$TMP/x.out" "$TMP/y.out" | sed 's/^batch [12] /batch N /')" \
	"$(printf 'batch N loaded: %d records, %d accepted, 0 skipped, 0 rejected\n' $N $N $N $N)"
expect_eq "two loaders: stderr" "$(cat "$TMP/x.err" "$TMP/y.err")" ""
bx=$(sed 's/^batch \([0-9]*\) .*/\1/' "$TMP/x.out")
by=$(sed 's/^batch \([0-9]*\) .*/\1/' "$TMP/y.out")
expect_eq "two loaders: receipts against cases" "$(psql -X -A -t -q -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE r (record bigint, creditor_reference text, case_id bigint, outcome text, payment_reference text,
	batch_id bigint);
\copy r (record, creditor_reference, case_id, outcome, payment_reference) from '$TMP/reports/batch-$bx.receipt.csv' with (format csv, header)
UPDATE r SET batch_id = $bx WHERE batch_id IS NULL;
\copy r (record, creditor_reference, case_id, outcome, payment_reference) from '$TMP/reports/batch-$by.receipt.csv' with (format csv, header)
UPDATE r SET batch_id = $by WHERE batch_id IS NULL;
SELECT (SELECT count(*) FROM r) || ' rows, ' || (SELECT count(DISTINCT case_id) FROM r) || ' case numbers, '
	|| (SELECT count(*) FROM (SELECT * FROM r) r JOIN cases c USING (case_id) WHERE c.creditor_reference = r.creditor_reference
		AND c.record = r.record AND c.batch_id = r.batch_id AND r.outcome = 'accepted') || ' matching, '
	|| (SELECT count(*) FROM cases) || ' cases, ' || (SELECT count(DISTINCT creditor_reference) FROM cases) || ' references, '
	|| (SELECT string_agg(x, ' ' ORDER BY x) FROM (SELECT left(r.creditor_reference, 4) || count(*) || '/' || min(record)
		|| '-' || max(record) || '=' || b.accepted AS x FROM r JOIN batches b USING (batch_id)
		GROUP BY left(r.creditor_reference, 4), r.batch_id, b.accepted) y);
SQL
)" "40000 rows, 40000 case numbers, 40000 matching, 40000 cases, 40000 references, OTH-20000/1-20000=20000 REF-20000/1-20000=20000"
expect_eq "two loaders: each file in its batch" "$(sql "SELECT string_agg(DISTINCT batch_id || left(creditor_reference, 4), ' '
	ORDER BY batch_id || left(creditor_reference, 4)) FROM cases")" "$(printf '%s\n' "${bx}REF-" "${by}OTH-" | LC_ALL=C sort | paste -sd' ')"
echo "two loaders: case numbers $(sql "SELECT string_agg(batch_id || ':' || min || '-' || max, ' ') FROM (SELECT batch_id,
	min(case_id), max(case_id) FROM cases GROUP BY 1 ORDER BY 1) x") (interleaved when the ranges overlap)"
