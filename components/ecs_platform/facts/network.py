"""Egress of a created VPC: NAT gateway strategies, the NAT instance, VPC endpoints."""

from __future__ import annotations

#: Egress of a created VPC's private subnets: awsx's NAT gateway strategies ``OnePerAz`` and
#: ``Single``, or ``Instance``, one NAT instance for the whole VPC (the VPC user guide's "NAT
#: instances": https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html).
NAT_STRATEGIES = ("Single", "OnePerAz", "Instance")
#: Instance types offered for the NAT instance: Graviton burstable (T4g) sizes, smallest first
#: (https://aws.amazon.com/ec2/instance-types/t4/). Network bandwidth grows with size: every T4g
#: is "up to 5 Gigabit" in bursts, with a baseline far lower on the small sizes (EC2 User Guide,
#: "General purpose instances: network specifications",
#: https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html#gp_network).
NAT_INSTANCE_TYPES = ("t4g.nano", "t4g.micro", "t4g.small", "t4g.medium", "t4g.large", "t4g.xlarge", "t4g.2xlarge")
#: AWS's public SSM parameter with the current Amazon Linux 2023 AMI for Arm (Graviton); a
#: launch template resolves ``resolve:ssm:<name>`` at every launch, so a replaced NAT instance
#: boots the current AMI ("Use a Systems Manager parameter instead of an AMI ID",
#: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/create-launch-template.html;
#: https://docs.aws.amazon.com/linux/al2023/ug/ec2.html).
NAT_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"
#: The NAT instance's root volume is the AMI's own size, 8 GiB for the Amazon Linux 2023 AMI
#: (gp3, encrypted by the launch template); the cost estimate prices this many GiB.
NAT_ROOT_VOLUME_GIB = 8
#: Interface VPC endpoints (AWS PrivateLink) a created VPC may get, name after
#: ``com.amazonaws.<region>.`` -> what reaches it. The S3 gateway endpoint is not among them:
#: it is free and every created VPC gets it. Sources: ECR
#: https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html (ecr.api, ecr.dkr,
#: logs, and S3 for image layers); ECS
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html (ecs,
#: ecs-agent, ecs-telemetry; secretsmanager, ssm and kms for secrets; ssmmessages for ECS Exec);
#: "AWS services that integrate with AWS PrivateLink"
#: https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html.
INTERFACE_ENDPOINTS: dict[str, str] = {
    "ecr.api": "ECR API (image manifests, auth tokens)",
    "ecr.dkr": "ECR Docker registry (image pulls)",
    "logs": "CloudWatch Logs (awslogs driver)",
    "secretsmanager": "Secrets Manager (task secrets)",
    "ssm": "Systems Manager Parameter Store (task secrets), Session Manager",
    "ssmmessages": "ECS Exec and Session Manager sessions",
    "kms": "KMS (encrypted secrets and logs)",
    "sts": "STS (web identity, assumed roles)",
    "ecs": "ECS API (EC2 container instances)",
    "ecs-agent": "ECS agent (EC2 container instances)",
    "ecs-telemetry": "ECS telemetry (EC2 container instances)",
    "sqs": "SQS (queue workers)",
    "monitoring": "CloudWatch metrics",
    "elasticfilesystem": "EFS API",
    "xray": "X-Ray traces",
}
#: The free S3 gateway endpoint every created VPC gets on its private route tables (ECR keeps
#: image layers in S3): https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html
S3_GATEWAY_ENDPOINT = "s3"
#: The reverse-DNS prefix of AWS service endpoint names per partition (``com.amazonaws.<region>.s3``;
#: China regions ``cn.com.amazonaws``), as ``aws:index/getPartition`` reports it.
ENDPOINT_SERVICE_PREFIX = {"aws": "com.amazonaws", "aws-cn": "cn.com.amazonaws", "aws-us-gov": "com.amazonaws"}
#: What every awsvpc task may send by default: HTTPS (TCP 443) anywhere (image registries, AWS's
#: APIs and the S3 gateway endpoint; Fargate pulls images, writes logs and reads secrets through
#: the task's own network interface, "Fargate task networking",
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html) and
#: anything within the VPC's (primary) CIDR block: its own dependencies (databases, caches, file
#: systems, interface endpoints, a DNS server of its own). The Amazon-provided DNS resolver needs
#: no rule: "Security groups don't filter traffic destined to and from ... Amazon Domain Name
#: Services (DNS)" (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html).
#: ``egressCidrs`` adds blocks the tasks may send anything to.
TASK_EGRESS_HTTPS_PORT = 443
#: The rules the default takes on a task's security group (HTTPS anywhere, the VPC).
TASK_EGRESS_DEFAULT_RULES = 2
