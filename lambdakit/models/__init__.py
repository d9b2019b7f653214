"""The course's architecture models, beside the runtime rather than in it.

:mod:`lambdakit.models.ec2` holds the EC2 example prices the always-on comparisons use.
"""
