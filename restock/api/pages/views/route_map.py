"""The rep's route as an SVG map drawn from coordinates alone: the depot, the stops in
order joined by lines, numbered. Web Mercator, so that the optional map tiles
(RESTOCK_PAGES_MAP_TILE_URL, `{z}/{x}/{y}` slippy-map tiles) line up under it; with no
tile URL, no tile server is needed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

TILE = 256
MAX_ZOOM = 17


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    lat: float
    lon: float
    label: str
    title: str
    kind: str = "stop"  # depot, stop, done, here


@dataclass(frozen=True, slots=True, kw_only=True)
class MapPoint:
    x: float
    y: float
    label: str
    title: str
    kind: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Tile:
    x: float
    y: float
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteMap:
    width: int
    height: int
    points: tuple[MapPoint, ...]
    path: str  # SVG path through the depot, the stops in order, and back
    tiles: tuple[Tile, ...]
    scale_label: str  # the scale bar's length in words
    scale_px: float


def world_xy(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    """Web Mercator pixel coordinates at `zoom`."""
    size = TILE * 2**zoom
    lat = max(min(lat, 85.0511), -85.0511)
    x = (lon + 180.0) / 360.0 * size
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * size
    return x, y


def _zoom(places: Sequence[Place], width: int, height: int, pad: int) -> int:
    """The largest whole zoom at which every place fits inside the padded frame."""
    for zoom in range(MAX_ZOOM, 0, -1):
        xs, ys = zip(*(world_xy(p.lat, p.lon, zoom) for p in places), strict=True)
        if max(xs) - min(xs) <= width - 2 * pad and max(ys) - min(ys) <= height - 2 * pad:
            return zoom
    return 1


def _scale(lat: float, zoom: int, width: int) -> tuple[str, float]:
    """A round distance about a fifth of the map wide, and its length in pixels."""
    metres_per_px = 156543.034 * math.cos(math.radians(lat)) / 2**zoom
    target = metres_per_px * width / 5
    nice = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if nice * m <= target:
            nice *= m
            break
    label = f"{nice / 1000:g} km" if nice >= 1000 else f"{nice:g} m"
    return label, nice / metres_per_px


def route_map(
    places: Sequence[Place], *, width: int = 600, height: int = 400, tile_url: str = ""
) -> RouteMap | None:
    """The map of `places` (the first the depot, then the stops in order); None when
    there is nothing to draw."""
    if not places:
        return None
    pad = 28
    zoom = _zoom(places, width, height, pad)
    xy = [world_xy(p.lat, p.lon, zoom) for p in places]
    xs, ys = [x for x, _ in xy], [y for _, y in xy]
    left = (min(xs) + max(xs)) / 2 - width / 2
    top = (min(ys) + max(ys)) / 2 - height / 2
    points = tuple(
        MapPoint(
            x=round(x - left, 1), y=round(y - top, 1), label=p.label, title=p.title, kind=p.kind
        )
        for p, (x, y) in zip(places, xy, strict=True)
    )
    loop = [*points, points[0]] if len(points) > 1 else list(points)
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x},{p.y}" for i, p in enumerate(loop))
    tiles: list[Tile] = []
    if tile_url:
        count = 2**zoom
        for ty in range(int(top // TILE), int((top + height) // TILE) + 1):
            for tx in range(int(left // TILE), int((left + width) // TILE) + 1):
                if 0 <= ty < count:
                    url = tile_url.format(z=zoom, x=tx % count, y=ty)
                    tiles.append(Tile(x=tx * TILE - left, y=ty * TILE - top, url=url))
    label, px = _scale(sum(p.lat for p in places) / len(places), zoom, width)
    return RouteMap(
        width=width,
        height=height,
        points=points,
        path=path,
        tiles=tuple(tiles),
        scale_label=label,
        scale_px=round(px, 1),
    )
