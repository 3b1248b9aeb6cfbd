#!/usr/bin/env bash
# make bench [N=1000000]: the loader against psql \copy of the same data, in
# one run, alternating the commands and repeating each; medians.
# Output: a table on the terminal and var/bench/results.json.
#   REPS=3     rounds; BIG=0 skips the 4N file, SETTLE=0 the settlement,
#   HALF=0     the half-rejected case file: the clean file with disputed=true
#              on every second record (rejected DISPUTED, SPEC 5.1); its load
#              must take at most 1.5x the clean CSV load (issue 10).
#   BANK=0     skips the bank file: a gzip camt.054 of N credits into the
#              agency's CHF account (tests/tools/gen_camt.py), most paying a
#              case by its QR reference, every 20th to suspense, against the
#              CSV transaction file of the same payments, each on the N cases
#              just loaded; at most 1.5x its time and under 64 MiB peak RSS
#              (issue 13); with BIG=1 also with 4N credits on the 4N cases.
#   ONLY=bank  only the bank file and its CSV (and their 4N with BIG=1): no
#              \copy, case, XML, transaction or settlement runs, none of
#              their data made.
#   PDF=0      the settlement with its PDF statements and the payout files
#              (SPEC 14, 15) against the same settlement without them
#              (SETTLE_PDF=0: CSV and XML only), on the same data: at most
#              1.5x its time, with flat memory (issue 14).
#   CITUS=0    skips the Citus cluster (SPEC 17): a coordinator and two
#              workers on this machine (scripts/citus-cluster.sh, Citus built
#              when missing); in each round, after the single server's, the
#              case file, the transactions and the settlement there, each
#              shown against the single server's time.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
N=${1:-1000000}
REPS=${REPS:-3}
HALF=${HALF:-1}
ONLY=${ONLY:-}
if [ "$ONLY" = bank ]; then
	HALF=0 BANK=1
elif [ -n "$ONLY" ]; then
	echo "bench: ONLY=$ONLY: only ONLY=bank is known" >&2
	exit 2
fi
PDF=${PDF:-1}
out=var/bench
mkdir -p "$out"
chmod 755 var "$out"
data="$out/data-$N"
mkdir -p "$data"
py=python3
# data made by another version of the generators is made again
stamp=$(cat tests/tools/gen.py tests/tools/csv2xml.py | sha256sum | cut -c 1-16)
if [ "$(cat "$data/generator" 2>/dev/null)" != "$stamp" ]; then
	rm -f "$data"/*
	echo "$stamp" >"$data/generator"
fi

echo "bench: generating data for N=$N in $data" >&2
[ -f "$data/creditors.csv" ] || $py tests/tools/gen.py creditors 40 "$data/creditors.csv"
[ -f "$data/cases.csv" ] || $py tests/tools/gen.py cases "$N" "$data/cases.csv"
if [ "$HALF" = 1 ] && [ ! -f "$data/cases-half.csv" ]; then
	$py tests/tools/gen.py cases "$N" "$data/cases-half.csv" --disputed-every 2
fi
if [ "$ONLY" != bank ]; then
	[ -f "$data/cases.csv.gz" ] || gzip -1 -c "$data/cases.csv" >"$data/cases.csv.gz"
	[ -f "$data/cases.xml" ] || $py tests/tools/csv2xml.py "$data/cases.csv" "$data/cases.xml"
	[ -f "$data/tx.csv" ] || $py tests/tools/gen.py transactions "$N" "$data/tx.csv" $((N / 5))
fi
N4=$((4 * N))
if [ "${BIG:-1}" = 1 ] && [ ! -f "$data/cases4.csv" ]; then
	$py tests/tools/gen.py cases "$N4" "$data/cases4.csv"
fi

# The bank files: the configuration is the shipped one (its agency's CHF
# account, a QR-IBAN, and each country's payment reference scheme).
CHF=$(sed -n 's/^account\.CHF *= *//p' conf/engine.conf)
BANK=${BANK:-1}
if [ "$BANK" = 1 ]; then
	bank_stamp=$(cat tests/tools/gen.py tests/tools/gen_camt.py tests/tools/payref.py | sha256sum | cut -c 1-16)
	if [ "$(cat "$data/bank-generator" 2>/dev/null)" != "$bank_stamp" ]; then
		rm -f "$data"/bank*
		echo "$bank_stamp" >"$data/bank-generator"
	fi
	# a small one of the same making against the ISO 20022 schema
	xsd=${ISO20022_XSD_DIR:-$ROOT/../shared/iso20022}/camt.054.001.08.xsd
	$py tests/tools/gen_camt.py 200 100 "$CHF" "$out/camt-check.xml" "$out/camt-check.csv"
	xmllint --noout --nonet --schema "$xsd" "$out/camt-check.xml" 2>"$out/xmllint.err" || {
		cat "$out/xmllint.err" >&2
		echo "bench: the generated camt.054 is not valid against $xsd" >&2
		exit 1
	}
	# bank-N.xml.gz and bank-N.csv: N credits on the cases of cases.csv
	bank_files() {
		[ -f "$data/bank-$1.xml.gz" ] && [ -f "$data/bank-$1.csv" ] && return
		$py tests/tools/gen_camt.py "$1" "$2" "$CHF" - "$data/bank-$1.csv" | gzip -1 >"$data/bank-$1.xml.gz.tmp"
		mv "$data/bank-$1.xml.gz.tmp" "$data/bank-$1.xml.gz"
	}
	bank_files "$N" "$N"
	if [ "${BIG:-1}" = 1 ]; then
		bank_files "$N4" "$N4"
	fi
