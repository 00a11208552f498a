"""What AWS documents and accepts: limits, enumerations and name grammars.

Data only (no Pulumi, no rules): the specs check values against these, and the
components build names from them. Each fact names its source. By topic:
:mod:`.limits` (regions, sizes, grammars, quotas), :mod:`.checks` (what counts as a
credential, a wildcard, a root user), :mod:`.names` (names AWS accepts), :mod:`.network`
(NAT and VPC endpoints), :mod:`.managed_instances` (Managed Instances and daemons), :mod:`.trust`
(trust policies), :mod:`.jobs` (Scheduler and SQS), :mod:`.volumes` (EBS task volumes), :mod:`.traffic`
(network load balancer, VPC Lattice, Service Connect TLS); all are importable from here.
"""

from ecs_platform.facts.checks import *  # noqa: F403
from ecs_platform.facts.jobs import *  # noqa: F403
from ecs_platform.facts.limits import *  # noqa: F403
from ecs_platform.facts.managed_instances import *  # noqa: F403
from ecs_platform.facts.names import *  # noqa: F403
from ecs_platform.facts.network import *  # noqa: F403
from ecs_platform.facts.traffic import *  # noqa: F403
from ecs_platform.facts.trust import *  # noqa: F403
from ecs_platform.facts.volumes import *  # noqa: F403
