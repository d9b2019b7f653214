"""The function model: configuration, versions and aliases, names, quotas, duration
models, handler loading, the context object and IAM.
"""
