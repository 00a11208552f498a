"""GPU and Neuron capacity (issue 27): GPU families boot AWS's ECS GPU AMI with the agent's GPU
support on, Trainium and Inferentia the Neuron AMI; containers reserve GPUs with ``gpu: N``
(``resourceRequirements``), only where GPUs are; accelerated families no ECS AMI drives are refused.
Rules on the model and through the real program (nothing registered when refused), resources
through the mock engine against the dev stack file, and the preview."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from ecs_platform import facts
from ecs_platform.errors import ConfigError
from ecs_platform.specs import Ec2Spec
from ecs_platform.tools.mock_cloud import MockCloud, StackRun, run_program
from ecs_platform.tools.preview.report import tree_lines
from tests.conftest import containers
from tests.test_validation import config_problems

LT = "aws:ec2/launchTemplate:LaunchTemplate"
TASKDEF = "aws:ecs/taskDefinition:TaskDefinition"
NS = "ecs-platform:"
GPU_EC2: dict[str, Any] = {"launchType": "EC2", "ec2": {"instanceTypes": ["g5.xlarge", "g4dn.xlarge"]}}
NEURON = {"launchType": "EC2", "ec2": {"instanceTypes": ["inf2.xlarge"],
                                       "instanceTypeSpecs": {"inf2.xlarge": {"vcpu": 4, "memoryMiB": 16384}}}}  # fmt: skip


def ok(overrides: dict[str, Any]) -> StackRun:
    run = run_program("dev", overrides)
    assert run.error is None, run.error
    return run


def ami_lookups(run: StackRun) -> list[str]:
    return [a["name"] for t, a in run.cloud.calls if t == "aws:ssm/getParameter:getParameter"
            and str(a["name"]).startswith("/aws/service/ecs/")]  # fmt: skip


def user_data(run: StackRun) -> str:
    return base64.b64decode(run.one(LT, "ecs-cluster-ec2-lt").inputs["userData"]).decode()


@pytest.fixture(scope="module")
def gpu() -> StackRun:
    return ok({**GPU_EC2, "services.web.gpu": 1})


# --- the AMI and the agent ------------------------------------------------------------------------


def test_gpu_instances_boot_the_ecs_gpu_ami_with_gpu_support_on(gpu: StackRun) -> None:
    assert ami_lookups(gpu) == ["/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"]
    assert "ECS_ENABLE_GPU_SUPPORT=true" in user_data(gpu).splitlines()


def test_neuron_instances_boot_the_ecs_neuron_ami() -> None:
    run = ok(NEURON)
    assert ami_lookups(run) == ["/aws/service/ecs/optimized-ami/amazon-linux-2023/neuron/recommended/image_id"]
    assert "ECS_ENABLE_GPU_SUPPORT=true" not in user_data(run)


def test_other_instances_keep_the_standard_ami() -> None:
    run = ok({"launchType": "EC2", "ec2": {"instanceTypes": ["m7g.large"]}})
    assert ami_lookups(run) == ["/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"]
    assert "ECS_ENABLE_GPU_SUPPORT" not in user_data(run)


def test_the_mock_answers_only_aws_s_ami_parameters() -> None:
    import pulumi

    cloud = MockCloud()
    args = pulumi.runtime.MockCallArgs(token="aws:ssm/getParameter:getParameter",
                                       args={"name": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/gpu/"
                                                     "recommended/image_id"}, provider="")  # fmt: skip
    with pytest.raises(Exception, match="unmocked provider call"):
        cloud.call(args)


# --- GPU tasks ---------------------------------------------------------------------------------------


def test_a_container_reserves_its_gpus(gpu: StackRun) -> None:
    [web, *_] = containers(gpu.one(TASKDEF, "ecs-web-task"))
    assert web["resourceRequirements"] == [{"type": "GPU", "value": "1"}]


def test_a_sidecar_reserves_its_own() -> None:
    sidecar = {"image": "public.ecr.aws/docker/library/busybox:1.37", "user": "1000", "gpu": 1, "essential": False}
    run = ok({**GPU_EC2, "ec2": {"instanceTypes": ["g5.12xlarge"]}, "services.web.gpu": 2,
              "services.web.sidecars": {"encoder": sidecar}})  # fmt: skip
    by_name = {c["name"]: c for c in containers(run.one(TASKDEF, "ecs-web-task"))}
    assert by_name["web"]["resourceRequirements"] == [{"type": "GPU", "value": "2"}]
    assert by_name["encoder"]["resourceRequirements"] == [{"type": "GPU", "value": "1"}]


def test_external_machines_take_gpu_tasks() -> None:
    run = ok({"launchType": "EXTERNAL", "services.web.gpu": 1})
    [web, *_] = containers(run.one(TASKDEF, "ecs-web-task"))
    assert web["resourceRequirements"] == [{"type": "GPU", "value": "1"}]


def test_the_preview_shows_the_ami_and_the_reserved_gpus(gpu: StackRun) -> None:
    lines = tree_lines(gpu)
    assert any("(ECS GPU AMI) (g5.xlarge)" in x for x in lines)
    assert any("web public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine, port 8080" in x and "1 GPU(s) reserved" in x
               for x in lines)  # fmt: skip


# --- refused -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"services.web.gpu": 1},
         f"{NS}services.web.gpu: 1 GPU(s) asked for, and Fargate has no GPUs (allowed: launchType EC2 with GPU "
         "instance types, or EXTERNAL machines registered with --enable-gpu)"),
        ({"launchType": "EC2", "services.web.gpu": 1},
         f'{NS}services.web.gpu: 1 GPU(s) asked for, and the EC2 instance types ["t3.medium"] have no NVIDIA GPUs '
         f"(allowed: ec2.instanceTypes of a GPU family: {', '.join(facts.GPU_FAMILIES)})"),
        ({**GPU_EC2, "services.web.gpu": 2},
         f"{NS}services.web.gpu: 2 GPU(s) in all for the task's containers, more than the 1 of the smallest instance "
         "type of ec2.instanceTypes (allowed: at most 1, or types with more GPUs)"),
        ({"launchType": "EC2", "ec2": {"instanceTypes": ["g5.xlarge", "m6i.large"]}},
         f'{NS}ec2.instanceTypes: ["g5.xlarge", "m6i.large"] mixes types that boot different ECS AMIs (gpu, '
         "standard) (allowed: GPU types, Neuron types or other types, not together: the launch template has one AMI)"),
        ({"launchType": "EC2", "ec2": {"instanceTypes": ["g4ad.xlarge"],
                                       "instanceTypeSpecs": {"g4ad.xlarge": {"vcpu": 4, "memoryMiB": 16384}}}},
         f'{NS}ec2.instanceTypes[0]: "g4ad.xlarge" would boot without drivers for its accelerators: its AMD GPUs '
         "have no ECS-optimized AMI"),
        ({"launchType": "EC2", "ec2": {"instanceTypes": ["g6.metal"],
                                       "instanceTypeSpecs": {"g6.metal": {"vcpu": 192, "memoryMiB": 786432}}}},
         f"{NS}ec2.instanceTypeSpecs.g6.metal.gpus: 0 for a type of the GPU family g6 (allowed: its number of NVIDIA "
         "GPUs, 1 or more)"),
        ({"launchType": "EC2", "ec2": {"instanceTypes": ["x9z.large"],
                                       "instanceTypeSpecs": {"x9z.large": {"vcpu": 2, "memoryMiB": 8192, "gpus": 1}}}},
         f"{NS}ec2.instanceTypeSpecs.x9z.large.gpus: 1 for a type outside the families the ECS GPU AMI supports "
         f"(allowed: 0, or a type of {', '.join(facts.GPU_FAMILIES)})"),
        ({"launchType": "EC2", "ec2": {"instanceTypes": ["trn1.2xlarge"], "instanceTypeSpecs": {
            "trn1.2xlarge": {"vcpu": 8, "memoryMiB": 32768, "architecture": "ARM64"}}}},
         f'{NS}ec2.instanceTypeSpecs.trn1.2xlarge.architecture: "ARM64" has no ECS Neuron AMI (allowed: X86_64)'),
        ({"services.web.gpu": 0}, f"{NS}services.web.gpu: 0 is out of range (allowed: 1..64)"),
    ],
    ids=["Fargate", "EC2 without GPUs", "more than the instance has", "GPU and other types",
         "AMD GPUs", "a GPU type without GPUs", "GPUs outside the GPU families", "Neuron on ARM64", "zero"],
)  # fmt: skip
def test_gpu_settings_that_cannot_work_are_refused(overrides: dict[str, Any], problem: str) -> None:
    run = run_program("dev", overrides)
    assert isinstance(run.error, ConfigError) and run.resources == []
    problems = config_problems(overrides)
    assert any(p.startswith(problem) for p in problems), problems


def test_the_gpu_table_is_aws_s() -> None:
    spec = Ec2Spec(instance_types=["g4dn.12xlarge", "p5.48xlarge"])
    assert (spec.spec("g4dn.12xlarge").gpus, spec.spec("p5.48xlarge").gpus, spec.smallest.gpus) == (4, 8, 4)
    assert spec.spec("g3s.xlarge").memory_mib == int(30.5 * 1024)
    assert spec.ami_kind == "gpu"


# --- the cost ------------------------------------------------------------------------------------------


def test_the_cost_prices_gpu_instances_at_aws_s_figure(gpu: StackRun) -> None:
    from ecs_platform.tools.preview.cost import estimate, load_prices

    est = estimate(gpu)
    assert est.problems == []
    [line] = [c for c in est.lines if c.item == "EC2 ecs-cluster-ec2-asg"]
    assert line.detail.startswith("g5.xlarge x ")
    # us-east-1, On-Demand Linux (AWS's EC2 pricing-page data, 2025-11)
    assert load_prices()["regions"]["us-east-1"]["ec2"]["on_demand_hourly"]["g5.xlarge"] == 1.006
