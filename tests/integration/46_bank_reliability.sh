#!/usr/bin/env bash
# Bank files (SPEC 13) are batches like any other (SPEC 7): atomic,
# idempotent, safe against kills, restarts, races and hostile files.
# 1. SIGKILL of the loader during the COPY of a large camt.054 (seen in the
#    database with the loader frozen: signal_at in lib.sh; it must land):
#    exit 137, the batch failed, nothing of it stored; `rerun` loads it
#    exactly once, storing what a clean load of the file stores in another
#    database (every bank record, payment BANK-<id>, reversal and suspense
#    item, by content).
# 2. The database restarted (pg_ctl -m fast) during the COPY: exit 3, a
#    `failed` summary, an error naming the lost connection, nothing stored;
#    loading the file again completes batch 2 exactly once. (An immediate
#    restart is the same to the loader, a connection lost in its COPY; it
#    is 62_db_restart's, as its crash recovery, which syncs every file of
#    every test database, takes 25-50 s on a busy machine.)
# 3. The account's camt.053 after that camt.054 (tests/tools/camt.py
#    --statement, valid against camt.053.001.08.xsd), with 2010 of its
#    entries: the same bookings again are skipped, and the credits that
#    were pending in the camt.054, booked now, become payments (their
#    pending form holds no key).
# 4. Three loaders at once, held at the account's lock and let go
#    together: two on one bank file (one loads it, the other waits and says
#    it is loaded) and one on a file that overlaps it (each bank reference
#    stored once, the overlap skipped by whichever came second).
# 5. Hostile bank files, refused with their file-level code (exit 1,
#    status refused, the database unchanged): a DTD with entities (billion
#    laughs, an external entity); after 2010 good records an undefined
#    entity, a 20 MB <Nm>, a 2 MB <Ref>, 20 MB of text cut by comments or
#    CDATA sections (peak memory under 64 MiB); the large camt.054 gzipped
#    and cut in half, or with a wrong CRC. A 100 kB <Nm>: that record
#    rejected (FIELD_TOO_LONG), the others stored.
# When a load gets past a moment before it is seen, the file is made twice
# as large and everything starts again: the test never passes without its
# kills and restarts.
. "$ROOT/tests/lib.sh"

CHF=CH4431999123000889012
printf '%s\n' "creditor_id,creditor_reference,debtor_type,debtor_name,debtor_national_id,debtor_birth_date,debtor_street,debtor_postal_code,debtor_city,debtor_country,debtor_email,debtor_phone,invoice_number,invoice_date,due_date,original_amount,currency,paid_amount,fee_amount,interest_amount,claim_type,disputed,reminder_date" \
	"C1,B-A,person,Vera Amsler,,,Seestrasse 1,8002,Zürich,CH,,,A-1,2026-08-31,2026-09-30,500.00,CHF,,,,goods,false," >"$TMP/cases.csv"

# bank_db NAME: a fresh database with the agency's CHF account, QR
# references in Switzerland, the fixture creditors and one open CHF case
# (batch 1) whose payment reference is $refA
bank_db() {
	new_db "$1"
	sed -i -e 's/^\[country\.CH\]$/&\npayment_reference = qrr/' "$CONF"
	add_agency CHF=$CHF
	load_creditors
	run_loader load --conf "$CONF" --as-of 2026-11-01 "$TMP/cases.csv"
	expect_eq "$1: the case" "$out" "batch 1 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected"
	expect_eq "$1: the case's payment reference" "$(sql "SELECT payment_reference FROM cases")" "$refA"
}
# case 1's QR reference (SPEC 12), and a valid one of no case
refA=$(python3 "$ROOT/tests/tools/payref.py" qrr 1)
nobody=$(python3 "$ROOT/tests/tools/payref.py" qrr 999999)

