#!/usr/bin/env python3
"""Validate real answers of forge serve against its own OpenAPI document, with `jsonschema`
(code forge did not write).

usage: openapi_body.py DOC.json SCHEMA BODY.json [SCHEMA BODY.json]...

Each BODY must validate against `#/components/schemas/SCHEMA` of DOC, with every object closed:
a key the schema does not name is an error, so a field renamed on one side only fails. Then, to
prove that, each top-level field of BODY is renamed in turn in a copy of SCHEMA and the same body
must fail. Exit 0 when all of that holds; 1 with the reasons otherwise.
"""

import copy
import json
import sys

import jsonschema


def members_of_all_of(node, found):
    """Names of components used directly as `allOf` members (they are closed by their parent)."""
    if isinstance(node, dict):
        for member in node.get("allOf", []):
            ref = member.get("$ref", "")
            if ref.startswith("#/components/schemas/"):
                found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            members_of_all_of(value, found)
    elif isinstance(node, list):
        for value in node:
            members_of_all_of(value, found)
    return found


def close(node, open_ok):
    """Forbid keys a schema does not describe: `additionalProperties: false` on plain objects,
    `unevaluatedProperties: false` on compositions (their members stay open, or no object could
    satisfy them all). Objects that say what extra keys they take are left alone."""
    if isinstance(node, dict):
        if "allOf" in node:
            node.setdefault("unevaluatedProperties", False)
            for member in node["allOf"]:
                close_children(member)
        elif "properties" in node and not open_ok:
            node.setdefault("additionalProperties", False)
        close_children(node)
    elif isinstance(node, list):
        for value in node:
            close(value, False)


def close_children(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "allOf":
                continue
            if key == "properties":
                for prop in value.values():
                    close(prop, False)
            else:
                close(value, False)


def closed_components(doc):
    schemas = copy.deepcopy(doc["components"]["schemas"])
    members = members_of_all_of(schemas, set())
    for name, schema in schemas.items():
        close(schema, name in members)
    return schemas


def errors(schemas, name, body):
    root = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": f"#/components/schemas/{name}",
        "components": {"schemas": schemas},
    }
    validator = jsonschema.Draft202012Validator(root)
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
        for e in validator.iter_errors(body)
    ]


def main(argv):
    if len(argv) < 4 or len(argv) % 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    schemas = closed_components(doc)
    failed = False
    for name, path in zip(argv[2::2], argv[3::2]):
        with open(path, encoding="utf-8") as f:
            body = json.load(f)
        if name not in schemas:
            print(f"{name}: no such schema in the document", file=sys.stderr)
            failed = True
            continue
        found = errors(schemas, name, body)
        if found:
            failed = True
            print(f"{name} does not describe {path}:", file=sys.stderr)
            for e in found[:20]:
                print(f"  {e}", file=sys.stderr)
            continue
        # Each top-level field renamed in the schema only must be noticed, optional ones too.
        unnoticed = []
        for field in body:
            if field not in schemas[name].get("properties", {}):
                continue
            renamed = copy.deepcopy(schemas)
            target = renamed[name]
            target["properties"][field + "_renamed"] = target["properties"].pop(field)
            target["required"] = [
                f + "_renamed" if f == field else f for f in target.get("required", [])
            ]
            if not errors(renamed, name, body):
                unnoticed.append(field)
        if unnoticed:
            failed = True
            print(f"{name}: renaming {unnoticed} in the schema only went unnoticed", file=sys.stderr)
            continue
        print(f"{name}: {path} validates; each of its {len(body)} fields renamed does not")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
