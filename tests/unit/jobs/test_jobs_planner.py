"""The planner (pure): which filings a run covers and what runs for each."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kyc.errors import BadInput, ErrorCode
from kyc.jobs.model import Selection, StoredDocument, StoredFiling, StoredVideo
from kyc.jobs.planner import plan, plan_item, select

T0 = dt.datetime(2026, 11, 1, 9, 0)


def doc(i: str, minutes: int = 0, portrait: bool = False, purged: bool = False) -> StoredDocument:
    return StoredDocument(
        id=i,
        created_at=T0 + dt.timedelta(minutes=minutes),
        raw_key=None if purged else f"raw{i}",
        portrait_key=f"por{i}" if portrait and not purged else None,
        purged=purged,
    )


def video(i: str, minutes: int, purged: bool = False) -> StoredVideo:
    return StoredVideo(
        id=i,
        created_at=T0 + dt.timedelta(minutes=minutes),
        video_key=None if purged else f"vid{i}",
        challenge={"nonce": "n", "actions": ["blink"], "expires_at": "2026-11-01T10:00:00Z"},
        mirrored=False,
        purged=purged,
    )


def filing(
    i: str,
    status: str = "submitted",
    day: int = 1,
    docs: tuple[StoredDocument, ...] = (),
    videos: tuple[StoredVideo, ...] = (),
) -> StoredFiling:
    at = dt.datetime(2026, 11, day, 12, 0)
    return StoredFiling(i, status, at, None if status == "draft" else at, docs, videos)


def test_select_takes_submissions_with_inputs_oldest_first() -> None:
    filings = [
        filing("b", day=3, docs=(doc("1"),)),
        filing("a", day=2, docs=(doc("2"),)),
        filing("draft", status="draft", docs=(doc("3"),)),
        filing("empty", day=1),  # nothing stored to re-run
        filing("approved", status="approved", day=4, videos=(video("v", 0),)),
    ]
    assert select(filings, Selection()) == ("a", "b", "approved")
    assert select(filings, Selection(since=dt.date(2026, 11, 3))) == ("b", "approved")


def test_select_by_id_includes_drafts_and_refuses_unknown_ids() -> None:
    filings = [filing("a", docs=(doc("1"),)), filing("d", status="draft", docs=(doc("2"),))]
    assert select(filings, Selection(filing_ids=("d", "a"))) == ("a", "d")
    with pytest.raises(BadInput) as err:
        select(filings, Selection(filing_ids=("a", "nope")))
    assert err.value.code == ErrorCode.UNKNOWN_FILING
    assert "nope" in err.value.detail


def test_plan_skips_recorded_items_and_keeps_the_run_order() -> None:
    filings = {x: filing(x, docs=(doc(x),)) for x in "abcd"}
    p = plan(filings, ["c", "a", "d", "b"], finished={"a", "b"})
    assert [i.filing_id for i in p.items] == ["c", "d"]
    assert p.finished == ("a", "b") and p.total == 4


def test_purged_inputs_are_planned_as_missing_not_read() -> None:
    stored = filing(
        "a", docs=(doc("1", purged=True), doc("2")), videos=(video("v", 5, purged=True),)
    )
    item = plan_item(stored)
    assert [(d.document_id, d.blob_key, d.missing) for d in item.documents] == [
        ("1", None, "INPUT_PURGED"),
        ("2", "raw2", None),
    ]
    assert item.video is not None and item.video.missing == "INPUT_PURGED"
    assert item.video.blob_key is None


def test_video_matches_the_newest_portrait_stored_before_it() -> None:
    f = filing(
        "a",
        docs=(doc("old", 0, portrait=True), doc("new", 10, portrait=True), doc("late", 30, True)),
        videos=(video("first", 5), video("last", 20)),
    )
    step = plan_item(f).video
    assert step is not None
    assert step.video_id == "last"  # the latest finished check is re-run
    assert (step.portrait_document_id, step.portrait_key) == ("new", "pornew")
    assert step.at == T0 + dt.timedelta(minutes=20)
    assert step.challenge is not None and step.missing is None


def test_a_video_without_any_portrait_is_planned_as_missing() -> None:
    step = plan_item(filing("a", docs=(doc("1"),), videos=(video("v", 5),))).video
    assert step is not None and step.missing == "NO_PORTRAIT" and step.blob_key is None


@given(
    n=st.integers(0, 12),
    done=st.sets(st.integers(0, 11)),
)
def test_plan_runs_every_unrecorded_item_exactly_once(n: int, done: set[int]) -> None:
    ids = [f"f{i}" for i in range(n)]
    filings = {i: filing(i, docs=(doc(i),)) for i in ids}
    finished = {ids[i] for i in done if i < n}
    p = plan(filings, ids, finished)
    todo = [i.filing_id for i in p.items]
    assert sorted(todo + list(p.finished)) == sorted(ids)
    assert not set(todo) & finished
    assert len(set(todo)) == len(todo)
