"""The one `state_machines` map modules/workflow outputs for the caller's single for_each:
every inference, training and generic state machine with its definition, its role's policy
and the job roles its definition passes, each the same as the module's per-kind outputs."""

from __future__ import annotations

from tests.workflow.test_training import training_vars


def test_one_map_holds_every_state_machine_and_the_roles_it_passes(workflow):
    """Planted bug: the Evaluate role of a training entry carries the Train role's policy
    (job_roles["<model>/evaluate"].policy_json = the training_sagemaker_policies entry)."""
    outputs = workflow.render(training_vars(enable_generic_workflow=True))
    machines = outputs["state_machines"]
    assert {key: machine["kind"] for key, machine in machines.items()} == {
        "iris": "inference",
        "diab": "inference",
        "plain": "inference",
        "iris/train": "training",
        "diab/train": "training",
        "(generic)": "generic",
    }
    for name, definition in outputs["definitions"].items():
        machine = machines[name]
        assert machine["model"] == name
        assert machine["definition"] == definition
        assert machine["name"] == outputs["state_machine_names"][name]
        assert machine["policy_json"] == outputs["state_machine_policies"][name]
        assert machine["job_roles"] == {
            name: {
                "name": outputs["sagemaker_role_names"][name],
                "description": "Execution role of the processing jobs of LegacyLift model "
                f"{name} (legacylift-dev)",
                "policy_json": outputs["sagemaker_policies"][name],
                "source_arns": outputs["sagemaker_role_source_arns"][name],
            }
        }
    for name, definition in outputs["training_definitions"].items():
        machine = machines[f"{name}/train"]
        assert (machine["model"], machine["definition"]) == (name, definition)
        assert machine["name"] == outputs["training_state_machine_names"][name]
        assert machine["policy_json"] == outputs["training_state_machine_policies"][name]
        roles = machine["job_roles"]
        assert sorted(roles) == [f"{name}/evaluate", f"{name}/train"]
        train, evaluate = roles[f"{name}/train"], roles[f"{name}/evaluate"]
        assert train["name"] == outputs["training_role_names"][name]
        assert train["policy_json"] == outputs["training_sagemaker_policies"][name]
        assert train["source_arns"] == outputs["training_role_source_arns"][name]
        assert evaluate["name"] == outputs["evaluation_role_names"][name]
        assert evaluate["policy_json"] == outputs["evaluation_sagemaker_policies"][name]
        assert evaluate["source_arns"] == outputs["evaluation_role_source_arns"][name]
    generic = machines["(generic)"]
    assert generic["model"] is None
    assert generic["definition"] == outputs["generic_definition"]
    assert generic["name"] == outputs["generic_state_machine_name"]
    assert generic["policy_json"] == outputs["generic_state_machine_policy"]
    assert generic["job_roles"]["(generic)"]["policy_json"] == outputs["generic_sagemaker_policy"]
    assert generic["job_roles"]["(generic)"]["source_arns"] == outputs["generic_job_arns"]
    # Every job role once across the map: one for_each creates them all.
    role_keys = [key for machine in machines.values() for key in machine["job_roles"]]
    assert len(role_keys) == len(set(role_keys)) == 3 + 2 * 2 + 1


def test_without_the_generic_workflow_the_map_has_no_generic_entry(workflow):
    """Planted bug: the generic entry is added whatever enable_generic_workflow says."""
    machines = workflow.render(training_vars())["state_machines"]
    assert "(generic)" not in machines
    assert sorted(machines) == ["diab", "diab/train", "iris", "iris/train", "plain"]
