"""kekiz.records: individual records -> district indicators (issue #4).

Pure computation, no storage, web or cli: the record schema (:mod:`.schema`), column
conversion (:mod:`.columns`), fast point-in-polygon and code assignment (:mod:`.assign`),
the per-chunk checks (:mod:`.process`), streaming counts (:mod:`.aggregate`), duplicate
ids (:mod:`.dups`), disclosure control and its audits (:mod:`.disclosure`), BMI
percentiles (:mod:`.bmi`) and the synthetic generator (:mod:`.synthetic`).  Files are
read by :mod:`kekiz.ingest.records` and counted by :mod:`kekiz.records.scan`;
:mod:`kekiz.services.records` stores the result.
"""

from kekiz.records.aggregate import Counts, Hierarchy
from kekiz.records.assign import CodeIndex, PolygonIndex
from kekiz.records.disclosure import PrivacyRules, Violation
from kekiz.records.schema import Finding, RecordSchema, default_schema, load_schema
from kekiz.records.synthetic import PREFIX, generate_records, write_records

__all__ = [
    "PREFIX",
    "CodeIndex",
    "Counts",
    "Finding",
    "Hierarchy",
    "PolygonIndex",
    "PrivacyRules",
    "RecordSchema",
    "Violation",
    "default_schema",
    "generate_records",
    "load_schema",
    "write_records",
]