# entries PREFIX M R [--booked]: M times five entries (a payment on the
# case, a credit without reference, one with a reference of no case, a
# fee, a pending credit on the case), then R reversals of the first R
# payments (by their EndToEndId). Outcomes: M + R accepted, 2M to suspense,
# 2M ignored. --booked: the pending credits are booked on 2026-11-08 (the
# statement of the same bookings).
entries() {
	python3 - "$@" "$refA" "$nobody" <<'EOF'
import sys
p, m, r = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
booked = sys.argv[4] == "--booked"
ref, nobody = sys.argv[-2], sys.argv[-1]
pending = "BOOK 2026-11-08" if booked else "PDNG -"
rows = []
for i in range(m):
    rows += [f"BOOK 2026-11-05 1.00 CHF CRDT - {ref} {p}P-{i} - {p}E-{i} {p}NP-{i} Vera_Amsler",
             f"BOOK 2026-11-06 2.00 CHF CRDT - - {p}S-{i} - - {p}NS-{i} -",
             f"BOOK 2026-11-06 3.00 CHF CRDT - {nobody} {p}U-{i} - - {p}NU-{i} -",
             f"BOOK 2026-11-07 0.50 CHF DBIT - - {p}F-{i} - - {p}NF-{i} -",
             f"{pending} 4.00 CHF CRDT - {ref} {p}D-{i} - - {p}ND-{i} -"]
for j in range(r):
    rows.append(f"BOOK 2026-11-10 1.00 CHF DBIT true - {p}R-{j} - {p}E-{j} {p}NR-{j} -")
print("\n".join("\t".join(v.replace("_", " ") for v in row.split(" ")) for row in rows))
EOF
}
# camt FILE MSGID [--statement]: the CHF account's camt.054 (camt.053) of
# the entries on stdin, valid against its schema
camt() { camt_file "$1" "$CHF" "$2" ${3:+"$3"}; }

