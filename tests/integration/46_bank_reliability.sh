#!/usr/bin/env bash
# Bank files (SPEC 13) are batches like any other (SPEC 7): atomic,
# idempotent, safe against kills, restarts, races and hostile files.
# 1. SIGKILL of the loader during the COPY of a camt.054 (seen in the
#    database with the loader frozen: signal_at in lib.sh; it must land):
#    the batch is failed, nothing of it is stored, and `rerun` completes it
#    exactly once, storing what a clean load of the file stores in another
#    database.
# 2. The database restarted (fast and immediate) during the COPY:
#    exit 3, the batch failed, nothing stored; `rerun` completes it once.
# 3. The same entries again in a camt.053 (tests/tools/camt.py --statement,
#    valid against its schema): every record skipped, nothing new stored.
# 4. Two loaders on one bank file at once: one loads it, the other waits and
#    says it is loaded. Two files with overlapping entries at once, both
#    held at the account lock and let go together: each bank reference
#    stored once, the overlap skipped by whichever came second.
# 5. Hostile bank files: a 20 MB <Nm>, a 2 MB <Ref>, 20 MB of text cut into
#    pieces by comments or CDATA sections: refused (FILE_MALFORMED), the
#    database unchanged, peak memory under 64 MiB; a 100 kB <Nm>: that
#    record rejected (FIELD_TOO_LONG), the others loaded.
# When a load gets past a moment before it is seen, the file is made twice
# as large and everything starts again: the test never passes without its
# kills and restarts.
. "$ROOT/tests/lib.sh"

CHF=CH4431999123000889012
xsd_dir=${ISO20022_XSD_DIR:-$ROOT/../shared/iso20022}
printf '%s\n' "creditor_id,creditor_reference,debtor_type,debtor_name,debtor_national_id,debtor_birth_date,debtor_street,debtor_postal_code,debtor_city,debtor_country,debtor_email,debtor_phone,invoice_number,invoice_date,due_date,original_amount,currency,paid_amount,fee_amount,interest_amount,claim_type,disputed,reminder_date" \
	"C1,B-A,person,Vera Amsler,,,Seestrasse 1,8002,Zürich,CH,,,A-1,2026-08-31,2026-09-30,500.00,CHF,,,,goods,false," >"$TMP/cases.csv"

# bank_db NAME: a fresh database with the configuration of 45_bank_load
# (the agency's accounts, QR references in Switzerland), the fixture
# creditors and one open CHF case (batch 1), whose payment reference must
# be $refA once it is known.
bank_db() {
	new_db "$1"
	sed -i -e 's/^\[country\.CH\]$/&\npayment_reference = qrr/' "$CONF"
	printf '[agency]\nname = Inkasso Test AG\nbic = POFICHBEXXX\naccount.CHF = %s\n' "$CHF" >>"$CONF"
	load_creditors
	run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/cases.csv"
	expect_eq "$1: the case" "$out" "batch 1 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected"
	ref=$(sql "SELECT payment_reference FROM cases")
	refA=${refA:-$ref}
	expect_eq "$1: the case's payment reference" "$ref" "$refA"
}
nobody=$(python3 "$ROOT/tests/tools/payref.py" qrr 999999)

# camt FILE MSGID [--statement]: a camt.054.001.08 (camt.053.001.08) of the
# CHF account from the entries on stdin, valid against its schema
camt() {
	local xsd=$xsd_dir/camt.054.001.08.xsd
	[ "${3:-}" = --statement ] && xsd=$xsd_dir/camt.053.001.08.xsd
	python3 "$ROOT/tests/tools/camt.py" ${3:+"$3"} "$CHF" "$2" >"$1"
	xmllint --noout --nonet --schema "$xsd" "$1" 2>"$TMP/xmllint" || { cat "$TMP/xmllint" >&2; fail "$1 is not valid"; }
}

