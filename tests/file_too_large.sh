#!/usr/bin/env bash
# A results file that cannot be written whole (here: a file-size limit, as a full disk would
# refuse it) fails with exit 3 and a message, keeps the previous result byte-identical,
# leaves no temporary behind, and does not crash on the way out.
set -u
cradle="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$cradle" run -r 2 --sample 1/100 -q -o "$dir/r.h5" || { echo "first run failed"; exit 1; }
cp "$dir/r.h5" "$dir/before.h5"
# Writes past 64 KiB fail with EFBIG (SIGXFSZ ignored, so write() returns the error).
( trap '' XFSZ; ulimit -f 64; exec "$cradle" run -r 6 --sample 1/20 -q -o "$dir/r.h5" ) 2> "$dir/err"
code=$?
cat "$dir/err"
[ "$code" -eq 3 ] || { echo "expected exit 3, got $code"; exit 1; }
grep -q "cannot write results" "$dir/err" || { echo "no message"; exit 1; }
cmp -s "$dir/r.h5" "$dir/before.h5" || { echo "the previous result changed"; exit 1; }
ls "$dir" | grep -q '\.tmp\.' && { echo "a temporary was left behind"; exit 1; }
echo ok
