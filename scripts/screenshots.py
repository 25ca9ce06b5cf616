"""Save a screenshot of every step of the practitioner's journey, for review.

Starts ``continuum serve`` on a free loopback port with a throw-away database, walks the
journey in headless Chromium (desktop and phone widths) and writes PNGs (and the PDF
report, with its first page as PNG when pdftoppm is installed) to var/screenshots/.

    scripts/screenshots [--framework ID] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def start_server(port: int, data_dir: str, frameworks_dir: str | None) -> subprocess.Popen[bytes]:
    from continuum.web.serve import launch

    env = dict(os.environ, CONTINUUM_DATA_DIR=data_dir, SECRET_KEY="screenshots-only")
    if frameworks_dir:
        env["CONTINUUM_FRAMEWORKS_DIR"] = frameworks_dir
    try:
        return launch(port, env)
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None


def pick(framework_id: str | None, frameworks_dir: str | None) -> tuple[Any, Any, Any]:
    """The framework to walk, a vignette with words, and one with immediate danger (if any)."""
    from continuum.frameworks import Registry, default_registry

    registry = Registry(Path(frameworks_dir)) if frameworks_dir else default_registry()
    loaded = registry.get(framework_id or registry.ids()[0])
    vignettes = loaded.framework.vignettes
    worded = next(
        (v for v in vignettes if v.text and v.expect_level > min(lv.number for lv in loaded.framework.levels)), None
    )
    danger = next((v for v in vignettes if v.expect_immediate_danger), None)
    return loaded, worded, danger


class Walker:
    def __init__(self, page: Any, base: str, out: Path, prefix: str):
        self.page, self.base, self.out, self.prefix, self.n = page, base, out, prefix, 0

    def shot(self, name: str) -> None:
        self.n += 1
        path = self.out / f"{self.prefix}-{self.n:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def submit(self, label: str = "Continue") -> None:
        self.page.get_by_role("button", name=label, exact=True).first.click()
        self.page.wait_for_load_state()


def walk(page: Any, base: str, out: Path, prefix: str, loaded: Any, worded: Any, danger: Any) -> str:
    w = Walker(page, base, out, prefix)
    fw = loaded.framework
    w.go("/")
    w.shot("start")
    page.get_by_role("button", name="Start now").click()
    w.submit()
    w.shot("partnership-error")
    page.locator(f"#partnership-{fw.id}").check()
    w.shot("partnership")
    w.submit()
    text = worded.text if worded else "The child is often hungry and has missed school for weeks."
    page.locator("#text").fill(text)
    w.shot("concern")
    w.submit()
    if "suggestions" in page.url:
        boxes = page.locator("input[name=selected]")
        for index in range(min(2, boxes.count())):
            boxes.nth(index).check()
        w.shot("suggestions")
        w.submit()
    w.shot("indicators-browse")
    domain = next(i.domain for i in fw.indicators if not i.protective)
    w.go(f"/checks/new/indicators?domain={domain}")
    page.locator("input[name=selected]").first.check()
    w.shot("indicators-area")
    w.submit("Save and find more")
    w.go("/checks/new/indicators?q=school")
    w.shot("indicators-search")
    w.submit("Save and continue")
    if "strengths" in page.url:
        page.locator("input[name=selected]").first.check()
        w.shot("strengths")
        w.submit()
    page.locator("#age_years").fill("seven")
    w.submit()
    w.shot("child-error")
    page.locator("#age_years").fill("7")
    page.locator("#fact-disabled").check()
    w.shot("child")
    w.submit()
    w.shot("check-your-answers")
    w.submit("Get the recommended level")
    w.shot("result")
    result_url = page.url
    higher = page.locator("input[name=level]:not([aria-describedby])")  # overrides only raise a level
    if higher.count():
        higher.nth(higher.count() - 1).check()  # a higher level without a reason: the error state
        w.submit("Record your judgement")
        w.shot("judgement-error")
        page.locator("#reason").fill("The family has refused every offer of help and the school has seen new bruising.")
    else:
        w.submit("Record your judgement")  # nothing chosen: the error state
        w.shot("judgement-error")
        page.locator("input[name=level]").first.check()
    w.submit("Record your judgement")
    w.shot("judgement-recorded")
    w.go(result_url.replace(base, "") + "report")
    w.shot("report")
    if danger is not None:
        _danger(w, page, fw, danger)
    return result_url


def _danger(w: Walker, page: Any, fw: Any, danger: Any) -> None:
    """A check where the document's immediate-danger rule applies: the 999 banner comes first."""
    w.go("/checks/new/partnership")
    page.locator(f"#partnership-{fw.id}").check()
    w.submit()
    page.locator("#text").fill("")
    w.submit()
    by_id = {i.id: i for i in fw.indicators}
    for indicator_id in danger.indicators:
        w.go(f"/checks/new/indicators?domain={by_id[indicator_id].domain}")
        page.locator(f"#i-{indicator_id}").check()
        w.submit("Save and find more")
    w.go("/checks/new/child")
    for fact, value in danger.facts.items():
        if value:
            page.locator(f"#fact-{fact.value if hasattr(fact, 'value') else fact}").check()
    if danger.age_years is not None:
        page.locator("#age_years").fill(str(int(danger.age_years)))
    w.submit()
    w.submit("Get the recommended level")
    w.shot("result-immediate-danger")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", help="framework id (default: the first)")
    parser.add_argument("--frameworks-dir", help="directory of frameworks (default: the repository's)")
    parser.add_argument("--out", default=str(REPO / "var" / "screenshots"))
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    loaded, worded, danger = pick(args.framework, args.frameworks_dir)
    from continuum.web.serve import free_port, launch_chromium

    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_server(port, data_dir, args.frameworks_dir)
        try:
            base = f"http://127.0.0.1:{port}"
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                result_url = ""
                for name, viewport in VIEWPORTS.items():
                    context = browser.new_context(viewport=viewport)
                    result_url = walk(
                        context.new_page(), base, out, name, loaded, worded, danger if name == "desktop" else None
                    )
                    context.close()
                nojs = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS["desktop"])
                page = nojs.new_page()
                page.goto(base + "/")
                page.screenshot(path=str(out / "nojs-start.png"), full_page=True)
                nojs.close()
                browser.close()
            _pdf(result_url, out)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _pdf(result_url: str, out: Path) -> None:
    """Download the check's PDF report and render its pages as PNG."""
    pdf = out / "report.pdf"
    for old in out.glob("report-pdf-page-*.png"):
        old.unlink()
    with urllib.request.urlopen(result_url + "report.pdf") as response:  # loopback only
        pdf.write_bytes(response.read())
    print(pdf.relative_to(REPO) if pdf.is_relative_to(REPO) else pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(out / "report-pdf-page")], check=True)


if __name__ == "__main__":
    main()
