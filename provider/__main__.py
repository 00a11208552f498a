"""The plugin's entry point: Pulumi runs ``python <this directory> <engine address>``."""

from ecs_platform.provider.construct import main

main()
