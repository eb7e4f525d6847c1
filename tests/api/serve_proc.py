"""A ``kyc serve --no-workers`` process for the multi-instance tests: the same steps as the
command (kyc/api/cli.py ``_serve``: the app on its runtime, no local workers, uvicorn on a
real port), with the reader's and video check's test doubles (tests/api/api_fakes.py) in a
thread pool in place of the models — what these tests look at is storage and concurrency.

Usage: python serve_proc.py SETTINGS_JSON_FILE PORT
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_fakes
import uvicorn

from kyc.api.app import create_app
from kyc.api.runtime import build_runtime
from kyc.config import Settings

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.model_validate_json(Path(sys.argv[1]).read_text())
    service = settings.service.model_copy(update={"local_workers": False})
    settings = settings.model_copy(update={"service": service})
    rt = build_runtime(
        settings,
        pool_kind="thread",
        reader_spec=api_fakes.READER,
        video_spec=api_fakes.VIDEO,
        backdrop_spec=api_fakes.BACKDROP,
        form_spec=api_fakes.FORM,
    )
    app = create_app(runtime=rt)
    rt.pool.start()
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="info")
