"""ecs-platform: stack config -> PlatformSpec -> Platform -> exports."""

import pulumi
import pulumi_aws as aws

from ecs_platform import Platform, config
from ecs_platform.platform import stack_tags

region = pulumi.Config("aws").get("region")
# The region's zones and the account, which the rules check the config against (registers nothing).
zones, account = config.lookup_region(region)
spec, context = config.load(
    config.read_config(),
    stack=pulumi.get_stack(),
    region=region,
    region_zones=zones,
    account=account,
    offline=config.engine_is_mocked(),
    config_keys=config.all_config(),
    aws_provider=config.read_aws_provider(),
)

# One mechanism for tags: the provider's default tags reach every taggable
# resource (services add their own `Service` tag on top).
# An explicit provider reads no `aws:*` stack config, so every setting is handed to it here
# (aws:allowedAccountIds, aws:defaultTags, ... included): the resources, the pre-deploy runs
# (context.aws_provider) and the lookups above act alike.
provider = aws.Provider(
    "aws",
    region=region,
    **config.provider_args(context.aws_provider, tags=stack_tags(spec, context)),
)
platform = Platform("ecs", spec, context=context, opts=pulumi.ResourceOptions(providers=[provider]))

pulumi.export("region", region)
pulumi.export("launchType", spec.launch_type)
pulumi.export("zones", list(spec.zones(context)))
pulumi.export("zoneIds", list(spec.spread_zone_ids(context)))
pulumi.export("vpcId", platform.network.vpc_id)
pulumi.export("privateSubnetIds", platform.network.private_subnet_ids)
pulumi.export("clusterName", platform.cluster.name)
pulumi.export("clusterArn", platform.cluster.arn)
if platform.load_balancer is not None:
    pulumi.export("loadBalancerDnsName", platform.load_balancer.dns_name)
if platform.lattice is not None:
    pulumi.export("latticeServiceNetworkArn", platform.lattice.arn)
    pulumi.export("latticeSecurityGroupId", platform.lattice.security_group_id)
if platform.network_load_balancer is not None:
    pulumi.export("networkLoadBalancerDnsName", platform.network_load_balancer.dns_name)
pulumi.export("urls", platform.urls)
if platform.cluster.ec2 is not None:
    pulumi.export("ec2AutoScalingGroup", platform.cluster.ec2.auto_scaling_group_name)
if platform.cluster.external is not None:
    external = platform.cluster.external
    pulumi.export("externalActivationId", external.activation_id)
    # After it, the registration command registers nothing: renew as docs/capacity.md says.
    pulumi.export("externalActivationExpiry", external.activation_expiry)
    pulumi.export("externalRoleName", external.role_name)
    # Secret outputs: `pulumi stack output --show-secrets externalRegistrationCommand`.
    pulumi.export("externalActivationCode", external.activation_code)
    pulumi.export("externalRegistrationCommand", external.registration_command)
if platform.task_roles is not None:
    # A cluster without services: the roles the tasks others run on it use.
    pulumi.export("taskExecutionRoleArn", platform.task_roles.execution_role_arn)
    pulumi.export("taskRoleArn", platform.task_roles.task_role_arn)
pulumi.export(
    "services",
    {
        name: {
            "serviceName": svc.service_name,
            "logGroup": svc.log_group_name,
            "taskDefinitionArn": svc.task_definition_arn,
            # Where its VPC Lattice service answers (callers sign their requests with SigV4).
            **({"latticeUrl": svc.lattice.url} if svc.lattice else {}),
        }
        for name, svc in platform.services.items()
    },
)
# Jobs (when the stack has any): how to run each by hand, and its schedule.
if platform.jobs:
    pulumi.export(
        "jobs",
        {
            name: {
                "taskDefinitionArn": job.task_definition_arn,
                "logGroup": job.log_group_name,
                # Start the job by hand: `$(pulumi stack output jobs --json | jq -r '.<name>.runTaskCommand')`.
                "runTaskCommand": job.run_task_command,
                **({"schedule": job.spec.schedule, "scheduleArn": job.schedule_arn} if job.schedule else {}),
                **({"deadLetterQueueUrl": job.dead_letter_queue_url} if job.dead_letter_queue else {}),
            }
            for name, job in platform.jobs.items()
        },
    )
# Daemons (when the stack has any): the ECS service (EC2, EXTERNAL) or Managed Daemon of each.
if platform.daemons:
    pulumi.export(
        "daemons",
        {
            name: {"daemonName": d.daemon_name, "logGroup": d.log_group_name, "taskDefinitionArn": d.task_definition_arn}
            for name, d in platform.daemons.items()
        },
    )
