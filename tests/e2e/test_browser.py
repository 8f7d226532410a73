"""Browser walk-throughs of the real app (demo data): sign-in, language, package desk,
role boundaries, mobile navigation and the audit trail. Screenshots go to test-artifacts/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

YUAN = re.compile(r"^-?¥\d{1,3}(,\d{3})*\.\d{2}$")
LOAN_NO = re.compile(r"^[A-Z]{2}\d{9}$")
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_BRAND = "Bad-loan collection auctions"
REPO_ROOT = Path(__file__).resolve().parents[2]
# The .mo is git-ignored and built by `make translations`; without it the UI falls back to English msgids.
ZH_CATALOG_COMPILED = (REPO_ROOT / "core/translations/zh/LC_MESSAGES/messages.mo").exists()


def sign_in(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    # The header's language switch is a form with submit buttons too: aim at the login form.
    page.locator("form:has(#username) button[type=submit]").click()
    page.wait_for_load_state()


def nav_link(page: Page, href: str):
    return page.locator(f'#main-nav a[href="{href}"]')


def test_admin_signs_in_and_sees_chinese_home(page, live_server, artifacts):
    sign_in(page, live_server, "admin")

    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(nav_link(page, "/packages/")).to_have_count(1)
    expect(nav_link(page, "/admin/users")).to_have_count(1)
    expect(page.locator(".whoami")).to_have_text("周建国")
    expect(page.locator("h1")).to_contain_text("周建国")
    expect(page.get_by_role("button", name="中文")).to_have_attribute("aria-pressed", "true")
    if ZH_CATALOG_COMPILED:
        brand = page.locator(".brand").inner_text()
        assert CJK.search(brand) and brand != ENGLISH_BRAND, brand
        assert CJK.search(nav_link(page, "/packages/").inner_text())
    page.screenshot(path=artifacts / "home-admin-zh.png", full_page=True)


def test_language_switch_to_english(page, live_server, artifacts):
    sign_in(page, live_server, "admin")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    page.get_by_role("button", name="English").click()
    try:
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page).to_have_url(f"{live_server}/")  # the switch returns to the page it was used on
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        expect(page.locator(".brand")).to_have_text(ENGLISH_BRAND)
        expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
        page.screenshot(path=artifacts / "home-admin-en.png", full_page=True)
    finally:
        # The choice is saved on the user (users.locale), so it would follow `admin` into the
        # other tests' sessions: switch back, which also checks the way back to Chinese.
        page.get_by_role("button", name="中文").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_package_desk_formats_amounts_and_filters_by_branch(page, live_server, artifacts):
    sign_in(page, live_server, "admin")
    response = page.goto(f"{live_server}/packages/")
    assert response is not None and response.status == 200

    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    amounts = page.locator("table tbody td.num").all_inner_texts()
    assert amounts and all(YUAN.match(a.strip()) for a in amounts), amounts[:6]
    all_numbers = [n.strip() for n in page.locator("table tbody tr td:first-child").all_inner_texts()]
    assert all(LOAN_NO.match(n) for n in all_numbers), all_numbers[:6]
    assert len({n[:2] for n in all_numbers}) > 1, "unfiltered desk should list several branches"

    page.select_option('form.filters select[name="branch"]', "DY")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"/packages/\?.*branch=DY"))

    expect(page.locator('form.filters select[name="branch"]')).to_have_value("DY")
    numbers = [n.strip() for n in page.locator("table tbody tr td:first-child").all_inner_texts()]
    assert numbers and all(n.startswith("DY") for n in numbers), numbers
    assert len(numbers) < len(all_numbers)
    page.screenshot(path=artifacts / "package-desk.png", full_page=True)


def test_employee_has_no_package_desk(page, live_server, artifacts):
    sign_in(page, live_server, "emp01")
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("#main-nav a").first).to_be_visible()  # signed in, nav rendered
    expect(nav_link(page, "/packages/")).to_have_count(0)
    expect(page.locator('main a[href="/packages/"]')).to_have_count(0)

    response = page.goto(f"{live_server}/packages/")
    assert response is not None and response.status == 403
    expect(page.locator("main h1")).to_have_text("403")
    expect(page.locator("main table")).to_have_count(0)
    page.screenshot(path=artifacts / "forbidden-emp.png", full_page=True)


def test_former_employee_is_refused(page, live_server, artifacts):
    sign_in(page, live_server, "former")

    expect(page).to_have_url(f"{live_server}/login")
    flash = page.locator(".flash-error")
    expect(flash).to_be_visible()
    expect(flash).to_have_attribute("role", "alert")
    expect(flash).to_have_text("用户名或密码错误。" if ZH_CATALOG_COMPILED else "Wrong username or password.")
    expect(page.locator("#main-nav a")).to_have_count(0)
    expect(page.locator("form[action='/logout']")).to_have_count(0)
    page.screenshot(path=artifacts / "login-refused.png", full_page=True)


def test_mobile_nav_toggle(new_page, live_server, artifacts):
    page = new_page(viewport={"width": 390, "height": 844})
    sign_in(page, live_server, "admin")
    expect(page).to_have_url(f"{live_server}/")

    nav = page.locator("#main-nav")
    toggle = page.locator("button.nav-toggle")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("☰")
    expect(nav).to_be_hidden()

    toggle.click()

    expect(nav).to_be_visible()
    expect(nav_link(page, "/packages/")).to_be_visible()
    expect(nav_link(page, "/admin/users")).to_be_visible()
    # Nothing may stick out sideways on a phone.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the viewport"
    page.screenshot(path=artifacts / "mobile-nav.png", full_page=True)


def test_auditor_verifies_hash_chain(page, live_server, artifacts):
    sign_in(page, live_server, "auditor")
    response = page.goto(f"{live_server}/audit")
    assert response is not None and response.status == 200
    expect(page.locator("table tbody tr").first).to_be_visible()

    page.locator('form[action$="/audit/verify"] button[type=submit]').click()

    expect(page).to_have_url(f"{live_server}/audit")
    success = page.locator(".flash-success")
    expect(success).to_be_visible()
    expect(success).to_contain_text(re.compile(r"\d+"))
    expect(page.locator(".flash-error")).to_have_count(0)
    page.screenshot(path=artifacts / "audit-verify.png", full_page=True)
