"""The regional dashboard at `/dashboard`: a page and its static files (plain ES modules and
a vendored Chart.js, no build step), reading the gateway's own KPIs with a reports.read
token."""
