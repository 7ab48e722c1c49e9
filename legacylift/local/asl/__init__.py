"""An Amazon States Language interpreter (JSONPath query language).

`interpreter.Execution` runs a definition; task resources are delegated to a `TaskRunner` the
caller supplies (the local engine's is `legacylift.local.sagemaker_tasks`), so the language and
the integrations stay separate.

JSONata and variables (a later issue) fit here without touching the states themselves: the
states call the JSONPath pipeline of `payload` (InputPath, Parameters, ResultSelector,
ResultPath, OutputPath) and `choice` for rules; a state's `QueryLanguage: "JSONata"` would select
a JSONata pipeline (Arguments, Output, Condition) behind the same two entry points, and
`Assign`/`$name` variables would live in a scope object carried next to the context object, read
by both query languages. Until then both are refused by `definition.validate` with a clear error.
"""
