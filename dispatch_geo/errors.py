"""One error hierarchy for the whole core.

Every error subclasses a builtin so callers that only know Python's exceptions still catch it
(``except ValueError``). Messages say what was wrong and what was expected. The HTTP layer maps
these to status codes; nothing below it raises ``HTTPException``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self


class SiagaError(Exception):
    """Base class of every error raised by the Siak Siaga packages.

    Besides its English message an error carries a stable machine ``code`` (one per class unless the
    raiser names a finer one) and the ``params`` a translated message needs (``docs/dispatch.md``,
    "Message codes"), set by :meth:`coded` where the raiser knows them.
    """

    code: str = "error"
    params: dict[str, Any]

    def coded(self, code: str | None = None, **params: Any) -> Self:
        """Give this error a finer ``code`` and/or its ``params``; returns the error (``raise x.coded()``)."""
        if code is not None:
            self.code = code
        self.params = {**getattr(self, "params", {}), **params}
        return self


class InputError(SiagaError, ValueError):
    """Input that cannot be used as given (bad coordinates, bad file, unknown name...)."""

    code = "invalid_input"


class GraphBuildError(InputError):
    """The OSM input could not be turned into a usable road graph.

    ``problems`` lists every problem found, so an operator can fix them all at once.
    """

    code = "graph_build_failed"

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        if self.problems:
            message = message + ":\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)


class GraphCacheError(SiagaError, OSError):
    """A cached road graph is missing, unreadable or of an incompatible format."""

    code = "graph_cache_invalid"


class OutsideServiceAreaError(InputError):
    """A location lies outside Kabupaten Siak (beyond the configured buffer)."""

    code = "outside_service_area"


class NotFoundError(SiagaError, LookupError):
    """A referenced object (unit, incident, place) does not exist."""

    code = "not_found"


class ConflictError(SiagaError):
    """The request conflicts with the current state (e.g. a unit already assigned)."""

    code = "conflict"


class InvalidTransition(ConflictError, ValueError):  # noqa: N818 - reads as domain language
    """A status change that the transition table does not allow."""

    code = "invalid_transition"


class UnreachableError(SiagaError):
    """No route exists on the road graph between the two places."""

    code = "unreachable"
