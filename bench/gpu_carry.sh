#!/usr/bin/env bash
# Run HERE (not on the device): put into .whl/ the wheels bench/gpu.sh installs on the device
# machine, which reaches no package registry. Python 3.12 wheels (the device image's python3);
# packages its image already has (numpy, onnx, matplotlib, torch, httpx, prometheus-client,
# click, ...) are not carried. onnxruntime-gpu's CUDA provider library is cut to the Hopper
# (sm_90) GPU code (bench/fatbin_trim.py). Prints what would travel against the 64 MiB limit.
#
#     bash bench/gpu_carry.sh && git status --short   # .whl/ is ignored; run(carry=[".whl"])
set -euo pipefail
cd "$(dirname "$0")/.."
WHEELS=.whl
ORT=onnxruntime-gpu==1.31.1
PACKAGES=(pyfaidx biopython cyvcf2 fastapi fastapi-offline starlette uvicorn h11
  python-multipart pydantic pydantic-core pydantic-settings python-dotenv annotated-types
  typing-inspection redis rq croniter)
PLATFORMS=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64
  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64)
rm -rf "$WHEELS" && mkdir -p "$WHEELS"
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
  --implementation cp "${PLATFORMS[@]}" -d "$WHEELS" "$ORT" "${PACKAGES[@]}"
work=$(mktemp -d)
wheel=$(ls "$WHEELS"/onnxruntime_gpu-*.whl)
(cd "$work" && unzip -q "$OLDPWD/$wheel")
python3 bench/fatbin_trim.py "$work/onnxruntime/capi/libonnxruntime_providers_cuda.so" --keep 90
rm "$wheel" && (cd "$work" && zip -q -9 -r "$OLDPWD/$wheel" .) && rm -rf "$work"
tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb | tail -1 | cut -f1)
carried=$(du -cb "$WHEELS"/*.whl | tail -1 | cut -f1)
echo "working tree $((tree >> 20)) MiB + $WHEELS $((carried >> 20)) MiB = $(((tree + carried) >> 20)) MiB (limit 64 MiB)"
ls -S -l "$WHEELS" | head -6
if (((tree + carried) >> 20 >= 64)); then
  echo "over the transfer limit: onnxruntime-gpu must be cut further, to the sm_90 kernels of the"
  echo "operators this model runs (its fatbin entries are zstd-compressed cubins: decompress each,"
  echo "read its kernel names, zero the ones no operator of the fused fp16 graph launches)"
  exit 1
fi
