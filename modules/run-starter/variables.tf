variable "model" {
  description = "Name of the model whose runs the starter starts (lowercase letters, digits and hyphens, at most 32 characters)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,31}$", var.model))
    error_message = "The model must be a model name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters."
  }
}

variable "state_machine_arn" {
  description = "ARN of the model's state machine, the only one the starter may start (its `live` alias, once state machines have one)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?$", var.state_machine_arn))
    error_message = "The state_machine_arn must be a Step Functions state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME), optionally with a version or alias."
  }
}

variable "data_bucket" {
  description = "Name of the data bucket: `{bucket}` in the schedule's templates, and the bucket whose uploads the trigger watches."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.data_bucket))
    error_message = "The data_bucket must be an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)."
  }
}

variable "schedule" {
  description = <<-EOT
    The model's `[schedule]` as the build writes it, or null: `expression` (cron/rate, AWS's
    syntax), `time_zone` (IANA), `input` and `output` (s3:// templates with {date}, {year},
    {month}, {day}: the day that just ended before the scheduled start, in the time zone;
    {bucket}, {model}) and `utc_offsets` ([[epoch ms, minutes], ...]: the zone's UTC offsets,
    which the starter looks the scheduled start up in, JSONata knowing no tz database).
  EOT
  type        = any
  default     = null

  validation {
    condition = var.schedule == null ? true : (
      can(regex("^(cron|rate)\\(.+\\)$", var.schedule.expression)) &&
      can(regex("^s3://", var.schedule.input)) && can(regex("^s3://", var.schedule.output)) &&
      can(length(var.schedule.utc_offsets)) && can(var.schedule.utc_offsets[0][1]) &&
      length(regexall("[{]", replace(replace(replace(replace(replace(replace(join(" ", [var.schedule.input, var.schedule.output]), "{date}", ""), "{year}", ""), "{month}", ""), "{day}", ""), "{bucket}", ""), "{model}", ""))) == 0
    )
    error_message = "The schedule needs expression (cron(...) or rate(...)), input and output (s3:// templates using only {date}, {year}, {month}, {day}, {bucket}, {model}) and utc_offsets: rebuild the model (invoke build-model NAME) so the build writes them."
  }
}

variable "trigger" {
  description = "The model's `[trigger]` as the build writes it, or null: `on_upload` (a key prefix inside `<model>/input/` of the data bucket, ending in /) and `marker` (the file name whose arrival under it starts one run for its folder, e.g. `_SUCCESS`)."
  type        = any
  default     = null

  validation {
    condition = var.trigger == null ? true : (
      can(regex("^[A-Za-z0-9!_.*'()/-]+/$", var.trigger.on_upload)) &&
      can(regex("^[A-Za-z0-9_.-]+$", var.trigger.marker)) &&
      length(regexall("(^|/)[.][.]?/|//", var.trigger.on_upload)) == 0
    )
    error_message = "The trigger needs on_upload (a key prefix ending in /, without .. or //) and marker (a file name such as _SUCCESS)."
  }
}