fi

port=$((30000 + RANDOM % 20000))
eval "$(scripts/pg.sh start "$out/pg" "$port")"
trap 'scripts/pg.sh stop "$out/pg"' EXIT
# the shipped configuration: the agency (name, address, accounts, BIC) for
# the payout files, the QR-bills and the bank files, each country's payment
# reference scheme, and Denmark's collection notice (gen.py writes a
# notice_date on the Danish cases)
sed "s|^report_dir *=.*|report_dir = $ROOT/$out/reports|" conf/engine.conf >"$out/bench.conf"
CONF="$out/bench.conf"

fresh_db() {
	dropdb --if-exists bench >/dev/null 2>&1
	createdb bench
	PGDATABASE=bench bin/loader init-db --conf "$CONF" >/dev/null
	PGDATABASE=bench bin/loader creditors --conf "$CONF" "$data/creditors.csv" >/dev/null
	rm -rf "$out/reports"
}

# timed NAME CMD...: elapsed seconds and peak RSS (KiB) appended to $out/raw
timed() {
	local name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$out/time.tmp" "$@" >/dev/null 2>"$out/last.err" || {
		cat "$out/last.err" >&2
		return 1
	}
	echo "$name $(cat "$out/time.tmp")" >>"$out/raw"
}

# check WHAT RECORDS ACCEPTED REJECTED [SUSPENSE]: the last batch loaded what
# it is meant to, so that no figure times a file refused or rejected by accident
check() {
	local got want="$2 $3 $4 ${5:-0}"
	got=$(PGDATABASE=bench psql -X -A -t -q -c "SELECT records || ' ' || accepted || ' ' || rejected
		|| ' ' || suspense FROM batches ORDER BY batch_id DESC LIMIT 1")
	if [ "$got" != "$want" ]; then
		echo "bench: $1: records accepted rejected suspense = $got, not $want" >&2
		exit 1
	fi
}

# bank NAME CASES FILE RECORDS: FILE (a camt.054 or the CSV transaction file
# of its payments) loaded into a fresh database holding the CASES just
# loaded and vacuumed, timed as NAME. Every 20th credit has no case: to
# suspense from the camt.054, UNKNOWN_CASE from the CSV file.
bank() {
	local n=$4 miss=$(($4 / 20))
	fresh_db
	PGDATABASE=bench bin/loader load --conf "$CONF" --as-of $cases_asof "$2" >/dev/null
	check "$1: cases" "$n" "$n" 0
	PGDATABASE=bench psql -X -q -c "VACUUM (ANALYZE) cases"
	timed "$1" env PGDATABASE=bench bin/loader load --conf "$CONF" --as-of 2026-11-20 "$3"
	case $3 in
	*.csv) check "$1" "$n" $((n - miss)) "$miss" ;;
	*) check "$1" "$n" $((n - miss)) 0 "$miss" ;;
	esac
}