# entries PREFIX M [R]: M times five entries (a payment on the case, a
# credit without reference, one with a reference of no case, a fee, a
# pending credit), then R reversals of the first R payments (by their
# EndToEndId). Outcomes: M + R accepted, 2M to suspense, 2M ignored.
entries() {
	python3 - "$1" "$2" "${3:-0}" "$refA" "$nobody" <<'EOF'
import sys
p, m, r, ref, nobody = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
rows = []
for i in range(m):
    rows += [f"BOOK 2026-11-05 1.00 CHF CRDT - {ref} {p}P-{i} - {p}E-{i} {p}NP-{i} Vera_Amsler",
             f"BOOK 2026-11-06 2.00 CHF CRDT - - {p}S-{i} - - {p}NS-{i} -",
             f"BOOK 2026-11-06 3.00 CHF CRDT - {nobody} {p}U-{i} - - {p}NU-{i} -",
             f"BOOK 2026-11-07 0.50 CHF DBIT - - {p}F-{i} - - {p}NF-{i} -",
             f"PDNG - 4.00 CHF CRDT - {ref} {p}D-{i} - - {p}ND-{i} -"]
for j in range(r):
    rows.append(f"BOOK 2026-11-10 1.00 CHF DBIT true - {p}R-{j} - {p}E-{j} {p}NR-{j} -")
print("\n".join("\t".join(v.replace("_", " ") for v in row.split(" ")) for row in rows))
EOF
}

# stored: what the bank tables and the transactions hold
stored() {
	sql "SELECT (SELECT count(*) FROM bank_records) || ' bank records, ' || (SELECT count(*) FROM suspense)
		|| ' suspense, ' || (SELECT count(*) FROM transactions) || ' transactions, '
		|| (SELECT count(*) FROM rejects) || ' rejects'"
}
# fingerprint: every bank record with its outcome, suspense item and
# transaction, without the ids (which a rolled-back load may have used)
fingerprint() {
	sql "SELECT (SELECT count(*) || ' ' || md5(string_agg(concat_ws(' ', batch_id, record, bank_reference, outcome,
			case_id, amount, booking_date, reverses IS NOT NULL), ',' ORDER BY bank_reference)) FROM bank_records)
		|| ' ' || (SELECT count(*) || ' ' || md5(string_agg(concat_ws(' ', bank_reference, reason, status, amount),
			',' ORDER BY bank_reference)) FROM suspense)
		|| ' ' || (SELECT count(*) || ' ' || md5(string_agg(concat_ws(' ', t.kind, t.case_id, t.amount, t.booking_date,
			t.record, b.bank_reference), ',' ORDER BY t.record))
			FROM transactions t JOIN bank_records b ON t.transaction_id = 'BANK-' || b.id)"
}
# counts: bank records (distinct keys), suspense items, payments, reversals
counts() {
	sql "SELECT (SELECT count(*) || ' (' || count(DISTINCT (account, bank_reference)) || ' keys)' FROM bank_records)
		|| ' / ' || (SELECT count(*) FROM suspense) || ' / '
		|| (SELECT count(*) FILTER (WHERE kind = 'payment') || ' / ' || count(*) FILTER (WHERE kind = 'reversal')
			|| ' (' || count(DISTINCT transaction_id) || ' ids)' FROM transactions)"
}

# load_bank FILE: load FILE as of 2026-11-20 in the background, stdout to
# $TMP/out, stderr to $TMP/err; $pid is the loader
load_bank() {
	"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$1" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
}
# finish PID: wait for a background loader, 120 s at most; sets $rc
finish() {
	local deadline=$(($(date +%s) + 120))
	while [[ "$(ps -o stat= -p "$1" || true)" == [^Z]* ]]; do
		[ "$(date +%s)" -lt $deadline ] || { kill -KILL "$1"; fail "loader $1 still running after 120 s"; }
		sleep 0.05
	done
	rc=0
	wait "$1" || rc=$?
}
# wait_for_line FILE LINE: until FILE has LINE, 60 s at most
wait_for_line() {
	for _ in $(seq 1 600); do
		grep -qxF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "no line '$2' in $1 after 60 s: $(cat "$1")"
}
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
wait_ready() {
	for _ in $(seq 1 120); do pg_isready -q && return 0; sleep 0.25; done
	fail "the server did not come back"
}

