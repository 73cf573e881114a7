"""Run every benchmark module in bench/ with the same --scale: `python -m bench --scale 10k`.

Each module is runnable on its own (`python -m bench.<name> --scale 10k`) and exposes main(argv)."""
import argparse
import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", default="10k", help="10k | 100k | 1m")
    parser.add_argument("--only", nargs="*", default=None, help="run only these modules")
    args, rest = parser.parse_known_args(argv)
    failures = 0
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("_") or (args.only and info.name not in args.only):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if not hasattr(module, "main"):
            continue
        print(f"=== bench.{info.name} (scale {args.scale}) ===", flush=True)
        started = time.monotonic()
        failures += bool(module.main(["--scale", args.scale, *rest]))
        print(f"--- bench.{info.name} took {time.monotonic() - started:.1f}s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
