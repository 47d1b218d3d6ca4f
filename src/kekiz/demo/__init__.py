"""The demo: a store built from the bundled real data (``data/manifest.toml``) and the
clearly labelled synthetic data where no real data exists.

Each step is an ordinary import through the application object, so the demo exercises
exactly the code a municipality uses with its own files.  Nothing but the ``kekiz demo``
command and the tests imports this package.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kekiz.domain.errors import ConfigurationError
from kekiz.ingest.boundaries import BoundaryOptions
from kekiz.ingest.indicators import IndicatorOptions

if TYPE_CHECKING:
    from kekiz.app import Kekiz
    from kekiz.services.base import Progress

__all__ = ["attributions", "build_demo", "demo_dir"]


def demo_dir() -> Path:
    """The bundled demo files with their provenance (``PROVENANCE.md``, ``LICENSES/``)."""
    return Path(str(resources.files("kekiz.demo") / "data"))


def attributions() -> list[dict[str, str]]:
    """Source and licence of every bundled file (shown wherever the data is shown)."""
    data: list[dict[str, str]] = json.loads(
        (demo_dir() / "attribution.json").read_text(encoding="utf-8"))
    return data


def attribution_of(file: str) -> dict[str, str] | None:
    """The attribution entry of one bundled file (its path below the demo folder)."""
    return next((a for a in attributions() if a.get("file") == file), None)


def build_demo(app: Kekiz, progress: Progress | None = None) -> dict[str, Any]:
    """Build the demo store through ``app``; a summary of what was stored."""
    from kekiz.demo.chain import build_chain_demo
    from kekiz.demo.goals import build_cooperation_demo, build_goals_demo

    if progress is None:
        from kekiz.services.base import no_progress

        progress = no_progress
    base = demo_dir()
    manifest = tomllib.loads((base / "manifest.toml").read_text(encoding="utf-8"))
    steps = manifest.get("step", [])
    app.init()
    for n, step in enumerate(steps):
        progress("Demo", n, len(steps))
        _run_step(app, base, step)
    progress("Demo", len(steps), len(steps))
    chain = build_chain_demo(app)
    extra = build_cooperation_demo(app) + build_goals_demo(app)
    summary = app.data.summary()
    store = app.store
    summary["members"] = {
        programme: len(store.members(programme))
        for programme in sorted({m.programme for m in store.members()})}
    summary["extra"] = [f"{p}: {n} Mitgliedskommunen" for p, n in summary["members"].items()]
    summary["extra"] += chain["extra"] + extra
    seen: set[str] = set()
    summary["attribution"] = []
    for a in attributions():
        line = f"{a['attribution']} – {a['licence']}"
        if line not in seen:
            seen.add(line)
            summary["attribution"].append(line)
    return summary


def _run_step(app: Kekiz, base: Path, step: dict[str, Any]) -> None:
    kind = step.get("kind")
    if kind == "aggregate":
        app.data.aggregate()
        return
    if kind == "monitoring":
        for level in step["levels"]:
            app.monitoring.run_monitoring(level, score=step.get("score", "gisd_score"),
                                          since=step.get("since"))
        return
    if kind == "records_demo":
        from kekiz.demo.records import build_records_demo

        build_records_demo(app, years=step.get("years", "2010-2012"),
                           seed=int(step.get("seed", 42)))
        return
    _import_step(app, base, step)


def _import_step(app: Kekiz, base: Path, step: dict[str, Any]) -> None:
    kind = step.get("kind")
    path = base / step["file"]
    provenance = {"licence": step.get("licence", ""), "source": step.get("source", ""),
                  "attribution": attribution_of(step["file"])}
    if kind == "boundaries":
        opts = BoundaryOptions(
            level=step["level"], id_field=step["id_field"], name_field=step["name_field"],
            parent_field=step.get("parent_field"), parent_level=step.get("parent_level"),
            id_prefix=step.get("id_prefix", ""), key_fields=step.get("keys", {}),
            valid_from=date.fromisoformat(step["valid_from"]) if "valid_from" in step else None)
        app.imports.boundaries(path, opts, dataset=step.get("dataset"), **provenance)
    elif kind == "indicators":
        iopts = IndicatorOptions(
            level=step["level"], key_column=step.get("key"),
            period_column=step.get("period_column"), period=step.get("period"),
            indicator=step.get("indicator"), columns=step.get("columns", {}),
            id_prefix=step.get("id_prefix", ""), key_map=step.get("key_map", {}),
            indicator_column=step.get("indicator_column"))
        app.imports.indicators(path, iopts, dataset=step.get("dataset"), **provenance)
    elif kind == "funding":
        app.imports.funding(path, step["programme"], step.get("source", ""))
    elif kind == "members":
        joined = step.get("joined")
        app.imports.members(path, step["programme"], source=step.get("source", ""),
                            joined=date(int(joined), 1, 1) if joined else None)
    else:
        raise ConfigurationError(f"Unbekannter Demo-Schritt '{kind}'.",
                                 message_en=f"Unknown demo step '{kind}'.")
