"""Automatic checks for the course's exercises: one module per chapter (``chNN.py``).

>>> from widgets.checks import ch00
>>> ch00.billed_duration.check("b", show=False).passed
True
"""
