"""Pure-state ASL definitions run by both our interpreter and moto's (the conformance oracle).

Each case: (id, definition, input). Definitions use only Pass, Choice, Wait, Succeed, Fail,
Parallel and Map, so either interpreter can run them without any service.
"""

from __future__ import annotations


def _pass(**fields):
    return {"Type": "Pass", "End": True, **fields}


def _one(state, start="S"):
    return {"StartAt": start, "States": {start: state}}


def _choice(rule, data):
    return (
        {
            "StartAt": "C",
            "States": {
                "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
                "Yes": _pass(Result={"branch": "yes"}),
                "No": _pass(Result={"branch": "no"}),
            },
        },
        data,
    )


_ITEM = {"StartAt": "P", "States": {"P": _pass()}}

CASES = [
    # --- paths ---
    ("pass-identity", _one(_pass()), {"a": 1}),
    ("pass-result", _one(_pass(Result={"x": [1, 2]})), {"a": 1}),
    ("inputpath", _one(_pass(InputPath="$.a.b")), {"a": {"b": {"c": 3}}}),
    ("inputpath-index", _one(_pass(InputPath="$.list[1]")), {"list": [{"v": 1}, {"v": 2}]}),
    ("inputpath-null", _one(_pass(InputPath=None)), {"a": 1}),
    ("resultpath-nested", _one(_pass(Result="r", ResultPath="$.x.y")), {"a": 1}),
    ("resultpath-null", _one(_pass(Result="r", ResultPath=None)), {"a": 1}),
    ("resultpath-replace-field", _one(_pass(Result=5, ResultPath="$.a")), {"a": 1, "b": 2}),
    ("outputpath", _one(_pass(Result={"k": {"v": 1}}, OutputPath="$.k")), {}),
    ("outputpath-null", _one(_pass(OutputPath=None)), {"a": 1}),
    ("inputpath-missing", _one(_pass(InputPath="$.nope")), {"a": 1}),
    (
        "wildcard-path",
        _one(_pass(Parameters={"names.$": "$.people[*].name"})),
        {"people": [{"name": "a"}, {"name": "b"}]},
    ),
    (
        "filter-path",
        _one(_pass(Parameters={"big.$": "$.items[?(@.n > 1)]"})),
        {"items": [{"n": 1}, {"n": 2}, {"n": 3}]},
    ),
    ("slice-path", _one(_pass(Parameters={"s.$": "$.l[1:3]"})), {"l": [0, 1, 2, 3]}),
    ("bracket-name", _one(_pass(Parameters={"v.$": "$['odd key']"})), {"odd key": 7}),
    # --- Parameters and the context object ---
    (
        "parameters-static-and-path",
        _one(_pass(Parameters={"fixed": 1, "from.$": "$.a", "nested": {"deep.$": "$.b[0]"}})),
        {"a": "x", "b": [9]},
    ),
    ("parameters-list-literal", _one(_pass(Parameters={"l": [1, {"k": "v"}]})), {}),
    ("parameters-missing-path", _one(_pass(Parameters={"v.$": "$.nope"})), {"a": 1}),
    ("context-state-name", _one(_pass(Parameters={"n.$": "$$.State.Name"})), {}),
    # AWS: RetryCount is in $$.State of Task states only; a Pass state has Name and EnteredTime.
    (
        "context-state-no-retry-count-outside-tasks",
        *_choice({"Variable": "$$.State.RetryCount", "IsPresent": True}, {}),
    ),
    ("context-execution-input", _one(_pass(Parameters={"i.$": "$$.Execution.Input"})), {"q": 1}),
    # --- intrinsic functions ---
    (
        "format",
        _one(_pass(Parameters={"s.$": "States.Format('Hello {}, {} and \\{\\}', $.n, $.x)"})),
        {"n": "Ada", "x": 3},
    ),
    (
        "format-object",
        _one(_pass(Parameters={"s.$": "States.Format('{}', $.o)"})),
        {"o": {"a": 1, "b": [1, 2]}},
    ),
    (
        "json-roundtrip",
        _one(
            _pass(Parameters={"s.$": "States.JsonToString($.o)", "o.$": "States.StringToJson($.t)"})
        ),
        {"o": {"a": [1, 2], "b": None}, "t": '{"k": [true, 1.5]}'},
    ),
    (
        "array-functions",
        _one(
            _pass(
                Parameters={
                    "a.$": "States.Array($.x, 'two', 3)",
                    "p.$": "States.ArrayPartition($.l, 2)",
                    "c.$": "States.ArrayContains($.l, 3)",
                    "r.$": "States.ArrayRange(1, 9, 3)",
                    "g.$": "States.ArrayGetItem($.l, 1)",
                    "n.$": "States.ArrayLength($.l)",
                    "u.$": "States.ArrayUnique($.d)",
                }
            )
        ),
        {"x": 1, "l": [1, 2, 3, 4, 5], "d": [1, 1, 2, 1, 3]},
    ),
    (
        "base64-hash",
        _one(
            _pass(
                Parameters={
                    "e.$": "States.Base64Encode($.s)",
                    "d.$": "States.Base64Decode('aGVsbG8=')",
                    "h.$": "States.Hash($.s, 'SHA-256')",
                    "m.$": "States.Hash($.s, 'MD5')",
                }
            )
        ),
        {"s": "hello"},
    ),
    (
        "json-merge-math-split",
        _one(
            _pass(
                Parameters={
                    "m.$": "States.JsonMerge($.a, $.b, false)",
                    "add.$": "States.MathAdd($.n, -3)",
                    "sp.$": "States.StringSplit($.csv, ',;')",
                }
            )
        ),
        {"a": {"x": 1, "y": {"z": 1}}, "b": {"y": 2}, "n": 10, "csv": "a,b;;c"},
    ),
    (
        "nested-intrinsics",
        _one(
            _pass(
                Parameters={
                    "v.$": "States.ArrayLength(States.StringSplit("
                    "States.Format('{}-{}', $.a, $.b), '-'))"
                }
            )
        ),
        {"a": "x", "b": "y"},
    ),
    (
        "array-getitem-out-of-range",
        _one(_pass(Parameters={"v.$": "States.ArrayGetItem($.l, 5)"})),
        {"l": [1]},
    ),
    # --- Choice ---
    ("choice-string-equals", *_choice({"Variable": "$.s", "StringEquals": "a"}, {"s": "a"})),
    (
        "choice-numeric-range",
        *_choice(
            {
                "And": [
                    {"Variable": "$.n", "NumericGreaterThanEquals": 1},
                    {"Variable": "$.n", "NumericLessThan": 10},
                ]
            },
            {"n": 10},
        ),
    ),
    (
        "choice-or-not",
        *_choice(
            {
                "Or": [
                    {"Not": {"Variable": "$.b", "BooleanEquals": True}},
                    {"Variable": "$.s", "StringLessThan": "b"},
                ]
            },
            {"b": True, "s": "a"},
        ),
    ),
    (
        "choice-string-matches",
        *_choice({"Variable": "$.f", "StringMatches": "log-*.txt"}, {"f": "log-2024.txt"}),
    ),
    ("choice-is-present", *_choice({"Variable": "$.missing", "IsPresent": False}, {})),
    (
        "choice-type-tests",
        *_choice(
            {
                "And": [
                    {"Variable": "$.n", "IsNumeric": True},
                    {"Variable": "$.z", "IsNull": True},
                    {"Variable": "$.t", "IsTimestamp": True},
                ]
            },
            {"n": 1.5, "z": None, "t": "2024-01-01T00:00:00Z"},
        ),
    ),
    (
        "choice-path-comparison",
        *_choice({"Variable": "$.a", "NumericEqualsPath": "$.b"}, {"a": 2, "b": 2}),
    ),
    (
        "choice-timestamp",
        *_choice(
            {"Variable": "$.t", "TimestampLessThan": "2025-01-01T00:00:00Z"},
            {"t": "2024-06-01T12:00:00Z"},
        ),
    ),
    ("choice-type-mismatch-is-false", *_choice({"Variable": "$.n", "StringEquals": "1"}, {"n": 1})),
    (
        "choice-no-match",
        {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "E"}],
                },
                "E": {"Type": "Succeed"},
            },
        },
        {"n": 2},
    ),
    ("choice-missing-variable", *_choice({"Variable": "$.nope", "StringEquals": "a"}, {})),
    # --- Wait, Succeed, Fail ---
    (
        "wait-zero-seconds",
        {
            "StartAt": "W",
            "States": {
                "W": {"Type": "Wait", "Seconds": 0, "Next": "D"},
                "D": {"Type": "Succeed", "OutputPath": "$.a"},
            },
        },
        {"a": {"b": 1}},
    ),
    ("wait-secondspath", _one({"Type": "Wait", "SecondsPath": "$.s", "End": True}), {"s": 0}),
    ("fail-static", _one({"Type": "Fail", "Error": "Custom.Error", "Cause": "it broke"}), {}),
    (
        "fail-paths",
        _one({"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}),
        {"e": "E.Dynamic", "c": "because"},
    ),
    # --- Parallel ---
    (
        "parallel-two-branches",
        _one(
            {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {"StartAt": "A", "States": {"A": _pass(InputPath="$.x")}},
                    {"StartAt": "B", "States": {"B": _pass(Result="b")}},
                ],
            }
        ),
        {"x": 1},
    ),
    (
        "parallel-selector-resultpath",
        _one(
            {
                "Type": "Parallel",
                "End": True,
                "ResultSelector": {"first.$": "$[0]"},
                "ResultPath": "$.out",
                "Branches": [
                    {"StartAt": "A", "States": {"A": _pass(Result=1)}},
                    {"StartAt": "B", "States": {"B": _pass(Result=2)}},
                ],
            }
        ),
        {"keep": True},
    ),
    (
        "parallel-branch-fails-caught",
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Next": "Done",
                    "Branches": [
                        {
                            "StartAt": "F",
                            "States": {"F": {"Type": "Fail", "Error": "Branch.Bad", "Cause": "no"}},
                        }
                    ],
                    "Catch": [
                        {"ErrorEquals": ["Branch.Bad"], "ResultPath": "$.err", "Next": "Done"}
                    ],
                },
                "Done": {"Type": "Succeed"},
            },
        },
        {"in": 1},
    ),
    # --- Map ---
    (
        "map-items-path",
        _one({"Type": "Map", "End": True, "ItemsPath": "$.l", "ItemProcessor": _ITEM}),
        {"l": [1, {"a": 2}, "x"]},
    ),
    (
        "map-item-selector-context",
        _one(
            {
                "Type": "Map",
                "End": True,
                "ItemsPath": "$.l",
                "MaxConcurrency": 1,
                "ItemSelector": {
                    "i.$": "$$.Map.Item.Index",
                    "v.$": "$$.Map.Item.Value",
                    "k.$": "$.k",
                },
                "ItemProcessor": _ITEM,
            }
        ),
        {"l": ["a", "b"], "k": 0},
    ),
    (
        "map-legacy-iterator-parameters",
        _one(
            {
                "Type": "Map",
                "End": True,
                "ItemsPath": "$.l",
                "Parameters": {"v.$": "$$.Map.Item.Value"},
                "Iterator": {"StartAt": "P", "States": {"P": _pass(OutputPath="$.v")}},
            }
        ),
        {"l": [3, 4]},
    ),
    (
        "map-resultpath-and-selector",
        _one(
            {
                "Type": "Map",
                "End": True,
                "ItemsPath": "$.l",
                "ResultSelector": {"n.$": "States.ArrayLength($)"},
                "ResultPath": "$.count",
                "ItemProcessor": _ITEM,
            }
        ),
        {"l": [1, 2, 3]},
    ),
    (
        "map-not-an-array",
        _one({"Type": "Map", "End": True, "ItemsPath": "$.l", "ItemProcessor": _ITEM}),
        {"l": "abc"},
    ),
    (
        "map-item-fails",
        _one(
            {
                "Type": "Map",
                "End": True,
                "ItemProcessor": {
                    "StartAt": "C",
                    "States": {
                        "C": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Bad"}],
                            "Default": "Ok",
                        },
                        "Bad": {"Type": "Fail", "Error": "Item.Two"},
                        "Ok": {"Type": "Succeed"},
                    },
                },
            }
        ),
        [1, 2, 3],
    ),
    # An inline Map runs with the tolerance fields (AWS: they apply to a Distributed Map only)
    # and one failed iteration still fails it.
    (
        "inline-map-ignores-tolerance",
        _one(
            {
                "Type": "Map",
                "End": True,
                "ToleratedFailureCount": 5,
                "ItemProcessor": {
                    "StartAt": "F",
                    "States": {"F": {"Type": "Fail", "Error": "Item.Bad"}},
                },
            }
        ),
        [1, 2],
    ),
    # --- Retry and Catch ---
    (
        "retry-then-catch",
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Next": "Never",
                    "Branches": [
                        {
                            "StartAt": "F",
                            "States": {"F": {"Type": "Fail", "Error": "Flaky", "Cause": "c"}},
                        }
                    ],
                    "Retry": [
                        {
                            "ErrorEquals": ["Flaky"],
                            "IntervalSeconds": 1,
                            "MaxAttempts": 1,
                            "BackoffRate": 1.0,
                        }
                    ],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}],
                },
                "Never": {"Type": "Succeed"},
                "Handled": _pass(Parameters={"caught.$": "$.Error", "why.$": "$.Cause"}),
            },
        },
        {},
    ),
    (
        "catch-order-first-match",
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [
                        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Specific"}}}
                    ],
                    "Catch": [
                        {"ErrorEquals": ["Other"], "Next": "A"},
                        {"ErrorEquals": ["Specific", "Other2"], "Next": "B"},
                        {"ErrorEquals": ["States.ALL"], "Next": "A"},
                    ],
                },
                "A": _pass(Result={"took": "A"}),
                "B": _pass(Result={"took": "B"}),
            },
        },
        {},
    ),
    (
        "uncaught-error-fails-execution",
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [
                        {
                            "StartAt": "F",
                            "States": {"F": {"Type": "Fail", "Error": "Nope", "Cause": "x"}},
                        }
                    ],
                    "Catch": [{"ErrorEquals": ["Else"], "Next": "A"}],
                },
                "A": _pass(),
            },
        },
        {},
    ),
    (
        "catch-default-resultpath",
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [
                        {
                            "StartAt": "F",
                            "States": {"F": {"Type": "Fail", "Error": "E1", "Cause": "c1"}},
                        }
                    ],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "A"}],
                },
                "A": _pass(),
            },
        },
        {"dropped": True},
    ),
    (
        "runtime-error-not-caught",
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [{"StartAt": "F", "States": {"F": _pass(InputPath="$.missing")}}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "A"}],
                },
                "A": _pass(Result={"caught": True}),
            },
        },
        {},
    ),
    # --- execution-level ---
    (
        "multi-step-chain",
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
                "B": {
                    "Type": "Pass",
                    "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"},
                    "ResultPath": "$.r",
                    "Next": "C",
                },
                "C": {"Type": "Succeed", "OutputPath": "$.r"},
            },
        },
        {"b": 41},
    ),
]

