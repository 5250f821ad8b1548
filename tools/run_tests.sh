#!/usr/bin/env bash
# Run the test suite on a fresh machine: installs what is missing (see
# tools/install.sh), then runs pytest from the repository root.
#   bash tools/run_tests.sh                 # everything
#   bash tools/run_tests.sh -m "not slow"   # skip the end-to-end runs
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/install.sh"
cd "$ROOT"
exec "${VENV:-$ROOT/.venv}/bin/python" -m pytest tests "$@"
