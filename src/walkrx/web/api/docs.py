"""The API reference page, rendered on the server from the OpenAPI schema.

django-ninja's own docs page loads Swagger UI from a CDN unless ninja is an installed app;
walkrx serves nothing from elsewhere and allows no inline script, so the reference is
plain HTML built from the same schema as /api/openapi.json and needs no JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Property:
    name: str
    type: str
    required: bool
    description: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Property] = field(default_factory=list)
    body: str = ""
    responses: list[tuple[str, str]] = field(default_factory=list)


def type_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(type_name(option) for option in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(f'"{value}"' for value in schema["enum"])
    kind = schema.get("type", "object")
    if kind == "array":
        return f"list of {type_name(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        return f"object of {type_name(schema['additionalProperties'])}"
    if kind == "null":
        return "null"
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


def ref_name(content: dict[str, Any]) -> str:
    schema = content.get("application/json", {}).get("schema", {})
    return type_name(schema) if schema else ""


def operations(schema: dict[str, Any]) -> list[Operation]:
    found = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            spec = item[method]
            found.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=spec.get("summary", ""),
                    description=spec.get("description", ""),
                    parameters=[
                        Property(
                            name=f"{p['name']} ({p['in']})",
                            type=type_name(p.get("schema", {})),
                            required=bool(p.get("required")),
                            description=p.get("description", "")
                            or p.get("schema", {}).get("description", ""),
                        )
                        for p in spec.get("parameters", [])
                    ],
                    body=ref_name(spec.get("requestBody", {}).get("content", {})),
                    responses=[
                        (code, ref_name(answer.get("content", {})) or answer.get("description", ""))
                        for code, answer in spec.get("responses", {}).items()
                    ],
                )
            )
    return found


def components(schema: dict[str, Any]) -> list[tuple[str, list[Property]]]:
    found = []
    for name, spec in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(spec.get("required", []))
        found.append(
            (
                name,
                [
                    Property(
                        name=prop,
                        type=type_name(details),
                        required=prop in required,
                        description=details.get("description", ""),
                    )
                    for prop, details in spec.get("properties", {}).items()
                ],
            )
        )
    return found


class ReferenceDocs(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        return render(
            request,
            "api/docs.html",
            {
                "info": schema.get("info", {}),
                "openapi_url": self.get_openapi_url(api, kwargs),
                "operations": operations(schema),
                "components": components(schema),
            },
        )
