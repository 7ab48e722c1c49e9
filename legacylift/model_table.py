"""`invoke list-models`: each model's content hash, local image, and pinned digests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from legacylift import tfvars
from legacylift.containerise.images import ImageBuilder
from legacylift.models import discover_models

PROD_WORKSPACE = "prod"


def _workspaces() -> list[str]:
    suffix = ".models.tfvars.json"
    return sorted(p.name.removesuffix(suffix) for p in tfvars.tfvars_dir().glob(f"*{suffix}"))


def _digest(entry: dict[str, Any] | None) -> str | None:
    uri = (entry or {}).get("image_uri")
    return uri.rsplit("@", 1)[-1] if uri else None


def _age(since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    if seconds >= 86400:
        return f"{seconds // 86400}d"
    return f"{seconds // 3600}h" if seconds >= 3600 else f"{seconds // 60}m"


def prod_lag(
    model: str,
    pinned: dict[str, dict[str, Any]],
    prod: str,
    promotions: list[dict[str, Any]],
    now: datetime | None = None,
) -> str:
    """How far `prod` is behind for `model`: `up to date` when every workspace pinning the
    model runs prod's digest, else `behind W1, W2` (the workspaces with another digest) and
    how long prod has had its own (its last promotion of that digest, from the promotion
    log); `not in prod` when prod pins none."""
    own = _digest(pinned.get(prod, {}).get(model))
    if own is None:
        return "not in prod" if prod == PROD_WORKSPACE else f"not in {prod}"
    ahead = sorted(
        workspace
        for workspace, models in pinned.items()
        if workspace != prod and _digest(models.get(model)) not in (None, own)
    )
    if not ahead:
        return "up to date"
    promoted = [
        record["when"]
        for record in promotions
        if record.get("model") == model and record.get("digest") == own and record.get("when")
    ]
    lag = f"behind {', '.join(ahead)}"
    if promoted:
        since = datetime.fromisoformat(max(promoted))
        lag += f" (its digest since {_age(since, now or datetime.now(UTC))})"
    return lag


def model_table(
    invalid: list[str] | None = None, aws_promotions: bool = False, prod: str = PROD_WORKSPACE
) -> str:
    """`model_rows` as a plain-text table, its columns aligned."""
    rows = model_rows(invalid, aws_promotions, prod)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def model_rows(
    invalid: list[str] | None = None, aws_promotions: bool = False, prod: str = PROD_WORKSPACE
) -> list[list[str]]:
    """The header, then one row per model folder: name, content hash, built?, per workspace the
    pinned digest (marked stale when it was built from other content than the folder holds now;
    `+` when it was promoted there; with `aws_promotions`, the version its `live` alias runs
    and that version's digest when it is another), how far `prod` is behind (when that
    workspace exists), for models with a training workflow the promoted version and metric:
    locally, and with `aws_promotions` in each deployed workspace (read from its data bucket);
    last, the model's last run and cost. A folder that is not a valid model gets an `invalid`
    row, its reason appended to `invalid`."""
    from legacylift.local import promotions
    from legacylift.promote import read_promotions

    builder = ImageBuilder()
    workspaces = _workspaces()
    pinned = {workspace: tfvars.read_models(workspace) for workspace in workspaces}
    promoted_into = {workspace: read_promotions(workspace) for workspace in workspaces}
    with_prod = prod in workspaces
    readers = {"local": promotions.local_reader()}
    live = {}
    if aws_promotions:
        from legacylift.aws.promotions import aws_reader
        from legacylift.aws.versions import live_reader

        readers |= {workspace: aws_reader(workspace) for workspace in workspaces}
        live = {workspace: live_reader(workspace) for workspace in workspaces}
    lag_header = [f"{prod} lag"] if with_prod else []
    rows = [
        [
            "model",
            "content hash",
            "built",
            *workspaces,
            *lag_header,
            *(f"promoted ({w})" for w in readers),
            "last run",
        ]
    ]
    last = last_run_costs()

    def report(name, error):
        rows.append(
            [name, "invalid", "-", *("-" for _ in [*workspaces, *lag_header, *readers]), "-"]
        )
        if invalid is not None:
            invalid.append(f"{name}: {error}")

    for model in discover_models(on_invalid=report):
        context = builder.model_context(model)
        content_hash = context.content_hash
        built = "yes" if builder.exists_locally(f"{context.repository}:{content_hash}") else "no"
        cells = []
        for workspace in workspaces:
            entry = pinned[workspace].get(model.name) or {}
            uri = entry.get("image_uri")
            if not uri:
                cells.append("-")
                continue
            digest = uri.rsplit("@", 1)[-1].removeprefix("sha256:")[:12]
            stale = "" if entry.get("source_hash") == content_hash else " (stale)"
            carried = any(
                record.get("model") == model.name and uri.endswith(str(record.get("digest")))
                for record in promoted_into[workspace]
            )
            runs = f" ({live[workspace](model.name, uri)})" if workspace in live else ""
            cells.append(f"{digest}{'+' if carried else ''}{stale}{runs}")
        if with_prod:
            cells.append(prod_lag(model.name, pinned, prod, promoted_into[prod]))
        cells += [read(model.name) if model.has_training else "" for read in readers.values()]
        rows.append([model.name, content_hash, built, *cells, last.get(model.name, "-")])
    return rows


def _cloud_runs() -> dict[str, dict]:
    """Each model's last followed cloud run (`invoke run`/`redrive`), any workspace."""
    import json

    from legacylift.paths import project_state_dir

    latest: dict[str, dict] = {}
    for path in sorted((project_state_dir() / "runs").glob("*/*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        model = record.get("model")
        if isinstance(model, str) and record.get("stopped", "") > latest.get(model, {}).get(
            "stopped", ""
        ):
            latest[model] = record
    return latest


def last_run_costs() -> dict[str, str]:
    """Each model's last run, local or followed on AWS: its status, estimated cost (or
    instance-hours when an instance type has no price) and where it ran."""
    from legacylift.local.run_records import last_runs
    from legacylift.local.settings import LocalSettings
    from legacylift.report.cost import format_money

    runs = last_runs(LocalSettings.from_env())
    for model, record in _cloud_runs().items():
        if record.get("stopped", "") > runs.get(model, {}).get("stopped", ""):
            runs[model] = record
    cells = {}
    for model, record in runs.items():
        cost = record.get("cost") or {}
        if cost.get("estimated_cost") is not None:
            spent = format_money(cost["estimated_cost"], cost.get("currency", "USD"))
        elif cost:
            spent = f"{cost.get('instance_hours', 0):.4f} h, unpriced"
        else:
            spent = "-"
        where = record.get("where") or "local"
        cells[model] = f"{record.get('status', '?').lower()} {spent} ({where})"
    return cells
