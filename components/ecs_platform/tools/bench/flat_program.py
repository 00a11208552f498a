"""The benchmark's baseline: the same AWS resources as the platform registers
for a generated stack (see ``generate.py``), written as one flat program of
plain pulumi-aws calls: no component resources, no validation, no helpers.

``bench.py`` checks that both register the same resource types, as many of
each, before it compares their cost.
"""

from __future__ import annotations

import json
import operator

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from ecs_platform.tools.bench.generate import CERT, SECRET, ZONES, service_names


def program(n: int) -> None:
    """Register the resources, and export what the platform's ``__main__.py`` exports."""
    ident = aws.get_caller_identity_output()
    region = aws.get_region_output().region
    provider = aws.Provider(
        "aws", region="us-east-1", default_tags=aws.ProviderDefaultTagsArgs(tags={"Project": "bench"})
    )
    opts = pulumi.ResourceOptions(provider=provider)
    vpc_cidr = "10.0.0.0/16"
    vpc = awsx.ec2.Vpc(
        "vpc",
        cidr_block=vpc_cidr,
        availability_zone_names=list(ZONES),
        availability_zone_cidr_mask=19,
        subnet_strategy=awsx.ec2.SubnetAllocationStrategy.AUTO,
        subnet_specs=[
            awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PRIVATE, cidr_mask=20),
            awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PUBLIC, cidr_mask=22),
        ],
        nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.ONE_PER_AZ),
        opts=pulumi.ResourceOptions(providers=[provider]),
    )
    # The free S3 gateway endpoint on the private subnets' route tables.
    tables = [aws.ec2.get_route_table_output(subnet_id=vpc.private_subnet_ids.apply(operator.itemgetter(i))).route_table_id
              for i in range(len(ZONES))]  # fmt: skip
    aws.ec2.VpcEndpoint("s3", vpc_id=vpc.vpc_id, service_name="com.amazonaws.us-east-1.s3",
                        vpc_endpoint_type="Gateway", route_table_ids=tables, opts=opts)  # fmt: skip
    # The VPC's guards: its default security group emptied, and a flow log of all its traffic.
    aws.ec2.DefaultSecurityGroup("default-sg", vpc_id=vpc.vpc_id, opts=opts)
    flow_logs = aws.cloudwatch.LogGroup("flow-logs", name="/aws/vpc-flow-logs/bench", retention_in_days=30, opts=opts)
    flow_role = aws.iam.Role("flow-logs", assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                       "Action": "sts:AssumeRole"}]}), opts=opts)  # fmt: skip
    aws.iam.RolePolicy("flow-logs", role=flow_role.name, policy=flow_logs.arn.apply(lambda arn: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                       "Resource": f"{arn}:*"}]})), opts=opts)  # fmt: skip
    aws.ec2.FlowLog("flow-log", vpc_id=vpc.vpc_id, traffic_type="ALL", log_destination=flow_logs.arn,
                    iam_role_arn=flow_role.arn, opts=opts)  # fmt: skip
    exec_logs = aws.cloudwatch.LogGroup("exec-logs", name="/ecs/bench/exec", retention_in_days=30, opts=opts)
    cluster = aws.ecs.Cluster(
        "cluster",
        settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
        configuration=aws.ecs.ClusterConfigurationArgs(
            execute_command_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(
                logging="OVERRIDE",
                log_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs(
                    cloud_watch_log_group_name=exec_logs.name
                ),
            )
        ),
        opts=opts,
    )
    capacity = aws.ecs.ClusterCapacityProviders(
        "capacity",
        cluster_name=cluster.name,
        capacity_providers=["FARGATE", "FARGATE_SPOT"],
        default_capacity_provider_strategies=[
            aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                capacity_provider="FARGATE", weight=1, base=0
            )
        ],
        opts=opts,
    )

    lb_sg = aws.ec2.SecurityGroup("lb-sg", vpc_id=vpc.vpc_id, description="lb", opts=opts)
    for port in (443, 80):
        aws.vpc.SecurityGroupIngressRule(
            f"lb-in-{port}",
            security_group_id=lb_sg.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4="0.0.0.0/0",
            description="clients",
            opts=opts,
        )
    bucket = aws.s3.Bucket("lb-logs", force_destroy=False, opts=opts)
    aws.s3.BucketPublicAccessBlock(
        "lb-logs-pab",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    aws.s3.BucketOwnershipControls(
        "lb-logs-own",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=opts,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        "lb-logs-sse",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="AES256"
                )
            )
        ],
        opts=opts,
    )
    aws.s3.BucketLifecycleConfiguration(
        "lb-logs-expiry",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=30),
            )
        ],
        opts=opts,
    )
    elb_account = aws.elb.get_service_account_output()
    bucket_policy = aws.s3.BucketPolicy(
        "lb-logs-policy",
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": elb_account.arn},
                        "Action": "s3:PutObject",
                        "Resource": pulumi.Output.concat(bucket.arn, "/AWSLogs/", ident.account_id, "/*"),
                    }
                ],
            }
        ),
        opts=opts,
    )
    lb = aws.lb.LoadBalancer(
        "lb",
        load_balancer_type="application",
        security_groups=[lb_sg.id],
        subnets=vpc.public_subnet_ids,
        drop_invalid_header_fields=True,
        access_logs=aws.lb.LoadBalancerAccessLogsArgs(bucket=bucket.bucket, enabled=True),
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[bucket_policy]),
    )
    not_found = aws.lb.ListenerDefaultActionArgs(
        type="fixed-response",
        fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
            content_type="text/plain", message_body="Not Found", status_code="404"
        ),
    )
    https = aws.lb.Listener(
        "https",
        load_balancer_arn=lb.arn,
        port=443,
        protocol="HTTPS",
        certificate_arn=CERT,
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        default_actions=[not_found],
        opts=opts,
    )
    aws.lb.Listener(
        "http",
        load_balancer_arn=lb.arn,
        port=80,
        protocol="HTTP",
        default_actions=[
            aws.lb.ListenerDefaultActionArgs(
                type="redirect",
                redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                    protocol="HTTPS", port="443", status_code="HTTP_301"
                ),
            )
        ],
        opts=opts,
    )

    trust = pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": ident.account_id}},
                }
            ],
        }
    )
    exported: dict[str, dict[str, pulumi.Output[str]]] = {}
    urls: dict[str, pulumi.Output[str]] = {}
    for i, name in enumerate(service_names(n)):
        tags = {"Service": name}  # what the platform's Service component adds
        execution = aws.iam.Role(f"{name}-execution", assume_role_policy=trust, tags=tags, opts=opts)
        aws.iam.RolePolicyAttachment(
            f"{name}-execution-managed",
            role=execution.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            opts=opts,
        )
        aws.iam.RolePolicy(
            f"{name}-execution-secrets",
            role=execution.name,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": ["ssm:GetParameters"], "Resource": [SECRET]}],
                }
            ),
            opts=opts,
        )
        task_role = aws.iam.Role(f"{name}-task-role", assume_role_policy=trust, tags=tags, opts=opts)
        aws.iam.RolePolicy(
            f"{name}-task-policy",
            role=task_role.name,
            policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:GetObject"],
                            "Resource": [f"arn:aws:s3:::{name}/*"],
                        }
                    ],
                }
            ),
            opts=opts,
        )
        logs = aws.cloudwatch.LogGroup(
            f"{name}-logs", name=f"/ecs/bench/{name}", retention_in_days=30, tags=tags, opts=opts
        )
        container = {
            "name": name,
            "image": "nginx:1.27",
            "user": "1000",
            "essential": True,
            "readonlyRootFilesystem": True,
            "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
            "secrets": [{"name": "DB_URL", "valueFrom": SECRET}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": logs.name,
                    "awslogs-region": region,
                    "awslogs-stream-prefix": name,
                },
            },
        }
        task = aws.ecs.TaskDefinition(
            f"{name}-task",
            family=f"bench-{name}",
            container_definitions=pulumi.Output.json_dumps([container]),
            cpu="256",
            memory="512",
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            execution_role_arn=execution.arn,
            task_role_arn=task_role.arn,
            tags=tags,
            opts=opts,
        )
        sg = aws.ec2.SecurityGroup(f"{name}-sg", vpc_id=vpc.vpc_id, description=name, tags=tags, opts=opts)
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-egress",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            tags=tags,
            opts=opts,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-egress-vpc", security_group_id=sg.id, ip_protocol="-1", cidr_ipv4=vpc_cidr, tags=tags, opts=opts
        )
        tg = aws.lb.TargetGroup(
            f"{name}-tg",
            port=8080,
            protocol="HTTP",
            target_type="ip",
            vpc_id=vpc.vpc_id,
            health_check=aws.lb.TargetGroupHealthCheckArgs(path="/", matcher="200-399"),
            tags=tags,
            opts=opts,
        )
        rule = aws.lb.ListenerRule(
            f"{name}-route",
            listener_arn=https.arn,
            priority=100 + i,
            actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=tg.arn)],
            conditions=[
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=[f"/{name}/*"])
                )
            ],
            tags=tags,
            opts=opts,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-from-lb",
            security_group_id=sg.id,
            referenced_security_group_id=lb_sg.id,
            ip_protocol="tcp",
            from_port=8080,
            to_port=8080,
            tags=tags,
            opts=opts,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-lb-egress",
            security_group_id=lb_sg.id,
            referenced_security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=8080,
            to_port=8080,
            tags=tags,
            opts=opts,
        )
        alarms = [
            aws.cloudwatch.MetricAlarm(
                f"{name}-{key}",
                namespace="AWS/ApplicationELB",
                metric_name=metric,
                statistic=statistic,
                dimensions={"TargetGroup": tg.arn_suffix, "LoadBalancer": lb.arn_suffix},
                period=60,
                evaluation_periods=2,
                threshold=threshold,
                comparison_operator="GreaterThanThreshold",
                treat_missing_data="notBreaching",
                tags=tags,
                opts=opts,
            )
            for key, metric, statistic, threshold in (
                ("5xx", "HTTPCode_Target_5XX_Count", "Sum", 10),
                ("unhealthy", "UnHealthyHostCount", "Maximum", 0),
            )
        ]
        service = aws.ecs.Service(
            name,
            cluster=cluster.arn,
            task_definition=task.arn,
            desired_count=2,
            capacity_provider_strategies=[
                aws.ecs.ServiceCapacityProviderStrategyArgs(capacity_provider="FARGATE", weight=1)
            ],
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=vpc.private_subnet_ids, security_groups=[sg.id], assign_public_ip=False
            ),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=tg.arn, container_name=name, container_port=8080
                )
            ],
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            alarms=aws.ecs.ServiceAlarmsArgs(alarm_names=[a.name for a in alarms], enable=True, rollback=True),
            wait_for_steady_state=True,
            tags=tags,
            opts=pulumi.ResourceOptions(
                provider=provider, depends_on=[capacity, rule], ignore_changes=["desiredCount"]
            ),
        )
        target = aws.appautoscaling.Target(
            f"{name}-scaling",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", cluster.name, "/", service.name),
            min_capacity=2,
            max_capacity=6,
            tags=tags,
            opts=opts,
        )
        aws.appautoscaling.Policy(
            f"{name}-scale-cpu",
            policy_type="TargetTrackingScaling",
            resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            service_namespace=target.service_namespace,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=60,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="ECSServiceAverageCPUUtilization"
                ),
            ),
            opts=opts,
        )
        exported[name] = {"serviceName": service.name, "logGroup": logs.name, "taskDefinitionArn": task.arn}
        urls[name] = pulumi.Output.concat("https://", lb.dns_name, f"/{name}/")
    pulumi.export("region", region)
    pulumi.export("launchType", "FARGATE")
    pulumi.export("zones", list(ZONES))
    pulumi.export("vpcId", vpc.vpc_id)
    pulumi.export("privateSubnetIds", vpc.private_subnet_ids)
    pulumi.export("clusterName", cluster.name)
    pulumi.export("clusterArn", cluster.arn)
    pulumi.export("loadBalancerDnsName", lb.dns_name)
    pulumi.export("urls", urls)
    pulumi.export("services", exported)
