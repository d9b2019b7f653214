"""Observers: the record store and event table, and what is derived from them — logs, metrics
and cost.
"""
