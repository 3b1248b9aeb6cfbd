#!/usr/bin/env bash
# A large gzip case file (SPEC 1: streaming, constant memory): 200,000
# records with CRLF line ends, a quoted CRLF in every 1000th record and a
# bad record every 10th, so that line ends, quoted breaks and records fall
# on every kind of read-buffer boundary. Exact counts, exact line of every
# reject, a receipt row for every accepted record, bounded peak memory.
. "$ROOT/tests/lib.sh"
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing (Debian package 'time')"
new_db large_file
load_creditors

N=200000
python3 - "$N" <<'PY' | gzip -n -1 >"$TMP/large.csv.gz"
import sys
n = int(sys.argv[1])
out = sys.stdout
out.write('creditor_id,creditor_reference,debtor_type,debtor_name,debtor_street,debtor_postal_code,'
          'debtor_city,debtor_country,invoice_number,invoice_date,due_date,original_amount,currency,'
          'claim_type,disputed\r\n')
for i in range(n):
    street = '"Weg %d\r\nHinterhaus"' % i if i % 1000 == 0 else 'Weg %d' % i
    disputed = 'maybe' if i % 10 == 3 else 'false'
    out.write('C1,C1-%07d,person,Anna Muster %d,%s,3000,Bern,CH,INV-%d,2026-09-01,2026-09-30,%d.%02d,CHF,goods,%s\r\n'
              % (i, i, street, i, i % 5000 + 1, i % 100, disputed))
PY

set +e
/usr/bin/time -v -o "$TMP/time.log" "$LOADER" load --conf "$CONF" --as-of 2026-11-01 "$TMP/large.csv.gz" >"$TMP/out" 2>"$TMP/stderr"
rc=$?
set -e
expect_eq "exit" "$rc" 0
expect_eq "summary" "$(cat "$TMP/out")" "batch 1 loaded: 200000 records, 180000 accepted, 0 skipped, 20000 rejected"
expect_eq "stderr" "$(without_report_lines "$(cat "$TMP/stderr")")" ""
rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$TMP/time.log")
[ "$rss" -lt 102400 ] || fail "peak RSS ${rss} kB, expected below 100 MB"

# every reject at its exact record and line; every accepted record in the
# receipt with consecutive case numbers
python3 - "$N" "$TMP/reports/batch-1.rejects.csv" "$TMP/reports/batch-1.receipt.csv" <<'PY' || fail "report or receipt differs"
import csv, os, sys
sys.path.insert(0, os.path.join(os.environ['ROOT'], 'tests', 'tools'))
import payref
n = int(sys.argv[1])
want_rejects, want_receipt = [], []
line, case_id = 2, 0
for i in range(n):
    if i % 10 == 3:
        want_rejects.append([str(i + 1), str(line), 'C1-%07d' % i, 'disputed', 'BAD_FORMAT'])
    else:
        case_id += 1
        want_receipt.append([str(i + 1), 'C1-%07d' % i, str(case_id), 'accepted', payref.make('scor', case_id)])
    line += 2 if i % 1000 == 0 else 1
with open(sys.argv[2], newline='') as f:
    got_rejects = [r[:5] for r in csv.reader(f)][1:]
with open(sys.argv[3], newline='') as f:
    got_receipt = list(csv.reader(f))[1:]
ok = True
for name, want, got in (('rejects', want_rejects, got_rejects), ('receipt', want_receipt, got_receipt)):
    if want != got:
        ok = False
        print('%s: %d rows, expected %d' % (name, len(got), len(want)), file=sys.stderr)
        for w, g in zip(want, got):
            if w != g:
                print('  first difference: expected %s, got %s' % (w, g), file=sys.stderr)
                break
sys.exit(0 if ok else 1)
PY

expect_eq "database" "$(sql "SELECT count(*) || ' ' || sum(original_amount) || ' ' || count(*) FILTER (WHERE debtor_street LIKE E'%\r\nHinterhaus') FROM cases")" \
	"180000 $(python3 -c "print(sum((i % 5000 + 1) * 100 + i % 100 for i in range($N) if i % 10 != 3))") 200"
expect_eq "rejects table" "$(sql "SELECT count(*) FROM rejects")" 20000
