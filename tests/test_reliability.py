"""Reliability invariants of the prod stack, and the tags every resource carries."""

from __future__ import annotations

from ecs_platform.tools.mock_cloud import Registration, StackRun, run_program
from tests.conftest import provider_default_tags

SERVICE = "aws:ecs/service:Service"


def test_prod_spans_at_least_two_zones(prod: StackRun) -> None:
    assert len(prod.exports["zones"]) >= 2
    assert len(prod.one("awsx:ec2:Vpc").inputs["availabilityZoneNames"]) >= 2


def test_prod_runs_at_least_one_task_per_zone_for_every_service(prod: StackRun) -> None:
    zones = len(prod.exports["zones"])
    targets = {
        t.inputs["resourceId"].rsplit("/", 1)[-1]: t for t in prod.of_type("aws:appautoscaling/target:Target")
    }
    for svc in prod.of_type(SERVICE):
        assert svc.inputs["desiredCount"] >= zones, svc.name
        target = targets.get(svc.outputs["name"])
        if target is not None:
            assert target.inputs["minCapacity"] >= zones, svc.name


def test_prod_deployments_roll_back_and_keep_full_capacity(prod: StackRun) -> None:
    for svc in prod.of_type(SERVICE):
        assert svc.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert svc.inputs["deploymentMinimumHealthyPercent"] == 100


def test_prod_keeps_its_log_groups_when_the_stack_is_destroyed(prod: StackRun, dev: StackRun) -> None:
    assert prod.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert all(g.retain_on_delete for g in prod.of_type("aws:cloudwatch/logGroup:LogGroup"))
    assert not any(g.retain_on_delete for g in dev.of_type("aws:cloudwatch/logGroup:LogGroup"))


def test_prod_load_balancer_is_protected_and_logged(prod: StackRun) -> None:
    lb = prod.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert lb["enableDeletionProtection"] is True
    assert lb["accessLogs"]["enabled"] is True


# --- tags: one mechanism each ----------------------------------------------------------------------


def test_every_taggable_resource_carries_the_stack_tags_through_the_provider(prod: StackRun) -> None:
    stack_tags = provider_default_tags(prod)
    taggable = [r for r in prod.resources if "tagsAll" in r.outputs]
    assert len(taggable) > 20
    for r in taggable:
        assert {k: r.outputs["tagsAll"].get(k) for k in stack_tags} == stack_tags, r.name
        # ... and not as per-resource copies.
        assert not {"Project", "Stack", "Environment"} & set(r.inputs.get("tags") or {}), r.name


def test_every_taggable_resource_of_a_service_carries_its_service_tag(prod: StackRun) -> None:
    for component in prod.of_type("ecs-platform:ecs:Service"):
        name = component.name.removeprefix("ecs-")
        below = _descendants(prod, component.urn)
        taggable = [r for r in below if "tagsAll" in r.outputs]
        assert len(taggable) >= 6, component.name
        for r in taggable:
            assert r.outputs["tagsAll"]["Service"] == name, r.name


def test_config_tags_reach_every_resource(prod: StackRun) -> None:
    tags = provider_default_tags(prod)
    assert (tags["Environment"], tags["CostCenter"]) == ("prod", "platform")
    run = run_program("dev", {"tags": {"Team": "payments"}})
    assert provider_default_tags(run)["Team"] == "payments"


def _descendants(run: StackRun, urn: str) -> list[Registration]:
    out = []
    for r in run.resources:
        if r.parent == urn:
            out += [r, *_descendants(run, r.urn)]
    return out
