"""Run a submission's cells inside a bubblewrap sandbox, one cell at a time, with limits.

Why bubblewrap (``bwrap``, Debian package ``bubblewrap``): it is the unprivileged sandbox Flatpak uses,
needs no daemon and no images (otter's Docker route needs both, and root or a docker group), and
works the same on a developer's machine and in CI. It gives the submission

* no network (``--unshare-net``), its own process, IPC and host-name namespaces;
* a read-only view of only what Python needs (``/usr``, the course's virtual environment, the
  ``scored`` toolkit and the student's own city) and nothing else: not the repository's
  ``exercises/``, not the builds, not the grades, not the instructor key, not other submissions;
* a private, writable ``/tmp`` and working folder that vanish with it.

Limits are set before ``bwrap`` starts: CPU seconds, address space (memory) and number of processes
(``RLIMIT_NPROC``, which the kernel does not enforce for root, so as root the sandbox runs as an
unprivileged user id of its own). The time limit per cell is enforced here, from outside, by
watching the runner's report lines; the sandbox is killed with its whole process tree when a cell
runs too long, when the submission is finished, or when the grader stops.

Inside a container that forbids namespaces (Docker's defaults, so Gradescope's autograder), bwrap cannot
start. There, and only when the caller asks for it (``isolation="user"``, which :mod:`scored_site.gradescope`
does), the runner runs as root's unprivileged sandbox user with the same limits, in a private working
folder that holds a copy of the city: it cannot read what only root may (the hidden tests, the solution
and the key, kept in a root-only folder), nor signal or trace the grader, and every process it leaves
is killed. It does see the container's world-readable files and, unless the platform cuts it, the
network; the container, made afresh for each submission, is then the outer wall.
"""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

RUNNER = Path(__file__).resolve().parent / "runner.py"
CHECKS = Path(__file__).resolve().parent / "checks.py"
REPO_ROOT = Path(__file__).resolve().parents[1]
SANDBOX_UID_BASE = 62000  # as root, sandbox slot N runs as uid/gid 62000 + N
ISOLATIONS = ("bwrap", "user")  # see the module docstring
# The runner's environment in either isolation, beside its HOME and PYTHONPATH: one thread per library, since
# the limits count processes and CPU seconds; no plots on screen; no debugger checks slowing the start.
RUNNER_ENV = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1",
              "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create its namespaces on this machine."""


@dataclass
class Limits:
    cell_seconds: float = 60.0  # wall time for one cell
    total_seconds: float = 600.0  # wall time for the whole notebook
    cpu_seconds: int = 600  # CPU time of each process
    memory_bytes: int = 3 * 1024**3  # address space of each process
    processes: int = 64  # processes and threads, beyond what the user already runs
    output_bytes: int = 512 * 1024**2  # report channel


@dataclass
class CellRun:
    """What happened when a notebook ran: answers as reported after each finished cell."""
    values: dict[str, Any] = field(default_factory=dict)  # name -> encoded value (latest)
    calls: dict[str, dict] = field(default_factory=dict)  # function name -> {probe key: outcome}
    errors: dict[int, str] = field(default_factory=dict)  # cell index -> error text
    finished: bool = False
    timed_out_cell: Optional[int] = None  # index of the cell that ran too long
    stopped: Optional[str] = None  # why the run ended early, if it did
    seconds: float = 0.0


def bwrap_path() -> str:
    path = shutil.which("bwrap")
    if not path:
        raise SandboxUnavailable("bubblewrap (`bwrap`) is not installed: `apt-get install bubblewrap`")
    return path


def _ro_binds() -> list[str]:
    """Read-only binds: system files, this Python (and its virtual environment), the toolkit."""
    paths: list[Path] = []
    for p in ("/usr", "/lib", "/lib64", "/bin", "/etc/alternatives", "/etc/ld.so.cache"):
        if Path(p).exists():
            paths.append(Path(p))
    prefixes = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
                Path(sysconfig.get_paths()["purelib"]), Path(sysconfig.get_paths()["stdlib"])}
    for p in sorted(prefixes, key=lambda p: len(p.parts)):
        if not any(p.is_relative_to(q) for q in paths):
            paths.append(p)
    import scored

    paths.append(Path(scored.__file__).resolve().parent)  # the toolkit, even from a checkout
    args: list[str] = []
    parents = sorted({a for p in paths for a in Path(p).parents if str(a) != "/"}, key=lambda a: len(a.parts))
    for parent in parents:  # traversable by the sandbox user even where the host's are not (/root)
        if not any(parent.is_relative_to(q) for q in paths):
            args += ["--perms", "0755", "--dir", str(parent)]
    for p in paths:
        kind = "--ro-bind" if not Path(p).is_symlink() else "--symlink"
        if kind == "--symlink":
            args += ["--symlink", os.readlink(p), str(p)]
        else:
            args += ["--ro-bind", str(p), str(p)]
    return args


