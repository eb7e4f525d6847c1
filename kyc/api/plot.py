"""Inline SVG plot of the liveness signals over time, challenge windows marked (pure)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

SERIES = (
    ("eye", "eye openness", "#2563eb"),
    ("mouth", "mouth opening", "#db2777"),
    ("yaw", "yaw (head turn)", "#059669"),
    ("pitch", "pitch (nod)", "#d97706"),
)


@dataclass(frozen=True)
class Window:
    label: str
    start_s: float
    end_s: float
    passed: bool | None


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def extract(verdict: Mapping[str, Any]) -> tuple[list[dict[str, float | None]], list[Window]]:
    """Per-frame signals and challenge windows out of a video verdict's JSON."""
    frames_raw = verdict.get("signals") or verdict.get("frames") or []
    frames: list[dict[str, float | None]] = []
    if isinstance(frames_raw, Mapping):  # columnar: {"t": [...], "eye": [...], ...}
        cols = {k: frames_raw.get(k) for k in ("t", "eye", "mouth", "yaw", "pitch")}
        ts = cols["t"] if isinstance(cols["t"], list) else []
        for i, t in enumerate(ts):
            row: dict[str, float | None] = {"t": _num(t)}
            for k in ("eye", "mouth", "yaw", "pitch"):
                col = cols[k]
                row[k] = _num(col[i]) if isinstance(col, list) and i < len(col) else None
            if row["t"] is not None:
                frames.append(row)
    elif isinstance(frames_raw, list):
        for row in frames_raw:
            if isinstance(row, Mapping) and _num(row.get("t")) is not None:
                frames.append({k: _num(row.get(k)) for k in ("t", "eye", "mouth", "yaw", "pitch")})
    windows: list[Window] = []
    sources: list[Any] = []
    for key in ("windows", "challenge_windows"):
        if isinstance(verdict.get(key), list):
            sources = verdict[key]
            break
    if not sources:
        live = verdict.get("liveness")
        if isinstance(live, Mapping) and isinstance(live.get("actions"), list):
            sources = live["actions"]
    for w in sources:
        if not isinstance(w, Mapping):
            continue
        start, end = _num(w.get("start_s")), _num(w.get("end_s"))
        if start is None or end is None or end < start:
            continue
        passed = w.get("passed")
        windows.append(
            Window(
                str(w.get("action", w.get("label", ""))),
                start,
                end,
                passed if isinstance(passed, bool) else None,
            )
        )
    return frames, windows


