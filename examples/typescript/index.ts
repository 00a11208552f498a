// One service on a cluster that exists already: the cluster, VPC and private subnets the platform
// stack of this repository exports (`pulumi stack output` of ecs-platform). The service's inputs are
// the keys of a service in stack config (docs/reference/config.md, `services.<name>`), checked by
// the same rules with the same messages, plus where it runs.
import * as pulumi from "@pulumi/pulumi";
import * as ecsplatform from "@pulumi/ecs-platform";

const config = new pulumi.Config();
const platform = new pulumi.StackReference(config.require("platformStack"));
const clusterArn = platform.requireOutput("clusterArn") as pulumi.Output<string>;
const vpcId = platform.requireOutput("vpcId") as pulumi.Output<string>;
const privateSubnetIds = platform.requireOutput("privateSubnetIds") as pulumi.Output<string[]>;

const api = new ecsplatform.ecs.Service("api", {
    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:1.4.2",
    port: 8080,
    user: "10001:10001",
    cpu: 512,
    memory: 1024,
    desiredCount: 2,
    secrets: { DB_URL: "arn:aws:ssm:us-east-1:123456789012:parameter/shop/db-url" },
    healthCheck: { command: ["CMD-SHELL", "curl -fs localhost:8080/health || exit 1"] },
    permissions: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::shop-assets/*"] }],
    // Where it runs: the platform's cluster (Fargate, its defaults), VPC and private subnets.
    cluster: { arn: clusterArn },
    vpcId: vpcId,
    subnetIds: privateSubnetIds,
});

export const serviceName = api.serviceName;
export const logGroupName = api.logGroupName;
