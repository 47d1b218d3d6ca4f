"""The pages of the prevention chain, cooperation network, Leitbild goals and the family
service finder, and the report of an area, as one router for :func:`kekiz.web.app.create_app`."""

from __future__ import annotations

from fastapi import APIRouter

from kekiz.web.pages_chain import router as chain_router
from kekiz.web.pages_coop import router as coop_router
from kekiz.web.pages_finder import router as finder_router
from kekiz.web.pages_goals import router as goals_router
from kekiz.web.pages_report import router as report_router

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
for _part in (chain_router, coop_router, goals_router, finder_router, report_router):
    router.include_router(_part)
