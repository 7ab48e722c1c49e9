"""CPU and memory of SageMaker instance types, capped to what this machine has."""

from __future__ import annotations

import os

GIB = 1024**3

# vCPUs and memory (GiB) per family size, from the EC2 / SageMaker instance type pages.
_SIZES = {
    "medium": (2, None),
    "large": (2, None),
    "xlarge": (4, None),
    "2xlarge": (8, None),
    "4xlarge": (16, None),
    "8xlarge": (32, None),
    "9xlarge": (36, None),
    "10xlarge": (40, None),
    "12xlarge": (48, None),
    "16xlarge": (64, None),
    "18xlarge": (72, None),
    "24xlarge": (96, None),
    "32xlarge": (128, None),
    "48xlarge": (192, None),
    "96xlarge": (384, None),
}
# GiB of memory per vCPU by family (t3.medium is the odd one out: 2 vCPU, 4 GiB).
_GIB_PER_VCPU = {
    "t3": 2,
    "m4": 4,
    "m5": 4,
    "m6i": 4,
    "m7i": 4,
    "m8i": 4,
    "c4": 2,
    "c5": 2,
    "c6i": 2,
    "c7i": 2,
    "c8i": 2,
    "r5": 8,
    "r5d": 8,
    "r6i": 8,
    "r7i": 8,
    "r8i": 8,
    "g4dn": 4,
    "g5": 4,
    "g6": 4,
    "g6e": 8,
    "p2": 15,
    "p3": 7.6,
}


def instance_resources(instance_type: str) -> tuple[int, int]:
    """(vCPUs, memory bytes) of `instance_type`, e.g. ml.m5.xlarge -> (4, 16 GiB)."""
    _, family, size = instance_type.split(".", 2)
    family = family.removesuffix("-flex")
    vcpus = _SIZES.get(size, (2, None))[0]
    if instance_type == "ml.t3.medium":
        return 2, 4 * GIB
    return vcpus, int(vcpus * _GIB_PER_VCPU.get(family, 4) * GIB)


def host_memory_bytes() -> int:
    """Physical memory of this machine."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def container_limits(instance_type: str) -> dict[str, int]:
    """docker SDK arguments limiting a container to the instance type's size (capped to the
    machine: a 2-core laptop cannot give an ml.m5.4xlarge's 16 vCPUs)."""
    vcpus, memory = instance_resources(instance_type)
    cpus = min(vcpus, os.cpu_count() or 1)
    return {"nano_cpus": int(cpus * 1e9), "mem_limit": min(memory, host_memory_bytes())}
