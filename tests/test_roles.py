"""Every page answers each role with 200 or 403, and nothing is reachable anonymously."""
import pytest

ALL_ROLES = ("admin", "committee", "employee", "auditor", "finance")

PAGES = {
    "/": ALL_ROLES,
    "/auctions/": ALL_ROLES,
    "/account/password": ALL_ROLES,
    "/packages/": ("admin", "committee"),
    "/packages/board": ALL_ROLES,
    "/packages/import": ("admin",),
    "/packages/pricing": ("admin", "committee"),
    "/packages/plans": ("admin", "committee"),
    "/packages/plans/new": ("admin",),
    "/packages/stratification": ("admin", "committee"),
    "/packages/template.xlsx": ("admin", "committee"),
    "/contracts/mine": ("employee",),
    "/contracts/audit-queue": ("auditor",),
    "/finance/": ("finance",),
    "/audit": ("auditor", "admin"),
    "/admin/users": ("admin",),
    "/admin/users/new": ("admin",),
}

NAVIGATION_TARGETS = ("/packages/", "/packages/board", "/auctions/", "/contracts/mine",
                      "/contracts/audit-queue", "/finance/", "/audit", "/admin/users")

PUBLIC_ENDPOINTS = {"static", "accounts.login", "accounts.set_language", "api.issue_token"}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("path", PAGES)
def test_page_access_by_role(client, login_as, path, role):
    login_as("user", roles=role)
    expected = 200 if role in PAGES[path] else 403
    assert client.get(path).status_code == expected


@pytest.mark.parametrize("role", ALL_ROLES)
def test_navigation_shows_only_reachable_sections(client, login_as, role):
    login_as("user", roles=role)
    page = client.get("/").get_data(as_text=True)
    for path in NAVIGATION_TARGETS:
        roles = PAGES[path]
        assert (f'href="{path}"' in page) == (role in roles), path


def test_every_route_is_guarded(app, client):
    """A new route without a role check fails here."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            if path.startswith("/api/"):
                assert response.status_code == 401, (method, path)
            else:
                assert response.status_code == 302, (method, path)
                assert response.headers["Location"].startswith("/login")


def test_failed_role_check_shows_a_clear_page(client, login_as):
    login_as("emp", roles="employee")
    response = client.get("/finance/")
    assert response.status_code == 403
    assert b"Your role does not give access to this page" in response.data
