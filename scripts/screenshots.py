"""Save a screenshot of every step of the practitioner's journey, for review.

Starts ``continuum serve`` on a free loopback port with a throw-away database, walks the
journey in headless Chromium (desktop and phone widths) and writes PNGs (and the PDF
report, with its first page as PNG when pdftoppm is installed) to var/screenshots/.

    scripts/screenshots [--framework ID] [--out DIR]
    scripts/screenshots --measure     # only the result page of the measured cases, with its height

Every screenshot's line gives the page's height in CSS pixels; ``--measure`` also prints where
the result page's first-screen parts (the banner, the level, what to do now, the next step) start.
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

# The result pages measured before and after a change of layout (issue 18, item 3): a framework,
# the practitioner's words, and the indicators they confirm (by id, as the framework names them).
MEASURED = (
    (
        "luton",
        "Year 9 girl, 14, has gone missing from home twice this month overnight. She comes back with a new phone "
        "and clothes and older men pick her up in a car after school. Mum says she can't control her.",
        ("exp-l4-1", "emo-l4-1", "gbs-l4-3"),
    ),
    (
        "central-bedfordshire",
        "Girl, 15, told her teacher she is frightened that her family will take her abroad this summer to marry "
        "a man she has never met.",
        ("fe-l2-06",),
    ),
)
# What the first screen of the result page must show, as CSS selectors.
FIRST_SCREEN = {
    "banner": "#danger-title",
    "level": "h1",
    "what to do now": "#do-now",
    "next step": "#next-step .govuk-button",
    "every action": "#what-to-do",
}


def height(page: Any) -> int:
    """The page's full height in CSS pixels."""
    return int(page.evaluate("document.documentElement.scrollHeight"))


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
        print(
            path.relative_to(REPO) if path.is_relative_to(REPO) else path, f"({height(self.page)} px tall)", flush=True
        )

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


def measure(page: Any, base: str, out: Path, prefix: str, loaded: Any, text: str, ids: tuple[str, ...]) -> None:
    """Walk one case to its result page; print its height and where each first-screen part starts."""
    w = Walker(page, base, out, f"{prefix}-{loaded.framework.id}")
    w.go("/checks/new/partnership")
    page.locator(f"#partnership-{loaded.framework.id}").check()
    w.submit()
    page.locator("#text").fill(text)
    w.submit()
    if "suggestions" in page.url:
        for indicator_id in ids:
            box = page.locator(f"#s-{indicator_id}")
            if box.count():
                box.check()
        w.submit()
    by_id = {i.id: i for i in loaded.framework.indicators}
    for indicator_id in ids:
        w.go(f"/checks/new/indicators?domain={by_id[indicator_id].domain}")
        box = page.locator(f"#i-{indicator_id}")
        if not box.is_checked():
            box.check()
        w.submit("Save and find more")
    w.go("/checks/new/answers")
    w.submit("Get the recommended level")
    w.shot("result")
    tops = []
    for name, selector in FIRST_SCREEN.items():
        found = page.locator(selector)
        box = found.first.bounding_box() if found.count() else None
        tops.append(f"{name} at {int(box['y'] + box['height'])} px" if box else f"no {name}")
    print(f"  {prefix} {loaded.framework.id}: {height(page)} px tall; bottom of " + ", ".join(tops), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", help="framework id (default: the first)")
    parser.add_argument("--frameworks-dir", help="directory of frameworks (default: the repository's)")
    parser.add_argument("--out", default=str(REPO / "var" / "screenshots"))
    parser.add_argument("--measure", action="store_true", help="only the measured cases' result pages")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    measured_dir = tempfile.TemporaryDirectory() if args.measure and not args.frameworks_dir else None
    if measured_dir is not None:  # serve (and prepare matching for) the measured frameworks only
        for framework_id in dict.fromkeys(case[0] for case in MEASURED):
            (Path(measured_dir.name) / framework_id).symlink_to(REPO / "frameworks" / framework_id)
        args.frameworks_dir = measured_dir.name
    loaded, worded, danger = pick(args.framework, args.frameworks_dir)
    from continuum.web.serve import free_port, launch_chromium

    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_server(port, data_dir, args.frameworks_dir)
        try:
            base = f"http://127.0.0.1:{port}"
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                if args.measure:
                    _measure_all(browser, base, out, args.frameworks_dir)
                    browser.close()
                    return
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


def _measure_all(browser: Any, base: str, out: Path, frameworks_dir: str | None) -> None:
    for framework_id, text, ids in MEASURED:
        loaded, _, _ = pick(framework_id, frameworks_dir)
        for name, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport)
            measure(context.new_page(), base, out, f"measure-{name}", loaded, text, ids)
            context.close()


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
