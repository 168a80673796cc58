#!/usr/bin/env bash
# Wall time of each built-in (baseline) job processor on a 10 s 480p clip, normal and HD, on this machine.
# Prints a Markdown table (the one in docs/benchmarks.md, "Jobs: built-in processors"). Argument: clip seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib.sh
ensure_tools

FACE=/usr/lib/python3/dist-packages/skimage/data/astronaut.png
[ -f "$FACE" ] || FACE="$HOME/.cache/verging/astronaut.png"
log "building the processor bench (Release)"
dotnet build bench/Verging.Bench.Processors -c Release -nologo -v q -clp:ErrorsOnly >/dev/null
log "cores: $(nproc), ffmpeg: $(ffmpeg -version | head -1 | cut -d' ' -f3)"
dotnet bench/Verging.Bench.Processors/bin/Release/net10.0/Verging.Bench.Processors.dll "$FACE" "${1:-10}"
