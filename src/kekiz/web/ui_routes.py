"""The routes of the interactive maps and the API documentation, as one router for
:func:`kekiz.web.app.create_app`: ``/api/v1/map``, ``/api/v1/places``, ``/api/docs``."""

from __future__ import annotations

from fastapi import APIRouter

from kekiz.web.api_docs import router as docs_router
from kekiz.web.api_map import router as map_router

__all__ = ["router"]

router = APIRouter()
router.include_router(map_router, prefix="/api/v1")
router.include_router(docs_router)
