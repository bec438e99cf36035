"""python -m optimizer solve PROBLEM.json [-o PLAN.json]: a plan on stdout or in a file.

Exit 0 with a plan; exit 2 with one line on stderr for input that breaks the contract.
"""

import argparse
import json
import os
import sys

from optimizer import ProblemError, default_workers, solve

MAX_BYTES = 50 * 1024 * 1024


def _reject_constant(name: str):
    raise ProblemError(f"{name} is not allowed in the input (numbers must be finite)")


def load(path: str) -> dict:
    """Read a problem file, refusing what is too large or not JSON, with one-line errors."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise ProblemError(f"cannot read {path}: {exc.strerror}") from None
    if size > MAX_BYTES:
        raise ProblemError(f"{path} is {size / 1e6:.0f} MB; the limit is {MAX_BYTES // 2**20} MB")
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise ProblemError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ProblemError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise ProblemError(f"{path} is nested too deeply") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m optimizer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    solve_parser = commands.add_parser("solve", help="solve a rebalance problem")
    solve_parser.add_argument("problem", help="the problem, as JSON")
    solve_parser.add_argument("-o", "--output", help="write the plan here instead of stdout")
    solve_parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="processes solving items in parallel (default: up to 4, one per core)",
    )
    args = parser.parse_args(argv)
    try:
        plan = solve(load(args.problem), workers=max(1, args.workers))
    except ProblemError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(plan, ensure_ascii=False, indent=2)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
