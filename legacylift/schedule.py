"""EventBridge Scheduler expressions evaluated in Python: when a model's schedule starts runs,
and the input each run gets.

A schedule is `cron(minutes hours day-of-month month day-of-week year)` or
`rate(value minutes|hours|days)` in AWS's syntax, evaluated in an IANA time zone the way
EventBridge Scheduler does: a local time skipped by a daylight-saving change does not run, a
local time repeated by one runs once (its first occurrence), and a rate counts fixed durations
(a day is 24 hours). The run's input comes from a template whose placeholders name the day that
just ended before the scheduled start (`{date}`, `{year}`, `{month}`, `{day}`), the data bucket
(`{bucket}`) and the model (`{model}`).

AWS reference: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
"""

from __future__ import annotations

import calendar
import re
import string
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from legacylift.errors import LegacyLiftError

MONTHS = {name: index for index, name in enumerate(calendar.month_abbr) if name}
MONTHS = {name.upper(): index for name, index in MONTHS.items()}
# AWS numbers the days of the week 1 (SUN) to 7 (SAT).
WEEKDAYS = {
    name: index + 1 for index, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))
}
FIELDS = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
BOUNDS = {
    "minutes": (0, 59),
    "hours": (0, 23),
    "day-of-month": (1, 31),
    "month": (1, 12),
    "day-of-week": (1, 7),
    "year": (1970, 2199),
}
RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
CRON = re.compile(r"^cron\((.+)\)$")
UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
PLACEHOLDERS = ("date", "year", "month", "day", "bucket", "model")
# The span of UTC offsets the build writes for the AWS side (a rebuild refreshes them, e.g.
# after a tz database change).
OFFSET_YEARS = (2024, 2050)
SYNTAX = (
    "use cron(minutes hours day-of-month month day-of-week year) with '?' in one of the day "
    "fields, e.g. cron(0 2 * * ? *) for 02:00 every day, or rate(value minutes|hours|days), "
    "e.g. rate(6 hours)"
)


@dataclass(frozen=True)
class _Field:
    """One cron field: the values it allows, or a day rule (L, W, #) for the day fields."""

    values: frozenset[int]
    unspecified: bool = False  # '?': the other day field decides
    last: bool = False  # day-of-month L
    weekday_near: int | None = None  # day-of-month nW
    last_weekday: int | None = None  # day-of-week nL
    nth: tuple[int, int] | None = None  # day-of-week n#k


@dataclass(frozen=True)
class Expression:
    """A parsed schedule expression: a cron's fields, or a rate's period."""

    text: str
    fields: tuple[_Field, ...] = ()
    period: timedelta | None = None


def _error(expression: str, problem: str) -> LegacyLiftError:
    return LegacyLiftError(f"schedule expression {expression!r}: {problem}; {SYNTAX}")


def _number(text: str, name: str, expression: str) -> int:
    names = MONTHS if name == "month" else WEEKDAYS if name == "day-of-week" else {}
    if text.upper() in names:
        return names[text.upper()]
    low, high = BOUNDS[name]
    if not text.isdigit() or not low <= int(text) <= high:
        raise _error(expression, f"{name} value {text!r} is not a number from {low} to {high}")
    return int(text)


def _field(text: str, name: str, expression: str) -> _Field:
    special = _special_field(text, name, expression)
    if special is not None:
        return special
    low, high = BOUNDS[name]
    values: set[int] = set()
    for part in text.split(","):
        base, slash, step = part.partition("/")
        if slash and (not step.isdigit() or int(step) < 1):
            raise _error(expression, f"{name} {part!r}: the increment after '/' is a whole number")
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _number(first, name, expression), _number(last, name, expression)
            if start > end:
                raise _error(expression, f"{name} range {base!r} runs backwards")
        else:
            start = _number(base, name, expression)
            end = high if slash else start
        values.update(range(start, end + 1, int(step) if slash else 1))
    return _Field(frozenset(values))


