"""The priority order is applied in SQL for speed and in Python for single purchases that
are no candidate; both must say the same."""

from __future__ import annotations

import itertools

from sqlalchemy import Boolean, bindparam, select

from capacity.codes import ContractType, Ownership
from capacity.institutions.models import Institution, PlaceContract
from capacity.placement_requests.priority import (
    OWNERSHIP_ORDER,
    ownership_rank,
    rung_expression,
    rung_of,
)
from common.db import DriverStatement
from devstack.testing import fetch


async def test_the_sql_and_python_rungs_agree(database_server):
    contract_type_column = PlaceContract.__table__.c.contract_type
    statement = DriverStatement(
        select(
            rung_expression(
                bindparam("contract_type", type_=contract_type_column.type),
                bindparam("same_region", type_=Boolean()),
                bindparam("has_framework", type_=Boolean()),
            ).label("rung")
        )
    )
    combinations = list(itertools.product(ContractType, (True, False), (True, False)))
    for contract_type, same_region, has_framework in combinations:
        arguments = statement.arguments(
            {
                "contract_type": contract_type,
                "same_region": same_region,
                "has_framework": has_framework,
            }
        )
        rows = await fetch(database_server, statement.sql, *arguments)
        assert rows[0]["rung"] == rung_of(contract_type, same_region, has_framework), (
            contract_type,
            same_region,
            has_framework,
        )


async def test_the_sql_ownership_order_is_the_python_one(database_server):
    ownership = Institution.__table__.c.ownership
    statement = DriverStatement(
        select(ownership_rank(bindparam("ownership", type_=ownership.type)).label("rank"))
    )
    for owner in Ownership:
        rows = await fetch(
            database_server, statement.sql, *statement.arguments({"ownership": owner})
        )
        assert rows[0]["rank"] == OWNERSHIP_ORDER[owner], owner


def test_the_five_steps():
    assert rung_of(ContractType.state, True, False) == 1
    assert rung_of(ContractType.purchase_guarantee, True, False) == 1
    assert rung_of(ContractType.state, False, False) == 2
    assert rung_of(ContractType.framework, True, True) == 3
    assert rung_of(ContractType.single_purchase, False, True) == 4
    assert rung_of(ContractType.single_purchase, True, False) == 5
