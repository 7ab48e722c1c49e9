"""A state machine's published versions and its `live` alias: which version (and image digest)
runs, and moving the alias back one version (`invoke rollback`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from legacylift import tfvars
from legacylift.errors import LegacyLiftError

ALIAS = "live"


def unqualified(arn: str) -> str:
    """The state machine ARN of a version or alias ARN (`...:stateMachine:NAME[:QUALIFIER]`)."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[5] != "stateMachine":
        raise LegacyLiftError(f"{arn!r} is not a Step Functions state machine ARN")
    return ":".join(parts[:7])


def version_number(version_arn: str) -> int:
    """The number of a version ARN (`...:stateMachine:NAME:3` -> 3)."""
    qualifier = version_arn.rsplit(":", 1)[-1]
    if not qualifier.isdigit() or unqualified(version_arn) == version_arn:
        raise LegacyLiftError(f"{version_arn!r} is not a state machine version ARN")
    return int(qualifier)


def image_uris(definition: str) -> set[str]:
    """Every `repository@sha256:<digest>` string in an ASL definition (its pinned images)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and tfvars.IMAGE_URI_PATTERN.match(node):
            found.add(node)

    walk(json.loads(definition))
    return found


def digest_of(image_uri: str) -> str:
    """`sha256:<hex>` of `repository@sha256:<hex>`."""
    return image_uri.rsplit("@", 1)[-1]


def alias_version(sfn, alias_arn: str) -> str:
    """The version the alias sends every execution to (an error for a split alias)."""
    routes = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)[
        "routingConfiguration"
    ]
    if len(routes) != 1:
        shares = ", ".join(f"{r['stateMachineVersionArn']} {r['weight']}%" for r in routes)
        raise LegacyLiftError(
            f"alias {alias_arn} splits executions between versions ({shares}): rollback moves "
            "an alias that points at one version; set its routing with "
            "`aws stepfunctions update-state-machine-alias`"
        )
    return routes[0]["stateMachineVersionArn"]


def published_versions(sfn, state_machine_arn: str) -> list[str]:
    """Version ARNs of the state machine, oldest first."""
    arns: list[str] = []
    kwargs: dict[str, Any] = {"stateMachineArn": state_machine_arn}
    while True:
        page = sfn.list_state_machine_versions(**kwargs)
        arns += [item["stateMachineVersionArn"] for item in page["stateMachineVersions"]]
        if not page.get("nextToken"):
            return sorted(arns, key=version_number)
        kwargs["nextToken"] = page["nextToken"]


@dataclass(frozen=True)
class Rollback:
    """What a rollback did: the alias moved from one version to the one before."""

    alias_arn: str
    from_version: str
    to_version: str
    image_uri: str | None
    tfvars_path: str | None


def _model_image(definition: str, pinned: str | None) -> str | None:
    """The model's own image in a version's definition: the one in the repository of the
    image pinned now (None when nothing is pinned or that version names no such image; the
    framework image of script-mode steps is never taken for the model's)."""
    if not pinned:
        return None
    repository = pinned.rsplit("@", 1)[0]
    same = sorted(uri for uri in image_uris(definition) if uri.rsplit("@", 1)[0] == repository)
    return same[0] if len(same) == 1 else None


def rollback(sfn, alias_arn: str, model: str, workspace: str) -> Rollback:
    """Point `alias_arn` at the version before the one it points at (UpdateStateMachineAlias,
    no Terraform run) and pin that version's image in the workspace's tfvars, so the next
    deploy publishes the same again instead of undoing the rollback. The tfvars are checked
    before the alias moves; if writing them fails, the alias is moved back."""
    current = alias_version(sfn, alias_arn)
    earlier = [
        v
        for v in published_versions(sfn, unqualified(alias_arn))
        if version_number(v) < version_number(current)
    ]
    if not earlier:
        raise LegacyLiftError(
            f"no version of {model} before version {version_number(current)} in workspace "
            f"{workspace!r}: nothing to roll back to (the alias {ALIAS} already points at the "
            "oldest published version)"
        )
    previous = earlier[-1]
    entries = tfvars.read_models(workspace)
    entry = dict(entries.get(model) or {})
    definition = sfn.describe_state_machine(stateMachineArn=previous)["definition"]
    image = _model_image(definition, entry.get("image_uri"))

    def route(version: str) -> None:
        sfn.update_state_machine_alias(
            stateMachineAliasArn=alias_arn,
            routingConfiguration=[{"stateMachineVersionArn": version, "weight": 100}],
        )

    route(previous)
    path = None
    if image is not None and image != entry.get("image_uri"):
        settings = {k: v for k, v in entry.items() if k not in ("image_uri", "source_hash")}
        try:
            # The earlier image was built from content this checkout may no longer hold: no
            # source_hash, so list-models marks the pin stale until the next build.
            path = str(tfvars.pin_image(workspace, model, image, settings=settings))
        except BaseException:
            route(current)
            raise
    return Rollback(alias_arn, current, previous, image, path)


def live_reader(workspace: str) -> Callable[[str, str | None], str]:
    """(model, pinned image URI) -> what its `live` alias runs in `workspace`: `live vN`, plus
    the digest when it is not the pinned one (after a rollback not yet committed, or a deploy
    not yet run); `not deployed` without an alias. Needs credentials; outputs read once."""
    from legacylift.aws import deployed
    from legacylift.aws.session import check_credentials, region_of_arn, session

    check_credentials(session())
    aliases = dict(deployed.load_stack(workspace).outputs.get("state_machine_alias_arns") or {})
    clients: dict[str, Any] = {}

    def read(model: str, pinned: str | None) -> str:
        alias_arn = aliases.get(model)
        if alias_arn is None:
            return "not deployed"
        region = region_of_arn(alias_arn)
        sfn = clients.setdefault(region, session(region).client("stepfunctions"))
        version = alias_version(sfn, alias_arn)
        definition = sfn.describe_state_machine(stateMachineArn=version)["definition"]
        image = _model_image(definition, pinned)
        label = f"live v{version_number(version)}"
        if pinned and image != pinned:
            runs = digest_of(image).removeprefix("sha256:")[:12] if image else "another image"
            label += f": {runs}"
        return label

    return read
