"""Build the demo store from the bundled real data (``demo_data/manifest.toml``).

Each step is an ordinary import through the facade, so the demo exercises exactly the
code a municipality uses with its own files.
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
    from kekiz.monitor import Monitor, Progress

__all__ = ["attributions", "build_demo", "demo_dir"]


def demo_dir() -> Path:
    return Path(str(resources.files("kekiz") / "demo_data"))


def attributions() -> list[dict[str, str]]:
    """Source and licence of every bundled file (shown wherever the data is shown)."""
    data: list[dict[str, str]] = json.loads(
        (demo_dir() / "attribution.json").read_text(encoding="utf-8"))
    return data


def build_demo(monitor: Monitor, progress: Progress) -> dict[str, Any]:
    base = demo_dir()
    manifest = tomllib.loads((base / "manifest.toml").read_text(encoding="utf-8"))
    steps = manifest.get("step", [])
    monitor.init()
    for n, step in enumerate(steps):
        progress("Demo", n, len(steps))
        _run_step(monitor, base, step)
    progress("Demo", len(steps), len(steps))
    from kekiz.facade.prevention import build_chain_demo

    chain = build_chain_demo(monitor)
    from kekiz.facade.goals import build_cooperation_demo, build_goals_demo

    extra = build_cooperation_demo(monitor) + build_goals_demo(monitor)
    summary = monitor.summary()
    summary["members"] = {
        programme: len(monitor.store.members(programme))
        for programme in sorted({m.programme for m in monitor.store.members()})}
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


def _run_step(monitor: Monitor, base: Path, step: dict[str, Any]) -> None:
    kind = step.get("kind")
    if kind == "aggregate":
        monitor.aggregate()
        return
    if kind == "monitoring":
        for level in step["levels"]:
            monitor.run_monitoring(level, score=step.get("score", "gisd_score"),
                                   since=step.get("since"))
        return
    if kind == "records_demo":
        from kekiz.facade.records import build_records_demo

        build_records_demo(monitor, years=step.get("years", "2010-2012"),
                           seed=int(step.get("seed", 42)))
        return
    path = base / step["file"]
    if kind == "boundaries":
        opts = BoundaryOptions(
            level=step["level"], id_field=step["id_field"], name_field=step["name_field"],
            parent_field=step.get("parent_field"), parent_level=step.get("parent_level"),
            id_prefix=step.get("id_prefix", ""), key_fields=step.get("keys", {}),
            valid_from=date.fromisoformat(step["valid_from"]) if "valid_from" in step else None)
        monitor.import_boundaries(path, opts, dataset=step.get("dataset"),
                                  licence=step.get("licence", ""), source=step.get("source", ""))
    elif kind == "indicators":
        iopts = IndicatorOptions(
            level=step["level"], key_column=step.get("key"),
            period_column=step.get("period_column"), period=step.get("period"),
            indicator=step.get("indicator"), columns=step.get("columns", {}),
            id_prefix=step.get("id_prefix", ""), key_map=step.get("key_map", {}),
            indicator_column=step.get("indicator_column"))
        monitor.import_indicators(path, iopts, dataset=step.get("dataset"),
                                  licence=step.get("licence", ""),
                                  source=step.get("source", ""))
    elif kind == "funding":
        monitor.import_funding(path, step["programme"], step.get("source", ""))
    elif kind == "members":
        joined = step.get("joined")
        monitor.import_members(path, step["programme"], source=step.get("source", ""),
                               joined=date(int(joined), 1, 1) if joined else None)
    else:
        raise ConfigurationError(f"Unbekannter Demo-Schritt '{kind}'.",
                                 message_en=f"Unknown demo step '{kind}'.")
