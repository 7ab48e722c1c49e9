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
    ("wildcard-path", _one(_pass(Parameters={"names.$": "$.people[*].name"})),
     {"people": [{"name": "a"}, {"name": "b"}]}),
    ("filter-path", _one(_pass(Parameters={"big.$": "$.items[?(@.n > 1)]"})),
     {"items": [{"n": 1}, {"n": 2}, {"n": 3}]}),
    ("slice-path", _one(_pass(Parameters={"s.$": "$.l[1:3]"})), {"l": [0, 1, 2, 3]}),
    ("bracket-name", _one(_pass(Parameters={"v.$": "$['odd key']"})), {"odd key": 7}),
    # --- Parameters and the context object ---
    ("parameters-static-and-path", _one(_pass(Parameters={"fixed": 1, "from.$": "$.a",
                                                            "nested": {"deep.$": "$.b[0]"}})),
     {"a": "x", "b": [9]}),
    ("parameters-list-literal", _one(_pass(Parameters={"l": [1, {"k": "v"}]})), {}),
    ("parameters-missing-path", _one(_pass(Parameters={"v.$": "$.nope"})), {"a": 1}),
    ("context-state-name", _one(_pass(Parameters={"n.$": "$$.State.Name",
                                                   "r.$": "$$.State.RetryCount"})), {}),
    ("context-execution-input", _one(_pass(Parameters={"i.$": "$$.Execution.Input"})), {"q": 1}),
    # --- intrinsic functions ---
    ("format", _one(_pass(Parameters={
        "s.$": "States.Format('Hello {}, {} and \\{\\}', $.n, $.x)"})), {"n": "Ada", "x": 3}),
    ("format-object", _one(_pass(Parameters={"s.$": "States.Format('{}', $.o)"})),
     {"o": {"a": 1, "b": [1, 2]}}),
    ("json-roundtrip", _one(_pass(Parameters={"s.$": "States.JsonToString($.o)",
                                              "o.$": "States.StringToJson($.t)"})),
     {"o": {"a": [1, 2], "b": None}, "t": "{\"k\": [true, 1.5]}"}),
    ("array-functions", _one(_pass(Parameters={
        "a.$": "States.Array($.x, 'two', 3)",
        "p.$": "States.ArrayPartition($.l, 2)",
        "c.$": "States.ArrayContains($.l, 3)",
        "r.$": "States.ArrayRange(1, 9, 3)",
        "g.$": "States.ArrayGetItem($.l, 1)",
        "n.$": "States.ArrayLength($.l)",
        "u.$": "States.ArrayUnique($.d)"})),
     {"x": 1, "l": [1, 2, 3, 4, 5], "d": [1, 1, 2, 1, 3]}),
    ("base64-hash", _one(_pass(Parameters={
        "e.$": "States.Base64Encode($.s)",
        "d.$": "States.Base64Decode('aGVsbG8=')",
        "h.$": "States.Hash($.s, 'SHA-256')",
        "m.$": "States.Hash($.s, 'MD5')"})), {"s": "hello"}),
    ("json-merge-math-split", _one(_pass(Parameters={
        "m.$": "States.JsonMerge($.a, $.b, false)",
        "add.$": "States.MathAdd($.n, -3)",
        "sp.$": "States.StringSplit($.csv, ',;')"})),
     {"a": {"x": 1, "y": {"z": 1}}, "b": {"y": 2}, "n": 10, "csv": "a,b;;c"}),
    ("nested-intrinsics", _one(_pass(Parameters={
        "v.$": "States.ArrayLength(States.StringSplit(States.Format('{}-{}', $.a, $.b), '-'))"})),
     {"a": "x", "b": "y"}),
    ("array-getitem-out-of-range", _one(_pass(Parameters={"v.$": "States.ArrayGetItem($.l, 5)"})),
     {"l": [1]}),
    # --- Choice ---
    ("choice-string-equals", *_choice({"Variable": "$.s", "StringEquals": "a"}, {"s": "a"})),
    ("choice-numeric-range", *_choice({"And": [{"Variable": "$.n", "NumericGreaterThanEquals": 1},
                                                {"Variable": "$.n", "NumericLessThan": 10}]},
                                       {"n": 10})),
    ("choice-or-not", *_choice({"Or": [{"Not": {"Variable": "$.b", "BooleanEquals": True}},
                                        {"Variable": "$.s", "StringLessThan": "b"}]},
                                {"b": True, "s": "a"})),
    ("choice-string-matches", *_choice({"Variable": "$.f", "StringMatches": "log-*.txt"},
                                        {"f": "log-2024.txt"})),
    ("choice-is-present", *_choice({"Variable": "$.missing", "IsPresent": False}, {})),
    ("choice-type-tests", *_choice({"And": [{"Variable": "$.n", "IsNumeric": True},
                                             {"Variable": "$.z", "IsNull": True},
                                             {"Variable": "$.t", "IsTimestamp": True}]},
                                    {"n": 1.5, "z": None, "t": "2024-01-01T00:00:00Z"})),
    ("choice-path-comparison", *_choice({"Variable": "$.a", "NumericEqualsPath": "$.b"},
                                         {"a": 2, "b": 2})),
    ("choice-timestamp", *_choice({"Variable": "$.t", "TimestampLessThan": "2025-01-01T00:00:00Z"},
                                   {"t": "2024-06-01T12:00:00Z"})),
    ("choice-type-mismatch-is-false", *_choice({"Variable": "$.n", "StringEquals": "1"},
                                                {"n": 1})),
    ("choice-no-match", {"StartAt": "C", "States": {"C": {
        "Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "E"}]},
        "E": {"Type": "Succeed"}}}, {"n": 2}),
    ("choice-missing-variable", *_choice({"Variable": "$.nope", "StringEquals": "a"}, {})),
    # --- Wait, Succeed, Fail ---
    ("wait-zero-seconds", {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 0,
                                                              "Next": "D"},
                                                        "D": {"Type": "Succeed",
                                                              "OutputPath": "$.a"}}},
     {"a": {"b": 1}}),
    ("wait-secondspath", _one({"Type": "Wait", "SecondsPath": "$.s", "End": True}), {"s": 0}),
    ("fail-static", _one({"Type": "Fail", "Error": "Custom.Error", "Cause": "it broke"}), {}),
    ("fail-paths", _one({"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}),
     {"e": "E.Dynamic", "c": "because"}),
    # --- Parallel ---
    ("parallel-two-branches", _one({"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": _pass(InputPath="$.x")}},
        {"StartAt": "B", "States": {"B": _pass(Result="b")}}]}), {"x": 1}),
    ("parallel-selector-resultpath", _one({"Type": "Parallel", "End": True,
                                           "ResultSelector": {"first.$": "$[0]"},
                                           "ResultPath": "$.out", "Branches": [
        {"StartAt": "A", "States": {"A": _pass(Result=1)}},
        {"StartAt": "B", "States": {"B": _pass(Result=2)}}]}), {"keep": True}),
    ("parallel-branch-fails-caught", {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Done", "Branches": [
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Branch.Bad",
                                              "Cause": "no"}}}],
              "Catch": [{"ErrorEquals": ["Branch.Bad"], "ResultPath": "$.err", "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}}, {"in": 1}),
    # --- Map ---
    ("map-items-path", _one({"Type": "Map", "End": True, "ItemsPath": "$.l",
                             "ItemProcessor": _ITEM}), {"l": [1, {"a": 2}, "x"]}),
    ("map-item-selector-context", _one({"Type": "Map", "End": True, "ItemsPath": "$.l",
                                        "MaxConcurrency": 1,
                                        "ItemSelector": {"i.$": "$$.Map.Item.Index",
                                                         "v.$": "$$.Map.Item.Value",
                                                         "k.$": "$.k"},
                                        "ItemProcessor": _ITEM}), {"l": ["a", "b"], "k": 0}),
    ("map-legacy-iterator-parameters", _one({"Type": "Map", "End": True, "ItemsPath": "$.l",
                                             "Parameters": {"v.$": "$$.Map.Item.Value"},
                                             "Iterator": {"StartAt": "P", "States": {
                                                 "P": _pass(OutputPath="$.v")}}}),
     {"l": [3, 4]}),
    ("map-resultpath-and-selector", _one({"Type": "Map", "End": True, "ItemsPath": "$.l",
                                          "ResultSelector": {"n.$": "States.ArrayLength($)"},
                                          "ResultPath": "$.count", "ItemProcessor": _ITEM}),
     {"l": [1, 2, 3]}),
    ("map-not-an-array", _one({"Type": "Map", "End": True, "ItemsPath": "$.l",
                               "ItemProcessor": _ITEM}), {"l": "abc"}),
    ("map-item-fails", _one({"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [
            {"Variable": "$", "NumericEquals": 2, "Next": "Bad"}], "Default": "Ok"},
            "Bad": {"Type": "Fail", "Error": "Item.Two"}, "Ok": {"Type": "Succeed"}}}}),
     [1, 2, 3]),
    # --- Retry and Catch ---
    ("retry-then-catch", {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "Never", "Branches": [
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Flaky", "Cause": "c"}}}],
              "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 1, "MaxAttempts": 1,
                         "BackoffRate": 1.0}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}]},
        "Never": {"Type": "Succeed"},
        "Handled": _pass(Parameters={"caught.$": "$.Error", "why.$": "$.Cause"})}}, {}),
    ("catch-order-first-match", {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Specific"}}}],
              "Catch": [{"ErrorEquals": ["Other"], "Next": "A"},
                        {"ErrorEquals": ["Specific", "Other2"], "Next": "B"},
                        {"ErrorEquals": ["States.ALL"], "Next": "A"}]},
        "A": _pass(Result={"took": "A"}), "B": _pass(Result={"took": "B"})}}, {}),
    ("uncaught-error-fails-execution", {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Nope", "Cause": "x"}}}],
              "Catch": [{"ErrorEquals": ["Else"], "Next": "A"}]},
        "A": _pass()}}, {}),
    ("catch-default-resultpath", {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E1", "Cause": "c1"}}}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "A"}]},
        "A": _pass()}}, {"dropped": True}),
    ("runtime-error-not-caught", {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "F", "States": {"F": _pass(InputPath="$.missing")}}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "A"}]},
        "A": _pass(Result={"caught": True})}}, {}),
    # --- execution-level ---
    ("multi-step-chain", {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a", "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"},
              "ResultPath": "$.r", "Next": "C"},
        "C": {"Type": "Succeed", "OutputPath": "$.r"}}}, {"b": 41}),
]  # fmt: skip
