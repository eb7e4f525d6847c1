"""The reviewer page's SVG pieces (pure)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from kyc.api.plot import Window, boxes_svg, extract, signal_svg
from kyc.api.risk import RiskInputs, risk_score


def test_signal_plot_draws_series_and_windows() -> None:
    verdict = {
        "signals": {
            "t": [0.0, 0.1, 0.2, 0.3, 0.4],
            "eye": [0.3, None, 0.1, 0.3, 0.3],
            "mouth": [0.1, 0.1, 0.1, 0.5, 0.1],
            "yaw": [0.0, 0.0, 0.0, 0.0, math.nan],
            "pitch": [None] * 5,
        },
        "challenge_windows": [
            {"action": "blink", "passed": True, "start_s": 0.1, "end_s": 0.25},
            {"action": "<turn>", "passed": False, "start_s": None, "end_s": None},
        ],
    }
    frames, windows = extract(verdict)
    assert len(frames) == 5 and frames[1]["eye"] is None and frames[4]["yaw"] is None
    assert windows == [Window("blink", 0.1, 0.25, True)]
    svg = signal_svg(frames, windows)
    root = ET.fromstring(svg)  # well-formed
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}rect[@class='win-pass']")) == 1
    # eye has a gap (None) -> a point and a line; pitch has no values -> nothing drawn
    lines = root.findall(f"{ns}polyline")
    assert len(lines) == 3  # eye (after the gap), mouth, yaw


def test_boxes_are_coloured_by_confidence() -> None:
    svg = boxes_svg(
        "/x.jpg",
        (800, 500),
        {
            "name": {"confidence": 0.97, "valid": True, "box": [1, 2, 30, 40]},
            "address": {"confidence": 0.7, "valid": None, "box": [1, 50, 30, 90]},
            "id_number": {"confidence": 0.99, "valid": False, "box": [1, 100, 30, 140]},
            "sex": {"confidence": 0.99, "valid": True, "box": None},
        },
    )
    root = ET.fromstring(svg)
    classes = [r.get("class") for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert classes == ["box conf-high", "box conf-mid", "box conf-low"]
    assert root.get("width") == "520"  # scaled to the page column


def test_risk_orders_fraud_above_blur() -> None:
    base = RiskInputs(0, [], 0.95, "pass", True, 0)
    fraud = RiskInputs(0, ["RECAPTURE"], 0.95, "pass", True, 0)
    blur = RiskInputs(0, ["BLUR"], 0.95, "pass", True, 0)
    rejected = RiskInputs(2, [], 0.5, "reject", True, 3)
    assert risk_score(base) < risk_score(blur) < risk_score(fraud) < risk_score(rejected)
    assert risk_score(RiskInputs(99, ["PHOTOCOPY"] * 50, 0.0, "reject", True, 99)) <= 100
