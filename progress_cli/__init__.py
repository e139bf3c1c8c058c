"""progress-cli: learner progress, readiness, reports and certificates from session logs."""

__version__ = "0.1.0"
