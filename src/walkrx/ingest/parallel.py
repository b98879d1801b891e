"""Reading parts of one file in forked processes at the same time.

Used for big bare Apple Health exports (see :meth:`ImportReader.map_parts`). Each part
runs in a child forked from the calling process, which therefore must run a single
thread; the child sends back one small picklable result (or the error that stopped it)
through a pipe and reports how many bytes it has read through shared memory.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .errors import IngestError
from .records import ReadSummary

T = TypeVar("T")
Progress = Callable[[int, int], None]

_POLL_SECONDS = 0.2


@dataclass
class PartResult(Generic[T]):
    """What a part's reader hands back: the consumer's result, summary and end state."""

    result: T
    summary: ReadSummary
    state: Any


@dataclass(frozen=True)
class PartFailure:
    """A part stopped by something other than an IngestError (text for diagnosis only)."""

    reason: str


PartOutcome = PartResult[T] | IngestError | PartFailure


class Parts(Generic[T]):
    """Parts ``1..count`` of a file, each read by ``target(index, progress)`` in a child."""

    def __init__(self, count: int, target: Callable[[int, Progress], PartResult[T]]) -> None:
        context = multiprocessing.get_context("fork")
        self._counters = [context.RawValue("q", 0) for _ in range(count)]
        self._pipes: list[multiprocessing.connection.Connection] = []
        self._processes: list[Any] = []
        try:
            for index in range(1, count + 1):
                receive, send = context.Pipe(duplex=False)
                process = context.Process(
                    target=_child,
                    args=(send, target, index, self._counters[index - 1]),
                    name=f"walkrx-read-part-{index}",
                    daemon=True,
                )
                process.start()
                send.close()
                self._pipes.append(receive)
                self._processes.append(process)
        except BaseException:
            self.stop()
            raise

    def bytes_read(self) -> int:
        return sum(counter.value for counter in self._counters)

    def wait(self, tick: Callable[[], None]) -> list[PartOutcome[T]]:
        """Each part's outcome, in order; ``tick()`` is called while waiting."""
        outcomes: list[PartOutcome[T]] = []
        for pipe, process in zip(self._pipes, self._processes, strict=True):
            while not pipe.poll(_POLL_SECONDS):
                tick()
                if not process.is_alive() and not pipe.poll(0):
                    break
            try:
                outcomes.append(pipe.recv())
            except (EOFError, OSError):
                outcomes.append(PartFailure(f"the reader process ended ({process.exitcode})"))
            tick()
        self.stop()
        return outcomes

    def stop(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.kill()
            process.join()
        for pipe in self._pipes:
            pipe.close()


def _child(
    send: multiprocessing.connection.Connection,
    target: Callable[[int, Progress], PartResult[T]],
    index: int,
    counter: Any,
) -> None:
    def progress(done: int, total: int) -> None:
        counter.value = done

    outcome: PartOutcome[T]
    try:
        outcome = target(index, progress)
    except IngestError as error:
        outcome = error
    except BaseException as error:  # reported to the parent, which reads the part again
        outcome = PartFailure(f"{type(error).__name__}: {error}")
    try:
        send.send(outcome)
    except Exception as error:  # e.g. a result that cannot be pickled
        send.send(PartFailure(f"{type(error).__name__}: {error}"))
    send.close()