def _special_field(text: str, name: str, expression: str) -> _Field | None:
    """`?`, and the day forms `L`, `NW` (day-of-month), `NL` and `N#M` (day-of-week); None for
    a list of values, ranges and increments."""
    if text == "?":
        if name not in ("day-of-month", "day-of-week"):
            raise _error(
                expression, f"'?' is allowed only in day-of-month or day-of-week, not {name}"
            )
        return _Field(frozenset(), unspecified=True)
    if name == "day-of-month" and text == "L":
        return _Field(frozenset(), last=True)
    if name == "day-of-month" and text.endswith("W") and text[:-1].isdigit():
        return _Field(frozenset(), weekday_near=_number(text[:-1], name, expression))
    if name == "day-of-week" and text.endswith("L") and len(text) > 1:
        return _Field(frozenset(), last_weekday=_number(text[:-1], name, expression))
    if name == "day-of-week" and "#" in text:
        weekday, _, nth = text.partition("#")
        if not nth.isdigit() or not 1 <= int(nth) <= 5:
            raise _error(expression, f"day-of-week {text!r}: the week after '#' is 1 to 5")
        return _Field(frozenset(), nth=(_number(weekday, name, expression), int(nth)))
    return None


def parse(expression: str) -> Expression:
    """The expression checked as EventBridge Scheduler checks it; a LegacyLiftError names what
    is wrong and the syntax otherwise."""
    if not isinstance(expression, str):
        raise _error(str(expression), "not a string")
    text = expression.strip()
    rate = RATE.match(text)
    if rate:
        value = int(rate.group(1))
        if value < 1:
            raise _error(expression, "a rate's value is a whole number of at least 1")
        return Expression(
            text, period=timedelta(seconds=value * UNIT_SECONDS[rate.group(2).rstrip("s")])
        )
    cron = CRON.match(text)
    if not cron:
        if text.startswith("at("):
            raise _error(expression, "a one-time at() schedule starts no recurring runs")
        raise _error(expression, "not a cron() or rate() expression")
    parts = cron.group(1).split()
    if len(parts) != len(FIELDS):
        raise _error(expression, f"a cron has 6 fields ({' '.join(FIELDS)}), this one {len(parts)}")
    fields = tuple(_field(part, name, expression) for part, name in zip(parts, FIELDS, strict=True))
    if (parts[2] == "?") == (parts[4] == "?"):
        raise _error(
            expression,
            "exactly one of day-of-month and day-of-week must be '?' (AWS cannot combine both)",
        )
    return Expression(text, fields=fields)


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`; a LegacyLiftError when the tz database does not know it."""
    if isinstance(name, str) and name in available_timezones():
        try:
            return ZoneInfo(name)
        except ZoneInfoNotFoundError:
            pass
    raise LegacyLiftError(
        f"time zone {name!r} is not an IANA time zone EventBridge Scheduler knows: use a name "
        "such as 'UTC', 'Europe/Paris' or 'America/New_York'"
    )


def _day_matches(expression: Expression, day: date) -> bool:
    _, _, dom, month, dow, year = expression.fields
    if day.year not in year.values or day.month not in month.values:
        return False
    last_day = calendar.monthrange(day.year, day.month)[1]
    weekday = (day.isoweekday() % 7) + 1  # AWS: SUN=1 .. SAT=7
    if not dom.unspecified:
        if dom.last:
            return day.day == last_day
        if dom.weekday_near is not None:
            return day == _nearest_weekday(day.year, day.month, min(dom.weekday_near, last_day))
        return day.day in dom.values
    if dow.last_weekday is not None:
        return weekday == dow.last_weekday and day.day + 7 > last_day
    if dow.nth is not None:
        return weekday == dow.nth[0] and (day.day - 1) // 7 + 1 == dow.nth[1]
    return weekday in dow.values


def _nearest_weekday(year: int, month: int, day_of_month: int) -> date:
    day = date(year, month, day_of_month)
    if day.weekday() == 5:  # Saturday: the Friday before, unless that leaves the month
        return day - timedelta(days=1) if day_of_month > 1 else day + timedelta(days=2)
    if day.weekday() == 6:  # Sunday: the Monday after, unless that leaves the month
        last = calendar.monthrange(year, month)[1]
        return day + timedelta(days=1) if day_of_month < last else day - timedelta(days=2)
    return day


def _local_time(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime | None:
    """The local time, or None when a daylight-saving change skips it (fold 0: the first of a
    repeated time)."""
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    back = local.astimezone(UTC).astimezone(zone)
    return local if back.replace(tzinfo=None) == local.replace(tzinfo=None) else None


def parse_start(value: object, zone_name: str) -> datetime:
    """A schedule's `start` (EventBridge Scheduler's StartDate): a date (2028-03-01, from
    midnight) or a local date and time (2028-03-01T02:30), in the schedule's time zone, as
    text or as a TOML date or local date-time; aware, in that zone."""
    zone = time_zone(zone_name)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            moment = None
    if moment is None or moment.tzinfo is not None:
        raise LegacyLiftError(
            f"start = {value!r}: give a date (2028-03-01) or a local date and time "
            f"(2028-03-01T02:30) without an offset: the schedule's time zone ({zone_name}) applies"
        )
    return moment.replace(tzinfo=zone)


def start_date_utc(value: object, zone_name: str) -> str:
    """The schedule's `start` as EventBridge Scheduler's StartDate: UTC, 2028-03-01T01:30:00Z."""
    moment = parse_start(value, zone_name).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def next_starts(
    expression: str,
    zone_name: str,
    after: datetime,
    count: int = 5,
    start: datetime | None = None,
) -> list[datetime]:
    """The next `count` scheduled starts strictly after `after` (an aware datetime), as aware
    local datetimes in the schedule's time zone, none before `start` (StartDate) when given. A
    rate counts from `start`, else from `after`, as a schedule created then without a start
    date does."""
    parsed, zone = parse(expression), time_zone(zone_name)
    if parsed.period is not None:
        # Fixed durations: count in UTC, not on the wall clock.
        if start is None:
            first = after.astimezone(UTC) + parsed.period
        elif start > after:
            first = start.astimezone(UTC)
        else:
            first = start.astimezone(UTC) + parsed.period * ((after - start) // parsed.period + 1)
        return [(first + parsed.period * index).astimezone(zone) for index in range(count)]
    if start is not None and start > after:
        after = start - timedelta(microseconds=1)
    minutes, hours = sorted(parsed.fields[0].values), sorted(parsed.fields[1].values)
    found: list[datetime] = []
    day = after.astimezone(zone).date()
    last_year = max(parsed.fields[5].values)
    while len(found) < count and day.year <= last_year:
        if _day_matches(parsed, day):
            for hour in hours:
                for minute in minutes:
                    local = _local_time(day, hour, minute, zone)
                    if local is not None and local > after and len(found) < count:
                        found.append(local)
        day += timedelta(days=1)
    return found


def check_template(template: str, what: str) -> str:
    """`template` if every `{placeholder}` is one LegacyLift fills in and it is an s3:// URI."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise LegacyLiftError(
            f"{what} = {template!r}: {exc}; write placeholders as {{date}}"
        ) from exc
    unknown = sorted(set(names) - set(PLACEHOLDERS))
    if unknown or not template.startswith("s3://"):
        raise LegacyLiftError(
            f"{what} = {template!r}: give an s3:// URI whose placeholders are among "
            f"{', '.join('{' + name + '}' for name in PLACEHOLDERS)}, e.g. "
            "'s3://{bucket}/{model}/input/{date}/'"
        )
    return template


def render(template: str, scheduled: datetime, bucket: str, model: str) -> str:
    """The template for a run scheduled at `scheduled` (local time): the day that just ended is
    the local calendar day before the scheduled start."""
    ended = scheduled.date() - timedelta(days=1)
    return template.format(
        date=ended.isoformat(),
        year=f"{ended.year:04d}",
        month=f"{ended.month:02d}",
        day=f"{ended.day:02d}",
        bucket=bucket,
        model=model,
    )


def utc_offsets(zone_name: str, first_year: int, last_year: int) -> list[list[int]]:
    """The zone's UTC offset changes from `first_year` to `last_year`: [[epoch milliseconds from
    which it holds, offset in minutes], ...], first row from the start of `first_year`. The AWS
    side of a schedule looks the scheduled start's offset up here (JSONata knows no tz database)."""
    zone = time_zone(zone_name)
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)

    def offset(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds() // 60)

    rows = [[int(moment.timestamp() * 1000), offset(moment)]]
    step = timedelta(hours=1)
    while moment < end:
        later = moment + step
        if offset(later) != rows[-1][1]:
            low, high = moment, later  # the change lies in (low, high]: find its minute
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    break
                low, high = (middle, high) if offset(middle) == rows[-1][1] else (low, middle)
            rows.append([int(high.timestamp() * 1000), offset(high)])
        moment = later
    return rows


@dataclass(frozen=True)
class ScheduledRun:
    """One start a model's schedule would make: when, and the execution input it would get."""

    start: datetime
    input_uri: str
    output_uri: str


def model_schedule(model) -> dict:
    """The model's `[schedule]`; a LegacyLiftError when model.toml declares none."""
    if model.schedule is None:
        raise LegacyLiftError(
            f"model {model.name!r} has no [schedule] in {model.path / 'model.toml'}: add one, "
            'e.g. expression = "cron(0 2 * * ? *)", time_zone = "Europe/Paris", '
            'input = "s3://{bucket}/{model}/input/{date}/" (docs/deployment.md, "Schedules")'
        )
    return model.schedule


def run_at(model, start: datetime, bucket: str) -> ScheduledRun:
    """The run the model's schedule starts at `start` (aware; taken in the schedule's zone)."""
    rule = model_schedule(model)
    local = start.astimezone(time_zone(rule["time_zone"]))
    return ScheduledRun(
        local,
        render(rule["input"], local, bucket, model.name),
        render(rule["output"], local, bucket, model.name),
    )


def upcoming(model, after: datetime, bucket: str, count: int = 5) -> list[ScheduledRun]:
    """The next `count` runs of the model's schedule after `after`."""
    rule = model_schedule(model)
    begins = parse_start(rule["start"], rule["time_zone"]) if rule.get("start") else None
    starts = next_starts(rule["expression"], rule["time_zone"], after, count, begins)
    return [run_at(model, start, bucket) for start in starts]


def as_of(model, text: str, bucket: str) -> ScheduledRun:
    """The run the schedule would have started at `text`: a date (YYYY-MM-DD: its first
    scheduled start that day, in the schedule's zone) or a local date and time
    (YYYY-MM-DDTHH:MM). The run's input is the template for that start."""
    rule = model_schedule(model)
    zone = time_zone(rule["time_zone"])
    begins = parse_start(rule["start"], rule["time_zone"]) if rule.get("start") else None
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise LegacyLiftError(
            f"--as-of {text!r}: give a date (2027-03-01) or a local date and time "
            "(2027-03-01T02:00) in the schedule's time zone"
        ) from None
    if moment.tzinfo is not None:
        raise LegacyLiftError(
            f"--as-of {text!r}: give a local time without an offset; the schedule's time zone "
            f"({rule['time_zone']}) applies"
        )
    if len(text) == 10:  # a date: the first start the schedule makes that day
        midnight = datetime(moment.year, moment.month, moment.day, tzinfo=zone)
        starts = next_starts(
            rule["expression"], rule["time_zone"], midnight - timedelta(minutes=1), 1, begins
        )
        if not starts or starts[0].date() != midnight.date():
            raise LegacyLiftError(
                f"--as-of {text}: model {model.name!r}'s schedule {rule['expression']} starts no "
                f"run that day ({rule['time_zone']}); `invoke schedule {model.name}` lists its "
                "starts"
            )
        return run_at(model, starts[0], bucket)
    if begins is not None and moment.replace(tzinfo=zone) < begins:
        raise LegacyLiftError(
            f"--as-of {text}: model {model.name!r}'s schedule starts no run before its start "
            f"({rule['start']}, {rule['time_zone']})"
        )
    return run_at(model, moment.replace(tzinfo=zone), bucket)


def check_built(name: str, workspace: str) -> None:
    """Refuse a schedule for a model the workspace has no built image of: its state machine, and
    so its schedule, does not exist until the build pins one."""
    from legacylift import tfvars

    if workspace == "local":
        return
    entry = tfvars.read_models(workspace).get(name)
    if not entry or not entry.get("image_uri"):
        raise LegacyLiftError(
            f"model {name!r} has no built image in workspace {workspace!r}, so no state machine "
            f"for its schedule to start: run `invoke build-model {name} --workspace {workspace}` "
            "and deploy first"
        )
