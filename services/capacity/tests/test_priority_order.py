"""The priority order is applied in SQL for speed and in Python for single purchases that
are no candidate; both must say the same."""

from __future__ import annotations

import itertools

from capacity.codes import ContractType
from capacity.placements.priority import rung_of, rung_sql
from devstack.testing import fetch


async def test_the_sql_and_python_rungs_agree(database_server):
    combinations = list(itertools.product(ContractType, (True, False), (True, False)))
    for contract_type, same_region, has_framework in combinations:
        expression = rung_sql("$1::text", "$2::boolean", "$3::boolean")
        rows = await fetch(
            database_server,
            f"SELECT {expression} AS rung",
            str(contract_type),
            same_region,
            has_framework,
        )
        assert rows[0]["rung"] == rung_of(contract_type, same_region, has_framework), (
            contract_type,
            same_region,
            has_framework,
        )


def test_the_five_steps():
    assert rung_of(ContractType.state, True, False) == 1
    assert rung_of(ContractType.purchase_guarantee, True, False) == 1
    assert rung_of(ContractType.state, False, False) == 2
    assert rung_of(ContractType.framework, True, True) == 3
    assert rung_of(ContractType.single_purchase, False, True) == 4
    assert rung_of(ContractType.single_purchase, True, False) == 5
