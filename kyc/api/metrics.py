"""Prometheus metrics: one registry per app (tests build many apps in one process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "kyc_http_request_seconds",
            "HTTP request latency",
            ("method", "route", "status"),
            registry=self.registry,
            buckets=BUCKETS,
        )
        self.stages = Histogram(
            "kyc_stage_seconds",
            "Latency of pipeline stages (pool queue wait + run, storage)",
            ("stage",),
            registry=self.registry,
            buckets=BUCKETS,
        )
        self.queue_depth = Gauge(
            "kyc_pool_queue_depth", "Heavy jobs waiting for a worker", registry=self.registry
        )
        self.in_flight = Gauge(
            "kyc_pool_in_flight", "Heavy jobs accepted and not finished", registry=self.registry
        )
        self.rejected = Counter(
            "kyc_pool_rejected",
            "Heavy jobs refused with 503 (pool saturated)",
            registry=self.registry,
        )
        self.video_checks = Counter(
            "kyc_video_checks",
            "Finished video checks by outcome",
            ("outcome",),
            registry=self.registry,
        )
