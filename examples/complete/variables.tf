variable "region" {
  description = "AWS region to deploy the example into."
  type        = string
  default     = "eu-west-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
  default     = "legacylift-complete"
}

variable "iris_image_digest" {
  description = "sha256 digest (64 hex digits) of the iris image pushed to its repository."
  type        = string
  default     = "0000000000000000000000000000000000000000000000000000000000000000"

  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.iris_image_digest))
    error_message = "The iris_image_digest must be 64 lowercase hex digits (the part after sha256:)."
  }
}
