"""The tests' Terraform runner drains stdout and stderr together, so no command can block on a
full pipe, whatever it prints. A stand-in `terraform` (a Python script) plays the part of a
current Terraform repeating a 1 MB definition in its error on stderr; it gives up by itself
after a while, so a runner that reads only stdout turns the test red instead of hanging it."""

from __future__ import annotations

import sys
import time

import pytest
import tftest

from tests.terraform.tfcopy import DrainedTerraformTest

# Far above any pipe buffer (64 KiB on Linux): a writer blocks unless the reader drains it.
FLOOD = 1_200_000
GIVE_UP_AFTER = 20

STAND_IN = f"""#!{sys.executable}
import signal, sys
signal.alarm({GIVE_UP_AFTER})  # a blocked writer dies here instead of hanging the test
print("Planning...", flush=True)
sys.stderr.write("Error: " + "x" * {FLOOD} + "\\nend of error\\n")
sys.stderr.flush()
sys.exit(1)
"""


@pytest.fixture
def flooding_terraform(tmp_path):
    binary = tmp_path / "terraform"
    binary.write_text(STAND_IN)
    binary.chmod(0o755)
    return binary


def test_a_megabyte_error_on_stderr_is_read_in_full_without_blocking(flooding_terraform, tmp_path):
    """Planted bug (tftest's own `execute_command`: stdout read line by line, stderr read only
    after exit): the stand-in blocks writing stderr, dies on its alarm, and the runner returns
    its signal status instead of raising the error; red."""
    runner = DrainedTerraformTest(str(tmp_path), binary=str(flooding_terraform))
    started = time.monotonic()
    with pytest.raises(tftest.TerraformTestError) as failure:
        runner.execute_command("plan", "-input=false")
    assert time.monotonic() - started < GIVE_UP_AFTER
    message = str(failure.value.args[0])
    assert message.startswith("Error running command plan: 1 Planning...")
    assert message.rstrip().endswith("end of error")
    assert len(failure.value.args[1]) > FLOOD  # stderr, whole


def test_a_command_that_succeeds_returns_both_streams(tmp_path):
    binary = tmp_path / "terraform"
    binary.write_text(
        f"#!{sys.executable}\nimport sys\nprint('out')\nprint('err', file=sys.stderr)\n"
    )
    binary.chmod(0o755)
    output = DrainedTerraformTest(str(tmp_path), binary=str(binary)).execute_command("version")
    assert (output.retcode, output.out, output.err) == (0, "out\n", "err\n")