# ---- 1 and 2: a SIGKILL and two restarts of the server, each during the
# COPY of the same camt.054. attempt M: M blocks of
# entries() and 10 reversals, N records; missed=1 when a moment was missed.
attempt() {
	M=$1 R=10 N=$(($1 * 5 + 10)) missed=0
	BATCH=2
	bank_db "kill_$M"
	kill_db=$PGDATABASE
	entries K "$M" $R | camt "$TMP/bank.xml" BIG-1
	before=$(stored)
	load_bank "$TMP/bank.xml"
	if ! signal_at copy:10 KILL $pid; then
		finish $pid
		echo "$N records: the load got past its COPY before it was seen: $(cat "$TMP/out")"
		missed=1
		return 0
	fi
	finish $pid
	echo "$N records: SIGKILL while the backend was $moment"
	if [[ "$moment" != *"COPY FROM"* ]]; then
		echo "$N records: the COPY had ended when the loader was frozen"
		missed=1
		return 0
	fi
	expect_eq "kill: the loader died of the SIGKILL" "$rc" 137
	expect_eq "kill: no summary" "$(cat "$TMP/out")" ""
	wait_backend_gone "$backend_pid"
	expect_eq "kill: nothing of the batch stored" "$(stored)" "$before"
	expect_eq "kill: status" "$(status_of 2)" failed

	bank_db "restart_$M"
	restart_db=$PGDATABASE
	before=$(stored)
	for mode in fast immediate; do
		load_bank "$TMP/bank.xml"
		if ! signal_at copy:10 STOP $pid; then
			finish $pid
			echo "$N records, $mode restart: the load got past its COPY before it was seen"
			missed=1
			return 0
		fi
		if [[ "$moment" != *"COPY FROM"* ]]; then
			kill -CONT $pid
			finish $pid
			echo "$N records, $mode restart: the COPY had ended when the loader was frozen"
			missed=1
			return 0
		fi
		echo "$N records: the server restarted ($mode) while the backend was $moment"
		as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m "$mode" -w restart >/dev/null 2>&1 || fail "restart $mode"
		wait_ready
		kill -CONT $pid
		finish $pid
		expect_eq "restart $mode: exit" "$rc" 3
		expect_eq "restart $mode: summary" "$(cat "$TMP/out")" \
			"batch 2 failed: 0 records, 0 accepted, 0 skipped, 0 rejected, 0 to suspense, 0 ignored"
		grep -q '^loader: error: ' "$TMP/err" || fail "restart $mode: no error message: $(cat "$TMP/err")"
		expect_eq "restart $mode: nothing of the batch stored" "$(stored)" "$before"
		expect_eq "restart $mode: status" "$(status_of 2)" failed
	done
}
refA=
for m in 4000 8000 16000; do
	attempt $m
	[ $missed = 1 ] || break
done
[ $missed = 0 ] || fail "even with $N records the load got past a moment before it was seen"

summary="batch 2 loaded: $N records, $((M + R)) accepted, 0 skipped, 0 rejected, $((2 * M)) to suspense, $((2 * M)) ignored"
expected_counts="$N ($N keys) / $((2 * M)) / $M / $R ($((M + R)) ids)"
bank_db "clean_$M"
clean_db=$PGDATABASE
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/bank.xml"
expect_eq "clean load" "$out" "$summary"
expect_eq "clean load: stored" "$(counts)" "$expected_counts"
clean=$(fingerprint)
for db in "$kill_db" "$restart_db"; do
	export PGDATABASE=$db
	run_loader rerun --conf "$CONF" 2
	expect_eq "$db: rerun: exit" "$rc" 0
	expect_eq "$db: rerun" "$out" "$summary"
	expect_eq "$db: rerun: stored" "$(counts)" "$expected_counts"
	expect_eq "$db: rerun: the same as a clean load" "$(fingerprint)" "$clean"
	expect_eq "$db: batches" "$(sql "SELECT string_agg(batch_id || ' ' || status, ', ' ORDER BY batch_id) FROM batches")" \
		"1 loaded, 2 loaded"
	run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/bank.xml"
	expect_eq "$db: loaded again" "$out" "already loaded as batch 2"
done

# ---- 3: the same entries again, in the account's camt.053
export PGDATABASE=$clean_db
entries K "$M" $R | camt "$TMP/statement.xml" STMT-1 --statement
grep -q '<BkToCstmrStmt>' "$TMP/statement.xml" || fail "not a camt.053"
was=$(stored)
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/statement.xml"
expect_eq "camt.053: exit" "$rc" 0
expect_eq "camt.053: summary" "$out" "batch 3 loaded: $N records, 0 accepted, $N skipped, 0 rejected, 0 to suspense, 0 ignored"
expect_eq "camt.053: nothing new stored" "$(stored)" "$was"
expect_eq "camt.053: the same as before" "$(fingerprint)" "$clean"
expect_eq "camt.053: receipt" "$(tail -n +2 "$TMP/reports/batch-3.receipt.csv" | cut -d, -f5 | sort | uniq -c | tr -s ' ')" \
	" $N skipped"

