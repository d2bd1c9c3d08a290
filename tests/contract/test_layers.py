"""The one way each thing is done, as every service copies it from capacity: routers parse
and respond, services hold the rules and never touch SQL, tables or how a unit of work
reads; bodies in and out are built on the shared bases."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from common.schemas import Input, Output
from devstack.services import DOMAIN_SERVICES, REPO_ROOT

SERVICE_MODULES = sorted(REPO_ROOT.glob("services/*/src/*/*/service.py"))
ROUTER_MODULES = sorted(REPO_ROOT.glob("services/*/src/*/*/router.py"))
# What only repositories and the unit of work may use.
PERSISTENCE = ("sqlalchemy", "asyncpg")
UNIT_OF_WORK_INSIDES = {"session", "read_only", "fetch", "fetch_one", "add", "flush"}


def test_there_are_services_to_check():
    assert SERVICE_MODULES
    assert ROUTER_MODULES


@pytest.mark.parametrize("path", SERVICE_MODULES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_a_service_never_touches_sql_tables_or_how_a_unit_reads(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
            )
            assert not any(name.startswith(PERSISTENCE) for name in names), (path, names)
        if isinstance(node, ast.Attribute) and node.attr in UNIT_OF_WORK_INSIDES:
            owner = node.value
            assert not (isinstance(owner, ast.Name) and owner.id == "uow"), (
                f"{path}:{node.lineno} uses uow.{node.attr}: a repository's business"
            )
        if isinstance(node, ast.Attribute) and node.attr == "__table__":
            raise AssertionError(f"{path}:{node.lineno} touches a table")


@pytest.mark.parametrize("path", ROUTER_MODULES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_a_router_leaves_the_rules_and_the_data_to_others(path: Path):
    tree = ast.parse(path.read_text())
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [module for module in imported if module.endswith((".repository", ".models"))]
    assert not [module for module in imported if module.startswith(PERSISTENCE)]


@pytest.mark.parametrize("service", DOMAIN_SERVICES, ids=lambda s: s.name)
def test_bodies_in_and_out_are_built_on_the_shared_bases(service):
    routers = [
        importlib.import_module(f"{service.name}.{path.parent.name}.router").router
        for path in REPO_ROOT.glob(f"services/{service.name}/src/{service.name}/*/router.py")
    ]
    for router in routers:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            if route.body_field is not None:
                body = route.body_field.field_info.annotation
                assert isinstance(body, type), (route.path, body)
                assert issubclass(body, Input), (route.path, body)
            answer = route.response_model
            if isinstance(answer, type) and hasattr(answer, "model_fields"):
                item = answer.model_fields.get("items")
                inner = (
                    item.annotation.__args__[0]
                    if item and getattr(item.annotation, "__args__", None)
                    else answer
                )
                assert issubclass(inner, Output), (route.path, inner)
