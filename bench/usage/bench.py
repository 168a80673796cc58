#!/usr/bin/env python3
"""Latency of the usage endpoints against a running Verging, over one keep-alive HTTP connection.

usage: bench.py BASE_URL API_KEY [--quick]
Prints a Markdown table: p50/p99 of the page query, the 30-day summary and the CSV export.
"""
import http.client
import random
import statistics
import sys
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

base, key = sys.argv[1], sys.argv[2]
quick = "--quick" in sys.argv
url = urllib.parse.urlparse(base)
headers = {"Authorization": f"ApiKey {key}"}
random.seed(7)


def connect():
    return http.client.HTTPConnection(url.hostname, url.port, timeout=120)


conn = connect()


def get(path, extra=None):
    """Returns (seconds, status, bytes). The time covers sending the request to reading the whole body."""
    global conn
    h = dict(headers, **(extra or {}))
    start = time.perf_counter()
    try:
        conn.request("GET", path, headers=h)
        response = conn.getresponse()
        body = response.read()
    except (http.client.HTTPException, OSError):
        conn = connect()
        conn.request("GET", path, headers=h)
        response = conn.getresponse()
        body = response.read()
    return time.perf_counter() - start, response.status, body


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p * len(ordered) + 0.5)) - 1))]


def run(name, paths, warmup=20):
    for path in paths[:warmup]:
        get(path)
    times = []
    for path in paths:
        seconds, status, _ = get(path)
        if status != 200:
            raise SystemExit(f"{name}: {path} answered {status}")
        times.append(seconds * 1000)
    return name, len(times), pct(times, 0.50), pct(times, 0.99), max(times)


n = 200 if quick else 1000
now = datetime.now(timezone.utc)
month_ago = urllib.parse.quote((now - timedelta(days=30)).isoformat())
now_q = urllib.parse.quote(now.isoformat())
rows = []


def report():
    print("| operation | requests | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|")
    for name, count, p50, p99, worst in rows:
        print(f"| {name} | {count} | {p50:.1f} | {p99:.1f} | {worst:.1f} |", flush=True)


total = int(get("/api/v1/ai/usage?page_size=1")[2].split(b'"total":')[1].split(b",")[0])
try:
    rows.append(run("page query (page 1-50, 20 rows)", [f"/api/v1/ai/usage?page={random.randint(1, 50)}" for _ in range(n)]))
    rows.append(run("page query, service_type=chat (page 1-50)", [f"/api/v1/ai/usage?service_type=chat&page={random.randint(1, 50)}" for _ in range(n)]))
    rows.append(run("page query, last 7 days, page_size=100", [f"/api/v1/ai/usage?page_size=100&from={urllib.parse.quote((now - timedelta(days=7)).isoformat())}&page={random.randint(1, 5)}" for _ in range(n)]))
    rows.append(run(f"page query, deep pages (up to page {total // 20})", [f"/api/v1/ai/usage?page={random.randint(1, max(1, total // 20))}" for _ in range(n // 2)]))
    for group in ("day", "service", "api_key"):
        rows.append(run(f"summary, 30 days, group_by={group}", [f"/api/v1/usage/summary?from={month_ago}&to={now_q}&group_by={group}" for _ in range(n // 4)], warmup=5))
except BaseException:
    report()
    raise

exports = []
export_rows = 0
for i in range(3 if quick else 10):
    seconds, status, body = get("/api/v1/ai/usage?format=csv")
    if status != 200:
        raise SystemExit(f"export answered {status}")
    export_rows = body.count(b"\r\n") - 1
    if i > 0:  # the first one warms up
        exports.append(seconds * 1000)

print(f"Records of the measured account in the AI usage query: {total}")
print()
report()
p50 = statistics.median(exports)
print(f"| CSV export, {export_rows} rows, whole history | {len(exports)} | {p50:.0f} | {pct(exports, 0.99):.0f} | {max(exports):.0f} |")
print()
print(f"CSV export throughput: {export_rows / (p50 / 1000):,.0f} rows/s at the median ({export_rows / (max(exports) / 1000):,.0f} rows/s at the slowest).")
