"""The real pipeline (OCR, face match, liveness) re-run over stored synthetic submissions
by the local process pool and by Ray (a real local Ray, 2 CPUs): the same plan gives the
same results on both; a missing blob fails its item only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from jobs.jobs_support import FACE, VIDEO
from kyc.jobs.engines import LocalEngine, RayEngine
from kyc.jobs.model import PipelineSpec, WorkerConfig
from kyc.jobs.report import report_json
from kyc.jobs.runner import Options, execute, prepare
from kyc.store.tables import Document, VerificationResult

pytestmark = [
    pytest.mark.models,
    pytest.mark.skipif(not (FACE.exists() and VIDEO.exists()), reason="shared test data absent"),
]


def after_views(report: dict[str, Any], stored: Any) -> dict[str, Any]:
    """filing -> its after view, read back from the store (changed or not)."""
    from kyc.jobs.store import load_records

    with stored.ctx.sessions() as s:
        records = load_records(s, stored.ctx.cipher, report["run_id"])
    return {r.filing_id: r.after for r in records}


def test_local_pool_runs_the_real_pipeline_with_one_thread_per_worker(
    stored_factory: Any,
) -> None:
    stored = stored_factory(3, with_video=True, kinds=("id_card_front", "id_card_back"))
    with stored.ctx.sessions() as s:
        back = s.scalars(select(Document).where(Document.document_type == "id_card_back")).first()
        assert back is not None and back.raw_key
        gone = back.filing_id
    stored.ctx.blobs.delete(back.raw_key)  # one stored upload lost

    cfg = WorkerConfig(stored.settings.model_dump_json(), PipelineSpec(), single_thread=True)
    engine = LocalEngine(cfg, workers=2)
    infos = engine.start()
    assert len({i["pid"] for i in infos}) == 2  # two processes, models loaded in each
    assert all(i["omp_threads"] == "1" and i["ocr_threads"] == 1 for i in infos)
    assert not any(i["numpy_was_loaded"] for i in infos)  # the limit bound before numpy
    report = report_json(execute(stored.ctx, prepare(stored.ctx, Options(workers=2)), engine))

    assert (report["items"], report["done"], report["failed"]) == (3, 2, 1)
    assert report["failures"][0]["filing_id"] == gone
    assert report["failures"][0]["error"] == "BLOB_MISSING"
    views = after_views(report, stored)
    fronts = [s for s in stored.seeded if s.truth["document_type"] == "id_card_front"]
    for s in fronts:
        after = views[s.filing_id]
        assert after is not None
        doc = after.documents[0]
        assert doc.document_type in ("id_card_front", "id_card_both")
        assert doc.fields["id_number"].value == s.truth["fields"]["id_number"]
        assert doc.fields["id_number"].valid is True
        # the video check ran against the portrait re-read from the card
        assert after.video is not None and after.video.video_id == s.video_id
        assert after.video.decision in ("pass", "review", "reject")
        assert after.video.match_score is not None and 0 <= after.video.match_score <= 100


def test_ray_engine_gives_the_local_pool_results(stored_factory: Any, local_ray: Any) -> None:
    stored = stored_factory(4, seed_value=11)
    local = report_json(
        execute(
            stored.ctx,
            prepare(stored.ctx, Options(workers=2)),
            LocalEngine(
                WorkerConfig(stored.settings.model_dump_json(), single_thread=True), workers=2
            ),
        )
    )
    # the same selection again, on Ray: a new run (the first is finished)
    opts = Options(engine="ray", workers=2)
    prepared = prepare(stored.ctx, opts)
    assert prepared.info.run_id != local["run_id"] and len(prepared.plan.items) == 4
    engine = RayEngine(WorkerConfig(stored.settings.model_dump_json()), workers=2)
    infos = engine.start()
    assert len({i["pid"] for i in infos}) == 2
    assert all(i["single_thread"] and i["omp_threads"] == "1" for i in infos)
    assert engine.start() == infos  # starting again keeps the same actors
    on_ray = report_json(execute(stored.ctx, prepared, engine))
    assert local_ray.is_initialized()  # the engine leaves the test's Ray running

    assert (on_ray["items"], on_ray["done"], on_ray["failed"]) == (4, 4, 0)
    assert on_ray["engine"] == "ray" and on_ray["status"] == "done"
    assert after_views(on_ray, stored) == after_views(local, stored)
    with stored.ctx.sessions() as s:
        rows = s.scalar(select(func.count()).where(VerificationResult.run_id == on_ray["run_id"]))
    assert rows == 4