# ---- 4: two loaders on one bank file at once: the first is frozen in the
# middle of its COPY while the second starts and waits for it
bank_db two
BATCH=2
"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/bank.xml" >"$TMP/a.out" 2>"$TMP/a.err" &
a=$!
signal_at copy:1 STOP $a || fail "the first loader got past its COPY before it was seen"
"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/bank.xml" >"$TMP/b.out" 2>"$TMP/b.err" &
b=$!
wait_for_line "$TMP/b.err" "loader: 'bank.xml' is being loaded by another loader as batch 2; waiting for it"
kill -CONT $a
finish $a
expect_eq "one file, first loader: exit" "$rc" 0
finish $b
expect_eq "one file, second loader: exit" "$rc" 0
expect_eq "one file: the first loads it" "$(cat "$TMP/a.out")" "$summary"
expect_eq "one file: the second says so" "$(cat "$TMP/b.out")" "already loaded as batch 2"
expect_eq "one file: one batch" "$(sql "SELECT count(*) FROM batches WHERE kind = 'bank'")" 1
expect_eq "one file: stored once" "$(counts)" "$expected_counts"

# Two files with overlapping entries (the same account and bank
# references): X holds blocks A and S, Y blocks S and B, 1000 records each.
# The test holds the account's lock (class LOCK_CLASS_BANK of
# loader/locks.h) while both load, so that both reach it, then lets go.
m=200
{ entries A $m; entries S $m; } | camt "$TMP/x.xml" X-1
{ entries S $m; entries B $m; } | camt "$TMP/y.xml" Y-1
PGAPPNAME=lock_holder psql -X -q -c "SELECT pg_advisory_lock(1821, hashtext('$CHF'))" -c "SELECT pg_sleep(300)" \
	>/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 200); do
	[ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		WHERE a.application_name = 'lock_holder' AND l.locktype = 'advisory' AND l.granted")" = 1 ] && break
	sleep 0.05
done
"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/x.xml" >"$TMP/x.out" 2>"$TMP/x.err" &
x=$!
wait_for_line "$TMP/x.err" "loader: batch 3: waiting for another loader to finish: it holds the lock of the bank account of this file"
"$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/y.xml" >"$TMP/y.out" 2>"$TMP/y.err" &
y=$!
wait_for_line "$TMP/y.err" "loader: batch 4: waiting for another loader to finish: it holds the lock of the bank account of this file"
expect_eq "overlap: both loading" "$(sql "SELECT string_agg(batch_id || ' ' || status, ', ' ORDER BY batch_id) FROM batches
	WHERE batch_id > 2")" "3 loading, 4 loading"
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock_holder'" >/dev/null
wait $holder || true
finish $x
expect_eq "overlap: x exit" "$rc" 0
finish $y
expect_eq "overlap: y exit" "$rc" 0
first="loaded: $((10 * m)) records, $((2 * m)) accepted, 0 skipped, 0 rejected, $((4 * m)) to suspense, $((4 * m)) ignored"
second="loaded: $((10 * m)) records, $m accepted, $((5 * m)) skipped, 0 rejected, $((2 * m)) to suspense, $((2 * m)) ignored"
outs="$(cat "$TMP/x.out") / $(cat "$TMP/y.out")"
[ "$outs" = "batch 3 $first / batch 4 $second" ] || [ "$outs" = "batch 3 $second / batch 4 $first" ] ||
	fail "overlap: one file first, the other skipping the overlap, not: $outs"
expect_eq "overlap: each bank reference once" "$(sql "SELECT count(*) || ' ' || count(DISTINCT bank_reference)
	|| ' ' || count(*) FILTER (WHERE bank_reference ~ '^[ASB]')FROM bank_records")" \
	"$((N + 15 * m)) $((N + 15 * m)) $((15 * m))"
