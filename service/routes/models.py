"""``GET /models``: the model being served, its features and where it runs."""

from dataclasses import asdict

from fastapi import APIRouter

from service.dependencies import Engine
from service.results import model_info
from service.schemas import FeatureInfo, ModelDescription, ModelsResponse

router = APIRouter(tags=["models"])


@router.get("/models", operation_id="models-list", response_model=ModelsResponse)
def list_models(engine: Engine) -> ModelsResponse:
    """The served model: name, version, sha256, precision and graph of the ONNX file run,
    assembly, window, features, provider, and the copies the model directory holds."""
    manifest = engine.model.manifest
    description = ModelDescription(
        **model_info(engine.model).model_dump(),
        window=manifest.window.length,
        k=manifest.window.k,
        tokenizer=manifest.window.tokenizer,
        frame_tail=manifest.window.frame_tail,
        provider=engine.model.provider,
        features=[
            FeatureInfo(name=f.name, group=f.group, description=f.description)
            for f in manifest.features
        ],
        parity=asdict(manifest.parity) if manifest.parity else {},
        precision_parity=engine.model.file.parity.to_json() if engine.model.file.parity else {},
        copies=[copy.to_json() for copy in manifest.copies],
        card=manifest.card,
        missing_scores=manifest.missing_scores,
    )
    return ModelsResponse(models=[description])
