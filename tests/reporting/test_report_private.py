"""Reports, exports and Köln's private data (issue #20): a report of Köln shows Köln's
private indicators only when the Köln tenant builds it; the public's report, Bonn's and
the network report never do; the state office sees the one Köln shares with it.  The
public export of the service directory leaves out Köln's private offers.

The store is the demo with the private test indicators of the web tests
(:func:`tests.web.conftest.add_private`), whose ids and names carry ``kzprivat``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kekiz.app import Kekiz
from kekiz.domain.accounts import Role
from kekiz.domain.errors import KekizError, NotFound
from kekiz.privacy.publish import Audience
from kekiz.reporting.report_config import ReportConfig
from kekiz.reporting.report_html import render_html
from tests.web.conftest import (
    KOELN,
    PRIVATE_CLOSED,
    PRIVATE_MARK,
    PRIVATE_NAMES,
    PRIVATE_OFFER,
    PRIVATE_SHARED,
    SECRET,
)

BONN = "05314000"
BOTH = ReportConfig(sections=["findings", "indicators"],
                    indicators=[PRIVATE_SHARED, PRIVATE_CLOSED])


def _html(monitor: Kekiz, audience: Audience | None, cfg: ReportConfig,
          key: str = KOELN) -> str:
    reports = monitor.reports if audience is None else monitor.reports_for(audience)
    return render_html(reports.report_input(key, cfg), cfg, "de")


def test_koeln_report_shows_private_indicators_only_when_koeln_builds_it(
        monitor: Kekiz) -> None:
    own = _html(monitor, monitor.audience_of_tenant(KOELN), BOTH)
    assert PRIVATE_NAMES[0] in own and PRIVATE_NAMES[1] in own
    # a withheld private value stays withheld in the owner's report
    for form in (SECRET, "8.642.097.531", "8642097531,0"):
        assert form not in own
    # the default report of Köln, built for the public and by Bonn: nothing private
    default = ReportConfig(max_indicators=30)
    for audience in (None, monitor.audience_of_tenant(BONN)):
        assert PRIVATE_MARK not in _html(monitor, audience, default)
        # asking for the private indicators by name: they do not exist for them
        with pytest.raises(NotFound, match=PRIVATE_SHARED):
            _html(monitor, audience, BOTH)


def test_state_office_reads_only_what_koeln_shares(monitor: Kekiz) -> None:
    state = Audience(Role.STATE)
    shared = ReportConfig(sections=["findings", "indicators"], indicators=[PRIVATE_SHARED])
    assert PRIVATE_NAMES[0] in _html(monitor, state, shared)
    with pytest.raises(NotFound, match=PRIVATE_CLOSED):
        _html(monitor, state, BOTH)


def test_network_report_never_holds_private_data(monitor: Kekiz) -> None:
    cfg = ReportConfig(sections=["findings", "network", "indicators", "profiles"],
                       max_profiles=60)
    assert PRIVATE_MARK not in _html(monitor, None, cfg, "network")
    with pytest.raises(KekizError, match="nur öffentlich"):
        _html(monitor, monitor.audience_of_tenant(KOELN), cfg, "network")


def test_cli_report_with_tenant(report_url: str, tmp_path: Path) -> None:
    from kekiz.cli.main import app

    cfg = tmp_path / "privat.yaml"
    cfg.write_text(f"sections: [findings, indicators]\nindicators: [{PRIVATE_SHARED}]\n",
                   encoding="utf-8")
    runner = CliRunner()
    base = ["--store", report_url, "report", KOELN, "--config", str(cfg)]
    done = runner.invoke(app, [*base, "--tenant", KOELN, "-o", str(tmp_path / "k.html")])
    assert done.exit_code == 0, done.output
    assert PRIVATE_NAMES[0] in (tmp_path / "k.html").read_text(encoding="utf-8")
    for extra in ([], ["--tenant", BONN]):
        refused = runner.invoke(app, [*base, *extra, "-o", str(tmp_path / "x.html")])
        assert refused.exit_code != 0
        assert PRIVATE_SHARED in str(refused.exception) + refused.output
        assert not (tmp_path / "x.html").exists()


def test_directory_export_leaves_out_private_offers(monitor: Kekiz, tmp_path: Path) -> None:
    public = tmp_path / "angebote.json"
    monitor.directory.export_services(public)
    assert PRIVATE_OFFER not in public.read_text(encoding="utf-8")
    everything = tmp_path / "alle.json"  # the operator's full export keeps them
    monitor.directory.export_services(everything, include_unpublished=True)
    assert PRIVATE_OFFER in everything.read_text(encoding="utf-8")


def test_coverage_from_private_offers_is_private(monitor: Kekiz) -> None:
    """The offers per 1,000 children count Köln's private offers too: the stored
    indicator is private to Köln, not shared with the state office (like the offers)."""
    ind = "kzprivat_kitas_je_1000"
    monitor.goals.store_coverage_indicator(ind, levels=["stadtteil"])
    stored = monitor.store.indicator(ind)
    assert (stored.private_to, stored.private_state) == (KOELN, False)
    for audience in (None, Audience(Role.STATE), monitor.audience_of_tenant(BONN)):
        reads = monitor.pages() if audience is None else monitor.pages(audience)
        assert ind not in {i.id for i in reads.store.indicators()}
    assert ind in {i.id for i in monitor.pages(monitor.audience_of_tenant(KOELN))
                   .store.indicators()}
