#!/usr/bin/env bash
# Fill the carried folder of tools/device_check.sh (docs/device_check.md):
# what a CUDA machine with Python 3.12, torch and nothing else needs, taken
# from PyPI here (the device machine reaches no network).
#
#   bash tools/device_check_prepare.sh            # -> .device_check/
#   PREBUILD_PYTHON=/path/python3.12 bash tools/device_check_prepare.sh
#
# .device_check/ (ignored by git; about 8 MiB, 9 with a prebuilt extension):
#   wheels/        mmengine, mmdet, mmpose and the packages they import that
#                  the machine lacks, for CPython 3.12 x86-64; xtcocotools is
#                  built here from source against numpy 2 (its PyPI wheels
#                  are built against numpy 1)
#   if_missing/    installed there only where the import fails: setuptools
#                  < 80 (pkg_resources, which mmengine needs), six
#   mmcv-2.1.0.tar.gz  mmcv's source archive (Python sources + the CUDA
#                  sources of its deformable attention)
#   prebuilt/      (with PREBUILD_PYTHON, a Python with the machine's torch,
#                  2.11.0+cu130) mmcv's deformable attention compiled for
#                  TORCH_CUDA_ARCH_LIST=${ARCH:-9.0}; used there when torch,
#                  CUDA, Python and sources match, else compiled there
#   SHA256SUMS
#
# Settings: DEST (default .device_check), PY312 (a CPython 3.12 to build
# xtcocotools with; default python3.12), PREBUILD_PYTHON, ARCH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${DEST:-$ROOT/.device_check}"
PY312="${PY312:-python3.12}"
PY="${PYTHON:-python3}"
T0=$(date +%s)
log() { printf '[prepare %4ds] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }

# The device machine: CPython 3.12, x86-64, glibc >= 2.28.
PLATFORM=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64
  --platform manylinux_2_24_x86_64 --platform manylinux_2_17_x86_64
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64)
download() {  # download DIR PIN...
  local dir="$1"
  shift
  mkdir -p "$dir"
  "$PY" -m pip download -q --disable-pip-version-check --no-deps \
    --only-binary=:all: --python-version 3.12 --implementation cp \
    "${PLATFORM[@]}" -d "$dir" "$@"
}

rm -rf "$DEST"
mkdir -p "$DEST"

# Versions: those tools/install.sh installs here (requirements/), the
# OpenMMLab pins of requirements/mminstall.txt.
log "wheels (PyPI)"
download "$DEST/wheels" \
  mmengine==0.10.7 mmdet==3.3.0 mmpose==1.3.2 \
  addict==2.4.0 yapf==0.43.0 platformdirs==4.14.9 termcolor==3.3.0 \
  json-tricks==3.17.3 munkres==3.0.0 terminaltables==3.1.10 \
  shapely==2.2.0 pycocotools==2.0.11
download "$DEST/if_missing/pkg_resources" setuptools==79.0.1
download "$DEST/if_missing/six" six==1.17.0

is312() { "$1" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; }
if ! is312 "$PY312"; then  # e.g. a pyenv shim whose version is not active
  for p in $(ls -d "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/3.12*/bin/python3.12 2>/dev/null); do
    is312 "$p" && PY312="$p" && break
  done
fi
is312 "$PY312" || { echo "no CPython 3.12 found: set PY312" >&2; exit 1; }
log "xtcocotools 1.14.3 built against numpy 2 with $PY312"
BUILD_VENV="$(mktemp -d)/venv"
trap 'rm -rf "$(dirname "$BUILD_VENV")"' EXIT
"$PY312" -m venv "$BUILD_VENV"
"$BUILD_VENV/bin/python" -m pip install -q --disable-pip-version-check \
  numpy==2.0.2 "cython>=3" "setuptools<80" wheel
"$BUILD_VENV/bin/python" -m pip wheel -q --disable-pip-version-check \
  --no-deps --no-build-isolation --no-binary xtcocotools \
  -w "$DEST/wheels" xtcocotools==1.14.3

log "mmcv 2.1.0 source archive"
# pip prepares the sdist's metadata by running its setup.py, which imports
# pkg_resources: the build venv has setuptools < 80 (no isolation)
"$BUILD_VENV/bin/python" -m pip download -q --disable-pip-version-check \
  --no-deps --no-binary :all: --no-build-isolation -d "$DEST" mmcv==2.1.0

if [ -n "${PREBUILD_PYTHON:-}" ]; then
  log "prebuilt extension with $PREBUILD_PYTHON (TORCH_CUDA_ARCH_LIST=${ARCH:-9.0})"
  "$PREBUILD_PYTHON" "$ROOT/tools/lean_mmcv/setup_env.py" --carry "$DEST" \
    --prebuild "$DEST/prebuilt" --arch "${ARCH:-9.0}" --jobs "$(nproc)"
fi

(cd "$DEST" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)
log "done: $(du -sh "$DEST" | cut -f1) in $DEST"
TRACKED=$(cd "$ROOT" && git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
CARRIED=$(du -sb "$DEST" | cut -f1)
log "travels: tracked files $(( TRACKED / 1024 )) KiB + carried $(( CARRIED / 1024 )) KiB (limit 64 MiB)"
