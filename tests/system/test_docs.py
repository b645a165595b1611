"""What a new user reads first: the install guide and the wiring diagram, checked as they render.

The diagram is drawn by headless Chromium (fails, never skips, without it): every
wire from a part starts on that part's box and ends on its pin, and no label
overlaps another or sits on the header.
"""
from __future__ import annotations

import os
import re
import subprocess
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


def _svg_geometry(tmp_path: Path) -> dict:
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1060, "height": 800})
            page.goto((ROOT / "docs" / "wiring.svg").as_uri())
            geo = page.evaluate("""() => {
                const box = e => { const b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };
                const wires = [...document.querySelectorAll('path[data-from]')].map(w => {
                    const n = w.getTotalLength();
                    const a = w.getPointAtLength(0), z = w.getPointAtLength(n);
                    return {id: w.id, from: w.dataset.from, to: w.dataset.to, start: [a.x, a.y], end: [z.x, z.y]};
                });
                const boxes = {};
                for (const r of document.querySelectorAll('rect[id]')) boxes[r.id] = box(r);
                const pins = {};
                for (const c of document.querySelectorAll('circle[data-pin]'))
                    pins[c.dataset.pin] = [c.cx.baseVal.value, c.cy.baseVal.value, c.r.baseVal.value];
                const texts = [...document.querySelectorAll('text')].map(t => ({text: t.textContent, box: box(t),
                    pin: t.hasAttribute('data-pin-label')}));
                return {wires, boxes, pins, texts};
            }""")
            page.screenshot(path=str(tmp_path / "wiring.png"), timeout=60_000)
        finally:
            browser.close()
    return geo


def _overlap(a, b, slack: float = 0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def test_the_wiring_diagram_renders_with_every_wire_from_its_part_to_its_pin(tmp_path):
    geo = _svg_geometry(tmp_path)
    assert (tmp_path / "wiring.png").stat().st_size > 20_000
    header = geo["boxes"]["header"]
    by_id = {w["id"]: w for w in geo["wires"]}
    assert {"wire-pir-out", "wire-seat-a", "wire-seat-b", "wire-button-1", "wire-button-2"} <= set(by_id)
    for w in geo["wires"]:
        x0, y0, x1, y1 = geo["boxes"][w["from"]]
        sx, sy = w["start"]
        on_edge = (x0 - 0.5 <= sx <= x1 + 0.5 and y0 - 0.5 <= sy <= y1 + 0.5 and
                   min(abs(sx - x0), abs(sx - x1), abs(sy - y0), abs(sy - y1)) <= 0.5)
        assert on_edge, f"{w['id']} starts at {w['start']}, not on the edge of {w['from']} {geo['boxes'][w['from']]}"
        cx, cy, _ = geo["pins"][w["to"]]
        assert abs(w["end"][0] - cx) <= 0.5 and abs(w["end"][1] - cy) <= 0.5, (w["id"], w["end"], (cx, cy))
        for other, box in geo["boxes"].items():  # a wire never starts inside another part's box
            if other not in (w["from"], "header") and _overlap((sx, sy, sx, sy), box, slack=-1):
                raise AssertionError(f"{w['id']} starts inside {other}")
    texts = [t for t in geo["texts"] if t["text"].strip()]
    for t in texts:
        if t["pin"]:
            assert header[0] <= t["box"][0] and t["box"][2] <= header[2], f"pin label {t['text']!r} leaves the header"
        else:
            assert not _overlap(t["box"], header), f"{t['text']!r} {t['box']} sits on the header {header}"
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert not _overlap(a["box"], b["box"]), f"{a['text']!r} overlaps {b['text']!r}"


def test_install_guide_gives_a_real_way_to_get_the_code(tmp_path):
    """No placeholder: the guide's tarball is what scripts/release.sh makes, and it holds the installer."""
    guide = (ROOT / "docs" / "install.md").read_text()
    assert not re.search(r"<[a-z][^>]*>", guide.replace("<br>", "")), "a <placeholder> in docs/install.md"
    assert "scripts/release.sh" in guide
    out = tmp_path / "deskpulse.tar.gz"
    r = subprocess.run(["bash", str(ROOT / "scripts" / "release.sh"), str(out)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    with tarfile.open(out) as tf:
        names = tf.getnames()
    top = {n.split("/", 1)[0] for n in names}
    assert len(top) == 1 and top.pop().startswith("deskpulse-")
    rel = {n.split("/", 1)[1] for n in names if "/" in n}
    for need in ("scripts/install-pi.sh", "scripts/bootstrap.sh", "pyproject.toml", "device/cli.py",
                 "dashboard/templates/base.html", "systemd/deskpulse.service", "systemd/config.example.toml",
                 "docs/install.md", "README.md"):
        assert need in rel, need
    assert not [n for n in rel if n.startswith((".venv/", ".git/")) or "__pycache__" in n
                or n.endswith((".db", ".pyc"))]


#: a repository path as the docs write it (`device/core/sensing/`, `tests/app/replay/x.py`);
#: NAME-like capitals are placeholders, not paths
_DOC_PATH = re.compile(r"(?<![\w/.])((?:device|dashboard|tests|benchmarks|scripts|systemd|docs)/[\w./-]*[\w/])")


def test_every_path_the_docs_name_exists():
    """The docs match the tree: a module moved or split without its mentions fails here."""
    docs = [ROOT / "README.md", ROOT / "hardware.md", ROOT / "benchmarks" / "README.md",
            *sorted((ROOT / "docs").glob("*.md"))]
    missing = []
    for doc in docs:
        for n, line in enumerate(doc.read_text().splitlines(), 1):
            for m in _DOC_PATH.finditer(line):
                path = m.group(1).rstrip(".")
                if not re.search(r"[A-Z]{3}", path) and not (ROOT / path).exists():
                    missing.append(f"{doc.relative_to(ROOT)}:{n}: {path}")
    assert len(docs) > 5 and not missing, "\n".join(missing)
