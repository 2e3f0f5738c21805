#!/usr/bin/env python3
"""Times the release binary against the parse floor on both corpus families, in one run.

Corpora:
  ours  benches/corpus.py (medium = --scale 1, large = --scale 5; it has no small size);
  gen   the independent generator gen_corpus.py (--kind all --scale small|medium|large),
        which lives outside this repository: its path comes from --gen, else the
        CLUMIO_BENCH_GEN variable, else ../shared/bench/gen_corpus.py next to the checkout
        (or next to the main checkout of a git worktree); the run says so when it is missing;
  dense a one-line plan JSON with N findings (benches/one_line_plan.py, default 80,000).
The generated CloudFormation corpus is also timed as its YAML and its JSON templates apart
(copies in target/bench/gen/cfn-SCALE-yaml and -json), for information: the target is the
whole corpus's.

For every corpus, the checker (`--format json --fail-on never --no-config`) and the parse
floor (examples/parse_floor.rs: every file read and parsed with hcl-edit / serde_json /
saphyr-parser, nothing checked) run --runs times each, interleaved, and the table gives the
medians of wall time and of CPU time (user + system), the ratios checker / floor, and the
peak resident memory of each (GNU time's, in runs of their own; else wait4's). The peak of
the checker on a one-resource plan, what the program takes whatever it reads, is printed
first. On a shared machine, wall times follow the load; CPU times much less so.

usage: benches/bench.py [--scale small,medium,large] [--families ours,gen,dense] [--runs 5]
                        [--gen PATH] [--bin BINARY] [--floor BINARY] [--outputs DIR]
                        [--dense-findings N] [--no-build]
  --outputs DIR  writes each corpus's JSON report to DIR/NAME.json (for byte-identical checks)
  --no-build     uses the binaries as they are (else `cargo build --release` builds both)
"""
import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "bench")
# Targets of issue 18, as checker time / floor time.
TARGETS = {"terraform": 1.0, "plan": 1.3, "cloudformation": 1.5}


