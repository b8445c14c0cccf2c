"""Load test: simulated users save answers through two web servers sharing one PostgreSQL,
then every save the server acknowledged is checked against the database.

Run with `make loadtest` (LOADTEST_SECONDS=30 for a shorter run). The shape is the
scale-out one of docs/deployment.md: two gunicorn instances (2 workers each) on two
loopback ports, one PostgreSQL, no sticky sessions. The test uses a database of its own,
``app_load``, created on the server of LOADTEST_POSTGRES_URL (default: the one
scripts/postgres.sh starts) and dropped afterwards unless the run failed. Production
settings: DEBUG off, the manifest static storage (collected into var/loadtest-static).

50 users (LOADTEST_USERS) work at once for 120 seconds (LOADTEST_SECONDS): 30 fill in
an assessment of their own, 20 (LOADTEST_SHARED_USERS) fill in one shared assessment, on
the same questions (three "hot" questions per section) and on different ones. Each user
loops, sending each request to the other server than the one before: load a section page
(40 questions, 2 sections), change one to three answers (a random choice, a comment
unique to that change), post the whole form as htmx's autosave does (the server answers
with a partial and new `loaded` tokens, which replace the old ones as htmx swaps them) or
with a Save button (the server redirects; the user follows), and so on.

The server acknowledges a change when it answers an autosave with the question's new
token, or a Save with a redirect to a section page. What the app guarantees, and what is
checked afterwards:

- Every response is 2xx or 3xx, and the one expected (a section page, a partial that
  confirms exactly the changed questions, a redirect to a section page).
- Every acknowledged change is in the history table (HistoricalAnswer), once.
- Changes to one answer are serialised (the assessment's row lock): in commit order the
  history's revisions run 1, 2, 3, ... with none repeated (a repeat would be a lost
  update), and the answer in the database is the last of them.
- Commit order respects real time: a change acknowledged before another was sent
  committed first. So for each question the database holds the change acknowledged last,
  or one whose request overlapped it (two overlapping saves may commit in either order;
  the later commit wins, as the app promises). Anything else is a lost answer.
- Whoever replaced an answer that someone else changed after their page loaded is told
  so: in the autosave's partial, or on the page the Save leads to.

Prints one table; exits non-zero on any error, lost answer or broken guarantee.
"""

from __future__ import annotations

import math
import os
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from benchdata import (
    collect_static,
    drop_postgres_database,
    free_port,
    postgres_version,
    recreate_postgres_database,
    start_gunicorn,
    stop_gunicorn,
    use_production_settings,
)
from loadcheck import Findings, check
from loadusers import REPLACED, PacedUser, make_users

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "app_load"
SERVER_URL = os.environ.get("LOADTEST_POSTGRES_URL", "postgres://app:app@127.0.0.1:5432/app")
SECONDS = float(os.environ.get("LOADTEST_SECONDS", "120"))
SERVERS, WORKERS = 2, 2

KINDS = {
    "page": "GET section page",
    "autosave": "POST autosave (htmx)",
    "save": "POST save (redirect)",
}


