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

#: The stop code of a task whose essential container exited (ECS ``Task.stopCode``), the only way a
#: job's run ends by itself; every other code (``TaskFailedToStart``, ``UserInitiated``,
#: ``SpotInterruption``, ``TerminationNotice``, ...) stopped the run from outside.
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
RUN_ENDED_STOP_CODE = "EssentialContainerExited"

#: Exit codes of a container stopped by a signal: 143 (128 + SIGTERM 15) and 137 (128 + SIGKILL 9).
#: When an essential container exits, "all other containers that are part of the task are
#: stopped" (ContainerDefinition ``essential``): ECS sends SIGTERM, then SIGKILL after
#: ``stopTimeout`` (StopTask: "a SIGTERM value is sent ... after which the SIGKILL value is sent"),
#: so a successful job's sidecars may end with either.
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html
STOP_SIGNAL_EXIT_CODES = (137, 143)

#: How a container's ``reason`` starts when ECS killed it for exceeding its memory (exit code 137):
#: "OutOfMemoryError: Container killed due to memory usage".
#: https://repost.aws/knowledge-center/ecs-resolve-outofmemory-errors
OUT_OF_MEMORY_REASON_PREFIX = "OutOfMemoryError"
