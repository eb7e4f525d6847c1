"""Batch re-verification (``kyc reverify``): re-run the pipeline over stored submissions.

- ``model``: plain values (what is stored, what to run, what came back);
- ``planner``: the one place that decides what runs (pure);
- ``diff`` and ``report``: before/after views, decisions, changes, the report (pure);
- ``work``: the worker side, models loaded once per worker (pool process or Ray actor);
- ``engines``: the local process pool and Ray, which only schedule ``work.process``;
- ``store``: the database and blob adapter; ``runner``: the imperative shell; ``cli``.
"""
