"""Kernels forked from the tests' warm server (scored_site.warm_kernels) behave as ordinary kernels do.

A kernel is forked with the environment and working folder it was given, runs its cells, takes an interrupt,
and dies with whatever asked for it; a server whose imports print anything refuses to start.
"""

from __future__ import annotations

import os
import sys
import time

import nbformat
import pytest

from scored_site import exercises, warm_kernels
from scored_site.rebuild import execute


@pytest.fixture
def warm(monkeypatch):
    """A warm server for this test; kernel_env's python3 kernel is then its launcher."""
    monkeypatch.delenv(warm_kernels.ENV, raising=False)  # restored (unset) after the test
    stop = warm_kernels.start()
    monkeypatch.setenv("JUPYTER_PATH", exercises.kernel_env()["JUPYTER_PATH"])
    yield
    stop()


def test_the_kernel_spec_and_the_server_name_the_same_variable():
    assert exercises.WARM_KERNELS_ENV == warm_kernels.ENV


def _gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_a_warm_kernel_runs_in_the_folder_and_environment_it_was_given(warm, tmp_path, monkeypatch):
    monkeypatch.setenv("SCORED_PROBE", "given")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, sys\nprint(os.getcwd(), os.environ['SCORED_PROBE'], sys.executable, 'pandas' in sys.modules)")])
    execute(nb, timeout=60, resources={"metadata": {"path": str(tmp_path)}})
    cwd, probe, python, warm_pandas = nb.cells[0].outputs[0]["text"].split()
    assert (cwd, probe) == (str(tmp_path), "given")
    assert os.path.realpath(python) == os.path.realpath(sys.executable)
    assert warm_pandas == "True", "the kernel was not forked from the warm server (pandas not imported yet)"


def test_a_warm_kernel_takes_an_interrupt_and_dies_with_its_launcher(warm):
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=dict(os.environ))
    client = manager.client()
    client.start_channels()
    printed: list[str] = []
    try:
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive("import os; print(os.getpid())", timeout=30,
                                           output_hook=lambda m: printed.append(m["content"].get("text", "")))
        assert reply["content"]["status"] == "ok"
        kernel = int("".join(printed))
        assert kernel != manager.provisioner.pid, "the kernel is the launcher: it was not forked"
        client.execute("import time; time.sleep(60)")
        time.sleep(0.5)
        manager.interrupt_kernel()
        reply = client.get_shell_msg(timeout=10)
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)  # SIGKILL to the launcher: the server must kill the kernel
    assert _gone(kernel), "the forked kernel outlived its launcher"


def test_a_server_whose_imports_print_refuses_to_start(tmp_path, monkeypatch, capfd):
    (tmp_path / "noisy_module.py").write_text("import warnings\nwarnings.warn('this module is old', UserWarning)\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.delenv(warm_kernels.ENV, raising=False)
    with pytest.raises(RuntimeError, match="did not start"):
        warm_kernels.start(["noisy_module"])
    assert "UserWarning: this module is old" in capfd.readouterr().err
    assert warm_kernels.ENV not in os.environ
