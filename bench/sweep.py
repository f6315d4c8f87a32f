"""Benchmark `tocsin sweep` against `grep -F -f` and `cat` on one generated corpus.

The corpus (squid access.log, BIND query log, sha256sum list) and the indicator list are generated
from a fixed seed, with planted hits and planted near-misses (`xevil.com`, `evil.com.example.net`,
an indicator inside a URL query, an md5 indicator as the prefix of a longer digest, an address just
outside an indicator network), and cached under bench/.cache/. Each tool runs on the same files in
the same run; the last line printed is the JSON result.

    python bench/sweep.py            # ~1 GB, 200,000 indicators, plus the 1,000,000-indicator check
    python bench/sweep.py --quick    # ~100 MB, 20,000 indicators, under a minute
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
BAD_TLDS = ("com", "net", "org", "info", "biz", "xyz", "top", "ru", "io", "cc")
GOOD_TLDS = ("fr", "com", "net", "org", "eu", "de")
SHARES = {"squid.log": 0.45, "bind.log": 0.35, "hashes.txt": 0.20}
PLANTED = {"squid.log": 300, "bind.log": 240, "hashes.txt": 180}
NEAR_MISS_RATE = 0.0045  # per line: about 36,000 near-miss lines in 1 GB
START = 1_793_000_000.0  # 2026-10-26


class Words:
    """Pronounceable random labels from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def label(self, low: int = 5, high: int = 11) -> str:
        rng = self.rng
        return "".join(
            rng.choice("bcdfghjklmnprstvz") + rng.choice("aeiou")
            for _ in range(rng.randint(low, high) // 2)
        ) + rng.choice("bdklmnrstx")


def _is_listed(host: str, domains: set[str]) -> bool:
    labels = host.split(".")
    return any(".".join(labels[i:]) in domains for i in range(len(labels)))


def make_indicators(rng: random.Random, count: int) -> dict[str, list[str]]:
    """Domains, sha256, md5, IPv4 and /24 networks, in fixed proportions."""
    words = Words(rng)
    domains: set[str] = set()
    while len(domains) < count * 50 // 100:
        domains.add(f"{words.label()}.{rng.choice(BAD_TLDS)}")
    sha256 = {f"{rng.getrandbits(256):064x}" for _ in range(count * 35 // 100)}
    md5 = {f"{rng.getrandbits(128):032x}" for _ in range(count * 5 // 100)}
    ips: set[str] = set()
    while len(ips) < count * 8 // 100:
        ips.add(
            f"{rng.choice((45, 91, 103, 176))}.{rng.randrange(256)}.{rng.randrange(256)}."
            f"{rng.randrange(1, 255)}"
        )
    nets = {
        f"185.{rng.randrange(256)}.{rng.randrange(0, 256, 2)}.0/24"
        for _ in range(count - len(domains) - len(sha256) - len(md5) - len(ips))
    }
    return {
        "domain": sorted(domains),
        "sha256": sorted(sha256),
        "md5": sorted(md5),
        "ipv4": sorted(ips),
        "cidr": sorted(nets),
    }


class Lines:
    """Benign, planted and near-miss lines of the three log formats."""

    def __init__(self, rng: random.Random, iocs: dict[str, list[str]]) -> None:
        self.rng, self.iocs = rng, iocs
        words = Words(rng)
        listed = set(iocs["domain"])
        pool: set[str] = set()
        while len(pool) < 30_000:
            name = f"{words.label(4, 9)}.{rng.choice(GOOD_TLDS)}"
            if not _is_listed(name, listed):
                pool.add(name)
        self.hosts = sorted(pool)
        self.paths = [
            "/" + "/".join(words.label(2, 6) for _ in range(rng.randint(1, 4))) for _ in range(5000)
        ]
        self.files = [
            f"/srv/partage/{words.label(3, 6)}/{words.label(4, 9)}.{ext}"
            for ext in ("docx", "pdf", "xlsx", "exe", "dll")
            for _ in range(2000)
        ]
        self.time = START

    def _tick(self) -> float:
        self.time += 0.004
        return self.time

    def _host(self) -> str:
        host = self.rng.choice(self.hosts)
        return (
            host if self.rng.random() < 0.6 else f"{self.rng.choice(('www', 'cdn', 'api'))}.{host}"
        )

    def squid(
        self, host: str | None = None, peer: str | None = None, url: str | None = None
    ) -> str:
        rng = self.rng
        host = host or self._host()
        peer = peer or f"198.{rng.randint(18, 19)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        if url is None and rng.random() < 0.15:
            method, url = "CONNECT", f"{host}:443"
        else:
            method = "GET" if rng.random() < 0.8 else "POST"
            url = url or f"http://{host}{rng.choice(self.paths)}?id={rng.randrange(10**6)}"
        client = f"10.{rng.randrange(4)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        return (
            f"{self._tick():.3f} {rng.randrange(1, 90000):>6} {client} TCP_MISS/200 "
            f"{rng.randrange(200, 500000)} {method} {url} - HIER_DIRECT/{peer} text/html\n"
        )

    def bind(self, name: str | None = None) -> str:
        rng = self.rng
        name = name or self._host()
        stamp = time.strftime("%d-%b-%Y %H:%M:%S", time.gmtime(self._tick()))
        client = f"10.{rng.randrange(4)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        return (
            f"{stamp}.{rng.randrange(1000):03d} queries: info: "
            f"client @0x7f3a{rng.randrange(16**8):08x} "
            f"{client}#{rng.randrange(1024, 65535)} ({name}): query: {name} IN "
            f"{rng.choice(('A', 'AAAA', 'HTTPS'))} +E(0)K (10.0.0.53)\n"
        )

    def hashes(self, digest: str | None = None, path: str | None = None) -> str:
        digest = digest or f"{self.rng.getrandbits(256):064x}"
        return f"{digest}  {path or self.rng.choice(self.files)}\n"

    def planted(self, name: str) -> tuple[str, tuple[str, str]]:
        """A line that must match, and the indicator it matches."""
        rng, iocs = self.rng, self.iocs
        roll = rng.random()
        if name == "hashes.txt":
            kind = "sha256" if roll < 0.8 else "md5"
            digest = rng.choice(iocs[kind])
            return self.hashes(digest), (kind, digest)
        domain = rng.choice(iocs["domain"])
        host = domain if rng.random() < 0.5 else f"{Words(rng).label(2, 5)}.{domain}"
        if name == "bind.log":
            return self.bind(host), ("domain", domain)
        if roll < 0.6:
            return self.squid(host), ("domain", domain)
        if roll < 0.8:
            address = rng.choice(iocs["ipv4"])
            return self.squid(url=f"http://{address}/gate.php"), ("ipv4", address)
        network = rng.choice(iocs["cidr"])
        peer = network.rsplit(".", 1)[0] + f".{rng.randrange(1, 255)}"
        return self.squid(peer=peer), ("cidr", network)

    def near_miss(self, name: str) -> str:
        """A line holding an indicator's text where no field matches it."""
        rng, iocs = self.rng, self.iocs
        domain = rng.choice(iocs["domain"])
        if name == "hashes.txt":
            if rng.random() < 0.5:
                return self.hashes(rng.choice(iocs["md5"]) + f"{rng.getrandbits(128):032x}")
            return self.hashes(path=f"/quarantine/{rng.choice(iocs['sha256'])}.bin")
        shape = rng.randrange(3)
        host = (f"x{domain}", f"{domain}.example.net", f"mail-{domain}")[shape]
        if name == "bind.log":
            return self.bind(host)
        if rng.random() < 0.3:
            return self.squid(
                url=f"http://{self._host()}/r?u={domain}&ip={rng.choice(iocs['ipv4'])}"
            )
        return self.squid(host)


def _generate_file(lines: Lines, name: str, path: Path, size: int, truth: Counter[str]) -> None:
    make = {"squid.log": lines.squid, "bind.log": lines.bind, "hashes.txt": lines.hashes}[name]
    estimate = size // {"squid.log": 150, "bind.log": 175, "hashes.txt": 100}[name]
    rng = lines.rng
    spots = set(rng.sample(range(estimate * 9 // 10), PLANTED[name]))
    written, index, buffer = 0, 0, []
    with open(path, "w", encoding="ascii") as out:
        while written < size or spots:
            if index in spots:
                line, key = lines.planted(name)
                truth["\t".join(key)] += 1
                spots.discard(index)
            elif rng.random() < NEAR_MISS_RATE:
                line = lines.near_miss(name)
            else:
                line = make()
            buffer.append(line)
            written += len(line)
            index += 1
            if len(buffer) == 20_000:
                out.write("".join(buffer))
                buffer.clear()
        out.write("".join(buffer))


def corpus(seed: int, size_mb: int, count: int) -> Path:
    """Generate (once) and return the directory holding the logs, indicators and truth."""
    folder = CACHE / f"sweep-s{seed}-{size_mb}mb-{count}"
    if (folder / "truth.json").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    iocs = make_indicators(rng, count)
    values = [value for group in iocs.values() for value in group]
    rng.shuffle(values)
    (folder / "indicators.txt").write_text("\n".join(values) + "\n", encoding="ascii")
    lines, truth = Lines(rng, iocs), Counter[str]()
    for name, share in SHARES.items():
        _generate_file(lines, name, folder / name, int(size_mb * share * 1_000_000), truth)
    grep_visible = sum(n for key, n in truth.items() if not key.startswith("cidr"))
    (folder / "truth.json").write_text(
        json.dumps({"counts": truth, "grep_visible": grep_visible}), encoding="ascii"
    )
    return folder


def indicators_only(seed: int, count: int) -> Path:
    """A cached list of `count` indicators (for the memory and load-time check)."""
    path = CACHE / f"indicators-s{seed}-{count}.txt"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        values = [
            v for group in make_indicators(random.Random(seed), count).values() for v in group
        ]
        path.write_text("\n".join(values) + "\n", encoding="ascii")
    return path


def timed(command: list[str], stdout: Path | None = None) -> tuple[float, int, float]:
    """Run a command; return wall seconds, peak RSS in MB (largest process), CPU seconds."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        sink = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
        try:
            begin = time.perf_counter()
            subprocess.run(
                ["/usr/bin/time", "-o", report.name, "-f", "%M %U %S", *command],
                stdout=sink,
                check=False,
                env={**os.environ, "LC_ALL": "C"},
            )
            elapsed = time.perf_counter() - begin
        finally:
            if stdout:
                sink.close()  # type: ignore[union-attr]
        rss, user, system = report.read().split()[-3:]
        return elapsed, int(rss) // 1024, float(user) + float(system)


def score(found: list[dict[str, object]], truth: dict[str, int]) -> tuple[int, int, int]:
    """Return (true hits found, false positives, hits missed) against the planted truth."""
    seen = {f"{row['type']}\t{row['value']}": int(row["count"]) for row in found}  # type: ignore[call-overload]
    true_found = sum(min(n, truth.get(key, 0)) for key, n in seen.items())
    false = sum(max(0, n - truth.get(key, 0)) for key, n in seen.items())
    return true_found, false, sum(truth.values()) - true_found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~100 MB, 20,000 indicators")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--size-mb", type=int)
    parser.add_argument("--indicators", type=int)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--million",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also check memory and load time with 1,000,000 indicators",
    )
    args = parser.parse_args()
    size = args.size_mb or (100 if args.quick else 1000)
    count = args.indicators or (20_000 if args.quick else 200_000)
    million = args.million if args.million is not None else not args.quick

    began = time.perf_counter()
    folder = corpus(args.seed, size, count)
    print(f"corpus ready in {time.perf_counter() - began:.0f} s: {folder}", file=sys.stderr)
    truth = json.loads((folder / "truth.json").read_text())
    files = [str(folder / name) for name in SHARES]
    total_mb = sum(os.path.getsize(f) for f in files) / 1e6
    indicators = str(folder / "indicators.txt")
    out = folder / "out.tmp"
    tocsin = [
        sys.executable,
        "-m",
        "tocsin.sweep",
        "--indicators",
        indicators,
        "--jobs",
        str(args.jobs),
        "--output",
        "json",
        *files,
    ]

    cat_times = [timed(["cat", *files])[0] for _ in range(args.runs)]
    grep_time, grep_rss, grep_cpu = timed(["grep", "-F", "-h", "-f", indicators, *files], out)
    grep_lines = sum(1 for _ in out.open("rb"))
    runs = [timed(tocsin, out) for _ in range(args.runs)]
    found, false, missed = score(json.loads(out.read_text()), truth["counts"])
    out.unlink()
    sweep_time = statistics.median(t for t, _, _ in runs)
    sweep_cpu = statistics.median(c for _, _, c in runs)
    result = {
        "bench": "sweep",
        "quick": args.quick,
        "seed": args.seed,
        "corpus_mb": round(total_mb),
        "indicators": count,
        "jobs": args.jobs,
        "runs": args.runs,
        "planted_hits": sum(truth["counts"].values()),
        "sweep": {
            "mb_s": round(total_mb / sweep_time),
            "seconds": round(sweep_time, 2),
            "peak_mb": max(rss for _, rss, _ in runs),
            "mb_per_cpu_s": round(total_mb / sweep_cpu),
            "hits": found,
            "false_positives": false,
            "missed": missed,
        },
        "grep": {
            "mb_s": round(total_mb / grep_time),
            "seconds": round(grep_time, 2),
            "peak_mb": grep_rss,
            "mb_per_cpu_s": round(total_mb / grep_cpu),
            "lines": grep_lines,
            "false_positives": grep_lines - truth["grep_visible"],
        },
        "cat": {"mb_s": round(total_mb / statistics.median(cat_times))},
    }
    result["sweep_vs_grep"] = round(grep_time / sweep_time, 1)
    result["sweep_vs_cat"] = round(statistics.median(cat_times) / sweep_time, 3)
    if million:
        result["million"] = million_check(args.seed, folder, args.jobs)
    print(json.dumps(result))


def million_check(seed: int, folder: Path, jobs: int) -> dict[str, float]:
    """Load time and peak memory with 1,000,000 indicators (sweeping the squid log)."""
    path = str(indicators_only(seed + 1, 1_000_000))
    probe = (
        "import sys, time; from tocsin.sweep.loading import load_text; "
        "text = open(sys.argv[1]).read(); t, c = time.perf_counter(), time.process_time(); "
        "s = load_text(text); print(time.perf_counter() - t, time.process_time() - c)"
    )
    loads = [
        [
            float(word)
            for word in subprocess.run(
                [sys.executable, "-c", probe, path], capture_output=True, text=True, check=True
            ).stdout.split()
        ]
        for _ in range(3)
    ]
    _, rss, _ = timed(
        [
            sys.executable,
            "-m",
            "tocsin.sweep",
            "--indicators",
            path,
            "--jobs",
            str(jobs),
            "--output",
            "json",
            str(folder / "squid.log"),
        ]
    )
    return {
        "load_seconds": round(statistics.median(wall for wall, _ in loads), 2),
        "load_cpu_seconds": round(statistics.median(cpu for _, cpu in loads), 2),
        "peak_mb": rss,
    }


if __name__ == "__main__":
    main()
