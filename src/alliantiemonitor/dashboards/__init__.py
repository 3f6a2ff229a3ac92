"""Read models and pages that gather many trajectories: the professional's caseload (and,
later, the team and organisation dashboards and the signals that feed them)."""
