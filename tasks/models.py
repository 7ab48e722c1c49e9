"""Models: create one, containerise them, list them, prune their old images."""

from __future__ import annotations

from invoke import Exit, task

from tasks.cli import (
    BUILD_HELP,
    JSON_HELP,
    _default_registry,
    _default_workspace,
    _fail_cleanly,
    print_json_document,
)


@task(
    help={
        "model": "the model: its folder name under legacy_models/",
        "refresh-requirements": "resolve requirements.txt again instead of installing the "
        "versions recorded in requirements.lock.txt (which the build then rewrites); with the "
        "model's own Dockerfile, rebuild it without the layer cache",
        **BUILD_HELP,
    }
)
def build_model(c, model, workspace=None, registry=None, push=True, refresh_requirements=False):
    """Containerise one legacy model, push it and pin its digest into the workspace's tfvars.

    Skips the build when an image with the same content hash exists locally or in the target.
    The first build records what pip resolved in requirements.lock.txt; later builds install
    exactly those versions."""
    from legacylift.containerise import build_model as build

    _fail_cleanly(
        lambda: build(
            model,
            _default_workspace(workspace),
            _default_registry(registry),
            push=push,
            refresh_requirements=refresh_requirements,
        ),
        "build-model",
    )


@task(help={"jobs": "how many models to build at once (default 1)", **BUILD_HELP})
def build_all(c, jobs=1, workspace=None, registry=None, push=True):
    """`build-model` for every model in legacy_models/, `--jobs` at a time."""
    from legacylift.containerise import build_all as build

    results = _fail_cleanly(
        lambda: build(
            None, int(jobs), _default_workspace(workspace), _default_registry(registry), push
        )
    )
    built = sum(1 for result in results if result.image.built)
    print(f"{len(results)} models: {built} built, {len(results) - built} up to date")


@task(
    name="new-model",
    help={
        "name": "the new model's folder name under legacy_models/ (lowercase letters, digits, "
        "hyphens)",
        "from": "an existing legacy project to copy in, file names kept; a model.toml is written "
        "for what is found there",
    },
)
def new_model(c, name, from_=None):
    """Create legacy_models/NAME following the contract, blank or from a legacy project; print
    what was guessed and what to check. Never overwrites an existing model."""
    from legacylift.console import detail, info, success
    from legacylift.new_model import new_model as create

    created = _fail_cleanly(lambda: create(name, from_))
    success(f"created {created.path}")
    for guess in created.guesses:
        detail(f"guessed: {guess}")
    for check in created.checks:
        info(f"check: {check}")


@task(
    help={
        "aws": "also read each deployed workspace's promotion records from its data bucket and "
        "the version its `live` alias runs (needs AWS credentials)",
        "prod": "the production workspace whose lag behind the others is shown (default prod)",
        "json": JSON_HELP + ": one object per model, keyed by the table's column names",
    }
)
def list_models(c, aws=False, prod="prod", json=False):
    """Each model: content hash, whether its image is built, the digest pinned per workspace
    (`+`: promoted there), how far the prod workspace is behind the others, the promoted
    version and metric of models with a training workflow, and its last run (local, or
    followed on AWS) with its estimated cost."""
    from legacylift.console import error
    from legacylift.model_table import model_rows, model_table

    invalid: list[str] = []
    if json:
        header, *rows = _fail_cleanly(lambda: model_rows(invalid, aws_promotions=aws, prod=prod))
        models = [dict(zip(header, row, strict=True)) for row in rows]
        print_json_document({"models": models, "invalid": invalid}, failed=bool(invalid))
        return
    print(_fail_cleanly(lambda: model_table(invalid, aws_promotions=aws, prod=prod)))
    for problem in invalid:
        error(problem)
    if invalid:
        raise Exit(code=1)


@task
def build_framework_image(c):
    """Build the local twin of AWS's scikit-learn processing image (script-mode steps)."""
    from legacylift.containerise import ensure_framework_image

    print(_fail_cleanly(ensure_framework_image))


@task(
    help={
        "model": "only this model (default: every model in legacy_models/)",
        "dry_run": "print what would be removed, remove nothing",
    }
)
def prune(c, model=None, dry_run=False):
    """Remove old content-hash images of each model; keep the newest and every image a
    workspace's tfvars pins."""
    from legacylift.containerise.prune import prune_images

    _fail_cleanly(lambda: prune_images([model] if model else None, dry_run=dry_run), "prune")
