"""No Python exception escapes the interpreter. Every field that reads a value at run time
(each `…Path` field, by a path into the input and by a workflow variable, and its JSONata
expression form) and every intrinsic function's arguments get a value of every JSON type: each
execution ends SUCCEEDED or FAILED with a `States.*` error, as on AWS. A definition's own
fields of the wrong type are refused up front with one line naming them, or run."""

from __future__ import annotations

import copy
import io
import itertools
import json

import pytest

from legacylift.local.asl import intrinsics
from legacylift.local.asl.errors import DefinitionError
from legacylift.local.asl.interpreter import Execution
from legacylift.local.datasources import DataSources
from legacylift.local.s3_tasks import S3Tasks, TaskRunners
from legacylift.local.settings import LocalSettings

ECHO = "arn:aws:states:::test:echo"
# Every JSON type, and the numbers and strings the numeric fields must tell apart.
VALUES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    1.5,
    -0.5,
    101,
    2**63,
    1e308,
    "",
    "1",
    "-1",
    "1.5",
    "1e2",
    "NaN",
    "x",
    "9" * 5000,
    float("inf"),
    "2016-03-14T01:59:00Z",
    [],
    [1, 2],
    {},
    {"a": 1},
]
ERRORS = {
    "States.Runtime",
    "States.QueryEvaluationError",
    "States.ExceedToleratedFailureThreshold",
    "States.ItemReaderFailed",
    "States.DataLimitExceeded",
    "States.NoChoiceMatched",
    "States.IntrinsicFailure",
    "States.Timeout",
    "States.ResultWriterFailed",
    "Fuzz.Error",
}


class Echo:
    """A Task resource returning its parameters."""

    def supports(self, resource):
        return resource == ECHO

    def run(self, resource, parameters, task):
        return parameters


_ITEM = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
_DISTRIBUTED = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, **_ITEM}
_READER = {
    "Resource": "arn:aws:states:::s3:getObject",
    "Parameters": {"Bucket": "data", "Key": "items.json"},
}


def _map(**fields):
    return {"Type": "Map", "End": True, "ItemsPath": "$.items", "ItemProcessor": _ITEM, **fields}


def _distributed(**fields):
    return _map(ItemProcessor=_DISTRIBUTED, **fields)


def _choice(rule):
    return {"Type": "Choice", "Default": "Done", "Choices": [{"Next": "Done", **rule}]}


def _reader(config, arguments="Parameters"):
    """A Distributed Map reading items.json (JSONata states give the bucket in Arguments)."""
    reader = {
        "Resource": _READER["Resource"],
        arguments: _READER["Parameters"],
        "ReaderConfig": {"InputType": "JSON", **config},
    }
    state = _distributed(ItemReader=reader)
    del state["ItemsPath"]
    return state


# (id, the state reading `{}` (the path) where the fuzzed value comes from)
PATH_FIELDS = [
    ("InputPath", lambda p: {"Type": "Pass", "End": True, "InputPath": p}),
    ("OutputPath", lambda p: {"Type": "Pass", "End": True, "OutputPath": p}),
    (
        "ResultPath",
        lambda p: {
            "Type": "Pass",
            "End": True,
            "Result": 1,
            "ResultPath": "$.v" if p == "$.v" else "$.r",
        },
    ),
    ("Parameters", lambda p: {"Type": "Pass", "End": True, "Parameters": {"x.$": p}}),
    (
        "ResultSelector",
        lambda p: {"Type": "Task", "Resource": ECHO, "End": True, "ResultSelector": {"x.$": p}},
    ),
    ("ItemsPath", lambda p: _map(ItemsPath=p)),
    ("SecondsPath", lambda p: {"Type": "Wait", "End": True, "SecondsPath": p}),
    ("TimestampPath", lambda p: {"Type": "Wait", "End": True, "TimestampPath": p}),
    ("ErrorPath", lambda p: {"Type": "Fail", "ErrorPath": p, "Cause": "c"}),
    ("CausePath", lambda p: {"Type": "Fail", "Error": "Fuzz.Error", "CausePath": p}),
    (
        "TimeoutSecondsPath",
        lambda p: {"Type": "Task", "Resource": ECHO, "End": True, "TimeoutSecondsPath": p},
    ),
    (
        "HeartbeatSecondsPath",
        lambda p: {"Type": "Task", "Resource": ECHO, "End": True, "HeartbeatSecondsPath": p},
    ),
    ("MaxConcurrencyPath", lambda p: _map(MaxConcurrencyPath=p)),
    ("MaxConcurrencyPath-distributed", lambda p: _distributed(MaxConcurrencyPath=p)),
    ("ToleratedFailureCountPath", lambda p: _distributed(ToleratedFailureCountPath=p)),
    ("ToleratedFailurePercentagePath", lambda p: _distributed(ToleratedFailurePercentagePath=p)),
    ("ToleratedFailureCountPath-inline", lambda p: _map(ToleratedFailureCountPath=p)),
    ("MaxItemsPath", lambda p: _reader({"MaxItemsPath": p})),
    ("MaxItemsPerBatchPath", lambda p: _distributed(ItemBatcher={"MaxItemsPerBatchPath": p})),
    (
        "MaxInputBytesPerBatchPath",
        lambda p: _distributed(ItemBatcher={"MaxInputBytesPerBatchPath": p}),
    ),
    (
        "Choice-Variable",
        lambda p: {
            "Type": "Choice",
            "Default": "Done",
            "Choices": [
                {"Variable": p, "NumericGreaterThan": 0, "Next": "Done"},
                {"Variable": p, "StringMatches": "x*", "Next": "Done"},
                {"Variable": p, "TimestampLessThan": "2020-01-01T00:00:00Z", "Next": "Done"},
                {"Variable": p, "BooleanEquals": True, "Next": "Done"},
                {"Variable": p, "IsTimestamp": True, "Next": "Done"},
            ],
        },
    ),
    *[
        (
            f"Choice-{family}{operator}Path",
            lambda p, key=f"{family}{operator}Path", left=left: _choice({"Variable": left, key: p}),
        )
        for family, left in (
            ("String", "$.s"),
            ("Numeric", "$.n"),
            ("Boolean", "$.b"),
            ("Timestamp", "$.t"),
        )
        for operator in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
        if family != "Boolean" or operator == "Equals"
    ],
]

