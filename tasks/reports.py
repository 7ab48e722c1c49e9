"""Looking at runs and workflows: pictures, HTML reports, executions' status and logs."""

from __future__ import annotations

from invoke import task

from tasks.cli import JSON_HELP, _fail_cleanly, _quiet_stdout, print_json_document


@task(
    help={
        "name": "the model whose workflow to draw (with --definition: the picture's name)",
        "workspace": "whose pinned settings to render with (default 'local')",
        "workflow": "'inference' (default) or 'train'",
        "definition": "draw this ASL definition file instead of a model's workflow",
        "output": "the picture to write: .svg (default), .png, .pdf or .dot "
        "(default .legacylift/graphs/NAME-WORKFLOW.svg)",
    }
)
def graph(c, name, workspace="local", workflow="inference", definition=None, output=None):
    """Draw a workflow as Terraform renders it (or any definition file) with Graphviz."""
    from pathlib import Path

    from legacylift.console import success
    from legacylift.local.definitions import definition_file, rendered_definition
    from legacylift.paths import project_state_dir
    from legacylift.report.graph import write_graph

    def action():
        if definition:
            text, stem = definition_file(definition), name
        else:
            text, stem = rendered_definition(name, workspace, workflow), f"{name}-{workflow}"
        target = Path(output) if output else project_state_dir() / "graphs" / f"{stem}.svg"
        return write_graph(text, target)

    success(f"graph: {_fail_cleanly(action)}")


@task(
    help={
        "execution": "execution ARN, or its name together with --workspace and --model",
        "workspace": "Terraform workspace (when EXECUTION is a name)",
        "model": "model name (when EXECUTION is a name)",
        "output": "where to write the HTML report (default .legacylift/reports/NAME.html)",
        "json": JSON_HELP,
    }
)
def report(c, execution, workspace=None, model=None, output=None, json=False):
    """Write the HTML report of a cloud execution: graph, timeline, jobs, logs, outputs."""
    from pathlib import Path

    from legacylift.aws.reports import execution_report
    from legacylift.console import success

    with _quiet_stdout(json):
        path = _fail_cleanly(
            lambda: execution_report(execution, workspace, model, Path(output) if output else None)
        )
    if json:
        print_json_document({"execution": execution, "report": str(path)})
        return
    success(f"report: {path}")


@task(
    help={
        "model": "the model: its folder name under legacy_models/",
        "workspace": "Terraform workspace",
        "limit": "how many recent executions to list",
        "json": JSON_HELP,
    }
)
def status(c, model, workspace, limit=10, json=False):
    """List a model's recent executions with status and duration."""
    import json as json_module

    from legacylift.aws.operations import status as list_status

    with _quiet_stdout(json):
        rows = _fail_cleanly(lambda: list_status(model, workspace, int(limit)), "status")
    if json:
        for row in rows:
            row["started"] = row["started"].isoformat()
        print(
            json_module.dumps(
                {"model": model, "workspace": workspace, "executions": rows}, indent=2
            )
        )


@task(
    help={
        "execution": "execution ARN, or its name together with --workspace and --model",
        "workspace": "Terraform workspace (when EXECUTION is a name)",
        "model": "the model (when EXECUTION is a name)",
        "json": JSON_HELP,
    }
)
def logs(c, execution, workspace=None, model=None, json=False):
    """Print the processing jobs' CloudWatch logs of one execution."""
    from legacylift.aws.operations import logs as print_logs

    with _quiet_stdout(json):
        lines = _fail_cleanly(lambda: print_logs(execution, workspace, model), "logs")
    if json:
        print_json_document({"execution": execution, "lines": lines})