# GNU time, which reports the peak of the program it starts alone. The peak wait4 reports
# is no lower than this interpreter's memory (about 13 MB): a process started from it
# counts what it had before it became the program (Linux keeps the larger peak on exec).
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_once(argv, stdout=subprocess.DEVNULL):
    """Runs argv; returns (wall seconds, CPU seconds (user + system), peak RSS in MB, exit
    status)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def peak_of(argv):
    """The peak resident memory of argv in MB, measured by GNU time in a run of its own
    (else wait4's figure, see GNU_TIME)."""
    if GNU_TIME is None:
        return run_once(argv)[2]
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as out:
        subprocess.run([GNU_TIME, "-f", "%M", "-o", out.name, *argv],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(out.read().strip().splitlines()[-1]) / 1024


def tree_size(path):
    if os.path.isfile(path):
        return 1, os.path.getsize(path)
    files = total = 0
    for d, _, names in os.walk(path):
        for n in names:
            files += 1
            total += os.path.getsize(os.path.join(d, n))
    return files, total


def gen_script(arg):
    """--gen, else CLUMIO_BENCH_GEN, else ../shared/bench/gen_corpus.py next to this checkout
    (or next to the main checkout, for a git worktree)."""
    path = arg or os.environ.get("CLUMIO_BENCH_GEN")
    if path:
        return os.path.abspath(path)
    tail = os.path.join("..", "shared", "bench", "gen_corpus.py")
    candidates = [os.path.join(ROOT, tail)]
    common = subprocess.run(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
                            cwd=ROOT, capture_output=True, text=True).stdout.strip()
    if common:
        candidates.append(os.path.join(os.path.dirname(common), tail))
    found = [c for c in candidates if os.path.isfile(c)]
    return os.path.abspath(found[0] if found else candidates[0])


def split_by_syntax(source, dest, extensions):
    """The files of `source` whose names end in one of `extensions`, copied flat into
    `dest` (made once; a name met twice stops the run rather than overwrite a file)."""
    if not os.path.isdir(dest):
        tmp = dest + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        for d, _, names in os.walk(source):
            for n in names:
                if n.endswith(extensions):
                    copy = os.path.join(tmp, n)
                    if os.path.exists(copy):
                        sys.exit(f"bench: two templates named {n} in {source}: cannot split it flat")
                    shutil.copyfile(os.path.join(d, n), copy)
        os.rename(tmp, dest)
    return dest


def corpora(families, scales, gen, dense_findings):
    """Yields (name, kind, path) for every corpus asked for, generating what is missing."""
    os.makedirs(WORK, exist_ok=True)
    for family in families:
        if family == "dense":
            path = os.path.join(WORK, f"dense-{dense_findings}.json")
            if not os.path.isfile(path):
                subprocess.run([sys.executable, os.path.join(ROOT, "benches", "one_line_plan.py"),
                                path, str(dense_findings)], check=True)
            yield f"dense/{dense_findings}-findings", "dense", path
            continue
        if family == "gen" and not os.path.isfile(gen):
            print(f"note: the independent generator is missing at {gen} (give --gen PATH or "
                  "CLUMIO_BENCH_GEN); its corpora are skipped", file=sys.stderr)
            continue
        for scale in scales:
            if family == "ours":
                n = {"medium": 1, "large": 5}.get(scale)
                if n is None:
                    continue
                out = os.path.join(WORK, f"ours-{scale}")
                if not os.path.isdir(out):
                    subprocess.run([sys.executable, os.path.join(ROOT, "benches", "corpus.py"),
                                    out, "--scale", str(n)], check=True)
                yield f"ours/terraform/{scale}", "terraform", os.path.join(out, "terraform")
                yield f"ours/plan/{scale}", "plan", os.path.join(out, "plan", "plan.json")
                yield f"ours/cloudformation/{scale}", "cloudformation", os.path.join(out, "cloudformation")
            elif family == "gen":
                out = os.path.join(WORK, "gen")
                kinds = [("terraform", f"terraform-{scale}", "terraform"),
                         ("plan", f"plan-{scale}", "plan"),
                         ("cfn", f"cfn-{scale}", "cloudformation")]
                for gen_kind, folder, kind in kinds:
                    if gen_kind == "cfn" and scale == "large":
                        continue  # gen_corpus.py has no large CloudFormation corpus
                    if not os.path.exists(os.path.join(out, f"{folder}.manifest.json")):
                        subprocess.run([sys.executable, gen, "--out", out, "--kind", gen_kind,
                                        "--scale", scale], check=True)
                    path = os.path.join(out, folder)
                    if kind == "plan":
                        path = os.path.join(path, "plan.json")
                    yield f"gen/{kind}/{scale}", kind, path
                    if kind == "cloudformation":
                        # The same templates timed apart by syntax: the floor of a JSON
                        # template (serde_json) is a fraction of a YAML one's (saphyr), while
                        # checking it costs the same.
                        for syntax, exts in (("yaml", (".yaml", ".yml")), ("json", (".json",))):
                            part = split_by_syntax(path, f"{path}-{syntax}", exts)
                            yield f"gen/{kind}/{scale} ({syntax.upper()} only)", "part", part
            else:
                print(f"note: unknown corpus family {family}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", default="small,medium")
    p.add_argument("--families", default="ours,gen,dense")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--gen")
    p.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "clumio-preflight"))
    p.add_argument("--floor", default=os.path.join(ROOT, "target", "release", "examples", "parse_floor"))
    p.add_argument("--outputs")
    p.add_argument("--dense-findings", type=int, default=80000)
    p.add_argument("--no-build", action="store_true")
    args = p.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "clumio-preflight",
                        "--example", "parse_floor"], cwd=ROOT, check=True)
    for what, path in (("checker", args.bin), ("parse floor", args.floor)):
        if not os.access(path, os.X_OK):
            sys.exit(f"bench.py: the {what} binary {path} is missing (build it with `cargo build "
                     "--release --bin clumio-preflight --example parse_floor`, or drop --no-build)")
    families = args.families.split(",")
    scales = args.scale.split(",")
    gen = gen_script(args.gen)
    if args.outputs:
        os.makedirs(args.outputs, exist_ok=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
          f"medians of {args.runs} runs")
    if GNU_TIME is None:
        print("note: GNU time (/usr/bin/time) is missing: the peaks are wait4's, never below "
              "this interpreter's memory (about 13 MB)", file=sys.stderr)
    tiny = os.path.join(ROOT, "testdata", "plan", "real", "new-bucket-arn-policy", "plan.json")
    own = max(peak_of([args.bin, tiny, "--format", "json", "--fail-on", "never", "--no-config"])
              for _ in range(3))
    print(f"the checker's own peak (a one-resource plan): {own:.1f} MB")
    print("| corpus | files | MB | findings | checker s | floor s | ratio | target | "
          "checker CPU s | floor CPU s | CPU ratio | checker peak MB | floor peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, kind, path in corpora(families, scales, gen, args.dense_findings):
        files, size = tree_size(path)
        checker = [args.bin, path, "--format", "json", "--fail-on", "never", "--no-config"]
        floor = [args.floor, path]
        findings = "?"
        report = (os.path.join(args.outputs, re.sub(r"[^A-Za-z0-9.]+", "-", name).strip("-") + ".json")
                  if args.outputs else None)
        with open(report or os.devnull, "wb") as out:
            run_once(checker, stdout=out)  # warm the page cache
        if report:
            # Counted in a process of its own: loading a large report here would grow this
            # one, and every process it starts would then count that memory in its peak.
            count = subprocess.run(
                [sys.executable, "-c",
                 "import json, sys; print(len(json.load(open(sys.argv[1], encoding='utf-8'))"
                 ".get('diagnostics', [])))", report],
                capture_output=True, text=True)
            findings = count.stdout.strip() if count.returncode == 0 else "?"
        run_once(floor)
        times, cpus, peaks, ftimes, fcpus, fpeaks = [], [], [], [], [], []
        for _ in range(args.runs):
            wall, cpu, _, code = run_once(checker)
            if code not in (0, 1):
                print(f"note: {name}: the checker exited with {code}", file=sys.stderr)
            times.append(wall)
            cpus.append(cpu)
            wall, cpu, _, _ = run_once(floor)
            ftimes.append(wall)
            fcpus.append(cpu)
            peaks.append(peak_of(checker))
            fpeaks.append(peak_of(floor))
        t, f = statistics.median(times), statistics.median(ftimes)
        c, fc = statistics.median(cpus), statistics.median(fcpus)
        target = TARGETS.get(kind)
        if kind == "dense":
            verdict = "< 1 s: " + ("met" if t < 1.0 else "NOT met")
        elif kind == "part":
            verdict = "(a part of the corpus above)"
        else:
            verdict = f"≤ {target}×: " + ("met" if t / f <= target else "NOT met")
        if kind == "plan":
            verdict += f"; peak ≤ input: {'met' if max(peaks) <= size / 2**20 else 'NOT met'}"
        print(f"| {name} | {files} | {size / 2**20:.1f} | {findings} | {t:.3f} | {f:.3f} | "
              f"{t / f:.2f}× | {verdict} | {c:.2f} | {fc:.2f} | {c / fc:.2f}× | "
              f"{max(peaks):.0f} | {max(fpeaks):.0f} |", flush=True)


if __name__ == "__main__":
    main()