# Report ---------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def table(rows: list[tuple[str, str]], title: str) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [title, f"{'figure'.ljust(width)}  value"]
    lines += [f"{name.ljust(width)}  {value}" for name, value in rows]
    return "\n".join(lines)


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def report(users, found: Findings, seconds: float, ports, cpu: dict) -> tuple[list, bool]:
    exchanges = [exchange for user in users for exchange in user.exchanges]
    statuses = Counter(exchange.status for exchange in exchanges)
    errors = {
        status: count
        for status, count in statuses.items()
        if not (isinstance(status, int) and 200 <= status < 400)
    }
    unexpected = [problem for user in users for problem in user.unexpected]
    acknowledged = found.acknowledged
    shared = {user.assessment for user in users if user.shared}
    per_port = Counter(exchange.port for exchange in exchanges)

    def listing(counts) -> str:
        return ", ".join(f"{key}: {value}" for key, value in sorted(counts.items(), key=str))

    rows = [
        ("requests", f"{len(exchanges)}"),
        ("requests per server", " / ".join(f"{per_port[port]}" for port in ports)),
        ("responses by status", listing(statuses)),
        ("errors (not 2xx/3xx, or failed)", listing(errors) if errors else "0"),
        ("unexpected responses (wrong page or partial)", f"{len(unexpected)}"),
        ("answers sent", f"{sum(len(post.writes) for u in users for post in u.posts)}"),
        ("  acknowledged by the server", f"{len(acknowledged)}"),
        (
            "  by autosave / by save",
            f"{sum(w.kind == 'autosave' for w in acknowledged)} / "
            f"{sum(w.kind == 'save' for w in acknowledged)}",
        ),
        ("  to the shared assessment", f"{sum(w.assessment in shared for w in acknowledged)}"),
        ("answers lost", f"{len(found.lost)}"),
        (
            "questions ending on the last acknowledged change",
            f"{found.info['questions ending on the last acknowledged change']}",
        ),
        (
            "  ... on a change overlapping it (allowed)",
            f"{found.info['questions ending on a change overlapping the last acknowledged']}",
        ),
        (
            "changes that replaced a colleague's newer answer",
            f"{found.info[REPLACED]}",
        ),
        (
            "autosave warnings shown again on the next page",
            f"{found.info['autosave warnings shown again on the next page']}",
        ),
        ("other broken guarantees", listing(found.problems) if found.problems else "0"),
        ("throughput", f"{len(exchanges) / seconds:.1f} requests/s"),
        ("answers saved per second", f"{len(acknowledged) / seconds:.1f}"),
        (
            "CPU time: servers / load generator",
            f"{cpu['servers']:.0f} s / {cpu['load generator']:.0f} s in {seconds:.0f} s",
        ),
        ("server CPU time per request", f"{cpu['servers'] / len(exchanges) * 1000:.0f} ms"),
    ]
    for kind, name in KINDS.items():
        times = [e.received - e.sent for e in exchanges if e.kind == kind]
        if times:
            figures = " / ".join(
                f"{percentile(times, share) * 1000:.0f}" for share in (0.5, 0.95, 0.99)
            )
            rows.append((f"{name}: n, p50 / p95 / p99 ms", f"{len(times)}, {figures}"))
    passed = not errors and not unexpected and not found.lost and not found.problems
    return rows, passed


