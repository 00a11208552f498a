"""Jobs and queue workers: EventBridge Scheduler and SQS facts."""

from __future__ import annotations

import re

# --- jobs and queue workers ----------------------------------------------------------------------

#: The EventBridge Scheduler schedule group the jobs' schedules are in (the account's default
#: group), which the scheduler role's trust names in aws:SourceArn (TRUST_FORMS["scheduler"]).
SCHEDULE_GROUP = "default"

#: EventBridge Scheduler's retry policy: MaximumRetryAttempts 0..185, MaximumEventAgeInSeconds
#: 60..86400 (API_RetryPolicy): https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
SCHEDULER_MAX_RETRY_ATTEMPTS = 185

#: An SQS queue ARN: arn:<partition>:sqs:<region>:<account>:<name>; queue names are 1-80
#: alphanumerics, hyphens and underscores (a FIFO queue's ending in .fifo), CreateQueue "QueueName".
SQS_QUEUE_ARN_RE = re.compile(
    r"^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\.fifo)$"
)

#: What a queue worker's task role may do on its queue: receive, delete and keep messages
#: invisible while it works on them, and read the queue's attributes (SDK consumers ask for them).
#: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
SQS_CONSUMER_ACTIONS = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",
)
