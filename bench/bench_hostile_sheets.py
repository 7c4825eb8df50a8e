"""Hostile workbooks against the roster reader, each in a fresh process so its memory is its own: the
seconds to the refusal and the memory beyond what the process held before reading (peak RSS minus RSS at
the start), beside a legal 5,000-row roster for the speed it keeps. Issue 25's goal: a hostile 10 KB
workbook refused in ≤ 0.5 s with ≤ 50 MB extra.

Run: .venv/bin/python bench/bench_hostile_sheets.py
"""

from __future__ import annotations

import io
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from harness import ROOT


def _rewritten(content: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(entry.filename, data)
    return out.getvalue()


def _declaring(dimension: str, last_row: int) -> bytes:
    from tasks.adapters.spreadsheets import roster_template

    def change(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
        return xml.replace("</sheetData>", f'<row r="{last_row}"><c r="A{last_row}" t="inlineStr"><is><t>x</t></is>'
                                           f"</c></row></sheetData>")
    return _rewritten(roster_template(), change)


def _rows(count: int) -> bytes:
    from openpyxl import Workbook

    from tasks.adapters.spreadsheets import ROSTER

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([c.header for c in ROSTER])
    for n in range(count):
        sheet.append([f"学员{n}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _legal_roster() -> bytes:
    from bench_roster_import import _roster

    return _roster(5000)


def _bomb() -> bytes:
    from tasks.adapters.spreadsheets import roster_template

    return _rewritten(roster_template(), lambda xml: xml.replace("<sheetData>", "<sheetData>" + " " * 200_000_000))


CASES = {
    "dimension A1:XFD6000 + row 6000": lambda: _declaring("A1:XFD6000", 6000),
    "dimension A1:XFD1048576 + row 1048576": lambda: _declaring("A1:XFD1048576", 1048576),
    "100,000 rows": lambda: _rows(100_000),
    "ZIP bomb (200 MB of spaces)": _bomb,
    "legal roster of 5,000 rows": _legal_roster,
}


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def _peak_mb() -> float:
    """This process's own peak RSS (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1000


def _one(case: str, path: str) -> None:
    """In a child process: read the file as the import does, and print the figures."""
    from tasks.adapters import spreadsheets

    content = Path(path).read_bytes()
    before = _rss_mb()
    started = time.perf_counter()
    try:
        parsed = spreadsheets.parse_roster(content)
        rows = parsed[1] if isinstance(parsed, tuple) else parsed  # the code before issue 25 returned the rows only
        answer = f"taken: {len(rows)} candidates"
    except spreadsheets.SheetProblems as refused:
        first = refused.problems[0]
        answer = f"refused ({len(refused.problems)} problems; first: row {first.row}: {first.problem[:60]})"
    seconds = time.perf_counter() - started
    extra = _peak_mb() - before
    print(json.dumps({"case": case, "size_kb": len(content) // 1024, "seconds": seconds, "extra_mb": max(extra, 0),
                      "answer": answer}, ensure_ascii=False))


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--case":
        _one(sys.argv[2], sys.argv[3])
        return
    print(f"{'case':40} {'file':>8} {'seconds':>8} {'extra MB':>9}  answer")
    folder = Path(tempfile.mkdtemp(prefix="certflow-hostile-"))
    for number, (case, make) in enumerate(CASES.items()):
        path = folder / f"{number}.xlsx"
        path.write_bytes(make())  # built here, so the child's peak memory is the reading alone
        child = subprocess.run([sys.executable, __file__, "--case", case, str(path)], capture_output=True, text=True,
                               cwd=ROOT / "bench", check=True)
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{case:40} {figures['size_kb']:>6} KB {figures['seconds']:>8.2f} {figures['extra_mb']:>9.1f}  "
              f"{figures['answer']}")
        path.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main()
