terraform {
  # No providers: this module only renders text (the starter's ASL definition, its IAM policy,
  # the schedule's target input, the upload rule's pattern and input transformer).
  required_version = ">= 1.0.3"
}
