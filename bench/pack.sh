#!/bin/bash
# Packs the built `cradle` and `cradle_bench` with every shared library they load, the loader
# included, so that they run on a machine that has none of the build's packages (the 16-core
# machine of bench/DEVICE_RESULTS.md, which cannot install them):
#
#   bash bench/pack.sh PACK              # here, after the build (needs patchelf)
#   bash PACK/unpack.sh                  # there, once: puts the libraries where the programs look
#   CRADLE_SCENARIOS=$PWD/scenarios PACK/cradle_bench --threads 1,16 --repeat 1
#
# The programs look for their loader and libraries in /tmp/cradle-pack/lib, whatever the C
# library of the machine they run on: an RPATH, not a RUNPATH, so that the libraries' own
# dependencies come from the pack too.
set -euo pipefail
pack=${1:?usage: bash bench/pack.sh PACK}
build=${BUILD:-build}
libs=/tmp/cradle-pack/lib
rm -rf "$pack" && mkdir -p "$pack/lib"
for program in "$build/cradle" "$build/bench/cradle_bench"; do
  cp "$program" "$pack/"
  ldd "$program" | awk '$3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' | xargs -r cp -L -t "$pack/lib/"
done
strip "$pack"/cradle "$pack"/cradle_bench "$pack"/lib/*
loader=$(basename "$(ls "$pack"/lib/ld-linux*)")
for program in "$pack/cradle" "$pack/cradle_bench"; do
  patchelf --set-interpreter "$libs/$loader" --force-rpath --set-rpath "$libs" "$program"
done
cat > "$pack/unpack.sh" <<UNPACK
#!/bin/bash
set -e
mkdir -p $libs && cp "\$(dirname "\$0")"/lib/* $libs/
UNPACK
du -sh "$pack"
