"""legacylift.aws.state_addresses on the recorded skeleton of a real per-kind single state
(tests/aws/fixtures/per_kind_state.json: the root module of the per-kind layout applied into
moto with a training model `iris`, a plain model `churn` and the generic workflow, attributes
left out; tests/aws/test_state_addresses.py records and checks it), and the split of the moved
state into stacks (legacylift.aws.split_state.partition)."""

from __future__ import annotations

import json
from pathlib import Path

from legacylift.aws.split_state import partition
from legacylift.aws.state_addresses import rename_addresses

PER_KIND_STATE = Path(__file__).parent / "fixtures" / "per_kind_state.json"
ROOT = "module.legacylift.module."


def _modules(document: dict) -> set[str]:
    return {resource["module"] for resource in document["resources"] if "module" in resource}


def test_the_per_kind_module_calls_move_to_their_one_loop_keys():
    """Planted bug: the Evaluate role's per-kind address is moved to the Train role's key
    (sagemaker_role["<model>/train"]), so the two roles collide and the Evaluate role is
    destroyed and created again."""
    document = json.loads(PER_KIND_STATE.read_text())
    renamed, moved = rename_addresses(document)
    before, after = _modules(document), _modules(renamed)
    moves = {
        "generic_state_machine[0]": 'state_machine["(generic)"]',
        "generic_sagemaker_role[0]": 'sagemaker_role["(generic)"]',
        'training_state_machine["iris"]': 'state_machine["iris/train"]',
        'training_role["iris"]': 'sagemaker_role["iris/train"]',
        'evaluation_role["iris"]': 'sagemaker_role["iris/evaluate"]',
    }
    assert {ROOT + old for old in moves} <= before
    assert after == (before - {ROOT + old for old in moves}) | {
        ROOT + new for new in moves.values()
    }
    assert moved == sum(
        1 for resource in document["resources"] if resource.get("module", "")[len(ROOT) :] in moves
    )
    # The dependencies follow: none names a per-kind module call any more.
    dependencies = {
        dependency
        for resource in renamed["resources"]
        for instance in resource["instances"]
        for dependency in instance.get("dependencies", [])
    }
    calls = ("generic_state_machine", "training_state_machine", "generic_sagemaker_role")
    assert not [d for d in dependencies if any(f"module.{call}" in d for call in calls)]
    assert not [
        d for d in dependencies if "module.training_role" in d or "module.evaluation_role" in d
    ]
    # Moved, the addresses of the inference workflows are unchanged and nothing is lost.
    assert sum(len(r["instances"]) for r in renamed["resources"]) == sum(
        len(r["instances"]) for r in document["resources"]
    )


def test_a_state_at_the_one_loop_addresses_is_left_alone():
    """Planted bug: rename_addresses reports a move when nothing moved (every deploy would
    then push the state again, with a new serial and a backup)."""
    renamed, _ = rename_addresses(json.loads(PER_KIND_STATE.read_text()))
    again, moved = rename_addresses(renamed)
    assert moved == 0 and again is renamed


def test_the_moved_training_workflow_splits_into_its_models_stack():
    """Planted bug: split-state's model pattern takes no "/<workflow>" after the model's name
    (the training state machine and its job roles would stay in the shared stack)."""
    renamed, _ = rename_addresses(json.loads(PER_KIND_STATE.read_text()))
    parts = {name: _modules({"resources": part}) for name, part in partition(renamed).items()}
    assert {
        ROOT + 'state_machine["iris/train"]',
        ROOT + 'sagemaker_role["iris/train"]',
        ROOT + 'sagemaker_role["iris/evaluate"]',
        ROOT + 'state_machine["iris"]',
    } <= parts["iris"]
    assert ROOT + 'state_machine["churn"]' in parts["churn"]
    assert ROOT + 'state_machine["(generic)"]' in parts["shared"]
    assert ROOT + 'sagemaker_role["(generic)"]' in parts["shared"]
    # Of a model, the shared stack keeps its repository alone.
    assert not [
        module
        for module in parts["shared"]
        if ('["iris' in module or '["churn' in module) and ".module.ecr[" not in module
    ]
