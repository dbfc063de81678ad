"""Alembic migrations of money-service's own tables (version table alembic_version_money)."""

from pathlib import Path

from applylens_platform import migrations

SCRIPT_LOCATION = Path(__file__).parent
VERSION_TABLE = "alembic_version_money"


def upgrade(database_url: str, revision: str = "head") -> None:
    migrations.upgrade(SCRIPT_LOCATION, database_url, VERSION_TABLE, revision)
