"""An Amazon States Language interpreter (JSONPath and JSONata query languages, variables).

`interpreter.Execution` runs a definition; task resources are delegated to a `TaskRunner` the
caller supplies (the local engine's is `legacylift.local.sagemaker_tasks`), so the language and
the integrations stay separate.

The states never handle data themselves: each calls the entry points of its query language's
pipeline (`payload.JSONPATH`: InputPath, Parameters, ResultSelector, ResultPath, OutputPath,
with `choice` for rules; `jsonata_payload.JSONATA`: Arguments, Output, Condition, Items,
ItemSelector) and returns the `Assign` values, which the interpreter binds in the state's
`variables.Variables` scope once the output is computed. A new state field (e.g. a Map's
item source) goes through those two pipelines the same way. Before a run, `definition` checks
what a state may contain and `schema` the JSON types of its fields; during it, numbers a
state reads (MaxConcurrency, tolerated failures, batch and reader limits, TimeoutSeconds) go
through `numeric_fields`, which reads them as AWS does.
"""