def _user_process_count(uid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry}/task"))
            except OSError:
                pass
    return count


def command(workdir: Path, city: Optional[Path], uid: Optional[int] = None,
            capstone: Optional[Path] = None) -> list[str]:
    """The ``bwrap`` command line that runs the runner on ``job.json`` in ``workdir`` (mounted at ``/sandbox``).

    As a normal user, bwrap builds the sandbox in a user namespace of its own. As root, it builds it
    without one (so it can read root-only install paths such as ``/root/.pyenv``) and ``setpriv`` then
    drops to the unprivileged ``uid`` before any submitted code runs, so the process limit holds.
    """
    if uid is None:
        namespaces = ["--unshare-all", "--cap-drop", "ALL"]
        drop: list[str] = []
    else:
        namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                      "--unshare-cgroup-try"]
        drop = _drop_to(uid)
    # The private /tmp comes first: binds after it may sit inside it (a checkout or venv under /tmp).
    cmd = [bwrap_path(), *namespaces, "--die-with-parent", "--new-session",
           "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
           *_ro_binds(),
           "--bind", str(workdir), "/sandbox", "--chdir", "/sandbox",
           "--clearenv", "--setenv", "HOME", "/tmp", "--setenv", "PYTHONPATH", "/sandbox"]
    for name, value in RUNNER_ENV.items():
        cmd += ["--setenv", name, value]
    if city is not None:
        cmd += ["--ro-bind", str(city), "/city", "--setenv", "SCORED_CITY", "/city"]
    if capstone is not None:
        cmd += ["--ro-bind", str(capstone), "/capstone.json", "--setenv", "SCORED_CAPSTONE", "/capstone.json"]
    return cmd + drop + [sys.executable, "-u", "/sandbox/runner.py", "/sandbox/job.json"]


