#!/usr/bin/env bash
# Every GPU measurement in one go, on the lent device machine (device time is counted: one call,
# within 8 minutes). Prepare the wheels here first (bench/gpu_carry.sh), then from the tool:
#     run(command="bash bench/gpu.sh", carry=[".whl"], timeout_s=600)
# Check the Python parts here first, at no device time:
#     .venv/bin/python bench/gpu_throughput.py --dry-run --rows 8 --seconds 0.1 --rounds 1
#     .venv/bin/python bench/gpu_end_to_end.py --variants 40 --parity 10 --single 10 --processes 2 \
#       --worker-processes 2
# Prints the tables for bench/RESULTS.md; the log (log.txt), figures and GPU load (dmon.txt) land
# in $OUT (the device's return folder) or /tmp/logoscore-gpu. A rerun can take some sections
# (model, end_to_end, cls919 by default; host, e2e_more, sessions, mps and copies, by name) and
# gpu_throughput.py's options; the end-to-end runs take GPU_E2E_VARIANTS SNVs (500,000):
#     GPU_MODEL_ARGS="--rows 4096 --graphs fused" bash bench/gpu.sh model,end_to_end
set -uo pipefail
sections=${1:-model,end_to_end,cls919}
variants=${GPU_E2E_VARIANTS:-500000}
want() { [[ ,$sections, == *,$1,* ]]; }
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/logoscore-gpu}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
[ -f .whl/onnxruntime_gpu.tar.xz ] || { echo "nothing carried: run bench/gpu_carry.sh here"; exit 1; }
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/site .whl/*.whl || exit 1
tar -C /tmp/site -xJf .whl/onnxruntime_gpu.tar.xz || exit 1
tar -C /tmp -xJf .whl/redis.tar.xz && mkdir -p /tmp/redis/bin && cat > /tmp/redis/bin/redis-server <<'SH'
#!/bin/sh
LD_LIBRARY_PATH=/tmp/redis/lib exec /tmp/redis/redis-server.bin "$@"
SH
chmod +x /tmp/redis/bin/redis-server && export PATH=/tmp/redis/bin:$PATH
export PYTHONPATH=/tmp/site:$PWD
# the image's CUDA libraries from its nvidia-* wheels, after whatever the image already sets
nvidia_libs=$(python3 -c 'import glob, os, site
print(":".join(sorted({os.path.dirname(p) for s in site.getsitepackages()
  for p in glob.glob(s + "/nvidia/**/lib*.so*", recursive=True)})))')
export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$nvidia_libs
exec > >(tee "$out/log.txt") 2>&1
step() { echo; echo "== $1 ($(date +%T))"; }

step machine
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
python3 -c "import onnxruntime as o; print('onnxruntime', o.__version__, o.get_available_providers())"
nproc

# most important first: the acceptance's model-only and end-to-end rates (with LOGO-919's layout,
# whose last block application computes the cls token alone; the fused graphs, each also with
# CUDA graphs and on two sessions at once, at 2048 and 4096 rows a call; the unfused fp16 graph,
# 8192 rows (LOGO-919's layout slower there than at 4096) and the attention kernels one by one
# were measured 2026-12-04, the last with GPU_MODEL_ARGS="--rows 8192 --attention-kernels")
want model && step "model only: graphs x rows a call, parity with CPU fp32 (bench/gpu_throughput.py)" &&
  timeout 200 python3 bench/gpu_throughput.py --seconds 1.5 --json "$out/model.json" \
  ${GPU_MODEL_ARGS:---rows 2048,4096 --graphs fused} 2>&1 | grep -v -E 'Warning|W:onnxruntime'

# each run's line: variants/s from start to end (model loads included), and from the sessions'
# first call to their last, with how busy they were (service.scoring.call_load); /jobs is timed
# from submission once the worker's processes are registered, chunks of the API's 200 variants;
# first, the served path's logfolds against the CPU's fp32 model over 200 of the SNVs
if want end_to_end; then
  step "end to end: logoscore score and /jobs, $variants SNVs, 63 Mb contig (bench/gpu_end_to_end.py)"
  nvidia-smi dmon -s u -d 1 > "$out/dmon.txt" 2>&1 &
  dmon=$!
  LOGOSCORE_PROVIDER=cuda timeout 300 python3 bench/gpu_end_to_end.py --variants $variants \
    ${GPU_E2E_ARGS:---single 20000 --processes 8 --workers= --worker-processes 8 --job-chunk 200} \
    2>&1 | grep -v -E 'Warning|W:onnxruntime'
  kill $dmon
fi

