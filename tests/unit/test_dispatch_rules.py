"""Pure rules of the dispatch services: where units go when their incident ends, and error → HTTP."""

from __future__ import annotations

import pytest

from dispatch_geo.dispatch.incidents import stand_down_status
from dispatch_geo.domain.units import UnitStatus, UnitType, allowed_next
from dispatch_geo.errors import (
    ConflictError,
    InputError,
    InvalidTransition,
    NotFoundError,
    OutsideServiceAreaError,
    SiagaError,
    UnreachableError,
)
from siaga.api.errors import status_for


@pytest.mark.parametrize("unit_type", list(UnitType))
@pytest.mark.parametrize("status", list(UnitStatus))
def test_stand_down_is_always_an_allowed_move(unit_type: UnitType, status: UnitStatus) -> None:
    target = stand_down_status(unit_type, status)
    if target is not None:
        assert target in allowed_next(unit_type, status)
    if status in {UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE, UnitStatus.AT_HOSPITAL}:
        assert target == UnitStatus.RETURNING
    if status == UnitStatus.DISPATCHED:
        assert target == UnitStatus.AVAILABLE
    if status in {UnitStatus.TRANSPORTING, UnitStatus.AVAILABLE, UnitStatus.OUT_OF_SERVICE}:
        assert target is None  # a patient on board, or nothing to stand down from


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (NotFoundError("x"), 404),
        (ConflictError("x"), 409),
        (InvalidTransition("x"), 409),
        (InputError("x"), 422),
        (OutsideServiceAreaError("x"), 422),
        (UnreachableError("x"), 422),
        (SiagaError("x"), 500),
    ],
)
def test_core_errors_map_to_http_status(error: SiagaError, code: int) -> None:
    assert status_for(error) == code
