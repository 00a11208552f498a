"""The offline preview command and its cost estimate."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from ecs_platform.facts import NAT_INSTANCE_TYPES
from ecs_platform.specs import INSTANCE_TYPES
from ecs_platform.tools.mock_cloud import ROOT, StackRun, run_program, stack_config
from ecs_platform.tools.preview import __main__ as cli
from ecs_platform.tools.preview import report
from ecs_platform.tools.preview.cost import ec2_hourly, estimate, load_prices, missing_items, split_tasks
from tests.conftest import STACKS, stack_run

HOURS = 730


def preview(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- the text preview ---------------------------------------------------------------------


def test_dev_preview_shows_the_tree_counts_exports_and_cost(capsys) -> None:
    code, out, err = preview(capsys, "dev")
    assert (code, err) == (0, "")
    assert out.startswith("Stack dev (us-east-1): 53 resources, offline preview\n")
    expected_lines = [
        "├─ ecs  [ecs-platform:index:Platform]",
        "│  ├─ ecs-web  [ecs-platform:ecs:Service]",
        # zone names as this account calls them, with the zone IDs the stack picked
        "│  │  │     desired 1; capacity FARGATE_SPOT (weight 1); subnets us-east-1c/use1-az1 (private), "
        "us-east-1d/use1-az2 (private); public IP no; egress tcp 443 to anywhere, anything to 10.0.0.0/16; "
        "behind the load balancer on port 8080; rollback on failed deploy; "
        "deploys rolling; rolls back on alarms ecs-web-5xx-6122552, ecs-web-unhealthy-7ba1a4e; pulumi up waits for "
        "steady state (up to 30m); every update of the service redeploys (new tasks; forceNewDeployment, which "
        "changing the capacity strategy needs)",
        "│  │     ecs-web-5xx-6122552: HTTPCode_Target_5XX_Count (Sum) above 10 for 2 min",
        "│  │     ecs-web-unhealthy-7ba1a4e: UnHealthyHostCount (Maximum) above 0 for 2 min",
        "│  │  │     trusts ecs-tasks.amazonaws.com for account 123456789012 only",
        "│  │  │        managed policy AmazonECSTaskExecutionRolePolicy",
        "│  │  │        0.25 vCPU / 0.5 GB, X86_64, FARGATE, awsvpc; web "
        "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine, port 8080, read-only root, user 101:101, "
        "mounts scratch-0 at /tmp, after volume-init SUCCESS; volume-init public.ecr.aws/docker/library/busybox:1.37, "
        "read-only root, user 0, not essential, mounts scratch-0 at /volumes/scratch-0",
        "│  │  │     priority 30892: paths /* -> forward",
        "│  │        in tcp 8080 from security group ecs-lb-sg: Load balancer to ecs-web on its container port",
        "│           10.0.0.0/16 over us-east-1c, us-east-1d; NAT instance (no NAT gateway); /19 per zone",
        "│  │  │     1..1 instance in us-east-1c; replaced on failed EC2 status checks (min healthy 0%)",
        "│  │  │     in us-east-1c/use1-az1 (public); source/destination check off",
        "      region us-east-1; default tags ManagedBy=pulumi, Project=ecs-platform, Stack=dev",
        "     1  aws:ecs/service:Service",
        '  launchType: "FARGATE_SPOT"',
        "  NAT instance ecs-network-nat        7.36        7.36  t4g.nano x 1, 8 GiB gp3, 1 public IPv4 address; "
        "no per-GB processing charge",
        "  CloudWatch alarms                   0.30        0.30  3 standard-resolution alarms; free tier not subtracted",
        "  total                              39.92       39.92",
    ]
    # Compare without the tree drawing, which depends on sibling order.
    lines = {line.lstrip("│├└─ ") for line in out.splitlines()}
    for line in expected_lines:
        assert line.lstrip("│├└─ ") in lines, line


def test_prod_preview_lists_policies_and_autoscaling(capsys) -> None:
    code, out, _ = preview(capsys, "prod")
    assert code == 0
    assert ("Allow sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes on "
            "arn:aws:sqs:us-east-1:123456789012:prod-jobs") in out  # fmt: skip
    assert "desired 3 (autoscaling 3..12; live count kept)" in out
    assert "HTTPS 443, ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09; default 404" in out
    assert "HTTP 80; redirect to HTTPS 443" in out
    # web's blue/green deployment, its alarms and its test listener
    assert ("deploys blue/green, bake 15 min; target groups left as ECS swaps them; rolls back on alarms "
            "ecs-web-5xx-6122552, ecs-web-unhealthy-7ba1a4e, ecs-web-5xx-alt-206b244, ecs-web-unhealthy-alt-7d0caa0; "
            "pulumi up waits for steady state (up to 45m)") in out
    assert ("pulumi up waits for steady state (up to 45m); every update of the service redeploys (new tasks and a full "
            "traffic shift with its bake; forceNewDeployment, which changing the capacity strategy needs)") in out
    assert "HTTPS 8443, ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09; default 404" in out
    assert "hosts www.example.com -> forward (weights 100/0, set by ECS)" in out


def test_preview_shows_linear_and_canary_steps(capsys) -> None:
    base = {"image": "nginx", "user": "1000", "port": 8080, "public": True}
    for deployment, shown in (
        ({"strategy": "linear", "testPort": 8443, "testIngressCidrs": ["192.0.2.0/28"], "linear": {"stepPercent": 25, "stepMinutes": 2}},
         "deploys linear, 25% every 2 min, bake 10 min"),
        ({"strategy": "canary", "testPort": 8443, "testIngressCidrs": ["192.0.2.0/28"], "canary": {"percent": 2.5}}, "deploys canary, 2.5% for 10 min, bake 10 min"),
    ):  # fmt: skip
        run = run_program("dev", {"services": {"web": {**base, "deployment": deployment}}})
        assert run.error is None, run.error
        assert shown in report.text(run, None), shown


def test_secret_exports_are_masked(capsys) -> None:
    code, out, _ = preview(capsys, "staging")
    assert code == 0
    assert '  externalRegistrationCommand: "[secret]"' in out.splitlines()
    assert "activation-code" not in out
    code, out, _ = preview(capsys, "staging", "--json")
    assert json.loads(out)["exports"]["externalActivationCode"] == "[secret]"


# --- JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_json_lists_every_resource_and_is_byte_identical_across_runs(capsys, stack) -> None:
    _, first, _ = preview(capsys, stack, "--json")
    _, second, _ = preview(capsys, stack, "--json")
    assert first == second
    data = json.loads(first)
    run = stack_run(stack)
    assert [r["urn"] for r in data["resources"]] == sorted(r.urn for r in run.resources)
    assert set(data["resources"][0]) == {"urn", "type", "name", "parent", "inputs"}
    assert sum(data["counts"].values()) == len(run.resources)
    assert data["cost"]["totalMonthlyDesired"] > 0


def test_json_is_stable_in_a_separate_process(capsys) -> None:
    # Another process, with another hash seed than this one (set and dict order of strings).
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    done = subprocess.run([sys.executable, "-m", "ecs_platform.tools.preview", "prod", "--json"], cwd=ROOT,
                          capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})  # fmt: skip
    assert done.returncode == 0, done.stderr
    code, here, _ = preview(capsys, "prod", "--json")
    assert code == 0
    assert done.stdout.decode() == here


# --- overrides and errors ----------------------------------------------------------------------


def test_config_overrides_change_the_preview(capsys) -> None:
    _, out, _ = preview(capsys, "dev", "--config", "azCount=3", "--config", "services.web.desiredCount=2",
                        "--json")  # fmt: skip
    data = json.loads(out)
    vpc = next(r for r in data["resources"] if r["type"] == "awsx:ec2:Vpc")
    assert len(vpc["inputs"]["availabilityZoneNames"]) == 3
    svc = next(r for r in data["resources"] if r["type"] == "aws:ecs/service:Service")
    assert svc["inputs"]["desiredCount"] == 2
    assert svc["inputs"]["networkConfiguration"]["subnets"] and data["exports"]["urls"]


def test_dotted_override_edits_one_field_of_an_object_key() -> None:
    cfg = stack_config("prod", {"services.worker.desiredCount": 7, "aws:region": "us-east-1"})
    services = json.loads(cfg["ecs-platform:services"])
    assert services["worker"]["desiredCount"] == 7
    assert services["web"]["routes"] == [{"hosts": ["www.example.com"]}]


def test_bad_config_exits_1_with_the_messages_and_no_traceback(capsys) -> None:
    code, out, err = preview(capsys, "dev", "--config", "azCount=9", "--config", "logRetentionDays=2")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "error: invalid configuration (2 problem(s)):",
        # PlatformSpec's fields in model order: the cluster's (logRetentionDays) before the network's.
        "  - ecs-platform:logRetentionDays: 2 is not allowed (allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, "
        "150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)",
        "  - ecs-platform:azCount: 9 is out of range (allowed: 1..6)",
    ]
    assert "Traceback" not in err


def test_bad_config_exit_status_from_a_real_process() -> None:
    done = subprocess.run([sys.executable, "-m", "ecs_platform.tools.preview", "dev", "--config", "launchType=LAMBDA"],
                          cwd=ROOT, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1
    assert "ecs-platform:launchType" in done.stderr and "Traceback" not in done.stderr


def test_unknown_stack_exits_2(capsys) -> None:
    code, _, err = preview(capsys, "nope")
    assert code == 2
    assert err == f"error: no stack file Pulumi.nope.yaml (stacks: {', '.join(STACKS)})\n"


# --- cost arithmetic ----------------------------------------------------------------------------

PRICES = load_prices()["regions"]["us-east-1"]


def _one_service(overrides: dict[str, Any]) -> StackRun:
    base = {"loadBalancer": {"allowPlainHttp": True}, "natGateways": "Single"}
    run = run_program("dev", {**base, **overrides})
    assert run.error is None, run.error
    return run


def _line(run: StackRun, prefix: str) -> Any:
    [line] = [x for x in estimate(run).lines if x.item.startswith(prefix)]
    return line


def test_one_fargate_task_costs_its_vcpu_and_gb_hours() -> None:
    run = _one_service({"launchType": "FARGATE", "services": {"api": {"image": "x", "user": "1000", "cpu": 1024, "memory": 2048,
                                                                      "desiredCount": 2}}})  # fmt: skip
    line = _line(run, "Fargate")
    per_task = 1 * 0.04048 + 2 * 0.004445
    assert line.desired == pytest.approx(HOURS * 2 * per_task)
    assert line.desired == pytest.approx(72.08, abs=0.01)


def test_deployment_alarms_are_priced_per_alarm_month() -> None:
    run = _one_service({"services": {"web": {"image": "x", "user": "1000", "port": 8080, "public": True, "deployment": {
        "strategy": "blueGreen", "testPort": 8443, "testIngressCidrs": ["192.0.2.0/28"]}}}})  # fmt: skip
    line = _line(run, "CloudWatch alarms")
    assert line.desired == pytest.approx(4 * PRICES["cloudwatch_alarm_month"])  # 2 per target group
    private = _one_service({"services": {"jobs": {"image": "x", "user": "1000"}}})
    assert [x.item for x in estimate(private).lines if x.item == "CloudWatch alarms"] == []


def test_arm64_and_extra_ephemeral_storage_are_priced() -> None:
    run = _one_service({"launchType": "FARGATE", "services": {"api": {
        "image": "x", "user": "1000", "architecture": "ARM64", "ephemeralStorageGiB": 50, "desiredCount": 1}}})  # fmt: skip
    per_task = 0.25 * 0.03238 + 0.5 * 0.00356 + 30 * 0.000111
    assert _line(run, "Fargate").desired == pytest.approx(HOURS * per_task)


def test_spot_tasks_after_the_on_demand_base_get_the_discount() -> None:
    run = _one_service({"launchType": "FARGATE_SPOT", "fargateOnDemandBase": 1,
                        "services": {"api": {"image": "x", "user": "1000", "desiredCount": 6}}})  # fmt: skip
    per_task = HOURS * (0.25 * 0.04048 + 0.5 * 0.004445)
    # 1 on-demand base, then 5 split 1:4 -> 2 on-demand, 4 Spot at 30 % of the price.
    assert _line(run, "Fargate").desired == pytest.approx(per_task * (2 + 4 * 0.3))


def test_autoscaled_services_are_priced_at_max_too() -> None:
    run = _one_service({"launchType": "FARGATE", "services": {"api": {
        "image": "x", "user": "1000", "desiredCount": 2, "autoscaling": {"min": 2, "max": 10, "cpuTarget": 50}}}})  # fmt: skip
    line = _line(run, "Fargate")
    assert line.maximum == pytest.approx(line.desired * 5)


def test_nat_and_load_balancer_hours_and_public_ips() -> None:
    run = _one_service({"natGateways": "OnePerAz", "azCount": 2, "services": {"api": {
        "image": "x", "user": "1000", "port": 80, "public": True}}})  # fmt: skip
    assert _line(run, "NAT").desired == pytest.approx(2 * HOURS * (0.045 + 0.005))
    assert _line(run, "Load balancer").desired == pytest.approx(HOURS * (0.0225 + 0.008 + 2 * 0.005))


def test_ec2_group_is_sized_to_its_tasks_within_min_and_max() -> None:
    run = _one_service({"launchType": "EC2", "ec2": {"instanceTypes": ["m7g.large"], "minSize": 1, "maxSize": 4},
                        "services": {"api": {"image": "x", "user": "1000", "cpu": 1024, "memory": 2048, "desiredCount": 3}}})  # fmt: skip
    line = _line(run, "EC2")
    # 3 x 1024 units on 2048-unit instances at 100 % target -> 2 instances, plus 30 GiB gp3 each.
    assert line.desired == pytest.approx(2 * (HOURS * 0.0816 + 30 * 0.08))
    assert "m7g.large x 2" in line.detail


def test_split_tasks_follows_base_then_weights() -> None:
    strategy = [{"capacityProvider": "FARGATE", "weight": 1, "base": 2},
                {"capacityProvider": "FARGATE_SPOT", "weight": 3}]  # fmt: skip
    assert split_tasks(10, strategy) == {"FARGATE": 4.0, "FARGATE_SPOT": 6.0}
    assert split_tasks(1, strategy) == {"FARGATE": 1.0, "FARGATE_SPOT": 0.0}


def test_unknown_region_is_reported_not_guessed() -> None:
    run = _one_service({"aws:region": "eu-central-2"})
    est = estimate(run)
    assert est.lines == [] and not est.complete
    priced = ", ".join(sorted(load_prices()["regions"]))
    assert est.problems == [f"no prices for region 'eu-central-2' (priced: {priced})"]
    assert "eu-west-1" in priced
    assert est.as_dict()["totalMonthlyDesired"] is None


def test_unpriced_instance_type_is_reported() -> None:
    run = _one_service({"launchType": "EC2", "services": {"api": {"image": "x", "user": "1000"}}, "ec2": {
        "instanceTypes": ["x9z.large"], "instanceTypeSpecs": {"x9z.large": {"vcpu": 2, "memoryMiB": 8192}}}})  # fmt: skip
    est = estimate(run)
    assert est.problems == ["no price for instance type 'x9z.large' in us-east-1 (group ecs-cluster-ec2-asg)"]
    assert est.as_dict()["totalMonthlyDesired"] is None


def test_dev_costs_less_than_prod(dev: StackRun, prod: StackRun) -> None:
    assert 0 < estimate(dev).total_desired < estimate(prod).total_desired
    assert estimate(prod).total_desired <= estimate(prod).total_maximum


#: The load balancers' hours and capacity units: the last figures of issue 23 to find a source (AWS's elb.json).
ELB_ITEMS = {"alb_hour", "alb_lcu_hour", "nlb_hour", "nlb_nlcu_hour"}
#: The regions people deploy to (issue 23): each one priced for every item.
REGIONS = ("us-east-1", "us-east-2", "us-west-2", "ca-central-1", "sa-east-1", "eu-west-1", "eu-west-2",
           "eu-central-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1")  # fmt: skip


def test_price_file_names_its_source_and_date() -> None:
    prices = load_prices()
    assert prices["source"] and prices["as_of"] and prices["hours_per_month"] == HOURS
    assert set(REGIONS) <= set(prices["regions"])
    for stack in STACKS:
        assert stack_config(stack)["aws:region"] in prices["regions"]


def test_every_region_has_every_item_with_its_source_date_and_unverified_figures() -> None:
    prices = load_prices()
    assert missing_items(prices) == {}
    for region, rp in prices["regions"].items():
        assert rp["source"] and rp["as_of"], region
        assert set(rp["unverified"]) <= set(prices["items"]) | set(prices["optional_items"]), region
        # What the NAT instance and the example stacks need, in every region; only built-in types.
        hourly = set(rp["ec2"]["on_demand_hourly"])
        assert {*NAT_INSTANCE_TYPES, "m6g.large", "m7g.large"} <= hourly <= set(INSTANCE_TYPES), region


def test_each_region_cites_its_sources_and_leaves_unverified_only_what_no_source_gave() -> None:
    prices = load_prices()
    for name, source in prices["sources"].items():
        # A copy pinned to a commit: repository@40-hex-commit, then the path.
        assert re.fullmatch(r"github\.com/[\w.-]+/[\w.-]+@[0-9a-f]{40}, .+", source["copy"]), name
    for region, rp in prices["regions"].items():
        for name in ("aws-pricing-pages-2025-11", "ec2-shop-2025-04", "elb-pricing-page-data-2025-11"):
            assert name in rp["source"], (region, name)
        # Issue 23: every figure, the load balancers' included, was read from AWS's pricing-page data.
        assert rp["unverified"] == [], region


def test_load_balancer_figures_are_aws_s_elb_data_not_the_recalled_ones() -> None:
    regions = load_prices()["regions"]
    # AWS's elb.json: per region, ALB hour and LCU-hour, NLB hour and NLCU-hour.
    assert {item: regions["us-east-1"][item] for item in ELB_ITEMS} == {
        "alb_hour": 0.0225, "alb_lcu_hour": 0.008, "nlb_hour": 0.0225, "nlb_nlcu_hour": 0.006}  # fmt: skip
    assert [regions["ca-central-1"][item] for item in sorted(ELB_ITEMS)] == [0.02475, 0.0088, 0.02475, 0.0066]
    # The two recalled figures it corrected: Sao Paulo's NLCU-hour is $0.00825 (not $0.0083), London's $0.006
    # (not $0.0063).
    assert (regions["sa-east-1"]["nlb_nlcu_hour"], regions["eu-west-2"]["nlb_nlcu_hour"]) == (0.00825, 0.006)


def test_instance_prices_are_aws_s_per_type_not_multiples_of_a_size() -> None:
    hourly = load_prices()["regions"]["eu-west-1"]["ec2"]["on_demand_hourly"]
    # AWS rounds each size's price: c6g.xlarge is $0.1459, not twice c6g.large's $0.073.
    assert (hourly["c6g.large"], hourly["c6g.xlarge"]) == (0.073, 0.1459)
    assert ec2_hourly("c6g.xlarge", {"on_demand_hourly": hourly}) == 0.1459
    assert ec2_hourly("x9z.large", {"on_demand_hourly": hourly}) is None


def test_a_missing_item_is_named() -> None:
    prices = load_prices()
    broken = json.loads(json.dumps(prices))
    del broken["regions"]["eu-west-1"]["nlb_hour"]
    broken["regions"]["ap-south-1"]["fargate"]["ARM64"] = {}
    broken["regions"]["sa-east-1"]["unverified"].append("lambda_gb_second")
    assert missing_items(broken) == {"eu-west-1": ["nlb_hour"], "ap-south-1": ["fargate.ARM64"],
                                     "sa-east-1": ["unverified:lambda_gb_second"]}  # fmt: skip


@pytest.mark.parametrize("region", REGIONS)
def test_each_region_prices_the_dev_stack_with_no_problem_and_nothing_unverified(region: str) -> None:
    run = run_program("dev", {"aws:region": region})
    assert run.error is None, run.error
    est = estimate(run)
    assert est.problems == [] and est.total_desired > 0
    assert not [a for a in est.assumptions if a.startswith("Not confirmed against a source")]
    assert est.source == load_prices()["regions"][region]["source"]


def test_an_unverified_figure_is_repeated_as_an_assumption(dev: StackRun) -> None:
    prices = json.loads(json.dumps(load_prices()))
    prices["regions"]["us-east-1"]["unverified"] = ["alb_hour", "nlb_nlcu_hour"]
    shown = [a for a in estimate(dev, prices).assumptions if a.startswith("Not confirmed against a source")]
    assert shown == ["Not confirmed against a source for us-east-1 (no source of AWS's price data gave them; "
                     "check before relying): alb_hour, nlb_nlcu_hour"]  # fmt: skip


# --- issue 23: the dev budget and the cost docs -------------------------------------------------


def test_dev_costs_at_most_45_dollars_a_month_with_tasks_in_private_subnets(dev: StackRun) -> None:
    est = estimate(dev)
    assert est.problems == []
    assert est.total_maximum <= 45.0
    assert dev.config["ecs-platform:natGateways"] == "Instance"
    private = set(dev.one("awsx:ec2:Vpc").outputs["isolatedSubnetIds"])  # behind dev's NAT instance
    for svc in dev.of_type("aws:ecs/service:Service"):
        assert set(svc.inputs["networkConfiguration"]["subnets"]) <= private
        assert not svc.inputs["networkConfiguration"].get("assignPublicIp")
    assert [line.item for line in est.lines if line.item.startswith("NAT")] == ["NAT instance ecs-network-nat"]


def test_the_cost_docs_table_is_the_preview_output() -> None:
    from ecs_platform.tools.preview import cost_table

    text = (ROOT / "docs" / "cost.md").read_text()
    start, end = text.index(cost_table.START), text.index(cost_table.END)
    committed = text[start + len(cost_table.START) : end].strip("\n") + "\n"
    assert committed == cost_table.table(), (
        "docs/cost.md's table is stale: paste `venv/bin/python -m ecs_platform.tools.preview.cost_table`"
    )
