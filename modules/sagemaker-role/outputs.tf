output "role_arn" {
  description = "ARN of the execution role."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the execution role."
  value       = aws_iam_role.this.name
}

output "policy_id" {
  description = "ID of the role's inline policy (`role:name`); depend on it before starting jobs."
  value       = aws_iam_role_policy.this.id
}
