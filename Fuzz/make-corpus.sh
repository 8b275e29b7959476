#!/usr/bin/env bash
# Fuzz/make-corpus.sh: writes the seed corpora in Fuzz/corpus afresh. Most seeds come from the
# library's own writers or are written out by hand (`nabla-fuzz --write-seeds`); gzip(1) adds
# DEFLATE data with fixed and dynamic Huffman codes, which Nabla's writer (stored blocks) never makes.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product nabla-fuzz
corpus=Fuzz/corpus
rm -rf "$corpus"
.build/debug/nabla-fuzz --write-seeds "$corpus"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf 'hello hello hello!' > "$scratch/fixed"                                    # a fixed-Huffman block
cat "$corpus/spec-yaml/many-kinds.yaml" "$corpus/csv/header.csv" > "$scratch/dynamic"  # a dynamic-Huffman block
cp "$corpus/idx/images-ubyte.idx" "$scratch/images"
touch -d @1 "$scratch/dynamic"   # gzip without -n stores the name and this time (FNAME, MTIME)
for name in fixed dynamic; do
    gzip -9 -n -c "$scratch/$name" > "$corpus/gzip/$name.gz"
    gzip -9 -n -c "$scratch/$name" | tail -c +11 | head -c -8 > "$corpus/inflate/$name.deflate"
done
gzip -9 -c "$scratch/dynamic" > "$corpus/gzip/with-name.gz"
gzip -1 -n -c "$scratch/dynamic" | tail -c +11 | head -c -8 > "$corpus/inflate/fast.deflate"
gzip -9 -n -c "$scratch/images" > "$corpus/idx/images-ubyte-huffman.idx.gz"
echo "$(find "$corpus" -type f | wc -l) seeds in $corpus"
