output "bucket_id" {
  description = "Name of the data bucket (bucket_name when create is false)."
  value       = var.create ? aws_s3_bucket.this[0].id : var.bucket_name
}

output "bucket_arn" {
  description = "ARN of the data bucket, or null when create is false."
  value       = var.create ? aws_s3_bucket.this[0].arn : null
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the data bucket, or null when create is false."
  value       = var.create ? aws_s3_bucket.this[0].bucket_regional_domain_name : null
}
