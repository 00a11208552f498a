"""The stack as a picture: ``preview <stack> --mermaid`` draws what the program registers."""

from __future__ import annotations

import re

import pytest

from ecs_platform.tools.mock_cloud import StackRun, run_program
from ecs_platform.tools.preview import __main__ as preview
from ecs_platform.tools.preview.mermaid import flowchart
from tests.conftest import embed_cloud, stack_run


@pytest.fixture(scope="module")
def jobs() -> StackRun:
    return stack_run("jobs")


@pytest.fixture(scope="module")
def staging() -> StackRun:
    return stack_run("staging")


def nodes_and_edges(chart: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Node id -> label, and (from, label, to) per edge."""
    nodes = dict(re.findall(r"^\s+([A-Za-z0-9_]+)[\[(]+\"?(.*?)\"?[\])]+$", chart, re.MULTILINE))
    edges = [(a, label or "", b) for a, label, b in
             re.findall(r"^\s+([A-Za-z0-9_]+) -\.?->(?:\|\"(.*?)\"\|)? ([A-Za-z0-9_]+)$", chart, re.MULTILINE)]  # fmt: skip
    return nodes, edges


def test_every_edge_joins_declared_nodes_and_subgraphs_close(prod: StackRun) -> None:
    chart = flowchart(prod)
    assert chart.startswith("flowchart LR\n")
    nodes, edges = nodes_and_edges(chart)
    assert edges
    for a, _, b in edges:
        assert a in nodes and b in nodes, (a, b)
    assert chart.count("subgraph ") == len(re.findall(r"^\s+end$", chart, re.MULTILINE))
    assert '"' not in "".join(nodes.values()), "a quote inside a label breaks Mermaid"


def test_prod_shows_listeners_routes_callers_sidecars_storage_and_zones(prod: StackRun) -> None:
    chart = flowchart(prod)
    nodes, edges = nodes_and_edges(chart)
    assert "3 zones: us-east-1c (use1-az1), us-east-1d (use1-az2), us-east-1e (use1-az3)" in chart
    listeners = sorted(label for label in nodes.values() if label.startswith(("HTTP ", "HTTPS ")))
    assert listeners == ["HTTP :80<br/>redirects to HTTPS 443", "HTTPS :443<br/>otherwise 404",
                         "HTTPS :8443<br/>otherwise 404 (test listener)"]  # fmt: skip
    assert ("listener_ecs_lb_https", "host www.example.com", "svc_web") in edges
    assert ("svc_web", "http://api:8080", "svc_api") in edges  # web is api's only caller
    assert [e for e in edges if e[2] == "svc_api" and e[0].startswith("svc_")] == [("svc_web", "http://api:8080", "svc_api")]
    assert "sidecars: otel<br/>init: volume-init" in nodes["svc_web"]
    assert "deploys blue/green" in nodes["svc_web"]
    efs = [e for e in edges if e[2].startswith("efs_")]
    assert efs == [("svc_api", "/usr/share/nginx/html/uploads (read-write)", "efs_ecs_api_uploads_fs")]
    assert not any(a == "svc_worker" or b == "svc_worker" for a, _, b in edges)  # private, called by nobody


def test_jobs_show_their_schedule_dead_letter_queue_and_the_services_they_precede(jobs: StackRun) -> None:
    nodes, edges = nodes_and_edges(flowchart(jobs))
    assert nodes["schedule_nightly_import"] == "EventBridge Scheduler<br/>cron(0 3 * * ? *) Europe/Madrid"
    assert ("schedule_nightly_import", "RunTask", "job_nightly_import") in edges
    assert ("schedule_nightly_import", "runs it could not start", "dlq_nightly_import") in edges
    assert ("job_migrate", "runs before it deploys", "svc_web") in edges
    assert ("queue_orders", "scales on backlog, 10 per task", "svc_worker") in edges
    assert nodes["job_migrate"].endswith("pre-deploy") and nodes["job_nightly_import"].endswith("scheduled")


def test_machines_of_your_own_sit_outside_the_vpc(staging: StackRun) -> None:
    chart = flowchart(staging)
    vpc = chart[chart.index('subgraph vpc'):chart.index('subgraph anywhere')]
    anywhere = chart[chart.index('subgraph anywhere'):]
    assert "svc_collector" in anywhere and "svc_collector" not in vpc
    assert "svc_web[" in vpc and "on EC2" in vpc
    assert "svc_batch[" in vpc and "FARGATE_SPOT" in vpc


def test_an_embedded_program_without_a_vpc_is_drawn_too() -> None:
    from ecs_platform.tools.mock_cloud import ROOT

    run = run_program("embed", cloud=embed_cloud(), config={"aws:region": "us-east-1"}, program=ROOT / "examples" / "embed_service.py")
    assert run.error is None, run.error
    nodes, _ = nodes_and_edges(flowchart(run))
    assert nodes["svc_api"] == "service api<br/>2 task(s) on FARGATE"


def test_the_preview_prints_the_flowchart(capsys: pytest.CaptureFixture[str], dev: StackRun) -> None:
    assert preview.main(["dev", "--mermaid"]) == 0
    assert capsys.readouterr().out == flowchart(dev)


def test_mermaid_and_json_are_one_or_the_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        preview.main(["dev", "--mermaid", "--json"])
    assert exc.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
