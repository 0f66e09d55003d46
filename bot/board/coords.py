"""WGS-84 (what Telegram sends) to GCJ-02 (what Chinese tile providers draw in).

China's map providers (AMap/Gaode, Tencent, Google's China tiles) draw their tiles in GCJ-02, a
deliberately shifted datum; a WGS-84 point drawn on them lands 100 to 700 m off. The shift is
the well-known published transform (the Krasovsky 1940 ellipsoid plus two trigonometric
series), as implemented by eviltransform (MIT) and coordtransform (MIT) among many; no
maintained, typed Python package carries it, and it is a dozen lines. Outside China the
providers use WGS-84 unchanged, and so does this function.
"""

from __future__ import annotations

import math
from typing import Literal

# Krasovsky 1940: semi-major axis and first eccentricity squared.
_A = 6378245.0
_EE = 0.00669342162296594323

Datum = Literal["wgs84", "gcj02"]


def out_of_china(latitude: float, longitude: float) -> bool:
    """The rough bounding box the providers use: outside it nothing is shifted."""
    return not (72.004 <= longitude <= 137.8347 and 0.8293 <= latitude <= 55.8271)


def _shift_latitude(x: float, y: float) -> float:
    value = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    value += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    value += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    value += (
        (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    )
    return value


def _shift_longitude(x: float, y: float) -> float:
    value = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    value += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    value += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    value += (
        (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    return value


def wgs84_to_gcj02(latitude: float, longitude: float) -> tuple[float, float]:
    """The GCJ-02 position of a WGS-84 point, as (latitude, longitude)."""
    if out_of_china(latitude, longitude):
        return latitude, longitude
    x, y = longitude - 105.0, latitude - 35.0
    d_latitude = _shift_latitude(x, y)
    d_longitude = _shift_longitude(x, y)
    radians = latitude / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radians) ** 2
    root = math.sqrt(magic)
    d_latitude = (d_latitude * 180.0) / ((_A * (1 - _EE)) / (magic * root) * math.pi)
    d_longitude = (d_longitude * 180.0) / (_A / root * math.cos(radians) * math.pi)
    return latitude + d_latitude, longitude + d_longitude


def to_display(latitude: float, longitude: float, datum: Datum) -> tuple[float, float]:
    """A stored (WGS-84) position in the datum the map's tiles are drawn in."""
    if datum == "gcj02":
        return wgs84_to_gcj02(latitude, longitude)
    return latitude, longitude
