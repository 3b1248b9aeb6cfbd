#!/usr/bin/env bash
# Options and commands of bin/loader (SPEC 2, 3, 5, 7): --dry-run,
# --creditor, --kind, bad --as-of, unknown options, missing files,
# configuration errors, status (text and JSON), max_reject_ratio, --help.
. "$ROOT/tests/lib.sh"
MIXED="$FIX/cases/cases-mixed.csv"
EXPECTED="$FIX/cases/cases-mixed.expected-rejects.csv"

# db_state: batches (id:status:counts), cases and rejects, in one line
db_state() {
	sql "SELECT coalesce((SELECT string_agg(batch_id || ':' || status || ':' || records || '/' || accepted || '/'
		|| skipped || '/' || rejected, ' ' ORDER BY batch_id) FROM batches), '-')
		|| ' cases=' || (SELECT count(*) FROM cases) || ' rejects=' || (SELECT count(*) FROM rejects)"
}

# ---- --dry-run: validated, report written, nothing stored; a real load
# of the same file afterwards loads it
new_db options_dry
load_creditors
rm -rf "$TMP/reports"
run_loader load --conf "$CONF" --dry-run --as-of 2026-11-01 "$MIXED"
expect_eq "dry run: exit" "$rc" 0
expect_eq "dry run: summary" "$out" "batch 1 dry_run: 16 records, 5 accepted, 0 skipped, 11 rejected"
expect_eq "dry run: stderr" "$(without_report_lines "$err")" ""
report_rows "$TMP/reports/batch-1.rejects.csv" >"$TMP/got.csv"
diff -u "$EXPECTED" "$TMP/got.csv" || fail "dry run: reject report differs"
expect_eq "dry run: report mode" "$(stat -c %a "$TMP/reports/batch-1.rejects.csv")" 600
[ ! -e "$TMP/reports/batch-1.receipt.csv" ] || fail "dry run: a receipt was written for a batch that loaded nothing"
expect_eq "dry run: database" "$(db_state)" "1:dry_run:16/5/0/11 cases=0 rejects=23"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$MIXED"
expect_eq "after dry run: exit" "$rc" 0
expect_eq "after dry run: summary" "$out" "batch 2 loaded: 16 records, 5 accepted, 0 skipped, 11 rejected"
report_rows "$TMP/reports/batch-2.rejects.csv" >"$TMP/got.csv"
diff -u "$EXPECTED" "$TMP/got.csv" || fail "after dry run: reject report differs"
expect_eq "after dry run: database" "$(db_state)" "1:dry_run:16/5/0/11 2:loaded:16/5/0/11 cases=5 rejects=46"
run_loader load --conf "$CONF" --dry-run --as-of 2026-11-01 "$MIXED"
expect_eq "dry run of a loaded file: exit" "$rc" 0
expect_eq "dry run of a loaded file: summary" "$out" "already loaded as batch 2"
expect_eq "dry run of a loaded file: database" "$(db_state)" "1:dry_run:16/5/0/11 2:loaded:16/5/0/11 cases=5 rejects=46"