# (id, the JSONata state whose field is the expression `{}`)
EXPRESSION_FIELDS = [
    ("Seconds", lambda e: {"Type": "Wait", "End": True, "Seconds": e}),
    ("Timestamp", lambda e: {"Type": "Wait", "End": True, "Timestamp": e}),
    ("Error", lambda e: {"Type": "Fail", "Error": e, "Cause": "c"}),
    ("Cause", lambda e: {"Type": "Fail", "Error": "Fuzz.Error", "Cause": e}),
    (
        "TimeoutSeconds",
        lambda e: {"Type": "Task", "Resource": ECHO, "End": True, "TimeoutSeconds": e},
    ),
    ("Items", lambda e: {"Type": "Map", "End": True, "Items": e, "ItemProcessor": _ITEM}),
    (
        "MaxConcurrency",
        lambda e: {
            "Type": "Map",
            "End": True,
            "Items": [1],
            "MaxConcurrency": e,
            "ItemProcessor": _ITEM,
        },
    ),
    *[
        (
            name,
            lambda e, name=name: {
                "Type": "Map",
                "End": True,
                "Items": [1],
                name: e,
                "ItemProcessor": _DISTRIBUTED,
            },
        )
        for name in ("ToleratedFailureCount", "ToleratedFailurePercentage")
    ],
    ("MaxItems", lambda e: _reader({"MaxItems": e}, "Arguments")),
    (
        "Condition",
        lambda e: {
            "Type": "Choice",
            "Default": "Done",
            "Choices": [{"Condition": e, "Next": "Done"}],
        },
    ),
    ("Output", lambda e: {"Type": "Pass", "End": True, "Output": {"o": e}}),
]


@pytest.fixture(scope="module")
def tasks(tmp_path_factory):
    """Echo Tasks and the S3 item reader over a local object store holding items.json."""
    settings = LocalSettings.under(tmp_path_factory.mktemp("fuzz") / "local")
    store = DataSources(settings)
    store.put("s3://data/items.json", io.BytesIO(json.dumps([1, 2, 3]).encode()))
    return TaskRunners(Echo(), S3Tasks(store))


def _machine(state, language="JSONPath"):
    """`state` as S after a Pass state that assigns the fuzzed input `v` to the variable `v`."""
    return {
        "QueryLanguage": language,
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Pass",
                "Next": "S",
                "Assign": {"v": "{% $states.input.v %}"}
                if language == "JSONata"
                else {"v.$": "$.v"},
            },
            "S": state,
            "Done": {"Type": "Succeed"},
        },
    }


def _outcome(definition, value, tasks):
    execution_input = {
        "v": value,
        "items": [1, 2],
        "s": "x",
        "n": 1,
        "b": True,
        "t": "2016-03-14T01:59:00Z",
    }
    try:
        result = Execution(definition, execution_input, task_runner=tasks, time_scale=0.001).run()
    except Exception as exc:
        pytest.fail(f"{type(exc).__name__} escaped the interpreter: {exc}")
    assert result.status in ("SUCCEEDED", "FAILED"), result
    if result.status == "FAILED":
        # A Fail state's ErrorPath names the error: a string value is the error itself.
        assert result.error in ERRORS or result.error == value, (result.error, result.cause)
    return result


