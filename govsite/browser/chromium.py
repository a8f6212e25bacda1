"""Headless Chromium driver factory for the accessibility browser gate.

Local mode (default)
    ``selenium.webdriver.Chrome`` started with *explicit* binary paths:
    Chromium from ``$GOVSITE_CHROMIUM`` (default ``/usr/bin/chromium``) and
    chromedriver from ``$GOVSITE_CHROMEDRIVER`` (default ``/usr/bin/chromedriver``).
    Explicit paths matter: without them Selenium Manager tries to download a
    browser/driver from the network, which build machines must never do.
    Each driver gets a fresh temporary ``--user-data-dir`` that is deleted on
    ``quit()``/``kill_driver()``; chromedriver runs in its own process group so a
    wedged browser can be SIGKILLed as a whole.

Remote mode
    If ``$GOVSITE_SELENIUM_REMOTE`` is set to a Selenium Grid URL
    (e.g. ``http://grid:4444/wd/hub``) a ``webdriver.Remote`` Chrome session is
    requested there instead; the local binaries are then not needed.

Install (Debian/Ubuntu): ``apt-get install chromium chromium-driver``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

__all__ = [
    "BrowserUnavailable",
    "DEFAULT_CHROMEDRIVER",
    "DEFAULT_CHROMIUM",
    "chromium_paths",
    "check_local_browser",
    "kill_driver",
    "new_driver",
    "quit_driver",
    "remote_url",
]

DEFAULT_CHROMIUM = "/usr/bin/chromium"
DEFAULT_CHROMEDRIVER = "/usr/bin/chromedriver"

CHROME_FLAGS: tuple[str, ...] = (
    "--headless=new",
    "--no-sandbox",  # containers/CI usually lack user namespaces for the sandbox
    "--disable-gpu",
    "--disable-dev-shm-usage",  # small /dev/shm in Docker crashes tabs otherwise
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-extensions",
    "--mute-audio",
    "--disable-breakpad",
    "--no-default-browser-check",
)

# Generic Android Chrome UA so UA-sniffing themes serve their mobile markup.
MOBILE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"
)

# Extra seconds the HTTP client waits on chromedriver beyond the page budget;
# chromedriver itself can wedge on a hung renderer and never answer.
CLIENT_GRACE_SECONDS = 10.0

# Nothing listens on the discard port, so proxied requests are refused instantly.
BLACKHOLE_PROXY = "http://127.0.0.1:9"


class BrowserUnavailable(RuntimeError):
    """The headless browser (or axe-core) needed by the browser gate is missing/broken."""


def _install_hint() -> str:
    return (
        "无法启动无头浏览器，无障碍浏览器检查无法进行。"
        "请安装 Chromium 与 chromedriver：`apt-get install chromium chromium-driver`，"
        "或通过环境变量 GOVSITE_CHROMIUM / GOVSITE_CHROMEDRIVER 指定路径，"
        "或设置 GOVSITE_SELENIUM_REMOTE 使用 Selenium Grid。\n"
        "Headless Chromium is required for the accessibility browser gate. "
        "Install it with `apt-get install chromium chromium-driver`, point "
        "GOVSITE_CHROMIUM / GOVSITE_CHROMEDRIVER at the binaries, or set "
        "GOVSITE_SELENIUM_REMOTE to a Selenium Grid URL."
    )


def remote_url() -> str | None:
    """Selenium Grid URL from ``$GOVSITE_SELENIUM_REMOTE`` (None = local mode)."""
    url = os.environ.get("GOVSITE_SELENIUM_REMOTE", "").strip()
    return url or None


def chromium_paths() -> tuple[Path, Path]:
    """(chromium, chromedriver) paths after applying the env overrides."""
    return (
        Path(os.environ.get("GOVSITE_CHROMIUM") or DEFAULT_CHROMIUM),
        Path(os.environ.get("GOVSITE_CHROMEDRIVER") or DEFAULT_CHROMEDRIVER),
    )


def check_local_browser() -> tuple[Path, Path]:
    """Return the local binaries or raise :class:`BrowserUnavailable`. No-op check in remote mode."""
    chromium, chromedriver = chromium_paths()
    if remote_url():
        return chromium, chromedriver
    for label, path in (("chromium", chromium), ("chromedriver", chromedriver)):
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BrowserUnavailable(
                f"未找到可执行的 {label}: {path}\n{label} not found at {path}.\n" + _install_hint()
            )
    return chromium, chromedriver


def _options(width: int, height: int, mobile: bool, offline_except: str | None) -> webdriver.ChromeOptions:
    options = webdriver.ChromeOptions()
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    if offline_except is not None:
        # Route every non-local request to a closed port so it fails at once:
        # third-party widgets/CDNs can't hang or change results, and the cache
        # key (local files only) stays a complete description of the inputs.
        # Loopback always bypasses the proxy; the serve host is bypassed too.
        options.add_argument(f"--proxy-server={BLACKHOLE_PROXY}")
        options.add_argument(f"--proxy-bypass-list={offline_except}")
    options.add_argument(f"--window-size={width},{height}")
    # --window-size includes browser chrome, so the page viewport would be
    # shorter than asked; device metrics pin the viewport itself to exactly
    # width x height (mobile=True also enables the mobile layout viewport).
    metrics: dict[str, Any] = {
        "width": width,
        "height": height,
        "pixelRatio": 3.0 if mobile else 1.0,
        "mobile": mobile,
        "touch": mobile,
    }
    emulation: dict[str, Any] = {"deviceMetrics": metrics}
    if mobile:
        emulation["userAgent"] = MOBILE_USER_AGENT
    options.add_experimental_option("mobileEmulation", emulation)
    return options


class _LocalChrome(webdriver.Chrome):
    """Chrome that owns a temp profile dir and can be hard-killed from another thread."""

    _govsite_profile: str

    def quit(self) -> None:
        try:
            super().quit()
        finally:
            _kill_process_group(self.service.process)
            shutil.rmtree(self._govsite_profile, ignore_errors=True)


def _kill_process_group(process: subprocess.Popen[bytes] | None) -> None:
    if process is None:
        return
    # chromedriver was started with start_new_session=True, so its pid is the
    # pgid shared by chromium and its helpers; killing the group leaves no orphans.
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        process.wait(timeout=5)


def new_driver(
    *,
    width: int = 1280,
    height: int = 900,
    mobile: bool = False,
    page_load_timeout: float = 30.0,
    script_timeout: float = 30.0,
    offline_except: str | None = None,
) -> WebDriver:
    """Start a headless Chromium session (local or Grid) with the given viewport and timeouts.

    ``offline_except``: if given (a host, e.g. ``"127.0.0.1"``), all network
    access except loopback and that host is refused by the browser.

    Raises :class:`BrowserUnavailable` when the browser cannot be started.
    """
    options = _options(width, height, mobile, offline_except)
    url = remote_url()
    driver: WebDriver
    if url:
        try:
            driver = webdriver.Remote(command_executor=url, options=options)
        except Exception as exc:  # urllib3 errors (Grid down) are not WebDriverExceptions
            raise BrowserUnavailable(
                f"无法连接 Selenium Grid {url}：{_first_line(exc)}\n"
                f"Cannot start a Chrome session on Selenium Grid {url}: {_first_line(exc)}"
            ) from exc
    else:
        chromium, chromedriver = check_local_browser()
        options.binary_location = str(chromium)
        profile = tempfile.mkdtemp(prefix="govsite-chromium-")
        options.add_argument(f"--user-data-dir={profile}")
        service = Service(
            executable_path=str(chromedriver),
            popen_kw={"start_new_session": True},
        )
        try:
            local = _LocalChrome(service=service, options=options)
        except Exception as exc:
            _kill_process_group(getattr(service, "process", None))
            shutil.rmtree(profile, ignore_errors=True)
            raise BrowserUnavailable(
                f"Chromium 启动失败：{_first_line(exc)}\nChromium failed to start: {_first_line(exc)}\n"
                + _install_hint()
            ) from exc
        local._govsite_profile = profile
        driver = local
    set_timeouts(driver, page_load_timeout, script_timeout)
    return driver


def set_timeouts(driver: WebDriver, page_load_timeout: float, script_timeout: float) -> None:
    """Apply browser-side timeouts plus an HTTP client timeout so a wedged chromedriver cannot block forever."""
    driver.set_page_load_timeout(page_load_timeout)
    driver.set_script_timeout(script_timeout)
    config = getattr(driver.command_executor, "client_config", None)
    if config is not None:
        config.timeout = max(page_load_timeout, script_timeout) + CLIENT_GRACE_SECONDS


def kill_driver(driver: WebDriver) -> None:
    """Hard-stop a (possibly hung) driver. Safe to call from another thread; never raises."""
    if isinstance(driver, _LocalChrome):
        _kill_process_group(driver.service.process)
        shutil.rmtree(driver._govsite_profile, ignore_errors=True)
        return
    # Grid: no process to kill; ending the session makes a hung command return.
    with contextlib.suppress(Exception):
        config = getattr(driver.command_executor, "client_config", None)
        if config is not None:
            config.timeout = CLIENT_GRACE_SECONDS
        driver.quit()


def quit_driver(driver: WebDriver) -> None:
    """Graceful quit that falls back to :func:`kill_driver`; never raises."""
    try:
        driver.quit()
    except Exception:
        kill_driver(driver)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "msg", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
