"""LatticeNetwork: the stack's VPC Lattice service network, with IAM auth, associated with the
stack's VPC behind a security group that admits only the stack's callers."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from ecs_platform import facts
from ecs_platform.boundary import Boundary
from ecs_platform.iam import AwsContext, policy_document
from ecs_platform.service import LatticeRef
from ecs_platform.wiring import VPC_ID, deferred_wiring


def lattice_prefix_list(region: pulumi.Input[str], parent: pulumi.Resource) -> pulumi.Output[str]:
    """The id of the region's VPC Lattice managed prefix list (:data:`facts.LATTICE_PREFIX_LIST`)."""
    name = pulumi.Output.from_input(region).apply(lambda r: facts.LATTICE_PREFIX_LIST.format(region=r))
    return aws.ec2.get_managed_prefix_list_output(name=name, opts=pulumi.InvokeOutputOptions(parent=parent)).id


class LatticeNetwork(pulumi.ComponentResource):
    """A VPC Lattice service network (``lattice.serviceNetwork: create``).

    * auth type ``AWS_IAM``, with an auth policy that admits signed requests of principals of the
      stack's account only (each service's own auth policy then names its callers): without an auth
      policy, IAM auth refuses every request;
    * associated with the stack's VPC, with a security group: its inbound rules decide which clients
      in the VPC reach the service network ("Control traffic in VPC Lattice using security groups");
      the stack's callers are admitted on their callees' listener ports (each service adds those
      rules), nobody else.

    Outputs: ``arn``, ``id``, ``security_group_id``; ``ref`` for the services.
    """

    def __init__(
        self,
        name: str,
        *,
        vpc_id: pulumi.Input[str],
        context: AwsContext,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        bd = Boundary("LatticeNetwork", name, opts)
        context = bd.context("context", context)
        bd.wiring("vpc_id", vpc_id, VPC_ID)
        if context is None:
            bd.add("context", "None is missing (allowed: an AwsContext: the auth policy names the account)")
        bd.autoname("name", name, "aws:ec2/securityGroup:SecurityGroup", f"{name}-sg", "security group name")
        bd.claim("ecs-platform:lattice:ServiceNetwork", name, "name", "is the name")
        bd.done(self)
        vpc_id = deferred_wiring(vpc_id, VPC_ID, "LatticeNetwork.vpc_id")
        super().__init__("ecs-platform:lattice:ServiceNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.service_network = aws.vpclattice.ServiceNetwork(name, auth_type="AWS_IAM", opts=child)
        # Principals of the stack's account, authenticated (SigV4): "arn:<partition>:iam::<account>:root"
        # delegates to the account's own IAM policies (auth policies, "Common elements").
        account_root = pulumi.Output.concat("arn:", context.partition, ":iam::", context.account_id, ":root")
        statement = {"Sid": "AccountPrincipals", "Effect": "Allow", "Principal": {"AWS": account_root},
                     "Action": facts.LATTICE_INVOKE_ACTION, "Resource": "*"}  # fmt: skip
        self.auth_policy = aws.vpclattice.AuthPolicy(
            f"{name}-auth",
            resource_identifier=self.service_network.arn,
            policy=policy_document([statement]),
            opts=child,
        )
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc_id,
            description=f"VPC Lattice service network {name}: the stack's callers in",
            opts=child,
        )
        self.prefix_list_id = lattice_prefix_list(context.region, self)
        self.vpc_association = aws.vpclattice.ServiceNetworkVpcAssociation(
            f"{name}-vpc",
            service_network_identifier=self.service_network.id,
            vpc_identifier=vpc_id,
            security_group_ids=[self.security_group.id],
            opts=child,
        )
        self.arn = self.service_network.arn
        self.id = self.service_network.id
        self.security_group_id = self.security_group.id
        self.ref = LatticeRef(
            service_network=self.service_network.arn,
            prefix_list_id=self.prefix_list_id,
            security_group_id=self.security_group.id,
        )
        self.register_outputs({"arn": self.arn, "securityGroupId": self.security_group_id})
