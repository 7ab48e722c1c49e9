"""LegacyLift's invoke tasks. Each is thin: parse arguments, call `legacylift`, print.

`invoke --list` shows them; `invoke --help TASK` shows one task's arguments. They are grouped by
job, one module each (as pyinvoke's `invocations` does): `models` (create, build, list),
`runs` (a model's workflow, locally or on AWS), `reports` (pictures, reports, status, logs),
`deployments` (AWS state, deploys, promotions), `dev` (LegacyLift's own tests and docs);
`cli` holds what they share. Every task keeps its one flat name (`invoke build-model NAME`).
"""

from __future__ import annotations

from invoke import Collection

from tasks.deployments import bootstrap_backend, changed, deploy, promote, rollback, split_state
from tasks.dev import module_docs, test
from tasks.models import (
    build_all,
    build_framework_image,
    build_model,
    list_models,
    new_model,
    prune,
)
from tasks.reports import graph, logs, report, status
from tasks.runs import (
    clean_local,
    demo,
    redrive,
    run,
    run_definition,
    run_local,
    schedule,
    train,
    upload_input,
)

ns = Collection(
    test,
    module_docs,
    new_model,
    build_model,
    build_all,
    build_framework_image,
    list_models,
    prune,
    run,
    run_local,
    train,
    redrive,
    run_definition,
    schedule,
    upload_input,
    demo,
    clean_local,
    graph,
    report,
    status,
    logs,
    bootstrap_backend,
    deploy,
    split_state,
    changed,
    promote,
    rollback,
)
