"""Jupyter views for the lambdakit course: they render lambdakit's records, never compute them.

>>> from widgets import check_environment
>>> check_environment(show=False).ok
True
"""

from widgets.board import EnvironmentBoard
from widgets.concurrency import concurrency_chart
from widgets.cost import CostCalculator
from widgets.events_panel import EventPanel, FireResult
from widgets.exercises import CheckResult, Exercise, hint, passed
from widgets.logs import LogViewer
from widgets.playback import Playback
from widgets.setup_check import EnvironmentReport, Requirement, check_environment, check_widgets
from widgets.timeline import Timeline, timeline

__version__ = "0.1.0"

__all__ = [
    "CheckResult",
    "CostCalculator",
    "EnvironmentBoard",
    "EventPanel",
    "FireResult",
    "LogViewer",
    "Playback",
    "Timeline",
    "concurrency_chart",
    "timeline",
    "EnvironmentReport",
    "Exercise",
    "Requirement",
    "__version__",
    "check_environment",
    "check_widgets",
    "hint",
    "passed",
]
