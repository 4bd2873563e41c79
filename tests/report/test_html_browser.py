"""The HTML report in a real headless Chromium: it renders its plots, logs no error, loads nothing.

Chromium and its driver come from the Debian packages (``apt-get install chromium
chromium-driver``; .ci/run installs them). Without them the test is skipped, unless
CHAINWATCH_REQUIRE_BROWSER is set (CI sets it): then a missing browser fails the run.
The screenshots stay in pytest's tmp folder; their paths are printed (``pytest -s`` shows them).
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scanner._cli import main
from scanner.report.html import render_html
from tests.cli._clock import fixed_obj
from tests.report.demo_store import DemoStore
from tests.report.html_values import at, fleet

VIEWPORT = (1280, 1000)


def _require_browser() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    why = "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
    if os.environ.get("CHAINWATCH_REQUIRE_BROWSER"):
        pytest.fail(f"{why}, and CHAINWATCH_REQUIRE_BROWSER is set")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    chromium, driver_path = _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    home = tmp_path_factory.mktemp("chromium-home")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI containers run as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
        f"--user-data-dir={home / 'profile'}",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(arg)
    # The console (browser) and the network events the page caused (performance).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # An explicit driver path: selenium's own driver manager (which downloads) never runs.
    env = {**os.environ, "HOME": str(home)}
    service = Service(executable_path=driver_path, env=env)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _open(browser: Any, path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Load the page; its console entries and the URLs it requested."""
    browser.get_log("browser")  # drop what an earlier page left
    browser.get_log("performance")
    browser.get(path.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    console = browser.get_log("browser")
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return console, urls


def _write(tmp_path: Path, text: str | None = None, name: str = "mail-assistant") -> Path:
    f, h, b = fleet(name, text=text)
    path = tmp_path / "report.html"
    path.write_text(render_html(f, h, b, generated_at=at(10.5), version="0.1.0"), "utf-8")
    return path


def _pixels(png: bytes) -> Any:
    """The image as an array of RGB rows (int so differences do not wrap)."""
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def _ink(png: bytes, background: tuple[int, int, int] = (255, 255, 255)) -> tuple[float, int]:
    """(share of pixels that differ from the background, number of distinct colours)."""
    pixels = _pixels(png).reshape(-1, 3)
    inked = (abs(pixels - background).max(axis=1) > 24).mean()
    return float(inked), len({tuple(p) for p in pixels})


def _has_colour(png: bytes, rgb: tuple[int, int, int], *, at_least: int) -> bool:
    pixels = _pixels(png).reshape(-1, 3)
    return int((abs(pixels - rgb).max(axis=1) <= 12).sum()) >= at_least


def test_the_report_renders_its_plots_without_errors(
    browser: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path)
    console, urls = _open(browser, path)
    errors = [e for e in console if e["level"] in {"SEVERE", "ERROR", "WARNING"}]
    assert errors == [], errors
    assert urls == [path.as_uri()]  # the page asked for nothing beyond itself

    first = tmp_path / "first-screen.png"
    browser.save_screenshot(str(first))
    shots = [first]

    sizes = browser.execute_script(
        "return [...document.querySelectorAll('svg.plot')].map(s => {"
        "  const r = s.getBoundingClientRect(); const b = s.getBBox();"
        "  return {id: s.id, w: r.width, h: r.height, bw: b.width, bh: b.height,"
        "          top: r.top + window.scrollY, shapes: s.querySelectorAll('path, use').length};"
        "})"
    )
    assert [s["id"] for s in sizes] == [
        "plot-fleet",
        "plot-agent-1",
        "plot-agent-2",
        "plot-agent-3",
        "plot-c",
    ]
    for s in sizes:
        assert s["w"] > 300 and s["h"] > 100 and s["bw"] > 300 and s["bh"] > 100, s
        assert s["shapes"] > 10, s
    fleet_plot = sizes[0]
    assert fleet_plot["top"] < VIEWPORT[1] - 150  # a person sees the fleet's scores first

    from selenium.webdriver.common.by import By

    for plot_id in ("plot-fleet", "plot-agent-1"):
        element = browser.find_element(By.ID, plot_id)
        browser.execute_script("arguments[0].scrollIntoView()", element)
        png = element.screenshot_as_png
        shot = tmp_path / f"{plot_id}.png"
        shot.write_bytes(png)
        shots.append(shot)
        share, colours = _ink(png)
        assert share > 0.02 and colours > 20, (plot_id, share, colours)
        # The lowest agent (score 40) is drawn red: a bar in the fleet plot, the dropped
        # point and the attributed change's line in its timeline.
        assert _has_colour(png, (0xC6, 0x28, 0x28), at_least=30), plot_id
    element = browser.find_element(By.ID, "plot-fleet")
    assert _has_colour(element.screenshot_as_png, (0x2E, 0x7D, 0x32), at_least=200)  # green bars
    with capsys.disabled():  # the artifacts' paths, in the test output even when it passes
        print("\nHTML report screenshots: " + ", ".join(map(str, shots)))
    # The blank check can fail: the same region with the plot's drawing hidden has no ink.
    browser.execute_script("arguments[0].querySelector('g').style.visibility = 'hidden'", element)
    share, _ = _ink(element.screenshot_as_png)
    assert share < 0.005, share


def test_hostile_names_render_as_text_in_the_browser(browser: Any, tmp_path: Path) -> None:
    hostile = '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=1">\u202e'
    path = _write(tmp_path, hostile, name=hostile)
    console, urls = _open(browser, path)
    assert [e for e in console if e["level"] == "SEVERE"] == []
    assert urls == [path.as_uri()]
    state = browser.execute_script(
        "return {pwned: window.__pwned === 1, scripts: document.scripts.length,"
        " imgs: document.images.length, text: document.body.innerText,"
        " plots: document.querySelectorAll('svg.plot').length}"
    )
    assert state["pwned"] is False and state["scripts"] == 0 and state["imgs"] == 0
    assert "<script>window.__pwned=1</script>" in state["text"]  # shown, as text
    assert "\u202e" not in state["text"] and "\\u202e" in state["text"]
    assert state["plots"] == 5


def test_the_console_check_sees_a_load_the_policy_blocks(browser: Any, tmp_path: Path) -> None:
    # The same page with one outside image added: the policy blocks it and says so on the
    # console, so the no-error check above would fail on a page that tried to load anything.
    path = _write(tmp_path)
    page = path.read_text("utf-8")
    outside = '<img src="https://x.example.invalid/a.png"></body>'
    path.write_text(page.replace("</body>", outside), "utf-8")
    console, urls = _open(browser, path)
    assert any("Content Security Policy" in e["message"] for e in console), console
    # Chromium reports the attempt (then blocks it): the URL check above would fail too.
    assert urls == [path.as_uri(), "https://x.example.invalid/a.png"]


def test_the_demo_report_in_the_browser(
    browser: Any, demo_store: DemoStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The demo, end to end: the stored scan and events, `chainwatch report --html`,
    # then the page as a person sees it (the upgrade and the writes that followed).
    path = tmp_path / "demo-report.html"
    args = ["--db", str(demo_store.db), "report", "--html", str(path), "--as-of", demo_store.end]
    result = CliRunner().invoke(main, args, obj=fixed_obj())
    assert result.exit_code == 0, result.stderr
    console, urls = _open(browser, path)
    assert [e for e in console if e["level"] in {"SEVERE", "WARNING"}] == []
    assert urls == [path.as_uri()]
    sizes = browser.execute_script(
        "return [...document.querySelectorAll('svg.plot')].map(s => {"
        "  const r = s.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert len(sizes) == 6 and all(w > 300 and h > 100 for w, h in sizes), sizes
    text = browser.execute_script("return document.body.innerText")
    assert demo_store.evidence in text and demo_store.change_label in text
    first = tmp_path / "demo-first-screen.png"
    browser.save_screenshot(str(first))
    share, colours = _ink(first.read_bytes())
    assert share > 0.1 and colours > 50, (share, colours)
    with capsys.disabled():
        print(f"\nHTML report of the demo, first screen: {first}")
