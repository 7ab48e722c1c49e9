locals {
  input_area = "${var.model}/input/"

  # Starting an alias (or version) is authorised against the unqualified state machine ARN with
  # the qualifier as states:StateMachineQualifier, so the grant names both and pins the qualifier.
  arn_parts   = split(":", var.state_machine_arn)
  qualifier   = length(local.arn_parts) == 8 ? local.arn_parts[7] : null
  unqualified = join(":", slice(local.arn_parts, 0, 7))

  # A schedule tick: the day that just ended is the local calendar day before the scheduled
  # start, in the schedule's time zone (its UTC offset looked up in utc_offsets); the execution
  # is named after the scheduled time, so a tick delivered twice starts one run.
  schedule_templates = var.schedule == null ? {} : {
    input  = replace(replace(var.schedule.input, "{bucket}", var.data_bucket), "{model}", var.model)
    output = replace(replace(var.schedule.output, "{bucket}", var.data_bucket), "{model}", var.model)
  }
  fill = "function($template) { $replace($replace($replace($replace($template, '{date}', $fromMillis($ended, '[Y0001]-[M01]-[D01]')), '{year}', $fromMillis($ended, '[Y0001]')), '{month}', $fromMillis($ended, '[M01]')), '{day}', $fromMillis($ended, '[D01]')) }"
  scheduled_run = var.schedule == null ? "" : join(" ", [
    "$offsets := ${jsonencode(var.schedule.utc_offsets)};",
    "$t := $toMillis($states.input.scheduled_time);",
    "$offset := $reduce($offsets, function($kept, $row) { $row[0] <= $t ? $row[1] : $kept }, $offsets[0][1]);",
    "$ended := $t + $offset * 60000 - 86400000;",
    "$fill := ${local.fill};",
    "{'StateMachineArn': ${jsonencode(var.state_machine_arn)},",
    "'Name': 'scheduled-' & $fromMillis($t, '[Y0001][M01][D01]T[H01][m01]Z'),",
    "'Input': {'input_uri': $fill(${jsonencode(local.schedule_templates.input)}), 'output_uri': $fill(${jsonencode(local.schedule_templates.output)})}}",
  ])

  # A batch marker: its folder is the run's input, the same path under <model>/output/ its
  # output; the execution is named after the folder, so a marker written twice starts one run.
  marker = var.trigger == null ? "" : var.trigger.marker
  upload_run = var.trigger == null ? "" : join(" ", [
    "$key := $states.input.key;",
    "$folder := $substring($key, 0, $length($key) - ${length(local.marker)});",
    "{'StateMachineArn': ${jsonencode(var.state_machine_arn)},",
    "'Name': 'upload-' & $hash($folder, 'SHA-256'),",
    "'Input': {'input_uri': 's3://' & $states.input.bucket & '/' & $folder,",
    "'output_uri': 's3://' & $states.input.bucket & '/${var.model}/output/' & $substringAfter($folder, ${jsonencode(local.input_area)})}}",
  ])

  arguments = "{% ( ${join(" ", compact([
    var.schedule == null ? "" : "$schedule := function() { ( ${local.scheduled_run} ) };",
    var.trigger == null ? "" : "$upload := function() { ( ${local.upload_run} ) };",
    "$states.input.source = 'schedule' ? $schedule() : $upload()",
  ]))} ) %}"

  definition = jsonencode({
    Comment       = "Starts one run of LegacyLift model ${var.model} for a schedule tick or a batch marker's upload."
    QueryLanguage = "JSONata"
    StartAt       = "StartRun"
    States = {
      StartRun = {
        Type      = "Task"
        Comment   = "StartExecution of the model's state machine (not .sync: the starter ends once the run has started)."
        Resource  = "arn:aws:states:::states:startExecution"
        Arguments = local.arguments
        End       = true
      }
    }
  })

  policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [merge(
      {
        Sid      = "StartTheModelsRuns"
        Effect   = "Allow"
        Action   = ["states:StartExecution"]
        Resource = local.qualifier == null ? [var.state_machine_arn] : [local.unqualified, var.state_machine_arn]
      },
      local.qualifier == null ? {} : {
        Condition = { StringEquals = { "states:StateMachineQualifier" = local.qualifier } }
      },
    )]
  })

  event_pattern = var.trigger == null ? null : jsonencode({
    source        = ["aws.s3"]
    "detail-type" = ["Object Created"]
    detail = {
      bucket = { name = [var.data_bucket] }
      object = { key = [
        { wildcard = "${var.trigger.on_upload}${local.marker}" },
        { wildcard = "${var.trigger.on_upload}*/${local.marker}" },
      ] }
    }
  })
}
