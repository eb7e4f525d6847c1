"""Use cases of the service, one module per use case (synchronous; the HTTP layer runs
them off the event loop and turns their typed results into JSON with ``to_json``).

Layers, each importing only those above it (no cycles):

- ``shared``: ids, timestamps, filing look-up and stage guards, masking of free text;
- ``results``: the frozen dataclasses the use cases answer (pure, with ``to_json``);
- ``rules``: the filing rules run over the stored order (auto-fill, registry);
- ``stages``: the lifecycle in the store (state, ``advance``, SMS codes, identity result);
- ``views``: what the applicant and the reviewer see of a filing;
- ``filings``, ``documents``, ``video``, ``review``, ``journey`` (after submission: the
  backdrop photo, the form, SMS verification, the authority, the tick): the use cases the
  API calls.
"""
