from typing import Union, get_args, get_origin

from pydantic import BaseModel

from applylens_contracts.email import EmailDocument, ats_fields_mapping, emails_mapping

# How each Python annotation must be mapped.
EXPECTED_TYPES = {
    str: {"keyword", "text"},
    float: {"float", "double", "scaled_float"},
    int: {"integer", "long"},
    bool: {"boolean"},
}


def _leaf(annotation):
    """The non-None type inside Optional/list annotations."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, type(int | None)) and args:
        return _leaf(args[0])
    if get_origin(annotation) in (list, tuple) and args:
        return _leaf(args[0])
    return annotation


def _compare(model: type[BaseModel], properties: dict, path: str = "") -> list[str]:
    problems = []
    fields = {(f.alias or name): f for name, f in model.model_fields.items()}
    for name in sorted(set(fields) | set(properties)):
        where = f"{path}{name}"
        if name not in properties:
            problems.append(f"{where}: in the model, not in the mapping")
            continue
        if name not in fields:
            problems.append(f"{where}: in the mapping, not in the model")
            continue
        leaf = _leaf(fields[name].annotation)
        mapped = properties[name]
        if isinstance(leaf, type) and issubclass(leaf, BaseModel):
            problems += _compare(leaf, mapped.get("properties", {}), where + ".")
            continue
        type_name = getattr(leaf, "__name__", str(leaf))
        if type_name in ("datetime", "AwareDatetime") or "datetime" in str(leaf).lower():
            ok = mapped["type"] == "date"
        elif type_name == "Decimal":
            ok = mapped["type"] in {"scaled_float", "double"}
        else:
            ok = mapped["type"] in EXPECTED_TYPES.get(leaf, set())
        if not ok:
            problems.append(f"{where}: model type {leaf} but mapping type {mapped['type']}")
    return problems


def test_email_document_and_index_mapping_agree_field_by_field():
    assert _compare(EmailDocument, emails_mapping()["properties"]) == []


def test_the_seeds_ats_mapping_update_is_part_of_the_full_mapping():
    ats_update = ats_fields_mapping()["properties"]["ats"]["properties"]
    full = emails_mapping()["properties"]["ats"]["properties"]
    assert set(ats_update) == {"system", "application_id", "stage", "last_stage_change",
                               "interview_date", "company", "ghosting_risk"}
    assert ats_update == full


def test_a_missing_mapping_field_is_detected():
    properties = dict(emails_mapping()["properties"])
    del properties["sender_domain"]
    assert _compare(EmailDocument, properties) == ["sender_domain: in the model, not in the mapping"]


def test_document_serialises_with_index_field_names():
    doc = EmailDocument.model_validate({"id": "m1", "user_id": "u", "from": "a@b.com",
                                        "received_at": "2026-01-01T00:00:00Z"})
    body = doc.to_index()
    assert body["from"] == "a@b.com" and "from_" not in body
