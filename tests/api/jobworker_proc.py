"""A ``kyc worker`` process for the kill tests: the same ``worker_main`` the command runs,
with the video check's test double (tests/api/api_fakes.py) in place of the models.

Usage: python jobworker_proc.py SETTINGS_JSON_FILE
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_fakes

from kyc.api.jobrunner import worker_main
from kyc.config import Settings

if __name__ == "__main__":
    settings = Settings.model_validate_json(Path(sys.argv[1]).read_text())
    worker_main(settings, video_spec=api_fakes.VIDEO)
