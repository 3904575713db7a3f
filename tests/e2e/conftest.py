import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; the Django ORM calls the
# tests make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(autouse=True)
def _static_files_from_the_source(settings):
    # The live server serves static files straight from the source folders, which know
    # nothing of the hashed names the manifest storage gives them.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium: Playwright cannot download a browser of its own here.
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Chromium is missing: make test installs Debian's chromium package.")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def new_window(browser):
    """A window of its own (another person, another screen), closed with the test. A window
    left open goes on polling the bell of the live server every minute, signed out once the
    test's data is gone, and the sign-in page it is sent to would show up in the context of
    whatever request another test makes at that moment."""
    contexts = []

    def open_window(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield open_window
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name, of=None):
        path = SCREENSHOTS / f"{name}.png"
        (of or page).screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def _no_console_errors(page):
    """Every browser test fails on an error in the console: a script that broke, or
    something the Content-Security-Policy blocked (an inline script or style, another
    site's file)."""
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{message.text} ({page.url})") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(f"{error} ({page.url})"))
    yield
    assert errors == [], "the browser console reported errors"
