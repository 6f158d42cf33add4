# Serving image: onnxruntime, no torch. The model directory and the reference FASTA are mounted.
# (GPU base image, non-root hardening and HEALTHCHECK come with the deployment issue.)
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core core
COPY service service
COPY training training
COPY model_export model_export
RUN pip install --no-cache-dir .
ENV LOGOSCORE_MODEL_DIR=/models/demo LOGOSCORE_FASTA=/reference/reference.fa
EXPOSE 8000
CMD ["logoscore", "serve", "--host", "0.0.0.0", "--port", "8000"]
