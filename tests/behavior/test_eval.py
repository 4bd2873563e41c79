"""A small version of the evaluation (eval/run.py): simulated events through `events import`,
then the analysis; seeded, so the same fleets every run. The full table is `python eval/run.py`.
"""

from __future__ import annotations

from eval.harness import Tally, false_alarm_rate, rows, run_fleet, run_fleet_wide


def test_small_evaluation_detects_attributes_and_blames_no_one():
    tally = Tally()
    run_fleet(1, tally, small=True)
    run_fleet_wide(1, tally, small=True)
    assert tally.events > 10_000  # the events really went through the importer
    table = {label: (n, detected, attributed) for label, n, detected, attributed, _ in rows(tally)}
    assert table["x10"] == (1, 1.0, 1.0)  # detected within a day and blamed on its upgrade
    assert tally.attribution_days > 50 and tally.alarm_days > 20
    assert false_alarm_rate(tally) == 0.0  # benign upgrades and volume changes: no alarm
    assert tally.fleet_runs == 1 and tally.fleet_blamed == 0  # fleet-wide x3: no one blamed
