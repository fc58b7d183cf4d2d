"""Worker processes: jobs in order, failures reported, nothing left running."""

import time

import pytest

from searchkit.errors import SearchkitError
from searchkit.writer.workers import WorkerError, Workers


def test_results_come_in_the_order_the_jobs_were_given():
    workers = Workers(2)
    try:
        workers.submit(pow, 2, 10)
        workers.submit(pow, 3, 2)
        assert workers.full()
        assert (workers.result(), workers.result()) == (1024, 9)
        assert workers.pending() == 0
    finally:
        workers.close()


def test_a_failing_job_raises_an_error_with_the_workers_traceback():
    workers = Workers(1)
    try:
        workers.submit(int, "pas un nombre")
        with pytest.raises(WorkerError, match="ValueError") as raised:
            workers.result()
        assert isinstance(raised.value, SearchkitError)
        workers.submit(int, "12")  # the worker goes on
        assert workers.result() == 12
    finally:
        workers.close()


@pytest.mark.parametrize("job", [(time.sleep, 60), (bytes, 20_000_000)])
def test_closing_during_a_job_or_an_unread_result_does_not_wait_for_it(job):
    """A worker busy with a job, or blocked giving a large result nobody
    reads (as after Ctrl-C), is killed rather than waited for."""
    workers = Workers(1)
    workers.submit(*job)
    time.sleep(0.5)
    started = time.monotonic()
    workers.close()
    assert time.monotonic() - started < 5
