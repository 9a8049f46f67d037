#!/usr/bin/env bash
# Set up everything (see setup.sh) and run the demo app in a native window. With no display it
# falls back to the browser and prints the URL.
set -euo pipefail
cd "$(dirname "$0")/.."
WEBIO_EXTRAS="${WEBIO_EXTRAS:-desktop}" scripts/setup.sh
exec .venv/bin/webio-desktop examples/demo.py "$@"