def set_up() -> None:
    """A new database app_load, migrated, and this process set up with production
    settings against it (once: later runs only recreate the database)."""
    url = recreate_postgres_database(SERVER_URL, DATABASE)
    use_production_settings(url, ROOT / "var" / "loadtest-static")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
        collect_static()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def run_users(users, seconds: float) -> float:
    """Every user's loop in a thread of its own until ``seconds`` from now; how long it
    took."""
    started = time.monotonic()
    threads = [
        threading.Thread(target=user.run, args=(started + seconds,), daemon=True) for user in users
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def free_ports() -> list[int]:
    """SERVERS free loopback ports, one per web server."""
    ports: list[int] = []
    while len(ports) < SERVERS:
        if (port := free_port()) not in ports:
            ports.append(port)
    return ports


def start_servers(ports: list[int]) -> list:
    """gunicorn on each port (WORKERS workers), logging to var/loadtest-gunicorn-N.log."""
    return [
        start_gunicorn(port, WORKERS, ROOT / "var" / f"loadtest-gunicorn-{index}.log")
        for index, port in enumerate(ports, start=1)
    ]


def saturation() -> int:
    started_setup = time.monotonic()
    set_up()
    from django.db import connection

    ports = free_ports()
    users = make_users(ports)
    connection.close()  # not needed while the servers work
    servers = []
    cpu = {"servers": -cpu_seconds(resource.RUSAGE_CHILDREN)}
    try:
        servers += start_servers(ports)
        print(
            f"Set up in {time.monotonic() - started_setup:.0f} s; {len(users)} users for "
            f"{SECONDS:.0f} s against 127.0.0.1:{ports[0]} and :{ports[1]}...",
            flush=True,
        )
        cpu["load generator"] = -cpu_seconds(resource.RUSAGE_SELF)
        seconds = run_users(users, SECONDS)
        cpu["load generator"] += cpu_seconds(resource.RUSAGE_SELF)
    finally:
        for server in servers:
            stop_gunicorn(server)
    cpu["servers"] += cpu_seconds(resource.RUSAGE_CHILDREN)  # gunicorn and its workers

    found = check(users)
    rows, passed = report(users, found, seconds, ports, cpu)
    shared = sum(user.shared for user in users)
    title = (
        f"Load test: {len(users)} users ({len(users) - shared} on their own assessments, "
        f"{shared} on one shared), {seconds:.0f} s, {SERVERS} gunicorn x {WORKERS} workers, "
        f"PostgreSQL {postgres_version(SERVER_URL)}"
    )
    print(table(rows, title))
    for problem in [p for user in users for p in user.unexpected][:10] + found.examples:
        print(f"- {problem}")
    connection.close()
    if passed:
        drop_postgres_database(SERVER_URL, DATABASE)
        print("PASS: no error, no answer lost.")
        return 0
    print(
        f"FAIL. The database {DATABASE} is kept for a look; the servers' logs are "
        "var/loadtest-gunicorn-*.log."
    )
    return 1


# At a human pace ---------------------------------------------------------------------------

PACED_LEVELS = [
    int(n) for n in os.environ.get("LOADTEST_PACED_LEVELS", "100,200,300,400").split(",")
]
PACED_SECONDS = float(os.environ.get("LOADTEST_PACED_SECONDS", "90"))
PACED_TARGET = 0.300  # p95 of autosaves and section pages, in seconds
PACED_KINDS = {
    "autosave": "POST autosave (the changed card)",
    "page": "GET section page",
    "results": "GET results page",
    "pdf": "GET report.pdf (each poll)",
}


def tree_cpu_seconds(root: int) -> float:
    """User and system CPU of a process and all its descendants, alive, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        grew, tree = bool(more), tree | more
    return sum(cpu.get(pid, 0.0) for pid in tree)


def paced_level(users, count: int, servers) -> dict:
    """Run the first ``count`` paced users for PACED_SECONDS; the figures of that run."""
    chosen = users[:count]
    marks = [len(user.exchanges) for user in chosen]
    waits = [len(user.pdf_waits) for user in chosen]
    unexpected = sum(len(user.unexpected) for user in chosen)
    cpu_before = sum(tree_cpu_seconds(server.pid) for server in servers)
    seconds = run_users(chosen, PACED_SECONDS)
    cpu = sum(tree_cpu_seconds(server.pid) for server in servers) - cpu_before
    exchanges = [e for user, mark in zip(chosen, marks, strict=True) for e in user.exchanges[mark:]]
    pdf_waits = [w for user, mark in zip(chosen, waits, strict=True) for w in user.pdf_waits[mark:]]
    errors = Counter(
        e.status for e in exchanges if not (isinstance(e.status, int) and 200 <= e.status < 400)
    )
    times = {
        kind: [e.received - e.sent for e in exchanges if e.kind == kind] for kind in PACED_KINDS
    }
    p95 = {kind: percentile(values, 0.95) if values else 0.0 for kind, values in times.items()}
    return {
        "users": count,
        "seconds": seconds,
        "requests": len(exchanges),
        "errors": sum(errors.values()),
        "unexpected": sum(len(user.unexpected) for user in chosen) - unexpected,
        "times": times,
        "p95": p95,
        "cpu": cpu,
        "pdf_waits": pdf_waits,
        "within": p95["autosave"] < PACED_TARGET and p95["page"] < PACED_TARGET,
    }


def paced() -> int:
    """Paced users on two gunicorn instances and one db_worker, at rising numbers of
    users (LOADTEST_PACED_LEVELS), each for LOADTEST_PACED_SECONDS; then every answer the
    server acknowledged is checked, as in the saturation run."""

    started_setup = time.monotonic()
    set_up()
    from django.db import connection

    ports = free_ports()
    users = make_users(ports, max(PACED_LEVELS), PacedUser)
    connection.close()
    os.environ["TASK_BACKEND"] = "database"  # the servers queue PDFs; the worker renders
    servers, levels = [], []
    worker_log = open(ROOT / "var" / "loadtest-worker.log", "w")  # noqa: SIM115
    try:
        servers += start_servers(ports)
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--worker-id", "load"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=worker_log,
            stderr=worker_log,
        )
        servers.append(worker)
        print(
            f"Set up in {time.monotonic() - started_setup:.0f} s; paced users at "
            f"{', '.join(map(str, PACED_LEVELS))}, {PACED_SECONDS:.0f} s each...",
            flush=True,
        )
        for count in PACED_LEVELS:
            levels.append(paced_level(users, count, servers))
            level = levels[-1]
            print(
                f"  {count} users: p95 autosave {level['p95']['autosave'] * 1000:.0f} ms, "
                f"section {level['p95']['page'] * 1000:.0f} ms, {level['errors']} errors",
                flush=True,
            )
    finally:
        for server in servers[:-1]:
            stop_gunicorn(server)
        if servers and servers[-1].poll() is None:
            servers[-1].terminate()
            servers[-1].wait(30)
        worker_log.close()
        os.environ.pop("TASK_BACKEND", None)
    found = check(users)
    print(paced_table(levels, found))
    for problem in [p for user in users for p in user.unexpected][:10] + found.examples:
        print(f"- {problem}")
    passed = (
        not found.lost
        and not found.problems
        and all(not level["errors"] and not level["unexpected"] for level in levels)
    )
    connection.close()
    if passed:
        drop_postgres_database(SERVER_URL, DATABASE)
        print("PASS (paced): no error, no answer lost.")
        return 0
    print(f"FAIL (paced). The database {DATABASE} is kept; logs are var/loadtest-*.log.")
    return 1


def paced_table(levels: list[dict], found: Findings) -> str:
    within = [level["users"] for level in levels if level["within"] and not level["errors"]]
    capacity = max(within) if within else 0
    rows = []
    for level in levels:
        name = f"{level['users']} users"
        rows.append((f"{name}: requests, errors", f"{level['requests']}, {level['errors']}"))
        for kind, label in PACED_KINDS.items():
            values = level["times"][kind]
            if values:
                figures = " / ".join(
                    f"{percentile(values, share) * 1000:.0f}" for share in (0.5, 0.95, 0.99)
                )
                rows.append(
                    (f"{name}: {label}: n, p50 / p95 / p99 ms", f"{len(values)}, {figures}")
                )
        waits = [got - asked for asked, got, in_time in level["pdf_waits"] if in_time]
        late = sum(1 for *_, in_time in level["pdf_waits"] if not in_time)
        if level["pdf_waits"]:
            median = f"{percentile(waits, 0.5):.1f} s" if waits else "-"
            rows.append(
                (
                    f"{name}: PDFs asked, median wait, not in time",
                    f"{len(level['pdf_waits'])}, {median}, {late}",
                )
            )
        rows.append(
            (
                f"{name}: server CPU per request (gunicorn + worker)",
                f"{level['cpu'] / max(1, level['requests']) * 1000:.1f} ms",
            )
        )
    rows += [
        ("answers acknowledged (all levels)", f"{len(found.acknowledged)}"),
        ("answers lost", f"{len(found.lost)}"),
        ("other broken guarantees", f"{sum(found.problems.values())}"),
        (
            "capacity: most paced users with p95 < 300 ms (autosave and section page)",
            f"{capacity}" + ("" if capacity < max(level["users"] for level in levels) else "+"),
        ),
    ]
    return table(
        rows,
        f"Paced load test: {SERVERS} gunicorn x {WORKERS} workers and one db_worker, "
        f"PostgreSQL {postgres_version(SERVER_URL)}",
    )


def main() -> int:
    sys.path.insert(0, str(ROOT))
    profile = os.environ.get("LOADTEST_PROFILE", "both")
    status = 0
    if profile in ("both", "saturation"):
        status |= saturation()
    if profile in ("both", "paced"):
        status |= paced()
    return status


if __name__ == "__main__":
    sys.exit(main())
