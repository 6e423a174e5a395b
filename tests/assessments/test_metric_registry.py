"""The metric registry: every derived metric is one registered reader with its label, unit and origin,
and a run reads only the metrics its indicators name."""

import pytest

from assessments import metrics
from assessments.metrics import METRICS, MetricPeriod, derived_metric, metric_value, read_derived


def test_every_metric_has_a_label_and_every_derived_one_a_reader_and_an_origin():
    for code, metric in METRICS.items():
        assert metric.code == code and str(metric.label)
        if metric.source == "derived":
            assert callable(metric.read) and str(metric.origin), code
        else:
            assert metric.source == "report" and metric.read is None, code


def test_a_code_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="meetings_held"):
        derived_metric("meetings_held", "x", origin="y")(lambda period: {})


def test_read_derived_calls_only_the_readers_asked_for(monkeypatch):
    called = []
    for code in ("candidates", "meetings_held"):
        metric = METRICS[code]
        monkeypatch.setitem(
            METRICS, code, metric.__class__(**{**metric.__dict__, "read": lambda p, c=code: called.append(c) or {7: 3}})
        )
    period = MetricPeriod(township_ids=[], year=2026, month=1, conf={})
    assert read_derived(period, ["meetings_held", "petitions", "meetings_held"]) == {"meetings_held": {7: 3}}
    assert called == ["meetings_held"]


def test_a_village_the_reader_does_not_list_takes_the_metric_default():
    derived = {"secretary_vacant": {1: 0}, "meetings_held": {1: 4}}
    assert metric_value("secretary_vacant", 1, report_values=None, derived=derived) == 0
    assert metric_value("secretary_vacant", 2, report_values=None, derived=derived) == 1  # nobody in the post
    assert metric_value("meetings_held", 2, report_values=None, derived=derived) == 0
    assert metric_value("petitions", 2, report_values={"petitions": 5}, derived=derived) == 5
    assert metric_value("petitions", 2, report_values=None, derived=derived) is None


def test_shared_computations_run_once_per_period():
    period = MetricPeriod(township_ids=[], year=2026, month=1, conf={})
    runs = []
    for _ in range(3):
        period.shared("k", lambda p: runs.append(1) or len(runs))
    assert runs == [1] and metrics.derived_codes()
