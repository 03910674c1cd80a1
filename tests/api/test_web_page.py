"""The web page in a real headless Chromium (Debian's chromium + chromium-driver, driven
by Selenium with both paths given, so Selenium Manager never downloads anything), in
front of the real site: the strategy form changes the site controller's strategy, and
the live view shows what the wallbox and output actors report."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait
from support.api_site import LiveSite, live_site
from support.waiting import wait_until

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1200,900")  # fmt: skip


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    for path in (CHROMIUM, CHROMEDRIVER):
        assert shutil.which(path), f"{path} missing: `make test` installs Debian's chromium and chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER, log_output=str(tmp_path / "driver.log")))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[LiveSite]:
    """The real site behind the page: actors, CAN simulator, simulated relays (support/api_site.py)."""
    with live_site(tmp_path) as site:
        yield site


def wait_text(driver: WebDriver, selector: str, text: str) -> str:
    def shown(d: WebDriver) -> str | bool:
        found = d.find_element(By.CSS_SELECTOR, selector)
        return found.is_displayed() and text in found.text and found.text

    return WebDriverWait(driver, 20).until(shown, f"{selector} never showed {text!r}")


def fill(driver: WebDriver, form: str, **fields: str) -> None:
    for name, value in fields.items():
        field = driver.find_element(By.CSS_SELECTOR, f"{form} [name={name}]")
        field.clear()
        field.send_keys(value)


def test_register_log_in_and_use_the_strategy_form(browser: WebDriver, page: LiveSite, tmp_path: Path) -> None:
    browser.get(f"http://127.0.0.1:{page.api.port}/")
    wait_text(browser, "#login-title", "Register the owner")
    fill(browser, "#login-form", name="olivia", password="owner-password")
    browser.find_element(By.ID, "login-submit").click()
    wait_text(browser, "#who", "olivia (owner)")
    wait_text(browser, "#flows", "1.00 kW")  # the grid, as CT 1 reads it, through the site controller
    assert not browser.find_element(By.ID, "site-notice").is_displayed()
    wait_text(browser, "#wallbox-table", "available")  # the wallbox actor's own state
    wait_text(browser, "#output-table", "heat pump")
    page.plug_in(1)
    wait_text(browser, "#wallbox-table", "charging")  # the live view follows the real actors
    assert "16 A" in browser.find_element(By.ID, "wallbox-table").text

    browser.find_element(By.ID, "logout").click()  # and back in with the login form
    wait_text(browser, "#login-title", "Log in")
    fill(browser, "#login-form", name="olivia", password="owner-password")
    browser.find_element(By.ID, "login-submit").click()
    wait_text(browser, "#who", "olivia (owner)")

    page.sim.unplug(1)  # no session in progress: the strategy may change
    wait_until(lambda: page.debug("strategy")["sessions_open"] == 0, what="the session to end")
    browser.find_element(By.CSS_SELECTOR, "nav [data-tab=charging]").click()
    strategy = Select(browser.find_element(By.CSS_SELECTOR, "#strategy-form [name=strategy]"))
    WebDriverWait(browser, 20).until(lambda _: strategy.first_selected_option.get_attribute("value") == "fast")
    strategy.select_by_value("km_single")
    fill(browser, "#strategy-form", km_distance_km="-5")
    browser.find_element(By.ID, "strategy-submit").click()
    wait_text(browser, "#strategy-answer", "km_distance_km = -5: must be a distance in km 1..2000")
    strategy.select_by_value("eco_pure")
    assert not browser.find_element(By.CSS_SELECTOR, "[name=km_distance_km]").is_displayed()
    browser.find_element(By.ID, "strategy-submit").click()
    wait_text(browser, "#strategy-answer", "strategy changed to eco_pure")
    assert page.debug("strategy")["name"] == "eco_pure"  # the site controller runs it
    browser.save_screenshot(str(tmp_path / "strategy.png"))


def test_a_user_sees_the_site_but_not_the_owner_controls(browser: WebDriver, page: LiveSite) -> None:
    owner = page.api.register("olivia", "owner-password")
    body = {"name": "ursula", "password": "user-password"}
    assert page.api.request("POST", "/api/accounts", body, token=owner).status == 201
    browser.get(f"http://127.0.0.1:{page.api.port}/")
    wait_text(browser, "#login-title", "Log in")
    fill(browser, "#login-form", **body)
    browser.find_element(By.ID, "login-submit").click()
    wait_text(browser, "#who", "ursula (user)")
    wait_text(browser, "#wallbox-table", "WB0000000001")
    wait_text(browser, "#output-table", "open")  # relay 3 as its output actor reports it
    browser.find_element(By.CSS_SELECTOR, "nav [data-tab=charging]").click()
    strategy = Select(browser.find_element(By.CSS_SELECTOR, "#strategy-form [name=strategy]"))
    WebDriverWait(browser, 20).until(lambda _: strategy.first_selected_option.get_attribute("value") == "fast")
    assert not browser.find_element(By.ID, "strategy-notice").is_displayed()
    assert not browser.find_element(By.ID, "strategy-submit").is_displayed()
