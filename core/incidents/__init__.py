"""Incidents: one outage, however many people report it (docs/incidents.md).

Import from the modules: `model`, `related`, `surge`, `breakdown` and
`analytics` are pure; `intake` (called by ticket creation), `links`, `progress`
and `service` work inside transactions. Nothing is re-exported here, so that
`core.tickets` can use the intake without importing the service, which uses it.
"""
