"""Where a check-in counts: a position as the phone reported it, judged against the post's
geofence, with a capped allowance for the accuracy the phone admits to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Protocol

from bot import geo
from bot.settings import Settings

# A phone that reports a poor fix gets the benefit of the doubt, but never more than this.
ACCURACY_ALLOWANCE_CAP_M = 100.0


@dataclass(frozen=True)
class Position:
    """A location message as the handler read it; the flags are judged here, not there."""

    latitude: float
    longitude: float
    accuracy_m: float | None = None
    live: bool = False
    message_id: int | None = None
    forwarded: bool = False
    venue: bool = False
    # When Telegram says it was sent (a live location's move: when it moved); None: unknown.
    sent_at: dt.datetime | None = None
    # A live location: when its sharing ends (the message's date and its live_period).
    live_until: dt.datetime | None = None

    def as_data(self) -> dict[str, Any]:
        return {
            "latitude": self.latitude,
            "longitude": self.longitude,
            "accuracy_m": self.accuracy_m,
            "live": self.live,
            "message_id": self.message_id,
            "live_until": self.live_until.isoformat() if self.live_until else None,
        }

    def moved_to(self, other: Position) -> Position:
        """This share where `other` (a later move of it) says it is now."""
        return replace(
            self,
            latitude=other.latitude,
            longitude=other.longitude,
            accuracy_m=other.accuracy_m,
        )

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Position:
        return cls(
            latitude=float(data["latitude"]),
            longitude=float(data["longitude"]),
            accuracy_m=data.get("accuracy_m"),
            live=bool(data.get("live")),
            message_id=data.get("message_id"),
            live_until=dt.datetime.fromisoformat(data["live_until"])
            if data.get("live_until")
            else None,
        )


@dataclass(frozen=True)
class Fix:
    """A position judged against a post's geofence."""

    distance_m: float
    radius_m: int
    direction: geo.Compass
    accepted: bool  # within the radius, or within it once the accuracy allowance is granted

    @property
    def far(self) -> bool:
        return self.accepted and self.distance_m > self.radius_m


class Place(Protocol):
    """A post as far as its geofence goes: the ORM's, or a value read without it."""

    @property
    def latitude(self) -> float: ...

    @property
    def longitude(self) -> float: ...

    @property
    def radius_m(self) -> int: ...


def radius_of(post: Place, settings: Settings) -> int:
    return post.radius_m if post.radius_m > 0 else settings.default_post_radius_m


def judge(
    post: Place, latitude: float, longitude: float, accuracy_m: float | None, settings: Settings
) -> Fix:
    distance = geo.distance_m(post.latitude, post.longitude, latitude, longitude)
    radius = radius_of(post, settings)
    allowance = min(max(accuracy_m or 0.0, 0.0), ACCURACY_ALLOWANCE_CAP_M)
    return Fix(
        distance_m=distance,
        radius_m=radius,
        direction=geo.direction(post.latitude, post.longitude, latitude, longitude),
        accepted=distance <= radius + allowance,
    )
