"""Progress of a long import, for whoever watches it. Pure: no Django.

An importer updates one ImportProgress as it reads (input bytes, rows stored, files done)
and calls its callback after each batch, so the cost is one call per few thousand rows.
The command line passes a TerminalProgress (a bar redrawn in place on a TTY, a plain line
every few seconds otherwise); a background job can pass a function that stores the same
numbers for its page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO


@dataclass
class ImportProgress:
    """Where a running import is; the callback gets the same object, updated, each time."""

    total_bytes: int = 0  # input bytes of the whole run, when known (0: unknown)
    done_bytes: int = 0
    files_done: int = 0
    articles: int = 0  # articles import: stored so far (a refused file's are taken back)
    paragraphs: int = 0
    annotations: int = 0  # annotations import: lines checked so far
    errors: int = 0  # files refused so far (annotations: bad lines)
    current: str = ""  # the file being read

    @property
    def fraction(self) -> float | None:
        """Share of the input read, 0 to 1, or None when the total is unknown."""
        if not self.total_bytes:
            return None
        return min(1.0, self.done_bytes / self.total_bytes)

    def describe(self) -> str:
        """The counts as words, e.g. ``2,000 articles, 50,000 paragraphs``."""
        if self.annotations:
            counts = f"{self.annotations:,} annotation line(s)"
        else:
            counts = f"{self.articles:,} articles, {self.paragraphs:,} paragraphs"
        if self.errors:
            counts += f", {self.errors:,} error(s)"
        return counts


ProgressCallback = Callable[[ImportProgress], None]


class TerminalProgress:
    """A ProgressCallback that writes to a terminal (or a log when not a TTY)."""

    BAR_WIDTH = 30

    def __init__(
        self,
        stream: TextIO,
        *,
        tty: bool | None = None,
        every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        # A TTY is redrawn at most 10 times a second; a log gets a line every ``every`` s.
        self.every = 0.1 if self.tty else every
        self.clock = clock
        self.started = clock()
        # A log hears first after ``every`` seconds: a short import prints no progress at all.
        self.last = float("-inf") if self.tty else self.started
        self.drawn = False

    def __call__(self, state: ImportProgress) -> None:
        now = self.clock()
        if now - self.last < self.every:
            return
        self.last = now
        line = self.line(state, elapsed=now - self.started)
        if self.tty:
            self.stream.write("\r\x1b[2K" + line)
            self.drawn = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def line(self, state: ImportProgress, *, elapsed: float) -> str:
        """One line: bar (TTY only), percent, counts, rate and time left when known."""
        fraction = state.fraction
        bar = ""
        parts = []
        if fraction is not None:
            if self.tty:
                filled = round(fraction * self.BAR_WIDTH)
                bar = "[" + "#" * filled + "-" * (self.BAR_WIDTH - filled) + "] "
            parts.append(f"{fraction * 100:5.1f}%")
            parts.append(f"{state.done_bytes / 2**20:,.0f} of {state.total_bytes / 2**20:,.0f} MB")
        parts.append(state.describe())
        rate = state.done_bytes / elapsed if elapsed > 0 else 0
        if rate and fraction is not None and fraction < 1:
            parts.append(f"about {(state.total_bytes - state.done_bytes) / rate:,.0f} s left")
        parts.append(f"{elapsed:,.0f} s")
        return "import: " + bar + ", ".join(parts)

    def close(self) -> None:
        """End the bar's line, so what is written next starts on its own line."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False
