"""Worker processes for indexing: functions of searchkit run on every core.

Workers are plain Python processes (``searchkit.workers.serve``) reading jobs on
their standard input and writing results on their standard output, one job at
a time. Unlike multiprocessing's pools they need no ``if __name__ ==
"__main__"`` guard in the user's script (nothing of it is imported again),
inherit no file descriptor (not the index's write lock), and end by
themselves when the process that started them dies (their input closes).
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


class WorkerError(RuntimeError):
    """A job failed in a worker; the message holds the worker's traceback."""


class Workers:
    """``count`` worker processes, each running one job at a time; results
    are taken in the order the jobs were given."""

    def __init__(self, count: int) -> None:
        package_parent = str(Path(__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
        self._processes = [
            subprocess.Popen([sys.executable, "-c", "from searchkit.workers import serve; serve()"],
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
        number = self._free.popleft()
        _send(self._processes[number].stdin, (function, args))  # type: ignore[arg-type]
        self._busy.append(number)

    def result(self) -> Any:
        """The result of the oldest job given and not taken."""
        number = self._busy.popleft()
        try:
            ok, value = _receive(self._processes[number].stdout)  # type: ignore[arg-type]
        except (EOFError, OSError):
            raise WorkerError("an indexing worker process ended unexpectedly") from None
        self._free.append(number)
        if not ok:
            raise WorkerError(value)
        return value

    def close(self) -> None:
        for process in self._processes:
            try:
                process.stdin.close()  # type: ignore[union-attr]
            except OSError:
                pass
            if process.poll() is None and self._busy:
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

