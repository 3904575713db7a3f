"""Drives the portal under gunicorn with wrk and prints, per page: requests per second,
p50 and p95 latency, the CPU milliseconds each request costs (the gunicorn workers and the
PostgreSQL processes together, from /proc; and of it the database's) and that cost as a
multiple of /healthz's,
database queries per request and the peak memory of a web worker; first with the demo data,
then with an agency at scale loaded on top (bench/scale.py), followed by the reminder
timings at that scale (bench/reminders.py).

Run through `make bench`, which starts the services and loads the demo data first.
Exits non-zero when a page misses the target (p95 under 100 ms at 8 connections) or, at
scale, needs more queries than with the demo data. The CPU targets (every page at most
10 ms a request at scale, a list of 25 rows at most 8) are printed beside each page.
"""

import argparse
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import django

from bench.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 100
CONNECTIONS = 8
TARGET_CPU_MS = 10
TARGET_LIST_CPU_MS = 8
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Idle: less CPU than this between two looks 0.2 s apart, in clock ticks.
IDLE_TICKS = 2

WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def start_gunicorn(port: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_CONN_MAX_AGE": "600"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "agency.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def sign_in(base: str, email: str, password: str) -> str:
    """Signs in through the real form and returns the Cookie header of the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    url = f"{base}/auth/sign-in/"
    opener.open(url)
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": email, "password": password}
    ).encode()
    try:
        opener.open(urllib.request.Request(url, data=data, headers={"Referer": url}))
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302:
            raise
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if session is None:
        raise SystemExit(f"could not sign in as {email}")
    return f"sessionid={session}; csrftoken={token}"


def check_status(url: str, cookie: str | None) -> None:
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        status = opener.open(request).status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise SystemExit(f"{url} answered {status}, not 200")


def run_wrk(url: str, cookie: str | None, seconds: int, script: str) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", script, url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+)$", output, re.MULTILINE)
    requests, duration_us, p50_us, p95_us, errors = map(int, match.groups())
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": p50_us / 1000,
        "p95": p95_us / 1000,
        "errors": errors,
    }


def _children(pid: int) -> list[int]:
    try:
        return [
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
    except OSError:
        return []


def _ticks(pid: int, *, with_exited_children: bool) -> int:
    """A process's user and system CPU so far, in clock ticks; with what its children that
    have exited used (a postmaster reaps its backends), when asked."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0
    # After the name: state is field 3; utime, stime, cutime, cstime are fields 14 to 17.
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return utime + stime + (cutime + cstime if with_exited_children else 0)


def postmaster_pid() -> int:
    """The PostgreSQL server the portal uses: the parent of this connection's backend."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    stat = Path(f"/proc/{backend}/stat").read_text().rpartition(")")[2].split()
    return int(stat[1])


def _tree_ticks(root: int) -> int:
    return _ticks(root, with_exited_children=True) + sum(
        _ticks(child, with_exited_children=True) for child in _children(root)
    )


def cpu_ticks(gunicorn_pid: int, postgres_pid: int) -> tuple[int, int]:
    """The CPU the web and the database have used so far: the gunicorn master and its
    workers, and the postmaster and every process it runs (backends, writers, vacuum),
    living or exited."""
    return _tree_ticks(gunicorn_pid), _tree_ticks(postgres_pid)


def wait_until_idle(gunicorn_pid: int, postgres_pid: int, timeout: float = 30) -> tuple:
    """Waits for the requests still queued to be served, and gives the CPU used by then,
    of the web and of the database."""
    deadline = time.monotonic() + timeout
    before = cpu_ticks(gunicorn_pid, postgres_pid)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = cpu_ticks(gunicorn_pid, postgres_pid)
        if sum(now) - sum(before) < IDLE_TICKS:
            return now
        before = now
    return before


def worker_peak_memory_mib(master_pid: int) -> float:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)))
    return max(peaks) / 1024


def queries_per_request(pages) -> dict[str, int]:
    """Counts each page's queries in this process, through the same views and middleware."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from teams.models import User

    counts = {}
    # Every path is looked up first: a lookup is not the page's work, and some send a
    # document to the client (an approval link), which other pages then show; looked up
    # page by page, the pages before it would be counted without it in the first pass and
    # with it in the second.
    paths = {page.name: page.resolve() for page in pages}
    for page in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if page.user:
            client.force_login(User.objects.get(email=page.user))
        path = paths[page.name]
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{page.name} answered {response.status_code}, not 200")
        counts[page.name] = len(queries)
    return counts


def measure(base: str, server: subprocess.Popen, script: str, options, pages) -> list:
    from teams.demo import DEMO_PASSWORD

    cookies = {}
    rows = []
    postgres = postmaster_pid()
    for page in pages:
        if page.user and page.user not in cookies:
            cookies[page.user] = sign_in(base, page.user, DEMO_PASSWORD)
        cookie = cookies.get(page.user)
        url = base + page.resolve()
        check_status(url, cookie)
        run_wrk(url, cookie, options.warmup, script)
        # The warm-up's queue is served before the page's own CPU starts counting.
        start = wait_until_idle(server.pid, postgres)
        result = run_wrk(url, cookie, options.seconds, script)
        end = wait_until_idle(server.pid, postgres)
        served = result["rps"] * options.seconds
        web, database = (
            (after - before) * 1000 / CLOCK_TICKS / served if served else float("nan")
            for before, after in zip(start, end, strict=True)
        )
        result["cpu"], result["db"] = web + database, database
        result["memory"] = worker_peak_memory_mib(server.pid)
        rows.append((page, result))
    return rows


def print_table(title: str, rows: list, queries: dict, demo_queries: dict | None) -> int:
    print(f"\n{title}\n")
    header = (
        f"{'page':<44} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'cpu ms':>7} {'of it db':>8} "
        f"{'× healthz':>9} {'queries':>7} {'worker MiB':>10} {'errors':>6}  target"
    )
    print(header)
    print("-" * len(header))
    healthz = next((r["cpu"] for page, r in rows if page.path == "/healthz"), None)
    missed = 0
    for page, r in rows:
        same_queries = demo_queries is None or queries[page.name] == demo_queries[page.name]
        ok = r["p95"] < TARGET_P95_MS and r["errors"] == 0 and same_queries
        missed += not ok
        verdict = "ok" if ok else "MISSED"
        if not same_queries:
            verdict += f" (queries: {demo_queries[page.name]} with the demo data)"
        cpu_target = TARGET_LIST_CPU_MS if page.list_of_25 else TARGET_CPU_MS
        verdict += f"; cpu {'ok' if r['cpu'] <= cpu_target else 'over'} (≤ {cpu_target})"
        ratio = f"{r['cpu'] / healthz:.1f}" if healthz else "–"
        print(
            f"{page.name:<44} {r['rps']:>6.0f} {r['p50']:>7.1f} {r['p95']:>7.1f} "
            f"{r['cpu']:>7.1f} {r['db']:>8.1f} {ratio:>9} {queries[page.name]:>7} "
            f"{r['memory']:>10.1f} {r['errors']:>6}  {verdict}"
        )
    return missed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10, help="measured time per page")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured time per page")
    parser.add_argument(
        "--demo-only", action="store_true", help="skip the agency at scale and the reminders"
    )
    parser.add_argument(
        "--pages",
        default="",
        help="only the pages whose name holds one of these comma-separated words",
    )
    options = parser.parse_args()
    words = [word.strip() for word in options.pages.split(",") if word.strip()]
    pages = [page for page in PAGES if not words or any(word in page.name for word in words)]
    if not pages:
        parser.error(f"no page's name holds any of {options.pages!r}")
    if PAGES[0] not in pages:
        # /healthz, whose CPU every page's is compared with.
        pages.insert(0, PAGES[0])

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
    django.setup()
    from django.conf import settings

    from bench import reminders, scale

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    setting = f"{CONNECTIONS} connections, {options.seconds} s per page, gunicorn 2 sync workers"
    setting += ", page cache " + ("on" if settings.PAGE_CACHE else "off (DJANGO_PAGE_CACHE=0)")
    try:
        demo_queries = queries_per_request(pages)
        server = start_gunicorn(port)
        try:
            demo_rows = measure(base, server, script.name, options, pages)
        finally:
            server.terminate()
            server.wait(timeout=30)
        missed = print_table(f"{setting}, demo data", demo_rows, demo_queries, None)
        if options.demo_only:
            print(f"\ntarget: p95 under {TARGET_P95_MS} ms and no errors on every page")
            return 1 if missed else 0

        counts = scale.seed()
        print(
            "\nscale data loaded in {:.0f} s: ".format(counts.pop("seconds"))
            + ", ".join(f"{value:,} {name}" for name, value in counts.items())
        )
        scale_queries = queries_per_request(pages)
        server = start_gunicorn(port)
        try:
            scale_rows = measure(base, server, script.name, options, pages)
        finally:
            server.terminate()
            server.wait(timeout=30)
        missed += print_table(f"{setting}, at scale", scale_rows, scale_queries, demo_queries)
        reminders.report(Path(tempfile.gettempdir()) / f"bench-worker-{port}.log")
    finally:
        os.unlink(script.name)
    print(
        f"\ntarget: p95 under {TARGET_P95_MS} ms, no errors, and at scale the queries of the "
        "demo data, on every page"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
