"""Fixtures: one migrated database per test worker, a fresh app per test.

Set TEST_DATABASE_URL=postgresql://... to run the suite on PostgreSQL; each
xdist worker then gets its own database created from that URL.
"""
from __future__ import annotations

import os

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text, update

os.environ.setdefault("SECRET_KEY", "test-secret-key")

from core import create_app  # noqa: E402
from core.accounts import services  # noqa: E402
from core.audit import GENESIS_HASH, AuditHead  # noqa: E402
from core.database import db, normalise_database_url  # noqa: E402

TEST_PASSWORD = "correct-horse-42"


def _postgres_database(base_url: str, worker: str) -> str:
    url = make_url(normalise_database_url(base_url))
    name = f"{url.database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> str:
    if base := os.environ.get("TEST_DATABASE_URL"):
        return _postgres_database(base, worker_id)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("instance")
    os.environ["INSTANCE_PATH"] = str(path)
    return path


class RequestIsolatedClient(FlaskClient):
    """Tests keep one app context open for db access; give each request a fresh `g`
    as a real server would (Flask-Login and Flask-Babel cache per-request state there)."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


def make_test_app(database_url: str, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SERVER_NAME": "localhost",
        "BABEL_DEFAULT_LOCALE": "en",  # assertions read English; tests/test_i18n.py checks Chinese
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = RequestIsolatedClient
    return app


@pytest.fixture(scope="session")
def migrated_database(database_url, instance_dir) -> str:
    app = make_test_app(database_url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _empty_all_tables() -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            if table.name == AuditHead.__tablename__:
                conn.execute(update(table).values(last_seq=0, last_hash=GENESIS_HASH))
            else:
                conn.execute(table.delete())


@pytest.fixture
def app_factory(migrated_database):
    """Build an app with config overrides (e.g. CSRF on); tables are emptied afterwards."""
    created = []

    def build(**overrides):
        app = make_test_app(migrated_database, **overrides)
        created.append(app)
        return app

    yield build
    for app in created:
        with app.app_context():
            _empty_all_tables()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Create and commit a user: make_user("li", roles="admin", position="president")."""

    def make(username: str, roles: str = "employee", *, branch: str | None = None, **fields):
        data = services.UserData(
            username=username, name=fields.pop("name", username.title()), password=TEST_PASSWORD,
            roles=services.parse_roles(roles), branch_code=branch, **fields,
        )
        user = services.create_user(data)
        db.session.commit()
        return user

    return make


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username: str, password: str = TEST_PASSWORD, **kwargs):
        return self._client.post("/login", data={"username": username, "password": password}, **kwargs)

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def login_as(make_user, auth):
    """Create a user with the given roles and sign the test client in as them."""

    def login(username: str, roles: str = "employee", **fields):
        user = make_user(username, roles, **fields)
        response = auth.login(username)
        assert response.status_code == 302, response.data
        return user

    return login


@pytest.fixture
def api_token(client, make_user):
    def issue(username: str, roles: str = "employee", **fields) -> dict:
        make_user(username, roles, **fields)
        response = client.post("/api/v1/auth/token", json={"username": username, "password": TEST_PASSWORD})
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    return issue