def signal_svg(
    frames: Sequence[Mapping[str, float | None]],
    windows: Sequence[Window],
    width: int = 980,
    panel_h: int = 72,
) -> str:
    """Four stacked panels (eye, mouth, yaw, pitch) sharing the time axis."""
    left, right, top, gap, bottom = 110, 12, 8, 10, 36
    height = top + len(SERIES) * (panel_h + gap) + bottom
    ts: list[float] = [t for f in frames if (t := f.get("t")) is not None]
    if not ts:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="40" '
            f'viewBox="0 0 {width} 40" class="signals"><text x="8" y="24" '
            f'class="muted">no signals recorded</text></svg>'
        )
    t0 = min(ts)
    t1 = max([*ts, *(w.end_s for w in windows)])
    span = max(t1 - t0, 1e-6)
    plot_w = width - left - right

    def x(t: float) -> float:
        return left + (t - t0) / span * plot_w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="liveness signals" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="signals">'
    ]
    y_all_top, y_all_bot = top, top + len(SERIES) * (panel_h + gap) - gap
    for i, (_key, label, _colour) in enumerate(SERIES):
        y0 = top + i * (panel_h + gap)
        parts.append(
            f'<rect class="panel" x="{left}" y="{y0}" width="{plot_w}" height="{panel_h}"/>'
            f'<text class="axis-label" x="{left - 8}" y="{y0 + panel_h / 2 + 4:.1f}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
    for w in windows:
        cls = "win-pass" if w.passed else ("win-fail" if w.passed is False else "win")
        x0, x1 = x(max(w.start_s, t0)), x(min(w.end_s, t1))
        parts.append(
            f'<rect class="{cls}" x="{x0:.1f}" y="{y_all_top}" width="{max(x1 - x0, 2):.1f}" '
            f'height="{y_all_bot - y_all_top}"><title>{escape(w.label)} '
            f"{w.start_s:.2f}–{w.end_s:.2f} s</title></rect>"
            f'<text class="win-label" x="{x0 + 3:.1f}" y="{y_all_bot + 12}">'
            f"{escape(w.label)}</text>"
        )
    for i, (key, _label, colour) in enumerate(SERIES):
        y0 = top + i * (panel_h + gap)
        vals = [f.get(key) for f in frames]
        finite = [v for v in vals if v is not None]
        if not finite:
            continue
        lo, hi = min(finite), max(finite)
        rng = hi - lo if hi > lo else 1.0
        segments: list[list[str]] = [[]]
        for f, v in zip(frames, vals, strict=True):
            t = f.get("t")
            if v is None or t is None:
                if segments[-1]:
                    segments.append([])
                continue
            y = y0 + panel_h - 4 - (v - lo) / rng * (panel_h - 8)
            segments[-1].append(f"{x(t):.1f},{y:.1f}")
        for seg in segments:
            if len(seg) >= 2:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" '
                    f'points="{" ".join(seg)}"/>'
                )
            elif len(seg) == 1:
                cx, cy = seg[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="1.8" fill="{colour}"/>')
        parts.append(
            f'<text class="tick" x="{left + 4}" y="{y0 + 11}">{hi:.2f}</text>'
            f'<text class="tick" x="{left + 4}" y="{y0 + panel_h - 3}">{lo:.2f}</text>'
        )
    axis_y = y_all_bot + 30
    steps = 6
    for k in range(steps + 1):
        t = t0 + span * k / steps
        parts.append(
            f'<text class="tick" x="{x(t):.1f}" y="{axis_y}" text-anchor="middle">{t:.1f}s</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def boxes_svg(
    image_url: str,
    size: tuple[int, int],
    fields: Mapping[str, Mapping[str, Any]],
    max_width: int = 520,
) -> str:
    """A document image with its field boxes, coloured by confidence."""
    w, h = size
    scale = min(1.0, max_width / max(w, 1))
    dw, dh = round(w * scale), round(h * scale)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="document" '
        f'width="{dw}" height="{dh}" viewBox="0 0 {w} {h}" class="doc">'
        f'<image href="{escape(image_url)}" x="0" y="0" width="{w}" height="{h}"/>'
    ]
    for name, field in fields.items():
        box = field.get("box")
        if not (isinstance(box, list | tuple) and len(box) == 4):
            continue
        conf = _num(field.get("confidence")) or 0.0
        cls = confidence_class(conf, field.get("valid"))
        x0, y0, x1, y1 = (float(v) for v in box)
        parts.append(
            f'<rect class="box {cls}" x="{x0:.0f}" y="{y0:.0f}" width="{x1 - x0:.0f}" '
            f'height="{y1 - y0:.0f}"><title>{escape(name)}: {conf:.2f}</title></rect>'
        )
    parts.append("</svg>")
    return "".join(parts)


def confidence_class(conf: float, valid: Any = None) -> str:
    if valid is False or conf < 0.6:
        return "conf-low"
    if conf < 0.9:
        return "conf-mid"
    return "conf-high"


def polygons_svg(
    image_url: str,
    size: tuple[int, int],
    boxes: Mapping[str, Any],
    max_width: int = 520,
) -> str:
    """A photo with the regions a check found drawn on it (one class per kind: the
    verification form's ``signature`` zone, ``seals``, ``ticked`` marks)."""
    w, h = size
    scale = min(1.0, max_width / max(w, 1))
    dw, dh = round(w * scale), round(h * scale)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="form" '
        f'width="{dw}" height="{dh}" viewBox="0 0 {w} {h}" class="form">'
        f'<image href="{escape(image_url)}" x="0" y="0" width="{w}" height="{h}"/>'
    ]
    for kind, shapes in boxes.items():
        if not isinstance(shapes, list):
            continue
        for shape in shapes:
            points = []
            for p in shape if isinstance(shape, list) else []:
                x, y = (_num(v) for v in (p[:2] if isinstance(p, list) else (None, None)))
                if x is not None and y is not None:
                    points.append(f"{x:.0f},{y:.0f}")
            if len(points) >= 3:
                parts.append(
                    f'<polygon class="{escape(str(kind))}" points="{" ".join(points)}">'
                    f"<title>{escape(str(kind))}</title></polygon>"
                )
    parts.append("</svg>")
    return "".join(parts)
