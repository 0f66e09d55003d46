"""Distances and directions on the earth's surface, for geofences and for telling a volunteer
where they are relative to their post."""

from __future__ import annotations

import math
from enum import StrEnum

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG); good to a few metres over a city


class Compass(StrEnum):
    """The eight points of the compass; catalogs name them (``geo.compass.<value>``)."""

    N = "n"
    NE = "ne"
    E = "e"
    SE = "se"
    S = "s"
    SW = "sw"
    W = "w"
    NW = "nw"

    @property
    def message_key(self) -> str:
        return f"geo.compass.{self.value}"


_POINTS = (
    Compass.N,
    Compass.NE,
    Compass.E,
    Compass.SE,
    Compass.S,
    Compass.SW,
    Compass.W,
    Compass.NW,
)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance by the haversine formula."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from the first point to the second, clockwise from north, 0-360."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_lambda = math.radians(lon2 - lon1)
    x = math.sin(d_lambda) * math.cos(phi2)
    y = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(d_lambda)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0


def compass(bearing: float) -> Compass:
    return _POINTS[round(bearing / 45.0) % 8]


def direction(from_lat: float, from_lon: float, to_lat: float, to_lon: float) -> Compass:
    """Where the second point lies as seen from the first."""
    return compass(bearing_deg(from_lat, from_lon, to_lat, to_lon))


def offset(latitude: float, longitude: float, north_m: float, east_m: float) -> tuple[float, float]:
    """A point displaced by metres north and east (small distances); used by tests and the demo."""
    d_lat = north_m / EARTH_RADIUS_M
    d_lon = east_m / (EARTH_RADIUS_M * math.cos(math.radians(latitude)))
    return latitude + math.degrees(d_lat), longitude + math.degrees(d_lon)