header=$(head -n 1 "$data/cases.csv")
ref_sql="CREATE TABLE ref (case_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
 creditor_id text NOT NULL, creditor_reference text NOT NULL, debtor_type text NOT NULL,
 debtor_name text NOT NULL, debtor_national_id text, debtor_birth_date date, debtor_street text NOT NULL,
 debtor_postal_code text NOT NULL, debtor_city text NOT NULL, debtor_country text NOT NULL,
 debtor_email text, debtor_phone text, invoice_number text NOT NULL, invoice_date date NOT NULL,
 due_date date NOT NULL, original_amount numeric(14,2) NOT NULL, currency text NOT NULL,
 paid_amount numeric(14,2), fee_amount numeric(14,2), interest_amount numeric(14,2),
 claim_type text NOT NULL, disputed boolean NOT NULL, reminder_date date, notice_date date,
 UNIQUE (creditor_id, creditor_reference))"

# Cases are loaded as of 2026-10-01: every generated case is overdue by then,
# and the transactions (booked 2026-10-01 to 2026-10-28) are not booked before
# their case was registered (SPEC 6 v2).
cases_asof=2026-10-01
# SPEC 17: the same loads and settlement on a local Citus cluster, in each
# round right after the single server's
citus=${CITUS:-1}
[ "$ONLY" != bank ] || citus=0
if [ "$citus" = 1 ] && ! scripts/citus-build.sh; then
	echo "bench: no Citus cluster (it cannot be built here)" >&2
	citus=0
fi
if [ "$citus" = 1 ]; then
	cluster_env=$(scripts/citus-cluster.sh start "$out/citus" $((port + 10)))
	trap 'scripts/pg.sh stop "$out/pg"; scripts/citus-cluster.sh stop "$out/citus"' EXIT
fi
citus_round() {
	(
		eval "$cluster_env"
		export CITUS_WORKERS PGDATABASE=bench
		scripts/citus-cluster.sh add-db bench
		bin/loader init-db --conf "$CONF" >/dev/null
		bin/loader creditors --conf "$CONF" "$data/creditors.csv" >/dev/null
		rm -rf "$out/reports"
		timed citus_csv bin/loader load --conf "$CONF" --as-of $cases_asof "$data/cases.csv"
		check "csv on Citus" "$N" "$N" 0
		timed citus_tx bin/loader load --conf "$CONF" --as-of 2026-11-20 "$data/tx.csv"
		check "transactions on Citus" "$N" "$N" 0
		if [ "${SETTLE:-1}" = 1 ]; then
			timed citus_settle env SETTLE_PDF=0 bin/settlement run --conf "$CONF" --period 2026-10 \
				--as-of 2026-11-20 --out "$out/statements-citus"
		fi
	)
}

