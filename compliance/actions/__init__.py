"""Remediation actions: what an organisation does about its findings, by whom and by when,
with every change recorded."""
