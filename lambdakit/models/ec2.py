"""EC2 on-demand prices for the course's always-on comparisons — one table, each with its source.

These are example figures (Linux, on-demand, US East (N. Virginia)), not lambdakit facts and
not in ``shared/lambda-facts.md``: check https://aws.amazon.com/ec2/pricing/on-demand/ and pass
your own hourly price for real decisions.

Example:
    >>> server = EC2_PRICES["t3.medium"]
    >>> server.usd_per_hour, server.vcpus, server.memory_gib
    (0.0416, 2, 4)
    >>> server.describe()
    't3.medium (2 vCPU, 4 GiB), Linux on-demand, us-east-1'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EC2_PRICES", "Ec2Price"]


@dataclass(frozen=True, slots=True)
class Ec2Price:
    """One instance type's on-demand price and where the figure was read."""

    instance_type: str
    vcpus: int
    memory_gib: int
    usd_per_hour: float
    source: str

    def describe(self) -> str:
        return (f"{self.instance_type} ({self.vcpus} vCPU, {self.memory_gib} GiB), "
                "Linux on-demand, us-east-1")


EC2_PRICES: dict[str, Ec2Price] = {p.instance_type: p for p in (
    # the chapter 02 fleet's server
    Ec2Price("t3.medium", 2, 4, 0.0416,
             "aws.amazon.com/ec2/pricing/on-demand/ rate table, as transcribed by a third "
             "party on 2026-09-29"),
    # the cost calculator's default server
    Ec2Price("t3.large", 2, 8, 0.0832,
             "quoted for 2026 by a third-party EC2 pricing guide (go-cloud.io/?p=10607)"),
)}
