"""The HTML report in a real browser: Debian's chromium, headless.

From a canned three-host document (with a previous report, so the trend shows, and hostile
names and evidence), the page must render (a screenshot that is not blank, with the heatmap's
colours in it), its DOM after the scripts ran must hold every host name and score, and the
console must stay clean: no uncaught error, no Content-Security-Policy refusal (the page
pins its own inline script and style by hash and allows nothing else).

Skips, with the reason, when no chromium binary is installed (``apt-get install -y chromium``;
``$CHROMIUM`` names another binary). The screenshot is kept at
``dockersec-reports/screenshots/html-report.png`` (or under ``$DOCKERSEC_SCREENSHOT_DIR``).
"""

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
COLLECTIONS = os.path.join(REPO, ".collections")
_LINK = os.path.join(COLLECTIONS, "ansible_collections", "dockersec", "hardening")
if not os.path.exists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(os.path.relpath(REPO, os.path.dirname(_LINK)), _LINK)
for _path in (COLLECTIONS, os.path.join(REPO, "tests", "unit")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from canned_audits import EVIL_HOST, _page, canned_document, canned_previous  # noqa: E402

from ansible_collections.dockersec.hardening.plugins.module_utils.report import html_page as report_html_page  # noqa: E402

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]
WIDTH, HEIGHT = 1280, 2000
TIMEOUT = 180


def _chromium():
    configured = os.environ.get("CHROMIUM")
    if configured:
        return configured if os.path.exists(configured) else shutil.which(configured)
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def chromium():
    path = _chromium()
    if not path:
        pytest.skip("no chromium binary (looked for %s on PATH): apt-get install -y chromium"
                    % ", ".join(CHROMIUM_NAMES))
    return path


def _run(binary, tmp_path, url, *extra):
    profile = tmp_path / ("profile-%d" % len(list(tmp_path.glob("profile-*"))))
    cmd = [binary] + FLAGS + ["--user-data-dir=%s" % profile, "--enable-logging=stderr", "--v=0"] + list(extra)
    proc = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=TIMEOUT, check=False,
                          env=dict(os.environ, HOME=str(tmp_path)))
    return proc


class _Rows(HTMLParser):
    """The text of each fleet table row, by its ``data-host``."""

    def __init__(self):
        HTMLParser.__init__(self, convert_charrefs=True)
        self.rows = {}
        self._host = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-host" in attrs:
            self._host = attrs["data-host"]
            self.rows[self._host] = []

    def handle_endtag(self, tag):
        if tag == "tr":
            self._host = None

    def handle_data(self, data):
        if self._host is not None:
            self.rows[self._host].append(data)


def _row_text(dom, host):
    parser = _Rows()
    parser.feed(dom)
    return " ".join(parser.rows.get(host, []))


