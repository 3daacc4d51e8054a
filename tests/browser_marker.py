"""A pytest plugin: a test that starts headless Chromium (it uses the `browser` fixture, directly or
through another fixture such as `page`) must carry the `browser` marker, so `-m "not browser"`
leaves out every browser test. tests/test_lint.py loads it (`-p tests.browser_marker`) in a
collection of the whole suite; a test without the marker stops the collection with their names."""

from __future__ import annotations

import pytest

BROWSER_FIXTURE = "browser"  # tests/conftest.py's session Chromium: the only place it starts


def browser_tests(items: list[pytest.Item]) -> list[pytest.Item]:
    return [item for item in items if BROWSER_FIXTURE in getattr(item, "fixturenames", ())]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unmarked = [item.nodeid for item in browser_tests(items) if item.get_closest_marker("browser") is None]
    if unmarked:
        raise pytest.UsageError(
            "These tests start Chromium without the `browser` marker (add @pytest.mark.browser): " + ", ".join(unmarked)
        )


def pytest_report_collectionfinish(items: list[pytest.Item]) -> str:
    return "tests that start Chromium: %d" % len(browser_tests(items))