def _drop_to(uid: int) -> list[str]:
    """setpriv's arguments that run the rest of a command line as ``uid``, with no capabilities left."""
    return [shutil.which("setpriv") or "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]


def user_command(workdir: Path, uid: int) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that run the runner as ``uid`` without bwrap (``isolation="user"``).

    The city and capstone are copies inside ``workdir`` (see :func:`run_cells`).
    """
    env = {"HOME": str(workdir), "TMPDIR": str(workdir / "tmp"), "PYTHONPATH": str(workdir), **RUNNER_ENV}
    if (workdir / "city").is_dir():
        env["SCORED_CITY"] = str(workdir / "city")
    if (workdir / "capstone.json").is_file():
        env["SCORED_CAPSTONE"] = str(workdir / "capstone.json")
    return _drop_to(uid) + [sys.executable, "-u", str(workdir / "runner.py"), str(workdir / "job.json")], env


def bwrap_usable() -> bool:
    """Whether bwrap is installed and may create its namespaces here (containers often forbid it)."""
    try:
        bwrap = bwrap_path()
    except SandboxUnavailable:
        return False
    probe = [bwrap, "--unshare-pid", "--unshare-net", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
             "true"]
    return subprocess.run(probe, capture_output=True, timeout=30, check=False).returncode == 0


def _kill_user(uid: int) -> None:
    """Kill every process ``uid`` still runs (user isolation has no PID namespace to take them down).

    A few rounds, since a process may fork while the first round runs (the process limit bounds it).
    """
    for _ in range(5):
        found = False
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    if os.stat(f"/proc/{entry}").st_uid == uid:
                        os.kill(int(entry), signal.SIGKILL)
                        found = True
                except OSError:
                    pass
        if not found:
            return
        time.sleep(0.05)


def run_cells(cells: list[str], answers: list[str], probes: dict, city: Optional[Path],
              limits: Limits = Limits(), slot: int = 0, files: Optional[dict[str, Path]] = None,
              capstone: Optional[Path] = None, isolation: str = "bwrap") -> CellRun:
    """Run ``cells`` in a fresh sandbox; return the answers reported after the last finished cell."""
    if isolation not in ISOLATIONS:
        raise ValueError(f"isolation must be one of {ISOLATIONS}, got {isolation!r}")
    if isolation == "user" and os.getuid() != 0:
        raise SandboxUnavailable("isolation='user' runs the submission as another user, which needs root")
    outcome = CellRun()
    started = time.monotonic()
    as_root = os.getuid() == 0
    uid = SANDBOX_UID_BASE + slot if as_root else os.getuid()
    # User isolation has no private mounts: its folder sits where the sandbox user can reach it.
    workdir = Path(tempfile.mkdtemp(prefix="scored-sandbox-", dir="/tmp" if isolation == "user" else None))
    proc = None
    try:
        shutil.copy(RUNNER, workdir / "runner.py")
        shutil.copy(CHECKS, workdir / "scored_checks.py")
        if isolation == "user":
            (workdir / "tmp").mkdir()
            files = {**(files or {}), **({"city": city} if city is not None else {}),
                     **({"capstone.json": capstone} if capstone is not None else {})}
        for name, path in (files or {}).items():
            target = workdir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            (shutil.copytree if path.is_dir() else shutil.copy)(path, target)
        (workdir / "job.json").write_text(json.dumps({"cells": cells, "answers": answers,
                                                      "probes": probes}))
        if as_root:
            for path in [workdir, *workdir.rglob("*")]:
                os.chown(path, uid, uid)
        nproc = limits.processes + (0 if as_root else _user_process_count(uid))

        def limit() -> None:  # in the child, before exec: these limits hold for the whole tree
            resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
            resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024**2, 256 * 1024**2))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        if isolation == "user":
            cmd, env = user_command(workdir, uid)
            cwd = str(workdir)
        else:
            cmd, env, cwd = command(workdir, city, uid if as_root else None, capstone), None, "/"
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, preexec_fn=limit, start_new_session=True, cwd=cwd)
        _read_reports(proc, outcome, limits, started)
        if not outcome.finished and outcome.stopped is None:
            err = proc.stderr.read(2000).decode(errors="replace").strip() if proc.stderr else ""
            outcome.stopped = "the notebook stopped early" + (f": {err.splitlines()[-1]}" if err else "")
    finally:
        if proc is not None:
            _kill(proc)
        if isolation == "user":
            _kill_user(uid)
        if os.getuid() == 0:  # files the sandbox user left behind
            subprocess.run(["rm", "-rf", "--one-file-system", str(workdir)], check=False)
        shutil.rmtree(workdir, ignore_errors=True)
        outcome.seconds = round(time.monotonic() - started, 2)
    return outcome


def _read_reports(proc: subprocess.Popen, outcome: CellRun, limits: Limits, started: float) -> None:
    buffer = b""
    received = 0
    cell, cell_started = None, time.monotonic()
    fd = proc.stdout.fileno()
    while True:
        now = time.monotonic()
        if cell is not None and now - cell_started > limits.cell_seconds:
            outcome.timed_out_cell = cell
            outcome.stopped = f"cell {cell + 1} ran longer than {limits.cell_seconds:g} s"
            return
        if now - started > limits.total_seconds:
            outcome.timed_out_cell = cell
            outcome.stopped = f"the notebook ran longer than {limits.total_seconds:g} s in all"
            return
        wait = min(0.5, max(0.01, limits.cell_seconds - (now - cell_started)))
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return  # the runner exited (or was killed by a limit)
        received += len(chunk)
        if received > limits.output_bytes:
            outcome.stopped = "the notebook's answers are too large to report"
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if not isinstance(event, dict):
                continue
            kind = event.get("event")
            if kind == "start" and isinstance(event.get("cell"), int):
                cell, cell_started = event["cell"], time.monotonic()
            elif kind in ("done", "finished"):
                if isinstance(event.get("values"), dict):
                    outcome.values.update(event["values"])
                if isinstance(event.get("calls"), dict):
                    outcome.calls.update(event["calls"])
                if kind == "done" and event.get("error") and isinstance(event.get("cell"), int):
                    outcome.errors[event["cell"]] = str(event["error"])[:300]
                cell = None
                if kind == "finished":
                    outcome.finished = True
                    return


def _kill(proc: subprocess.Popen) -> None:
    """Kill the sandbox and everything in it (its own session; bwrap's PID namespace does the rest)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass
    proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()