: >"$out/raw"
: >"$out/raw.pdf"
for rep in $(seq 1 "$REPS"); do
	echo "bench: round $rep of $REPS" >&2
	if [ "$BANK" = 1 ] && [ "$ONLY" = bank ]; then
		bank bankcsv "$data/cases.csv" "$data/bank-$N.csv" "$N"
		bank camt "$data/cases.csv" "$data/bank-$N.xml.gz" "$N"
		continue
	fi
	fresh_db
	PGDATABASE=bench psql -X -q -c "$ref_sql"
	timed copy env PGDATABASE=bench psql -X -q -c "\\copy ref ($header) FROM '$data/cases.csv' WITH (FORMAT csv, HEADER)"
	fresh_db
	timed csv env PGDATABASE=bench bin/loader load --conf "$CONF" --as-of $cases_asof "$data/cases.csv"
	check csv "$N" "$N" 0
	if [ "$HALF" = 1 ]; then
		fresh_db
		timed half env PGDATABASE=bench bin/loader load --conf "$CONF" --as-of $cases_asof "$data/cases-half.csv"
		check "half rejected" "$N" $((N - N / 2)) $((N / 2))
	fi
	fresh_db
	timed gzip env PGDATABASE=bench bin/loader load --conf "$CONF" --as-of $cases_asof "$data/cases.csv.gz"
	check gzip "$N" "$N" 0
	fresh_db
	timed xml env PGDATABASE=bench bin/loader load --conf "$CONF" --as-of $cases_asof "$data/cases.xml"
	check xml "$N" "$N" 0
	# transactions on the cases just loaded, then the settlement
	timed tx env PGDATABASE=bench bin/loader load --conf "$CONF" --as-of 2026-11-20 "$data/tx.csv"
	check transactions "$N" "$N" 0
	if [ "${SETTLE:-1}" = 1 ] && [ -x bin/settlement ]; then
		[ "$PDF" = 1 ] && createdb -T bench bench_tx
		rm -rf "$out/statements"
		timed settle env PGDATABASE=bench SETTLE_PDF=0 bin/settlement run --conf "$CONF" --period 2026-10 --as-of 2026-11-20 --out "$out/statements"
		if [ "$PDF" = 1 ]; then
			# the same transactions again, settled with the PDFs, then paid out
			dropdb bench
			createdb -T bench_tx bench
			dropdb bench_tx
			rm -rf "$out/statements"
			timed settle_pdf env PGDATABASE=bench sh -c "bin/settlement run --conf '$CONF' --period 2026-10 --as-of 2026-11-20 --out '$out/statements' && bin/settlement payout --conf '$CONF' --period 2026-10 --as-of 2026-11-20 --out '$out/statements'"
			n_pdf=$(ls "$out/statements/2026-10/"*.pdf | wc -l)
			n_csv=$(ls "$out/statements/2026-10/"*.csv | wc -l)
			[ "$n_pdf" = "$n_csv" ] && [ "$n_pdf" -gt 0 ] || { echo "bench: $n_pdf PDFs for $n_csv statements" >&2; exit 1; }
			pages=$(for f in "$out/statements/2026-10/"*.pdf; do pdfinfo "$f" | sed -n 's/^Pages: *//p'; done | awk '{ n += $1 } END { print n }')
			echo "pdf_pages $pages $(du -sk "$out/statements/2026-10" | cut -f1)" >>"$out/raw.pdf"
		fi
	fi
	if [ "$BANK" = 1 ]; then
		bank bankcsv "$data/cases.csv" "$data/bank-$N.csv" "$N"
		bank camt "$data/cases.csv" "$data/bank-$N.xml.gz" "$N"
	fi
	[ "$citus" = 0 ] || citus_round
done
if [ "${BIG:-1}" = 1 ] && [ "$ONLY" != bank ]; then
	fresh_db
	timed csv4 env PGDATABASE=bench bin/loader load --conf "$CONF" --as-of $cases_asof "$data/cases4.csv"
	check csv4 "$N4" "$N4" 0
fi
if [ "${BIG:-1}" = 1 ] && [ "$BANK" = 1 ]; then
	bank bankcsv4 "$data/cases4.csv" "$data/bank-$N4.csv" "$N4"
	bank camt4 "$data/cases4.csv" "$data/bank-$N4.xml.gz" "$N4"
fi

