"""End-to-end fixtures: the real app in a subprocess, driven by headless Chromium.

The server is started exactly like an installation would run it
(`flask --app wsgi db upgrade`, `demo`, `run`) against a fresh SQLite database
in a temporary INSTANCE_PATH, so nothing here shares state with the unit-test
fixtures in tests/conftest.py.
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
STARTUP_TIMEOUT = 30.0
DESKTOP = {"width": 1280, "height": 800}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselection looks at the markers
def pytest_collection_modifyitems(config, items):
    """Everything collected under tests/e2e is an e2e test, even if a module forgets pytestmark."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            response.read()
        return True
    except urllib.error.HTTPError as exc:  # any HTTP answer means the server is up
        exc.close()
        return True
    except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout):
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> str:
    """Base URL (http://127.0.0.1:<port>) of the real app with demo data (60 loans)."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    env = {
        **os.environ,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'e2e.db'}",
        "SECRET_KEY": f"e2e-{secrets.token_hex(16)}",
        "FLASK_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FLASK_APP", None)
    for args in (("db", "upgrade"), ("demo", "--loans", "60")):
        done = subprocess.run(_flask(*args), cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            pytest.fail(f"`flask {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = instance / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            _flask("run", "--port", str(port), "--host", "127.0.0.1"),
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not _answers(f"{base_url}/login"):
                if process.poll() is not None:
                    pytest.fail(f"server exited with {process.returncode}:\n{log_path.read_text()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"server did not answer on {base_url} within {STARTUP_TIMEOUT:.0f}s:\n"
                                f"{log_path.read_text()}")
                time.sleep(0.2)
            yield base_url
        finally:
            _stop(process)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: install Debian's chromium (make system-deps) to run the e2e tests"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def new_page(browser):
    """Factory for pages in fresh browser contexts (own cookies); all are closed after the test."""
    contexts = []

    def make(viewport: dict | None = None, **options):
        context = browser.new_context(viewport=viewport or DESKTOP, locale="zh-CN", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop page (1280x800, zh-CN) in its own browser context."""
    return new_page()
