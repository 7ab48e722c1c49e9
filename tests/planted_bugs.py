"""Plant known bugs, one at a time, in a temporary copy of the repository and show that a fast
test fails for each.

Each bug is a small edit of production code (a text replacement that must apply exactly once)
together with the fast tests that must catch it. The script first runs all those tests on an
unmodified copy (they must pass: a test failing anyway proves nothing), then, for each bug, a
fresh copy with the bug planted (they must fail). The working tree is never modified.

    python -m tests.planted_bugs            # every bug (about 30 s on 2 busy cores)
    python -m tests.planted_bugs tfvars-in-place ...   # some of them
    python -m tests.planted_bugs --list

Exit status 0 when the baseline is green and every planted bug turns at least one test red.
Terraform and the provider mirror come from this checkout's .legacylift/ (LEGACYLIFT_STATE_DIR).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from legacylift import settings

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class PlantedBug:
    """A replacement of `old` by `new` in `path`, and the tests that must catch it."""

    name: str
    what: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


BUGS = (
    PlantedBug(
        "tfvars-in-place",
        "the workspace tfvars written in place instead of temp-and-rename",
        "legacylift/tfvars.py",
        "        write_json_atomic(path, data)\n",
        "        path.parent.mkdir(parents=True, exist_ok=True)\n"
        "        path.write_text(json.dumps(data, indent=2, sort_keys=True) + '\\n')\n",
        ("tests/test_atomic_writes.py",),
    ),
    PlantedBug(
        "outputs-links-devices",
        "output extraction no longer skipping hard links and devices (only symlinks)",
        "legacylift/local/staging.py",
        "            if not member.isreg():\n",
        "            if member.issym():\n",
        ("tests/local/test_link_safety.py::test_outputs_keep_regular_files_only",),
    ),
    PlantedBug(
        "file-inputs-follow-symlinks",
        "file:// inputs following symlinks",
        "legacylift/local/datasources.py",
        "        if entry.is_symlink() or not (entry.is_file() or entry.is_dir()):\n",
        "        if not (entry.is_file() or entry.is_dir()):\n",
        ("tests/local/test_link_safety.py",),
    ),
    PlantedBug(
        "result-path-mutates-input",
        "ResultPath placing the result into the caller's input instead of a copy",
        "legacylift/local/asl/jsonpath.py",
        "    root = json.loads(json.dumps(document))\n",
        "    root = document\n",
        ("tests/local/test_payload_isolation.py",),
    ),
    PlantedBug(
        "tolerated-percentage-unparsed",
        'a numeric *Path value (ToleratedFailurePercentagePath\'s "1") compared as given',
        "legacylift/local/asl/numeric_fields.py",
        "    number = parse(value)\n",
        "    number = value if isinstance(value, int | float | str) else parse(value)\n",
        ("tests/local/test_asl_no_crash.py",),
    ),
    PlantedBug(
        "definition-types-unchecked",
        "a state's fields of the wrong JSON type reaching the interpreter unchecked",
        "legacylift/local/asl/definition.py",
        "    schema.check_state(label, state)\n",
        "",
        ("tests/local/test_asl_no_crash.py::test_malformed_definitions_are_refused_not_crashed",),
    ),
    PlantedBug(
        "choice-rule-types-unchecked",
        "a JSONPath Choice rule's operands of the wrong JSON type reaching the interpreter",
        "legacylift/local/asl/schema.py",
        '        _check_rule(f"{label} Choices[{index}]", rule)\n',
        "",
        ("tests/local/test_asl_no_crash.py::test_malformed_definitions_are_refused_not_crashed",),
    ),
    PlantedBug(
        "inline-map-refuses-tolerance",
        "an inline Map with ToleratedFailureCount refused before the run (AWS runs it)",
        "legacylift/local/asl/definition.py",
        'DISTRIBUTED_ONLY = ("ItemReader", "ResultWriter", "ItemBatcher")\n',
        'DISTRIBUTED_ONLY = ("ItemReader", "ResultWriter", "ItemBatcher",'
        ' "ToleratedFailureCount")\n',
        ("tests/local/test_asl_conformance.py::test_behaves_as_aws",),
    ),
    PlantedBug(
        "negative-tolerated-count-runs",
        "a negative ToleratedFailureCountPath value run instead of failing with States.Runtime",
        "legacylift/local/asl/numeric_fields.py",
        '    "ToleratedFailureCount": (\n        as_integer,\n        "integer",\n'
        "        lambda n: n >= 0,\n",
        '    "ToleratedFailureCount": (\n        as_integer,\n        "integer",\n'
        "        lambda n: True,\n",
        ("tests/local/test_asl_conformance.py::test_behaves_as_aws",),
    ),
    PlantedBug(
        "jsonata-range-of-one-an-array",
        "JSONata $range of one value returned as an array, not the value",
        "legacylift/local/asl/jsonata_payload.py",
        "    return values[0] if len(values) == 1 else values\n",
        "    return values\n",
        ("tests/local/test_asl_conformance.py::test_behaves_as_aws",),
    ),
    PlantedBug(
        "jsonata-bad-timestamp-runtime",
        "a JSONata Wait Timestamp that is no timestamp failing with States.Runtime",
        "legacylift/local/asl/interpreter.py",
        '                if io.language == "JSONata":\n',
        "                if False:\n",
        ("tests/local/test_asl_conformance.py::test_behaves_as_aws",),
    ),
    PlantedBug(
        "list-bucket-unconditioned",
        "the s3:prefix condition removed from the SageMaker role's ListBucket statement",
        "modules/workflow/policies.tf",
        '        Condition = { StringLike = { "s3:prefix" = distinct(flatten([\n'
        "          for location in grant.list : "
        '[trimsuffix(location.key, "/"), "${location.key}*"] if location.bucket == bucket\n'
        "        ])) } }\n",
        "",
        (
            "tests/workflow/test_policies.py::test_list_bucket_is_allowed_only_under_the_models_own_prefixes",
        ),
    ),
    PlantedBug(
        "failed-step-without-exit-time",
        "a step the execution ended in reported without its exit time",
        "legacylift/history.py",
        "            if visit.exited is None:\n                visit.exited = when\n",
        "            if visit.exited is None:\n                pass\n",
        ("tests/test_history.py",),
    ),
    PlantedBug(
        "digest-any-length",
        "a pinned digest of any length accepted by the tfvars writer",
        "legacylift/tfvars.py",
        "@sha256:[0-9a-f]{64}$",
        "@sha256:[0-9a-f]+$",
        ("tests/containerise/test_tfvars.py",),
    ),
    PlantedBug(
        "outdated-tls-operator-flipped",
        "the bucket policy's DenyOutdatedTLS operator flipped",
        "modules/s3/main.tf",
        '      test     = "NumericLessThan"\n      variable = "s3:TlsVersion"\n',
        '      test     = "NumericGreaterThan"\n      variable = "s3:TlsVersion"\n',
        (
            "tests/terraform/test_bucket_policy.py::test_bucket_policy_denies_plain_http_and_old_tls_only",
        ),
    ),
    PlantedBug(
        "retried-task-reported-failed",
        "a Task retried by its Retry field, then succeeding, still reported failed",
        "legacylift/history.py",
        '            failed_last = visit.attempts and visit.attempts[-1].outcome != "succeeded"\n',
        '            failed_last = any(a.outcome != "succeeded" for a in visit.attempts)\n',
        ("tests/test_history.py", "tests/report/test_recorded_reports.py"),
    ),
    PlantedBug(
        "progress-without-groups",
        "Map and Parallel states no longer counted as progress (only Task and Wait)",
        "legacylift/history.py",
        'PROGRESS_KINDS = {"Task", "Wait", "Map", "Parallel"}\n',
        'PROGRESS_KINDS = {"Task", "Wait"}\n',
        (
            "tests/report/test_replay.py::test_progress_states_are_tasks_waits_and_the_groups_holding_them",
        ),
    ),
    PlantedBug(
        "caught-read-as-succeeded",
        "a Task whose failure a Catch handled read as succeeded",
        "legacylift/history.py",
        '            visit.status = "caught" if failed_last else "succeeded"\n',
        '            visit.status = "succeeded"\n',
        ("tests/report/test_recorded_reports.py",),
    ),
    PlantedBug(
        "jobs-listed-by-result",
        "the jobs `invoke logs` prints read from a task's output instead of its request",
        "legacylift/history.py",
        "        return [attempt.job_name for _, attempt in self.attempts() if attempt.job_name]\n",
        '        return [a.result["ProcessingJobName"] for _, a in self.attempts() if a.result]\n',
        ("tests/report/test_recorded_reports.py",),
    ),
    PlantedBug(
        "iteration-failure-left-running",
        "a failed Map iteration's state left running (MapIterationFailed ignored)",
        "legacylift/history.py",
        '    "MapIterationFailed": Trace._iteration_failed,\n',
        '    "Ignored": Trace._iteration_failed,\n',
        ("tests/test_history.py",),
    ),
    PlantedBug(
        "local-run-imports-aws",
        "the reporter (so every local run) importing legacylift.aws again",
        "legacylift/report/reporter.py",
        "from legacylift import console\n",
        "from legacylift import console\nfrom legacylift.aws import logs as _logs  # noqa: F401\n",
        ("tests/test_history.py::test_a_local_run_imports_nothing_of_aws",),
    ),
    PlantedBug(
        "failed-run-exits-zero",
        "a cloud run (inference or training) that did not succeed reported as if it had",
        "legacylift/aws/operations.py",
        '    if status == "SUCCEEDED":\n        total = history.seconds_in_states()',
        "    if True:\n        total = history.seconds_in_states()",
        (
            "tests/aws/test_operations.py::test_invoke_run_workflow_train_reports_a_failed_training_run",
            "tests/aws/test_operations.py::test_invoke_run_reports_a_failed_inference_run",
        ),
    ),
    PlantedBug(
        "cloud-training-output-unread",
        "the cloud runner not reading a followed execution's output: a training run's "
        "outcome (promoted or why not) missing from `invoke run --workflow train`",
        "legacylift/aws/operations.py",
        '    started.output = json.loads(described.get("output") or "{}")\n',
        "    started.output = {}\n",
        (
            "tests/aws/test_operations.py"
            "::test_invoke_run_workflow_train_json_prints_the_training_outcome",
        ),
    ),
    PlantedBug(
        "training-run-resumed",
        "`run-local --resume` accepting a failed training run's record as an inference run",
        "legacylift/local/run_records.py",
        '    if record.get("workflow", "inference") != "inference":\n',
        "    if False:\n",
        (
            "tests/local/test_run_records.py"
            "::test_a_failed_training_run_is_not_resumed_as_inference",
        ),
    ),
    PlantedBug(
        "promoted-artifacts-unsealed",
        "the promotion record naming the Train job's own artifacts prefix, not the sealed copy",
        "modules/workflow/templates/train.asl.json.tftpl",
        '        "artifact_uri.$": "$.sealed_uri",',
        '        "artifact_uri.$": "$.artifacts_uri",',
        (
            "tests/workflow/test_training.py::test_the_promoted_artifacts_are_a_sealed_copy_no_job_may_write",
        ),
    ),
    PlantedBug(
        "sealed-artifacts-overwritten",
        "a reused execution name sealing over an existing (possibly promoted) sealed copy",
        "modules/workflow/templates/train.asl.json.tftpl",
        '"NumericGreaterThan": 0, "Next": "SealedExists"',
        '"NumericGreaterThan": 1000000, "Next": "SealedExists"',
        (
            "tests/workflow/test_training.py::test_sealing_refuses_what_it_cannot_copy_whole_or_would_overwrite",
        ),
    ),
    PlantedBug(
        "train-role-writes-metrics",
        "the Train jobs' role writing all of <model>/models/*/* (another run's metric too)",
        "modules/workflow/training_policies.tf",
        'Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${name}/models/*/'
        '${local.training_step_writes[step]}/*"]',
        'Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${name}/models/*/*"]',
        (
            "tests/workflow/test_training.py::test_no_job_may_replace_what_was_promoted_or_forge_a_metric",
        ),
    ),
    PlantedBug(
        "evaluation-with-network",
        "the Evaluate job run with network (as a networked Train job may)",
        "modules/workflow/training.tf",
        'EnableNetworkIsolation = step == "evaluate" ? true : !tobool(',
        'EnableNetworkIsolation = step == "evaluate" ? false : !tobool(',
        (
            "tests/workflow/test_training.py::test_no_job_may_replace_what_was_promoted_or_forge_a_metric",
        ),
    ),
    PlantedBug(
        "promoted-record-undecryptable",
        "no kms:Decrypt for the promoted-inference state machine reading its SSE-KMS record",
        "modules/workflow/training_policies.tf",
        "    ], var.kms_key_arn == null ? [] : [{\n      # The record is written SSE-KMS",
        "    ], true ? [] : [{\n      # The record is written SSE-KMS",
        ("tests/workflow/test_kms.py::test_kms_request_sequence_of_promoted_inference",),
    ),
    PlantedBug(
        "map-results-without-data-key",
        "no kms:GenerateDataKey for the Distributed Map's ResultWriter under SSE-KMS",
        "modules/workflow/fan_out.tf",
        '? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"]',
        '? ["kms:Decrypt"] : ["kms:Decrypt"]',
        ("tests/workflow/test_kms.py::test_kms_request_sequence_of_a_distributed_fan_out",),
    ),
    PlantedBug(
        "batch-manifests-write-whole-run",
        "the workflow role's manifest writes widened to the model's whole run area",
        "modules/workflow/fan_out.tf",
        'Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${name}/runs/*/manifests/*"]',
        'Resource = ["${local.arn_prefix.s3}${var.data_bucket}/${name}/runs/*"]',
        (
            "tests/workflow/test_fan_out.py::test_manifests_are_the_only_objects_the_workflow_role_may_write_in_runs",
        ),
    ),
    PlantedBug(
        "batch-manifests-without-data-key",
        "no data key for the batch manifests' SSE-KMS writes",
        "modules/workflow/fan_out.tf",
        "          fan_out.objects_per_batch == 1 ? [] : "
        '["${local.arn_prefix.s3}${var.data_bucket}/${name}/runs/*/manifests/*"],\n',
        "",
        ("tests/workflow/test_kms.py::test_batch_manifests_are_written_with_the_key_through_s3",),
    ),
    PlantedBug(
        "object-groups-sized-alone",
        "each object of a group sized alone against the volume (the grouping ignored)",
        "legacylift/local/fan_out.py",
        "            batch = objects[index - index % per_batch].relative\n",
        "            batch = staged.relative\n",
        ("tests/local/test_distributed_map.py::test_a_group_of_objects_is_sized_as_one_batch",),
    ),
    PlantedBug(
        "sweep-removes-live-job-networks",
        "the orphan sweep removing every job network, a live engine's included",
        "legacylift/local/orphans.py",
        "        if not owner_gone(owner):\n            continue\n        try:\n",
        "        try:\n",
        (
            "tests/local/test_engine_guarantees.py::test_a_killed_engines_job_network_is_removed_and_a_live_ones_kept",
        ),
    ),
    PlantedBug(
        "data-key-unconditioned",
        "the execution roles' data key use without kms:ViaService and encryption context",
        "modules/workflow/policies.tf",
        "          Condition = {\n"
        '            StringEquals = { "kms:ViaService" = local.kms_via_s3 }',
        "          Condition = {\n"
        '            StringEquals = { "kms:CallerAccount" = var.aws_account_id }',
        (
            "tests/workflow/test_kms.py::test_every_data_key_use_is_through_s3_for_the_roles_own_objects",
        ),
    ),
    PlantedBug(
        "data-bucket-shared",
        "the data bucket accepted as an extra or chained location",
        "modules/workflow/main.tf",
        "    shared_locations = length(local.data_bucket_locations) == 0 ? true : tobool(",
        "    shared_locations = true ? true : tobool(",
        (
            "tests/workflow/test_shared_locations.py::test_the_data_bucket_is_refused_as_a_shared_location",
        ),
    ),
    PlantedBug(
        "generic-code-writable",
        "the generic role allowed to write its own code area",
        "modules/workflow/policies.tf",
        '        Sid      = "GenericCodeIsReadOnly"\n        Effect   = "Deny"',
        '        Sid      = "GenericCodeIsReadOnly"\n        Effect   = "Allow"',
        (
            "tests/workflow/test_shared_locations.py::test_the_generic_role_reads_but_never_writes_its_code_area",
        ),
    ),
    PlantedBug(
        "generic-code-unchecked",
        "the generic input check accepting CodeUri from where generic jobs write",
        "modules/workflow/templates/generic.asl.json.tftpl",
        '%{ if contains(step.required_uris, "CodeUri") ~}',
        "%{ if false ~}",
        (
            "tests/workflow/test_shared_locations.py::test_the_generic_input_check_refuses_code_a_generic_job_may_write",
        ),
    ),
    PlantedBug(
        "log-streams-unscoped",
        "CreateLogStream on every stream of the processing jobs' log group",
        "modules/workflow/policies.tf",
        '["logs:DescribeLogStreams"] : ["logs:CreateLogGroup", "logs:DescribeLogStreams"]',
        '["logs:DescribeLogStreams"] : ["logs:CreateLogGroup", "logs:DescribeLogStreams", '
        '"logs:CreateLogStream"]',
        ("tests/workflow/test_policies.py::test_log_statements_use_the_documented_arn_forms",),
    ),
    PlantedBug(
        "name-prefix-double-hyphen",
        "a name_prefix with '--' accepted (it can match another deployment's generic names)",
        "modules/workflow/variables.tf",
        '    condition     = length(regexall("--", var.name_prefix)) == 0',
        '    condition     = length(regexall("---", var.name_prefix)) == 0',
        ("tests/workflow/test_validation.py::test_bad_input_is_refused_with_a_readable_message",),
    ),
    PlantedBug(
        "log-delivery-twice",
        "the workflow's state machine policies granting log delivery besides modules/state-machine",
        "modules/workflow/policies.tf",
        "      # Log delivery (the state machine's logging configuration) is granted once, by\n",
        '      { Sid = "LogDeliveryUnscopable", Effect = "Allow", Resource = ["*"],\n'
        '      Action = ["logs:CreateLogDelivery", "logs:PutResourcePolicy"] },\n',
        (
            "tests/workflow/test_policies.py::test_log_delivery_is_granted_once_by_the_state_machine_module",
        ),
    ),
    PlantedBug(
        "implausible-metric-accepted",
        "the promotion decision taking any metric summary (a forged basis of 1e300 passes)",
        "modules/workflow/templates/train.asl.json.tftpl",
        '      "Default": "ImplausibleMetric"',
        '      "Default": "ReadPromoted"',
        ("tests/workflow/test_training.py::test_an_implausible_metric_summary_promotes_nothing",),
    ),
    PlantedBug(
        "leftover-processes-survive",
        "the step runner writing the metric summary with the evaluation's leftovers alive",
        "modules/workflow/files/steprunner.py",
        "        if options.end_all_processes:\n            end_all_processes()\n",
        "",
        (
            "tests/workflow/test_steprunner.py::"
            "test_processes_the_evaluation_leaves_behind_cannot_forge_the_summary",
        ),
    ),
    PlantedBug(
        "summary-follows-links",
        "the metric summary written through a link or over a file the evaluation left",
        "modules/workflow/files/steprunner.py",
        "            write_exclusively(options.summary, json.dumps(summary))\n",
        "            options.summary.write_text(json.dumps(summary))\n",
        (
            "tests/workflow/test_steprunner.py::test_a_summary_already_there_or_a_link_fails_the_step",
        ),
    ),
    PlantedBug(
        "separate-evaluation-reported-as-training",
        "a run with evaluation data reported as evaluated on its training data",
        "modules/workflow/templates/train.asl.json.tftpl",
        '      "Result": false,\n      "ResultPath": "$.evaluated_on_training_data",',
        '      "Result": true,\n      "ResultPath": "$.evaluated_on_training_data",',
        (
            "tests/workflow/test_training.py::"
            "test_evaluating_on_the_training_data_is_said_in_the_output_and_the_record",
        ),
    ),
    PlantedBug(
        "local-copy-reencodes",
        "the local CopyObject writing the source re-encoded as text (bytes changed)",
        "legacylift/local/s3_tasks.py",
        '        data = self._read(f"s3://{bucket}/{key}", key)\n        self.sources.put(uri',
        '        data = self._read(f"s3://{bucket}/{key}", key).decode("latin-1").encode()\n'
        "        self.sources.put(uri",
        (
            "tests/local/test_s3_tasks.py::"
            "test_copy_object_copies_bytes_whole_and_a_missing_source_is_no_such_key",
        ),
    ),
    PlantedBug(
        "history-unbounded",
        "the local engine's 25,000-event history limit removed (a looping definition never ends)",
        "legacylift/local/asl/history.py",
        "            if event_id >= self.limit and event_type not in FINAL_EVENTS:\n",
        "            if False:\n",
        ("tests/local/test_execution_limits.py",),
    ),
    PlantedBug(
        "history-limit-off-by-one",
        "the history limit counted one event early (an execution ending at event 25,000 failed)",
        "legacylift/local/asl/history.py",
        "            if event_id >= self.limit and event_type not in FINAL_EVENTS:\n",
        "            if event_id >= self.limit - 1 and event_type not in FINAL_EVENTS:\n",
        (
            "tests/local/test_execution_limits.py::test_the_last_allowed_event_may_be_the_execution_succeeding",
        ),
    ),
    PlantedBug(
        "history-limit-rewritten",
        "an execution failing with whatever error a state made of the history limit",
        "legacylift/local/asl/interpreter.py",
        "            exc = history_limit_error() if self.history.full else raised\n",
        "            exc = raised\n",
        ("tests/local/test_execution_limits.py::test_catch_all_does_not_catch_the_history_limit",),
    ),
    PlantedBug(
        "progress-silent",
        "no progress line on a long run of states that show no step",
        "legacylift/report/reporter.py",
        '        if self.mode == "text" and on_the_way:\n',
        "        if False:\n",
        ("tests/local/test_execution_limits.py::test_long_runs_show_progress",),
    ),
    PlantedBug(
        "history-texts-copied",
        "each history event keeping its own copy of the texts a loop passes along",
        "legacylift/local/asl/history.py",
        "                    details[name] = self._texts.setdefault(text, text)\n",
        "                    details[name] = text[:1] + text[1:]\n",
        (
            "tests/local/test_execution_limits.py::test_a_loop_keeps_one_copy_of_the_data_it_carries",
        ),
    ),
    PlantedBug(
        "definition-file-size-unchecked",
        "run-definition measuring only the compact JSON, not the file as it would be sent",
        "legacylift/local/definition_run.py",
        "        asl_definition.check_size(Path(definition_path).expanduser()"
        '.read_text(encoding="utf-8"))\n',
        "        pass\n",
        (
            "tests/local/test_execution_limits.py::test_run_definition_measures_the_file_as_aws_would_receive_it",
        ),
    ),
    PlantedBug(
        "definition-size-unchecked",
        "definitions over AWS's 1 MB accepted by the local engine",
        "legacylift/local/asl/definition.py",
        "    if len(text) > MAX_DEFINITION_LENGTH:\n",
        "    if False:\n",
        ("tests/local/test_execution_limits.py",),
    ),
    PlantedBug(
        "clean-age-nan",
        "clean-local refusing only negative ages (nan and inf pass and select every run)",
        "legacylift/local/clean.py",
        "    if not (math.isfinite(older_than_days) and older_than_days > 0):\n",
        "    if older_than_days < 0:\n",
        ("tests/local/test_live_runs.py::test_older_than_must_be_finite_and_above_zero",),
    ),
    PlantedBug(
        "clean-ignores-live-runs",
        "clean-local removing what a live run uses (claims and job records not consulted)",
        "legacylift/local/clean.py",
        "        if _used(path, paths, jobs, store / STAGING_DIR):\n",
        "        if False:\n",
        ("tests/local/test_live_runs.py::test_clean_keeps_an_execution_a_live_run_claims",),
    ),
    PlantedBug(
        "clean-ignores-job-records",
        "clean-local not reading the job records (a live job's scratch and folders removed)",
        "legacylift/local/clean.py",
        '    for owner_file in sorted(jobs_dir.glob("*.owner")) if jobs_dir.is_dir() else ():\n',
        "    for owner_file in ():\n",
        ("tests/local/test_live_runs.py::test_clean_keeps_what_a_job_with_a_live_engine_uses",),
    ),
    PlantedBug(
        "claims-not-exclusive",
        "a run's claim taken as a shared lock (two runs hold one --output)",
        "legacylift/local/claims.py",
        "        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)\n",
        "        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)\n",
        (
            "tests/local/test_live_runs.py::test_a_claim_is_refused_naming_its_holder_and_freed_when_released",
        ),
    ),
    PlantedBug(
        "config-bytes-traceback",
        "a config file (model.toml, tfvars) of random bytes read without catching the decode error",
        "legacylift/config_files.py",
        "    except UnicodeDecodeError as exc:\n",
        "    except UnicodeEncodeError as exc:\n",
        ("tests/containerise/test_config_not_text.py",),
    ),
    PlantedBug(
        "config-recursion-traceback",
        "a deeply nested config file read without catching RecursionError",
        "legacylift/config_files.py",
        "    except RecursionError:\n",
        "    except ZeroDivisionError:\n",
        ("tests/containerise/test_config_not_text.py",),
    ),
    PlantedBug(
        "output-full-traceback",
        "--output on a full filesystem re-raising ENOSPC as is (nothing said of the store copy)",
        "legacylift/local/transfer.py",
        "        if disk.is_full(exc):\n",
        "        if False:\n",
        (
            "tests/local/test_full_disk.py::test_output_on_a_full_filesystem_says_what_is_full_and_where_the_output_is",
        ),
    ),
    PlantedBug(
        "record-full-disk",
        "a job record's final state not written on a full disk (left InProgress)",
        "legacylift/atomic.py",
        "        if exc.errno not in (errno.ENOSPC, errno.EDQUOT) or not "
        "_rewrite_in_place(path, data):\n",
        "        if True:\n",
        (
            "tests/local/test_full_disk.py::test_a_job_record_reaches_its_final_state_on_a_full_disk",
        ),
    ),
    PlantedBug(
        "log-controls-raw",
        "a step's control characters (NUL, ESC, OSC) passed to the terminal as they are",
        "legacylift/report/reporter.py",
        '    return CONTROLS.sub(lambda found: f"\\\\x{ord(found.group()):02x}", line)\n',
        "    return line\n",
        ("tests/local/test_step_output_safety.py::test_control_characters_are_escaped",),
    ),
    PlantedBug(
        "refusal-lists-other-actions",
        "run-definition's refusal naming other S3 actions than the engine runs and the docs list",
        "legacylift/local/asl/definition.py",
        '"and the AWS SDK integrations aws-sdk:s3:listObjectsV2, aws-sdk:s3:getObject "',
        '"and the AWS SDK integrations aws-sdk:s3:getObject "',
        (
            "tests/local/test_step_output_safety.py::test_refusal_of_an_integration_lists_what_the_docs_list",
        ),
    ),
    PlantedBug(
        "registry-setting-ignored",
        "--registry local using setup's registry whatever LEGACYLIFT_REGISTRY says",
        "legacylift/containerise/registry.py",
        '    if credentials["address"] != wanted:\n',
        "    if False:\n",
        ("tests/containerise/test_registry_setting.py",),
    ),
    PlantedBug(
        "step-key-without-input-content",
        "a step's content key naming its inputs by URI instead of by their content",
        "legacylift/local/step_cache.py",
        '                    s3["S3Uri"] = self._content(s3["S3Uri"], ignored)\n',
        "                    pass\n",
        ("tests/local/test_step_cache.py",),
    ),
    PlantedBug(
        "step-key-without-provenance",
        "a step's input keyed by its bytes even when a job of this run wrote it",
        "legacylift/local/step_cache.py",
        "                self._produced[_prefix(uri)] = key\n",
        "                pass\n",
        ("tests/local/test_step_cache.py",),
    ),
    PlantedBug(
        "cost-ignores-instance-count",
        "a job's instance-hours counting one instance whatever its InstanceCount",
        "legacylift/report/cost.py",
        "    return seconds * count / 3600\n",
        "    return seconds / 3600\n",
        ("tests/report/test_cost.py",),
    ),
    PlantedBug(
        "redrive-window-unchecked",
        "redrive of an execution that stopped more than 14 days ago not refused",
        "legacylift/aws/redrive.py",
        "    if stopped is not None and now - timestamp(stopped) > REDRIVE_WINDOW:\n",
        "    if False:\n",
        ("tests/aws/test_redrive.py",),
    ),
    PlantedBug(
        "job-failure-caught-into-fail-state",
        "a processing job's failure caught into a Fail state (a redrive restarts the Fail state "
        "and fails again at once instead of running the job again)",
        "modules/workflow/asl_states.tf",
        '      "Comment": ${jsonencode(task.comment)},\n',
        '      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", '
        '"Next": "InvalidInput"}],\n',
        (
            "tests/workflow/test_execution_histories.py",
            "tests/workflow/test_render.py::test_a_failed_job_fails_its_own_task",
        ),
    ),
    PlantedBug(
        "schedule-bucket-placeholder",
        "`invoke schedule` printing <data bucket> for a cloud workspace whose outputs name it",
        "tasks/runs.py",
        "        return load_stack(workspace).data_bucket, None\n",
        '        return "<data bucket>", None\n',
        (
            "tests/containerise/test_schedule_settings.py"
            "::test_invoke_schedule_reads_a_cloud_workspaces_bucket",
        ),
    ),
    PlantedBug(
        "starter-without-image-deployed",
        "a [schedule] or [trigger] on a model with no built image left to Terraform, which "
        "drops it from the plan without a word",
        "legacylift/aws/stack.py",
        "    check_starters_built(workspace, models)\n",
        "    pass\n",
        (
            "tests/aws/test_operations.py"
            "::test_deploy_refuses_a_schedule_or_trigger_without_a_built_image",
        ),
    ),
    PlantedBug(
        "rate-start-ignored",
        "a rate schedule's `start` ignored: its starts counted from the listing's moment",
        "legacylift/schedule.py",
        "        if start is None:\n",
        "        if True:\n",
        ("tests/containerise/test_schedule_settings.py::test_a_rate_with_a_start_counts_from_it",),
    ),
    PlantedBug(
        "redrive-of-a-fail-state",
        "an execution that failed in a Fail state redriven (the Fail state fails again at once)",
        "legacylift/aws/redrive.py",
        '    if status == "FAILED" and ended_in.kind == "Fail":\n',
        "    if False:\n",
        ("tests/aws/test_redrive.py",),
    ),
    PlantedBug(
        "archive-traversal-leading-only",
        "an output archive entry refused only when `..` leads its name (mid-path `..` kept)",
        "legacylift/local/staging.py",
        '            if not relative or ".." in parts or member.name.startswith("/"):\n',
        '            if not relative or parts[0] == ".." or member.name.startswith("/"):\n',
        (
            "tests/local/test_link_safety.py::test_traversals_anywhere_in_an_entry_name_are_skipped",
            "tests/local/test_link_safety.py::"
            "test_the_multi_instance_save_writes_nothing_outside_its_directory",
            "tests/local/test_link_safety.py::"
            "test_the_processing_upload_puts_nothing_outside_its_prefix",
        ),
    ),
    PlantedBug(
        "choice-numbers-same-type-only",
        "Choice numeric operators comparing an int and a float as different (1 vs 1.0)",
        "legacylift/local/asl/choice.py",
        "        return _compare(value, operator, expected)\n",
        "        return type(value) is type(expected) and _compare(value, operator, expected)\n",
        ("tests/local/test_choice_numbers.py",),
    ),
    PlantedBug(
        "jsonata-task-input-is-result",
        "JSONata `$states.input` in a Task's Output and Assign reading the task's result",
        "legacylift/local/asl/jsonata_payload.py",
        "        states = _states(raw, context, result=result)\n",
        "        states = _states(result, context, result=result)\n",
        ("tests/local/test_jsonata_task_output.py",),
    ),
    PlantedBug(
        "promotion-threshold-strict",
        "the promotion threshold compared strictly (> for higher-is-better, < for lower)",
        "modules/workflow/templates/train.asl.json.tftpl",
        '"NumericGreaterThanEquals" : "NumericLessThanEquals")}: '
        "${jsonencode(promotion.threshold)}",
        '"NumericGreaterThan" : "NumericLessThan")}: ${jsonencode(promotion.threshold)}',
        (
            "tests/workflow/test_training.py::"
            "test_a_higher_is_better_threshold_is_reached_at_the_threshold",
            "tests/workflow/test_training.py::"
            "test_a_lower_is_better_threshold_is_reached_at_the_threshold",
        ),
    ),
    PlantedBug(
        "promotion-improvement-strict",
        "an improvement of exactly min_improvement refused (NumericGreaterThanPath)",
        "modules/workflow/templates/train.asl.json.tftpl",
        '"NumericGreaterThanEqualsPath" : "NumericLessThanEqualsPath")',
        '"NumericGreaterThanPath" : "NumericLessThanEqualsPath")',
        ("tests/workflow/test_training.py::test_an_improvement_of_exactly_the_minimum_promotes",),
    ),
    PlantedBug(
        "promotion-basis-copied",
        "the step runner's basis adding the improvement for higher-is-better (the training "
        "tests call the runner instead of a copy of its formula)",
        "modules/workflow/files/steprunner.py",
        '    basis = value - improvement if direction == "higher" else value + improvement\n',
        '    basis = value + improvement if direction == "higher" else value + improvement\n',
        (
            "tests/workflow/test_training.py::"
            "test_the_choice_promotes_only_past_the_bar_and_the_promoted_model",
        ),
    ),
    PlantedBug(
        "sharding-in-listing-order",
        "ShardedByS3Key assigning objects in listing order instead of sorted keys",
        "legacylift/local/cluster.py",
        "    ordered = sorted(objects, key=lambda staged: staged.relative)\n",
        "    ordered = list(objects)\n",
        ("tests/local/test_cluster.py::test_shards_follow_sorted_keys_not_listing_order",),
    ),
    PlantedBug(
        "tolerated-percentage-inclusive",
        "a Distributed Map failing at exactly its ToleratedFailurePercentage (>= for >)",
        "legacylift/local/asl/interpreter.py",
        "failures * 100 > percentage * total",
        "failures * 100 >= percentage * total",
        ("tests/local/test_tolerance_boundaries.py",),
    ),
    PlantedBug(
        "tolerated-count-inclusive",
        "a Distributed Map failing at exactly its ToleratedFailureCount (>= for >)",
        "legacylift/local/asl/interpreter.py",
        "            return failures > count and (percentage is None or count > 0)\n",
        "            return failures >= count and (percentage is None or count > 0)\n",
        ("tests/local/test_tolerance_boundaries.py",),
    ),
    PlantedBug(
        "timed-out-attempt-details-key",
        "the history model reading a TaskTimedOut attempt's details from the TaskFailed key",
        "legacylift/history.py",
        '        details = event.get(kind[:1].lower() + kind[1:] + "EventDetails", {})\n',
        '        details = event.get("taskFailedEventDetails", {})\n',
        ("tests/report/test_timed_out_attempts.py",),
    ),
    PlantedBug(
        "new-model-input-past-directory",
        "new-model --from counting a literal as an input only when it continues past /input/",
        "legacylift/new_model.py",
        '    inputs = _common([_directory(p) for p in literals if "/input" in p])\n'
        '    outputs = _common([_directory(p) for p in literals if "/input" not in p])\n',
        '    inputs = _common([_directory(p) for p in literals if "/input/" in p])\n'
        '    outputs = _common([_directory(p) for p in literals if "/input/" not in p])\n',
        ("tests/local/test_legacy_project.py::test_new_model_recognises_a_bare_input_directory",),
    ),
    PlantedBug(
        "task-result-selector-skipped",
        "a Task's ResultSelector skipped (ResultPath places the raw result)",
        "legacylift/local/asl/payload.py",
        "result_path(state, raw, result_selector(state, result, context))",
        "result_path(state, raw, result)",
        ("tests/local/test_task_conformance.py",),
    ),
    PlantedBug(
        "volume-size-bound-exclusive",
        "the execution input's largest volume (16384 GB) refused (NumericLessThan)",
        "modules/workflow/asl_states.tf",
        '{"Variable": "$.volume_size", "NumericLessThanEquals": 16384}',
        '{"Variable": "$.volume_size", "NumericLessThan": 16384}',
        (
            "tests/workflow/test_render.py::"
            "test_run_overrides_are_accepted_up_to_their_documented_bounds",
        ),
    ),
    PlantedBug(
        "choice-not-ignored",
        "a Choice rule's Not no longer negating",
        "legacylift/local/asl/choice.py",
        '        return not evaluate(rule["Not"], document, context)\n',
        '        return evaluate(rule["Not"], document, context)\n',
        ("tests/local/test_choice_rules.py",),
    ),
    PlantedBug(
        "choice-bool-is-numeric",
        "IsNumeric true for a boolean",
        "legacylift/local/asl/choice.py",
        "    return isinstance(value, int | float) and not isinstance(value, bool)\n",
        "    return isinstance(value, int | float)\n",
        ("tests/local/test_choice_rules.py",),
    ),
    PlantedBug(
        "terraform-stderr-undrained",
        "the tests' Terraform runner reading stdout only, stderr after exit (a full pipe blocks)",
        "tests/terraform/tfcopy.py",
        "    def execute_command(self, cmd: str, *cmd_args: str)",
        "    def drained_execute_command(self, cmd: str, *cmd_args: str)",
        (
            "tests/terraform/test_runner_streams.py::"
            "test_a_megabyte_error_on_stderr_is_read_in_full_without_blocking",
        ),
    ),
    PlantedBug(
        "workflow-renderer-undrained",
        "the workflow renderer built on tftest's own runner again",
        "tests/workflow/conftest.py",
        "self.tf = DrainedTerraformTest(",
        "self.tf = tftest.TerraformTest(",
        ("tests/test_suite_rules.py::test_no_process_can_block_on_a_full_pipe",),
    ),
    PlantedBug(
        "trigger-outside-input-area",
        "the plan-time refusal of a trigger prefix outside the model's input area removed",
        "starters.tf",
        "  triggers_inside = length(local.triggers_outside) == 0 ? true : tobool(\n",
        "  triggers_inside = true ? true : tobool(\n",
        (
            "tests/terraform/test_automation.py::test_plan_refuses_a_trigger_outside_the_models_input_area",
        ),
    ),
    PlantedBug(
        "schedule-date-not-ended",
        "a scheduled run's {date} taken as the start's own day, not the day that just ended",
        "legacylift/schedule.py",
        "    ended = scheduled.date() - timedelta(days=1)\n",
        "    ended = scheduled.date()\n",
        ("tests/containerise/test_schedule_settings.py",),
    ),
    PlantedBug(
        "schedule-keeps-skipped-time",
        "a local start skipped by a daylight-saving change kept as a run",
        "legacylift/schedule.py",
        "    return local if back.replace(tzinfo=None) == local.replace(tzinfo=None) else None\n",
        "    return local\n",
        ("tests/containerise/test_schedule_settings.py",),
    ),
    PlantedBug(
        "schedule-rate-on-wall-clock",
        "a rate schedule counted on the local wall clock instead of in fixed durations",
        "legacylift/schedule.py",
        "            first = after.astimezone(UTC) + parsed.period\n",
        "            first = after.astimezone(zone) + parsed.period\n",
        ("tests/containerise/test_schedule_settings.py",),
    ),
    PlantedBug(
        "changed-stacks-where-unpinned",
        "`changed --since` listing a model's stack in workspaces that do not pin it",
        "legacylift/changes.py",
        "            if model in _built(pins[workspace]):\n",
        "            if True:\n",
        (
            "tests/aws/test_changed_since.py::"
            "test_a_model_folder_change_rebuilds_it_and_plans_its_stacks_where_pinned",
        ),
    ),
    PlantedBug(
        "changed-added-model-skips-shared",
        "`changed --since` leaving out the shared stack when a model is added to the pins",
        "legacylift/stack_inputs.py",
        "        touched.add(SHARED)\n",
        "        pass\n",
        (
            "tests/aws/test_changed_since.py::"
            "test_a_pin_change_plans_that_model_and_an_added_model_the_shared_stack",
        ),
    ),
    PlantedBug(
        "changed-shared-by-names-only",
        "`changed --since` deciding the shared stack by the pinned names alone (training "
        "sections, promoted artifacts and triggers missed, unlike deploy)",
        "legacylift/stack_inputs.py",
        "    if shared_models(before) != shared_models(after):\n",
        "    if set(before) != set(after):\n",
        (
            "tests/aws/test_changed_since.py::"
            "test_changed_lists_the_shared_stack_exactly_when_deploy_would_plan_it",
        ),
    ),
    PlantedBug(
        "shared-stack-drops-training",
        "the shared stack's models without the training sections (no step runner upload)",
        "legacylift/stack_inputs.py",
        '_TRAINING_KEYS = ("train", "evaluate", "promotion")\n',
        "_TRAINING_KEYS = ()\n",
        (
            "tests/aws/test_changed_since.py::"
            "test_training_sections_added_to_a_pin_plan_the_shared_stack_too",
        ),
    ),
    PlantedBug(
        "deploy-record-without-workspace",
        "the split stacks' deploy record keyed without the workspace (one workspace's "
        "fingerprints read as another's)",
        "legacylift/aws/deploy_record.py",
        "'env:'}/{workspace}/{state_key}\"\n",
        "'env:'}/{state_key}\"\n",
        (
            "tests/aws/test_deploy_record.py::"
            "test_records_sit_beside_each_stack_state_and_are_read_back_by_a_fresh_reader",
        ),
    ),
    PlantedBug(
        "stack-never-reinitialised",
        "a stack's Terraform run not recognising Terraform's request for `init` (every stack "
        "fails once a module is added)",
        "legacylift/aws/terraform.py",
        '_NEEDS_INIT = re.compile(r"terraform init", re.IGNORECASE)\n',
        '_NEEDS_INIT = re.compile(r"never asked", re.IGNORECASE)\n',
        (
            "tests/aws/test_terraform_wrapper.py::"
            "test_apply_streamed_initialises_again_when_terraform_asks",
        ),
    ),
    PlantedBug(
        "split-outputs-fixed-list",
        "a split workspace's outputs merged from a fixed list of maps (the model's `live` "
        "alias missing, so `invoke run` refused)",
        "legacylift/aws/stacks.py",
        "            if isinstance(value, dict):\n",
        '            if key in ("state_machine_arns", "sagemaker_role_arns"):\n',
        (
            "tests/aws/test_deploy_record.py::"
            "test_a_split_workspaces_outputs_merge_every_model_map_from_the_state_objects",
        ),
    ),
    PlantedBug(
        "rollback-keeps-new-pin",
        "rollback moving the alias but leaving the tfvars on the new digest (the next deploy "
        "undoes it)",
        "legacylift/aws/versions.py",
        '    if image is not None and image != entry.get("image_uri"):\n',
        "    if False:\n",
        ("tests/aws/test_operations.py::test_rollback_moves_the_alias_and_the_pin_back",),
    ),
    PlantedBug(
        "rollback-from-newest",
        "rollback stepping back from the newest version instead of the alias's",
        "legacylift/aws/versions.py",
        "if version_number(v) < version_number(current)\n",
        "if version_number(v) < len(published_versions(sfn, unqualified(alias_arn)))\n",
        ("tests/aws/test_operations.py::test_a_second_rollback_has_no_version_left",),
    ),
    PlantedBug(
        "prod-lag-short-digest",
        "list-models comparing digests by the 12 characters it shows",
        "legacylift/model_table.py",
        '    return uri.rsplit("@", 1)[-1] if uri else None\n',
        '    return uri.rsplit("@", 1)[-1][:19] if uri else None\n',
        ("tests/containerise/test_prod_lag.py",),
    ),
    PlantedBug(
        "promote-untested",
        "promote copying a digest that never succeeded in the source workspace",
        "legacylift/promote.py",
        "    if found.execution is None and not force:\n",
        "    if False:\n",
        ("tests/aws/test_promote.py::test_promote_refuses_a_digest_that_never_succeeded",),
    ),
    PlantedBug(
        "map-over-object-refused",
        "a Map over a JSON object refused as not an array instead of iterating its pairs",
        "legacylift/local/asl/interpreter.py",
        "            items = object_pairs(io.items(state, effective, context))\n",
        "            items = io.items(state, effective, context)\n",
        ("tests/local/test_asl_conformance.py::test_behaves_as_aws",),
    ),
    PlantedBug(
        "code-folder-unlimited",
        "a script-mode code folder of any size staged and uploaded without the limit's error",
        "legacylift/containerise/code_folder.py",
        "    if total > MAX_CODE_BYTES or len(files) > MAX_CODE_FILES:\n",
        "    if False:\n",
        ("tests/containerise/test_code_folder.py",),
    ),
    PlantedBug(
        "new-model-names-only",
        "new-model --from ordering steps by script names only, not by the files they pass on",
        "legacylift/script_flow.py",
        "    if not links:\n        return None\n",
        "    if True:\n        return None\n",
        ("tests/containerise/test_new_model_flow.py",),
    ),
    PlantedBug(
        "new-model-guesses-past-unplaced",
        "new-model --from writing a model of the chain it found, leaving unplaced scripts out",
        "legacylift/new_model.py",
        "        if flow.unplaced:\n            _unplaced(origin, folder, flow, result)\n"
        "            return None\n",
        "",
        ("tests/containerise/test_new_model_flow.py",),
    ),
    PlantedBug(
        "instances-share-no-network",
        "the instances of a multi-instance job on no network (algo-N unresolvable)",
        "legacylift/local/cluster.py",
        '        network_mode=network,\n        hostname=f"algo-{host}",\n',
        '        network_mode="none",\n',
        (
            "tests/local/test_cluster.py::test_the_instances_of_one_job_reach_each_other_by_host_name_and_nothing_else",
        ),
    ),
    PlantedBug(
        "manifest-read-as-prefix",
        "a ManifestFile input staged as an S3Prefix (the manifest itself, not what it lists)",
        "legacylift/local/processing.py",
        '        manifest = s3["S3DataType"] == "ManifestFile"\n',
        "        manifest = False\n",
        ("tests/local/test_processing_runner.py::test_a_bad_manifest_fails_the_job_naming_it",),
    ),
    PlantedBug(
        "nested-inputs-refused",
        "an input inside another input refused as overlapping (AWS accepts it)",
        "legacylift/local_paths.py",
        '        if nested and "output" in (kind, other_kind):\n',
        "        if nested:\n",
        ("tests/local/test_validation.py::test_inputs_nested_in_inputs_are_accepted_as_aws_does",),
    ),
    PlantedBug(
        "script-mode-input-around-code-refused",
        "a script-mode data input holding the code path refused (the SDK's own layout)",
        "legacylift/models.py",
        "            if local_path_clash(kind, local_path, code):\n",
        "            if _overlap(local_path, CODE_PATH):\n",
        ("tests/containerise/test_models.py::test_script_mode_input_may_hold_the_code_path",),
    ),
    PlantedBug(
        "guarded-keys-deny-inverted",
        "the bucket's guardrail Deny applying to the writers alone (ArnLike for ArnNotLike)",
        "modules/s3/main.tf",
        '        test     = "ArnNotLike"\n        variable = "aws:PrincipalArn"\n',
        '        test     = "ArnLike"\n        variable = "aws:PrincipalArn"\n',
        (
            "tests/terraform/test_protected_keys.py::test_only_the_deployers_write_code_and_the_step_runner",
        ),
    ),
    PlantedBug(
        "guarded-keys-exempt-everyone",
        "the bucket's guardrail Deny exempting every principal ARN",
        "modules/s3/main.tf",
        "        values   = statement.value.writer_arns\n",
        '        values   = ["arn:*"]\n',
        (
            "tests/terraform/test_protected_keys.py::test_only_the_deployers_write_code_and_the_step_runner",
        ),
    ),
    PlantedBug(
        "promotion-writers-any-state-machine",
        "every state machine of the deployment exempted from the promotion records' Deny",
        "main.tf",
        'role/${var.name_prefix}-*-train-sfn"]',
        'role/${var.name_prefix}-*-sfn"]',
        (
            "tests/terraform/test_protected_keys.py::test_only_the_training_state_machines_write_promotions_and_sealed_artifacts",
        ),
    ),
    PlantedBug(
        "promotion-writers-cut-names-missed",
        "training state machines with a cut role name left out of the promotion writers",
        "main.tf",
        'if contains(keys(model), "train") && length("${var.name_prefix}-${name}-train") > 58]',
        'if contains(keys(model), "train") && length("${var.name_prefix}-${name}-train") > 580]',
        (
            "tests/terraform/test_protected_keys.py::test_only_the_training_state_machines_write_promotions_and_sealed_artifacts",
        ),
    ),
    PlantedBug(
        "pinned-evaluation-on-training-data",
        "a pinned model's run evaluating on its training data",
        "modules/workflow/templates/train.asl.json.tftpl",
        '"Parameters": {"evaluation_uri": ${jsonencode(evaluation_data_uri)}, "input_uri.$"',
        '"Parameters": {"evaluation_uri.$": "$.input_uri", "input_uri.$"',
        (
            "tests/workflow/test_evaluation_pin.py::test_a_pinned_run_evaluates_on_the_pinned_data_and_says_so",
        ),
    ),
    PlantedBug(
        "pinned-evaluation-caller-picks",
        "a pinned model's execution input still free to name evaluation_uri",
        "modules/workflow/templates/train.asl.json.tftpl",
        '%{ if evaluation_data_uri == null ~}\n            {"Or": [',
        '%{ if true ~}\n            {"Or": [',
        (
            "tests/workflow/test_evaluation_pin.py::test_the_caller_can_neither_pick_the_evaluation_data_nor_train_on_it",
        ),
    ),
    PlantedBug(
        "pinned-evaluation-readable-by-training",
        "the Train role's Deny of the pinned evaluation data turned Allow",
        "modules/workflow/training_policies.tf",
        '        Sid      = "EvaluationDataIsNotForTraining"\n        Effect   = "Deny"',
        '        Sid      = "EvaluationDataIsNotForTraining"\n        Effect   = "Allow"',
        (
            "tests/workflow/test_evaluation_pin.py::test_training_may_not_read_the_pinned_data_and_evaluation_reads_only_it",
        ),
    ),
    PlantedBug(
        "pinned-evaluation-anywhere",
        "an evaluation_data_uris pin outside the model's input area accepted",
        "modules/workflow/training.tf",
        "    evaluation_data = length(local.bad_evaluation_pins) == 0 ? true : tobool(",
        "    evaluation_data = true ? true : tobool(",
        (
            "tests/workflow/test_evaluation_pin.py::test_a_pin_outside_the_models_input_area_is_refused_at_plan",
        ),
    ),
    PlantedBug(
        "output-area-unchecked",
        "a restricted workflow accepting any s3:// output_uri (another run's folder included)",
        "modules/workflow/templates/model.asl.json.tftpl",
        '%{ if output_patterns == null ~}\n            {"Variable": "$.output_uri"',
        '%{ if true ~}\n            {"Variable": "$.output_uri"',
        (
            "tests/workflow/test_output_area.py::test_an_output_outside_the_models_output_area_is_refused",
        ),
    ),
    PlantedBug(
        "output-area-off-in-the-cloud",
        "the root module rendering its workflows without the output-area check",
        "main.tf",
        "  restrict_output_uri      = true",
        "  restrict_output_uri      = false",
        (
            "tests/terraform/test_protected_keys.py::"
            "test_the_cloud_workflow_refuses_an_output_outside_the_models_output_area",
        ),
    ),
    PlantedBug(
        "schedule-output-anywhere",
        "a schedule writing outside the model's output area accepted at plan",
        "modules/workflow/main.tf",
        "    schedule_outputs = length(local.misplaced_schedule_outputs) == 0 ? true : tobool(",
        "    schedule_outputs = true ? true : tobool(",
        (
            "tests/workflow/test_output_area.py::test_a_schedule_writing_outside_the_output_area_is_refused_at_plan",
        ),
    ),
    PlantedBug(
        "upward-import-models-local",
        "models.py (core) importing the local engine again: an upward edge and a cycle",
        "legacylift/models.py",
        "from legacylift.local_paths import local_path_clash\n",
        "from legacylift.local_paths import local_path_clash\n"
        "from legacylift.local.instances import instance_resources  # noqa: F401\n",
        (
            "tests/test_import_contracts.py::"
            "test_the_layers_point_down_and_no_package_has_an_import_cycle",
        ),
    ),
    PlantedBug(
        "layers-not-exhaustive",
        "the layers contract no longer exhaustive: a new top-level module escapes every layer",
        "pyproject.toml",
        "exhaustive = true\n",
        "",
        ("tests/test_import_contracts.py::test_every_top_level_module_has_a_layer",),
    ),
    PlantedBug(
        "library-imports-tasks",
        "legacylift (model_table.py) importing from the invoke tasks above it",
        "legacylift/model_table.py",
        "    from legacylift.local import promotions\n",
        "    from legacylift.local import promotions\n"
        "    from tasks.cli import JSON_HELP  # noqa: F401\n",
        (
            "tests/test_import_contracts.py"
            "::test_the_layers_point_down_and_no_package_has_an_import_cycle",
        ),
    ),
    PlantedBug(
        "local-flag-ignored",
        "`run --workspace dev --local` sent to AWS: --local ignored when choosing where a run goes",
        "tasks/placement.py",
        "    return HERE if local or workspace == LOCAL_WORKSPACE else AWS\n",
        "    return HERE if workspace == LOCAL_WORKSPACE else AWS\n",
        ("tests/test_run_options.py::test_the_workspace_decides_where_a_run_goes",),
    ),
    PlantedBug(
        "train-always-local",
        "`train --workspace dev` training on this machine, as before `run` and `train` paired up",
        "tasks/runs.py",
        "    if place == HERE:\n        options = {",
        "    if True:\n        options = {",
        ("tests/test_run_options.py::test_the_workspace_decides_where_a_run_goes",),
    ),
    PlantedBug(
        "local-redrive-to-aws",
        "`redrive RUN --workspace local --model NAME` sent to AWS, not resumed on this machine",
        "tasks/runs.py",
        "    if workspace == LOCAL_WORKSPACE:\n        _resume_locally(",
        "    if False:\n        _resume_locally(",
        ("tests/test_run_options.py::test_the_workspace_decides_where_a_run_goes",),
    ),
    PlantedBug(
        "execution-option-everywhere",
        "`--execution` taken by a run on this machine, which names itself (the name dropped)",
        "tasks/placement.py",
        '    "--execution": ({(AWS, "inference"), (AWS, "train")}, "runs on AWS"),\n',
        '    "--execution": (_EVERY, "runs on AWS"),\n',
        (
            "tests/test_run_options.py"
            "::test_an_option_that_does_not_fit_the_run_is_refused_in_one_line",
        ),
    ),
    PlantedBug(
        "cloud-run-takes-local-paths",
        "a run on AWS taking a local --input path (the old local-training spelling not refused)",
        "tasks/placement.py",
        '        if not uri.startswith("s3://"):\n',
        "        if False:\n",
        (
            "tests/test_run_options.py"
            "::test_a_local_training_spelling_of_a_deployed_workspace_is_refused_with_the_fix",
        ),
    ),
    PlantedBug(
        "docs-unknown-option",
        "the guide showing `invoke run-local --workspaces` (an option no task has)",
        "docs/guide.md",
        "invoke run-local iris --input legacy_models/iris/sample/input --output /tmp/iris-out\n",
        "invoke run-local iris --workspaces dev --input legacy_models/iris/sample/input\n",
        ("tests/test_docs_commands.py",),
    ),
    PlantedBug(
        "deprecated-name-dropped",
        "`run-definition --name` (the old spelling of --execution) silently ignored",
        "tasks/runs.py",
        '--execution {name}")\n    return name\n',
        '--execution {name}")\n    return execution\n',
        (
            "tests/test_run_options.py"
            "::test_run_definition_takes_execution_and_still_reads_the_deprecated_name",
        ),
    ),
    PlantedBug(
        "render-plan-null-outputs",
        "the render's reading of a saved plan keeping null outputs, which an apply's state omits",
        "legacylift/local/render.py",
        ' if entry.get("value") is not None\n',
        "\n",
        ("tests/local/test_render.py::test_outputs_read_from_the_plan_are_what_an_apply_writes",),
    ),
    PlantedBug(
        "saved-plan-output-changes-ignored",
        "a single-state plan counted as changing only when resources change (an output-only"
        " change left unapplied)",
        "legacylift/aws/terraform.py",
        "StreamedRun(_planned(messages), code == PLAN_CHANGES, {})",
        "StreamedRun(_planned(messages), bool(_planned(messages)), {})",
        (
            "tests/aws/test_terraform_wrapper.py::"
            "test_a_saved_plan_read_from_its_messages_then_applied_gives_the_outputs",
        ),
    ),
    PlantedBug(
        "state-machines-evaluate-role-train-policy",
        "the state_machines map giving a training entry's Evaluate role the Train role's policy",
        "modules/workflow/state_machines.tf",
        "        policy_json = local.evaluation_sagemaker_policies[name]",
        "        policy_json = local.training_sagemaker_policies[name]",
        (
            "tests/workflow/test_state_machines.py::"
            "test_one_map_holds_every_state_machine_and_the_roles_it_passes",
        ),
    ),
    PlantedBug(
        "state-machines-generic-always",
        "the state_machines map holding the generic workflow whatever enable_generic_workflow says",
        "modules/workflow/state_machines.tf",
        "generic_state_machines = var.enable_generic_workflow ? {",
        "generic_state_machines = true ? {",
        (
            "tests/workflow/test_state_machines.py::"
            "test_without_the_generic_workflow_the_map_has_no_generic_entry",
        ),
    ),
    PlantedBug(
        "address-move-evaluate-role-collides",
        "the Evaluate role's per-kind address moved to the Train role's key",
        "legacylift/aws/state_addresses.py",
        '    "evaluation_role": ("sagemaker_role", lambda model: f"{model}/evaluate"),',
        '    "evaluation_role": ("sagemaker_role", lambda model: f"{model}/train"),',
        (
            "tests/aws/test_address_moves.py::"
            "test_the_per_kind_module_calls_move_to_their_one_loop_keys",
        ),
    ),
    PlantedBug(
        "address-move-phantom",
        "a state at the one-loop addresses reported as moved (pushed again on every deploy)",
        "legacylift/aws/state_addresses.py",
        "    return (renamed, moved) if moved else (document, 0)",
        "    return (renamed, moved or 1)",
        ("tests/aws/test_address_moves.py::test_a_state_at_the_one_loop_addresses_is_left_alone",),
    ),
    PlantedBug(
        "split-state-workflow-key-suffix",
        "split-state's model pattern taking no /<workflow> after the model's name",
        "legacylift/aws/split_state.py",
        """    r'schedule|upload_trigger)\\["([^"/]+)(?:/[^"]*)?"\\]'""",
        """    r'schedule|upload_trigger)\\["([^"/]+)"\\]'""",
        (
            "tests/aws/test_address_moves.py::"
            "test_the_moved_training_workflow_splits_into_its_models_stack",
        ),
    ),
    PlantedBug(
        "worker-groups-lost",
        "the tests' xdist groups not written into pytest 9's structured node ids (every test "
        "scheduled alone by `--dist loadgroup`)",
        "tests/conftest.py",
        '    if isinstance(getattr(item, "_id", None), NodeId) and not item.nodeid',
        '    if False and isinstance(getattr(item, "_id", None), NodeId) and not item.nodeid',
        ("tests/test_worker_groups.py",),
    ),
)


def _copy_repository(destination: Path) -> Path:
    """The tracked and untracked-but-not-ignored files of the checkout, copied."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = REPO / relative
        if not source.exists() or source.is_dir():
            continue  # deleted in the working tree but not yet in the index
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    return destination