@pytest.mark.parametrize(("field", "build"), PATH_FIELDS, ids=[f[0] for f in PATH_FIELDS])
def test_path_fields_never_crash(field, build, tasks):
    """Each `…Path` field reading each value, from the input (`$.v`) and from a variable
    (`$v`). Planted: ToleratedFailurePercentagePath's value compared as given (a numeric
    string "1" reached `failures * 100 > percentage * total`): TypeError, red; an ItemBatcher
    limit compared as given (`"1" <= 0`): TypeError, red; a numeric string of any length
    given to int() (5000 digits: ValueError), red."""
    for source in ("$.v", "$v"):
        definition = _machine(build(source))
        for value in VALUES:
            _outcome(definition, value, tasks)


@pytest.mark.parametrize(
    ("field", "build"), EXPRESSION_FIELDS, ids=[f[0] for f in EXPRESSION_FIELDS]
)
def test_jsonata_fields_never_crash(field, build, tasks):
    """The same values given by a JSONata expression reading the variable."""
    definition = _machine(build("{% $v %}"), "JSONata")
    for value in VALUES:
        _outcome(definition, value, tasks)


def test_numeric_strings_are_numbers_where_aws_reads_numbers(tasks):
    """AWS reads "1" as 1 in MaxConcurrencyPath and the tolerated failure paths, from the
    input or a variable; a string that is no number fails with States.Runtime."""
    for build in (
        lambda p: _map(MaxConcurrencyPath=p),
        lambda p: _distributed(ToleratedFailureCountPath=p),
        lambda p: _distributed(ToleratedFailurePercentagePath=p),
    ):
        for source in ("$.v", "$v"):
            assert _outcome(_machine(build(source)), "1", tasks).status == "SUCCEEDED"
            failed = _outcome(_machine(build(source)), "one", tasks)
            assert failed.error == "States.Runtime" and '"one"' in failed.cause


@pytest.mark.parametrize("function", sorted(intrinsics.FUNCTIONS))
def test_intrinsic_functions_never_crash(function):
    """Each intrinsic function with one, two and three arguments of every kind (three: a
    sample). Planted, each red before its fix: StringToJson of a 5000-digit number (ValueError
    from int()), ArrayRange to 1e308 (OverflowError building the list), MathRandom with its
    start above its end (ValueError from randint), and a number json reads as infinity (1e999)
    in ArrayGetItem, ArrayPartition, MathAdd (OverflowError from int() and floor())."""
    for arity in (1, 2, 3):
        arguments = ", ".join(f"$.a{index}" for index in range(arity))
        definition = {
            "StartAt": "S",
            "States": {
                "S": {
                    "Type": "Pass",
                    "End": True,
                    "Parameters": {"r.$": f"{function}({arguments})"},
                }
            },
        }
        combinations = itertools.product(VALUES, repeat=arity)
        if arity == 3:
            combinations = itertools.islice(combinations, 0, None, 41)
        for combination in combinations:
            execution_input = {f"a{index}": value for index, value in enumerate(combination)}
            try:
                result = Execution(definition, execution_input).run()
            except Exception as exc:
                pytest.fail(f"{function}{combination}: {type(exc).__name__} escaped: {exc}")
            assert result.status == "SUCCEEDED" or result.error in ERRORS, result


