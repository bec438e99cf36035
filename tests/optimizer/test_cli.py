"""python -m optimizer solve: a plan on stdout or in a file; exit 2 and one line on bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.optimizer.test_cases import worked

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "optimizer", "solve", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_plan_on_stdout_and_in_a_file(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(worked()), encoding="utf-8")
    result = run(path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["shortage_cost"] == 0
    out = tmp_path / "plan.json"
    assert run(path, "-o", out).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))["status"] == "optimal"


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not valid JSON"),
        (
            '{"version": 1, "facilities": [], "items": [], "stock": [], "policy": {}}',
            "at least one facility",
        ),
        (json.dumps(worked()).replace('"daily_need": 20', '"daily_need": NaN'), "NaN"),
        (json.dumps(worked()).replace('"daily_need": 20', '"daily_need": Infinity'), "Infinity"),
        (json.dumps(worked()).replace('"on_hand": 500', '"on_hand": -5'), "negative"),
        (json.dumps(worked()).replace('"facility": "A"', '"facility": "Q"', 1), "unknown facility"),
        (
            json.dumps(worked()).replace('"cost_per_day": 10}', '"cost_per_day": 200}'),
            "strictly decrease",
        ),
        ("[1, 2, 3]", "must be an object"),
        (b"\xff\xfe garbage", "not UTF-8"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, content, message):
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = run(path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_missing_and_huge_files(tmp_path):
    result = run(tmp_path / "nope.json")
    assert result.returncode == 2 and "cannot read" in result.stderr
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as fh:  # sparse: 100 MB on paper, nothing on disk
        fh.truncate(100 * 1024 * 1024)
    result = run(huge)
    assert result.returncode == 2 and "limit" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
