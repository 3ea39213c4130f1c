"""`restock schedule`: the periodic jobs (forecast, replenish, dispatch, offline sweep).

Each run covers one time slot (`as_of` = the clock floored to the job's interval). A
slot is claimed in `job_runs` under a PostgreSQL advisory lock, so any number of
scheduler processes can run at once without running a slot twice or overlapping. A slot
left 'running' by a scheduler that died (or hung past schedule_run_timeout_s) mid-run is
run again by exactly one other scheduler.
"""
