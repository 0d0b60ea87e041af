"""`python -m bench [NAME ...]`: run the named benchmarks (default: all) and print their figures as JSON lines."""

import argparse
import importlib
import json
import pkgutil
import sys
from pathlib import Path

import bench
from earshot.runtime import tune_gc


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="./dev bench", description="Run Earshot's benchmarks.")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all): {', '.join(available())}")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    parser.add_argument("--out", type=Path, help="also append the results as JSON lines to this file")
    args = parser.parse_args(argv)
    tune_gc()  # as every earshot command does
    unknown = sorted(set(args.names) - set(available()))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(available())}")
    for name in args.names or available():
        result = importlib.import_module(f"bench.{name}").run(quick=args.quick)
        line = json.dumps({"benchmark": name, **result}, sort_keys=True)
        print(line, flush=True)
        if args.out:
            with args.out.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
