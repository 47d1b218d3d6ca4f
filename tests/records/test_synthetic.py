"""The synthetic generator: labelled, reproducible, realistic, inside the polygons."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from kekiz.demo import demo_dir
from kekiz.records.assign import polygons_in_crs
from kekiz.records.synthetic import (
    PREFIX,
    TARGETS,
    Area,
    GeneratorInfo,
    generate_records,
    write_records,
)


@pytest.fixture(scope="module")
def areas() -> list[Area]:
    frame = gpd.read_file(demo_dir() / "boundaries" / "koeln_stadtteile.geojson")
    polys = polygons_in_crs(frame.geometry.values, "EPSG:4326", "EPSG:25832")
    rng = np.random.default_rng(0)
    out = []
    for k, (code, name, poly) in enumerate(zip(frame["STT_NR"], frame["STT_NAME"], polys,
                                               strict=True)):
        size = 20.0 + 3 * k
        out.append(Area(f"05315000-{code}", str(code), str(name), poly,
                        {2011: size, 2012: size * 1.1}, float(rng.uniform(0.1, 0.3))))
    return out


def _table(areas: list[Area], **kw: object) -> pa.Table:
    return pa.concat_tables(list(generate_records(areas, [2011, 2012], **kw)))  # type: ignore[arg-type]


def test_same_seed_same_records(areas: list[Area]) -> None:
    a = _table(areas, seed=5)
    assert a.equals(_table(areas, seed=5))
    assert not a.equals(_table(areas, seed=6))


def test_labelled_synthetic(areas: list[Area], tmp_path: Path) -> None:
    path, n = write_records(generate_records(areas, [2012], seed=1), tmp_path / "x.parquet")
    assert path.name == f"{PREFIX}x.parquet" and path.exists()
    table = pq.read_table(path)
    assert table.num_rows == n > 0
    assert all(table.column("synthetisch").to_pylist())
    assert all(i.startswith("SYN") for i in table.column("id").to_pylist())
    assert len(set(table.column("id").to_pylist())) == n
    again, _ = write_records(generate_records(areas, [2012], seed=1),
                             tmp_path / f"{PREFIX}y.csv")
    assert again.name == f"{PREFIX}y.csv"
    assert again.read_text(encoding="utf-8").splitlines()[0].startswith('"id";')


def test_prevalences_are_realistic(areas: list[Area]) -> None:
    table = pa.concat_tables(list(generate_records(areas, [2012], seed=3, records=120_000)))
    assert table.num_rows == 120_000
    col = {c: table.column(c).to_numpy(zero_copy_only=False) for c in table.column_names}
    pct = col["bmi_perzentil"].astype(float)
    measles = table.column("masern_vollstaendig")
    checks = table.column("u1_u9_vollstaendig")
    kita = col["kita_jahre"].astype(float)
    shares = {
        "sprache_defizit": col["sprache_defizit"].mean(),
        "feinmotorik_defizit": col["feinmotorik_defizit"].mean(),
        "grobmotorik_defizit": col["grobmotorik_defizit"].mean(),
        "uebergewicht": (pct > 90).mean(),
        "adipositas": (pct > 97).mean(),
        "impfdokument": measles.is_valid().to_numpy(zero_copy_only=False).mean(),
        "masern_vollstaendig": np.mean(measles.drop_null().to_numpy(zero_copy_only=False)),
        "u_heft": checks.is_valid().to_numpy(zero_copy_only=False).mean(),
        "u1_u9_vollstaendig": np.mean(checks.drop_null().to_numpy(zero_copy_only=False)),
        "kein_kitabesuch": (kita == 0).mean(),
        "kita_unter_2_jahre": (kita < 2).mean(),
        "familiensprache_nicht_deutsch": 1 - col["familiensprache_deutsch"].mean(),
    }
    for key, target in TARGETS.items():
        assert shares[key] == pytest.approx(target, abs=0.012), key
    birth = col["geburtsdatum"].astype("datetime64[D]")
    exam = col["untersuchungsdatum"].astype("datetime64[D]")
    age = (exam - birth).astype(int) / 365.25
    assert age.min() > 4.5 and age.max() < 8.5 and (exam.astype(str) < "2012-07").all()
    assert 0.49 < (col["geschlecht"] == "m").mean() < 0.54


def test_findings_follow_the_deprivation_proxy(areas: list[Area]) -> None:
    table = pa.concat_tables(list(generate_records(areas, [2012], seed=3, records=100_000)))
    code = np.asarray(table.column("stadtteil").to_pylist())
    lang = table.column("sprache_defizit").to_numpy(zero_copy_only=False)
    by_code = {a.code: a.proxy for a in areas}
    rates = {c: lang[code == c].mean() for c in np.unique(code)}
    x = np.array([by_code[c] for c in rates])
    y = np.array(list(rates.values()))
    assert np.corrcoef(np.argsort(np.argsort(x)), np.argsort(np.argsort(y)))[0, 1] > 0.5


def test_points_lie_in_their_area_and_small_areas_are_small(areas: list[Area]) -> None:
    info = GeneratorInfo(9, [2011, 2012])
    table = _table(areas, seed=9, info=info)
    code = np.asarray(table.column("stadtteil").to_pylist())
    x = table.column("x").to_numpy()
    y = table.column("y").to_numpy()
    for a in areas:
        rows = code == a.code
        assert shapely.intersects_xy(a.polygon.buffer(0.1), x[rows], y[rows]).all()
    assert len(info.small_areas) == 3 and info.records == table.num_rows
    smallest = sorted(areas, key=lambda a: a.cohort[2011])[:3]
    assert sorted(info.small_areas) == sorted(a.unit_id for a in smallest)
    for a in smallest:
        per_year = [int(((code == a.code) & (table.column("untersuchungsdatum").to_numpy()
                                               .astype(str) < f"{y + 1}")
                         & (table.column("untersuchungsdatum").to_numpy().astype(str)
                            >= f"{y}")).sum()) for y in (2011, 2012)]
        assert all(2 <= n <= 8 for n in per_year)
