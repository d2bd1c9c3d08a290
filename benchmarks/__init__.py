"""`make bench`: throughput and latency of capacity's hot paths beside a bare FastAPI
endpoint measured in the same run, reported as ratios (never as timed tests)."""
