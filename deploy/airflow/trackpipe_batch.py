"""trackpipe's scheduled jobs for Apache Airflow 2: heal settled hours from the raw store, then audit one.

Every hour: `trackpipe batch --once` rewrites the hours and days that are settled (the run also catches up on every
hour missed while it did not run), `trackpipe batch --once --domain ecommerce` and `--domain clickstream` do the same for the shop and the web
clickstream, then `trackpipe verify` recounts, from the raw store, the hour that settled three
hours before and fails the run when the warehouse differs (exit code 4; `trackpipe backfill` repairs it).
The commands run where trackpipe is installed: `trackpipe` on the worker's PATH (a link to bin/trackpipe, or the
image's entry point) with its settings in TRACKPIPE_CONFIG and secrets in TRACKPIPE_* variables of the worker.
After the batch, `trackpipe export hive` rewrites the Hive partitions of the days the batch may have rewritten
(yesterday and today), next to the audit. trackpipe.cron is the same schedule for cron (plus a nightly export of every
day). A test compiles this file and runs each `trackpipe ...` command line below with --help, so a renamed
command or flag fails the build: keep each one a plain string.
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

default_args = {
    "owner": "trackpipe",
    # A cycle that fails commits nothing (one transaction with its watermark), so a retry is always safe.
    "retries": 3,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
    # Late healing is part of the numbers' promise: page when a run has not finished within 30 min of its hour.
    "sla": timedelta(minutes=30),
    "execution_timeout": timedelta(minutes=45),
}

with DAG(
    dag_id="trackpipe_batch",
    description="trackpipe: rewrite settled hours from the raw store, then verify one and export to Hive",
    schedule="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,  # one cycle catches up on every missed hour: no need to replay each run
    max_active_runs=1,  # cycles must not overlap (each reads and moves the same watermark)
    default_args=default_args,
    tags=["trackpipe"],
) as dag:
    batch_once = BashOperator(
        task_id="batch_once",
        bash_command="trackpipe batch --once",
    )
    # The built-in shop domain from its own raw table, with a watermark of its own: after job ads, and its failure
    # does not hold back job ads' audit.
    batch_once_ecommerce = BashOperator(
        task_id="batch_once_ecommerce",
        bash_command="trackpipe batch --once --domain ecommerce",
    )
    # The built-in web clickstream likewise, after the shop.
    batch_once_clickstream = BashOperator(
        task_id="batch_once_clickstream",
        bash_command="trackpipe batch --once --domain clickstream",
    )
    # The Hive tables' partitions of the days the batch may have rewritten; a failed run switched only whole tables or
    # partitions, so a retry is safe.
    export_hive = BashOperator(
        task_id="export_hive",
        bash_command="trackpipe export hive --from '{{ macros.ds_add(ds, -1) }}' --to '{{ macros.ds_add(ds, 1) }}'",
    )
    # The hour that ended three hours before this run's: settled (end + stream.allowed-lateness 2h +
    # batch.settle-time 10m), so the stream and the batch have both finished with it.
    verify = BashOperator(
        task_id="verify",
        bash_command="trackpipe verify"
        " --from '{{ (data_interval_start - macros.timedelta(hours=3)).isoformat() }}'"
        " --to '{{ (data_interval_end - macros.timedelta(hours=3)).isoformat() }}'",
        # Drift is a finding, not a transient failure: retrying would only repeat it.
        retries=0,
    )
    batch_once >> verify
    batch_once >> batch_once_ecommerce >> batch_once_clickstream >> export_hive
