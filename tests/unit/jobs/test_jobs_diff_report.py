"""Decisions, changes, the report and progress lines (pure)."""

from __future__ import annotations

import io
import json
from typing import Any

from kyc.jobs import diff
from kyc.jobs.model import PartError
from kyc.jobs.progress import Progress, progress_line
from kyc.jobs.report import Report, ResultRecord, RunInfo, Timing, render_table, report_json

ID = "440305198503141234"


def reading(**over: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": {"value": "张三", "confidence": 0.97, "valid": None},
        "id_number": {"value": ID, "confidence": 0.99, "valid": True},
        "address": {"value": "广东省深圳市南山区科技园路1号", "confidence": 0.9, "valid": None},
    }
    out: dict[str, Any] = {
        "document_type": "id_card_front",
        "fields": fields,
        "warnings": [],
        "quality": 0.8,
    }
    for k, v in over.items():
        if k in fields:
            fields[k] = {**fields[k], **v}
        else:
            out[k] = v
    return out


def verdict(decision: str = "pass", match: float = 86.0, **over: Any) -> dict[str, Any]:
    return {
        "liveness": {"passed": decision == "pass", "score": 0.9, "actions": []},
        "match": {"score": match, "same_person": decision == "pass"},
        "decision": decision,
        "reasons": over.get("reasons", []),
    }


def view(r: dict[str, Any], v: dict[str, Any] | None = None) -> diff.ItemView:
    video = diff.video_view("vid00001", v) if v is not None else None
    return diff.item_view([diff.document_view("doc00001", r)], video)


def test_document_decision_reviews_what_a_person_must_see() -> None:
    assert diff.document_decision(diff.document_view("d", reading())) == "pass"
    for r in (
        reading(warnings=["PHOTOCOPY"]),
        reading(document_type="unknown"),
        reading(id_number={"valid": False}),
        reading(address={"confidence": 0.5}),
    ):
        assert diff.document_decision(diff.document_view("d", r)) == "review", r
    # a poor-photo warning alone is scored, not escalated
    assert diff.document_decision(diff.document_view("d", reading(warnings=["GLARE"]))) == "pass"


def test_item_decision_is_the_worst_part() -> None:
    assert view(reading(), verdict("pass")).decision == "pass"
    assert view(reading(warnings=["RECAPTURE"]), verdict("pass")).decision == "review"
    assert view(reading(warnings=["RECAPTURE"]), verdict("reject")).decision == "reject"
    assert diff.item_view([], None).decision == "pass"


def test_changes_name_fields_never_values() -> None:
    before = view(reading(), verdict("pass"))
    after = view(
        reading(name={"value": "张四"}, id_number={"valid": False}, warnings=["GLARE"]),
        verdict("reject", match=40.0, reasons=["FACE_MISMATCH"]),
    )
    lines = diff.changes(before, after)
    assert "decision pass -> reject" in lines
    assert "document doc00001: name value changed" in lines
    assert "document doc00001: id_number valid True -> False" in lines
    assert "document doc00001: warnings +GLARE" in lines
    assert "video: decision pass -> reject" in lines
    assert "video: reasons +FACE_MISMATCH" in lines
    assert "video: same_person True -> False" in lines
    assert not any("张" in line or ID in line for line in lines)


def test_scores_alone_are_not_a_change() -> None:
    before = view(reading(), verdict("pass", match=86.0))
    after = view(reading(name={"confidence": 0.91}, quality=0.5), verdict("pass", match=80.0))
    assert diff.changes(before, after) == ()


def test_views_round_trip_through_json() -> None:
    v = view(reading(warnings=["GLARE", "BLUR"]), verdict("review", reasons=["SCENE_CUT"]))
    assert diff.view_from_json(json.loads(json.dumps(diff.view_to_json(v)))) == v


def _report(records: list[ResultRecord], items: tuple[str, ...]) -> Report:
    info = RunInfo("run1", "m" * 16, "s" * 16, "local", "running", {"since": None})
    return Report(info, items, tuple(records), Timing(30.0, len(records), 2))


