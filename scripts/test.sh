#!/usr/bin/env bash
# README command 2 (and .ci/run): install what the tests need, then run the full suite,
# browser tests included (real headless Chromium from Debian's chromium + chromium-driver).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/install.sh
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -q -n 2 --dist loadfile -p no:cacheprovider "$@"