def _console(stderr):
    """The page's console lines in chromium's log (``INFO:CONSOLE(..)] "message", source: ...``)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _screenshot_path():
    directory = os.environ.get("DOCKERSEC_SCREENSHOT_DIR") or os.path.join(REPO, "dockersec-reports", "screenshots")
    os.makedirs(directory, exist_ok=True)
    return os.path.join(directory, "html-report.png")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    directory = tmp_path_factory.mktemp("html-report")
    document = canned_document()
    path = directory / "dockersec-report.html"
    path.write_text(report_html_page.to_html(document, canned_previous()), encoding="utf-8")
    return document, path


def test_console_errors_are_seen(chromium, tmp_path):
    """The console check below is real: a throwing script shows up as "Uncaught" in the log."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>notDefinedAnywhere();</script></body></html>")
    proc = _run(chromium, tmp_path, bad.as_uri(), "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert any("Uncaught" in line for line in _console(proc.stderr)), proc.stderr[-2000:]


def test_dom_holds_hosts_and_scores_and_the_console_is_clean(chromium, page, tmp_path):
    document, path = page
    proc = _run(chromium, tmp_path, path.as_uri(), "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = _page(proc.stdout)
    html = [attrs for tag, attrs in dom.tags if tag == "html"]
    assert html and html[0].get("data-ready") == "1", "the page's script did not run to its end"
    text = "".join(dom.text)
    for host, entry in document["hosts"].items():
        assert host in text, host
        assert "%.1f" % entry["score"] in text, (host, entry["score"])
        assert entry["band"] in text
        # the host's row in the fleet table: its name, score and band, as the browser built them
        row = _row_text(proc.stdout, host)
        assert row.startswith(host) and ("%.1f" % entry["score"]) in row and entry["band"] in row, row
        # coverage and waivers beside the score, in the fleet row and the host's section
        assert ("%.1f%%" % entry["coverage"]) in row, row
        assert "coverage %.1f%%, %d waived" % (entry["coverage"], entry["waivers"]) in text
    for host in list(document["unreachable"]) + ["web4"]:
        assert host in text
    # the hostile host name is text, never markup: the page's own script is the only one
    assert [tag for tag, dummy in dom.tags].count("script") == 1
    assert EVIL_HOST in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in proc.stdout
    console = _console(proc.stderr)
    assert not [line for line in console if "Uncaught" in line or "Refused" in line
                or "Content Security Policy" in line or "Failed to load" in line], "\n".join(console)


def _colour_pixels(image, rgb, tolerance=6):
    return sum(n for n, colour in image.getcolors(maxcolors=WIDTH * HEIGHT)
               if all(abs(a - b) <= tolerance for a, b in zip(colour[:3], rgb)))


def test_screenshot_is_not_blank(chromium, page, tmp_path, capsys):
    Image = pytest.importorskip("PIL.Image", reason="Pillow (requirements-dev.txt) reads the screenshot")
    document, path = page
    shot = _screenshot_path()
    if os.path.exists(shot):
        os.unlink(shot)
    proc = _run(chromium, tmp_path, path.as_uri(), "--screenshot=%s" % shot, "--window-size=%d,%d" % (WIDTH, HEIGHT))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert os.path.exists(shot), proc.stderr[-2000:]
    assert os.path.getsize(shot) > 20 * 1024
    with Image.open(shot) as img:
        assert img.format == "PNG" and img.size == (WIDTH, HEIGHT)
        rgb = img.convert("RGB")
        colours = rgb.getcolors(maxcolors=WIDTH * HEIGHT)
        assert len(colours) > 50, "a near-blank page"
        most = max(n for n, dummy in colours)
        assert most < 0.95 * WIDTH * HEIGHT, "one colour covers the page"
        # the heatmap and the badges rendered: the fleet has a Critical host (red) and 100% cells (green)
        assert _colour_pixels(rgb, (0xd7, 0x30, 0x27)) > 500
        assert _colour_pixels(rgb, (0x1a, 0x98, 0x50)) > 500
    assert not [line for line in _console(proc.stderr) if "Uncaught" in line or "Refused" in line]
    with capsys.disabled():
        print("\nHTML report screenshot: %s" % shot)


def _div_classes(dom_text, attribute, value):
    """The class lists of the elements whose ``attribute`` is ``value``, as the browser left them."""
    dom = _page(dom_text)
    return [(attrs.get("class") or "").split() for tag, attrs in dom.tags if attrs.get(attribute) == value]


def test_profile_and_level_filters_hide_what_they_should(chromium, tmp_path):
    """A host with two daemons, both profiles: the link ``#profile=cis&level=1`` presets the two
    filters, and the browser hides the checklist and custom blocks and every CIS row of another
    level, keeps the CIS blocks and the level-1 rows, and shows both daemons."""
    from canned_audits import ROOTFUL_DAEMON, ROOTLESS_DAEMON, multi_daemon_document
    path = tmp_path / "multi.html"
    path.write_text(report_html_page.to_html(multi_daemon_document()), encoding="utf-8")
    proc = _run(chromium, tmp_path, path.as_uri() + "#profile=cis&level=1", "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    checklist = _div_classes(out, "data-profile", "checklist")
    cis = [c for c in _div_classes(out, "data-profile", "cis") if "profile" in c]
    assert len(checklist) == 4 and all("profile-hidden" in c for c in checklist), checklist
    assert len(cis) == 3 and not [c for c in cis if "profile-hidden" in c], cis
    level1 = _div_classes(out, "data-level", "1")
    level2 = _div_classes(out, "data-level", "2")
    assert level1 and not [c for c in level1 if "level-hidden" in c]
    assert level2 and all("level-hidden" in c for c in level2)
    text = "".join(_page(out).text)
    assert ROOTFUL_DAEMON in text and ROOTLESS_DAEMON in text
    console = _console(proc.stderr)
    assert not [line for line in console if "Uncaught" in line or "Refused" in line
                or "Content Security Policy" in line], "\n".join(console)
    # without the preset nothing is hidden
    proc = _run(chromium, tmp_path, path.as_uri(), "--dump-dom")
    classes = [(attrs.get("class") or "").split() for tag, attrs in _page(proc.stdout).tags]
    assert not [c for c in classes if "profile-hidden" in c or "level-hidden" in c]