# LOGO-919's layout (919 features, a cls head: its last application one token's), random
# weights: bench/cls_layout.py writes the model directory here (torch is in the image); the
# annotated VCF, since a TSV of 919 x 5 value columns is 46 kB a variant of text
if want cls919; then
  step "end to end in LOGO-919's layout: logoscore score --processes 12, VCF out"
  timeout 120 python3 bench/cls_layout.py /tmp/cls919 2>&1 | grep -v -i warn | tail -n 2
  LOGOSCORE_MODEL_DIR=/tmp/cls919 LOGOSCORE_PROVIDER=cuda timeout 150 python3 \
    bench/gpu_end_to_end.py --variants $variants --single 0 --processes 12 --workers= \
    --output vcf 2>&1 | grep -v -E 'Warning|W:onnxruntime'
fi

# one run of the variation sections below: bench/gpu_end_to_end.py on CUDA, no parity check and
# no one-process run, /jobs only where asked; the settings to vary come before it, as in
# LOGOSCORE_MODEL_SESSIONS=1 variation 150 --processes 8
variation() {
  local seconds=$1
  shift
  LOGOSCORE_PROVIDER=cuda timeout "$seconds" python3 bench/gpu_end_to_end.py \
    --variants "$variants" --parity 0 --single 0 --workers= "$@" 2>&1 |
    grep -v -E 'Warning|W:onnxruntime'
}

# measured before the shared sessions: /jobs in the API's chunks, 8192 rows a call, one session
if want e2e_more; then
  step "end to end, variations (bench/gpu_end_to_end.py)"
  echo "-- /jobs in chunks of 5,000 variants (the API's default, measured above: 200)"
  variation 150 --processes= --worker-processes 8 --job-chunk 5000
  echo "-- 8192 rows a call (the service's default on CUDA: 4096)"
  LOGOSCORE_BATCH_ROWS=8192 variation 150 --processes 12
  echo "-- the same with one model session serving the workers (the default on a GPU: 2)"
  LOGOSCORE_MODEL_SESSIONS=1 variation 150 --processes 8
  if [ -d /tmp/cls919 ]; then  # left by the cls919 section on a machine still warm
    for rows in 4096 8192; do
      echo "-- LOGO-919's layout, $rows rows a call, --processes 16, VCF out"
      LOGOSCORE_BATCH_ROWS=$rows LOGOSCORE_MODEL_DIR=/tmp/cls919 variation 120 --processes 16 \
        --output vcf
    done
  fi
fi

# more model sessions in the calling process of --processes N (the default on a GPU: 2)
if want sessions; then
  step "end to end, LOGOSCORE_MODEL_SESSIONS 3 and 4 (bench/gpu_end_to_end.py)"
  for n in 3 4; do
    echo "-- demo, $n sessions, --processes 12"
    LOGOSCORE_MODEL_SESSIONS=$n variation 120 --processes 12
    [ -d /tmp/cls919 ] || continue
    echo "-- LOGO-919's layout, $n sessions, --processes 12, VCF out"
    LOGOSCORE_MODEL_SESSIONS=$n LOGOSCORE_MODEL_DIR=/tmp/cls919 variation 120 --processes 12 \
      --output vcf
  done
fi

# several processes on one GPU take turns (time slices) unless NVIDIA's Multi-Process Service
# runs their kernels side by side: the same end-to-end runs with MPS
if want mps; then
  step "end to end with MPS (nvidia-cuda-mps-control -d)"
  export CUDA_MPS_PIPE_DIRECTORY=/tmp/mps-pipe CUDA_MPS_LOG_DIRECTORY=/tmp/mps-log
  mkdir -p $CUDA_MPS_PIPE_DIRECTORY $CUDA_MPS_LOG_DIRECTORY
  if nvidia-cuda-mps-control -d; then
    variation 150 ${GPU_MPS_ARGS:---processes 12 --workers 8}
    echo quit | nvidia-cuda-mps-control
    tail -n 5 $CUDA_MPS_LOG_DIRECTORY/*.log
  fi
fi

if want copies; then
  step "the copies measured on CUDA (python -m model_export.copies; manifest in \$OUT)"
  rm -rf /tmp/demo-cuda && cp -r models/demo /tmp/demo-cuda
  timeout 90 python3 -m model_export.copies --model-dir /tmp/demo-cuda \
    --fasta models/reference/GRCh37_chr20_1-6000000.fa 2>&1 | grep -v -i warn
  cp /tmp/demo-cuda/manifest.json "$out/manifest.cuda.json"
fi

if want host; then
  step "host side per core (bench/host_side.py)"
  timeout 45 python3 bench/host_side.py --variants 5000 2>&1 | grep -v -E 'Warning|W:onnxruntime'
  [ -d /tmp/cls919 ] && LOGOSCORE_MODEL_DIR=/tmp/cls919 timeout 45 python3 bench/host_side.py \
    --variants 2000 2>&1 | grep -v -E 'Warning|W:onnxruntime'
fi
step done
