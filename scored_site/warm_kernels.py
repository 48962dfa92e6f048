"""Kernels forked from a process that has already imported what the course's notebooks import (for the tests).

Every notebook the tests run (a chapter on another city, an exercise graded with the public checks) starts a
``python3`` kernel that imports ipykernel, pandas, altair and otter again: about a second of CPU before its
first cell, about 140 times in ``make test``. A *warm server* imports them once; each kernel is then a fork of it,
in a session of its own, with the environment and working folder the kernel was given. It runs the same Python,
the same ipykernel and the same cells; only the imports above are already done.

* :func:`start` starts the server for this process and the processes it starts (``$SCORED_WARM_KERNELS`` names
  its socket). While it runs, :func:`scored_site.exercises.kernel_env`'s ``python3`` kernel is the launcher
  below instead of ``ipykernel_launcher``.
* The launcher (``python -m scored_site.warm_kernels -f CONNECTION_FILE``, a Python that imports almost nothing)
  asks the server for the kernel, passes it the signals it gets (an interrupt, say) and exits as it does. If the
  launcher dies, or its parent does, the server kills the kernel, as an ordinary kernel stops when its parent
  goes. With no server, the launcher becomes an ordinary kernel.

Courses and instructors never need the server. It refuses to start if importing printed anything (a deprecation
warning, say): a fork would hide from the tests what a reader's fresh kernel shows.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import traceback
from contextlib import redirect_stderr, redirect_stdout, suppress
from typing import Callable, Optional, Sequence

ENV = "SCORED_WARM_KERNELS"  # exercises.kernel_env reads it too (as WARM_KERNELS_ENV)
#: The kernel's own modules (every kernel imports them as it starts) and the packages the course's notebooks
#: import, as far as a plain ``import`` loads them: a notebook cannot tell that they were there before it ran.
PACKAGES = ["ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython", "numpy", "pandas",
            "altair", "otter"]
#: PACKAGES, and what the course's notebooks load later: pandas' Styler (with the first table a notebook shows)
#: and the toolkit's modules (``import scored`` leaves them to their first use). A notebook run in such a kernel
#: would not notice that it forgot to import one of them; the tests run untouched student notebooks with
#: PACKAGES only.
PRELOAD = PACKAGES + ["pandas.io.formats.style", "scored", "scored.appeals", "scored.audit", "scored.dynamics",
                      "scored.privacy", "scored.scoring", "scored.viz", "scored.world"]
_KERNEL_MODULE = ["-m", "ipykernel_launcher"]


# ------------------------------------------------------------------------------------------------ the server
def serve(path: str, modules: Sequence[str] = PRELOAD) -> None:
    """Import ``modules``, then fork a kernel for each request on the Unix socket ``path``, until the process
    that started this one has gone."""
    heard = io.StringIO()
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # as for every kernel (exercises.kernel_env)
    with redirect_stdout(heard), redirect_stderr(heard):
        import warnings

        with warnings.catch_warnings(record=True) as caught:  # under Python's default filters, as a kernel's are
            for module in modules:
                __import__(module)
    said = heard.getvalue() + "".join(f"{w.category.__name__}: {w.message}\n" for w in caught)
    if said.strip():
        sys.exit(f"warm kernels: importing {list(modules)} printed something, which a fresh kernel would show:\n{said}")
    parent = os.getppid()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    print("ready", flush=True)  # start() waits for this line; the kernels write where the server's stderr goes
    os.dup2(2, 1)
    running: dict[int, Optional[socket.socket]] = {}  # kernel pid -> the connection of the process that asked
    while os.getppid() == parent:
        asking = {connection: pid for pid, connection in running.items() if connection is not None}
        ready, _, _ = select.select([listener, *asking], [], [], 0.1)
        for one in ready:
            if one is listener:
                connection, _ = listener.accept()
                pid = _fork_kernel(connection, listener, list(asking))
                if pid:
                    running[pid] = connection
            else:  # the process that asked for this kernel has gone (it never writes): the kernel goes too,
                pid = asking[one]  # as an ordinary kernel does when its parent goes
                with suppress(ProcessLookupError):  # it has already gone
                    os.killpg(pid, signal.SIGKILL)
                one.close()
                running[pid] = None
        while running:  # report the kernels that ended: their exit code, as subprocess gives it
            pid, status = os.waitpid(-1, os.WNOHANG)
            if not pid:
                break
            owner = running.pop(pid, None)
            if owner is not None:
                with suppress(OSError):  # the process that asked may have gone
                    owner.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
                owner.close()


def _fork_kernel(connection: socket.socket, listener: socket.socket, others: list[socket.socket]) -> int:
    """Fork a kernel for the request on ``connection``; in the server, return its pid (0 if refused)."""
    request = json.loads(connection.makefile().readline())
    cmd, env, cwd = request["cmd"], request["env"], request["cwd"]
    if not _is_ours(cmd):
        with suppress(OSError):  # the process that asked may have gone
            connection.sendall(f"refused: not an ipykernel command of this Python: {cmd}\n".encode())
        connection.close()
        return 0
    pid = os.fork()
    if pid:
        connection.sendall(f"{pid}\n".encode())
        return pid
    # The kernel: nothing of the server's but the imports.
    status = 1
    try:
        for mine in (listener, connection, *others):
            mine.close()
        os.setsid()
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        # Settings ipykernel read from the environment when the server imported it, read again for this kernel.
        argv = cmd[3:] + [f"--IPKernelApp.parent_handle={int(env.get('JPY_PARENT_PID') or 0)}"]
        sys.argv = [cmd[0]] + argv
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=argv)
        status = 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 0
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(status)


def _is_ours(cmd: list[str]) -> bool:
    """Whether ``cmd`` starts an ipykernel on this very Python (a kernel spec of another Python is not forked)."""
    return (len(cmd) > 3 and cmd[1:3] == _KERNEL_MODULE
            and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable))


def start(modules: Sequence[str] = PRELOAD) -> Callable[[], None]:
    """Start a warm server that has imported ``modules``, for this process and the processes it starts, and return
    the function that stops it (it also stops with this process). Nothing happens if ``$SCORED_WARM_KERNELS``
    already names one."""
    if os.environ.get(ENV):
        return lambda: None
    folder = tempfile.mkdtemp(prefix="scored-warm-")
    path = os.path.join(folder, "socket")
    server = subprocess.Popen([sys.executable, "-m", "scored_site.warm_kernels", "serve", path, *modules],
                              stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline() if server.stdout else ""
    if line.strip() != "ready":
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"the warm kernel server did not start (exit {server.returncode})")

    def stop() -> None:
        if server.poll() is None:
            server.terminate()
            server.wait()
        if server.stdout:
            server.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)
        if os.environ.get(ENV) == path:
            del os.environ[ENV]

    atexit.register(stop)
    os.environ[ENV] = path
    return stop


def _signal(pid: int, signum: int) -> None:
    with suppress(ProcessLookupError):  # the kernel has already gone
        os.kill(pid, signum)


# ------------------------------------------------------------------------------------------------ the launcher
def launch(argv: list[str]) -> None:
    """The kernel spec's command: a kernel for ``argv`` (``-f CONNECTION_FILE``) from the server, or, with no
    server, an ordinary one."""
    cmd = [sys.executable, *_KERNEL_MODULE, *argv]
    path = os.environ.get(ENV)
    if not path:
        os.execv(sys.executable, cmd)
    parent = os.getppid()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.connect(path)
    server.sendall((json.dumps({"cmd": cmd, "env": dict(os.environ), "cwd": os.getcwd()}) + "\n").encode())
    replies = server.makefile()
    answer = replies.readline().strip()
    if not answer.isdigit():
        sys.exit(f"warm kernels: the server did not start the kernel: {answer or 'no answer'}")
    kernel = int(answer)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, lambda signum, _: _signal(kernel, signum))
    while not select.select([server], [], [], 0.5)[0]:
        if os.getppid() != parent:  # the kernel's owner has gone: so do we (the server then kills the kernel)
            sys.exit(1)
    ended = replies.readline().strip()
    code = int(ended) if ended.lstrip("-").isdigit() else 1
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2], sys.argv[3:])
    else:
        launch(sys.argv[1:])
