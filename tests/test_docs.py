"""The documentation site (docs/, README.md) says what the code does.

* Every YAML and Python sample is checked: a YAML config sample is validated through the
  model as ``__main__.py`` would load it (on top of a stack file), a Python sample runs
  under the mock engine. A sample that is meant to fail says so, and the error it shows
  must be the error the model gives.
* The generated parts (config reference, AWS facts, the example stacks' diagrams) equal
  what their generators print now.

How a sample declares what it is: an HTML comment on the line before its fence,
``<!-- sample: WORDS -->``, where WORDS are any of

* ``stack=<name>``: the stack file the YAML goes on top of (default ``dev``); the YAML
  maps stack keys (``ecs-platform:<key>``, ``aws:<key>``) to values, as in a stack file's
  ``config:``, each replacing that key;
* ``at=<path>``: the YAML is the value of fields under ``<path>`` (``services.web``):
  each of its keys replaces that field there, the rest of the stack stays;
* ``stack file``: the YAML is a whole stack file (``config:`` ...) on top of Pulumi.yaml;
* ``invalid``: the config (or the Python program) must be refused with a ``ConfigError``
  (and register nothing); when a ``text`` block follows it, that block must be exactly the
  error's message;
* ``program``: (Python, the default) runs under the mock engine and must succeed; (YAML) the
  YAML is a Pulumi YAML program (or a part of one) using the component provider, checked
  against the package schema by tests/test_language_examples.py.
"""

from __future__ import annotations

import itertools
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from ecs_platform import config, facts
from ecs_platform.errors import ConfigError
from ecs_platform.tools import docs, stack_yaml
from ecs_platform.tools.mock_cloud import REGION_ZONES, ROOT, run_program, stack_config
from tests.conftest import embed_cloud

NS = "ecs-platform:"
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>```+)(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)\s*$",
                   re.MULTILINE | re.DOTALL)  # fmt: skip
DIRECTIVE = re.compile(r"<!--\s*sample:\s*(?P<words>[^>]*?)\s*-->\s*$")


@dataclass
class Sample:
    """One fenced block of a page."""

    page: Path
    line: int
    language: str
    body: str
    words: str
    following: Sample | None = None

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    def option(self, name: str, default: str | None = None) -> str | None:
        m = re.search(rf"\b{name}=(\S+)", self.words)
        return m.group(1) if m else default

    def flag(self, name: str) -> bool:
        return re.search(rf"(^|\s){name}(\s|$)", self.words) is not None


def samples(page: Path) -> list[Sample]:
    text = page.read_text()
    found: list[Sample] = []
    for m in FENCE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        directive = DIRECTIVE.search(before)
        indent = len(m.group("indent"))
        body = "\n".join(ln[indent:] for ln in m.group("body").splitlines())
        found.append(Sample(page, line, m.group("info").strip().split(" ")[0], body,
                            directive.group("words") if directive else ""))  # fmt: skip
    for a, b in itertools.pairwise(found):
        a.following = b
    return found


ALL = [s for page in [*PAGES, ROOT / "README.md"] for s in samples(page)]
YAML = [s for s in ALL if s.language == "yaml" and not s.flag("program")]
PYTHON = [s for s in ALL if s.language == "python"]


def load_config(cfg: dict[str, str], stack: str) -> None:
    """What ``__main__.py`` does with this config map, without the engine (offline: the
    example placeholders are accepted); raises :class:`ConfigError`."""
    raw = {key.removeprefix(NS): config._parse(value) for key, value in cfg.items() if key.startswith(NS)}
    region = cfg.get("aws:region") or None
    config.load(raw, stack=stack, region=region, region_zones=REGION_ZONES.get(region) if region else None,
                offline=True, config_keys=cfg)  # fmt: skip


def sample_config(sample: Sample, tmp_path: Path) -> tuple[dict[str, str], str]:
    """The config map a YAML sample stands for, and its stack's name."""
    data: Any = stack_yaml.load(sample.body, f"{sample.id}")
    if sample.flag("stack file"):
        shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
        (tmp_path / "Pulumi.sample.yaml").write_text(sample.body)
        return stack_config("sample", root=tmp_path), "sample"
    stack = sample.option("stack", "dev") or "dev"
    assert isinstance(data, dict), f"{sample.id}: a config sample is a map"
    at = sample.option("at")
    overrides = {f"{at}.{key}": value for key, value in data.items()} if at else data
    return stack_config(stack, overrides), stack


def test_the_pages_have_samples_of_both_kinds() -> None:
    assert len(YAML) >= 15 and len(PYTHON) >= 2


@pytest.mark.parametrize("sample", YAML, ids=lambda s: s.id)
def test_yaml_sample_is_what_the_model_accepts_or_refuses(sample: Sample, tmp_path: Path) -> None:
    cfg, stack = sample_config(sample, tmp_path)
    if not sample.flag("invalid"):
        load_config(cfg, stack)
        return
    with pytest.raises(ConfigError) as exc:
        load_config(cfg, stack)
    shown = shown_error(sample)
    assert shown is None or shown == str(exc.value), f"{sample.id}: the page shows another error than the model gives"


def shown_error(sample: Sample) -> str | None:
    """The error message of the ``text`` block that follows an invalid sample, if any."""
    shown = sample.following
    return shown.body.strip("\n") if shown is not None and shown.language == "text" else None


@pytest.mark.parametrize("sample", PYTHON, ids=lambda s: s.id)
def test_python_sample_runs_under_the_mock_engine(sample: Sample) -> None:
    code = compile(sample.body, sample.id, "exec")
    # The samples' VPC is one the mock account has (a Service looks its CIDR block up).
    run = run_program("docs-sample", config={"aws:region": "us-east-1"}, cloud=embed_cloud(),
                      program=lambda: exec(code, {"__name__": "__main__"}))  # fmt: skip
    if not sample.flag("invalid"):
        assert run.error is None, f"{sample.id}: {run.error!r}"
        return
    assert isinstance(run.error, ConfigError), f"{sample.id}: {run.error!r}"
    assert not run.resources, f"{sample.id}: an invalid sample registered {[r.name for r in run.resources]}"
    shown = shown_error(sample)
    assert shown is None or shown == str(run.error), f"{sample.id}: the page shows another error than the code gives"


@pytest.mark.parametrize("part", docs.PARTS, ids=lambda p: p.page)
def test_generated_part_of_the_docs_equals_its_generator(part: docs.Generated) -> None:
    assert part.committed(ROOT) == part.generate().strip("\n"), f"{part.page} is stale: run `{part.command}`"


def test_limits_page_cites_a_source_for_every_name_limit_and_trust_form() -> None:
    page = (ROOT / docs.LIMITS_PAGE).read_text()
    for limit in facts.NAME_LIMITS.values():
        assert f"<{limit.source}>" in page
    for form in facts.TRUST_FORMS.values():
        assert f"<{form.guide}>" in page


def test_limits_page_lists_every_public_fact_of_facts_py() -> None:
    page = (ROOT / docs.LIMITS_PAGE).read_text()
    public = [n for n in vars(facts) if n.isupper() and not n.startswith("_")]
    assert len(public) > 50
    for name in public:
        assert f"`{name}`" in page, name


def test_every_page_is_in_the_site_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in PAGES:
        assert f" {page.relative_to(DOCS)}\n" in nav, page


def test_the_site_builds_offline() -> None:
    """No plugin that fetches at build time (only the built-in search), and no web fonts."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: suffix)
    site = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=Loader)
    assert site["theme"]["font"] is False
    assert site["plugins"] == ["search"]
    fences = next(e for e in site["markdown_extensions"] if isinstance(e, dict) and "pymdownx.superfences" in e)
    assert fences["pymdownx.superfences"]["custom_fences"] == [
        {"name": "mermaid", "class": "mermaid", "format": "name:pymdownx.superfences.fence_code_format"}]


def test_readme_is_a_quickstart_whose_links_reach_the_docs() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 300
    links = re.findall(r"\]\(((?!https?:)[^)#]+)(?:#[^)]*)?\)", readme)
    assert {link for link in links if link.startswith("docs/")} >= {f"docs/{p.relative_to(DOCS)}" for p in PAGES}
    for link in links:
        assert (ROOT / link).is_file(), link


@pytest.mark.parametrize("part", docs.diagram_parts(ROOT), ids=lambda p: p.start.split()[3].rstrip(":"))
def test_each_example_stack_has_its_generated_diagram(part: docs.Generated) -> None:
    assert part.committed(ROOT) == part.generate().strip("\n"), f"{part.page} is stale: run `{part.command}`"


@pytest.mark.parametrize("page", ["traffic.md", "deployments.md"])
def test_the_pages_name_what_traffic_shifting_target_groups_keep(page: str) -> None:
    from ecs_platform.service.traffic import KEPT_BY_SHIFTING_GROUPS

    kept = re.findall(r"ignoreChanges: \[(port[^\]]*)\]", (DOCS / page).read_text())
    assert kept, page
    assert {tuple(k.replace(" ", "").split(",")) for k in kept} == {KEPT_BY_SHIFTING_GROUPS}