$py - "$out/raw" "$N" "$data" "$out/results.json" "$out/raw.pdf" <<'PY'
import json, os, statistics, sys, platform, subprocess
raw, n, data, dst, raw_pdf = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
runs = {}
for line in open(raw):
    name, sec, kb = line.split()
    runs.setdefault(name, []).append((float(sec), int(kb)))
med = {k: (statistics.median(s for s, _ in v), max(m for _, m in v)) for k, v in runs.items()}
size = {"copy": "cases.csv", "csv": "cases.csv", "half": "cases-half.csv", "gzip": "cases.csv.gz", "xml": "cases.xml",
        "tx": "tx.csv", "csv4": "cases4.csv", "bankcsv": f"bank-{n}.csv", "camt": f"bank-{n}.xml.gz",
        "bankcsv4": f"bank-{4 * n}.csv", "camt4": f"bank-{4 * n}.xml.gz"}
HALF_TARGET = 1.5  # issue 10: half rejected within 1.5x the time of the clean file
BANK_TARGET, BANK_RSS_MIB = 1.5, 64  # issue 13: the camt.054 against the CSV of its payments
copy_t = med["copy"][0] if "copy" in med else None
rows = []
print(f"\nN = {n} records; median of {max(len(v) for v in runs.values())} runs each; figures vary 10-30% between runs, compare ratios of one run")
print(f"{'what':<28}{'seconds':>9}{'rows/s':>11}{'MB/s':>8}{'vs copy':>9}{'peak RSS MiB':>14}")
labels = {"copy": "psql \\copy (reference)", "csv": "loader CSV", "half": "loader CSV, half rejected",
          "gzip": "loader gzip CSV", "xml": "loader XML", "tx": "loader transactions", "settle": "settlement, no PDF",
          "settle_pdf": "settlement, PDFs, payout", "csv4": f"loader CSV, 4N", "bankcsv": "loader bank payments CSV",
          "camt": "loader camt.054 gzip", "bankcsv4": "loader bank payments CSV, 4N", "camt4": "loader camt.054 gzip, 4N",
          "citus_csv": "Citus: loader CSV", "citus_tx": "Citus: transactions", "citus_settle": "Citus: settlement, no PDF"}
size.update({"citus_csv": "cases.csv", "citus_tx": "tx.csv"})
# on the cluster: the time against the single server's for the same work
single = {"citus_csv": "csv", "citus_tx": "tx", "citus_settle": "settle"}
PDF_TARGET = 1.5  # issue 14: PDFs and payout files within 1.5x the settlement without them
for k in ["copy", "csv", "half", "gzip", "xml", "tx", "settle", "settle_pdf", "csv4", "bankcsv", "camt", "bankcsv4", "camt4",
          "citus_csv", "citus_tx", "citus_settle"]:
    if k not in med:
        continue
    t, kb = med[k]
    recs = 4 * n if k.endswith("4") else n
    mb = os.path.getsize(os.path.join(data, size[k])) / 1e6 if k in size else 0
    ratio = t / copy_t if copy_t and k in ("csv", "gzip", "xml") else None
    row = {"what": k, "records": recs, "seconds": t, "rows_per_s": recs / t, "mb_per_s": mb / t if mb else None,
           "ratio_to_copy": ratio, "peak_rss_kib": kb}
    note = ""
    if k in single and single[k] in med:
        vs = t / med[single[k]][0]
        row.update({"ratio_to_single_server": vs})
        note = f"  {vs:.2f}x the single server's time"
    if k == "half":
        half = t / med["csv"][0]
        row.update({"rejected": n // 2, "ratio_to_csv": half, "target_ratio_to_csv": HALF_TARGET,
                    "target_met": half <= HALF_TARGET})
        note = f"  {half:.2f}x clean CSV (target <= {HALF_TARGET}{'' if half <= HALF_TARGET else ': MISSED'})"
    if k.startswith("camt") and k.replace("camt", "bankcsv") in med:
        r = t / med[k.replace("camt", "bankcsv")][0]
        met = r <= BANK_TARGET and kb / 1024 < BANK_RSS_MIB
        row.update({"suspense": recs // 20, "ratio_to_csv": r, "target_ratio_to_csv": BANK_TARGET,
                    "target_peak_rss_mib": BANK_RSS_MIB, "target_met": met})
        note = (f"  {r:.2f}x its CSV (target <= {BANK_TARGET}, RSS < {BANK_RSS_MIB} MiB"
                f"{'' if met else ': MISSED'})")
    if k == "settle_pdf" and "settle" in med:
        r = t / med["settle"][0]
        pages = [l.split() for l in open(raw_pdf)] if os.path.exists(raw_pdf) else []
        row.update({"ratio_to_settle": r, "target_ratio_to_settle": PDF_TARGET, "target_met": r <= PDF_TARGET,
                    "pdf_pages": int(pages[-1][1]) if pages else None,
                    "output_kib": int(pages[-1][2]) if pages else None})
        note = f"  {r:.2f}x settlement without (target <= {PDF_TARGET}{'' if r <= PDF_TARGET else ': MISSED'})"
        if pages:
            note += f", {pages[-1][1]} pages"
    print(f"{labels[k]:<28}{t:>9.2f}{recs / t:>11.0f}{(mb / t if mb else 0):>8.1f}{(f'{ratio:.2f}x' if ratio else ''):>9}{kb / 1024:>14.1f}{note}")
    rows.append(row)
