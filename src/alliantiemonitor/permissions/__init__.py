"""Who may do what with which object: the one place where that is decided.

See :mod:`alliantiemonitor.permissions.rules` for the table and docs/permissions.md for the
rules in words. The apps fetch their objects through the access helper of each resource
(``get_trajectory_for``, ``get_round_for``, ``get_signal_for``, ``get_team_for``,
``get_organisation_for``), which ask :mod:`~alliantiemonitor.permissions.policy`.
"""
