"""``MedcreditError``: the one base class of every exception the application raises.

A caller that must tell "ours" from a library's or Python's own failure (the GraphQL
error masking, the workers' retry decision) catches this one class. Each package
derives its own base from it (``VerificationError``, ``ScoringError``,
``InvalidInput``, ...), so ``except MedcreditError`` never hides a bug in a library.
"""

from __future__ import annotations


class MedcreditError(Exception):
    """Base class of every exception medcredit's own code raises."""
