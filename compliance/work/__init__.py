"""What needs doing, across an organisation's assessments and across a person's
organisations: my work, the portfolio and its campaigns, and the daily reminders."""
