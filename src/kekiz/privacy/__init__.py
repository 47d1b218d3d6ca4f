"""kekiz.privacy: statistical disclosure control for every published table.

Primary rules (:mod:`~kekiz.privacy.rules`) flag sensitive cells with a reason, secondary
suppression (:mod:`~kekiz.privacy.secondary`) protects them over all hierarchies and
margins, and an LP audit (:mod:`~kekiz.privacy.audit`) proves that no suppressed cell can
be narrowed down below its protection level.  :func:`protect_table` runs all three and
refuses to return a table that fails the audit.  Tables that share cells or are tied by
known relations are protected as one joint model (:mod:`~kekiz.privacy.linked`).

Pure computation on pandas/numpy/scipy; this room never imports storage, web or cli.
"""

from kekiz.privacy.audit import AuditResult, attacker_intervals, audit
from kekiz.privacy.linked import Link, LinkedTable
from kekiz.privacy.protect import (
    SECONDARY_REASON,
    STATUS_LABELS,
    SUPPRESSED,
    ProtectedTable,
    parse_by,
    parse_dominance,
    protect_cells,
    protect_microdata,
    protect_records,
    protect_table,
    render_publication,
)
from kekiz.privacy.rules import (
    DEFAULT_PROTECTION,
    Primary,
    Requirement,
    RuleResult,
    combine,
    dominance_rule,
    frequency_rule,
    manual_rule,
    min_denominator_rule,
    min_population_rule,
    p_percent_rule,
)
from kekiz.privacy.secondary import (
    AUTO_OPTIMAL_CELLS,
    SecondaryResult,
    cell_weights,
    suppress_secondary,
)
from kekiz.privacy.table import TOTAL_LABELS, Cells, Dimension, Table, total_label

__all__ = [
    "AUTO_OPTIMAL_CELLS",
    "DEFAULT_PROTECTION",
    "SECONDARY_REASON",
    "STATUS_LABELS",
    "SUPPRESSED",
    "TOTAL_LABELS",
    "AuditResult",
    "Cells",
    "Dimension",
    "Link",
    "LinkedTable",
    "Primary",
    "ProtectedTable",
    "Requirement",
    "RuleResult",
    "SecondaryResult",
    "Table",
    "attacker_intervals",
    "audit",
    "cell_weights",
    "combine",
    "dominance_rule",
    "frequency_rule",
    "manual_rule",
    "min_denominator_rule",
    "min_population_rule",
    "p_percent_rule",
    "parse_by",
    "parse_dominance",
    "protect_cells",
    "protect_microdata",
    "protect_records",
    "protect_table",
    "render_publication",
    "suppress_secondary",
    "total_label",
]
