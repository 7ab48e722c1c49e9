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
- Bucket policies and transport: moto enforces a bucket policy's Deny on object calls but
  evaluates no condition operator except StringEquals, so the TLS-only Deny every hardened
  bucket carries (`aws:SecureTransport` false, `s3:TlsVersion` < 1.2) denies every object call.
  The server takes each request as arriving over TLS 1.3, as requests to AWS do: Deny
  statements conditioned only on those two keys do not apply (`treat_requests_as_tls`).
- Refused credentials: moto enforces IAM only process-wide, which would refuse every other
  test's calls too. Requests signed with the access key ids in `REFUSING_KEYS` are answered
  with AWS's own error shape for the protocol (JSON `__type`, S3's `<Error>`, the query
  protocol's `<ErrorResponse>`): AccessDenied on every call but STS's (AWS never denies
  GetCallerIdentity), ExpiredToken everywhere, or ExpiredToken after a valid STS check (a
  session expiring mid-command) (`refuse_by_access_key`).
"""

from __future__ import annotations

import calendar
import json
import socket

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


ADDED_TARGETS = {
    "AWSStepFunctions.ValidateStateMachineDefinition": _validate_state_machine_definition,
    "AWSStepFunctions.ListStateMachineVersions": _list_state_machine_versions,
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


def with_added_targets(app):
    """Wrap moto's WSGI app: answer the X-Amz-Target calls in ADDED_TARGETS, pass the rest."""

    def wrapped(environ, start_response):
        handler = ADDED_TARGETS.get(environ.get("HTTP_X_AMZ_TARGET", ""))
        if handler is None:
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        try:
            payload, status = handler(body, _region_of(environ)), "200 OK"
        except Exception as exc:  # noqa: BLE001 - any lookup failure is the client's bad ARN
            payload = {"__type": "StateMachineDoesNotExist", "message": str(exc)}
            status = "400 Bad Request"
        data = json.dumps(payload, default=str).encode()
        start_response(
            status,
            [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(data)))],
        )
        return [data]

    return wrapped


TRANSPORT_CONDITION_KEYS = {"aws:securetransport", "s3:tlsversion"}


def _is_transport_deny(statement: dict) -> bool:
    """A Deny whose conditions all test the transport (what a TLS 1.2+ request never matches)."""
    conditions = statement.get("Condition") or {}
    keys = {key.lower() for operator in conditions.values() for key in operator}
    return statement.get("Effect") == "Deny" and bool(keys) and keys <= TRANSPORT_CONDITION_KEYS


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
        policy["Statement"] = [each for each in statements if not _is_transport_deny(each)]
        return IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource)

    get_permission.legacylift_tls = True
    FakeBucket.get_permission = get_permission


class _ExtendedThreadedMotoServer(ThreadedMotoServer):
    """moto's threaded server with `with_added_targets` around its application."""

    def _server_entry(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        app = refuse_by_access_key(
            with_added_targets(DomainDispatcherApplication(create_backend_app))
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