# --- AWS's own behaviour, each case with the outcome AWS documents or was observed to give ---
FAIL_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html"
CONTEXT_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html"
WAIT_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html"
QUOTAS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html"
MAP_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html"
INTRINSICS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html"
PATHS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html"
JSONATA_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html"
VARIABLES_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html"
ERRORS_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"
DISTRIBUTED_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html"
ITEMS_PATH_DOC = "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemspath.html"
OBSERVED = "observed on AWS (the executions recorded for the local engine's conformance)"

_BIG = "x" * (200 * 1024)
_LOCATED = "An error occurred while executing the state 'S' (entered at the event id #2). "


def _jsonata(state, start="S"):
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": {start: state}}


def _branch(state):
    return {"StartAt": "B", "States": {"B": state}}


def _distributed_map(**fields):
    """A Distributed Map over `$.l` whose children pass their item on."""
    return {
        "Type": "Map",
        "End": True,
        "ItemsPath": "$.l",
        **fields,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            **_ITEM,
        },
    }


# (id, definition, input, expected outcome fields, the AWS source that decides)
AWS_CASES = [
    # 1. Fail with neither Error nor Cause
    (
        "fail-without-error-or-cause",
        _one({"Type": "Fail"}),
        {},
        {"status": "FAILED", "error": None, "cause": None},
        f"{FAIL_DOC}: Error and Cause are optional; {OBSERVED}: no error, no cause",
    ),
    # 2. $$.State in a Pass state
    (
        "context-state-in-pass",
        _one(_pass(Parameters={"s.$": "$$.State"})),
        {},
        {"status": "SUCCEEDED", "output_keys": {"s": ["EnteredTime", "Name"]}},
        f"{CONTEXT_DOC}: RetryCount only in Task states",
    ),
    # 3. AWS's wording of runtime causes
    (
        "errorpath-not-found",
        _one({"Type": "Fail", "ErrorPath": "$.ErrorX", "Cause": "c"}),
        {"a": 1},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED + "The JSONPath "
            "'$.ErrorX' specified for the field 'ErrorPath' could not be found in the input "
            "'{\"a\": 1}'",
        },
        f"{FAIL_DOC}; {OBSERVED}",
    ),
    (
        "causepath-not-found",
        _one({"Type": "Fail", "Error": "E", "CausePath": "$.nope"}),
        {},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED + "The JSONPath "
            "'$.nope' specified for the field 'CausePath' could not be found in the input '{}'",
        },
        f"{FAIL_DOC}; {OBSERVED}",
    ),
    (
        "timestamppath-not-a-timestamp",
        _one({"Type": "Wait", "TimestampPath": "$.x", "End": True}),
        {"x": "tomorrow"},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED + "The TimestampPath "
            "parameter does not reference a valid ISO-8601 extended offset date-time format "
            "string: $.x == tomorrow",
        },
        f"{WAIT_DOC}; {OBSERVED}",
    ),
    (
        "secondspath-negative",
        _one({"Type": "Wait", "SecondsPath": "$.s", "End": True}),
        {"s": -5},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED + "The SecondsPath parameter references a negative value: $.s == -5",
        },
        f"{WAIT_DOC}: a non-negative integer; {OBSERVED}",
    ),
    (
        "secondspath-fractional",
        _one({"Type": "Wait", "SecondsPath": "$.s", "End": True}),
        {"s": 1.5},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED
            + "The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5",
        },
        f"{WAIT_DOC}: an integer; {OBSERVED}",
    ),
    (
        "secondspath-not-found",
        _one({"Type": "Wait", "SecondsPath": "$.x", "End": True}),
        {},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED + "The SecondsPath parameter does not reference an input value: $.x",
        },
        f"{WAIT_DOC}; {OBSERVED}",
    ),
    (
        "timestamppath-not-found",
        _one({"Type": "Wait", "TimestampPath": "$.x", "End": True}),
        {},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED + "The JSONPath "
            "'$.x' specified for the field 'TimestampPath' could not be found in the input '{}'",
        },
        f"{WAIT_DOC}; {OBSERVED}",
    ),
    # 4. Wait delays Step Functions does not accept
    (
        "wait-timestamp-too-far",
        _one({"Type": "Wait", "Timestamp": "2100-01-01T00:00:00Z", "End": True}),
        {},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED + "Wait state delay is too long.",
        },
        OBSERVED,
    ),
    (
        "wait-secondspath-too-long",
        _one({"Type": "Wait", "SecondsPath": "$.s", "End": True}),
        {"s": 2**31},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED + "Wait state delay is too long.",
        },
        OBSERVED,
    ),
    # 5. 256 KiB payloads
    (
        "state-output-too-large",
        _one(_pass(Parameters={"a.$": "$.s", "b.$": "$.s"})),
        {"s": _BIG},
        {"status": "FAILED", "error": "States.DataLimitExceeded"},
        f"{QUOTAS_DOC}: 256 KiB for a state's input or output; {ERRORS_DOC}: "
        "States.DataLimitExceeded",
    ),
    # 6. MaxConcurrencyPath
    (
        "maxconcurrencypath-negative",
        _one(
            {
                "Type": "Map",
                "End": True,
                "MaxConcurrencyPath": "$.m",
                "ItemsPath": "$.l",
                "ItemProcessor": _ITEM,
            }
        ),
        {"m": -1, "l": [1]},
        {"status": "FAILED", "error": "States.Runtime"},
        f"{MAP_DOC}: MaxConcurrencyPath selects a non-negative integer",
    ),
    (
        "maxconcurrencypath-not-an-integer",
        _one(
            {
                "Type": "Map",
                "End": True,
                "MaxConcurrencyPath": "$.m",
                "ItemsPath": "$.l",
                "ItemProcessor": _ITEM,
            }
        ),
        {"m": "two", "l": [1]},
        {"status": "FAILED", "error": "States.Runtime"},
        f"{MAP_DOC}: MaxConcurrencyPath selects a non-negative integer",
    ),
    (
        "maxconcurrencypath-valid",
        _one(
            {
                "Type": "Map",
                "End": True,
                "MaxConcurrencyPath": "$.m",
                "ItemsPath": "$.l",
                "ItemProcessor": _ITEM,
            }
        ),
        {"m": 1, "l": [1, 2]},
        {"status": "SUCCEEDED", "output": [1, 2]},
        MAP_DOC,
    ),
    # 7. StringToJson of blank strings
    (
        "stringtojson-blank",
        _one(
            _pass(
                Parameters={"e.$": "States.StringToJson('')", "s.$": "States.StringToJson($.blank)"}
            )
        ),
        {"blank": " "},
        {"status": "SUCCEEDED", "output": {"e": None, "s": None}},
        OBSERVED,
    ),
    # 8. MathAdd and MathRandom round non-integers half up (Java's Math.round)
    (
        "mathadd-rounds-half-up",
        _one(
            _pass(
                Parameters={
                    "a.$": "States.MathAdd(1.49, 1.5)",
                    "b.$": "States.MathAdd(-1.5, 2.5)",
                    "c.$": "States.MathAdd($.x, 0)",
                }
            )
        ),
        {"x": -2.5},
        {"status": "SUCCEEDED", "output": {"a": 3, "b": 2, "c": -2}},
        f"{INTRINSICS_DOC}; {OBSERVED}: 1.49 -> 1, 1.5 -> 2, -1.5 -> -1, 2.5 -> 3",
    ),
    (
        "mathrandom-non-integer-bounds",
        {
            "StartAt": "R",
            "States": {
                "R": {
                    "Type": "Pass",
                    "Parameters": {"r.$": "States.MathRandom(0.6, 1.5)"},
                    "Next": "C",
                },
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "And": [
                                {"Variable": "$.r", "NumericGreaterThanEquals": 1},
                                {"Variable": "$.r", "NumericLessThanEquals": 2},
                            ],
                            "Next": "Yes",
                        }
                    ],
                    "Default": "No",
                },
                "Yes": _pass(Result="in range"),
                "No": _pass(Result="out of range"),
            },
        },
        {},
        {"status": "SUCCEEDED", "output": "in range"},
        f"{INTRINSICS_DOC}; {OBSERVED}",
    ),
    # 9. Escaped quotes in bracket notation keep the backslash
    (
        "bracket-escaped-quote",
        _one(_pass(Parameters={"v.$": "$['Test\\\"Name\"']"})),
        {'Test\\"Name"': 7},
        {"status": "SUCCEEDED", "output": {"v": 7}},
        f"{PATHS_DOC}; {OBSERVED}",
    ),
    # 10. JSONata
    (
        "jsonata-output-template",
        _jsonata(
            _pass(
                Output={
                    "sum": "{% $states.input.a + $states.input.b %}",
                    "literal": [1, "{not jsonata}"],
                    "nested": {"up": "{% $uppercase($states.input.s) %}"},
                }
            )
        ),
        {"a": 1, "b": 2, "s": "x"},
        {
            "status": "SUCCEEDED",
            "output": {"sum": 3, "literal": [1, "{not jsonata}"], "nested": {"up": "X"}},
        },
        JSONATA_DOC,
    ),
    (
        "jsonata-state-in-jsonpath-machine",
        {
            "StartAt": "P",
            "States": {
                "P": {"Type": "Pass", "Parameters": {"v.$": "$.a"}, "Next": "J"},
                "J": {
                    "Type": "Pass",
                    "QueryLanguage": "JSONata",
                    "Output": "{% $states.input.v * 2 %}",
                    "End": True,
                },
            },
        },
        {"a": 21},
        {"status": "SUCCEEDED", "output": 42},
        JSONATA_DOC,
    ),
    (
        "jsonata-choice-condition",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "Condition": "{% $states.input.n > 10 %}",
                            "Next": "Big",
                            "Output": {"kind": "big"},
                        }
                    ],
                    "Default": "Small",
                    "Output": {"kind": "small"},
                },
                "Big": {"Type": "Succeed"},
                "Small": {"Type": "Succeed"},
            },
        },
        {"n": 11},
        {"status": "SUCCEEDED", "output": {"kind": "big"}},
        JSONATA_DOC,
    ),
    (
        "jsonata-condition-not-boolean",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Default": "E",
                    "Choices": [{"Condition": "{% $states.input.n %}", "Next": "E"}],
                },
                "E": {"Type": "Succeed"},
            },
        },
        {"n": 1},
        {"status": "FAILED", "error": "States.QueryEvaluationError"},
        JSONATA_DOC,
    ),
    (
        "jsonata-map-items-and-item-selector",
        _jsonata(
            {
                "Type": "Map",
                "End": True,
                "Items": "{% $states.input.l %}",
                "MaxConcurrency": 1,
                "ItemSelector": {
                    "i": "{% $states.context.Map.Item.Index %}",
                    "v": "{% $states.context.Map.Item.Value %}",
                    "k": "{% $states.input.k %}",
                },
                "ItemProcessor": {"StartAt": "P", "States": {"P": _pass()}},
                "Output": {"all": "{% $states.result %}", "n": "{% $count($states.result) %}"},
            }
        ),
        {"l": ["a", "b"], "k": 0},
        {
            "status": "SUCCEEDED",
            "output": {"all": [{"i": 0, "v": "a", "k": 0}, {"i": 1, "v": "b", "k": 0}], "n": 2},
        },
        f"{JSONATA_DOC}; {MAP_DOC}",
    ),
    (
        "jsonata-map-literal-items",
        _jsonata(
            {
                "Type": "Map",
                "End": True,
                "Items": [1, 2, 3],
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {"P": _pass(Output="{% $states.input * 10 %}")},
                },
            }
        ),
        {},
        {"status": "SUCCEEDED", "output": [10, 20, 30]},
        MAP_DOC,
    ),
    # A Map over a JSON object: one iteration per key-value pair, in document order.
    (
        "map-over-object-pairs",
        _one(
            {
                "Type": "Map",
                "End": True,
                "ItemsPath": "$.servers",
                "ItemSelector": {
                    "name.$": "$$.Map.Item.Value.key",
                    "i.$": "$$.Map.Item.Index",
                    "port.$": "$$.Map.Item.Value.value.port",
                },
                "ItemProcessor": {"StartAt": "P", "States": {"P": _pass()}},
            }
        ),
        {"servers": {"web": {"port": 80}, "db": {"port": 5432}}},
        {
            "status": "SUCCEEDED",
            "output": [{"name": "web", "i": 0, "port": 80}, {"name": "db", "i": 1, "port": 5432}],
        },
        f"{ITEMS_PATH_DOC}: a JSON object runs an iteration for each key-value pair, passing the "
        "pair as input",
    ),
    (
        "jsonata-map-over-object-pairs",
        _jsonata(
            {
                "Type": "Map",
                "End": True,
                "Items": "{% $states.input.o %}",
                "ItemProcessor": {
                    "StartAt": "P",
                    "States": {
                        "P": _pass(Output="{% $states.input.key & '=' & $states.input.value %}")
                    },
                },
            }
        ),
        {"o": {"a": "1", "b": "2"}},
        {"status": "SUCCEEDED", "output": ["a=1", "b=2"]},
        f"{ITEMS_PATH_DOC}; {JSONATA_DOC}: Items may be an expression giving an array or object",
    ),
    (
        "jsonata-map-states-inherit-the-map-language",
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "QueryLanguage": "JSONata",
                    "End": True,
                    "Items": "{% $states.input.l %}",
                    "ItemProcessor": {
                        "StartAt": "P",
                        "States": {"P": _pass(Output="{% $states.input * 2 %}")},
                    },
                }
            },
        },
        {"l": [1, 2]},
        {"status": "SUCCEEDED", "output": [2, 4]},
        f"{JSONATA_DOC}: a state's QueryLanguage applies to the states nested in it",
    ),
    (
        "jsonata-parallel-arguments",
        _jsonata(
            {
                "Type": "Parallel",
                "End": True,
                "Arguments": {"x": "{% $states.input.x + 1 %}"},
                "Branches": [
                    _branch(_pass(Output="{% $states.input.x %}")),
                    _branch(_pass(Output="{% $states.input.x * 2 %}")),
                ],
                "Output": "{% $sum($states.result) %}",
            }
        ),
        {"x": 1},
        {"status": "SUCCEEDED", "output": 6},
        JSONATA_DOC,
    ),
    (
        "jsonata-catch-error-output",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Next": "Never",
                    "Branches": [_branch({"Type": "Fail", "Error": "Branch.Bad", "Cause": "no"})],
                    "Catch": [
                        {
                            "ErrorEquals": ["States.ALL"],
                            "Next": "Done",
                            "Assign": {"failed": "{% $states.errorOutput.Error %}"},
                            "Output": {
                                "why": "{% $states.errorOutput.Cause %}",
                                "in": "{% $states.input %}",
                            },
                        }
                    ],
                },
                "Never": {"Type": "Succeed"},
                "Done": _pass(
                    Output={
                        "failed": "{% $failed %}",
                        "why": "{% $states.input.why %}",
                        "in": "{% $states.input.in %}",
                    }
                ),
            },
        },
        {"k": 1},
        {"status": "SUCCEEDED", "output": {"failed": "Branch.Bad", "why": "no", "in": {"k": 1}}},
        f"{JSONATA_DOC}: $states.errorOutput in a Catcher's Output and Assign",
    ),
    (
        "jsonata-fail-error-and-cause",
        _jsonata(
            {
                "Type": "Fail",
                "Error": "{% 'Custom.' & $states.input.kind %}",
                "Cause": "{% $string($states.input.n) %}",
            }
        ),
        {"kind": "Bad", "n": 3},
        {"status": "FAILED", "error": "Custom.Bad", "cause": "3"},
        JSONATA_DOC,
    ),
    (
        "jsonata-wait-seconds",
        _jsonata({"Type": "Wait", "Seconds": "{% $states.input.s %}", "End": True}),
        {"s": 0},
        {"status": "SUCCEEDED", "output": {"s": 0}},
        JSONATA_DOC,
    ),
    (
        "jsonata-aws-functions",
        _jsonata(
            _pass(
                Output={
                    "partition": "{% $partition([1, 2, 3, 4, 5], 2) %}",
                    "range": "{% $range(0, 10, 5) %}",
                    "hash": "{% $hash('hello', 'SHA-256') %}",
                    "parse": "{% $parse('{\"a\": [1, true]}') %}",
                    "uuid": "{% $length($uuid()) %}",
                    "random": "{% $random() < 1 %}",
                    "seeded": "{% $random(7) = $random(7) %}",
                }
            )
        ),
        {},
        {
            "status": "SUCCEEDED",
            "output": {
                "partition": [[1, 2], [3, 4], [5]],
                "range": [0, 5, 10],
                "hash": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                "parse": {"a": [1, True]},
                "uuid": 36,
                "random": True,
                "seeded": True,
            },
        },
        f"{JSONATA_DOC}: the functions Step Functions adds to JSONata",
    ),
    (
        "jsonata-undefined-is-an-error",
        _jsonata(_pass(Output={"v": "{% $states.input.nope %}"})),
        {},
        {"status": "FAILED", "error": "States.QueryEvaluationError"},
        JSONATA_DOC,
    ),
    (
        "jsonata-context",
        _jsonata(
            _pass(
                Output={
                    "name": "{% $states.context.State.Name %}",
                    "input": "{% $states.context.Execution.Input %}",
                }
            )
        ),
        {"q": 1},
        {"status": "SUCCEEDED", "output": {"name": "S", "input": {"q": 1}}},
        CONTEXT_DOC,
    ),
    # AWS's own JSONPath-to-JSONata conversion example: both give the same result.
    (
        "jsonata-doc-example-jsonpath",
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"customerName": "María"}, "Next": "S"},
                "S": _pass(
                    Parameters={
                        "static": "Hello",
                        "title.$": "$.title",
                        "name.$": "$customerName",
                        "not-evaluated": "$customerName",
                    }
                ),
            },
        },
        {"title": "Doctor"},
        {
            "status": "SUCCEEDED",
            "output": {
                "static": "Hello",
                "title": "Doctor",
                "name": "María",
                "not-evaluated": "$customerName",
            },
        },
        JSONATA_DOC,
    ),
    (
        "jsonata-doc-example-jsonata",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"customerName": "María"}, "Next": "S"},
                "S": _pass(
                    Output={
                        "static": "Hello",
                        "title": "{% $states.input.title %}",
                        "name": "{% $customerName %}",
                        "not-evaluated": "$customerName",
                    }
                ),
            },
        },
        {"title": "Doctor"},
        {
            "status": "SUCCEEDED",
            "output": {
                "static": "Hello",
                "title": "Doctor",
                "name": "María",
                "not-evaluated": "$customerName",
            },
        },
        JSONATA_DOC,
    ),
    # 11. Variables
    (
        "variables-jsonpath-assign-and-read",
        {
            "StartAt": "A",
            "States": {
                "A": {
                    "Type": "Pass",
                    "Assign": {"x": 1, "y.$": "$.a", "f.$": "States.Format('{}!', $.a)"},
                    "Next": "B",
                },
                "B": _pass(Parameters={"x.$": "$x", "y.$": "$y", "f.$": "$f"}),
            },
        },
        {"a": "A"},
        {"status": "SUCCEEDED", "output": {"x": 1, "y": "A", "f": "A!"}},
        VARIABLES_DOC,
    ),
    (
        "variables-assign-sees-values-on-entry",
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"a": 1}, "Next": "B"},
                "B": {
                    "Type": "Pass",
                    "Assign": {"a": 2, "b.$": "$a"},
                    "Parameters": {"seen.$": "$a"},
                    "Next": "C",
                },
                "C": _pass(Parameters={"a.$": "$a", "b.$": "$b", "seen.$": "$.seen"}),
            },
        },
        {},
        {"status": "SUCCEEDED", "output": {"a": 2, "b": 1, "seen": 1}},
        f"{VARIABLES_DOC}: every expression of an Assign sees the values on state entry",
    ),
    (
        "variables-output-before-assign",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
                "B": {
                    "Type": "Pass",
                    "Assign": {"x": 2},
                    "Output": {"during": "{% $x %}"},
                    "Next": "C",
                },
                "C": _pass(Output={"during": "{% $states.input.during %}", "after": "{% $x %}"}),
            },
        },
        {},
        {"status": "SUCCEEDED", "output": {"during": 1, "after": 2}},
        f"{VARIABLES_DOC}: assignment happens after the state's output is computed",
    ),
    (
        "variables-parallel-reads-outer",
        {
            "QueryLanguage": "JSONata",
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"x": 5}, "Next": "P"},
                "P": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [_branch(_pass(Output="{% $x * 2 %}"))],
                },
            },
        },
        {},
        {"status": "SUCCEEDED", "output": [10]},
        VARIABLES_DOC,
    ),
    (
        "variables-parallel-cannot-assign-outer",
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"x": 5}, "Next": "P"},
                "P": {
                    "Type": "Parallel",
                    "End": True,
                    "Branches": [_branch(_pass(Assign={"x": 6}))],
                },
            },
        },
        {},
        {"status": "FAILED", "error": "States.Runtime"},
        f"{VARIABLES_DOC}: a nested workflow cannot assign an outer scope's variable",
    ),
    (
        "variables-map-iteration-scope-stays-inside",
        {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "Next": "After",
                    "ItemsPath": "$.l",
                    "ItemProcessor": {
                        "StartAt": "P",
                        "States": {"P": _pass(Assign={"inner.$": "$"})},
                    },
                },
                "After": _pass(Parameters={"v.$": "$inner"}),
            },
        },
        {"l": [1]},
        {"status": "FAILED", "error": "States.Runtime"},
        f"{VARIABLES_DOC}: variables assigned in a Map iteration are not visible outside it",
    ),
    (
        "variables-map-reads-outer",
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"k": 10}, "Next": "M"},
                "M": {
                    "Type": "Map",
                    "End": True,
                    "ItemProcessor": {
                        "StartAt": "P",
                        "States": {"P": _pass(Parameters={"v.$": "States.MathAdd($, $k)"})},
                    },
                },
            },
        },
        [1, 2],
        {"status": "SUCCEEDED", "output": [{"v": 11}, {"v": 12}]},
        VARIABLES_DOC,
    ),
    (
        "variables-choice-rule-assign",
        {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "Variable": "$.n",
                            "NumericEquals": 1,
                            "Next": "D",
                            "Assign": {"took": "rule"},
                        }
                    ],
                    "Default": "D",
                    "Assign": {"took": "default"},
                },
                "D": _pass(Parameters={"took.$": "$took"}),
            },
        },
        {"n": 1},
        {"status": "SUCCEEDED", "output": {"took": "rule"}},
        VARIABLES_DOC,
    ),
    (
        "variables-choice-default-assign",
        {
            "StartAt": "C",
            "States": {
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {
                            "Variable": "$.n",
                            "NumericEquals": 1,
                            "Next": "D",
                            "Assign": {"took": "rule"},
                        }
                    ],
                    "Default": "D",
                    "Assign": {"took": "default"},
                },
                "D": _pass(Parameters={"took.$": "$took"}),
            },
        },
        {"n": 2},
        {"status": "SUCCEEDED", "output": {"took": "default"}},
        VARIABLES_DOC,
    ),
    (
        "variables-in-choice-variable",
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"limit": 3}, "Next": "C"},
                "C": {
                    "Type": "Choice",
                    "Choices": [
                        {"Variable": "$.n", "NumericGreaterThanPath": "$limit", "Next": "Yes"}
                    ],
                    "Default": "No",
                },
                "Yes": _pass(Result="over"),
                "No": _pass(Result="under"),
            },
        },
        {"n": 4},
        {"status": "SUCCEEDED", "output": "over"},
        VARIABLES_DOC,
    ),
    (
        "variables-catch-assign-jsonpath",
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Next": "Never",
                    "Branches": [_branch({"Type": "Fail", "Error": "E1", "Cause": "c1"})],
                    "Catch": [
                        {
                            "ErrorEquals": ["States.ALL"],
                            "Next": "Done",
                            "ResultPath": None,
                            "Assign": {"err.$": "$.Error"},
                        }
                    ],
                },
                "Never": {"Type": "Succeed"},
                "Done": _pass(Parameters={"err.$": "$err", "kept.$": "$.kept"}),
            },
        },
        {"kept": True},
        {"status": "SUCCEEDED", "output": {"err": "E1", "kept": True}},
        VARIABLES_DOC,
    ),
    (
        "variables-undefined-reference",
        _one(_pass(Parameters={"v.$": "$never"})),
        {},
        {"status": "FAILED", "error": "States.Runtime"},
        VARIABLES_DOC,
    ),
    (
        "variables-too-large",
        _jsonata(_pass(Assign={"big": "{% $pad('', 270000, 'x') %}"})),
        {},
        {"status": "FAILED", "error": "States.DataLimitExceeded"},
        f"{VARIABLES_DOC}: at most 256 KiB in one variable",
    ),
    (
        "variables-assign-total-too-large",
        _jsonata(
            _pass(Assign={"a": "{% $pad('', 150000, 'x') %}", "b": "{% $pad('', 150000, 'y') %}"})
        ),
        {},
        {"status": "FAILED", "error": "States.DataLimitExceeded"},
        f"{VARIABLES_DOC}: at most 256 KiB in one Assign",
    ),
    # 12. Definitions AWS runs that must not be refused
    (
        "inline-map-accepts-tolerated-failures",
        _one(
            {
                "Type": "Map",
                "End": True,
                "ItemsPath": "$.l",
                "ToleratedFailureCount": 1,
                "ToleratedFailurePercentagePath": "$.p",
                "Label": "inline",
                "ItemProcessor": _ITEM,
            }
        ),
        {"l": [1, 2], "p": 10},
        {"status": "SUCCEEDED", "output": [1, 2]},
        f"{OBSERVED}: an inline Map with ToleratedFailureCount/Percentage(Path) runs and "
        "succeeds (the fields apply to a Distributed Map only)",
    ),
    (
        "jsonata-output-literal-key-ending-in-dollar",
        _jsonata(_pass(Output={"constant_jp_input.$": "$", "n": "{% $states.input.n %}"})),
        {"n": 1},
        {"status": "SUCCEEDED", "output": {"constant_jp_input.$": "$", "n": 1}},
        f"{OBSERVED}: in JSONata a key ending in .$ is a plain name and its value a string; "
        f"{JSONATA_DOC}: only {{% %}} strings are evaluated",
    ),
    # 13. Numeric strings where AWS reads a number
    (
        "maxconcurrencypath-numeric-string",
        _one(
            {
                "Type": "Map",
                "End": True,
                "MaxConcurrencyPath": "$.m",
                "ItemsPath": "$.l",
                "ItemProcessor": _ITEM,
            }
        ),
        {"m": "1", "l": [1, 2]},
        {"status": "SUCCEEDED", "output": [1, 2]},
        f'{MAP_DOC}; {OBSERVED}: "1" is read as 1',
    ),
    (
        "toleratedfailurecountpath-numeric-string",
        _one(_distributed_map(ToleratedFailureCountPath="$.c")),
        {"c": "1", "l": [1, 2]},
        {"status": "SUCCEEDED", "output": [1, 2]},
        f"{DISTRIBUTED_DOC}; {OBSERVED}",
    ),
    (
        "variables-toleratedfailurepercentagepath-numeric-string",
        {
            "StartAt": "A",
            "States": {
                "A": {"Type": "Pass", "Assign": {"p": "1"}, "Next": "S"},
                "S": _distributed_map(ToleratedFailurePercentagePath="$p"),
            },
        },
        {"l": [1, 2]},
        {"status": "SUCCEEDED", "output": [1, 2]},
        f'{DISTRIBUTED_DOC}; {OBSERVED}: a variable holding "1" is read as 1',
    ),
    # 14. A Distributed Map's tolerance checked at run time, with AWS's sentences
    (
        "toleratedfailurecountpath-negative",
        _one(_distributed_map(ToleratedFailureCountPath="$.c")),
        {"c": -1, "l": [1]},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED + "ToleratedFailureCount cannot be negative.",
        },
        f"{DISTRIBUTED_DOC}; {OBSERVED}",
    ),
    (
        "toleratedfailurepercentagepath-over-100",
        _one(_distributed_map(ToleratedFailurePercentagePath="$.p")),
        {"p": 100.1, "l": [1]},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED + "ToleratedFailurePercentage must be between 0 and 100.",
        },
        f"{DISTRIBUTED_DOC}: a number from 0 to 100; {OBSERVED}",
    ),
    (
        "toleratedfailurepercentagepath-negative",
        _one(_distributed_map(ToleratedFailurePercentagePath="$.p")),
        {"p": -1, "l": [1]},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED + "ToleratedFailurePercentage must be between 0 and 100.",
        },
        f"{DISTRIBUTED_DOC}: a number from 0 to 100; {OBSERVED}",
    ),
    (
        "toleratedfailurecountpath-not-a-number",
        _one(_distributed_map(ToleratedFailureCountPath="$.c")),
        {"c": "NoNumber", "l": [1]},
        {
            "status": "FAILED",
            "error": "States.Runtime",
            "cause": _LOCATED + 'The ToleratedFailureCountPath field refers to value "NoNumber" '
            "which is not a valid integer: $.c",
        },
        f"{DISTRIBUTED_DOC}; {OBSERVED}",
    ),
    # 15. JSONata details
    (
        "jsonata-range-of-one-value-is-that-value",
        _jsonata(
            _pass(
                Output={
                    "one": "{% $range(1, 1) %}",
                    "two": "{% $range(1, 2) %}",
                    "truncated": "{% $range(-1.7, 2, 1) %}",
                }
            )
        ),
        {},
        {"status": "SUCCEEDED", "output": {"one": 1, "two": [1, 2], "truncated": [-1, 0, 1, 2]}},
        f"{JSONATA_DOC}: $range; {OBSERVED}: a range of one value is that value (JSONata's "
        "sequence of one), arguments are truncated towards zero",
    ),
    (
        "jsonata-random-with-a-seed",
        _jsonata(_pass(Output={"r": "{% $random(42) %}"})),
        {},
        {"status": "SUCCEEDED", "output": {"r": 0.7275636800328681}},
        f"{JSONATA_DOC}: $random(seed); {OBSERVED}: java.util.Random(42).nextDouble() (recorded "
        "in https://github.com/floci-io/floci/issues/2662)",
    ),
    (
        "jsonata-wait-timestamp-not-a-timestamp",
        _jsonata({"Type": "Wait", "Timestamp": "{% $states.input.t %}", "End": True}),
        {"t": "tomorrow"},
        {"status": "FAILED", "error": "States.QueryEvaluationError"},
        f"{WAIT_DOC}; {OBSERVED}: an expression giving no timestamp is a query evaluation error",
    ),
    (
        "jsonata-map-items-not-an-array",
        _jsonata(
            {"Type": "Map", "End": True, "Items": "{% $states.input.s %}", "ItemProcessor": _ITEM}
        ),
        {"s": "abc"},
        {
            "status": "FAILED",
            "error": "States.QueryEvaluationError",
            "cause": _LOCATED + "The JSONata expression '$states.input.s' specified for the field "
            "'Items' returned an unexpected result type.",
        },
        f"{MAP_DOC}; {OBSERVED}",
    ),
]

# Cases only this interpreter runs: moto's API refuses the input before any state runs.
LOCAL_ONLY_CASES = [
    (
        "execution-input-too-large",
        _one(_pass()),
        {"s": "x" * (257 * 1024)},
        {"status": "FAILED", "error": "States.DataLimitExceeded"},
        f"{QUOTAS_DOC}: an execution's input is limited to 256 KiB",
    ),
]