# ---- --creditor C1: other creditors' records are CREDITOR_MISMATCH (and
# the rules that need their creditor's country are not applied to them)
new_db options_creditor
load_creditors
rm -rf "$TMP/reports"
run_loader load --conf "$CONF" --creditor C1 --as-of 2026-11-01 "$MIXED"
expect_eq "creditor: exit" "$rc" 0
expect_eq "creditor: summary" "$out" "batch 1 loaded: 16 records, 2 accepted, 0 skipped, 14 rejected"
expect_eq "creditor: report" "$(report_rows "$TMP/reports/batch-1.rejects.csv")" "$(cat <<'ROWS'
record,line,creditor_reference,field,code
2,3,S1-2001,creditor_id,CREDITOR_MISMATCH
3,4,N1-3001,creditor_id,CREDITOR_MISMATCH
4,5,D1-4001,creditor_id,CREDITOR_MISMATCH
5,7,C1-1002,due_date,NOT_OVERDUE
7,9,C1-1004,original_amount,BAD_AMOUNT
7,9,C1-1004,currency,BAD_CURRENCY
7,9,C1-1004,fee_amount,FEES_INCLUDED
7,9,C1-1004,disputed,DISPUTED
8,10,C1-1001,creditor_reference,DUPLICATE_IN_FILE
9,11,S1-2002,creditor_id,CREDITOR_MISMATCH
9,11,S1-2002,debtor_national_id,BAD_ID
10,12,Z-1,creditor_id,CREDITOR_MISMATCH
11,13,C1-1005,,BAD_RECORD
12,14,D1-4002,creditor_id,CREDITOR_MISMATCH
12,14,D1-4002,debtor_national_id,BAD_ID
13,15,N1-3002,creditor_id,CREDITOR_MISMATCH
14,16,C1-1006,debtor_birth_date,BAD_DATE
14,16,C1-1006,debtor_postal_code,BAD_FORMAT
14,16,C1-1006,debtor_email,BAD_FORMAT
14,16,C1-1006,debtor_phone,BAD_FORMAT
14,16,C1-1006,invoice_date,BAD_DATE
14,16,C1-1006,paid_amount,NOTHING_OUTSTANDING
15,17,C1-1007,due_date,BAD_DATE
15,17,C1-1007,claim_type,BAD_FORMAT
15,17,C1-1007,disputed,BAD_FORMAT
16,18,RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR,creditor_reference,FIELD_TOO_LONG
ROWS
)"
expect_eq "creditor: stored" "$(sql "SELECT string_agg(creditor_id || '/' || creditor_reference, ' ' ORDER BY case_id) FROM cases")" \
	"C1/C1-1001 C1/C1-1003"
expect_eq "creditor: batch keeps the filter" "$(sql "SELECT creditor_filter FROM batches")" "C1"

# ---- --kind transactions on a case file: its header does not fit
new_db options_kind
load_creditors
rm -rf "$TMP/reports"
run_loader load --conf "$CONF" --kind transactions --as-of 2026-11-01 "$MIXED"
expect_eq "kind: exit" "$rc" 1
expect_eq "kind: summary" "$out" "batch 1 refused: 0 records, 0 accepted, 0 skipped, 0 rejected"
expect_eq "kind: stderr" "$err" "loader: error: '$MIXED': unknown column 'debtor_type' in the header"
expect_eq "kind: report" "$(report_rows "$TMP/reports/batch-1.rejects.csv")" \
	"$(printf 'record,line,creditor_reference,field,code\n,1,,,FILE_HEADER')"
expect_eq "kind: database" "$(db_state)" "1:refused:0/0/0/0 cases=0 rejects=1"

# ---- usage errors: exit 2, a message naming the problem, nothing done
new_db options_usage
load_creditors
rm -rf "$TMP/reports"
usage_error() { # WHAT EXPECTED-FIRST-STDERR-LINE ARGS...
	local what=$1 want=$2
	shift 2
	run_loader "$@"
	expect_eq "$what: exit" "$rc" 2
	expect_eq "$what: stdout" "$out" ""
	expect_eq "$what: message" "$(head -n 1 <<<"$err")" "$want"
	expect_eq "$what: nothing done" "$(db_state)" "- cases=0 rejects=0"
}
usage_error "as-of not a date" "loader: --as-of '2026-02-30' is not a date YYYY-MM-DD" \
	load --conf "$CONF" --as-of 2026-02-30 "$MIXED"
usage_error "as-of without zero padding" "loader: --as-of '2026-11-1' is not a date YYYY-MM-DD" \
	load --conf "$CONF" --as-of 2026-11-1 "$MIXED"
usage_error "as-of today" "loader: --as-of 'today' is not a date YYYY-MM-DD" \
	load --conf "$CONF" --as-of today "$MIXED"
usage_error "as-of missing its value" "loader: unknown or incomplete option '--as-of'" \
	load --conf "$CONF" --as-of
usage_error "unknown option" "loader: unknown or incomplete option '--bogus'" \
	load --conf "$CONF" --bogus --as-of 2026-11-01 "$MIXED"
usage_error "bad --kind" "loader: --kind must be 'cases', 'transactions', 'events', 'bank' or 'assignments', not 'payments'" \
	load --conf "$CONF" --kind payments --as-of 2026-11-01 "$MIXED"
