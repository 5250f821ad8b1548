#!/usr/bin/env bash
# README command 1: install if needed, then train and evaluate a CPU-sized
# A2J-Transformer on synthetic InterHand2.6M-format data (tools/quickstart.py).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/install.sh"
cd "$ROOT"
exec "${VENV:-$ROOT/.venv}/bin/python" tools/quickstart.py "$@"
