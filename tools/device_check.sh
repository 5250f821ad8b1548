#!/usr/bin/env bash
# GPU check for a lent CUDA machine with torch and nothing else installed
# (docs/device_check.md): run from the repository root,
#
#   bash tools/device_check.sh
#
# 1. setup: an importable stack whose mmcv runs its CUDA deformable attention
#    kernel is used as it is; otherwise the lean stack of
#    tools/lean_mmcv/setup_env.py is installed from the carried folder
#    (.device_check, filled here by tools/device_check_prepare.sh): mmengine,
#    mmdet, mmpose and small packages from wheels, mmcv's Python sources, and
#    mmcv's own multi-scale deformable attention CUDA sources compiled (or a
#    matching prebuilt build) as mmcv._ext.
# 2. msda: mmcv's CUDA kernel vs the two CPU paths (relative error <= 1e-4,
#    forward and 3 gradients, paper shapes, batch 1 and 8).
# 3. model: the paper model on CUDA vs the CPU (fp32, TF32 off, every decoder
#    layer's joints within 1e-3 px).
# 4. benchmark: tools/analysis_tools/benchmark.py on CUDA at batch 1, 8, 64,
#    fp32 and bf16 autocast (--paths eager bf16 where the tool has it).
#
# Each part runs under `timeout`; the whole run stays within DEADLINE seconds
# (default 540). Results land in $OUT (default work_dirs/device_check):
# device_check.log, summary.json, env.txt, setup.json, msda.json, model.json,
# benchmark_cuda.json (+ benchmark_cuda_fp32.json when the run with AMP
# failed). Prints PASS / FAIL per part; exits 1 if any failed.
#
# Settings (environment): OUT, CARRY (default .device_check), WORK (default
# /tmp/a2jt_device_check), PYTHON (default python3), ROUTE (auto | lean:
# skip the probe of an installed mmcv), ARCH (TORCH_CUDA_ARCH_LIST, default
# the GPU's), PREBUILT (0: compile even if CARRY/prebuilt matches), PARTS
# (default "msda model benchmark"; setup always runs), DEADLINE, and per-part
# limits in seconds SETUP_LIMIT (180),
# MSDA_LIMIT (75), MODEL_LIMIT (120), BENCH_LIMIT (150).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${OUT:-$ROOT/work_dirs/device_check}"
CARRY="${CARRY:-$ROOT/.device_check}"
WORK="${WORK:-/tmp/a2jt_device_check}"
PY="${PYTHON:-python3}"
ROUTE="${ROUTE:-auto}"
DEADLINE="${DEADLINE:-540}"
PARTS="${PARTS:-msda model benchmark}"
CONFIG=configs/hand_3d_keypoint/a2j_transformer/interhand3d/a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py
BENCH="${BENCH:-tools/analysis_tools/benchmark.py}"
mkdir -p "$OUT" "$WORK"
export PYTHONUNBUFFERED=1 PYTHONWARNINGS=ignore
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
T0=$(date +%s)
NAMES=() STATES=() SECONDS_=() DETAILS=()

elapsed() { echo $(( $(date +%s) - T0 )); }
log() { printf '[device_check %4ss] %s\n' "$(elapsed)" "$*"; }

# limit NAME DEFAULT: the part's limit, cut to what is left of DEADLINE
limit() {
  local want left
  want="$2"
  left=$(( DEADLINE - $(elapsed) - 5 ))
  (( left < want )) && want=$left
  (( want < 1 )) && want=1
  echo "$want"
}

record() {  # record NAME STATE SECONDS DETAIL
  NAMES+=("$1") STATES+=("$2") SECONDS_+=("$3") DETAILS+=("$4")
  log "$2 $1 ($3 s): $4"
}

# part NAME LIMIT CMD...: run CMD under timeout, record PASS/FAIL with the
# last PASS/FAIL line it printed (or its last line)
part() {
  local name="$1" lim="$2" t rc out detail
  shift 2
  log "$name: $* (limit $lim s)"
  t=$(date +%s)
  out="$WORK/$name.out"
  timeout -k 10 "$lim" "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  detail=$(grep -E '^(PASS|FAIL) ' "$out" | tail -1)
  [ -z "$detail" ] && detail=$(grep -v '^\s*$' "$out" | tail -1)
  if (( rc == 124 || rc == 137 )); then
    record "$name" FAIL $(( $(date +%s) - t )) "timed out after $lim s; $detail"
  elif (( rc != 0 )); then
    record "$name" FAIL $(( $(date +%s) - t )) "exit $rc: $detail"
  else
    record "$name" PASS $(( $(date +%s) - t )) "$detail"
  fi
  return "$rc"
}

