"""The progress line: n/N, rate and time left; a bar on a terminal, a line per tenth elsewhere."""

from __future__ import annotations

import io

from infra.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_line_shows_count_rate_and_time_left() -> None:
    clock = Clock()
    progress = Progress(4, "demo", stream=io.StringIO(), clock=clock)
    clock.now += 4
    progress.advance()
    progress.advance()
    assert progress.line() == "demo [############------------] 2/4  0.50/s  ETA 0:04"
    clock.now += 4
    progress.advance()
    progress.advance()
    assert progress.line() == "demo [########################] 4/4  0.50/s  took 0:08"


def test_plain_stream_gets_a_line_per_tenth_and_the_last() -> None:
    stream = io.StringIO()
    progress = Progress(25, "demo", stream=stream, clock=Clock())
    for _ in range(25):
        progress.advance()
    lines = stream.getvalue().splitlines()
    assert [line.split("] ")[1].split()[0] for line in lines] == [
        "1/25",
        "3/25",
        "5/25",
        "7/25",
        "9/25",
        "11/25",
        "13/25",
        "15/25",
        "17/25",
        "19/25",
        "21/25",
        "23/25",
        "25/25",
    ]


def test_terminal_redraws_one_line() -> None:
    stream = Terminal()
    progress = Progress(3, "demo", stream=stream, clock=Clock())
    for _ in range(3):
        progress.advance("note")
    text = stream.getvalue()
    assert text.count("\r\x1b[2K") == 3 and text.endswith("note\n") and text.count("\n") == 1
