"""Sub-commands of the video identity check: ``challenge``, ``compare-faces``,
``verify-video`` (contract: ../shared/DESIGN.md). Heavy imports happen in the handlers."""

from __future__ import annotations

import argparse
from typing import Any


def _challenge(args: argparse.Namespace) -> int:
    import random
    from datetime import UTC, datetime

    from kyc.cli import print_json
    from kyc.config import get_settings
    from kyc.liveness.challenge import new_challenge

    settings = get_settings().liveness
    # A seed gives a reproducible challenge (tests, demos); otherwise the OS's CSPRNG.
    rng: random.Random = (
        random.Random(args.seed) if args.seed is not None else random.SystemRandom()
    )
    n = args.actions if args.actions is not None else settings.challenge_actions
    ch = new_challenge(n, rng, datetime.now(UTC), settings.challenge_ttl_s)
    print_json(ch.to_json())
    return 0


def _compare(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kyc.cli import print_json
    from kyc.config import get_settings
    from kyc.liveness.match import compare_faces, load_models, read_portrait

    settings = get_settings()
    a = read_portrait(Path(args.image_a), settings.images)
    b = read_portrait(Path(args.image_b), settings.images)
    engine, models = load_models(settings.models_dir)
    result = compare_faces(a, b, settings.liveness, engine, models)
    print_json(result.to_json())
    return 0


def _verify(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime
    from pathlib import Path

    from kyc.cli import print_json
    from kyc.config import get_settings
    from kyc.jsonload import load_file
    from kyc.liveness.challenge import Challenge
    from kyc.liveness.match import load_models, read_portrait
    from kyc.liveness.verify import verify_video

    settings = get_settings()
    challenge = None
    if args.challenge:  # the shared loader: bounded read, same JSON limits as the API
        challenge = Challenge.from_json(
            load_file(Path(args.challenge), settings.limits, "challenge")
        )
    portrait = read_portrait(Path(args.portrait), settings.images)
    engine, models = load_models(settings.models_dir)
    verdict = verify_video(
        Path(args.video),
        portrait,
        challenge,
        settings.liveness,
        datetime.now(UTC),
        mirrored=args.mirrored,
        engine=engine,
        models=models,
    )
    print_json(verdict.to_json())
    return 0


def register(sub: Any) -> None:
    """Add ``challenge``, ``compare-faces`` and ``verify-video`` to the ``kyc`` parser."""
    p = sub.add_parser("challenge", help="issue a random liveness challenge")
    p.add_argument("--actions", type=int, default=None, help="number of actions (2 or 3)")
    p.add_argument("--seed", type=int, default=None, help="seed (reproducible challenge)")
    p.add_argument("--json", action="store_true", help="print JSON (the only output form)")
    p.set_defaults(func=_challenge)

    p = sub.add_parser("compare-faces", help="compare the faces of two images")
    p.add_argument("image_a", metavar="IMAGE_A")
    p.add_argument("image_b", metavar="IMAGE_B")
    p.add_argument("--json", action="store_true", help="print JSON (the only output form)")
    p.set_defaults(func=_compare)

    p = sub.add_parser("verify-video", help="judge a selfie video against a portrait")
    p.add_argument("video", metavar="VIDEO")
    p.add_argument("--portrait", required=True, help="face photo or ID-card front")
    p.add_argument("--challenge", default=None, help="challenge JSON file (kyc challenge)")
    p.add_argument(
        "--mirrored",
        action="store_true",
        help="the recording is mirrored (selfie preview saved as shown): flips left/right",
    )
    p.add_argument("--json", action="store_true", help="print JSON (the only output form)")
    p.set_defaults(func=_verify)
