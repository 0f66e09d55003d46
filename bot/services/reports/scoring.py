"""What the figures mean: the counts of a set of shifts and the rates drawn from them (on-post
rate, punctuality, hours), the attendance score out of 100, and the unit score: a weighted sum of
attendance, inspection scores and order handling, with its grade."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import StrEnum

from bot.services.oversight.figures import Figures
from bot.settings import Settings


class Grade(StrEnum):
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


@dataclass(frozen=True)
class Counts:
    shifts: int = 0
    seats: int = 0
    filled: int = 0
    checked_in: int = 0
    on_time: int = 0
    late: int = 0
    absent: int = 0
    left_early: int = 0
    left_post: int = 0
    far: int = 0
    flagged: int = 0
    minutes: int = 0
    uncovered: int = 0
    # Assigned duty (issue 17): held seats a coordinator assigned (the rest were volunteered),
    # how many of those the person acknowledged, and seats given up through approved leave.
    assigned: int = 0
    acknowledged: int = 0
    leaves: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @classmethod
    def total(cls, parts: Iterable[Counts]) -> Counts:
        result = cls()
        for part in parts:
            result = result + part
        return result

    @property
    def on_post_rate(self) -> float | None:
        return min(1.0, self.checked_in / self.seats) if self.seats else None

    @property
    def punctuality(self) -> float | None:
        return self.on_time / self.checked_in if self.checked_in else None

    @property
    def hours(self) -> float:
        return self.minutes / 60

    @property
    def volunteered(self) -> int:
        return self.filled - self.assigned

    @property
    def acknowledgment_rate(self) -> float | None:
        return self.acknowledged / self.assigned if self.assigned else None


@dataclass(frozen=True)
class Score:
    value: float | None
    grade: Grade | None


def score(counts: Counts, settings: Settings) -> Score:
    """A weighted score out of 100; no score for a unit with no seats in the period."""
    if counts.on_post_rate is None:
        return Score(None, None)
    on_post_weight = settings.score_weight_on_post
    punctuality_weight = settings.score_weight_punctuality
    weighted = on_post_weight * counts.on_post_rate + punctuality_weight * (
        counts.punctuality or 0.0
    )
    value = round(100 * weighted / (on_post_weight + punctuality_weight), 1)
    return Score(value, grade_of(value, settings))


def grade_of(value: float, settings: Settings) -> Grade:
    if value >= settings.grade_good_min:
        return Grade.GOOD
    if value >= settings.grade_fair_min:
        return Grade.FAIR
    return Grade.POOR


def unit_score(counts: Counts, oversight: Figures | None, settings: Settings) -> Score:
    """The unit score: attendance (the score above), the average inspection score and order
    handling (the mean of the reply rate and the on-time rate), each out of 100, weighed by
    SCORE_WEIGHT_ATTENDANCE, SCORE_WEIGHT_INSPECTIONS and SCORE_WEIGHT_ORDERS over the parts the
    period has: a unit nobody checked, or without orders, is scored on the rest."""
    parts = [(settings.score_weight_attendance, score(counts, settings).value)]
    if oversight is not None:
        parts.append((settings.score_weight_inspections, oversight.inspection_score))
        parts.append((settings.score_weight_orders, oversight.order_score))
    present = [(weight, value) for weight, value in parts if value is not None and weight > 0]
    weight_sum = sum(weight for weight, _ in present)
    if not weight_sum:
        return Score(None, None)
    value = round(sum(weight * value for weight, value in present) / weight_sum, 1)
    return Score(value, grade_of(value, settings))
