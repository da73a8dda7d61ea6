#!/bin/bash
# Configure (once) and build vsw into build/ (or $VSW_BUILD).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${VSW_BUILD:-build}
[ -f "$dir/build.ninja" ] || meson setup "$dir" "$@"
ninja -C "$dir"
