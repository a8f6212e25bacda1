"""Per-page checks while Pelican is still writing the site.

Pelican writes pages on one core for several seconds; the other core would idle until the page stage. At
Pelican's ``get_writer`` signal everything the per-page checks read (sources, site model, settings) is final, so a
worker is forked there. Each written page's path reaches it through a pipe (``content_written``), and it checks
a share of the pages (a stable hash of the path decides) as they appear. When the page stage starts, this process
checks the other pages and runs the site-wide checks; then the worker's results are merged and the ``finish``
steps run once.

Safety: the worker records each page's size and modification time when it read it. If any page it checked was
written again or changed afterwards (or was announced twice), its results are thrown away and those pages are
checked again here — a late write can never leave a stale verdict. A worker that dies fails the build (BUILD-001).
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import parallel
from .htmlpage import OutputSite, Page
from .registry import Check
from .run import BuildRun, enabled_checks

log = logging.getLogger("govsite.pagestream")

STREAM = "_page_stream"
STAMPS = "page_stream_stamps"  # run.data key the worker sends back: {path: (mtime_ns, size)}
BATCH = 32


@dataclass
class PageStream:
    worker: parallel.Worker
    fd: int | None  # write end of the path pipe (None once closed)
    output: Path
    fraction: float
    started: float
    sent: dict[str, int] = field(default_factory=dict)


def takes(rel: str, fraction: float) -> bool:
    """Whether the stream worker checks this page (stable across processes and runs)."""
    return zlib.crc32(rel.encode("utf-8")) % 10_000 < fraction * 10_000


def page_item_checks(run: BuildRun) -> list[Check]:
    """The per-page checks (those marked ``whole_output`` wait until every page is written)."""
    return [c for c in enabled_checks(run, "page") if c.plugin in run.loaded_plugins and c.per != "site"]


def share(run: BuildRun, workers: int) -> float:
    """Fraction of pages the stream worker takes so that it and the other processes finish together.

    The worker starts while Pelican writes (``w`` per 1,000 pages) and does ``f·i`` of the per-page work ``i``;
    the other ``n-1`` processes start after writing and share the rest plus the site-wide checks ``s``:
    ``f·i = w + ((1-f)·i + s)/(n-1)``.
    """
    costs = parallel.load_costs(run)
    checks = [c for c in enabled_checks(run, "page") if c.plugin in run.loaded_plugins]
    i = sum(parallel.cost_of(c, costs) for c in checks if c.per != "site")
    s = sum(parallel.cost_of(c, costs) for c in checks if c.per == "site")
    w = costs.get(parallel.WRITING, parallel.ESTIMATES[parallel.WRITING])
    if i <= 0:
        return 0.5
    n = max(workers, 2)
    return min(0.95, max(0.3, (w * (n - 1) + i + s) / (n * i)))


def start(run: BuildRun, output: Path, expected_pages: int) -> None:
    """Fork the stream worker (once per build; only where the page stage would run in parallel anyway)."""
    if run.data.get(STREAM) is not None or run.data.get("audit"):
        return
    workers = parallel.worker_count(run, expected_pages)
    checks = page_item_checks(run)
    if workers < 2 or not checks:
        return
    fraction = share(run, workers)
    read_fd, write_fd = os.pipe()


    def work() -> None:
        os.close(write_fd)  # or the worker would never see the end of the stream
        _consume(run, read_fd, output, fraction, checks)

    worker = parallel.fork_worker(run, work, "、".join(sorted({c.rule_id for c in checks})) + "（随写随查）")
    os.close(read_fd)
    run.data[STREAM] = PageStream(worker, write_fd, output, fraction, time.perf_counter())
    log.info("page stream: worker %d takes %.0f%% of the pages", worker.pid, fraction * 100)


def announce(run: BuildRun, path: str) -> None:
    """Pelican wrote ``path`` (``content_written``): pass HTML pages on to the stream worker."""
    stream: PageStream | None = run.data.get(STREAM)
    if stream is None or stream.fd is None or not path.endswith((".html", ".htm")):
        return
    try:
        rel = Path(path).resolve().relative_to(stream.output).as_posix()
    except ValueError:
        return
    stream.sent[rel] = stream.sent.get(rel, 0) + 1
    try:
        os.write(stream.fd, rel.encode("utf-8") + b"\n")  # the worker drains the pipe in a thread: never blocks long
    except OSError:  # the worker is gone; joining it reports that
        os.close(stream.fd)
        stream.fd = None


def _consume(run: BuildRun, fd: int, output: Path, fraction: float, checks: list[Check]) -> None:
    from .stages import run_checks_serial

    paths: queue.SimpleQueue[str | None] = queue.SimpleQueue()

    def drain() -> None:
        buf = b""
        with os.fdopen(fd, "rb", buffering=0) as fh:
            while chunk := fh.read(65536):
                *lines, buf = (buf + chunk).split(b"\n")
                for line in lines:
                    paths.put(line.decode("utf-8"))
        paths.put(None)

    threading.Thread(target=drain, daemon=True).start()
    stamps: dict[str, tuple[int, int]] = {}
    seen: set[str] = set()
    done = False
    streamed = [c for c in checks if not c.whole_output]
    while not done:
        batch: list[Page] = []
        item = paths.get()  # wait for the next written page
        while True:
            if item is None:
                done = True
                break
            if item not in seen and takes(item, fraction):
                seen.add(item)
                path = output / item
                try:
                    st = path.stat()
                except OSError:
                    pass  # not stamped: the main process then checks this worker's pages itself
                else:
                    stamps[item] = (st.st_mtime_ns, st.st_size)
                    batch.append(Page(item, file=path))
            if len(batch) >= BATCH or paths.empty():
                break
            item = paths.get()
        if batch:
            run_checks_serial(run, "page", batch, lambda p: p.url, streamed, finish=False)
    # The stream has ended: Pelican has written every page, so the checks that look at other output files
    # (link targets …) can run on this worker's pages too.
    whole = [c for c in checks if c.whole_output]
    if whole and stamps:
        run.data["output_site"] = OutputSite.load(output)
        pages = [Page(rel, file=output / rel) for rel in stamps]
        run_checks_serial(run, "page", pages, lambda p: p.url, whole, finish=False)
        del run.data["output_site"]
    run.data[STAMPS] = stamps


def run_page_stage(run: BuildRun, items: Any, describe: Callable[[Any], str], checks: list[Check],
                   workers: int, run_serial: Callable[..., None],
                   finishers: Callable[[BuildRun, list[Check]], None]) -> bool:
    """The page stage when a stream worker already checked part of the pages; False when there is none."""
    stream: PageStream | None = run.data.pop(STREAM, None)
    if stream is None:
        return False
    if stream.fd is not None:
        os.close(stream.fd)  # end of the stream: before any other fork, so the worker sees it
        stream.fd = None
    run.data["writing_seconds"] = time.perf_counter() - stream.started
    theirs = {rel for rel, n in stream.sent.items() if n == 1 and takes(rel, stream.fraction)}
    per_page = [c for c in checks if c.per != "site"]
    mine = [p for p in items if p.path not in theirs]  # items: the OutputSite (site-wide checks need all of it)
    if workers > 2:
        parallel.run_parallel(run, "page", items, describe, checks, workers - 1, run_serial, None, item_pages=mine)
    else:
        run_serial(run, "page", mine, describe, per_page, finish=False)
        run_serial(run, "page", items, describe, [c for c in checks if c.per == "site"])
    main_done = time.perf_counter()
    payload = stream.worker.receive(run)
    log.debug("page stream: share %.2f, writing %.1f s, this process %.1f s, waited %.1f s for the worker",
              stream.fraction, run.data["writing_seconds"], main_done - stream.started - run.data["writing_seconds"],
              time.perf_counter() - main_done)
    if payload is not None:
        blob = payload["data"].pop(STAMPS, None)  # run.data values travel pickled (parallel._delta)
        stamps = pickle.loads(blob) if blob is not None else {}
        if _still_valid(stream.output, theirs, stamps):
            parallel.merge(run, payload)
        else:
            log.warning("page stream: pages changed after they were checked; checking them again")
            redo = [p for p in items if p.path in theirs]
            run_serial(run, "page", redo, describe, per_page, finish=False)
    finishers(run, per_page)
    run.data["page_stream_share"] = round(stream.fraction, 3)
    run.data["page_workers"] = workers  # the stream worker and the processes after it
    return True


def _still_valid(output: Path, theirs: set[str], stamps: dict[str, tuple[int, int]]) -> bool:
    if set(stamps) != theirs:
        return False
    for rel, (mtime, size) in stamps.items():
        try:
            st = (output / rel).stat()
        except OSError:
            return False
        if (st.st_mtime_ns, st.st_size) != (mtime, size):
            return False
    return True
