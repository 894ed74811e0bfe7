"""The process catalogue: units, processes, dependencies, KPIs, assessments, audit trail."""
