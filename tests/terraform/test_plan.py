"""tftest plans of the root module and each example (real provider, moto answering the few
read calls a plan makes), and the plan-time refusals: bad models, unpinned images, EXPRESS,
invalid or oversized definitions, and an ASL definition the validator rejects."""

from __future__ import annotations

import json
import shutil

import pytest
import tftest

from legacylift.paths import REPO_ROOT
from tests.terraform.tfcopy import (
    copy_terraform_tree,
    image_uri,
    moto_provider_block,
    planned_resources,
    tftest_runner,
    write_json,
)

pytestmark = pytest.mark.aws_provider


@pytest.fixture(scope="module")
def tree(tmp_path_factory, moto_aws):
    """A tree copy whose root module, examples and state-machine module talk to moto."""
    tree = copy_terraform_tree(tmp_path_factory.mktemp("plan"))
    provider = moto_provider_block(moto_aws.endpoint)
    (tree / "provider.tf").write_text(provider)
    for example in ("complete", "single-model"):
        (tree / "examples" / example / "moto_override.tf").write_text(provider)
    return tree


@pytest.fixture(scope="module")
def root(tree):
    return tftest_runner(tree)


@pytest.fixture(scope="module")
def state_machine_dir(tmp_path_factory, moto_aws):
    """A copy of modules/state-machine alone, configured for moto, planned as a root module."""
    directory = tmp_path_factory.mktemp("state-machine")
    shutil.copytree(REPO_ROOT / "modules" / "state-machine", directory, dirs_exist_ok=True)
    (directory / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    return directory


@pytest.fixture(scope="module")
def state_machine_module(state_machine_dir):
    return tftest_runner(state_machine_dir)


def _root_vars(tree, name: str, models: dict, **extra) -> str:
    """Write the root module's variables to `name` in the copy; return the file name."""
    variables = {"name_prefix": "plan", "models_dir": str(tree / "legacy_models"), **extra}
    write_json(tree / name, {**variables, "models": models})
    return name


def _plan_root(root, tree, models: dict, **extra):
    return root.plan(output=True, tf_var_file=_root_vars(tree, "plan.json", models, **extra))


def _plan_error(runner, tf_var_file: str) -> str:
    """The plan's error output, whitespace-normalised (Terraform wraps its messages)."""
    with pytest.raises(tftest.TerraformTestError) as failure:
        runner.plan(output=True, tf_var_file=tf_var_file)
    return " ".join(" ".join(str(arg) for arg in failure.value.args).split())


@pytest.mark.terraform_matrix
def test_root_plan(root, tree):
    """State machines for built models only, scripts only for script-mode steps, the generic
    workflow when enabled, a tag-pinned image when explicitly allowed."""
    plan = _plan_root(
        root,
        tree,
        {
            "iris": {"image_uri": image_uri("iris")},
            "churn": {"image_uri": None},
            "scorer": {"image_uri": image_uri("scorer", "c"), "steps": ["inference"]},
            "tagged": {
                "image_uri": "registry.example/legacylift/tagged:v1",
                "steps": ["inference"],
            },
        },
        enable_generic_workflow=True,
        allow_mutable_image_tags=True,
    )
    resources = planned_resources(plan)
    machines = {a for a in resources if a.endswith("aws_sfn_state_machine.this")}
    assert machines == {
        'module.state_machine["iris"].aws_sfn_state_machine.this',
        'module.state_machine["scorer"].aws_sfn_state_machine.this',
        'module.state_machine["tagged"].aws_sfn_state_machine.this',
        'module.state_machine["(generic)"].aws_sfn_state_machine.this',
    }
    repositories = {a for a in resources if a.endswith("aws_ecr_repository.this")}
    assert len(repositories) == 4
    scripts = {a for a in resources if a.startswith("aws_s3_object.code")}
    # scorer and tagged run only inference (in their own image): no code to upload; iris has no
    # code_files list, so its scripts alone.
    assert scripts == {
        'aws_s3_object.code["iris/preprocessing.py"]',
        'aws_s3_object.code["iris/postprocessing.py"]',
    }
    iris = resources['module.state_machine["iris"].aws_sfn_state_machine.this']["values"]
    assert json.loads(iris["definition"])["States"], "the definition is rendered at plan time"
    generic = resources['module.state_machine["(generic)"].aws_sfn_state_machine.this']["values"]
    assert generic["name"] == "plan--generic"
    assert generic["type"] == "STANDARD"
    # One execution role per built model and one for the generic workflow, each trusted only
    # by SageMaker acting for this account's jobs of that model.
    roles = {a for a in resources if a.endswith("aws_iam_role.this") and "sagemaker_role" in a}
    assert roles == {
        'module.sagemaker_role["iris"].aws_iam_role.this',
        'module.sagemaker_role["scorer"].aws_iam_role.this',
        'module.sagemaker_role["tagged"].aws_iam_role.this',
        'module.sagemaker_role["(generic)"].aws_iam_role.this',
    }
    iris_role = resources['module.sagemaker_role["iris"].aws_iam_role.this']["values"]
    assert iris_role["name"] == "plan-iris-sagemaker"
    (trust,) = json.loads(iris_role["assume_role_policy"])["Statement"]
    assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
    sources = trust["Condition"]["ArnLike"]["aws:SourceArn"]
    assert sorted(sources) == sorted(
        f"arn:aws:sagemaker:us-east-1:123456789012:processing-job/plan-iris-{step}-????????????"
        for step in ("pre", "inf", "pos")
    )


def test_empty_repository_prefix_is_refused(root, tree):
    """An empty prefix would widen the pull grant to every repository of the account."""
    message = _plan_error(root, _root_vars(tree, "prefix.json", {}, ecr_repository_prefix=""))
    assert "ecr_repository_prefix must be lowercase repository path segments" in message
    assert "It may not be empty" in message


def test_noncurrent_versions_kept_less_than_a_year_are_refused(root, tree):
    """Each promotion overwrites <model>/models/promoted.json: its noncurrent versions are the
    promotion history, kept at least a year.

    Planted bug: the validation's bound lowered to 1 day: red."""
    variables = _root_vars(tree, "retention.json", {}, noncurrent_version_expiration_days=90)
    message = _plan_error(root, variables)
    assert "noncurrent_version_expiration_days must be a whole number of at least 365" in message


@pytest.mark.terraform_matrix
def test_bad_models_are_refused_with_the_fix(root, tree):
    models = {
        "Bad_Name": {"image_uri": None},
        "small": {"image_uri": None, "defaults": {"instance_type": "m5.large"}},
        "big": {"image_uri": None, "inference": {"volume_size": 20000}},
        "slow": {"image_uri": None, "postprocessing": {"max_runtime": 777601}},
        "odd": {"image_uri": None, "steps": ["training"]},
    }
    message = " ".join(_plan_error(root, _root_vars(tree, "bad.json", models)).split())
    # The root passes models through: modules/workflow, the rules' owner, refuses them.
    assert "Every model name must be lowercase letters" in message
    assert "must be a SageMaker Processing instance type" in message
    assert "whole number of GB from 1 to 16384" in message
    assert "whole number of seconds from 1 to 777600" in message
    assert "in that order" in message


def test_unpinned_image_is_refused_by_default(root, tree):
    tagged = {"iris": {"image_uri": "registry.example/legacylift/iris:latest"}}
    message = _plan_error(root, _root_vars(tree, "tagged.json", tagged))
    assert "iris is not pinned by digest" in message
    assert "allow_mutable_image_tags = true" in message


PASS_DEFINITION = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket"}]}


def _state_machine_vars(directory, name: str, **values) -> str:
    variables = {
        "name": "plan-check",
        "definition": json.dumps(PASS_DEFINITION),
        "policy_json": json.dumps(POLICY),
        **values,
    }
    write_json(directory / name, variables)
    return name


def test_state_machine_module_plans_standard(state_machine_module, state_machine_dir):
    plan = state_machine_module.plan(
        output=True, tf_var_file=_state_machine_vars(state_machine_dir, "ok.json")
    )
    resources = planned_resources(plan)
    machine = resources["aws_sfn_state_machine.this"]["values"]
    assert machine["type"] == "STANDARD"
    assert machine["tracing_configuration"][0]["enabled"] is True
    # Used on its own (no source_account_id), the trust policy still carries both conditions.
    role = resources["aws_iam_role.this"]["values"]
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:plan-check"
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": [arn, arn + ":*"]},
    }


