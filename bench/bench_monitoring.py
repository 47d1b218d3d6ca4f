"""Benchmark: the full socio-spatial monitoring over all German Gemeinden (issue #3).

Loads the VG5000 Gemeinde geometries (BKG, 01.01.2021) and the INKAR Gemeinde indicators
(BBSR, via GStahn/ranking_german_counties) from ``../shared/data``, joins them on the AGS
and times, in the same run and alternating, two implementations of the same computation:

* **kekiz** - the pipeline through :mod:`kekiz.analysis` (shares with Wilson intervals and
  reliability flags, global empirical Bayes, queen weights, global Moran's I with 999
  permutations, LISA with 999 seeded permutations, quintile classes, a GISD-style PCA
  composite with type-9 quintiles, a k-means typology, the priority list with reasons);
* **baseline** - the same steps written directly against numpy/pandas, libpysal, esda,
  mapclassify and scikit-learn.

Each step is timed per repetition; the table shows the median per step, the baseline and
the ratio.  Outputs of both pipelines are compared at the end (same classes, same LISA
p-values ...).  Benchmarks assert nothing.

    .venv/bin/python bench/bench_monitoring.py [--repeat 5] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import esda
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from libpysal import weights as lpw
from scipy import stats
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from kekiz.analysis.classify import classify
from kekiz.analysis.indices import IndicatorSpec, compute_index
from kekiz.analysis.priority import PriorityRule, priority_list
from kekiz.analysis.rates import proportions
from kekiz.analysis.smoothing import global_eb
from kekiz.analysis.spatial import local_moran, moran, spatial_weights
from kekiz.analysis.typology import typology

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KEKIZ_SHARED", ROOT.parent / "shared"))
GEOMETRY = SHARED / "data/bkg_vg5000_2021/shp/VG5000_GEM.shp"
INKAR = SHARED / "data/inkar_2023_gstahn/merged_gem_final_all_germany.csv"
SEED = 20120101
PERMUTATIONS = 999
K = 5
DOMAINS = {"Purchasing_Power": ("higher_is_better", "Einkommen"),
           "Child_Poverty": ("higher_is_worse", "Einkommen"),
           "Emp_Rate": ("higher_is_better", "Beschäftigung"),
           "Emp_Rate_Women": ("higher_is_better", "Beschäftigung")}
TYPE_COLUMNS = ["Child_Poverty", "Purchasing_Power", "Emp_Rate", "Age_below_6"]
STEPS = ["rates", "eb_smoothing", "weights", "moran", "lisa", "classes", "composite",
         "typology", "priority"]

Timer = dict[str, float]


def load() -> gpd.GeoDataFrame:
    geo = gpd.read_file(GEOMETRY, columns=["AGS", "GEN"])
    inkar = pd.read_csv(INKAR, dtype={"AGS": str, "KRS": str})
    data = geo.merge(inkar, on="AGS", how="inner").sort_values("AGS").reset_index(drop=True)
    data["children_u6"] = np.round(data["Population"] * data["Age_below_6"] / 100.0)
    return data


class Clock:
    def __init__(self) -> None:
        self.times: Timer = {}
        self._start = 0.0

    def __call__(self, step: str) -> Clock:
        self._step = step
        return self

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *_: Any) -> None:
        self.times[self._step] = time.perf_counter() - self._start


# -- kekiz ------------------------------------------------------------------------------------
def ours(data: gpd.GeoDataFrame) -> tuple[Timer, dict[str, Any]]:
    clock, out = Clock(), {}
    ids = data["AGS"]
    num, den = data["children_u6"].set_axis(ids), data["Population"].set_axis(ids)
    with clock("rates"):
        out["rates"] = proportions(num, den, min_denominator=30, max_relative_width=0.5)
    with clock("eb_smoothing"):
        out["eb"] = global_eb(num, den).smoothed
    with clock("composite"):
        specs = [IndicatorSpec(c, p, 1.0, d) for c, (p, d) in DOMAINS.items()]
        index = compute_index("pca", data, indicators=specs, id_col="AGS", n_classes=K)
        out["composite"] = index.table[["index", "class"]]
    score = index.table["index"]
    with clock("weights"):
        sw = spatial_weights(data, "queen", id_column="AGS")
    with clock("moran"):
        out["moran"] = moran(score, sw, permutations=PERMUTATIONS, seed=SEED)
    with clock("lisa"):
        lisa = local_moran(score, sw, permutations=PERMUTATIONS, seed=SEED)
        out["lisa"] = lisa.table
    with clock("classes"):
        out["classes"] = classify(out["eb"] * 100, "quantiles", K).classes
    with clock("typology"):
        out["typology"] = typology(data, TYPE_COLUMNS, K, seed=0, id_col="AGS").types
    with clock("priority"):
        cls = out["composite"]["class"].astype(int)
        frame = pd.DataFrame({"id": cls.index, "status_class": np.select(
            [cls == K, cls == K - 1, cls == 1], [4, 3, 1], 2),
            "hotspot": (lisa.table["cluster"] == "HH").reindex(cls.index).to_numpy(),
            "children": num.reindex(cls.index).to_numpy()})
        out["priority"] = priority_list(frame, dynamics_col=None, rule=PriorityRule()).table
    return clock.times, out


# -- baseline: the same steps directly against numpy/pandas/esda/libpysal/mapclassify --------
def _wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    root = z * np.sqrt(z * z + 4 * x * (1 - x / n))
    return ((2 * x + z * z - root) / (2 * (n + z * z)), (2 * x + z * z + root) / (2 * (n + z * z)))


def baseline(data: gpd.GeoDataFrame) -> tuple[Timer, dict[str, Any]]:
    clock, out = Clock(), {}
    x, n = data["children_u6"].to_numpy(float), data["Population"].to_numpy(float)
    with clock("rates"):
        z = stats.norm.ppf(0.975)
        lo, hi = _wilson(x, n, z)
        value = 100 * x / n
        with np.errstate(divide="ignore", invalid="ignore"):
            wide = (value > 0) & ~((hi - lo) * 100 / value <= 0.5)
        status = np.where(n < 30, "unreliable", np.where(wide, "unreliable", "ok"))
        out["rates"] = pd.DataFrame({"value": value, "lower": 100 * lo, "upper": 100 * hi,
                                     "status": status}, index=data["AGS"])
    with clock("eb_smoothing"):
        eb = esda.smoothing.Empirical_Bayes(x, n)
        out["eb"] = pd.Series(np.asarray(eb.r).ravel(), index=data["AGS"])
    with clock("composite"):
        domains = {}
        for domain in dict.fromkeys(d for _, d in DOMAINS.values()):
            cols = [c for c, (_, d) in DOMAINS.items() if d == domain]
            sign = np.array([1.0 if DOMAINS[c][0] == "higher_is_worse" else -1.0 for c in cols])
            zs = ((data[cols] - data[cols].mean()) / data[cols].std(ddof=0)).to_numpy() * sign
            val, vec = np.linalg.eigh(zs.T @ zs / len(zs))
            v = vec[:, -1] if vec[:, -1].sum() >= 0 else -vec[:, -1]
            s = zs @ v / np.sqrt(val[-1])
            domains[domain] = (s - s.min()) / (s.max() - s.min())
        raw = np.mean(list(domains.values()), axis=0)
        score = (raw - raw.min()) / (raw.max() - raw.min())
        breaks = np.quantile(score, np.arange(1, K) / K, method="normal_unbiased")
        comp_class = 1 + np.searchsorted(breaks, score, side="left")
        out["composite"] = pd.DataFrame({"index": score, "class": comp_class},
                                        index=data["AGS"])
    with clock("weights"):
        w = lpw.Queen.from_dataframe(data, ids=data["AGS"].tolist(), silence_warnings=True)
        w.transform = "r"
    with clock("moran"):
        out["moran"] = esda.Moran(score, w, permutations=PERMUTATIONS)
    with clock("lisa"):
        with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
            warnings.simplefilter("ignore")
            lm = esda.Moran_Local(score, w, permutations=PERMUTATIONS, seed=SEED)
        islands = np.array([not w.neighbors[i] for i in w.id_order])
        p = np.where(islands, np.nan, lm.p_sim)
        labels = np.array(["nicht signifikant", "HH", "LH", "LL", "HL"], dtype=object)
        cluster = np.where((p <= 0.05) & ~islands, labels[lm.q], labels[0])
        out["lisa"] = pd.DataFrame({"I": lm.Is, "p_sim": p, "cluster": cluster},
                                   index=data["AGS"])
    with clock("classes"):
        out["classes"] = pd.Series(mapclassify.Quantiles(out["eb"].to_numpy() * 100, k=K).yb + 1,
                                   index=data["AGS"])
    with clock("typology"):
        cols = data[TYPE_COLUMNS]
        zt = ((cols - cols.mean()) / cols.std(ddof=0)).to_numpy()
        labels_t = KMeans(n_clusters=K, n_init=10, random_state=0).fit_predict(zt)
        means = pd.Series(data["Child_Poverty"].to_numpy()).groupby(labels_t).mean()
        order = {lab: i + 1 for i, lab in enumerate(means.sort_values().index)}
        out["typology"] = pd.Series([order[lab] for lab in labels_t], index=data["AGS"])
    with clock("priority"):
        frame = pd.DataFrame({"id": data["AGS"], "cls": comp_class, "children": x,
                              "hot": cluster == "HH"})
        frame["status_points"] = np.select([frame["cls"] == K, frame["cls"] == K - 1],
                                           [4.0, 2.0], 0.0)
        frame["hotspot_points"] = np.where(frame["hot"], 2.0, 0.0)
        frame["children_points"] = (3 * frame["children"] / frame["children"].max()).round(1)
        frame["score"] = (frame["status_points"] + frame["hotspot_points"]
                          + frame["children_points"]).round(1)
        status_de = np.where(frame["cls"] == K, "Status sehr niedrig (Statusklasse 4): "
                             "+4 Punkte; ", np.where(frame["cls"] == K - 1,
                                                     "Status niedrig (Statusklasse 3): "
                                                     "+2 Punkte; ", ""))
        hot_de = np.where(frame["hot"], "liegt in einem Hot Spot: +2 Punkte; ", "")
        frame["reasons"] = (pd.Series(status_de, index=frame.index) + hot_de
                            + frame["children"].map(lambda c: f"{c:,.0f} betroffene Kinder"))
        frame["status"] = np.select([frame["cls"] == K, frame["cls"] == K - 1,
                                     frame["cls"] == 1], [4, 3, 1], 2)
        frame = frame.sort_values(["score", "children", "status", "id"],
                                  ascending=[False, False, False, True])
        frame["rank"] = np.arange(1, len(frame) + 1)
        frame["priority"] = frame["score"] >= 4.0
        out["priority"] = frame
    return clock.times, out


# -- comparison and report --------------------------------------------------------------
def agreement(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [("rates: value, lower, upper (max. abs. diff.)", "{:.1e}".format(max(
        float(np.nanmax(np.abs(a["rates"][c].to_numpy() - b["rates"][c].to_numpy())))
        for c in ("value", "lower", "upper")))),
        ("EB smoothed rates (max. abs. diff.)",
         f"{float(np.max(np.abs(a['eb'].to_numpy() - b['eb'].to_numpy()))):.1e}"),
        ("composite score (max. abs. diff.)", "{:.1e}".format(float(np.max(np.abs(
            a["composite"]["index"].to_numpy() - b["composite"]["index"].to_numpy()))))),
        ("composite quintile classes equal", "{:.2%}".format(float(np.mean(
            a["composite"]["class"].to_numpy(int) == b["composite"]["class"].to_numpy(int))))),
        ("Moran's I (abs. diff.)", f"{abs(a['moran'].I - b['moran'].I):.1e}"),
        ("LISA I_i (max. abs. diff.)", f"{float(np.max(np.abs(a['lisa']['I'].to_numpy() - b['lisa']['I'].to_numpy()))):.1e}"),  # noqa: E501
        ("LISA p_sim equal (seeded)", "{:.2%}".format(float(np.mean(np.isclose(
            a["lisa"]["p_sim"].to_numpy(), b["lisa"]["p_sim"].to_numpy(), equal_nan=True))))),
        ("LISA clusters equal", "{:.2%}".format(float(np.mean(
            a["lisa"]["cluster"].to_numpy() == b["lisa"]["cluster"].to_numpy())))),
        ("map classes equal", "{:.2%}".format(float(np.mean(
            a["classes"].to_numpy(int) == b["classes"].to_numpy(int))))),
        ("typology types equal", "{:.2%}".format(float(np.mean(
            a["typology"].to_numpy(int) == b["typology"].to_numpy(int))))),
        ("priority ranking equal", "{:.2%}".format(float(np.mean(
            a["priority"]["id"].to_numpy() == b["priority"]["id"].to_numpy()))))]
    return rows


def run(repeat: int, threads: int) -> tuple[pd.DataFrame, list[tuple[str, str]],
                                           dict[str, Any]]:
    t0 = time.perf_counter()
    data = load()
    load_s = time.perf_counter() - t0
    times: dict[str, dict[str, list[float]]] = {"kekiz": {}, "baseline": {}}
    results: dict[str, dict[str, Any]] = {}
    impl: dict[str, Callable[[gpd.GeoDataFrame], tuple[Timer, dict[str, Any]]]] = {
        "kekiz": ours, "baseline": baseline}
    for rep in range(repeat):
        order = ["kekiz", "baseline"] if rep % 2 == 0 else ["baseline", "kekiz"]
        for name in order:
            with threadpool_limits(limits=threads):
                timer, out = impl[name](data)
            results[name] = out
            for step, sec in timer.items():
                times[name].setdefault(step, []).append(sec)
    rows = []
    for step in STEPS:
        a = statistics.median(times["kekiz"][step])
        b = statistics.median(times["baseline"][step])
        rows.append({"step": step, "kekiz_s": a, "baseline_s": b, "ratio": a / b})
    total_a = statistics.median([sum(times["kekiz"][s][i] for s in STEPS)
                                 for i in range(repeat)])
    total_b = statistics.median([sum(times["baseline"][s][i] for s in STEPS)
                                 for i in range(repeat)])
    rows.append({"step": "total", "kekiz_s": total_a, "baseline_s": total_b,
                 "ratio": total_a / total_b})
    info = {"units": len(data), "load_s": load_s, "repeat": repeat, "threads": threads,
            "islands": int(sum(1 for i in results["kekiz"]["lisa"]["island"] if i))}
    return pd.DataFrame(rows), agreement(results["kekiz"], results["baseline"]), info


def _versions() -> str:
    names = ["numpy", "pandas", "scipy", "esda", "libpysal", "mapclassify", "scikit-learn",
             "geopandas", "shapely"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    try:
        metadata.version("numba")
        found.append("numba installed")
    except metadata.PackageNotFoundError:
        found.append("numba not installed")
    return ", ".join(found)


def markdown(table: pd.DataFrame, agree: list[tuple[str, str]], info: dict[str, Any]) -> str:
    lines = [f"Run {date.today().isoformat()}, Python {platform.python_version()}, "
             f"{info['units']:,} Gemeinden ({info['islands']} without neighbours), "
             f"{info['repeat']} repetitions (median, alternating order), "
             f"{info['threads']} BLAS/OpenMP thread(s) for both, loading "
             f"{info['load_s']:.1f} s (not timed below).", "", _versions() + ".", "",
             "| step | kekiz (s) | baseline (s) | ratio |", "|---|---:|---:|---:|"]
    for r in table.to_dict("records"):
        bold = "**" if r["step"] == "total" else ""
        lines.append(f"| {bold}{r['step']}{bold} | {bold}{r['kekiz_s']:.3f}{bold} | "
                     f"{bold}{r['baseline_s']:.3f}{bold} | {bold}{r['ratio']:.2f}{bold} |")
    lines += ["", "| check: kekiz vs. baseline | result |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in agree]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads for both pipelines (default 1)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown section")
    args = parser.parse_args()
    table, agree, info = run(args.repeat, args.threads)
    if args.markdown:
        print(markdown(table, agree, info))
        return
    print(f"{info['units']:,} Gemeinden, {info['islands']} islands, {args.repeat} repetitions, "
          f"load {info['load_s']:.1f} s")
    print(f"{'step':<14}{'kekiz s':>10}{'baseline s':>12}{'ratio':>8}")
    for r in table.to_dict("records"):
        print(f"{r['step']:<14}{r['kekiz_s']:>10.3f}{r['baseline_s']:>12.3f}"
              f"{r['ratio']:>8.2f}")
    print("target: total ratio <= 1.50")
    for k, v in agree:
        print(f"  {k}: {v}")


if __name__ == "__main__":
    main()