expect_eq "overlap: stored" "$(counts)" \
	"$((N + 15 * m)) ($((N + 15 * m)) keys) / $((2 * M + 6 * m)) / $((M + 3 * m)) / $R ($((M + R + 3 * m)) ids)"

# ---- 5: hostile bank files: refused with their code, nothing stored,
# memory bounded
bank_db hostile
# hostile NAME FIELD SIZE [CUT]: a camt.054 of two credits whose second has
# FIELD (name or ref) of SIZE bytes, cut into pieces of 64 kB by CUT
hostile() {
	python3 - "$TMP/$1.xml" "$2" "$3" "${4:-}" "$ROOT/tests/tools/camt.py" "$CHF" <<'EOF'
import subprocess, sys
path, field, size, cut, tool, account = sys.argv[1:7]
size = int(size)
row = "BOOK\t2026-11-05\t5.00\tCHF\tCRDT\t-\t{ref}\tH-{n}\t-\t-\tHN-{n}\t{name}"
lines = [row.format(ref="-", name="Beat", n=1), row.format(ref="HUGE" if field == "ref" else "-",
                                                            name="HUGE" if field == "name" else "Carla", n=2)]
xml = subprocess.run(["python3", tool, account, "HOSTILE"], input="\n".join(lines) + "\n",
                     capture_output=True, text=True, check=True).stdout
piece = ("1" if field == "ref" else "x") * (1 << 16)
if cut == "cdata":
    text = "<![CDATA[" + "]]><![CDATA[".join([piece] * (size >> 16)) + "]]>"
elif cut:
    text = cut.join([piece] * (size >> 16))
else:
    text = (piece * ((size >> 16) + 1))[:size]
open(path, "w").write(xml.replace("HUGE", text))
EOF
}
was=$(counts)
batch=1
for f in "name-20MB name 20000000" "ref-2MB ref 2000000" "name-comments name 20000000 <!---->" "ref-cdata ref 20000000 cdata"; do
	set -- $f
	hostile "$@"
	batch=$((batch + 1))
	set +e
	/usr/bin/time -f %M -o "$TMP/rss" "$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$TMP/$1.xml" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	echo "$1 ($(stat -c %s "$TMP/$1.xml") bytes): $(tail -n 1 "$TMP/err"), max RSS $(tail -n 1 "$TMP/rss") kB"
	expect_eq "$1: exit" "$rc" 1
	expect_eq "$1: summary" "$(cat "$TMP/out")" \
		"batch $batch refused: 1 records, 0 accepted, 0 skipped, 0 rejected, 0 to suspense, 0 ignored"
	expect_eq "$1: code" "$(report_rows "$TMP/reports/batch-$batch.rejects.csv" | tail -n +2 | cut -d, -f5)" FILE_MALFORMED
	case $1 in
	*-comments | *-cdata) why="more than 1048576 bytes of text, comments, CDATA sections or processing instructions between two tags" ;;
	*) why="a text longer than 1048576 bytes" ;;
	esac
	expect_eq "$1: message" "$(cat "$TMP/err")" "loader: error: '$TMP/$1.xml': the xml file has $why"
	expect_eq "$1: status" "$(status_of $batch)" refused
	expect_eq "$1: nothing stored" "$(counts)" "$was"
	[ "$(tail -n 1 "$TMP/rss")" -lt $((64 * 1024)) ] || fail "$1: max RSS $(tail -n 1 "$TMP/rss") kB, not under 64 MiB"
done
# a name of 100 kB: under the XML limit, over the field's: that record is
# rejected, the other one stored
hostile name-100kB name 100000
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/name-100kB.xml"
expect_eq "100 kB name: exit" "$rc" 0
expect_eq "100 kB name: summary" "$out" \
	"batch 6 loaded: 2 records, 0 accepted, 0 skipped, 1 rejected, 1 to suspense, 0 ignored"
expect_eq "100 kB name: reject" "$(python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])): print(r["record"], r["field"], r["code"], "[" + r["value"] + "]")' \
	"$TMP/reports/batch-6.rejects.csv")" "2 debtor_name FIELD_TOO_LONG []"
expect_eq "100 kB name: stored" "$(sql "SELECT string_agg(bank_reference || ' ' || outcome, ', ') FROM bank_records")" \
	"H-1 suspense"
echo "bank batches: killed, restarted, re-sent, raced and hostile, each stored once or not at all"