summary() {
  local i failed=0 json="["
  log "summary ($(elapsed) s in all)"
  for i in "${!NAMES[@]}"; do
    printf '  %-5s %-14s %5ss  %s\n' "${STATES[$i]}" "${NAMES[$i]}" "${SECONDS_[$i]}" "${DETAILS[$i]}"
    [ "${STATES[$i]}" = FAIL ] && failed=1
    json+=$("$PY" -c 'import json,sys; print(json.dumps(dict(zip(("part","status","seconds","detail"), sys.argv[1:]))), end="")' \
      "${NAMES[$i]}" "${STATES[$i]}" "${SECONDS_[$i]}" "${DETAILS[$i]}" 2>/dev/null || echo '{}')
    (( i < ${#NAMES[@]} - 1 )) && json+=","
  done
  json+="]"
  printf '{"passed": %s, "seconds": %s, "route": "%s", "parts": %s}\n' \
    "$( ((failed)) && echo false || echo true)" "$(elapsed)" "${ROUTE_USED:-none}" "$json" > "$OUT/summary.json"
  return "$failed"
}

main() {
# --- environment -------------------------------------------------------------
{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(uname -srm), $(nproc) cores"
  echo "python: $("$PY" -c 'import sys; print(sys.version.split()[0], sys.executable)' 2>&1)"
  timeout -k 5 60 "$PY" -c 'import torch, numpy; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(), "| numpy", numpy.__version__); print("gpu:", torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, torch.cuda.get_device_capability(0) if torch.cuda.is_available() else "")' 2>&1
  echo "nvcc: $(nvcc --version 2>/dev/null | tail -1 || echo none)"
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader 2>&1
  else
    echo "nvidia-smi: none"
  fi
  echo "carried: $(du -sh "$CARRY" 2>/dev/null | cut -f1) in $CARRY"
} > "$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

# --- 1. setup ----------------------------------------------------------------
ROUTE_USED=""
if [ "$ROUTE" != lean ] && timeout -k 5 60 "$PY" tools/device_check.py probe; then
  ROUTE_USED=installed
  record setup PASS 0 "the installed mmcv runs its CUDA kernel (no build)"
else
  ROUTE_USED=lean
  if [ -z "${ARCH:-}" ]; then
    ARCH=$("$PY" -c 'import torch; print("%d.%d" % torch.cuda.get_device_capability(0))' 2>/dev/null || echo 9.0)
  fi
  if ! part setup "$(limit setup "${SETUP_LIMIT:-180}")" "$PY" tools/lean_mmcv/setup_env.py \
      --carry "$CARRY" --site "$WORK/site" --build-dir "$WORK/build" \
      --arch "$ARCH" --jobs "$(nproc)" --report "$OUT/setup.json" \
      $( [ "${PREBUILT:-1}" = 0 ] && echo --no-prebuilt ); then
    log "setup failed: the checks need it, stopping"
    summary
    return 1
  fi
  export PYTHONPATH="$WORK/site:$PYTHONPATH"
fi

# --- 2. msda, 3. model ---------------------------------------------------------
if [[ " $PARTS " == *" msda "* ]]; then
  part msda "$(limit msda "${MSDA_LIMIT:-75}")" "$PY" tools/device_check.py msda --out "$OUT/msda.json"
fi
if [[ " $PARTS " == *" model "* ]]; then
  part model "$(limit model "${MODEL_LIMIT:-120}")" "$PY" tools/device_check.py model "$CONFIG" --out "$OUT/model.json"
fi

# --- 4. benchmark --------------------------------------------------------------
if [[ " $PARTS " == *" benchmark "* ]]; then
  BENCH_ARGS=("$BENCH" "$CONFIG" --device cuda --batch-sizes 1 8 64 --runs 10 --warmup 3)
  if grep -qE -- "[\"']--paths[\"']" "$BENCH"; then
    if ! part benchmark "$(limit benchmark "${BENCH_LIMIT:-150}")" "$PY" "${BENCH_ARGS[@]}" \
        --paths eager bf16 --out "$OUT/benchmark_cuda.json" && (( DEADLINE - $(elapsed) > 60 )); then
      # keep the fp32 numbers when the AMP path is what failed
      part benchmark_fp32 "$(limit benchmark_fp32 "${BENCH_LIMIT:-150}")" "$PY" "${BENCH_ARGS[@]}" \
        --paths eager --out "$OUT/benchmark_cuda_fp32.json"
    fi
  else
    log "benchmark: $BENCH has no --paths option yet: fp32 only, AMP not measured"
    part benchmark "$(limit benchmark "${BENCH_LIMIT:-150}")" "$PY" "${BENCH_ARGS[@]}" \
      --out "$OUT/benchmark_cuda.json"
    DETAILS[-1]="fp32 only ($BENCH has no --paths: AMP not measured); ${DETAILS[-1]}"
  fi
fi

summary
}

main 2>&1 | tee "$OUT/device_check.log"
exit "${PIPESTATUS[0]}"
