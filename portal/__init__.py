"""The office's portal (docs/spec/portal.md): clerks log in, send a report, see what is wrong
in seconds and get a receipt. A Django project; its one app is `portal.office`."""