_RETRIED = {
    "TimeoutSeconds": 100,
    "StartAt": "P",
    "States": {
        "P": {
            "Type": "Parallel",
            "Next": "D",
            "Branches": [{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E"}}}],
            "Retry": [
                {
                    "ErrorEquals": ["E"],
                    "IntervalSeconds": 0,
                    "MaxAttempts": 1,
                    "BackoffRate": 1.0,
                    "MaxDelaySeconds": 1,
                    "JitterStrategy": "NONE",
                }
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "D", "ResultPath": "$.err"}],
        },
        "D": {"Type": "Succeed"},
    },
}
# (where in _RETRIED, its fields): each is given every value, and is removed.
_DEFINITION_FIELDS = [
    (lambda d: d, ("TimeoutSeconds", "StartAt", "States", "QueryLanguage")),
    (
        lambda d: d["States"]["P"],
        (
            "Type",
            "Next",
            "End",
            "Retry",
            "Catch",
            "Branches",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Comment",
            "QueryLanguage",
            "Assign",
        ),
    ),
    (
        lambda d: d["States"]["P"]["Retry"][0],
        (
            "ErrorEquals",
            "IntervalSeconds",
            "MaxAttempts",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy",
        ),
    ),
    (lambda d: d["States"]["P"]["Catch"][0], ("ErrorEquals", "Next", "ResultPath")),
    (lambda d: d["States"]["P"]["Branches"][0], ("StartAt", "States")),
]


_CHOICE = {
    "StartAt": "C",
    "States": {
        "C": {
            "Type": "Choice",
            "Default": "D",
            "Choices": [
                {"Variable": "$.x", "NumericEquals": 1, "Next": "D"},
                {"And": [{"Variable": "$.x", "StringMatches": "a*"}], "Next": "D"},
                {
                    "Not": {"Variable": "$.x", "TimestampEquals": "2016-03-14T01:59:00Z"},
                    "Next": "D",
                },
            ],
        },
        "D": {"Type": "Succeed"},
    },
}
# (a Choice rule of _CHOICE, its fields)
_RULE_FIELDS = [
    (
        lambda d: d["States"]["C"]["Choices"][0],
        ("Variable", "NumericEquals", "Next", "StringEqualsPath", "BooleanEquals", "IsNull"),
    ),
    (lambda d: d["States"]["C"]["Choices"][1], ("And",)),
    (lambda d: d["States"]["C"]["Choices"][1]["And"][0], ("StringMatches",)),
    (lambda d: d["States"]["C"]["Choices"][2], ("Not",)),
]


_READ_AND_WRITE = {
    "StartAt": "M",
    "States": {
        "M": {
            "Type": "Map",
            "Next": "W",
            "ItemReader": {
                **_reader({})["ItemReader"],
                "ReaderConfig": {
                    "InputType": "JSON",
                    "MaxItems": 2,
                    "CSVDelimiter": "COMMA",
                    "CSVHeaderLocation": "GIVEN",
                    "CSVHeaders": ["a"],
                },
            },
            "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"a": 1}},
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "data", "Prefix": "out"},
            },
            "ItemProcessor": _DISTRIBUTED,
        },
        "W": {"Type": "Wait", "Seconds": 0, "End": True},
    },
}
_MAP_FIELDS = [
    (
        lambda d: d["States"]["M"],
        ("ItemReader", "ItemBatcher", "ResultWriter", "ItemProcessor", "Label"),
    ),
    (lambda d: d["States"]["M"]["ItemReader"], ("ReaderConfig", "Parameters")),
    (
        lambda d: d["States"]["M"]["ItemReader"]["ReaderConfig"],
        ("CSVDelimiter", "CSVHeaders", "CSVHeaderLocation"),
    ),
    (lambda d: d["States"]["M"]["ResultWriter"], ("Parameters",)),
    (lambda d: d["States"]["M"]["ItemProcessor"], ("ProcessorConfig",)),
    (lambda d: d["States"]["W"], ("Seconds",)),
]


@pytest.mark.parametrize(
    ("base", "fields"),
    [(_RETRIED, _DEFINITION_FIELDS), (_CHOICE, _RULE_FIELDS), (_READ_AND_WRITE, _MAP_FIELDS)],
    ids=["retry", "choice", "map"],
)
def test_malformed_definitions_are_refused_not_crashed(base, fields, tasks):
    """A definition field of the wrong type (or a required one missing) is refused up front
    with a DefinitionError naming it, as AWS's validator refuses it, or runs: never a Python
    error. Planted: the schema check removed, red (MaxAttempts null: TypeError; Catch without
    ErrorEquals: KeyError; a list as Type: TypeError); the Choice rule check removed, red (a
    number as StringMatches: TypeError; null as Not: AttributeError); a Map's ItemBatcher or
    ReaderConfig not an object, a CSVDelimiter not AWS's, a ResultWriter without a Bucket, a
    Wait without Seconds or Timestamp, each red before its check."""
    ran = refused = 0
    for place, names in fields:
        for field in names:
            for value in [*VALUES, "remove"]:
                definition = copy.deepcopy(base)
                if value == "remove":
                    place(definition).pop(field, None)
                else:
                    place(definition)[field] = value
                try:
                    result = Execution(definition, {}, task_runner=tasks, time_scale=0.001).run()
                except DefinitionError as exc:
                    assert str(exc).count("\n") == 0, exc
                    refused += 1
                    continue
                except Exception as exc:
                    pytest.fail(f"{field}={value!r}: {type(exc).__name__} escaped: {exc}")
                assert result.status in ("SUCCEEDED", "FAILED", "TIMED_OUT"), result
                ran += 1
    assert ran and refused  # both outcomes occur: the check is neither everything nor nothing
