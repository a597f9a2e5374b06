"""Alerts: conditions an operator must act on, evaluated periodically in each service
process, logged and sent to a webhook and/or by e-mail, once per condition until it clears
(docs/operator-guide.md, "Monitoring and alerts")."""
