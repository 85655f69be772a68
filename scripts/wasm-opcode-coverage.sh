#!/bin/sh
# wasm-opcode-coverage.sh - list the opcodes of src/wasm/opcodes.h that no
# script in tests/wasm/ mentions, so the project's own tests can grow to
# cover every instruction.  Exit status 1 when some are missing.
cd "$(dirname "$0")/.." || exit 2
names=$(grep -o 'X([A-Z0-9_]*, [^,]*, [^,]*, "[^"]*"' src/wasm/opcodes.h | sed 's/.*"\(.*\)"/\1/' | sort -u)
total=0; missing=0
for n in $names; do
	total=$((total + 1))
	if ! grep -q -- "$n\([^a-z0-9_.]\|\$\)" tests/wasm/*.wast; then
		missing=$((missing + 1))
		echo "$n"
	fi
done
echo "$((total - missing)) of $total opcode names covered by tests/wasm/*.wast" >&2
[ "$missing" = 0 ]
