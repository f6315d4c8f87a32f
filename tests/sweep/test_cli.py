"""The `sweep` command: outputs, exit codes, standard input, refusals."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.sweep.helpers import write
from tocsin.sweep.cli import app

SQUID = (
    "1793000000.000 5 10.0.0.1 TCP_MISS/200 10 GET http://a.evil.com/x - HIER_DIRECT/198.18.0.1 -\n"
    "1793000060.000 5 10.0.0.2 TCP_MISS/200 10 GET http://notevil.com/x - HIER_DIRECT/198.18.0.2 -\n"
    "1793000120.000 5 10.0.0.3 TCP_TUNNEL/200 10 CONNECT evil.com:443 - HIER_DIRECT/198.18.0.3 -\n"
)
runner = CliRunner()


def _files(tmp_path: Path) -> tuple[str, str]:
    return write(tmp_path, "access.log", SQUID), write(tmp_path, "iocs.txt", "evil[.]com\n")


def test_json_output_has_one_object_per_indicator_and_exit_1(tmp_path: Path) -> None:
    log, iocs = _files(tmp_path)
    result = runner.invoke(app, [log, "--indicators", iocs, "--output", "json", "--jobs", "1"])
    assert result.exit_code == 1, result.output
    [row] = json.loads(result.stdout)
    assert (row["value"], row["type"], row["count"]) == ("evil.com", "domain", 2)
    assert row["first_seen"] == "2026-10-26T07:33:20+00:00"
    assert row["last_seen"] == "2026-10-26T07:35:20+00:00"
    assert len(row["samples"]) == 2


def test_since_filters_lines_before_the_window(tmp_path: Path) -> None:
    log, iocs = _files(tmp_path)
    args = [log, "--indicators", iocs, "--output", "csv", "--since", "2026-10-26T07:34:00"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].startswith("evil.com,domain,1,2026-10-26T07:35:20")


def test_clean_sweep_exits_0(tmp_path: Path) -> None:
    log, _ = _files(tmp_path)
    iocs = write(tmp_path, "other.txt", "bad.example.org\n")
    result = runner.invoke(app, [log, "--indicators", iocs])
    assert result.exit_code == 0
    assert "No indicator found" in result.stdout


def test_standard_input_is_swept(tmp_path: Path) -> None:
    _, iocs = _files(tmp_path)
    result = runner.invoke(app, ["--indicators", iocs, "--output", "csv"], input=SQUID)
    assert result.exit_code == 1
    assert "evil.com,domain,2" in result.stdout


def test_unknown_format_is_refused_with_exit_2(tmp_path: Path) -> None:
    log, iocs = _files(tmp_path)
    result = runner.invoke(app, [log, "--indicators", iocs, "--format", "syslog"])
    assert result.exit_code == 2
    assert "known formats: squid, combined, bind" in result.stderr


def test_unreadable_input_only_exits_2(tmp_path: Path) -> None:
    _, iocs = _files(tmp_path)
    result = runner.invoke(app, [str(tmp_path / "missing.log"), "--indicators", iocs])
    assert result.exit_code == 2
    assert "unreadable" in result.stderr


def test_malformed_lines_are_summarised(tmp_path: Path) -> None:
    log = write(tmp_path, "access.log", SQUID + "truncated line\n")
    iocs = write(tmp_path, "iocs.txt", "evil.com\n")
    result = runner.invoke(app, [log, "--indicators", iocs, "--output", "json"])
    assert result.exit_code == 1
    assert "1 malformed skipped; first: 'truncated line'" in result.stderr


def test_an_indicator_file_with_nothing_usable_is_an_error_not_a_clean_sweep(
    tmp_path: Path,
) -> None:
    log = write(tmp_path, "access.log", SQUID)
    for content in ("", "type,value\n", "not an indicator at all\n"):
        iocs = write(tmp_path, "iocs.txt", content)
        result = runner.invoke(app, [log, "--indicators", iocs, "--jobs", "1"])
        assert result.exit_code == 2, (content, result.output)
        assert "no usable indicator" in result.output
        assert "No indicator found" not in result.output


def test_the_table_names_what_was_covered_and_is_not_cut_in_a_file(tmp_path: Path) -> None:
    long_name = "a-very-long-subdomain-name-that-would-never-fit.in-eighty-columns.evil.com"
    line = f"1793000000.000 5 10.0.0.1 TCP_MISS/200 10 GET http://{long_name}/x - HIER_DIRECT/198.18.0.1 -\n"
    log = write(tmp_path, "access.log", SQUID + line)
    iocs = write(tmp_path, "iocs.txt", f"evil[.]com\n{long_name}\n")
    result = runner.invoke(app, [log, "--indicators", iocs, "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert long_name in result.stdout  # whole, on one line
    assert "4 line(s) swept for 2 indicator(s)" in result.stdout
    assert "2 indicator(s)" in result.stderr
