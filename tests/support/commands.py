"""A command listener for tests that count what a use case sends to the database."""

from __future__ import annotations

from collections import Counter

from pymongo import monitoring


class Commands(monitoring.CommandListener):
    """Counts the commands sent, as ``"<command> <collection>"`` (e.g. ``"insert events"``)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.counts[f"{event.command_name} {event.command.get(event.command_name)}"] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass
