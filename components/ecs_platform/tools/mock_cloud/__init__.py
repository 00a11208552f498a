"""One mock cloud for the tests and the offline preview (:mod:`.data`: the account and its
zones; :mod:`.naming`; :mod:`.resources`: what AWS answers per resource family; :mod:`.cloud`;
:mod:`.monitor`; :mod:`.config`: stack config as the CLI builds it; :mod:`.run`).

It runs the real ``__main__.py`` against a real ``Pulumi.<stack>.yaml`` through
Pulumi's mock engine (``pulumi.runtime.set_mocks``): the real pulumi-aws SDK
classes register resources, and this module plays the engine and AWS.

* :class:`MockCloud` answers resource registrations with realistic ids, names
  and ARNs, and the provider calls the program makes. An unknown call fails
  loudly (an empty answer would fail far from its cause).
* :class:`RecordingMonitor` records every registration in full: type, name,
  parent, provider, dependencies and options such as ``ignoreChanges``. A run
  lists them sorted by URN (see :func:`run_program` for why).
* :func:`stack_config` reads Pulumi.yaml's defaults and a stack file the way
  the Pulumi CLI does; :func:`run_program` runs the program and returns what
  was registered and exported, or the error it raised.
"""

from ecs_platform.tools.mock_cloud.cloud import MockCloud, UnmockedCall
from ecs_platform.tools.mock_cloud.config import ROOT, find_project, project_file, stack_config, stack_file
from ecs_platform.tools.mock_cloud.data import ACCOUNT_ID, ELB_LOG_ACCOUNTS, PARTITION, REGION_ZONES, region_zones
from ecs_platform.tools.mock_cloud.monitor import RecordingMonitor, Registration
from ecs_platform.tools.mock_cloud.naming import autoname, autonamed_property
from ecs_platform.tools.mock_cloud.run import PROGRAM, StackRun, run_program

__all__ = [
    "ACCOUNT_ID", "ELB_LOG_ACCOUNTS", "PARTITION", "PROGRAM", "REGION_ZONES", "ROOT", "MockCloud", "RecordingMonitor",
    "Registration", "StackRun", "UnmockedCall", "autoname", "autonamed_property", "find_project", "project_file",
    "region_zones", "run_program", "stack_config", "stack_file",
]  # fmt: skip
