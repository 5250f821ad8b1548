#!/usr/bin/env bash
# Install a2jt_mmpose and the tested OpenMMLab stack into a virtual environment.
#
#   bash tools/install.sh            # creates/updates ./.venv
#   VENV=/path/to/venv bash tools/install.sh
#
# Idempotent: each step checks what is already there, so a second run takes
# seconds. mmcv 2.1.0 (with ops) comes from a wheel cache when one matches
# (MMCV_WHEEL_DIR, default ../shared/wheels); otherwise it is built from PyPI's
# source against the installed torch (about 40 min on 2 cores).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3.11}"
MMCV_WHEEL_DIR="${MMCV_WHEEL_DIR:-$ROOT/../shared/wheels}"
REQ="$ROOT/requirements"
command -v "$PYTHON" >/dev/null || PYTHON=python3

t0=$(date +%s)
log() { printf '[install %4ds] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }

if [ ! -x "$VENV/bin/python" ]; then
  log "creating venv $VENV ($($PYTHON --version))"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)
have() { "$PY" - "$@" >/dev/null 2>&1; }
# the requirement lines of a file, optionally only those starting with $2
reqs() { grep -v -e '^#' -e '^$' "$REQ/$1" | grep -E "^${2:-}" || true; }
# true when every "name==version" pin of reqs FILE PATTERN is installed
pinned() {
  # shellcheck disable=SC2046
  have $(reqs "$1" "$2") <<'EOF'
import sys, importlib.metadata as md
for pin in sys.argv[1:]:
    name, version = pin.split('==')
    assert md.version(name).split('+')[0] == version, pin
EOF
}

