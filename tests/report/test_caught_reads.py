"""A run whose AWS SDK read fails on purpose (no promotion record yet) and is caught reports it
as progress, not as an error: the history comes from a real interpreter run on the local store."""

from __future__ import annotations

from legacylift.report.reporter import Reporter
from tests.local.test_s3_tasks import machine, read_record, run


def test_a_caught_sdk_read_is_progress_not_an_error(tmp_path, capsys):
    """Planted bug (caught SDK failures printed with console.error, as processing-job
    failures are): `error: ReadPromoted failed` on stderr in a successful run; red."""
    from legacylift.local.settings import LocalSettings

    definition = machine(("ReadPromoted", read_record()), ("None", {"Type": "Pass"}))
    result = run(definition, LocalSettings.under(tmp_path / "local"))
    assert result.status == "SUCCEEDED"
    capsys.readouterr()
    reporter = Reporter("text")
    for event in result.history:
        reporter.event(event)
    reporter.close()
    shown = capsys.readouterr()
    assert "error" not in shown.err, shown.err
    assert "ReadPromoted: S3.NoSuchKeyException" in shown.out
    assert "(caught, the workflow goes on)" in shown.out
