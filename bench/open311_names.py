"""Masking members' names in Open311 descriptions, for a city of many volunteers.

Run: .venv/bin/python bench/open311_names.py [--members 50000] [--descriptions 200] [--runs 5]

Open data masks every member's name typed into a published description (an inspector's note
naming the volunteer seen on the phone). Printed side by side, medians of `--runs`: the time to
index the names (once per set of members) and to mask `--descriptions` descriptions of about 100
characters, for the project's scan (`bot.board.open311.mask_names`: one pass over the text,
looking up only the lengths of names that can start at each position) and for the baseline it
replaced, one regular expression of all names as alternatives, longest first, which the engine
tries one by one at each position of the text.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time

from bot.board.open311 import _name_index, mask_names, public_names


def regex_of(names: tuple[str, ...]) -> re.Pattern[str]:
    """The baseline: one alternation of every name (Latin ones as whole words)."""
    parts = []
    for name in sorted(names, key=lambda name: (-len(name), name)):
        escaped = re.escape(name)
        if name[0].isascii() and name[0].isalnum():
            escaped = rf"(?<![A-Za-z0-9]){escaped}"
        if name[-1].isascii() and name[-1].isalnum():
            escaped = rf"{escaped}(?![A-Za-z0-9])"
        parts.append(escaped)
    return re.compile("|".join(parts), re.IGNORECASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--descriptions", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    chance = random.Random(20261206)
    letters = [chr(code) for code in range(0x4E00, 0x4E00 + 3000)]
    names = [
        "".join(chance.choice(letters) for _ in range(chance.choice((2, 3, 3, 4))))
        for _ in range(args.members)
    ]
    names += ["Li Wei", "Anna"]
    texts = [
        "".join(chance.choice(letters) for _ in range(80)) + f" {names[index]}在岗玩手机 Anna"
        for index in range(args.descriptions)
    ]
    scan_index, scan_mask, regex_index, regex_mask = [], [], [], []
    for _ in range(args.runs):
        key = public_names([*names, f"X{chance.random()}"])  # a new set: no cached index
        started = time.perf_counter()
        _name_index(key)
        scan_index.append(time.perf_counter() - started)
        started = time.perf_counter()
        scanned = [mask_names(text, key) for text in texts]
        scan_mask.append(time.perf_counter() - started)
        started = time.perf_counter()
        pattern = regex_of(key)
        regex_index.append(time.perf_counter() - started)
        started = time.perf_counter()
        matched = [pattern.sub("***", text) for text in texts]
        regex_mask.append(time.perf_counter() - started)
        assert scanned == matched, "the scan and the baseline mask differently"
    med = statistics.median
    print(f"members: {args.members:,}, descriptions: {args.descriptions}, runs: {args.runs}")
    print(f"{'':24}{'scan (project)':>16}{'regex (baseline)':>18}{'ratio':>8}")
    for label, ours, theirs in (
        ("index the names, s", scan_index, regex_index),
        ("mask the texts, s", scan_mask, regex_mask),
    ):
        print(f"{label:24}{med(ours):16.4f}{med(theirs):18.4f}{med(theirs) / med(ours):8.1f}x")
    per = med(scan_mask) / args.descriptions * 1000
    print(
        f"per description: {per:.3f} ms (baseline {med(regex_mask) / args.descriptions * 1000:.3f})"
    )


if __name__ == "__main__":
    main()