# Fast path: this script and the requirements are unchanged since the last
# complete install, and the stack still imports.
STAMP="$VENV/.a2jt_mmpose_install"
stamp_value() {
  cat "$ROOT/tools/install.sh" "$ROOT"/requirements/*.txt "$ROOT/setup.cfg" \
    | sha256sum | cut -d' ' -f1
  echo "$ROOT"
}
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(stamp_value)" ] && have <<'EOF'
import torch, mmcv, mmdet, mmpose, mim, pytest, onnx, onnxruntime, a2jt_mmpose
from mmcv.ops import MultiScaleDeformableAttention
EOF
then
  log "up to date ($VENV)"
  exit 0
fi

# 1. build tools: setuptools < 80 keeps pkg_resources and a real `develop`.
if ! have <<'EOF'
import setuptools, wheel, ninja, psutil, pkg_resources
v = tuple(int(x) for x in setuptools.__version__.split('.')[:2])
assert (69, 0) <= v < (80, 0)
EOF
then
  log "build tools"
  "${PIP[@]}" install -q -U "pip>=23.2" -r "$REQ/build.txt"
fi

# 2. torch + torchvision (the tested pair; pip takes them from local disk here).
if ! { pinned torch.txt torch && have <<'EOF'
import torch, torchvision
EOF
}; then
  log "torch 2.14.1 + torchvision 0.29.1 (several GB, from local disk where present)"
  "${PIP[@]}" install -q -r "$REQ/torch.txt"
fi

# 3. mmcv 2.1.0 with compiled ops, built against this torch.
if ! { pinned mminstall.txt mmcv && have <<'EOF'
from mmcv.ops import MultiScaleDeformableAttention
EOF
}; then
  # torch 2.14's headers need C++20 while mmcv's setup.py forces -std=c++17:
  # a compiler wrapper rewrites the flag (only used when building from source).
  WRAP="$VENV/bin/cxx20-wrapper"
  cat > "$WRAP" <<'EOF'
#!/usr/bin/env bash
args=()
for a in "$@"; do
  case "$a" in -std=c++14|-std=c++17) args+=(-std=c++20) ;; *) args+=("$a") ;; esac
done
exec "${REAL_CXX:-g++}" "${args[@]}"
EOF
  chmod +x "$WRAP"
  FIND=()
  if ls "$MMCV_WHEEL_DIR"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
    log "mmcv 2.1.0 from the wheel cache $MMCV_WHEEL_DIR"
    FIND=(--find-links "$MMCV_WHEEL_DIR" --find-links /opt/wheels)
  else
    log "mmcv 2.1.0 from source (no wheel cache at $MMCV_WHEEL_DIR): about 40 min on 2 cores"
  fi
  "${PIP[@]}" install -q "$(reqs mminstall.txt mmengine)" addict yapf packaging pyyaml pillow opencv-python
  MMCV_WITH_OPS=1 FORCE_CUDA="${FORCE_CUDA:-0}" MAX_JOBS="${MAX_JOBS:-2}" CXX="$WRAP" \
    "${PIP[@]}" install -q --no-build-isolation "${FIND[@]}" "$(reqs mminstall.txt mmcv)"
fi

# 4. runtime deps, xtcocotools from source (numpy 2), mmdet, mmpose --no-deps.
if ! { pinned mminstall.txt 'mm(det|pose)' && have <<'EOF'
import xtcocotools.coco, matplotlib, json_tricks, munkres, shapely, terminaltables
v = tuple(int(x) for x in matplotlib.__version__.split('.')[:2])
assert v < (3, 10)
EOF
}; then
  log "runtime dependencies, mmdet 3.3.0, mmpose 1.3.2 (--no-deps)"
  # xtcocotools: its PyPI wheel is built against numpy 1.x; build it from source
  # against the installed numpy (its setup.py imports numpy and Cython, so no isolation).
  "${PIP[@]}" install -q "cython>=3" $(reqs runtime.txt | grep -v '^xtcocotools')
  "${PIP[@]}" install -q --no-build-isolation --no-binary xtcocotools "$(reqs runtime.txt xtcocotools)"
  "${PIP[@]}" install -q --no-deps $(reqs mminstall.txt 'mm(det|pose)')
fi

# 5. openmim without its setuptools-60 chain.
if ! { pinned mim.txt openmim && have <<'EOF'
import mim, pandas, tabulate, modelindex
EOF
}; then
  log "openmim 0.3.9 (--no-deps) and the packages mim imports"
  "${PIP[@]}" install -q --no-deps "$(reqs mim.txt openmim)"
  "${PIP[@]}" install -q $(reqs mim.txt | grep -v '^openmim')
fi

# 6. tests
if ! have <<'EOF'
import pytest, parameterized, coverage
EOF
then
  log "test requirements"
  "${PIP[@]}" install -q -r "$REQ/tests.txt"
fi

# 7. ONNX export and its onnxruntime check (tools/deployment, tested);
#    prebuilt wheels, a few seconds.
if ! { pinned optional.txt onnx && have <<'EOF'
import onnx, onnxruntime
EOF
}; then
  log "onnx + onnxruntime (ONNX export)"
  "${PIP[@]}" install -q -r "$REQ/optional.txt"
fi

# 8. a2jt_mmpose itself, as an egg-link develop install: edits are live and
#    mim (which resolves packages through pkg_resources) finds .mim/{configs,tools}.
if ! have "$ROOT" <<'EOF'
import sys, os, importlib.metadata as md
import a2jt_mmpose
md.version('a2jt_mmpose')
assert os.path.realpath(os.path.dirname(a2jt_mmpose.__file__)) == os.path.join(os.path.realpath(sys.argv[1]), 'a2jt_mmpose')
import pkg_resources
d = pkg_resources.get_distribution('a2jt_mmpose')
assert os.path.isfile(os.path.join(d.location, 'a2jt_mmpose', '.mim', 'tools', 'train.py'))
EOF
then
  log "a2jt_mmpose (setup.py develop)"
  if ! out=$(cd "$ROOT" && "$PY" setup.py -q develop --no-deps 2>&1); then
    echo "$out" >&2
    exit 1
  fi
fi

"$PY" - <<'EOF'
import torch, mmcv, mmengine, mmdet, mmpose, a2jt_mmpose
from mmcv.ops import MultiScaleDeformableAttention  # noqa: F401
print(f'torch {torch.__version__} | mmcv {mmcv.__version__} | mmengine {mmengine.__version__} '
      f'| mmdet {mmdet.__version__} | mmpose {mmpose.__version__} | a2jt_mmpose {a2jt_mmpose.__version__}')
EOF
stamp_value > "$STAMP"
log "done: activate with 'source $VENV/bin/activate'"
