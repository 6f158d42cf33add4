"""JSON request bodies read strictly: bounded in size by what the variant limit needs, and
without the non-finite numbers (``NaN``, ``Infinity``, ``1e400``) that JSON does not have.

Python's ``json`` accepts ``NaN`` and turns ``1e400`` into infinity; such a body is refused
with 422 before any model sees it. A body's size is capped at
``LOGOSCORE_MAX_VARIANTS_PER_REQUEST`` x ``JSON_BYTES_PER_VARIANT`` (plus the longest alleles
allowed), so its parsed form (about 30 times its size in Python objects) stays bounded by the
variant limit, not by the upload limit meant for VCF files.
"""

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute

from service.settings import Settings

JSON_BYTES_PER_VARIANT = 256
"""Room for one variant's JSON besides its alleles (a string or an object, with spacing)."""


def max_json_bytes(settings: Settings) -> int:
    per_variant = JSON_BYTES_PER_VARIANT + 2 * settings.max_allele_length
    return settings.max_variants_per_request * per_variant


def _refuse_constant(name: str) -> float:
    raise json.JSONDecodeError(f"{name} is not a number in JSON; send finite numbers", name, 0)


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise json.JSONDecodeError(
            f"{text} is too large for a number; send finite numbers", text, 0
        )
    return value


class StrictJsonRequest(Request):
    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            settings: Settings = self.app.state.settings
            limit = max_json_bytes(settings)
            chunks: list[bytes] = []
            size = 0
            async for chunk in self.stream():
                size += len(chunk)
                if size > limit:
                    raise HTTPException(
                        413,
                        f"the JSON body is larger than {limit:,} bytes, what "
                        f"{settings.max_variants_per_request:,} variants need "
                        "(LOGOSCORE_MAX_VARIANTS_PER_REQUEST); submit large inputs as a VCF "
                        "batch job (POST /jobs)",
                    )
                chunks.append(chunk)
            self._body = b"".join(chunks)
        return self._body

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(
                await self.body(), parse_constant=_refuse_constant, parse_float=_finite_float
            )
        return self._json


class StrictJsonRoute(APIRoute):
    """A route whose JSON body is read by ``StrictJsonRequest``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict
