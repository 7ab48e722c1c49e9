"""moto's server on 127.0.0.1 (a free port) standing in for AWS in tests.

`MotoServer` is the one place tests start AWS stand-ins; additions that moto lacks belong here,
each documented:

- `AWSStepFunctions.ValidateStateMachineDefinition`: the AWS provider (5.x) calls it at plan
  time for every `aws_sfn_state_machine` definition; moto 5.2.5's server does not route it.
  Answered by `tests.workflow.asl_validation.asl_errors` (moto's own ASL parser and static
  analyser, the ones its Step Functions interpreter runs, plus the transition checks moto
  lacks), so a definition moto could not execute fails the plan as on AWS.
- `AWSStepFunctions.ListStateMachineVersions`: the provider calls it after creating or updating
  a state machine to read `state_machine_version_arn`; answered from moto's Step Functions
  backend (the versions it has published), newest first as AWS lists them.
- Executions of versions and aliases: moto 5.2.5 keeps versions and aliases (publish,
  Create/Describe/Update/Delete/ListStateMachineAliases) but cannot start either. Kept here, per
  AWS's documented behaviour: `StartExecution` with an alias ARN picks a version by the alias's
  routing weights, with a version ARN that version; the execution is listed with the state
  machine's (its ARN is the unqualified one's, `execution:<machine>:<name>`), and
  `DescribeExecution` / `ListExecutions` report its `stateMachineVersionArn` and
  `stateMachineAliasArn`; `ListExecutions` of an alias or version ARN lists the executions it
  started; `DescribeStateMachineForExecution` answers the version's definition. With moto's
  interpreter on, the version's own definition runs. The (version, alias) of each execution is
  kept in this server (`QUALIFIED_EXECUTIONS`). Not emulated: PublishStateMachineVersion (the
  provider publishes through Create/UpdateStateMachine `publish`, which moto has).
- Bucket policies and transport: moto enforces a bucket policy's Deny on object calls but
  evaluates no condition operator except StringEquals, so the TLS-only Deny every hardened
  bucket carries (`aws:SecureTransport` false, `s3:TlsVersion` < 1.2) denies every object call.
  The server takes each request as arriving over TLS 1.3, as requests to AWS do: Deny
  statements conditioned only on those two keys do not apply (`treat_requests_as_tls`).
  Likewise moto would apply a Deny conditioned on `aws:PrincipalArn` (the bucket guardrails'
  `ArnNotLike`) to every caller: such statements are decided by `tests.iam_evaluation` with
  the caller's ARN, the one identity this server knows (`CALLER_PRINCIPAL_ARN`, the IAM form
  of what STS answers for the test credentials).
- Refused credentials: moto enforces IAM only process-wide, which would refuse every other
  test's calls too. Requests signed with the access key ids in `REFUSING_KEYS` are answered
  with AWS's own error shape for the protocol (JSON `__type`, S3's `<Error>`, the query
  protocol's `<ErrorResponse>`): AccessDenied on every call but STS's (AWS never denies
  GetCallerIdentity), ExpiredToken everywhere, or ExpiredToken after a valid STS check (a
  session expiring mid-command) (`refuse_by_access_key`).
- Throttles: AWS's control planes refuse calls over their rate with ThrottlingException; moto
  never does. `throttled(target, refused, period)` makes the server refuse the first `refused`
  of every `period` calls to one X-Amz-Target (e.g. `AWSStepFunctions.CreateStateMachine`)
  with AWS's error shape while the context lasts, counting both (`throttle_by_target`).
"""

from __future__ import annotations

import calendar
import io
import json
import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
FAKE_ACCOUNT_ID = "123456789012"  # moto's default account

DENIED_ACCESS_KEY = "AKIADENIEDEXAMPLE000"
EXPIRED_ACCESS_KEY = "ASIAEXPIREDEXAMPLE00"
EXPIRING_ACCESS_KEY = "ASIAEXPIRINGEXAMPLE0"
# access key id -> (error code, message, whether STS calls are refused too)
REFUSING_KEYS = {
    DENIED_ACCESS_KEY: ("AccessDenied", "User is not authorized to perform this action", False),
    EXPIRED_ACCESS_KEY: (
        "ExpiredToken",
        "The security token included in the request is expired",
        True,
    ),
    EXPIRING_ACCESS_KEY: (
        "ExpiredToken",
        "The security token included in the request is expired",
        False,
    ),
}


def free_loopback_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _validate_state_machine_definition(body: dict, region: str) -> dict:
    from tests.workflow.asl_validation import asl_errors

    errors = asl_errors(body["definition"], express=body.get("type") == "EXPRESS")
    diagnostics = [
        {"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": message}
        for message in errors
    ]
    return {"result": "FAIL" if errors else "OK", "diagnostics": diagnostics, "truncated": False}


def _list_state_machine_versions(body: dict, region: str) -> dict:
    from moto.stepfunctions.models import stepfunctions_backends

    arn = body["stateMachineArn"]
    account = arn.split(":")[4]
    machine = stepfunctions_backends[account][region].describe_state_machine(arn)
    versions = [
        {
            "stateMachineVersionArn": version.arn,
            "creationDate": calendar.timegm(version.creation_date.utctimetuple()),
        }
        for version in sorted(machine.versions.values(), key=lambda v: v.version, reverse=True)
    ]
    return {"stateMachineVersions": versions}


# execution ARN -> {"stateMachineVersionArn": ..., "stateMachineAliasArn": ... (alias starts)}
QUALIFIED_EXECUTIONS: dict[str, dict[str, str]] = {}
_QUALIFIED_LOCK = threading.Lock()


def _split_qualified(arn: str) -> tuple[str, str | None]:
    """(unqualified state machine ARN, version number or alias name, or None)."""
    parts = arn.split(":")
    if len(parts) == 8 and parts[5] == "stateMachine":
        return ":".join(parts[:7]), parts[7]
    return arn, None


def _sfn_backend(arn: str, region: str):
    from moto.stepfunctions.responses import get_backend

    return get_backend(arn.split(":")[4], region)


def _start_qualified_execution(body: dict, region: str) -> dict | None:
    """StartExecution of an alias or version ARN (None: an unqualified one, moto's own)."""
    arn = body["stateMachineArn"]
    base, qualifier = _split_qualified(arn)
    if qualifier is None:
        return None
    backend = _sfn_backend(arn, region)
    machine = backend.describe_state_machine(base)
    record = {}
    if qualifier.isdigit():
        version_arn = arn
    else:
        routes = backend.describe_state_machine_alias(arn).routing_configuration
        version_arn = random.choices(  # noqa: S311 - routing weights, not security
            [route["stateMachineVersionArn"] for route in routes],
            weights=[int(route["weight"]) for route in routes],
        )[0]
        record["stateMachineAliasArn"] = arn
    record["stateMachineVersionArn"] = version_arn
    version = backend.describe_state_machine(version_arn)
    name, payload = body.get("name") or "", body.get("input") or "{}"
    with _QUALIFIED_LOCK:
        # The execution belongs to the state machine (AWS lists it there, names are unique
        # there) and runs the version's definition: moto's interpreter copies the machine as
        # the execution starts, so the version's definition stands in for that moment.
        latest = machine.definition
        machine.definition = version.definition
        try:
            execution = backend.start_execution(base, name, payload)
        finally:
            machine.definition = latest
        QUALIFIED_EXECUTIONS[execution.execution_arn] = record
    started = execution.start_date
    return {
        "executionArn": execution.execution_arn,
        "startDate": calendar.timegm(started.utctimetuple()),
    }


def _list_qualified_executions(body: dict, region: str) -> dict | None:
    """ListExecutions of an alias or version ARN: the executions it started."""
    base, qualifier = _split_qualified(body.get("stateMachineArn", ""))
    if qualifier is None:
        return None
    key = "stateMachineVersionArn" if qualifier.isdigit() else "stateMachineAliasArn"
    backend = _sfn_backend(base, region)
    if qualifier.isdigit():
        backend.describe_state_machine(body["stateMachineArn"])
    else:
        backend.describe_state_machine_alias(body["stateMachineArn"])
    status = body.get("statusFilter")
    rows = []
    for execution in backend.describe_state_machine(base).executions:
        record = QUALIFIED_EXECUTIONS.get(execution.execution_arn, {})
        if record.get(key) != body["stateMachineArn"]:
            continue
        current = getattr(execution.status, "value", execution.status)
        if status and current != status:
            continue
        row = {
            "executionArn": execution.execution_arn,
            "name": execution.name,
            "startDate": calendar.timegm(execution.start_date.utctimetuple()),
            "stateMachineArn": base,
            "status": current,
            **record,
        }
        if execution.stop_date is not None:
            row["stopDate"] = calendar.timegm(execution.stop_date.utctimetuple())
        rows.append(row)
    rows.sort(key=lambda row: row["startDate"], reverse=True)
    return {"executions": rows}


