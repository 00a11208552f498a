"""checkov's findings the platform accepts (issue 21): docs/security.md's table of accepted
findings equals what our replicas of those checks find on the recorded stacks, and the
Terraform-plan rendering checkov reads is sound."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ecs_platform.tools import checkov
from ecs_platform.tools.mock_cloud import ROOT, StackRun, run_program
from tests.conftest import stack_run

MARKER = "<!-- accepted-checkov-findings -->"


def _table() -> dict[str, set[tuple[str, str]]]:
    """stack -> {(check id, resource)} from the table after the marker."""
    text = (ROOT / "docs" / "security.md").read_text()
    rows = text[text.index(MARKER):].split("\n\n", 1)[0].splitlines()[3:]
    out: dict[str, set[tuple[str, str]]] = {}
    for row in rows:
        check, stacks, resources = (c.strip() for c in row.strip("|").split("|")[:3])
        for stack in (s.strip() for s in stacks.split(",")):
            out.setdefault(stack, set()).update((check, r) for r in re.findall(r"`([^`]+)`", resources))
    return out


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_accepted_findings_table_equals_the_findings_of_the_stack(stack: str) -> None:
    assert checkov.accepted_findings(stack_run(stack)) == _table()[stack]


def test_each_row_says_why_and_which_key_turns_it_on() -> None:
    text = (ROOT / "docs" / "security.md").read_text()
    rows = text[text.index(MARKER):].split("\n\n", 1)[0].splitlines()[3:]
    assert rows
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 5 and all(cells), row
        assert cells[0] in checkov.CHECKS, row


def test_a_fixed_finding_leaves_the_table_stale() -> None:
    # Turning on what dev turns off (access logs, deletion protection) removes those findings:
    # the table would then list findings the stack no longer has.
    run = run_program("dev", {"loadBalancer": {"allowPlainHttp": True, "deletionProtection": True,
                                               "accessLogs": True}})
    assert run.error is None, run.error
    found = checkov.accepted_findings(run)
    assert ("CKV_AWS_150", "aws_lb.ecs_lb") not in found and ("CKV_AWS_91", "aws_lb.ecs_lb") not in found
    assert found != _table()["dev"]


def _plan(run: StackRun) -> dict[str, Any]:
    plan: dict[str, Any] = json.loads(json.dumps(checkov.plan(run), default=str))
    return plan


def test_the_plan_is_terraforms_spelling_of_the_recorded_resources() -> None:
    plan = _plan(stack_run("prod"))
    resources = {r["address"]: r for r in plan["planned_values"]["root_module"]["resources"]}
    lb = resources["aws_lb.ecs_lb"]["values"]
    assert lb["enable_deletion_protection"] is True and lb["drop_invalid_header_fields"] is True
    assert lb["access_logs"][0]["enabled"] is True  # a block: a list of one object
    http = resources["aws_lb_listener.ecs_lb_http"]["values"]
    assert http["default_action"][0]["redirect"][0]["protocol"] == "HTTPS"
    # Each property's dependencies are references: the edges of checkov's graph checks.
    config = {r["address"]: r for r in plan["configuration"]["root_module"]["resources"]}
    association = config["aws_wafv2_web_acl_association.ecs_lb_waf_association"]["expressions"]
    assert "aws_lb.ecs_lb" in association["resource_arn"]["references"]
    assert {r["address"] for r in plan["resource_changes"]} == set(resources)


def test_every_resource_type_the_stacks_register_is_rendered_or_is_no_terraform_resource() -> None:
    types = {r.type for s in ("dev", "prod") for r in stack_run(s).resources if r.type.startswith("aws:")}
    assert types <= set(checkov.TF)