# stored: what the bank tables, the transactions and the rejects hold
stored() {
	sql "SELECT (SELECT count(*) FROM bank_records) || ' bank records, ' || (SELECT count(*) FROM suspense)
		|| ' suspense, ' || (SELECT count(*) FROM transactions) || ' transactions, '
		|| (SELECT count(*) FROM rejects) || ' rejects'"
}
# counts: bank records (distinct keys), open suspense items, payments
# BANK-<id> and their sum, reversals BANK-<id> and their sum (distinct ids)
counts() {
	sql "SELECT (SELECT count(*) || ' (' || count(DISTINCT (account, bank_reference)) || ' keys)' FROM bank_records)
		|| ' / ' || (SELECT count(*) || ' open' FROM suspense WHERE status = 'open') || ' / '
		|| (SELECT count(*) FILTER (WHERE kind = 'payment') || ' = ' || coalesce(sum(amount) FILTER (WHERE kind = 'payment'), 0)
			|| ' / ' || count(*) FILTER (WHERE kind = 'reversal') || ' = '
			|| coalesce(sum(amount) FILTER (WHERE kind = 'reversal'), 0)
			|| ' (' || count(DISTINCT transaction_id) || ' ids)' FROM transactions WHERE transaction_id LIKE 'BANK-%')"
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
# outcomes BATCH: the outcomes of a batch's receipt, counted
outcomes() {
	tail -n +2 "$TMP/reports/batch-$1.receipt.csv" | cut -d, -f5 | sort | uniq -c | awk '{printf "%s%s %s", s, $1, $2; s=", "}'
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
# COPY of the same camt.054. attempt M: M blocks of entries and 10
# reversals, N records; missed=1 when a moment was missed.
attempt() {
	M=$1 R=10 N=$(($1 * 5 + 10)) missed=0
	BATCH=2
	bank_db "kill_$M"
	kill_db=$PGDATABASE
	entries K "$M" $R | camt "$TMP/bank.xml" BIG-1
	before=$(stored)
	load_bank "$TMP/bank.xml"
	if ! signal_at copy:1 KILL $pid; then
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
	load_bank "$TMP/bank.xml"
	if ! signal_at copy:1 STOP $pid; then
		finish $pid
		echo "$N records, fast restart: the load got past its COPY before it was seen"
		missed=1
		return 0
	fi
	if [[ "$moment" != *"COPY FROM"* ]]; then
		kill -CONT $pid
		finish $pid
		echo "$N records, fast restart: the COPY had ended when the loader was frozen"
		missed=1
		return 0
	fi
	echo "$N records: the server restarted (fast) while the backend was $moment"
	as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w restart >/dev/null 2>&1 || fail "restart"
	wait_ready
	kill -CONT $pid
	finish $pid
	expect_eq "restart: exit" "$rc" 3
	expect_eq "restart: summary" "$(cat "$TMP/out")" \
		"batch 2 failed: 0 records, 0 accepted, 0 skipped, 0 rejected, 0 to suspense, 0 ignored"
	echo "restart: $(tail -n 1 "$TMP/err")"
	grep -qE "^loader: error: '$TMP/bank.xml': storing the records read: .*(server closed the connection|terminating connection)" \
		"$TMP/err" || fail "restart: no clear error message: $(cat "$TMP/err")"
	expect_eq "restart: nothing of the batch stored" "$(stored)" "$before"
	expect_eq "restart: status" "$(status_of 2)" failed
}
for m in 4000 8000 16000; do
	attempt $m
	[ $missed = 1 ] || break
done
[ $missed = 0 ] || fail "even with $N records the load got past a moment before it was seen"

summary="batch 2 loaded: $N records, $((M + R)) accepted, 0 skipped, 0 rejected, $((2 * M)) to suspense, $((2 * M)) ignored"
# every record stored once; M payments of 1.00, R reversals of 1.00
expected_counts="$N ($N keys) / $((2 * M)) open / $M = $((M * 100)) / $R = $((R * 100)) ($((M + R)) ids)"
bank_db "clean_$M"
clean_db=$PGDATABASE
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/bank.xml"
expect_eq "clean load" "$out" "$summary"
expect_eq "clean load: stored" "$(counts)" "$expected_counts"
clean=$(fingerprint)
# the killed batch by `rerun`, the restarted one by loading the file again
# (SPEC 7: the same effect)
for db in "$kill_db" "$restart_db"; do
	export PGDATABASE=$db
	if [ "$db" = "$kill_db" ]; then
		run_loader rerun --conf "$CONF" 2
	else
		run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/bank.xml"
	fi
	expect_eq "$db: again: exit" "$rc" 0
	expect_eq "$db: again" "$out" "$summary"
	expect_eq "$db: stored once" "$(counts)" "$expected_counts"
	expect_eq "$db: the same as a clean load" "$(fingerprint)" "$clean"
	expect_eq "$db: batches" "$(sql "SELECT string_agg(batch_id || ' ' || status, ', ' ORDER BY batch_id) FROM batches")" \
		"1 loaded, 2 loaded"
	run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/bank.xml"
	expect_eq "$db: loaded again" "$out" "already loaded as batch 2"
done

# ---- 3: the account's camt.053 of the same bookings, after the camt.054
# (of its first S blocks and the R reversals, to keep the test short): the
# 4S booked entries and the R reversals again (skipped), and the S credits
# that were pending, booked now (payments of 4.00)
export PGDATABASE=$clean_db
S=400
entries K $S $R --booked | camt "$TMP/statement.xml" STMT-1 --statement
grep -q '<BkToCstmrStmt>' "$TMP/statement.xml" || fail "not a camt.053"
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/statement.xml"
expect_eq "camt.053: exit" "$rc" 0
expect_eq "camt.053: summary" "$out" \
	"batch 3 loaded: $((5 * S + R)) records, $S accepted, $((4 * S + R)) skipped, 0 rejected, 0 to suspense, 0 ignored"
expect_eq "camt.053: receipt" "$(outcomes 3)" "$S accepted, $((4 * S + R)) skipped"
expect_eq "camt.053: stored" "$(counts)" \
	"$((N + S)) ($((N + S)) keys) / $((2 * M)) open / $((M + S)) = $((M * 100 + S * 400)) / $R = $((R * 100)) ($((M + S + R)) ids)"
expect_eq "camt.053: the new payments" "$(sql "SELECT count(*) || ' ' || min(t.booking_date) || ' ' || max(t.booking_date)
	|| ' ' || sum(t.amount) || ' ' || count(*) FILTER (WHERE b.bank_reference LIKE 'KD-%' AND b.entry_status = 'BOOK'
	AND t.case_id = 1) FROM transactions t JOIN bank_records b ON t.transaction_id = 'BANK-' || b.id WHERE t.batch_id = 3")" \
	"$S 2026-11-08 2026-11-08 $((S * 400)) $S"
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/statement.xml"
expect_eq "camt.053 again" "$out" "already loaded as batch 3"
# the bank takes one of them back (matched by its AcctSvcrRef): the
# reversal is of the booked payment, not of the entry's pending form
printf 'BOOK\t2026-11-12\t4.00\tCHF\tDBIT\ttrue\t-\tKD-0\t-\t-\tKNRD-0\t-\n' | camt "$TMP/takeback.xml" BACK-1
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/takeback.xml"
expect_eq "take back: summary" "$out" "batch 4 loaded: 1 records, 1 accepted, 0 skipped, 0 rejected, 0 to suspense, 0 ignored"
expect_eq "take back: the reversal" "$(sql "SELECT o.transaction_id || ' ' || r.amount || ' ' || r.booking_date
	FROM transactions r JOIN transactions o ON o.tx_id = r.reverses WHERE r.batch_id = 4 AND r.kind = 'reversal'")" \
	"BANK-$(sql "SELECT id FROM bank_records WHERE bank_reference = 'KD-0'") 400 2026-11-12"
expect_eq "take back: its record" "$(sql "SELECT b.bank_reference || ' ' || o.bank_reference || ' ' || o.entry_status
	FROM bank_records b JOIN bank_records o ON o.id = b.reverses WHERE b.batch_id = 4")" "KD-0/R KD-0 BOOK"

# ---- 4: loaders at once: X holds blocks A and S, Y blocks S and B (the
# same account and bank references in S), 1000 records each. The test
# holds the account's lock (class LOCK_CLASS_BANK of loader/locks.h), so
# that a loader of X waits there with the file's lock taken; a second
# loader of X waits for it, a loader of Y for the account's lock too; then
# the test lets go.
bank_db race
m=200
{ entries A $m 0; entries S $m 0; } | camt "$TMP/x.xml" X-1
{ entries S $m 0; entries B $m 0; } | camt "$TMP/y.xml" Y-1
PGAPPNAME=lock_holder psql -X -q -c "SELECT pg_advisory_lock(1821, hashtext('$CHF'))" -c "SELECT pg_sleep(300)" \
	>/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 200); do
	[ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		WHERE a.application_name = 'lock_holder' AND l.locktype = 'advisory' AND l.granted")" = 1 ] && break
	sleep 0.05
done
# load_at_once NAME FILE: a loader in the background, $TMP/NAME.out and .err
load_at_once() { "$LOADER" load --conf "$CONF" --as-of 2026-11-20 "$2" >"$TMP/$1.out" 2>"$TMP/$1.err" & }
account_wait="waiting for another loader to finish: it holds the lock of the bank account of this file"
load_at_once x1 "$TMP/x.xml"
x1=$!
wait_for_line "$TMP/x1.err" "loader: batch 2: $account_wait"
load_at_once x2 "$TMP/x.xml"
x2=$!
wait_for_line "$TMP/x2.err" "loader: 'x.xml' is being loaded by another loader as batch 2; waiting for it"
load_at_once y "$TMP/y.xml"
y=$!
wait_for_line "$TMP/y.err" "loader: batch 3: $account_wait"
expect_eq "at once: both files loading" "$(sql "SELECT string_agg(batch_id || ' ' || status, ', ' ORDER BY batch_id)
	FROM batches WHERE batch_id > 1")" "2 loading, 3 loading"
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock_holder'" >/dev/null
wait $holder || true
for l in x1 x2 y; do
	finish ${!l}
	expect_eq "at once: $l: exit" "$rc" 0
done
expect_eq "one file twice: the second loader says it is loaded" "$(cat "$TMP/x2.out")" "already loaded as batch 2"
first="loaded: $((10 * m)) records, $((2 * m)) accepted, 0 skipped, 0 rejected, $((4 * m)) to suspense, $((4 * m)) ignored"
second="loaded: $((10 * m)) records, $m accepted, $((5 * m)) skipped, 0 rejected, $((2 * m)) to suspense, $((2 * m)) ignored"
outs="$(cat "$TMP/x1.out") / $(cat "$TMP/y.out")"
[ "$outs" = "batch 2 $first / batch 3 $second" ] || [ "$outs" = "batch 2 $second / batch 3 $first" ] ||
	fail "overlap: one file first, the other skipping the overlap, not: $outs"
expect_eq "at once: two batches" "$(sql "SELECT string_agg(batch_id || ' ' || kind || ' ' || status, ', '
	ORDER BY batch_id) FROM batches WHERE batch_id > 1")" "2 bank loaded, 3 bank loaded"
expect_eq "at once: each bank reference once" "$(sql "SELECT count(*) || ' ' || count(DISTINCT bank_reference)
	FROM bank_records")" "$((15 * m)) $((15 * m))"
expect_eq "at once: stored" "$(counts)" \
	"$((15 * m)) ($((15 * m)) keys) / $((6 * m)) open / $((3 * m)) = $((3 * m * 100)) / 0 = 0 ($((3 * m)) ids)"

# ---- 5: hostile bank files: refused with their code, nothing stored,
# memory bounded
bank_db hostile
# The hostile files: the entries of 400 blocks and 10 reversals (2010
# records), then a credit whose debtor name (and reference) the variant
# replaces; the DTD variants put a document type declaration before the
# root. Written by one Python run from one camt.054.
{
	entries H 400 10
	printf 'BOOK\t2026-11-05\t5.00\tCHF\tCRDT\t-\tHOSTILEREF\tH-last\t-\t-\tHN-last\tHOSTILENAME\n'
} | camt "$TMP/hostile-base.xml" HOSTILE
python3 - "$TMP" "$nobody" <<'EOF'
import sys
tmp, nobody = sys.argv[1], sys.argv[2]
base = open(f"{tmp}/hostile-base.xml", encoding="utf-8").read()
piece = 1 << 16
def cut(text, size, sep):  # size bytes of text in pieces of 64 kB
    return sep.join([text * piece] * (size // piece))
laughs = "".join(f'  <!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">\n' for i in range(1, 10))
variants = {
    "billion-laughs": ('<!DOCTYPE Document [\n  <!ENTITY l0 "lol">\n' + laughs + "]>\n", "&l9;", nobody),
    "external-entity": ('<!DOCTYPE Document [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n', "&xxe;", nobody),
    "undefined-entity": ("", "Beat &nope; Brunner", nobody),
    "name-20MB": ("", "x" * 20000000, nobody),
    "ref-2MB": ("", "Carla", "1" * 2000000),
    "name-comments": ("", cut("x", 20000000, "<!---->"), nobody),
    "ref-cdata": ("", "Carla", "<![CDATA[" + cut("1", 20000000, "]]><![CDATA[") + "]]>"),
    "name-100kB": ("", "x" * 100000, nobody),
}
decl, rest = base.split("\n", 1)
for name, (doctype, nm, ref) in variants.items():
    with open(f"{tmp}/{name}.xml", "w", encoding="utf-8") as f:
        f.write(decl + "\n" + doctype + rest.replace("HOSTILENAME", nm).replace("HOSTILEREF", ref))
EOF
# the large camt.054 gzipped: cut in half, and whole with a wrong CRC
gzip -n -c "$TMP/bank.xml" >"$TMP/bank.xml.gz"
size=$(stat -c %s "$TMP/bank.xml.gz")
head -c $((size / 2)) "$TMP/bank.xml.gz" >"$TMP/cut.xml.gz"
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[-8] ^= 1; open(sys.argv[2], "wb").write(b)' \
	"$TMP/bank.xml.gz" "$TMP/crc.xml.gz"
# what gzip itself makes of the cut file: the lines and records before the cut
(gzip -dc <"$TMP/cut.xml.gz" 2>/dev/null || true) >"$TMP/cut-prefix.xml"
cut_lines=$(wc -l <"$TMP/cut-prefix.xml")
cut_records=$(grep -c '</TxDtls>' "$TMP/cut-prefix.xml")

was=$(counts)
batch=1
# FILE|OPTION|CODE|RECORDS|MESSAGE (after "loader: error: 'FILE': ");
# RECORDS "<=K": some, at most K (where the refusal is seen depends on
# read sizes). A file refused before its root element has the summary of
# a batch of unknown kind, unless --kind bank says what it is.
while IFS='|' read -r f opt code records why <&3; do
	batch=$((batch + 1))
	set +e
	/usr/bin/time -f %M -o "$TMP/rss" "$LOADER" load --conf "$CONF" --as-of 2026-11-20 $opt "$TMP/$f" \
		>"$TMP/out" 2>"$TMP/err"
	rc=$?
	set -e
	echo "$f ($(stat -c %s "$TMP/$f") bytes): $(tail -n 1 "$TMP/err"), max RSS $(tail -n 1 "$TMP/rss") kB"
	expect_eq "$f: exit" "$rc" 1
	if [[ "$records" == "<="* ]]; then
		[[ "$(cat "$TMP/out")" =~ ^batch\ $batch\ refused:\ ([0-9]+)\ records, ]] || fail "$f: summary $(cat "$TMP/out")"
		((BASH_REMATCH[1] > 0 && BASH_REMATCH[1] <= ${records#<=})) || fail "$f: ${BASH_REMATCH[1]} records read, not 1 to ${records#<=}"
		records=${BASH_REMATCH[1]}
	fi
	bank_counts=", 0 to suspense, 0 ignored"
	[ "$f" = billion-laughs.xml ] && bank_counts=
	expect_eq "$f: summary" "$(cat "$TMP/out")" \
		"batch $batch refused: $records records, 0 accepted, 0 skipped, 0 rejected$bank_counts"
	expect_eq "$f: code" "$(report_rows "$TMP/reports/batch-$batch.rejects.csv" | tail -n +2 | cut -d, -f5)" "$code"
	expect_eq "$f: message" "$(cat "$TMP/err")" "loader: error: '$TMP/$f': $why"
	expect_eq "$f: status" "$(status_of $batch)" refused
	expect_eq "$f: nothing stored" "$(counts)" "$was"
	[ "$(tail -n 1 "$TMP/rss")" -lt $((64 * 1024)) ] || fail "$f: max RSS $(tail -n 1 "$TMP/rss") kB, not under 64 MiB"
done 3<<EOF
billion-laughs.xml||FILE_DTD|0|the xml file has a document type declaration (DOCTYPE), which is not allowed
external-entity.xml|--kind bank|FILE_DTD|0|the xml file has a document type declaration (DOCTYPE), which is not allowed
undefined-entity.xml||FILE_MALFORMED|2010|the xml file is not well formed: an undefined entity is used
name-20MB.xml||FILE_MALFORMED|2010|the xml file has a text longer than 1048576 bytes
ref-2MB.xml||FILE_MALFORMED|2010|the xml file has a text longer than 1048576 bytes
name-comments.xml||FILE_MALFORMED|2010|the xml file has more than 1048576 bytes of text, comments, CDATA sections or processing instructions between two tags
ref-cdata.xml||FILE_MALFORMED|2010|the xml file has more than 1048576 bytes of text, comments, CDATA sections or processing instructions between two tags
cut.xml.gz||FILE_TRUNCATED|<=$cut_records|the gzip stream ends before its end marker (file cut short)
crc.xml.gz||FILE_TRUNCATED|<=$N|the gzip stream is corrupt at byte $(stat -c %s "$TMP/bank.xml") of the decompressed data: incorrect data check
EOF
# the cut file's refusal is at the line where gzip's output ends
expect_eq "cut.xml.gz: line" "$(report_rows "$TMP/reports/batch-9.rejects.csv" | tail -n +2 | cut -d, -f2)" $((cut_lines + 1))
# a name of 100 kB: under the XML limit, over the field's: that record is
# rejected, the others loaded
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/name-100kB.xml"
expect_eq "100 kB name: exit" "$rc" 0
expect_eq "100 kB name: summary" "$out" \
	"batch 11 loaded: 2011 records, 410 accepted, 0 skipped, 1 rejected, 800 to suspense, 800 ignored"
expect_eq "100 kB name: reject" "$(python3 -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])): print(r["record"], r["field"], r["code"], "[" + r["value"] + "]")' \
	"$TMP/reports/batch-11.rejects.csv")" "2011 debtor_name FIELD_TOO_LONG []"
expect_eq "100 kB name: stored" "$(counts)" "2010 (2010 keys) / 800 open / 400 = 40000 / 10 = 1000 (410 ids)"
expect_eq "100 kB name: not stored" "$(sql "SELECT count(*) FROM bank_records WHERE bank_reference = 'H-last'")" 0
echo "bank batches: killed, restarted, re-sent, raced and hostile, each stored once or not at all"
