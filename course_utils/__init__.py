"""Small helpers shared by the course notebooks.

Each helper is first written out in the open in the lesson that teaches it; later
lessons import it from here so that they can focus on their own topic.
"""

__version__ = "0.1.0"
