#!/usr/bin/env bash
# Set up everything (see setup.sh) and run the whole test suite. Extra arguments go to pytest,
# e.g. `scripts/test.sh -m "not slow"` for the quick run or `scripts/test.sh tests/test_inputs.py`.
set -euo pipefail
cd "$(dirname "$0")/.."
WEBIO_EXTRAS="${WEBIO_EXTRAS:-desktop,gtk,test,flask,django,aiohttp,fastapi,charts,build}" scripts/setup.sh
exec .venv/bin/python -m pytest -q -raR "$@"
