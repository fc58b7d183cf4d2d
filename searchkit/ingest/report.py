"""What an ingest did, counted article by article, and its one-line summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from searchkit.articles.sources import Notice, Problem

OUTSIDE_LINK = "symbolic link out of the paths given: --follow-links reads them"
NOT_A_FILE = "not a file: a pipe, a socket or a device"


@dataclass
class IngestReport:
    """What an ingest did, article by article."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    duplicates: int = 0  # texts already indexed under another id
    skipped: int = 0  # files of a kind that is not read
    outside_links: int = 0  # of those, symbolic links out of the paths given (see find_files)
    passages: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    # (path, reason) of each skipped file, and what was read but not as given
    # (a date that cannot be read): the article is indexed all the same.
    skipped_files: list[tuple[str, str]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def record(self, problem: Problem) -> None:
        """A problem, or a notice (what was read but not as given), kept apart."""
        if isinstance(problem, Notice):
            self.notices.append(problem)
        else:
            self.problems.append(problem)

    @property
    def articles(self) -> int:
        """Articles written by this ingest."""
        return self.added + self.updated

    @property
    def failed(self) -> int:
        return sum(1 for problem in self.problems if not problem.warning)

    def summary(self) -> str:
        skipped = f"{self.skipped} skipped"
        reasons = Counter(reason for _, reason in self.skipped_files)
        if reasons:
            skipped += " (" + ", ".join(
                f"{counted(count, 'symbolic link')} {OUTSIDE_LINK.removeprefix('symbolic link ')}"
                if reason == OUTSIDE_LINK else reason if count == self.skipped else f"{count} {reason}"
                for reason, count in sorted(reasons.items())
            ) + ")"
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.removed} removed, {counted(self.duplicates, 'duplicate')}, {skipped}, "
            f"{self.failed} failed; {counted(self.passages, 'passage')} in {self.seconds:.1f} s"
        )


def counted(count: int, noun: str) -> str:
    """``1 passage``, ``2 passages``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
