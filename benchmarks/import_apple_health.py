"""Benchmark: importing a large Apple Health export, against healthkit-to-sqlite.

Generates a realistic ``export.xml`` (most records are watch heart-rate and energy
samples, as in real exports), then imports the same file with ``walkrx import`` (into a
fresh SQLite database, all database writes included) and with the baseline,
healthkit-to-sqlite (installed on first use into benchmarks/.venv-baseline), taking
turns. Both record layouts are measured: records grouped by type, then source, then date,
as real exports list them, and records in order of time, which spreads the few records
walkrx reads evenly through the file. Prints the median wall time, throughput, processor
time and peak memory of each tool per layout, and checks the targets on every layout:

- walkrx takes at most 1/20 of the baseline's time;
- walkrx's peak memory stays under 250 MB.

Usage::

    python benchmarks/import_apple_health.py [--mb 300] [--runs 3]
        [--layout grouped|time|both] [--database-url URL]

Exit status 0 when the targets are met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASELINE = "healthkit-to-sqlite==1.0.1"
BASELINE_VENV = HERE / ".venv-baseline"
TARGET_RATIO = 1 / 20
TARGET_PEAK_MB = 250


@dataclass
class Run:
    name: str
    seconds: float
    peak_mb: float
    returncode: int
    # Processor time (user + system) of the process and the children it waited for: the
    # wall time minus this is roughly the time spent waiting, mostly for the disk.
    cpu_seconds: float = 0.0


def timed(name: str, command: list[str], env: dict[str, str], *, sample: bool = False) -> Run:
    """Run a command; wall time and peak memory.

    Peak memory is the process's own peak RSS (from wait4), and with ``sample`` the
    larger of that and the peak, sampled every 20 ms, of the summed proportional set size
    (PSS) of the process and its children: walkrx reads big exports in several
    processes, whose memory counts too (PSS shares the pages they have in common).
    Sampling takes processor time from what it measures, so timed runs are not sampled
    and memory is measured in runs of its own. Written data still waiting in memory is
    flushed to disk first, so one run's delayed writes do not land in the next.
    """
    os.sync()
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    peak_tree = [0]
    done = threading.Event()
    sampler = threading.Thread(target=sample_tree_pss, args=(process.pid, peak_tree, done))
    if sample:
        sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    if sample:
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    peak_mb = max(usage.ru_maxrss / 1024, peak_tree[0] / 1024)
    cpu = usage.ru_utime + usage.ru_stime
    return Run(name, seconds, peak_mb, process.returncode, cpu)


def sample_tree_pss(pid: int, peak: list[int], done: threading.Event) -> None:
    """Record in ``peak[0]`` the highest summed PSS (kB) of ``pid`` and its descendants."""
    while not done.wait(0.02):
        total = 0
        for member in tree(pid):
            try:
                text = Path(f"/proc/{member}/smaps_rollup").read_text()
            except OSError:
                continue
            for line in text.splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        peak[0] = max(peak[0], total)


def tree(pid: int) -> list[int]:
    members, index = [pid], 0
    while index < len(members):
        try:
            children = Path(f"/proc/{members[index]}/task/{members[index]}/children").read_text()
        except OSError:
            children = ""
        members.extend(int(child) for child in children.split())
        index += 1
    return members


def baseline_command() -> list[str]:
    tool = BASELINE_VENV / "bin" / "healthkit-to-sqlite"
    if not tool.exists():
        print(f"Installing the baseline ({BASELINE}) into {BASELINE_VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(BASELINE_VENV)], check=True)
        subprocess.run(
            [str(BASELINE_VENV / "bin" / "pip"), "install", "--quiet", BASELINE], check=True
        )
    return [str(tool)]


def make_export(workdir: Path, megabytes: float, *, grouped: bool) -> Path:
    sys.path.insert(0, str(HERE))
    from apple_health_generate import generate

    raw = workdir / "raw.xml"
    generate(raw, megabytes, seed=1, grouped=grouped)
    # The baseline stops at the first stray control character (which real exports
    # sometimes hold and walkrx tolerates), so both tools read a file without them.
    clean = workdir / "export.xml"
    with raw.open("rb") as source, clean.open("wb") as target:
        for chunk in iter(lambda: source.read(8 * 1024 * 1024), b""):
            target.write(chunk.replace(b"\x0b", b""))
    raw.unlink()
    return clean


def walkrx_env(home: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WALKRX_")}
    env.update(WALKRX_HOME=str(home), DATABASE_URL=database_url, WALKRX_LOG_LEVEL="WARNING")
    return env


def compile_walkrx() -> None:
    """Compile walkrx's bytecode, as installing a package does (the baseline's was).

    A checkout installed in editable mode compiles its modules on first use and caches
    them, unless PYTHONDONTWRITEBYTECODE is set: then every start would compile them
    again, which is not how walkrx runs once installed.
    """
    import walkrx

    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(walkrx.__file__).parent)],
        check=True,
    )


def run_walkrx(
    export: Path, workdir: Path, database_url: str, index: str, *, sample: bool = False
) -> Run:
    home = workdir / f"walkrx-home-{index}"
    env = walkrx_env(home, database_url)
    walkrx = [sys.executable, "-m", "walkrx"]
    email = f"bench{index}@example.org"
    subprocess.run([*walkrx, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*walkrx, "patients", "add", "--email", email, "--name", "Bench Mark"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return timed(
        "walkrx import",
        [*walkrx, "import", str(export), "--patient", email, "--quiet"],
        env,
        sample=sample,
    )


def run_baseline(export: Path, workdir: Path, index: str) -> Run:
    database = workdir / f"baseline-{index}.db"
    return timed(
        "healthkit-to-sqlite",
        [*baseline_command(), "--xml", "--silent", str(export), str(database)],
        dict(os.environ),
    )


LAYOUTS = {"grouped": True, "time": False}


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def measure(args: argparse.Namespace, workdir: Path, layout: str) -> bool:
    """Run both tools on one layout; print the figures; True when the targets are met."""
    label = "grouped by type, as exported" if LAYOUTS[layout] else "in order of time"
    print(f"\nGenerating a {args.mb:g} MB Apple Health export, records {label} ...", flush=True)
    export = make_export(workdir, args.mb, grouped=LAYOUTS[layout])
    size_mb = export.stat().st_size / 1e6
    ours, theirs = [], []
    for index in range(args.runs):
        ours.append(run_walkrx(export, workdir, args.database_url, f"{layout}-{index}"))
        theirs.append(run_baseline(export, workdir, f"{layout}-{index}"))
    for run in (*ours, *theirs):
        if run.returncode != 0:
            print(f"{run.name} failed with exit status {run.returncode}")
            return False
    typical_ours, typical_theirs = median_run(ours), median_run(theirs)
    print(f"File: {export.name}, {size_mb:,.1f} MB, records {label}; median of {args.runs}")
    print(f"{'tool':<22}{'seconds':>10}{'MB/s':>10}{'CPU seconds':>14}")
    for run in (typical_ours, typical_theirs):
        print(
            f"{run.name:<22}{run.seconds:>10.2f}{size_mb / run.seconds:>10.1f}"
            f"{run.cpu_seconds:>14.2f}"
        )
    ratio = typical_ours.seconds / typical_theirs.seconds
    sampled = run_walkrx(export, workdir, args.database_url, f"{layout}-memory", sample=True)
    peak = max(sampled.peak_mb, *(run.peak_mb for run in ours))
    print(
        f"walkrx / baseline time: {ratio:.4f} (target <= {TARGET_RATIO:.4f}, "
        f"i.e. {1 / ratio:.1f}x faster; target 20x)"
    )
    print(
        f"peak memory: walkrx {peak:.0f} MB (all its processes; target < {TARGET_PEAK_MB} MB),"
        f" baseline {max(run.peak_mb for run in theirs):.0f} MB"
    )
    export.unlink()
    return ratio <= TARGET_RATIO and peak < TARGET_PEAK_MB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=300.0, help="export size (default 300)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each tool (default 3)")
    parser.add_argument("--layout", choices=[*LAYOUTS, "both"], default="both")
    parser.add_argument(
        "--database-url", default="", help="walkrx database (default: SQLite in a temp dir)"
    )
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="walkrx-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        compile_walkrx()
        layouts = list(LAYOUTS) if args.layout == "both" else [args.layout]
        met = [measure(args, workdir, layout) for layout in layouts]
    print("\nTARGETS MET" if all(met) else "\nTARGETS NOT MET")
    return 0 if all(met) else 1


if __name__ == "__main__":
    raise SystemExit(main())
