#!/usr/bin/env bash
# The report directory is full: the reject report cannot be written, so
# the batch is not loaded (reports are written before COMMIT): exit 3,
# status failed, no case stored, no temporary file left; with room again a
# rerun completes it.
. "$ROOT/tests/lib.sh"
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: mounting a small tmpfs needs root"
	exit 0
fi
new_db diskfull
python3 "$ROOT/tests/tools/gen.py" creditors 4 "$TMP/creditors.csv"
load_creditors "$TMP/creditors.csv"
mnt="$TMP/full"
mkdir -p "$mnt"
mount -t tmpfs -o size=64k tmpfs "$mnt" || { echo "skipped: cannot mount tmpfs here"; exit 0; }
trap 'umount "$mnt" 2>/dev/null || true' EXIT
head -c 60000 /dev/zero >"$mnt/filler" 2>/dev/null || true
sed -i "s|^report_dir = .*|report_dir = $mnt/reports|" "$CONF"
mkdir -p "$mnt/reports" 2>/dev/null || true

# a case file whose reject report is larger than the room left
python3 "$ROOT/tests/tools/gen.py" cases 2000 "$TMP/cases.csv" 4
sed -i 's/,false,/,true,/' "$TMP/cases.csv"   # every record DISPUTED
run_loader load --conf "$CONF" --as-of 2026-11-20 "$TMP/cases.csv"
expect_eq "exit" "$rc" 3
echo "$err" | grep -q "cannot write" || fail "no clear message: $err"
expect_eq "status" "$(sql "SELECT status FROM batches WHERE batch_id = 1")" failed
expect_eq "no rejects committed" "$(sql "SELECT count(*) FROM rejects")" 0
expect_eq "no temporary files" "$(ls -A "$mnt/reports" | wc -l)" 0

rm -f "$mnt/filler"
umount "$mnt"
run_loader rerun --conf "$CONF" 1
expect_eq "rerun with room" "$rc" 0
expect_eq "rerun summary" "$out" "batch 1 loaded: 2000 records, 0 accepted, 0 skipped, 2000 rejected"
expect_eq "report complete" "$(($(wc -l <"$mnt/reports/batch-1.rejects.csv") - 1))" 2000
