#!/bin/bash
# Install, build and run vswd on its embedded default configuration:
# two vhost-user server ports, /run/vsw/vm1.sock and /run/vsw/vm2.sock,
# on bridge br0. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
echo "vswd: guests connect to /run/vsw/vm1.sock and /run/vsw/vm2.sock"
exec build/app/vswd/vswd -l 0,1 --main-lcore 0 --no-pci --file-prefix vsw "$@"
