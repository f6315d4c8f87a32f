"""A real Kannel for the tests: bearerbox and smsbox from Debian's `kannel`, with the fake SMSC
of `kannel-extras` standing for the operator; what reaches the "phones" is read back from it.

Started on free loopback ports in a temporary directory; skipped with the reason locally when
Kannel is not installed, a failure under CI=true (where `.ci/run` installs it).
"""

from __future__ import annotations

import re
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.delivery.receivers import free_port
from tests.services import in_ci, reachable

BEARERBOX = Path("/usr/sbin/bearerbox")
SMSBOX = Path("/usr/sbin/smsbox")
FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")
USER, PASSWORD = "tocsin", "kannel-test-password"
RECEIVED = re.compile(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>")
UDH_PART = re.compile(r"(\S+) data (.*)")

CONFIG = """
group = core
admin-port = {admin}
admin-password = {password}
admin-allow-ip = "127.0.0.1"
smsbox-port = {smsbox}
box-allow-ip = "127.0.0.1"
log-file = "{dir}/bearerbox.log"
log-level = 1

group = smsc
smsc = fake
smsc-id = fake
port = {smsc}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox}
sendsms-port = {sendsms}
sendsms-interface = 127.0.0.1
log-file = "{dir}/smsbox.log"
log-level = 1

group = sendsms-user
username = {user}
password = {password}
max-messages = 3
concatenation = true

group = sms-service
keyword = default
text = "No service"
"""


def _decoded(coding: str, data: str) -> str:
    raw = urllib.parse.unquote_to_bytes(data.replace("+", " "))
    return raw.decode("utf-16-be") if coding == "ucs-2" else raw.decode("latin-1")


@dataclass
class Kannel:
    """A running chain; `url` is smsbox's sendsms, `received()` what the fake SMSC got."""

    url: str
    output: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def received(self) -> list[tuple[str, str]]:
        """(number, text) of every message the operator's SMSC received, in order, with the
        parts of a concatenated message joined as a phone shows them."""
        found: list[tuple[str, str]] = []
        pending: dict[tuple[str, int], dict[int, str]] = {}
        for line in self.output.read_text(errors="replace").splitlines():
            match = RECEIVED.search(line)
            if not match:
                continue
            _sender, to, coding, data = match.groups()
            if coding != "udh":
                found.append((to, _decoded(coding, data)))
                continue
            udh_text, payload = UDH_PART.fullmatch(data).groups()  # type: ignore[union-attr]
            udh = urllib.parse.unquote_to_bytes(udh_text)
            reference, total, number = udh[3], udh[4], udh[5]  # IEI 0: 8-bit reference
            parts = pending.setdefault((to, reference), {})
            parts[number] = _decoded("ucs-2", payload)
            if len(parts) == total:
                found.append((to, "".join(parts[n] for n in sorted(parts))))
                del pending[(to, reference)]
        return found

    def parts(self) -> int:
        """How many SMS the operator carried (each part of a long message counts)."""
        return sum(1 for line in self.output.read_text(errors="replace").splitlines()
                   if RECEIVED.search(line))  # fmt: skip

    def wait_for(self, count: int, timeout: float = 15.0) -> list[tuple[str, str]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.received()
            if len(got) >= count:
                return got
            time.sleep(0.1)
        return self.received()


def _wait_port(port: int, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reachable("127.0.0.1", port, timeout=0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port}")


def start_kannel(directory: Path) -> Kannel:
    ports = {k: free_port() for k in ("admin", "smsbox", "smsc", "sendsms")}
    config = directory / "kannel.conf"
    config.write_text(CONFIG.format(dir=directory, user=USER, password=PASSWORD, **ports))
    output = directory / "fakesmsc.out"
    kannel = Kannel(url=f"http://127.0.0.1:{ports['sendsms']}/cgi-bin/sendsms", output=output)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    kannel.processes.append(subprocess.Popen([BEARERBOX, "-v", "4", config], **quiet))
    _wait_port(ports["smsbox"], "bearerbox")
    kannel.processes.append(subprocess.Popen([SMSBOX, "-v", "4", config], **quiet))
    with output.open("wb") as sink:
        kannel.processes.append(subprocess.Popen(
            [FAKESMSC, "-H", "127.0.0.1", "-r", str(ports["smsc"]), "-m", "0", "1 2 text x"],
            stdout=sink, stderr=subprocess.STDOUT,
        ))  # fmt: skip
    _wait_port(ports["sendsms"], "smsbox")
    return kannel


def stop_kannel(kannel: Kannel) -> None:
    for process in reversed(kannel.processes):
        process.terminate()
    for process in kannel.processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def kannel(tmp_path: Path) -> Iterator[Kannel]:
    missing = [str(p) for p in (BEARERBOX, SMSBOX, FAKESMSC) if not p.exists()]
    if missing:
        message = f"Kannel is not installed ({', '.join(missing)})"
        if in_ci():
            pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
        pytest.skip(f"{message}: apt-get install kannel kannel-extras")
    running = start_kannel(tmp_path)
    try:
        yield running
    finally:
        stop_kannel(running)
