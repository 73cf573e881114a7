"""Run every benchmark module in bench/ with the same --scale: `python -m bench --scale 10k`.

Each module is runnable on its own (`python -m bench.<name> --scale 10k`) and exposes main(argv). Each runs in
its own process: several set up Django in-process on a database of their own, which one process could not
switch between."""
import argparse
import os
import pkgutil
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", default="10k", help="10k | 100k | 1m")
    parser.add_argument("--only", nargs="*", default=None, help="run only these modules")
    args, rest = parser.parse_known_args(argv)
    failed: list[str] = []
    # one loaded demo per run (bench/_site.py); a cache named by the caller is kept (a 1M county loads once)
    kept = os.environ.get("YIGONGTI_BENCH_CACHE")
    cache = kept or tempfile.mkdtemp(prefix="yigongti-bench-cache-")
    env = {**os.environ, "YIGONGTI_BENCH_CACHE": cache}
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("_") or (args.only and info.name not in args.only):
            continue
        print(f"=== bench.{info.name} (scale {args.scale}) ===", flush=True)
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", f"bench.{info.name}", "--scale", args.scale, *rest],
                              cwd=Path(__file__).resolve().parents[1], env=env, check=False)
        if done.returncode:
            failed.append(info.name)
        status = f"FAILED (exit {done.returncode})" if done.returncode else "ok"
        print(f"--- bench.{info.name} {status}, took {time.monotonic() - started:.1f}s", flush=True)
    if not kept:
        shutil.rmtree(cache, ignore_errors=True)
    if failed:
        print(f"=== {len(failed)} benchmark(s) failed: {', '.join(failed)} ===", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