usage_error "unknown command" "loader: unknown command 'lode'" \
	lode --conf "$CONF" "$MIXED"
usage_error "no file" "loader: expected at least one FILE" \
	load --conf "$CONF" --as-of 2026-11-01
usage_error "missing file" "loader: error: cannot read '$TMP/no-such-file.csv': no such file or directory" \
	load --conf "$CONF" --as-of 2026-11-01 "$TMP/no-such-file.csv"
usage_error "missing configuration" \
	"loader: error: cannot open configuration '$TMP/no-such.conf': No such file or directory" \
	load --conf "$TMP/no-such.conf" --as-of 2026-11-01 "$MIXED"

# configuration errors name the file, the line and the key
sed 's/^max_amount = .*/&\nmax_amont = 5.00/' "$CONF" >"$TMP/unknown-key.conf"
expect_eq "unknown key: its line" "$(sed -n 9p "$TMP/unknown-key.conf")" "max_amont = 5.00"
usage_error "unknown key" \
	"loader: error: configuration '$TMP/unknown-key.conf' line 9: unknown key 'max_amont' in section '[loader]'" \
	load --conf "$TMP/unknown-key.conf" --as-of 2026-11-01 "$MIXED"
sed 's/^interest_days_per_year = 360/interest_days_per_year = 366/' "$CONF" >"$TMP/bad-value.conf"
line=$(grep -n '^interest_days_per_year = 366' "$TMP/bad-value.conf" | cut -d: -f1)
usage_error "bad value" \
	"loader: error: configuration '$TMP/bad-value.conf' line $line: key 'interest_days_per_year' in [country.DK]: '366' is not 365 or 360" \
	load --conf "$TMP/bad-value.conf" --as-of 2026-11-01 "$MIXED"
{ cat "$CONF"; printf '[reports]\nkeep_days = 30\n'; } >"$TMP/unknown-section.conf"
line=$(grep -n '^keep_days' "$TMP/unknown-section.conf" | cut -d: -f1)
usage_error "unknown section" \
	"loader: error: configuration '$TMP/unknown-section.conf' line $line: unknown section '[reports]' (key 'keep_days')" \
	load --conf "$TMP/unknown-section.conf" --as-of 2026-11-01 "$MIXED"

# ---- status: text and JSON, all batches or one
run_loader load --conf "$CONF" --as-of 2026-11-01 "$MIXED"
expect_eq "status setup" "$out" "batch 1 loaded: 16 records, 5 accepted, 0 skipped, 11 rejected"
sha=$(sha256sum "$MIXED" | cut -d' ' -f1)
run_loader status --conf "$CONF"
expect_eq "status: exit" "$rc" 0
expect_eq "status: header" "$(head -n 1 <<<"$out" | tr -s ' ')" \
	" batch kind status as-of started time records accepted skipped rejected file"
expect_eq "status: row" "$(awk 'NR == 2 { print $1, $2, $3, $4, $8, $9, $10, $11, $12 }' <<<"$out")" \
	"1 cases loaded 2026-11-01 16 5 0 11 cases-mixed.csv"
expect_eq "status: run time" "$(awk 'NR == 2 { print ($7 ~ /^[0-9]+\.[0-9]s$/) }' <<<"$out")" 1
expect_eq "status: rows" "$(wc -l <<<"$out")" 2
run_loader status --conf "$CONF" --json
expect_eq "status --json: exit" "$rc" 0
printf '%s\n' "$out" >"$TMP/status.json"
run_loader status --conf "$CONF" --json 1
expect_eq "status --json 1: exit" "$rc" 0
printf '%s\n' "$out" >"$TMP/status1.json"
python3 - "$TMP/status.json" "$TMP/status1.json" "$sha" <<'PY' || fail "status --json"
import json, re, sys
all_, one, sha = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
assert isinstance(all_, list) and len(all_) == 1, all_
assert all_[0] == one, (all_[0], one)
want = {"batch_id": 1, "kind": "cases", "file_name": "cases-mixed.csv", "sha256": sha,
        "as_of": "2026-11-01", "status": "loaded", "records": 16, "accepted": 5,
        "skipped": 0, "rejected": 11, "message": None}
