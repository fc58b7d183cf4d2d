"""Worker processes for indexing: functions of searchkit run on every core.

Workers are plain Python processes (``searchkit.writer.workers.serve``) reading jobs on
their standard input and writing results on their standard output, one job at
a time. Unlike multiprocessing's pools they need no ``if __name__ ==
"__main__"`` guard in the user's script (nothing of it is imported again),
inherit no file descriptor (not the index's write lock), and end by
themselves when the process that started them dies: at once when idle (their
input closes), after the job in hand otherwise (its result cannot be given).
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import subprocess
import sys
import traceback
from collections import deque
from pathlib import Path
from typing import IO, Any, Callable

from searchkit.errors import SearchkitError

_SIZE = struct.Struct("<Q")


def _send(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_SIZE.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    head = stream.read(_SIZE.size)
    if len(head) < _SIZE.size:
        raise EOFError
    size = _SIZE.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:  # the other side closed the pipe in the middle
        raise EOFError
    return pickle.loads(data)


class WorkerError(SearchkitError):
    """A job failed in a worker, or a worker died; the message holds the
    worker's traceback when it has one."""


class Workers:
    """``count`` worker processes, each running one job at a time; results
    are taken in the order the jobs were given."""

    def __init__(self, count: int) -> None:
        # Where this searchkit was imported from, after anything the
        # environment already gives: the workers must import the same code.
        package_parent = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [env.get("PYTHONPATH"), package_parent]))
        self._processes = [
            subprocess.Popen([sys.executable, "-c", "from searchkit.writer.workers import serve; serve()"],
                             stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, env=env)
            for _ in range(count)
        ]
        self._free = deque(range(count))
        self._busy: deque[int] = deque()

    def full(self) -> bool:
        return not self._free

    def pending(self) -> int:
        return len(self._busy)

    def submit(self, function: Callable[..., Any], *args: object) -> None:
        """Give a job to a free worker (there must be one)."""
        number = self._free[0]
        try:
            _send(self._processes[number].stdin, (function, args))  # type: ignore[arg-type]
        except OSError:
            raise WorkerError("an indexing worker process ended unexpectedly") from None
        self._busy.append(self._free.popleft())

    def result(self) -> Any:
        """The result of the oldest job given and not taken."""
        number = self._busy[0]
        try:
            ok, value = _receive(self._processes[number].stdout)  # type: ignore[arg-type]
        except (EOFError, OSError):
            raise WorkerError("an indexing worker process ended unexpectedly") from None
        self._free.append(self._busy.popleft())
        if not ok:
            raise WorkerError(f"indexing failed in a worker process:\n{value}")
        return value

    def close(self) -> None:
        """End the workers; those in the middle of a job (or of giving its
        result, which nobody will read) are killed."""
        idle = set(self._free)
        for number, process in enumerate(self._processes):
            try:
                process.stdin.close()  # type: ignore[union-attr]
            except OSError:
                pass
            if number not in idle and process.poll() is None:
                process.kill()
            process.wait()
            process.stdout.close()  # type: ignore[union-attr]
        self._busy.clear()


def serve() -> None:
    """Run jobs from standard input until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the process that started us
    jobs, results = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not break the results stream
    while True:
        try:
            function, args = _receive(jobs)
        except EOFError:
            return
        try:
            reply = (True, function(*args))
        except Exception:
            reply = (False, traceback.format_exc())
        try:
            _send(results, reply)
        except BrokenPipeError:
            return

