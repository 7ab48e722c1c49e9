variable "region" {
  description = "AWS region to deploy the example into."
  type        = string
  default     = "eu-west-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
  default     = "legacylift-single"
}

variable "model_name" {
  description = "Name of the model (lowercase letters, digits and hyphens)."
  type        = string
  default     = "scorer"
}

variable "image_uri" {
  description = "The model image, pinned by digest (repo@sha256:...); null creates only its repository."
  type        = string
  default     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/legacylift/scorer@sha256:1111111111111111111111111111111111111111111111111111111111111111"
}
