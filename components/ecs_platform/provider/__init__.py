"""The component provider: the Python components served to programs in TypeScript, Go, C#,
Java and YAML (``PulumiPlugin.yaml`` in ``provider/`` of the repository; docs/languages.md).

* :mod:`.shape`: a model type's shape in the package schema, read from the type itself;
* :mod:`.served`: the served components, and what the code cannot tell of them (the wiring's
  descriptions, the outputs);
* :mod:`.schema`: the package schema (``python -m ecs_platform.tools.schema --package``);
* :mod:`.inputs`: a request's inputs as the Python component's arguments, and problems at the
  request's input paths;
* :mod:`.construct`: the provider itself; ``python -m ecs_platform.provider <engine address>``
  serves it.
"""
