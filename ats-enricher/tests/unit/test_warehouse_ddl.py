import re

import pytest

from applylens_ats.adapters.warehouse import SQL_FILES, load_sql, warehouse_ddl

VIEW_COLUMNS = [
    "system", "application_id", "candidate_email", "company", "company_domain", "job_title",
    "stage", "last_stage_change", "next_interview_at", "last_interview_at", "job_closed", "synced_at",
]


def tables(sql: str) -> dict[str, str]:
    """CREATE TABLE name -> body."""
    return {
        m.group(1): m.group(2)
        for m in re.finditer(r"CREATE TABLE IF NOT EXISTS (\S+) \((.*?)\n\);", sql, re.DOTALL)
    }


def test_files_ship_in_dependency_order() -> None:
    assert SQL_FILES == ("greenhouse.sql", "lever.sql", "generic.sql")
    for name in SQL_FILES:
        assert load_sql(name).strip()


def test_greenhouse_tables_as_fivetran_lays_them_out() -> None:
    found = tables(load_sql("greenhouse.sql"))
    for table in ("application", "application_history", "scheduled_interview", "job",
                  "job_application", "job_stage", "candidate", "email_address"):
        assert f"greenhouse.{table}" in found, table
    assert re.search(r"\bcurrent_stage_id\b", found["greenhouse.application"])
    assert re.search(r"\bnew_stage_id\b", found["greenhouse.application_history"])
    assert re.search(r"\bstart_time\b", found["greenhouse.scheduled_interview"])


def test_lever_tables_as_fivetran_lays_them_out() -> None:
    found = tables(load_sql("lever.sql"))
    for table in ("opportunity", "opportunity_stage_history", "application", "interview", "offer",
                  "contact_email", "stage", "posting", "archive_reason"):
        assert f"lever.{table}" in found, table
    assert re.search(r"\blast_advanced_at\b", found["lever.opportunity"])
    assert re.search(r"\bdate\s+timestamptz", found["lever.interview"])


def test_every_fivetran_table_has_system_columns() -> None:
    for name in ("greenhouse.sql", "lever.sql"):
        for table, body in tables(load_sql(name)).items():
            assert re.search(r"_fivetran_deleted\s+boolean", body), table
            assert re.search(r"_fivetran_synced\s+timestamptz", body), table


def test_generic_view_has_the_documented_shape() -> None:
    sql = load_sql("generic.sql")
    view = sql.split("CREATE OR REPLACE VIEW applylens_ats.ats_applications AS", 1)[1]
    branches = view.split("UNION ALL")
    assert len(branches) == 3  # greenhouse, lever, external_application
    for branch in branches[:2]:
        aliases = re.findall(r"\bAS (\w+),?\s*$", branch.split("FROM", 1)[0], re.MULTILINE)
        assert aliases == VIEW_COLUMNS
    external = tables(sql)["applylens_ats.external_application"]
    for column in VIEW_COLUMNS:
        assert re.search(rf"^\s+{column}\s", external, re.MULTILINE), column


def test_schema_names_are_parameters() -> None:
    sql = warehouse_ddl(greenhouse_schema="t_gh", lever_schema="t_lv", ats_schema="t_ats")
    assert "CREATE SCHEMA IF NOT EXISTS t_gh;" in sql
    assert "FROM t_lv.opportunity o" in sql
    assert "CREATE OR REPLACE VIEW t_ats.ats_applications" in sql
    assert "${" not in sql
    code = re.sub(r"--[^\n]*", "", sql)
    assert not re.search(r"\b(?:greenhouse|lever|applylens_ats)\.\w+", code)


@pytest.mark.parametrize("bad", ["Greenhouse", "gh; DROP TABLE x", "1abc", "", "a" * 64, 'x"y'])
def test_schema_names_must_be_plain_identifiers(bad: str) -> None:
    with pytest.raises(ValueError, match="schema name"):
        load_sql("greenhouse.sql", greenhouse_schema=bad)


def test_unknown_file_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown warehouse SQL file"):
        load_sql("../../etc/passwd")
