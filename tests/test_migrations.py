"""The schema is built by migrations alone, and they match the models exactly."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from core.database import db
from tests.conftest import _postgres_database, make_test_app


@pytest.fixture
def empty_database_url(tmp_path, worker_id):
    if base := os.environ.get("TEST_DATABASE_URL"):
        return _postgres_database(base, f"{worker_id}_migrations")
    return f"sqlite:///{tmp_path / 'empty.db'}"


def test_upgrade_from_empty_matches_the_models_and_downgrades_cleanly(empty_database_url):
    app = make_test_app(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "user_roles", "branches", "audit_entries", "audit_head", "loans"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_migrated_database_has_the_audit_chain_tip(empty_database_url):
    from core.audit import GENESIS_HASH, AuditHead

    app = make_test_app(empty_database_url)
    with app.app_context():
        upgrade()
        head = db.session.get(AuditHead, 1)
        assert (head.last_seq, head.last_hash) == (0, GENESIS_HASH)
        db.session.remove()
        db.engine.dispose()
