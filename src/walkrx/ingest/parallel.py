"""Reading parts of one file in forked processes at the same time.

Used for big bare Apple Health exports (see :meth:`ImportReader.map_parts`). The parts
after the first are claimed one at a time, in order, by whichever process is free: the
children forked here and the calling process (which therefore must run a single thread).
However unevenly the work lies in the file (real exports keep each kind of record
together), every process keeps busy until the last parts. A child sends each part's
small picklable result (or the error that stopped it) through a pipe as soon as it has
it; how many bytes each child has read is shared through memory, for progress.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
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
Target = Callable[[int, Progress], PartResult[T]]


def attempt(target: Target[T], index: int, progress: Progress) -> PartOutcome[T]:
    """Read part ``index``, turning what stops it into an outcome to judge later.

    A part is read as if nothing were open at its start; only once the parts before it
    are read is it known whether that was so, and so whether its error is real.
    """
    try:
        return target(index, progress)
    except IngestError as error:
        return error
    except Exception as error:  # reported to the caller, which reads the part again
        return PartFailure(f"{type(error).__name__}: {error}")


class Parts(Generic[T]):
    """Parts ``first..count-1`` of a file, claimed in order by ``children`` forked readers
    and by the caller (through :meth:`claim`); ``target(index, progress)`` reads one and
    reports through ``progress(done, _)`` the bytes of it read so far. Parts before
    ``first`` are the caller's.
    """

    def __init__(self, count: int, children: int, target: Target[T], *, first: int = 1) -> None:
        context = multiprocessing.get_context("fork")
        self.count = count
        self._next = context.Value("q", first)
        self._counters = [context.RawValue("q", 0) for _ in range(children)]
        self._pipes: list[multiprocessing.connection.Connection] = []
        self._processes: list[Any] = []
        self._received: dict[int, PartOutcome[T]] = {}
        self._live: list[multiprocessing.connection.Connection] = []
        try:
            for child in range(children):
                receive, send = context.Pipe(duplex=False)
                process = context.Process(
                    target=_child,
                    args=(send, target, self.claim, self._counters[child]),
                    name=f"walkrx-reader-{child + 1}",
                    daemon=True,
                )
                process.start()
                send.close()
                self._pipes.append(receive)
                self._live.append(receive)
                self._processes.append(process)
        except BaseException:
            self.stop()
            raise

    def claim(self) -> int | None:
        """The next part nobody has claimed yet, now the caller's; None when none is left."""
        with self._next.get_lock():
            index = int(self._next.value)
            if index >= self.count:
                return None
            self._next.value = index + 1
            return index

    def bytes_read(self) -> int:
        """Bytes the children have read so far."""
        return sum(counter.value for counter in self._counters)

    def arrived(self, index: int) -> bool:
        """Whether a child has sent part ``index``'s outcome (never waits)."""
        if index not in self._received:
            self._collect(0)
        return index in self._received

    def wait(self, index: int, tick: Callable[[], None]) -> PartOutcome[T]:
        """The outcome of part ``index``, claimed by a child; ``tick()`` while waiting."""
        while index not in self._received and self._live:
            self._collect(_POLL_SECONDS)
            tick()
        tick()
        return self._received.pop(index, PartFailure("the reader of this part stopped"))

    def _collect(self, timeout: float) -> None:
        """Take in what the children have sent, waiting up to ``timeout`` for something."""
        for pipe in multiprocessing.connection.wait(self._live, timeout):
            assert isinstance(pipe, multiprocessing.connection.Connection)
            try:
                got, outcome = pipe.recv()
            except (EOFError, OSError):
                self._live.remove(pipe)  # that child has ended
                continue
            self._received[got] = outcome

    def stop(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.kill()
            process.join()
        for pipe in self._pipes:
            pipe.close()


def _child(
    send: multiprocessing.connection.Connection,
    target: Target[T],
    claim: Callable[[], int | None],
    counter: Any,
) -> None:
    read = [0, 0]  # bytes of the parts finished, of the current part

    def progress(done: int, _total: int) -> None:
        read[1] = done
        counter.value = read[0] + done

    while (index := claim()) is not None:
        outcome = attempt(target, index, progress)
        read[0], read[1] = read[0] + read[1], 0
        try:
            send.send((index, outcome))
        except Exception as error:  # e.g. a result that cannot be pickled
            send.send((index, PartFailure(f"{type(error).__name__}: {error}")))
    send.close()


A = TypeVar("A")
R = TypeVar("R")


def map_forked(function: Callable[[A], R], items: list[A]) -> list[R]:
    """``function(item)`` for every item, at the same time: the first in this process,
    the others in forked children (this process must run a single thread).

    Results come back in order, through pipes, so they must be picklable. An item whose
    child fails for any reason is computed again here, so errors surface as if
    everything had run in this process.
    """
    if len(items) < 2:
        return [function(item) for item in items]
    context = multiprocessing.get_context("fork")
    children: list[tuple[Any, multiprocessing.connection.Connection]] = []
    try:
        for item in items[1:]:
            receive, send = context.Pipe(duplex=False)
            process = context.Process(
                target=_compute, args=(send, function, item), name="walkrx-merge", daemon=True
            )
            process.start()
            send.close()
            children.append((process, receive))
        results = [function(items[0])]
        for item, (_, receive) in zip(items[1:], children, strict=True):
            try:
                done, value = receive.recv()
            except (EOFError, OSError):
                done, value = False, None
            results.append(value if done else function(item))
        return results
    finally:
        for process, receive in children:
            if process.is_alive():
                process.kill()
            process.join()
            receive.close()


def _compute(
    send: multiprocessing.connection.Connection, function: Callable[[A], R], item: A
) -> None:
    try:
        send.send((True, function(item)))
    except Exception:  # computed again by the parent, which reports what goes wrong
        send.send((False, None))
    send.close()


def cpu_count() -> int:
    """The processors this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def can_fork() -> bool:
    """Whether this process may fork helpers: only while it runs a single thread."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
