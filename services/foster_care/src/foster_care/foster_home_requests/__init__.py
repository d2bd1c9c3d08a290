"""Municipal foster-home requests: the waiting list, family group conferences, talks with
the child, candidates, proposals and their decisions, and breaches of the duty to assist."""
