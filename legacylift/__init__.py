"""LegacyLift: lift legacy ML models onto SageMaker Processing + Step Functions, unchanged."""

__version__ = "0.1.0"
