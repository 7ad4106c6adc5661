"""The two ways a Ray job ends early, each with a one-line message for the user (kept apart so that the
commands can catch them without loading Ray)."""

from __future__ import annotations


class RayUnavailable(RuntimeError):
    """No Ray cluster can be reached (or started)."""


class JobError(RuntimeError):
    """The job could not finish: a document that kills its worker on every retry, a node lost for good,
    shards written where the driver cannot see them."""
