"""The warehouse DDL shipped with the package, as SQL text (no database code here).

Three files, applied in this order: ``greenhouse.sql`` and ``lever.sql`` (the tables
as Fivetran lays them out) and ``generic.sql`` (the ``job_company`` and
``external_application`` tables and the ``ats_applications`` view the enricher reads).
Schema names are parameters so tests can build the warehouse in scratch schemas.
"""

from __future__ import annotations

import re
from importlib import resources
from string import Template

SQL_FILES: tuple[str, ...] = ("greenhouse.sql", "lever.sql", "generic.sql")

DEFAULT_GREENHOUSE_SCHEMA = "greenhouse"
DEFAULT_LEVER_SCHEMA = "lever"
DEFAULT_ATS_SCHEMA = "applylens_ats"

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _checked(role: str, name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(
            f"{role} schema name {name!r} is not a plain PostgreSQL identifier "
            "(expected lower-case letters, digits and '_', at most 63, not starting with a digit)"
        )
    return name


def load_sql(
    name: str,
    *,
    greenhouse_schema: str = DEFAULT_GREENHOUSE_SCHEMA,
    lever_schema: str = DEFAULT_LEVER_SCHEMA,
    ats_schema: str = DEFAULT_ATS_SCHEMA,
) -> str:
    """Text of one shipped SQL file with its schema placeholders filled in.

    Raises ValueError for an unknown file name or a schema name that is not a plain
    identifier (names are spliced into SQL, so nothing else is accepted).
    """
    if name not in SQL_FILES:
        raise ValueError(f"unknown warehouse SQL file {name!r}; expected one of {', '.join(SQL_FILES)}")
    text = resources.files("applylens_ats.adapters.warehouse").joinpath("sql", name).read_text("utf-8")
    return Template(text).substitute(
        greenhouse=_checked("greenhouse", greenhouse_schema),
        lever=_checked("lever", lever_schema),
        ats=_checked("ats", ats_schema),
    )


def warehouse_ddl(
    *,
    greenhouse_schema: str = DEFAULT_GREENHOUSE_SCHEMA,
    lever_schema: str = DEFAULT_LEVER_SCHEMA,
    ats_schema: str = DEFAULT_ATS_SCHEMA,
) -> str:
    """All warehouse DDL in dependency order, as one script (idempotent when re-run)."""
    return "\n\n".join(
        load_sql(
            name,
            greenhouse_schema=greenhouse_schema,
            lever_schema=lever_schema,
            ats_schema=ats_schema,
        )
        for name in SQL_FILES
    )
