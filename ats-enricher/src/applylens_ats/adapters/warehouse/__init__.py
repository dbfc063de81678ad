"""The applicant-tracking warehouse (PostgreSQL, as Fivetran lays it out): DDL, reader, demo fixtures."""

from applylens_ats.adapters.warehouse.ddl import SQL_FILES, load_sql, warehouse_ddl
from applylens_ats.adapters.warehouse.reader import PostgresWarehouse, application_from_row

__all__ = ["SQL_FILES", "PostgresWarehouse", "application_from_row", "load_sql", "warehouse_ddl"]
