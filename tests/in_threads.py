"""Many writers at once: real threads, released together, each in its own unit of work."""

import threading

from sqlmodel import Session

from core.db import get_engine, writer
from core.errors import Conflict


def in_threads(app, n: int, work) -> list:
    """Run `work(session, k)` for k in 0..n-1 in n threads that start together, each in its
    own writing session, committed after the work; gives what each call returned, or
    "refused" where it raised Conflict (that session rolled back), in finishing order."""
    engine = writer(get_engine(app))
    barrier = threading.Barrier(n)
    outcomes, lock = [], threading.Lock()

    def run(k: int) -> None:
        barrier.wait()
        with app.app_context(), Session(engine, expire_on_commit=False) as s:
            try:
                result = work(s, k)
                s.commit()
            except Conflict:
                s.rollback()
                result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes
