#!/usr/bin/env bash
# Builds the libFuzzer targets with ASan and runs each for SECONDS (default 60).
#   Fuzz/run.sh 120            # both targets, 120 s each
#   TARGETS=parser Fuzz/run.sh # one target
# Not a SwiftPM target: libFuzzer needs its own main, so the module sources are compiled here,
# module by module with fuzzer coverage and ASan, and linked with each harness.
# Crashes land in Fuzz/artifacts/<target>/; replay one with: .build/fuzz/<target>-fuzz <file>
set -euo pipefail
SECONDS_PER_TARGET="${1:-60}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/.build/fuzz"
TARGETS="${TARGETS:-parser dispatcher}"
mkdir -p "$OUT/include"
cd "$ROOT"

SWIFT_FLAGS=(-O -parse-as-library -sanitize=fuzzer,address -swift-version 6
             -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility
             -I "$OUT" -I "$OUT/include")

# The C shim: a module map for Swift, an object for the linker.
cat > "$OUT/include/module.modulemap" <<MAP
module CLinux {
    header "$ROOT/Sources/CLinux/include/CLinux.h"
    export *
}
MAP
clang -O1 -fsanitize=fuzzer-no-link,address -I Sources/CLinux/include -c Sources/CLinux/CLinux.c -o "$OUT/CLinux.o"

for module in Bytes RESP Keyspace Commands; do
    # Rebuild only when a source is newer than the object (modules build in dependency order, so a
    # changed dependency also rebuilds everything after it).
    if [ -f "$OUT/$module.o" ] && [ -z "$(find "Sources/$module" -newer "$OUT/$module.o" -name '*.swift')" ] \
        && [ -z "${REBUILT:-}" ]; then continue; fi
    REBUILT=1
    echo "building $module"
    swiftc "${SWIFT_FLAGS[@]}" -module-name "$module" -wmo -emit-module -emit-module-path "$OUT/$module.swiftmodule" \
        -c $(find "Sources/$module" -name '*.swift' | sort) -o "$OUT/$module.o"
done

for target in $TARGETS; do
    case "$target" in
        parser) harness=Fuzz/RESPParserFuzz.swift; objects=("$OUT/Bytes.o" "$OUT/RESP.o") ;;
        dispatcher) harness=Fuzz/DispatcherFuzz.swift
                    objects=("$OUT/Bytes.o" "$OUT/RESP.o" "$OUT/Keyspace.o" "$OUT/Commands.o" "$OUT/CLinux.o") ;;
        *) echo "unknown target $target" >&2; exit 2 ;;
    esac
    echo "linking $target"
    swiftc "${SWIFT_FLAGS[@]}" -module-name "${target^}Fuzz" "$harness" "${objects[@]}" -o "$OUT/$target-fuzz"
    mkdir -p "Fuzz/artifacts/$target" "$OUT/corpus/$target"
    echo "fuzzing $target for ${SECONDS_PER_TARGET}s"
    # New inputs go to a scratch corpus under .build; the checked-in seeds stay as they are.
    "$OUT/$target-fuzz" "$OUT/corpus/$target" "Fuzz/corpus/$target" \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="Fuzz/artifacts/$target/" -print_final_stats=1
done
