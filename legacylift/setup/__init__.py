"""Machine setup: Terraform, its CLI config, a Docker daemon, the base image, a local registry.

Each step checks first and does nothing when its piece is already in place, so a second run is
quick. Run it as `python -m legacylift.setup` (./bootstrap does).
"""
