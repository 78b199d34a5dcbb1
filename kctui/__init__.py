"""kctui: a terminal console for troubleshooting Apache Kafka Connect clusters."""

__version__ = "0.1.0"
