"""Where the local engine keeps its state, and which S3 it talks to."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from legacylift.paths import project_state_dir

LOCAL_REGION = "us-east-1"
LOCAL_ACCOUNT_ID = "000000000000"


@dataclass(frozen=True)
class LocalSettings:
    """The local engine's configuration.

    `object_store`: a directory standing for S3 (`s3://bucket/key` is `<dir>/bucket/key`),
    used unless `s3_endpoint_url` names an S3 endpoint (moto, MinIO, AWS) reached through boto3
    with the host's credentials; those credentials stay on the host, never in a step container.
    `jobs_dir`: the persisted registry of processing job names and results.
    Jobs keep their scratch directories (output mounts, config) under `<object_store>/.staging/`,
    on the store's filesystem so outputs move into the store by rename; each is removed when
    its job ends.
    """

    object_store: Path
    jobs_dir: Path
    s3_endpoint_url: str | None = None
    region: str = LOCAL_REGION
    account_id: str = LOCAL_ACCOUNT_ID

    @classmethod
    def from_env(cls) -> LocalSettings:
        """Settings from LEGACYLIFT_LOCAL_DIR (default .legacylift/local), LEGACYLIFT_S3_DIR
        and LEGACYLIFT_S3_ENDPOINT_URL."""
        root = Path(os.environ.get("LEGACYLIFT_LOCAL_DIR", project_state_dir() / "local"))
        return cls(
            object_store=Path(os.environ.get("LEGACYLIFT_S3_DIR", root / "s3")),
            jobs_dir=root / "jobs",
            s3_endpoint_url=os.environ.get("LEGACYLIFT_S3_ENDPOINT_URL") or None,
        )

    @classmethod
    def under(cls, root: Path, **overrides) -> LocalSettings:
        """Settings with every directory under `root` (tests, benchmarks)."""
        root = Path(root)
        values = {"object_store": root / "s3", "jobs_dir": root / "jobs"}
        values.update(overrides)
        return cls(**values)
