"""The one exception type the ingest package lets out."""

from __future__ import annotations


class IngestError(Exception):
    """A file (or one record in it) cannot be imported.

    ``problem`` and ``remedy`` are short phrases written for a patient or a clinician;
    ``str()`` joins them into one sentence that names the file and, when known, the record.
    """

    def __init__(self, file: str, record: str | None, problem: str, remedy: str) -> None:
        self.file = file
        self.record = record
        self.problem = problem.rstrip(". ")
        self.remedy = remedy.rstrip(". ")
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" ({self.record})" if self.record else ""
        return f"Could not import “{self.file}”{where}: {self.problem}; {self.remedy}."

    def __reduce__(self) -> tuple[type[IngestError], tuple[str, str | None, str, str]]:
        # Keeps the error picklable for background task queues.
        return (IngestError, (self.file, self.record, self.problem, self.remedy))


class RecordProblem(Exception):
    """Raised inside a reader for one bad record; the reader skips it and records the reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