def _with_qualifiers(body: dict, payload: dict, region: str) -> dict:
    """DescribeExecution / ListExecutions answers, with each execution's version and alias."""
    if "executions" in payload:
        for row in payload["executions"]:
            row.update(QUALIFIED_EXECUTIONS.get(row["executionArn"], {}))
    elif "executionArn" in payload:
        payload.update(QUALIFIED_EXECUTIONS.get(payload["executionArn"], {}))
    return payload


def _version_definition(body: dict, payload: dict, region: str) -> dict:
    """DescribeStateMachineForExecution: the definition of the version the execution ran."""
    version_arn = QUALIFIED_EXECUTIONS.get(body.get("executionArn", ""), {}).get(
        "stateMachineVersionArn"
    )
    if version_arn and "definition" in payload:
        version = _sfn_backend(version_arn, region).describe_state_machine(version_arn)
        payload["definition"] = version.definition
    return payload


ADDED_TARGETS = {
    "AWSStepFunctions.ValidateStateMachineDefinition": _validate_state_machine_definition,
    "AWSStepFunctions.ListStateMachineVersions": _list_state_machine_versions,
    "AWSStepFunctions.StartExecution": _start_qualified_execution,
    "AWSStepFunctions.ListExecutions": _list_qualified_executions,
}
# Targets moto answers whose answers are completed here: (request, answer, region) -> answer.
COMPLETED_TARGETS = {
    "AWSStepFunctions.DescribeExecution": _with_qualifiers,
    "AWSStepFunctions.ListExecutions": _with_qualifiers,
    "AWSStepFunctions.DescribeStateMachineForExecution": _version_definition,
}


def _region_of(environ: dict) -> str:
    """The region of the SigV4 credential scope (`.../<date>/<region>/<service>/...`)."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    try:
        return authorization.split("Credential=")[1].split("/")[2]
    except IndexError:
        return FAKE_CREDENTIALS["AWS_DEFAULT_REGION"]


def _credential_scope(environ: dict) -> tuple[str, str]:
    """(access key id, service) of a SigV4-signed request; empty strings when unsigned."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    try:
        scope = authorization.split("Credential=")[1].split(",")[0].split("/")
        return scope[0], scope[3]
    except IndexError:
        return "", ""


def _refusal(environ: dict, code: str, message: str) -> tuple[str, str, bytes]:
    """(status, content type, body) of AWS's error `code` in the request's protocol."""
    _, service = _credential_scope(environ)
    if environ.get("HTTP_X_AMZ_TARGET"):
        json_code = code if code.endswith("Exception") else f"{code}Exception"
        body = json.dumps({"__type": json_code, "message": message}).encode()
        return "400 Bad Request", "application/x-amz-json-1.0", body
    status = "403 Forbidden" if code == "AccessDenied" else "400 Bad Request"
    if service == "s3":
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    else:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>refused</RequestId></ErrorResponse>"
        )
    return status, "text/xml", b'<?xml version="1.0" encoding="UTF-8"?>\n' + body.encode()


def refuse_by_access_key(app):
    """Wrap a WSGI app: requests signed with a key in REFUSING_KEYS get that key's error."""

    def wrapped(environ, start_response):
        key, service = _credential_scope(environ)
        refusal = REFUSING_KEYS.get(key)
        if refusal is None or (service == "sts" and not refusal[2]):
            return app(environ, start_response)
        status, content_type, body = _refusal(environ, refusal[0], refusal[1])
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    return wrapped


def _completed(app, environ, start_response, body: dict, complete):
    """moto's answer to the request, passed through `complete` when it succeeded."""
    captured = {}

    def capture(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    data = b"".join(app(environ, capture))
    status = captured["status"]
    if status.startswith("200"):
        payload = complete(body, json.loads(data or b"{}"), _region_of(environ))
        data = json.dumps(payload, default=str).encode()
    headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
    start_response(status, [*headers, ("Content-Length", str(len(data)))])
    return [data]


def with_added_targets(app):
    """Wrap moto's WSGI app: answer the X-Amz-Target calls in ADDED_TARGETS (a handler that
    returns None passes the call on), complete moto's answers to COMPLETED_TARGETS, pass the
    rest."""

    def wrapped(environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        handler, complete = ADDED_TARGETS.get(target), COMPLETED_TARGETS.get(target)
        if handler is None and complete is None:
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length)
        body = json.loads(raw or b"{}")
        environ["wsgi.input"] = io.BytesIO(raw)
        try:
            payload, status = (handler(body, _region_of(environ)) if handler else None), "200 OK"
        except Exception as exc:
            code = getattr(exc, "error_type", None) or "StateMachineDoesNotExist"
            payload = {"__type": code, "message": str(getattr(exc, "message", exc))}
            status = "400 Bad Request"
        if payload is None:
            if complete is None:
                return app(environ, start_response)
            return _completed(app, environ, start_response, body, complete)
        data = json.dumps(payload, default=str).encode()
        start_response(
            status,
            [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(data)))],
        )
        return [data]

    return wrapped


TRANSPORT_CONDITION_KEYS = {"aws:securetransport", "s3:tlsversion"}
# Who every request to this server comes from (GetCallerIdentity answers user/moto).
CALLER_PRINCIPAL_ARN = "arn:aws:iam::123456789012:user/moto"


def _is_transport_deny(statement: dict) -> bool:
    """A Deny whose conditions all test the transport (what a TLS 1.2+ request never matches)."""
    conditions = statement.get("Condition") or {}
    keys = {key.lower() for operator in conditions.values() for key in operator}
    return statement.get("Effect") == "Deny" and bool(keys) and keys <= TRANSPORT_CONDITION_KEYS


def _names_principal_arn(statement: dict) -> bool:
    """A statement whose conditions test aws:PrincipalArn (moto does not evaluate it)."""
    conditions = statement.get("Condition") or {}
    keys = {key.lower() for entries in conditions.values() for key in entries}
    return "aws:principalarn" in keys


def treat_requests_as_tls() -> None:
    """Make moto's bucket-policy check skip transport-only Deny statements (idempotent)."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    if getattr(FakeBucket.get_permission, "legacylift_tls", False):
        return

    def get_permission(self, action: str, resource: str):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = json.loads(self.policy.decode())
        statements = policy["Statement"]
        statements = statements if isinstance(statements, list) else [statements]
        statements = [each for each in statements if not _is_transport_deny(each)]
        from tests.iam_evaluation import Request, statement_applies

        caller = Request(action, resource, {"aws:PrincipalArn": CALLER_PRINCIPAL_ARN})
        for each in statements:
            deny = each.get("Effect") == "Deny" and _names_principal_arn(each)
            if deny and statement_applies(each, caller):
                return PermissionResult.DENIED
        policy["Statement"] = [each for each in statements if not _names_principal_arn(each)]
        return IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource)

    get_permission.legacylift_tls = True
    FakeBucket.get_permission = get_permission


@dataclass
class Throttle:
    """The first `refused` of every `period` calls to one target are throttled."""

    refused: int
    period: int
    calls: int = 0
    throttled: int = 0


THROTTLES: dict[str, Throttle] = {}
_THROTTLE_LOCK = threading.Lock()


@contextmanager
def throttled(target: str, refused: int = 2, period: int = 3) -> Iterator[Throttle]:
    """Throttle `target` (an X-Amz-Target such as AWSStepFunctions.CreateStateMachine) on every
    moto server of this process while the context lasts; yields the counters."""
    throttle = Throttle(refused, period)
    with _THROTTLE_LOCK:
        THROTTLES[target] = throttle
    try:
        yield throttle
    finally:
        with _THROTTLE_LOCK:
            THROTTLES.pop(target, None)


def throttle_by_target(app):
    """Wrap a WSGI app: calls to a target in THROTTLES get ThrottlingException by its pattern."""

    def wrapped(environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        with _THROTTLE_LOCK:
            throttle = THROTTLES.get(target)
            refuse = False
            if throttle is not None:
                refuse = throttle.calls % throttle.period < throttle.refused
                throttle.calls += 1
                throttle.throttled += refuse
        if not refuse:
            return app(environ, start_response)
        status, content_type, body = _refusal(environ, "ThrottlingException", "Rate exceeded")
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    return wrapped


class _ExtendedThreadedMotoServer(ThreadedMotoServer):
    """moto's threaded server with `with_added_targets` around its application."""

    def _server_entry(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        app = throttle_by_target(
            refuse_by_access_key(
                with_added_targets(DomainDispatcherApplication(create_backend_app))
            )
        )
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


class MotoServer:
    """A moto server bound to 127.0.0.1 only; use as a context manager."""

    def __init__(self) -> None:
        self.port = free_loopback_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._server = _ExtendedThreadedMotoServer(
            ip_address="127.0.0.1", port=self.port, verbose=False
        )

    def __enter__(self) -> MotoServer:
        treat_requests_as_tls()
        self._server.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.stop()
