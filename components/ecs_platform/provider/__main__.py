"""``python -m ecs_platform.provider <engine address>``: serve the component provider (what the
plugin directory's ``__main__.py`` runs when the Pulumi engine starts the plugin)."""

from ecs_platform.provider.construct import main

main()
