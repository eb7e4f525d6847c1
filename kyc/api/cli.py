"""Operations commands: ``kyc serve``, ``kyc keys create``, ``kyc reviewers create``,
``kyc purge``, ``kyc tick`` (contract: ../shared/DESIGN.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    serve = sub.add_parser("serve", help="run the HTTP service (mini-program API, reviewers)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--no-workers",
        action="store_true",
        help="run no video-check jobs in this process (run `kyc worker` processes instead)",
    )
    serve.set_defaults(func=_serve)

    worker = sub.add_parser(
        "worker",
        help="run durable jobs (video checks) apart from the API; start as many as wanted",
    )
    worker.add_argument(
        "--max-jobs", type=int, default=None, help="exit after this many jobs (default: run on)"
    )
    worker.set_defaults(func=_worker)

    keys = sub.add_parser("keys", help="API keys of integrating accounts")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create_key = keys_sub.add_parser("create", help="create an API key; prints the token")
    create_key.add_argument("--account", required=True, help="account id")
    create_key.set_defaults(func=_keys_create)

    reviewers = sub.add_parser("reviewers", help="reviewer credentials")
    rev_sub = reviewers.add_subparsers(dest="reviewers_command", required=True)
    create_rev = rev_sub.add_parser("create", help="create a reviewer; prints the token")
    create_rev.add_argument("name")
    create_rev.add_argument("--role", choices=("reviewer", "admin"), default="reviewer")
    create_rev.set_defaults(func=_reviewers_create)

    purge = sub.add_parser(
        "purge", help="delete raw images and videos older than an age (results, audit stay)"
    )
    purge.add_argument("--older-than", required=True, help="e.g. 30d, 12h")
    purge.set_defaults(func=_purge)

    tick = sub.add_parser(
        "tick",
        help="the journey's clock tick (SMS resend at noon, 48-hour window); for cron, idempotent",
    )
    tick.set_defaults(func=_tick)


def _store() -> Any:
    from kyc.config import get_settings
    from kyc.store.open import open_store

    return open_store(get_settings())


def _keys_create(args: argparse.Namespace) -> int:
    from kyc.store import repo

    engine, sessions, _cipher, _blobs = _store()
    with sessions() as s:
        token = repo.create_api_key(s, args.account)
    engine.dispose()
    sys.stdout.write(token + "\n")
    return 0


def _reviewers_create(args: argparse.Namespace) -> int:
    from kyc.store import repo

    engine, sessions, _cipher, _blobs = _store()
    with sessions() as s:
        token = repo.create_reviewer(s, args.name, args.role)
    engine.dispose()
    sys.stdout.write(token + "\n")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from kyc.cli import print_json
    from kyc.store import repo

    age = repo.parse_age(args.older_than)
    engine, sessions, _cipher, blobs = _store()
    report = repo.purge(sessions, blobs, age)
    engine.dispose()
    print_json(report.to_json())
    return 0


def _tick(args: argparse.Namespace) -> int:
    """One tick over every filing in SMS verification; prints the counts. Runs beside a
    serving process safely (each change is a compare-and-set on the filing's state)."""
    from kyc.api.metrics import Metrics
    from kyc.api.runtime import Runtime
    from kyc.api.usecases.journey import tick
    from kyc.api.workers import WorkPool
    from kyc.cli import print_json
    from kyc.config import get_settings

    settings = get_settings()
    engine, sessions, cipher, blobs = _store()
    metrics = Metrics()
    # no worker starts (the pool is lazy) and no recovery runs: a server may be running
    rt = Runtime(
        settings, engine, sessions, cipher, blobs, WorkPool(settings, metrics), metrics, []
    )
    try:
        print_json(tick(rt))
    finally:
        engine.dispose()
    return 0


def _serve(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from kyc.api.app import create_app
    from kyc.config import get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    if args.no_workers:
        service = settings.service.model_copy(update={"local_workers": False})
        settings = settings.model_copy(update={"service": service})
    app = create_app(settings)  # refuses to start without a key outside development
    app.state.rt.pool.start()
    proxies = settings.service.forwarded_allow_ips  # client addresses for the auth throttle
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=proxies is not None,
        forwarded_allow_ips=proxies,
    )
    return 0


def _worker(args: argparse.Namespace) -> int:
    """Claim and run video-check jobs until SIGTERM/SIGINT (or ``--max-jobs``); prints
    ``{"jobs": n}`` on the way out."""
    import logging

    from kyc.api.jobrunner import worker_main
    from kyc.cli import print_json
    from kyc.config import get_settings

    if args.max_jobs is not None and args.max_jobs < 1:
        from kyc.errors import BadInput, ErrorCode

        raise BadInput(ErrorCode.INVALID_ARGUMENT, "--max-jobs must be at least 1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    print_json({"jobs": worker_main(get_settings(), max_jobs=args.max_jobs)})
    return 0
