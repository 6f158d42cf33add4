#!/usr/bin/env bash
# Run HERE (not on the device): put into .whl/ the wheels bench/gpu.sh installs on the device
# machine, which reaches no package registry. Python 3.12 wheels (the device image's python3);
# packages its image already has (numpy, onnx, matplotlib, torch, httpx, prometheus-client,
# click, ...) are not carried, nor biopython (pyfaidx needs it for bgzipped FASTA only). onnxruntime-gpu's CUDA provider library is cut to the Hopper
# (sm_90) GPU code of the operators this model can run (bench/fatbin_trim.py: LLM, MoE,
# quantised-GEMM, paged/sparse attention kernels and flash attention for head sizes other than
# LOGO's 32 zeroed). Prints what would travel against the 64 MiB limit.
#
#     bash bench/gpu_carry.sh && git status --short   # .whl/ is ignored; run(carry=[".whl"])
set -euo pipefail
cd "$(dirname "$0")/.."
WHEELS=.whl
ORT=onnxruntime-gpu==1.31.1
PACKAGES=(pyfaidx cyvcf2 coloredlogs humanfriendly fastapi fastapi-offline starlette uvicorn h11
  python-multipart pydantic pydantic-core pydantic-settings python-dotenv annotated-types
  typing-inspection opentelemetry-api redis rq croniter)
# the versions this checkout's tests ran with (make setup), where it has them
freeze=$(.venv/bin/python -m pip freeze 2>/dev/null | tr '[:upper:]_' '[:lower:]-' || true)
for i in "${!PACKAGES[@]}"; do
  pinned=$(grep -m1 "^${PACKAGES[$i]}==" <<<"$freeze" || true)
  PACKAGES[$i]=${pinned:-${PACKAGES[$i]}}
done
UNUSED_KERNELS='onnxruntime3llm|kernel_mha|[Xx]qa|PagedAttention|SparseAttention|sparse_attention'
UNUSED_KERNELS+='|[Mm]oe[A-Z_]|MoE|Flash_fwd_kernel_traitsILi(?!32E)[0-9]+E|fpA_intB|[Nn][Bb]its'
UNUSED_KERNELS+='|GroupQueryAttention|BlockSparse|DecoderMaskedMultiHead|Beam|Sampling|deep_gemm'
UNUSED_KERNELS+='|[Ff]p8|fp4|int4_gemm'
PLATFORMS=(--platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64
  --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --platform manylinux1_x86_64)
rm -rf "$WHEELS" && mkdir -p "$WHEELS"
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
  --implementation cp "${PLATFORMS[@]}" -d "$WHEELS" "$ORT" "${PACKAGES[@]}"
work=$(mktemp -d)
wheel=$(ls "$WHEELS"/onnxruntime_gpu-*.whl)
mkdir "$work/wheel" && (cd "$work/wheel" && unzip -q "$OLDPWD/$wheel")
python3 -m pip install -q --target "$work/zstd" zstandard
PYTHONPATH="$work/zstd" python3 bench/fatbin_trim.py --keep 90 --drop "$UNUSED_KERNELS" \
  "$work/wheel/onnxruntime/capi/libonnxruntime_providers_cuda.so"
# the C API library (nothing in the wheel loads it) goes; xz packs the rest a third smaller
# than the wheel's zip: carried as a folder for /tmp/site, not as a wheel
rm "$work/wheel/onnxruntime/capi/"libonnxruntime.so.*
rm "$wheel" && tar -C "$work/wheel" -cJf "$WHEELS/onnxruntime_gpu.tar.xz" . && rm -rf "$work"
# redis-server for the /jobs run through worker processes: this machine's binary (it serves
# when not called redis-check-*) and the libraries it needs beyond glibc, libstdc++ and OpenSSL
redis=$(mktemp -d)
mkdir -p "$redis/redis/lib"
cp "$(readlink -f "$(command -v redis-server)")" "$redis/redis/redis-server.bin"
for library in $(ldd "$redis/redis/redis-server.bin" | awk '/=>/ {print $3}'); do
  case $(basename "$library") in
    libc.so*|libm.so*|libstdc++*|libgcc_s*|libssl*|libcrypto*) ;;
    *) cp -L "$library" "$redis/redis/lib/" ;;
  esac
done
tar -C "$redis" -cJf "$WHEELS/redis.tar.xz" redis && rm -rf "$redis"
tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb | tail -1 | cut -f1)
carried=$(du -cb "$WHEELS"/* | tail -1 | cut -f1)
echo "working tree $((tree >> 20)) MiB + $WHEELS $((carried >> 20)) MiB = $(((tree + carried) >> 20)) MiB (limit 64 MiB)"
ls -S -l "$WHEELS" | head -6
if (((tree + carried) >> 20 >= 64)); then
  echo "over the transfer limit: cut more kernels (--drop), or carry fewer wheels"
  exit 1
fi
