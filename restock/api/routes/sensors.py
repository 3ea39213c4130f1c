"""Sensors: register, bind, calibrate, enable/disable (staff); reads scoped to a rep."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from restock.api.deps import Conn, PageDep, Reader, Staff
from restock.api.errors import AUTH_RESPONSES, CONFLICT, NOT_FOUND
from restock.api.queries import sensors as q
from restock.api.routes import V1
from restock.api.schemas.domain import Binding, Calibration, Sensor, SensorRegister
from restock.api.schemas.fields import BigId, Id, SensorStatus
from restock.api.schemas.params import IntParam

router = APIRouter(prefix=V1 + "/sensors", tags=["sensors"], responses=AUTH_RESPONSES)

SensorId = Annotated[Id, Path(description="Sensor id")]


@router.get("", response_model=list[Sensor])
async def list_sensors(
    conn: Conn,
    caller: Reader,
    page: PageDep,
    stock_point_id: Annotated[Annotated[IntParam, BigId] | None, Query()] = None,
    status: Annotated[SensorStatus | None, Query()] = None,
) -> list[dict[str, object]]:
    """List sensors, optionally by stock point or status."""
    return await q.list_sensors(
        conn,
        rep=caller.scope_rep,
        stock_point=stock_point_id,
        status=status,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{sensor_id}", response_model=Sensor, responses=NOT_FOUND)
async def get_sensor(conn: Conn, caller: Reader, sensor_id: SensorId) -> dict[str, object]:
    """One sensor, with its status, battery and last reading time."""
    return await q.get_sensor(conn, sensor_id, rep=caller.scope_rep)


@router.post("", response_model=Sensor, status_code=201, responses=CONFLICT)
async def register_sensor(conn: Conn, _: Staff, body: SensorRegister) -> dict[str, object]:
    """Register a sensor, optionally already bound to a stock point."""
    return await q.register_sensor(conn, body.model_dump(exclude_unset=True))


@router.put("/{sensor_id}/binding", response_model=Sensor, responses=NOT_FOUND)
async def bind_sensor(
    conn: Conn, _: Staff, sensor_id: SensorId, body: Binding
) -> dict[str, object]:
    """Bind the sensor to a stock point (null unbinds it)."""
    return await q.bind_sensor(conn, sensor_id, body.stock_point_id)


@router.put("/{sensor_id}/calibration", response_model=Sensor, responses=NOT_FOUND)
async def calibrate_sensor(
    conn: Conn, _: Staff, sensor_id: SensorId, body: Calibration
) -> dict[str, object]:
    """Set tare and scale: quantity = (raw - tare) * scale."""
    return await q.calibrate_sensor(conn, sensor_id, body.tare, body.scale)


@router.post("/{sensor_id}/enable", response_model=Sensor, responses=NOT_FOUND)
async def enable_sensor(conn: Conn, _: Staff, sensor_id: SensorId) -> dict[str, object]:
    """Accept the sensor's readings again."""
    return await q.set_enabled(conn, sensor_id, True)


@router.post("/{sensor_id}/disable", response_model=Sensor, responses=NOT_FOUND)
async def disable_sensor(conn: Conn, _: Staff, sensor_id: SensorId) -> dict[str, object]:
    """Stop using the sensor's readings (they are rejected, with a reason)."""
    return await q.set_enabled(conn, sensor_id, False)
