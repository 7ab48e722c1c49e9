terraform {
  # No providers: this module only renders text (ASL definitions, IAM policy JSON), so it plans
  # and applies anywhere, including `invoke run-local` on a machine without cloud credentials.
  required_version = ">= 1.0.3"
}