def test_sagemaker_role_module_alone_still_trusts_only_its_account_jobs(tmp_path, moto_aws):
    """Used on its own, without source_account_id or source_arns, the execution role's trust
    policy still carries aws:SourceAccount and aws:SourceArn (the caller's account's jobs)."""
    shutil.copytree(REPO_ROOT / "modules" / "sagemaker-role", tmp_path, dirs_exist_ok=True)
    (tmp_path / "provider.tf").write_text(moto_provider_block(moto_aws.endpoint))
    write_json(tmp_path / "role.json", {"name": "plan-role", "policy_json": json.dumps(POLICY)})
    plan = tftest_runner(tmp_path).plan(output=True, tf_var_file="role.json")
    role = planned_resources(plan)["aws_iam_role.this"]["values"]
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:sagemaker:us-east-1:123456789012:processing-job/*"},
    }


def test_express_invalid_json_and_oversized_definitions_are_refused(
    state_machine_module, state_machine_dir
):
    """Each validation reports on its own, so one plan shows all three refusals."""
    files = _state_machine_vars(
        state_machine_dir, "refused.json", type="EXPRESS", definition="{" + "x" * 1048576
    )
    message = _plan_error(state_machine_module, files)
    assert 'The type must be "STANDARD"' in message and "5 minutes" in message
    assert "rendered invalid JSON" in message
    assert "1 MB limit" in message


def test_invalid_asl_fails_the_plan_through_the_validator(state_machine_module, state_machine_dir):
    """The provider validates definitions at plan time (ValidateStateMachineDefinition), which
    the test server answers with moto's ASL parser: an unknown state type fails the plan."""
    bogus = {"StartAt": "A", "States": {"A": {"Type": "Bogus", "End": True}}}
    files = _state_machine_vars(state_machine_dir, "bogus.json", definition=json.dumps(bogus))
    message = _plan_error(state_machine_module, files)
    # The validator's diagnostic, not merely the definition echoed back in another error.
    assert "SCHEMA_VALIDATION_FAILED" in message and "mismatched input" in message


@pytest.mark.terraform_matrix
def test_complete_example_plans(tree, moto_aws):
    runner = tftest_runner(tree / "examples" / "complete")
    resources = planned_resources(runner.plan(output=True))
    names = {r["values"]["name"] for a, r in resources.items() if a.endswith("state_machine.this")}
    assert names == {"legacylift-complete-iris", "legacylift-complete--generic"}
    assert "aws_kms_key.this" in resources
    log_group = resources[
        'module.legacylift.module.state_machine["iris"].aws_cloudwatch_log_group.this'
    ]
    assert log_group["values"]["retention_in_days"] == 731


@pytest.mark.terraform_matrix
def test_single_model_example_plans_a_single_step_workflow(tree, moto_aws):
    runner = tftest_runner(tree / "examples" / "single-model")
    resources = planned_resources(runner.plan(output=True))
    machine = resources[
        'module.legacylift.module.state_machine["scorer"].aws_sfn_state_machine.this'
    ]
    definition = json.loads(machine["values"]["definition"])
    tasks = [state for state in definition["States"].values() if state["Type"] == "Task"]
    assert len(tasks) == 1
    assert not [a for a in resources if "aws_s3_object" in a]


def test_a_fan_out_model_plans_its_distributed_map_and_uploads_its_combine_script(root, tree):
    (tree / "legacy_models" / "iris" / "combine.py").write_text("print('combine')\n")
    fan_out = {"split": "object", "tolerated_failures": 2, "combine": {"script": "combine.py"}}
    plan = _plan_root(root, tree, {"iris": {"image_uri": image_uri("iris"), "fan_out": fan_out}})
    resources = planned_resources(plan)
    scripts = {a for a in resources if a.startswith("aws_s3_object.code")}
    assert 'aws_s3_object.code["iris/combine.py"]' in scripts
    machine = resources['module.state_machine["iris"].aws_sfn_state_machine.this']["values"]
    states = json.loads(machine["definition"])["States"]
    assert states["RunBatches"]["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    combine = states["Combine"]["Parameters"]["ProcessingInputs"][1]["S3Input"]["S3Uri"]
    assert combine.startswith("s3://plan-data-") and "/iris/code/" in combine


def test_a_fan_out_of_object_groups_plans_its_batcher_manifest_input_and_grant(root, tree):
    """objects_per_batch through the root module (moto validating the definition at plan):
    the Map batches the objects, the first step reads a ManifestFile, and the state machine
    role may write the manifests."""
    fan_out = {"split": "object", "objects_per_batch": 4}
    plan = _plan_root(root, tree, {"iris": {"image_uri": image_uri("iris"), "fan_out": fan_out}})
    resources = planned_resources(plan)
    machine = resources['module.state_machine["iris"].aws_sfn_state_machine.this']["values"]
    batches = json.loads(machine["definition"])["States"]["RunBatches"]
    assert batches["ItemBatcher"]["MaxItemsPerBatch"] == 4
    first = batches["ItemProcessor"]["States"]["Preprocessing"]["Parameters"]
    assert first["ProcessingInputs"][0]["S3Input"]["S3DataType"] == "ManifestFile"
    policies = [
        json.loads(r["values"]["policy"])
        for address, r in resources.items()
        if address.startswith('module.state_machine["iris"]')
        and "policy" in r["values"]
        and isinstance(r["values"]["policy"], str)
    ]
    grants = [s for p in policies for s in p["Statement"] if s.get("Sid") == "WriteBatchManifests"]
    assert len(grants) == 1 and grants[0]["Resource"][0].endswith("/iris/runs/*/manifests/*")


def test_declared_scripts_are_uploaded_at_their_own_paths(root, tree):
    """model.toml's `script` of a script-mode step: the object uploaded is that file, under its
    path relative to the model folder, which the rendered ContainerEntrypoint runs."""
    folder = tree / "legacy_models" / "declared"
    (folder / "src").mkdir(parents=True, exist_ok=True)
    (folder / "src" / "prep.py").write_text("print('prep')\n")
    (folder / "post.py").write_text("print('post')\n")
    plan = _plan_root(
        root,
        tree,
        {
            "declared": {
                "image_uri": image_uri("declared"),
                "preprocessing": {"script": "src/prep.py", "input_path": "/opt/ml/processing/raw"},
                "postprocessing": {"script": "post.py"},
            }
        },
    )
    resources = planned_resources(plan)
    keys = {
        file: resources[f'aws_s3_object.code["declared/{file}"]']["values"]["key"]
        for file in ("src/prep.py", "post.py")
    }
    assert keys["src/prep.py"].endswith("/src/prep.py")
    assert keys["post.py"].endswith("/post.py")
    machine = resources['module.state_machine["declared"].aws_sfn_state_machine.this']
    states = json.loads(machine["values"]["definition"])["States"]
    app = states["Preprocessing"]["Parameters"]["AppSpecification"]
    assert app["ContainerEntrypoint"] == ["python3", "/opt/ml/processing/input/code/src/prep.py"]


def test_the_root_module_uploads_exactly_what_run_local_stages(root, tree, monkeypatch):
    """One list (`code_files`) for both: the build's tfvars entry planned by the root module
    gives the very object keys (content-hashed folder included) that run-local's `upload_code`
    puts; the sibling JSON a script reads through __file__ is there, `sample/`, `legacy/`,
    `.dockerignore`d files and model.toml are not. Planted once: main.tf ignoring
    `code_files` (the scripts alone, as before) turned this red."""
    from legacylift.containerise.code_folder import code_settings
    from legacylift.local.run_code import upload_code
    from legacylift.models import load_model

    folder = tree / "legacy_models" / "habits"
    for relative, text in {
        "prep.py": "print('prep')\n",
        "features.json": '{"columns": ["a"]}\n',
        "lib/helpers.py": "X = 1\n",
        "requirements.txt": "",
        "model.toml": 'steps = ["preprocessing"]\n[preprocessing]\nscript = "prep.py"\n',
        ".dockerignore": "*.parquet\n",
        "big.parquet": "not code\n",
        "sample/expected/out.csv": "1\n",
        "legacy/old.py": "print('old')\n",
    }.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)
    monkeypatch.setenv("LEGACYLIFT_MODELS_DIR", str(tree / "legacy_models"))
    model = load_model("habits")
    entry = {"image_uri": image_uri("habits"), **model.tfvars_settings(), **code_settings(model)}
    resources = planned_resources(_plan_root(root, tree, {"habits": entry}))
    planned = sorted(
        resource["values"]["key"]
        for address, resource in resources.items()
        if address.startswith("aws_s3_object.code")
    )

    class Recorder:
        keys: list[str] = []

        def put(self, uri, _source):
            self.keys.append(uri.split("/", 3)[3])

    upload_code(Recorder(), model, "bucket")
    assert planned == sorted(Recorder.keys)
    files = {key.split("/", 3)[3] for key in planned}
    assert files == {"prep.py", "features.json", "lib/helpers.py", "requirements.txt"}
