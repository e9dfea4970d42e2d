"""Clinic mode: the practice's own GPU server answers instead of the embedded model.

The one door in the no-egress wall: the daemon process (never an engine worker) may
connect to exactly the configured server, whose TLS key is pinned, and every request
it sends there is recorded in the audit trail without its content.
"""
