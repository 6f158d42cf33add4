# Serving image: CUDA runtime + onnxruntime-gpu, no torch. On a host without a GPU (or with
# LOGOSCORE_PROVIDER=cpu) the same image runs on the CPU. The model directory and the reference
# FASTA are mounted, not baked (docker/compose.yaml). Runs as a non-root user; the HEALTHCHECK
# asks /health/ready. tests/test_deployment.py runs this file's CMD and HEALTHCHECK outside Docker.
ARG CUDA_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04
FROM ${CUDA_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/logoscore
ENV PATH=/opt/logoscore/bin:$PATH PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core core
COPY service service
COPY training training
COPY model_export model_export
# one onnxruntime: the CUDA 13 build replaces the CPU build the base requirements pull in
RUN pip install --no-cache-dir . \
    && pip uninstall -y onnxruntime \
    && pip install --no-cache-dir "onnxruntime-gpu>=1.24"
# matplotlib's font cache, built once here: the non-root user has no home to write it in
ENV MPLCONFIGDIR=/opt/matplotlib
RUN python3 -c "import matplotlib.font_manager" && chmod -R a+rX /opt/matplotlib
RUN useradd --system --uid 10001 --no-create-home logoscore
USER 10001
ENV LOGOSCORE_MODEL_DIR=/models/demo LOGOSCORE_FASTA=/reference/reference.fa
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["logoscore", "probe", "--url", "http://127.0.0.1:8000/health/ready"]
CMD ["logoscore", "serve", "--host", "0.0.0.0", "--port", "8000"]
