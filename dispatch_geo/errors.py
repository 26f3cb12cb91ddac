"""One error hierarchy for the whole core.

Every error subclasses a builtin so callers that only know Python's exceptions still catch it
(``except ValueError``). Messages say what was wrong and what was expected. The HTTP layer maps
these to status codes; nothing below it raises ``HTTPException``.
"""

from __future__ import annotations

from collections.abc import Iterable


class SiagaError(Exception):
    """Base class of every error raised by the Siak Siaga packages."""


class InputError(SiagaError, ValueError):
    """Input that cannot be used as given (bad coordinates, bad file, unknown name...)."""


class GraphBuildError(InputError):
    """The OSM input could not be turned into a usable road graph.

    ``problems`` lists every problem found, so an operator can fix them all at once.
    """

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        if self.problems:
            message = message + ":\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)


class GraphCacheError(SiagaError, OSError):
    """A cached road graph is missing, unreadable or of an incompatible format."""


class OutsideServiceAreaError(InputError):
    """A location lies outside Kabupaten Siak (beyond the configured buffer)."""


class NotFoundError(SiagaError, LookupError):
    """A referenced object (unit, incident, place) does not exist."""


class ConflictError(SiagaError):
    """The request conflicts with the current state (e.g. a unit already assigned)."""


class InvalidTransition(ConflictError, ValueError):  # noqa: N818 - reads as domain language
    """A status change that the transition table does not allow."""


class UnreachableError(SiagaError):
    """No route exists on the road graph between the two places."""
