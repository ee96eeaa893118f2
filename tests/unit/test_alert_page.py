"""The alerts card's plain functions: the form's rule, the threshold lines, the rows' actions."""

from __future__ import annotations

from callbacks.alerts import form_rule, rule_rows, threshold_figure, with_latest


def test_form_keeps_the_fields_of_its_kind_and_reads_numbers() -> None:
    typed = {"id": " cpu ", "name": "CPU", "kind": "threshold", "series": "cpu.percent", "warning": "80",
             "recovery": 70, "type": "ml", "source": "x", "for": "1m", "notify": "ops, chat", "critical": ""}  # fmt: skip
    assert form_rule(typed) == {"id": "cpu", "name": "CPU", "kind": "threshold", "series": "cpu.percent",
                                "warning": 80.0, "recovery": 70, "for": "1m", "notify": ["ops", "chat"]}  # fmt: skip
    absence = form_rule({**typed, "kind": "absence"})
    assert "series" not in absence and "warning" not in absence and absence["type"] == "ml"
    assert form_rule({**typed, "warning": "high"})["warning"] == "high"  # left for the validation to name


def test_threshold_lines_at_each_level_and_none_for_missing_ones() -> None:
    series = {"name": "cpu.percent", "t": ["2026-12-03T10:00:00.000Z"], "v": [42.0]}
    figure = threshold_figure(series, {"warning": 80, "critical": None, "recovery": 70.5})
    assert [(s["y0"], s["line"]["dash"]) for s in figure["layout"]["shapes"]] == [(80, "dash"), (70.5, "dot")]
    assert figure["data"][0]["y"] == [42.0]
    assert threshold_figure(None, {"warning": True})["layout"]["shapes"] == []  # a bool is not a level


def test_rows_offer_acknowledge_only_while_firing_unacknowledged() -> None:
    def view(state: str, acked: str | None = None) -> dict:
        status = {"state": state, "severity": "critical", "since": 100.0, "value": 95.0, "acknowledged_by": acked}
        return {"id": f"r-{state}-{acked}", "name": "R", "kind": "threshold", "reduce": "last", "series": "s",
                "status": status}  # fmt: skip

    def buttons(v: dict) -> list[str]:
        (row,) = rule_rows([v], now=160.0)
        return [b.children for b in row.children[2].children]

    assert buttons(view("firing")) == ["Chart", "Acknowledge", "Silence 1 h"]
    assert buttons(view("firing", "ana")) == ["Chart", "Silence 1 h"]
    assert buttons(view("ok")) == ["Chart", "Silence 1 h"]
    assert "firing for 1 min" in repr(rule_rows([view("firing")], now=160.0))
    assert with_latest([view("ok")], {"s": 12.5})[0]["status"]["value"] == 12.5