if "xml" in med:
    print(f"XML / CSV time: {med['xml'][0] / med['csv'][0]:.2f}x")

# Issue 17's table: every target with what this run measured. Ratios
# compare runs of this one session; the settlement's target is in seconds
# (shown against \copy too, since the machine's speed varies).
def ratio(a, b):
    return med[a][0] / med[b][0] if a in med and b in med else None
loads = [k for k in med if k not in ("copy", "settle", "settle_pdf", "citus_settle")]
rss = max((med[k][1] for k in loads), default=0) / 1024
flat = med["csv4"][1] / med["csv"][1] if "csv4" in med and "csv" in med else None
targets = [
    ("CSV case load / psql \\copy", ratio("csv", "copy"), 0.9, "x"),
    ("XML case load / CSV case load", ratio("xml", "csv"), 1.3, "x"),
    ("half rejected / clean CSV", ratio("half", "csv"), 1.5, "x"),
    ("CSV transactions / CSV cases", ratio("tx", "csv"), 1.5, "x"),
    ("camt.054 / CSV transactions", ratio("camt", "bankcsv"), 1.5, "x"),
    (f"settlement of {n} tx, seconds", med["settle"][0] if "settle" in med else None, 10.0, " s"),
    ("peak RSS of every load, MiB", rss if loads else None, 64.0, " MiB"),
    ("peak RSS 4N / N (flat)", flat, 1.1, "x"),
]
print("\nIssue 17 targets (one run; ratios of this run):")
tj = []
for what, v, target, unit in targets:
    if v is None:
        print(f"  {what:<32}{'not run':>10}   target <= {target}{unit}")
        tj.append({"what": what, "value": None, "target": target, "met": None})
        continue
    met = v <= target
    extra = ""
    if unit == " s" and "copy" in med:
        extra = f"  ({v / med['copy'][0]:.2f}x \\copy of N cases)"
    print(f"  {what:<32}{v:>10.2f}{unit:<4} target <= {target}{unit}  {'met' if met else 'MISSED'}{extra}")
    tj.append({"what": what, "value": v, "target": target, "met": met})
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
json.dump({"n": n, "machine": {"cpu": cpu, "cores": os.cpu_count()}, "results": rows, "targets": tj},
          open(dst, "w"), indent=2)
print(f"(machine: {cpu}, {os.cpu_count()} cores; written to {dst})")
PY
