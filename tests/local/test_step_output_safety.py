"""What a step prints and leaves reaches the user safely: control characters in its log are
shown escaped, never sent raw to the terminal; each output entry not uploaded (a symlink) is
named in the log; and run-definition's refusal of an integration names what docs/local-engine.md
names."""

from __future__ import annotations

import re

import pytest

from legacylift.local.asl.definition import DefinitionError
from legacylift.local.asl.interpreter import Execution
from legacylift.local.processing import ProcessingRunner
from legacylift.local.s3_tasks import GET, PUT, SDK_LIST, S3Tasks
from legacylift.paths import REPO_ROOT
from legacylift.report.reporter import Reporter, escape_controls
from tests.local.jobs import processing_request, s3_output, shell

HOSTILE = "printf 'a\\000b \\033[2J\\033]0;owned\\007 c\\rd\\tend\\n'"


def test_control_characters_are_escaped():
    """Planted bug `log-controls-raw` (lines passed through as they are)."""
    shown = escape_controls("a\x00b \x1b[2J\x1b]0;owned\x07 c\rd\tend\x9b")
    assert shown == "a\\x00b \\x1b[2J\\x1b]0;owned\\x07 c\\x0dd\tend\\x9b"


@pytest.mark.docker
@pytest.mark.usefixtures("no_leftover_containers")
def test_a_steps_control_characters_never_reach_the_terminal(
    local_settings, docker_client, base_image, capsys
):
    """Real step printing NUL, ESC[2J and an OSC title sequence. Planted bug `log-controls-raw`:
    they reach stdout raw."""
    reporter = Reporter("text", live=False)
    runner = ProcessingRunner(local_settings, docker_client, on_log=reporter.job_log)
    out = "/opt/ml/processing/output"
    request = processing_request(
        base_image,
        entrypoint=shell(f"{HOSTILE}; cd {out}; echo x > real.txt; ln -s /etc/passwd passwd"),
        outputs=[s3_output("out", "s3://bkt/safety-out/", out)],
    )
    result = runner.create_processing_job(request)
    assert result.describe["ProcessingJobStatus"] == "Completed", result.log_tail
    printed = capsys.readouterr().out
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", printed.replace("\n", "")), printed
    assert "a\\x00b \\x1b[2J\\x1b]0;owned\\x07 c\\x0dd\tend" in printed
    # The symlink is named in the log, not skipped silently (planted bug
    # `skipped-outputs-silent`: the log line removed).
    assert "[output out: passwd (symlink, not followed): not uploaded]" in printed


def test_refusal_of_an_integration_lists_what_the_docs_list():
    """Planted bug `refusal-lists-other-actions` (the message naming other S3 actions than
    the engine runs and docs/local-engine.md lists)."""
    task_resources = {SDK_LIST, GET, PUT}
    assert all(S3Tasks.supports(None, resource) for resource in task_resources)
    machine = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:deleteObject",
                "End": True,
            }
        },
    }
    with pytest.raises(DefinitionError) as refused:
        Execution(machine, task_runner=S3Tasks(None))
    runs = str(refused.value).split("the local engine runs", 1)[1]
    named = set(re.findall(r"aws-sdk:s3:\w+", runs))
    assert named == {resource.split(":::")[1] for resource in task_resources}
    docs = (REPO_ROOT / "docs/local-engine.md").read_text()
    sentence = docs[docs.index("Not implemented") :].split(".\n")[0]
    assert set(re.findall(r"aws-sdk:s3:\w+", sentence)) == named
