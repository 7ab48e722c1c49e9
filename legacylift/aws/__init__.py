"""Operating LegacyLift on AWS: deploy a workspace, run and follow executions, read logs."""
