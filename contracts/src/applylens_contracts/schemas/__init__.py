"""JSON Schema files for the event payloads, generated from the pydantic models.

Producers in other languages validate against the checked-in files; a test fails
when they drift from the models. Regenerate with ``python -m applylens_contracts.schemas``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..events import EVENT_TYPES

SCHEMA_DIR = Path(__file__).parent


def schema_file_name(ce_type: str) -> str:
    return f"{ce_type}.schema.json"


def generate() -> dict[str, dict[str, Any]]:
    """``{file name: JSON Schema}`` for every event type."""
    out = {}
    for ce_type, model in EVENT_TYPES.items():
        schema = model.model_json_schema(by_alias=True, mode="validation")
        schema["$id"] = f"https://applylens.dev/schemas/{schema_file_name(ce_type)}"
        schema["title"] = ce_type
        out[schema_file_name(ce_type)] = schema
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write() -> list[Path]:
    written = []
    for name, schema in generate().items():
        path = SCHEMA_DIR / name
        path.write_text(render(schema))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print(path)
