"""A realistic **synthetic** generator of school-entrance examination records.

Nothing here is real data about any child.  The generator makes records that look like a
municipality's school-entrance file so that the import, the indicators and the disclosure
control can be shown and tested without personal data:

* **Cohorts**: the number of examined children per area and year is drawn (Poisson)
  around the real population aged 6: a quarter of the inhabitants aged 6 to under 10
  (``einwohner_6_10 / 4``) of that area and year, taken from the store by the caller.
  With ``records`` the cohorts are scaled so that the file has exactly that many records.
* **Deliberately small areas**: the ``small_areas`` areas with the smallest cohorts get
  only 2 to 8 children a year, so that small counts (and suppression) occur.
* **Deprivation proxy**: findings depend on the area's **share of children and young
  people under 18 in its population** (real, from the store; standardised to mean 0 and
  standard deviation 1 over the areas), because no real deprivation data of the areas is
  bundled.  A higher share means more deficits in the synthetic data.  This is a
  modelling choice for plausible maps, not a statement about any real area.
* **Prevalences** (overall, calibrated on the generated children): language deficits
  25 %, fine motor deficits 16 %, gross motor deficits 11 %, overweight (BMI > P90)
  11 %, obesity (> P97) 5 %, vaccination record presented 92 % and of those measles
  complete 93 %, check-up booklet presented 95 % and of those U1–U9 complete 80 %, no day
  care 3 %, under two years of day care 12 %, family language other than German 30 %.
  A latent risk per child correlates the findings of one child; family language and
  short day care raise the risk of a language deficit.
* **Places**: coordinates uniformly inside the area's polygon (in the requested CRS).
* **Labels**: every record has ``synthetisch = true``, ids start with ``SYN``, and
  :func:`write_records` puts ``SYNTHETISCH_`` in front of the file name.

Randomness comes from ``numpy.random.default_rng(seed)`` only: the same inputs and seed
give the same file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import shapely
from numpy.typing import NDArray
from scipy.special import expit, ndtr

__all__ = [
    "PREFIX",
    "TARGETS",
    "Area",
    "GeneratorInfo",
    "generate_records",
    "synthetic_path",
    "write_records",
]

#: Every synthetic file name starts with this.
PREFIX = "SYNTHETISCH_"

#: Overall prevalences the generator is calibrated to.
TARGETS: dict[str, float] = {
    "sprache_defizit": 0.25,
    "feinmotorik_defizit": 0.16,
    "grobmotorik_defizit": 0.11,
    "uebergewicht": 0.11,
    "adipositas": 0.05,
    "impfdokument": 0.92,
    "masern_vollstaendig": 0.93,
    "u_heft": 0.95,
    "u1_u9_vollstaendig": 0.80,
    "kein_kitabesuch": 0.03,
    "kita_unter_2_jahre": 0.12,
    "familiensprache_nicht_deutsch": 0.30,
}

_EPOCH = date(1970, 1, 1)
_P90, _P97 = 1.2815515655446004, 1.880793608151251


@dataclass(frozen=True)
class Area:
    """One area (e.g. a Stadtteil) the records are generated for."""

    unit_id: str
    code: str
    name: str
    polygon: shapely.Geometry
    cohort: Mapping[int, float]  # year -> expected examined children
    proxy: float  # deprivation proxy (raw; standardised by the generator)


@dataclass
class GeneratorInfo:
    """What the generator did (stored with the dataset for reproducibility)."""

    seed: int
    years: list[int]
    records: int = 0
    small_areas: list[str] = field(default_factory=list)
    crs: str = "EPSG:25832"
    proxy_de: str = ("Anteil der unter 18-Jährigen an der Bevölkerung des Gebiets "
                     "(standardisiert)")
    proxy_en: str = "share of under-18s in the area's population (standardised)"

    def to_dict(self) -> dict[str, object]:
        return {"seed": self.seed, "years": self.years, "records": self.records,
                "small_areas": self.small_areas, "crs": self.crs, "proxy_de": self.proxy_de,
                "proxy_en": self.proxy_en, "targets": TARGETS}


def synthetic_path(out: Path) -> Path:
    """``out`` with the ``SYNTHETISCH_`` prefix in front of the file name."""
    return out if out.name.startswith(PREFIX) else out.with_name(PREFIX + out.name)


def _calibrate(eta: NDArray[np.float64], target: float) -> NDArray[np.float64]:
    """Probabilities ``expit(a + eta)`` with ``a`` chosen so that their mean is ``target``."""
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if expit(mid + eta).mean() < target:
            lo = mid
        else:
            hi = mid
    return np.asarray(expit((lo + hi) / 2 + eta), dtype=np.float64)


def _sizes(areas: Sequence[Area], years: Sequence[int], rng: np.random.Generator,
           records: int | None, small: set[str]) -> NDArray[np.int64]:
    expected = np.array([[max(a.cohort.get(y, 0.0), 0.0) for y in years] for a in areas])
    is_small = np.array([a.unit_id in small for a in areas])
    fixed = np.zeros_like(expected, dtype=np.int64)
    fixed[is_small] = rng.integers(2, 9, size=(int(is_small.sum()), len(years)))
    expected[is_small] = 0.0
    if records is None:
        sizes = rng.poisson(expected)
    else:
        remaining = max(records - int(fixed.sum()), 0)
        total = expected.sum()
        probs = (expected / total).ravel() if total > 0 else \
            np.full(expected.size, 1.0 / expected.size)
        sizes = rng.multinomial(remaining, probs).reshape(expected.shape)
    return np.asarray(sizes + fixed, dtype=np.int64)


def generate_records(areas: Sequence[Area], years: Sequence[int], *, seed: int = 42,
                     records: int | None = None, small_areas: int = 3,
                     crs: str = "EPSG:25832", with_code: bool = True,
                     info: GeneratorInfo | None = None) -> Iterator[pa.Table]:
    """One Arrow table of synthetic records per year (see the module docs)."""
    rng = np.random.default_rng(seed)
    years = sorted(int(y) for y in years)
    mean_cohort = {a.unit_id: float(np.mean([a.cohort.get(y, 0.0) for y in years]))
                   for a in areas}
    small = set(sorted(mean_cohort, key=lambda u: (mean_cohort[u], u))[:small_areas])
    sizes = _sizes(areas, years, rng, records, small)
    proxy = np.array([a.proxy for a in areas], dtype=np.float64)
    weights = sizes.sum(axis=1).astype(np.float64)
    mean = np.average(proxy, weights=weights) if weights.sum() > 0 else proxy.mean()
    sd = np.sqrt(np.average((proxy - mean) ** 2, weights=weights)) if weights.sum() > 0 \
        else proxy.std()
    z_area = (proxy - mean) / (sd if sd > 0 else 1.0)
    if info is not None:
        info.small_areas = sorted(small)
        info.records = int(sizes.sum())
        info.years = list(years)
        info.crs = crs
    serial = 0
    for j, year in enumerate(years):
        n_by_area = sizes[:, j]
        n = int(n_by_area.sum())
        if n == 0:
            continue
        area_idx = np.repeat(np.arange(len(areas)), n_by_area)
        table = _year(areas, area_idx, z_area[area_idx], year, rng, serial, with_code)
        serial += n
        yield table.take(pa.array(rng.permutation(n)))


def _year(areas: Sequence[Area], area_idx: NDArray[np.int64], d: NDArray[np.float64],
          year: int, rng: np.random.Generator, serial: int, with_code: bool) -> pa.Table:
    n = area_idx.size
    risk = rng.standard_normal(n)
    # family language and day care first: they feed into the language deficit
    foreign = rng.random(n) < _calibrate(0.7 * d, TARGETS["familiensprache_nicht_deutsch"])
    p_none = _calibrate(0.6 * d + 0.8 * foreign, TARGETS["kein_kitabesuch"])
    none = rng.random(n) < p_none
    short_target = (TARGETS["kita_unter_2_jahre"] - TARGETS["kein_kitabesuch"]) / \
        (1 - TARGETS["kein_kitabesuch"])
    short = ~none & (rng.random(n) < _calibrate(0.5 * d + 0.6 * foreign, short_target))
    kita = np.where(none, 0.0, np.where(short, rng.choice([1.0, 1.5], n),
                                        rng.choice([2.0, 3.0, 4.0], n, p=[0.2, 0.5, 0.3])))
    lang = rng.random(n) < _calibrate(0.5 * d + 0.6 * risk + 1.0 * foreign + 0.7 * (kita < 2),
                                      TARGETS["sprache_defizit"])
    fine = rng.random(n) < _calibrate(0.3 * d + 0.7 * risk, TARGETS["feinmotorik_defizit"])
    gross = rng.random(n) < _calibrate(0.3 * d + 0.6 * risk, TARGETS["grobmotorik_defizit"])
    # BMI z-score: N(-0.475, 1.432) overall gives P(>P90) = 11 % and P(>P97) = 5 %
    noise_sd = np.sqrt(1.432**2 - 0.25**2 - 0.2**2)
    z = -0.4748 + 0.25 * d + 0.2 * risk + noise_sd * rng.standard_normal(n)
    pct = np.round(100.0 * ndtr(z), 1)
    docs = rng.random(n) < _calibrate(-0.3 * d, TARGETS["impfdokument"])
    measles = rng.random(n) < _calibrate(-0.3 * d, TARGETS["masern_vollstaendig"])
    booklet = rng.random(n) < _calibrate(-0.3 * d, TARGETS["u_heft"])
    checkups = rng.random(n) < _calibrate(-0.5 * d - 0.3 * risk, TARGETS["u1_u9_vollstaendig"])
    # dates: examined January to June; born for school entry in August of the year
    # (cut-off 30 September), 4 % deferred by a year
    start = (date(year, 1, 7) - _EPOCH).days
    exam = start + rng.integers(0, 175, n)
    first_birth = (date(year - 7, 10, 1) - _EPOCH).days
    birth = first_birth + rng.integers(0, 365, n) - np.where(rng.random(n) < 0.04, 365, 0)
    sex = np.where(rng.random(n) < 0.513, "m", "w")
    x = np.empty(n)
    y = np.empty(n)
    for k in np.unique(area_idx):
        rows = np.flatnonzero(area_idx == k)
        x[rows], y[rows] = _points(areas[int(k)].polygon, rows.size, rng)
    ids = [f"SYN{serial + i + 1:09d}" for i in range(n)]
    columns: dict[str, pa.Array] = {
        "id": pa.array(ids, pa.string()),
        "geburtsdatum": pa.array(birth.astype(np.int32), pa.int32()).cast(pa.date32()),
        "untersuchungsdatum": pa.array(exam.astype(np.int32), pa.int32()).cast(pa.date32()),
        "geschlecht": pa.array(sex, pa.string()),
        "x": pa.array(np.round(x, 1)),
        "y": pa.array(np.round(y, 1)),
    }
    if with_code:
        codes = np.array([a.code for a in areas], dtype=object)
        columns["stadtteil"] = pa.array(codes[area_idx].tolist(), pa.string())
    columns.update({
        "sprache_defizit": pa.array(lang),
        "feinmotorik_defizit": pa.array(fine),
        "grobmotorik_defizit": pa.array(gross),
        "bmi_perzentil": pa.array(pct),
        "masern_vollstaendig": pa.array(np.where(docs, measles, False), mask=~docs),
        "u1_u9_vollstaendig": pa.array(np.where(booklet, checkups, False), mask=~booklet),
        "kita_jahre": pa.array(kita),
        "familiensprache_deutsch": pa.array(~foreign),
        "synthetisch": pa.array(np.ones(n, dtype=bool)),
    })
    return pa.table(columns)


def _points(polygon: shapely.Geometry, n: int, rng: np.random.Generator
            ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``n`` points uniformly inside ``polygon`` (rejection sampling)."""
    shapely.prepare(polygon)
    minx, miny, maxx, maxy = polygon.bounds
    xs: list[NDArray[np.float64]] = []
    ys: list[NDArray[np.float64]] = []
    have = 0
    while have < n:
        m = max(64, int((n - have) * 1.6))
        cx = rng.uniform(minx, maxx, m)
        cy = rng.uniform(miny, maxy, m)
        keep = shapely.contains_xy(polygon, cx, cy)
        xs.append(cx[keep])
        ys.append(cy[keep])
        have += int(keep.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def write_records(tables: Iterable[pa.Table], out: Path) -> tuple[Path, int]:
    """Write the tables to ``out`` (Parquet, CSV with ``;``, or XLSX by the suffix),
    with the ``SYNTHETISCH_`` prefix; returns the path and the number of records."""
    path = synthetic_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    suffix = path.suffix.lower()
    n = 0
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        writer: pq.ParquetWriter | None = None
        try:
            for table in tables:
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                writer.write_table(table, row_group_size=1 << 20)
                n += table.num_rows
        finally:
            if writer is not None:
                writer.close()
    elif suffix in (".csv", ".txt"):
        import pyarrow.csv as pacsv

        csv_writer: pacsv.CSVWriter | None = None
        try:
            for table in tables:
                if csv_writer is None:
                    csv_writer = pacsv.CSVWriter(tmp, table.schema,
                                                 write_options=pacsv.WriteOptions(
                                                     delimiter=";", quoting_style="needed"))
                csv_writer.write_table(table)
                n += table.num_rows
        finally:
            if csv_writer is not None:
                csv_writer.close()
    elif suffix == ".xlsx":
        n = _write_xlsx(tables, tmp)
    else:
        raise ValueError(f"unsupported suffix {suffix}")
    if n == 0 and not tmp.exists():
        raise ValueError("no records generated")
    tmp.replace(path)
    return path, n


def _write_xlsx(tables: Iterable[pa.Table], tmp: Path) -> int:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Einzeldaten")
    n = 0
    header_done = False
    for table in tables:
        if not header_done:
            ws.append(table.column_names)
            header_done = True
        for row in table.to_pylist():
            ws.append(list(row.values()))
            n += 1
            if n > 1_048_000:
                raise ValueError("too many records for XLSX")
    wb.save(tmp)
    return n
