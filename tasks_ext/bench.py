"""Benchmark task: govsite vs vanilla Pelican on the same synthetic portal."""

from __future__ import annotations

from invoke import task


@task(help={"n": "文档数量（默认 5000）", "runs": "重复次数（取中位数）", "browser": "同时测量浏览器检查"})
def bench(c, n=5000, runs=3, browser=False):
    """性能基准：与原版 Pelican 对比 / Benchmark against vanilla Pelican (prints a table, writes JSON)."""
    from govsite.bench import print_table, run_bench

    print_table(run_bench(int(n), runs=int(runs), browser=browser))
