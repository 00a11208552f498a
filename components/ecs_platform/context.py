"""Where the components deploy: account, region and partition (:class:`AwsContext`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ecs_platform import facts


@dataclass
class AwsContext:
    """Account, region and partition, looked up once and shared by components. Give plain
    values (``AwsContext("123456789012", "us-east-1")``) and the components check their wiring
    against them before they register anything; looked up, they check it during the deployment."""

    account_id: pulumi.Input[str]
    """The 12-digit AWS account deployed to. Required."""
    region: pulumi.Input[str]
    """The AWS region deployed to (``us-east-1``). Required."""
    partition: pulumi.Input[str] = "aws"
    """The region's partition (``aws``, ``aws-cn``, ``aws-us-gov``). Default ``aws``."""
    _trust: dict[str, pulumi.Output[str]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def trust(self, kind: str) -> pulumi.Output[str]:
        """The trust policy of a role of ``kind`` (a key of :data:`facts.TRUST_FORMS`) in this
        account and region, built once and shared by every role of that kind."""
        if kind not in self._trust:
            self._trust[kind] = trust_policy(self, kind)
        return self._trust[kind]

    @staticmethod
    def lookup(opts: pulumi.InvokeOutputOptions | None = None) -> AwsContext:
        """Ask the provider (``getCallerIdentity``, ``getRegion``, ``getPartition``)."""
        return AwsContext(
            account_id=aws.get_caller_identity_output(opts=opts).account_id,
            region=aws.get_region_output(opts=opts).region,
            partition=aws.get_partition_output(opts=opts).partition,
        )


def trust_policy(ctx: AwsContext, kind: str) -> pulumi.Output[str]:
    """The trust policy (JSON) of a role of ``kind``, as AWS documents it
    (:func:`facts.trust_document`), in ``ctx``'s account and region."""
    if kind not in facts.TRUST_FORMS:
        raise ValueError(f"{kind!r} is not a documented role kind (allowed: {', '.join(facts.TRUST_FORMS)})")
    return pulumi.Output.all(ctx.account_id, ctx.region, ctx.partition).apply(
        lambda v: json.dumps(facts.trust_document(kind, str(v[0]), str(v[1]), str(v[2])))
    )