def _plant(copy: Path, bug: PlantedBug) -> None:
    path = copy / bug.path
    text = path.read_text()
    count = text.count(bug.old)
    if count != 1:
        raise SystemExit(
            f"{bug.name}: the code to mutate occurs {count} times in {bug.path}, not once: "
            "update PlantedBug.old in tests/planted_bugs.py to the current code"
        )
    path.write_text(text.replace(bug.old, bug.new))


def _pytest(copy: Path, tests: tuple[str, ...]) -> tuple[int, float, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(copy),
        "LEGACYLIFT_STATE_DIR": settings.get("LEGACYLIFT_STATE_DIR") or str(REPO / ".legacylift"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = (completed.stdout + completed.stderr).strip().splitlines()
    return completed.returncode, time.monotonic() - started, lines[-1] if lines else ""


def _check_imports_copy(copy: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(copy)}
    where = subprocess.run(
        [sys.executable, "-c", "import legacylift; print(legacylift.__file__)"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not where.startswith(str(copy)):
        raise SystemExit(f"the copy's tests would import {where}, not the copy")


def main(argv: list[str] | None = None) -> int:
    """Plant the chosen bugs (all by default); 0 when each is caught on a green baseline."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bugs", nargs="*", help="names of bugs to plant (default: all)")
    parser.add_argument("--list", action="store_true", help="list the bugs and their tests")
    args = parser.parse_args(argv)
    chosen = [b for b in BUGS if not args.bugs or b.name in args.bugs]
    unknown = set(args.bugs) - {b.name for b in BUGS}
    if unknown:
        parser.error(f"unknown bug(s) {sorted(unknown)}; see --list")
    if args.list:
        for bug in chosen:
            print(f"{bug.name}: {bug.what}\n    {bug.path}; caught by {' '.join(bug.tests)}")
        return 0
    with tempfile.TemporaryDirectory(prefix="legacylift-planted-") as scratch:
        pristine = _copy_repository(Path(scratch) / "pristine")
        _check_imports_copy(pristine)
        every_test = tuple(dict.fromkeys(t for bug in chosen for t in bug.tests))
        status, seconds, summary = _pytest(pristine, every_test)
        print(f"baseline (no bug planted): {summary} [{seconds:.0f}s]")
        if status != 0:
            print("the baseline must pass before planted bugs mean anything")
            return 1
        missed = []
        for bug in chosen:
            copy = Path(scratch) / bug.name
            shutil.copytree(pristine, copy, symlinks=True)
            _plant(copy, bug)
            status, seconds, summary = _pytest(copy, bug.tests)
            caught = status == 1  # 1: tests failed (2-5: interrupted, usage, no tests)
            print(
                f"{'CAUGHT' if caught else 'MISSED'} {bug.name}: {bug.what}\n"
                f"    {summary} [{seconds:.0f}s]"
            )
            if not caught:
                missed.append(bug.name)
            shutil.rmtree(copy)
    print(f"{len(chosen) - len(missed)} of {len(chosen)} planted bugs caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
