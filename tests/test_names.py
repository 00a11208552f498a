"""Every name the platform derives for AWS fits AWS's documented limit and character set
(``facts.NAME_LIMITS``), for the longest service name validation allows, through the mock
engine. Auto-named resources are checked with the name Pulumi would give them
(``<logical name>-<7 hex>``, never truncated; the mock fails where pulumi-aws fails)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecs_platform import facts
from ecs_platform.names import stable_short_name, target_group_name
from ecs_platform.tools.mock_cloud import Registration, StackRun, autoname, autonamed_property, run_program, stack_config

#: 32 characters: the longest service name validation allows.
LONGEST = "order-fulfilment-notifications-x"
#: Pulumi allows stack names of up to 100 characters; ours go into families and log groups.
LONG_STACK = "staging-" + "e" * 92
SM = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
TG = "aws:lb/targetGroup:TargetGroup"
NAME_PROPS = ("name", "namePrefix", "family", "bucket", "bucketPrefix", "creationToken")


def _everything(**extra: Any) -> dict[str, Any]:
    """A public service with every feature that derives a name, and a private one."""
    return {
        LONGEST: {"image": "nginx", "user": "101", "port": 8080, "public": True, "exec": True,
                  "readonlyRootFilesystem": False, "secrets": {"DB": SM},
                  "permissions": [{"actions": ["xray:PutTraceSegments"], "resources": ["*"]}],
                  "autoscaling": {"min": 1, "max": 4, "cpuTarget": 60, "memoryTarget": 70, "requestsPerTarget": 100},
                  **extra},
        LONGEST[:-1] + "y": {"image": "busybox", "user": "1000"},
    }  # fmt: skip


RUNS: dict[str, tuple[str, dict[str, Any]]] = {
    "fargate": ("dev", {"services": _everything()}),
    "ec2": ("dev", {"launchType": "EC2", "services": _everything()}),
    "external": ("dev", {"launchType": "EXTERNAL", "services": {
        LONGEST: {"image": "busybox", "user": "1000", "port": 9000, "networkMode": "host"}}}),
}  # fmt: skip


@pytest.fixture(scope="module", params=sorted(RUNS))
def run(request: pytest.FixtureRequest) -> StackRun:
    base, overrides = RUNS[request.param]
    result = run_program(LONG_STACK, config=stack_config(base, overrides))
    assert result.error is None, result.error
    return result


def derived_names(r: Registration) -> list[tuple[str, str]]:
    """(property, name) pairs AWS will see for this resource: the ones the program gives and,
    for an auto-named property the program leaves open, the name Pulumi gives."""
    out = [(p, str(r.inputs[p])) for p in NAME_PROPS if r.inputs.get(p) and p != "namePrefix"]
    if r.inputs.get("namePrefix"):  # the provider appends a 26-character unique id to the prefix
        out.append(("name", autoname(r.type, r.name, r.inputs)))
    prop = autonamed_property(r.type)
    if prop and not r.inputs.get(prop) and not r.inputs.get(f"{prop}Prefix"):
        out.append((prop, autoname(r.type, r.name, r.inputs)))
    if r.type == "aws:ecs/taskDefinition:TaskDefinition":
        out += [("containerDefinitions[].name", c["name"]) for c in json.loads(r.inputs["containerDefinitions"])]
    return out


def test_every_derived_name_fits_aws_limits_for_the_longest_service_name(run: StackRun) -> None:
    checked: set[str] = set()
    problems: list[str] = []
    for r in run.resources:
        if not r.custom or not r.type.startswith("aws:"):
            continue
        for prop, name in derived_names(r):
            limit = facts.NAME_LIMITS.get((r.type, prop))
            if limit is None:
                problems.append(f"{r.type}.{prop} ({name}): no documented limit in facts.NAME_LIMITS")
                continue
            checked.add(r.type)
            if len(name) > limit.max_len or not limit.pattern.match(name):
                problems.append(f"{r.name}: {prop} {name!r} ({len(name)} characters) breaks {limit.source}")
    assert problems == []
    assert {"aws:iam/role:Role", "aws:ecs/taskDefinition:TaskDefinition", "aws:cloudwatch/logGroup:LogGroup",
            "aws:ecs/service:Service"} <= checked  # fmt: skip


def test_the_longest_service_names_its_parts() -> None:
    base, overrides = RUNS["fargate"]
    run = run_program(LONG_STACK, config=stack_config(base, overrides))
    assert run.error is None, run.error
    task = run.one("aws:ecs/taskDefinition:TaskDefinition", f"ecs-{LONGEST}-task")
    assert task.inputs["family"] == f"ecs-platform-{LONG_STACK}-{LONGEST}"
    assert json.loads(task.inputs["containerDefinitions"])[0]["name"] == LONGEST
    assert run.one("aws:cloudwatch/logGroup:LogGroup", f"ecs-{LONGEST}-task-logs").inputs["namePrefix"] == (
        f"/ecs/ecs-platform-{LONG_STACK}/{LONGEST}-"
    )
    # The target group's auto-name would be 4 + 32 + 3 + 8 = 47 characters: it gets a short one.
    tg = run.one(TG, f"ecs-{LONGEST}-tg")
    assert len(tg.inputs["name"]) == 32 and tg.inputs["name"].startswith("ecs-order-fulfilment-no-")
    # A Service Connect discovery name (the service name) is a DNS label.
    assert facts.NAME_LIMITS[("aws:servicediscovery/service:Service", "name")].pattern.match(LONGEST)


def test_the_service_name_limit_is_the_one_validation_enforces() -> None:
    assert len(LONGEST) == facts.SERVICE_NAME_MAX == 32
    assert facts.SERVICE_NAME_RE.match(LONGEST)
    assert not facts.SERVICE_NAME_RE.match(LONGEST + "z")


# --- target groups ------------------------------------------------------------------------------


def test_short_service_names_keep_the_auto_named_target_group(prod: StackRun) -> None:
    # `ecs-web-tg` + 8 fits: no name is given, so deployed target groups are not replaced.
    tg = prod.one(TG, "ecs-web-tg")
    assert "name" not in tg.inputs
    assert tg.outputs["name"] == autoname(TG, "ecs-web-tg")


@pytest.mark.parametrize(("length", "given"), [(17, False), (18, True)])
def test_target_groups_are_named_from_the_first_service_name_whose_auto_name_breaks_32(length, given) -> None:
    name = "s" * length
    run = run_program("dev", {"services": {name: {"image": "nginx", "user": "101", "port": 80, "public": True}}})
    assert run.error is None, run.error
    tg = run.one(TG, f"ecs-{name}-tg")
    assert ("name" in tg.inputs) is given
    assert len(tg.outputs["name"]) <= 32


def test_the_mock_fails_where_pulumi_aws_fails() -> None:
    # What the platform did before: an 18-character service left to Pulumi's auto-name.
    assert len(autoname(TG, "ecs-" + "s" * 17 + "-tg")) == 32
    with pytest.raises(ValueError, match="plus 7 random chars is longer than maximum length 32"):
        autoname(TG, "ecs-" + "s" * 18 + "-tg")


def test_a_short_name_changes_with_every_input_that_replaces_the_target_group() -> None:
    base = stable_short_name("ecs-order-fulfilment-notifications-x-tg", 32, "p", "s", "8080", "HTTP", "ip", "vpc-1")
    assert base == stable_short_name("ecs-order-fulfilment-notifications-x-tg", 32, "p", "s", "8080", "HTTP", "ip",
                                     "vpc-1")  # fmt: skip
    others = {
        stable_short_name("ecs-order-fulfilment-notifications-x-tg", 32, *ident)
        for ident in [("p", "s", "9090", "HTTP", "ip", "vpc-1"), ("p", "s", "8080", "HTTPS", "ip", "vpc-1"),
                      ("p", "s", "8080", "HTTP", "instance", "vpc-1"), ("p", "s", "8080", "HTTP", "ip", "vpc-2"),
                      ("p", "prod", "8080", "HTTP", "ip", "vpc-1"), ("q", "s", "8080", "HTTP", "ip", "vpc-1")]
    }  # fmt: skip
    assert base not in others and len(others) == 6
    assert all(facts.NAME_LIMITS[(TG, "name")].pattern.match(n) and len(n) <= 32 for n in {base, *others})
    assert stable_short_name("internal-" + "x" * 40, 32).startswith("xxxx")  # ELB reserves internal-


def test_a_port_change_renames_the_target_group_so_create_before_delete_does_not_collide() -> None:
    def tg_name(port: int, stack: str = "dev") -> str:
        run = run_program(stack, config=stack_config("dev", {"services": {
            LONGEST: {"image": "nginx", "user": "101", "port": port, "public": True}}}))  # fmt: skip
        assert run.error is None, run.error
        return str(run.one(TG).outputs["name"])

    assert tg_name(8080) == tg_name(8080)
    assert len({tg_name(8080), tg_name(9090), tg_name(8080, "staging")}) == 3


def test_target_group_name_is_none_while_the_auto_name_fits() -> None:
    assert target_group_name("ecs-" + "s" * 17 + "-tg", port=80, protocol="HTTP", target_type="ip",
                             vpc_id="vpc-1") is None  # fmt: skip
