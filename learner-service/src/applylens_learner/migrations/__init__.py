"""Alembic migrations of the learner service's own tables (version table alembic_version_learner)."""

from pathlib import Path

from applylens_platform import migrations

SCRIPT_LOCATION = Path(__file__).parent
VERSION_TABLE = "alembic_version_learner"


def upgrade(database_url: str, revision: str = "head") -> None:
    migrations.upgrade(SCRIPT_LOCATION, database_url, VERSION_TABLE, revision)