for k, v in want.items():
    assert one.get(k) == v, (k, one.get(k), v)
for k in ("started", "finished"):
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", one.get(k) or ""), (k, one.get(k))
PY
run_loader status --conf "$CONF" 99
expect_eq "status of no batch: exit" "$rc" 2
expect_eq "status of no batch: message" "$err" "loader: error: no batch 99"

# ---- max_reject_ratio: 11 of 16 records rejected (0.6875)
new_db options_ratio
load_creditors
rm -rf "$TMP/reports"
sed -i 's/^max_reject_ratio = .*/max_reject_ratio = 0.5/' "$CONF"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$MIXED"
expect_eq "ratio: exit" "$rc" 1
expect_eq "ratio: summary" "$out" "batch 1 refused: 16 records, 0 accepted, 0 skipped, 11 rejected"
report_rows "$TMP/reports/batch-1.rejects.csv" >"$TMP/got.csv"
{ cat "$EXPECTED"; echo ",,,,REJECT_RATIO"; } >"$TMP/want.csv"
diff -u "$TMP/want.csv" "$TMP/got.csv" || fail "ratio: reject report differs"
[ ! -e "$TMP/reports/batch-1.receipt.csv" ] || fail "ratio: a receipt was written for a refused batch"
expect_eq "ratio: database" "$(db_state)" "1:refused:16/0/0/11 cases=0 rejects=24"
# exactly at the ratio is not above it: loaded
new_db options_ratio_edge
load_creditors
rm -rf "$TMP/reports"
sed -i 's/^max_reject_ratio = .*/max_reject_ratio = 0.6875/' "$CONF"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$MIXED"
expect_eq "ratio at the edge: exit" "$rc" 0
expect_eq "ratio at the edge: summary" "$out" "batch 1 loaded: 16 records, 5 accepted, 0 skipped, 11 rejected"
expect_eq "ratio at the edge: database" "$(db_state)" "1:loaded:16/5/0/11 cases=5 rejects=23"

# ---- --help: each program and command says what it does, exit 0
for cmd in "" load status rerun creditors init-db; do
	run_loader $cmd --help
	expect_eq "help '$cmd': exit" "$rc" 0
	expect_eq "help '$cmd': usage first" "$(head -n 1 <<<"$out" | cut -d' ' -f1-2)" "usage: loader"
	[ "$(wc -l <<<"$out")" -ge 3 ] || fail "help '$cmd': too short"
done
run_loader
expect_eq "no command: exit" "$rc" 2
expect_eq "no command: usage on stderr" "$(head -n 1 <<<"$err")" "usage: loader COMMAND [OPTIONS] [ARGS]"

# exit 2 means nothing done: a missing file among good ones loads none
before=$(sql "SELECT count(*) FROM batches")
cp "$FIX/cases/cases-mixed.csv" "$TMP/good-copy.csv"; echo >>"$TMP/good-copy.csv"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/good-copy.csv" "$TMP/no-such-file.csv"
expect_eq "one missing file: exit" "$rc" 2
expect_eq "one missing file: nothing loaded" "$(sql "SELECT count(*) FROM batches")" "$before"
run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP"
expect_eq "a directory: exit" "$rc" 2

# REJECT_RATIO says why on stderr and in the batch row
sed "s/^max_reject_ratio = .*/max_reject_ratio = 0.5/" "$CONF" >"$TMP/ratio2.conf"
cp "$FIX/cases/cases-mixed.csv" "$TMP/ratio-copy.csv"; printf '\n\n' >>"$TMP/ratio-copy.csv"
run_loader load --conf "$TMP/ratio2.conf" --as-of 2026-11-01 "$TMP/ratio-copy.csv"
expect_eq "ratio exit" "$rc" 1
echo "$err" | grep -q "11 of 16 records were rejected, more than max_reject_ratio allows" || fail "ratio message: $err"
id=$(echo "$out" | sed -n 's/^batch \([0-9]*\) refused.*/\1/p')
expect_eq "ratio message stored" "$(sql "SELECT message FROM batches WHERE batch_id = $id")" "11 of 16 records were rejected, more than max_reject_ratio allows"
