"""The applicant-tracking warehouse (PostgreSQL, as Fivetran lays it out). SQL text only for now."""

from applylens_ats.adapters.warehouse.ddl import SQL_FILES, load_sql, warehouse_ddl

__all__ = ["SQL_FILES", "load_sql", "warehouse_ddl"]
