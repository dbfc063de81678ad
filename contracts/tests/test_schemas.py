import json

import jsonschema

from applylens_contracts import schemas
from applylens_contracts.events import EVENT_TYPES

from applylens_contracts.examples import ACTION_APPROVED_BODY as SPEC_BODY


def test_checked_in_schemas_match_the_models():
    generated = schemas.generate()
    assert set(generated) == {schemas.schema_file_name(t) for t in EVENT_TYPES}
    for name, schema in generated.items():
        path = schemas.SCHEMA_DIR / name
        assert path.exists(), f"{name} is not checked in; run python -m applylens_contracts.schemas"
        assert path.read_text() == schemas.render(schema), f"{name} drifted; run python -m applylens_contracts.schemas"


def test_checked_in_schema_accepts_the_spec_example_and_rejects_a_missing_field():
    schema = json.loads((schemas.SCHEMA_DIR / "applylens.action.approved.schema.json").read_text())
    jsonschema.validate(SPEC_BODY, schema)
    broken = {k: v for k, v in SPEC_BODY.items() if k != "email"}
    try:
        jsonschema.validate(broken, schema)
    except jsonschema.ValidationError as exc:
        assert "email" in exc.message
    else:
        raise AssertionError("a body without 'email' must not validate")
