#!/bin/bash
# Runs once, when the MySQL volume is first initialised: the read-only account of `trackpipe serve` and Grafana
# (serve.warehouse.user; docs/dashboard.md, "Read-only database account"). SELECT on the whole database covers the
# tables trackpipe creates later.
set -euo pipefail
mysql -uroot -p"$MYSQL_ROOT_PASSWORD" <<SQL
CREATE USER IF NOT EXISTS 'trackpipe_reader'@'%' IDENTIFIED BY '${TRACKPIPE_READER_PASSWORD}';
GRANT SELECT ON \`${MYSQL_DATABASE}\`.* TO 'trackpipe_reader'@'%';
SQL