def test_report_json_has_the_contract_keys_and_masks_personal_values() -> None:
    before = view(reading(), verdict("pass"))
    after = view(reading(id_number={"valid": False}), verdict("pass"))
    changed = ResultRecord("f1", "done", None, (), before, after, diff.changes(before, after))
    same = ResultRecord("f2", "done", None, (), before, before, ())
    failed = ResultRecord(
        "f3",
        "failed",
        "BLOB_MISSING",
        (PartError("BLOB_MISSING", "blob ab12 is missing"),),
        before,
        diff.item_view([], None),
        (),
    )
    out = report_json(_report([same, failed, changed], ("f1", "f2", "f3", "f4")))
    assert {"run_id", "items", "done", "failed", "changed"} <= set(out)
    assert (out["run_id"], out["items"], out["done"], out["failed"]) == ("run1", 4, 2, 1)
    assert out["pending"] == 1 and out["unchanged"] == 1
    assert [c["filing_id"] for c in out["changed"]] == ["f1"]
    entry = out["changed"][0]
    assert set(entry) >= {"filing_id", "before", "after"}
    fields = entry["after"]["documents"][0]["fields"]
    assert fields["id_number"] == {
        "value": "4403**********1234",
        "confidence": 0.99,
        "valid": False,
    }
    assert fields["name"]["value"] == "张*"
    text = json.dumps(out, ensure_ascii=False)
    assert ID not in text and "张三" not in text
    assert out["failures"] == [
        {
            "filing_id": "f3",
            "error": "BLOB_MISSING",
            "parts": [{"code": "BLOB_MISSING", "detail": "blob ab12 is missing"}],
        }
    ]
    assert out["timing"]["items_per_minute"] == 6.0


def test_table_shows_changes_scores_and_failures() -> None:
    before = view(reading(), verdict("pass", match=86.0))
    after = view(reading(), verdict("reject", match=41.5))
    rec = ResultRecord("f1", "done", None, (), before, after, diff.changes(before, after))
    bad = ResultRecord(
        "f2", "failed", "BLOB_UNREADABLE", (PartError("BLOB_UNREADABLE", "x"),), None, None, ()
    )
    table = render_table(_report([rec, bad], ("f1", "f2")))
    assert "2 items: 1 done, 1 failed, 0 pending; 1 changed" in table
    assert "pass -> reject" in table and "match 86.0->41.5" in table
    assert "f2" in table and "BLOB_UNREADABLE" in table
    assert ID not in table


def test_progress_line_rate_and_eta() -> None:
    line = progress_line(finished=15, failed=1, total=40, processed=10, elapsed_s=60.0)
    assert "15/40" in line and "(1 failed)" in line
    assert "10.0 items/min" in line and "ETA 2m30s" in line  # 25 left at 10 a minute
    bar = progress_line(20, 0, 40, 20, 60.0, bar_width=10)
    assert bar.startswith("[#####.....] 20/40")
    assert "ETA ?" in progress_line(0, 0, 5, 0, 0.0)


def test_progress_draws_a_bar_on_a_terminal_and_lines_elsewhere() -> None:
    now = [0.0]
    tty = io.StringIO()
    p = Progress(total=3, stream=tty, tty=True, clock=lambda: now[0])
    for _ in range(3):
        now[0] += 2.0
        p.update(failed=False)
    p.close()
    assert tty.getvalue().count("\r") == 4 and tty.getvalue().endswith("\n")

    plain = io.StringIO()
    now[0] = 0.0
    q = Progress(total=30, stream=plain, tty=False, every_s=10.0, clock=lambda: now[0])
    for _ in range(30):
        now[0] += 1.0
        q.update(failed=False)
    q.close()
    lines = plain.getvalue().splitlines()
    assert "\r" not in plain.getvalue()
    assert all(line.startswith("reverify: ") for line in lines)
    assert 3 <= len(lines) <= 5  # periodic, not one per item
    assert lines[-1].startswith("reverify: 30/30")
