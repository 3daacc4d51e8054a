"""The browser tests drive Debian's Chromium, never one that Playwright downloaded: the browser
processes' executables are checked through /proc. (Playwright's Browser repr in a failure message
names its own download folder: that is only its default path, not what the fixture launched.)"""

import os

import pytest

pytestmark = pytest.mark.browser


def executables():
    """The executables of every process this user runs, where readable."""
    found = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            found.add(os.path.realpath("/proc/%s/exe" % pid))
        except OSError:
            pass
    return found


def test_the_browser_is_debians_chromium(browser):
    page = browser.new_page()  # the browser is running while we look
    try:
        page.set_content("<p>hello</p>")
        running = executables()
    finally:
        page.close()
    debian = os.path.realpath("/usr/lib/chromium/chromium")  # what /usr/bin/chromium starts
    assert debian in running, sorted(e for e in running if "chrom" in e)
    assert not [e for e in running if "ms-playwright" in e], sorted(e for e in running if "chrom" in e)
