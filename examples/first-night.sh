#!/usr/bin/env bash
# The first night of retention on a source with a backlog. The nightly job's caps
# (--max-delete-percent 20) are for the steady state: on the first night most tables are over
# them and the run is refused (exit 3), as it should be. Catch up once, reviewed, then let the
# nightly job keep up.
#
#   examples/first-night.sh plan    1. report what is due; 2. save the catch-up plan and show it
#                                   3. review it: plan show --records, explain a few keys, ask
#                                      the data owners; place holds where needed (then plan again)
#   examples/first-night.sh apply   4. apply exactly that plan, once, with receipts
#                                   5. install the nightly job (examples/cron or examples/systemd)
set -euo pipefail
cd /opt/retention
SOURCE=/srv/data/app.db
PLAN=/var/lib/retention/first-night-plan.json
case "${1:-}" in
plan)
  mkdir -p "$(dirname "$PLAN")"
  bin/retention report --policy policies --source "$SOURCE"
  bin/retention purge --dry-run --policy policies --source "$SOURCE" --plan-out "$PLAN"
  bin/retention plan show "$PLAN"
  ;;
apply)
  # The plan is the cap: only its records are touched, and only if still due and not held. A
  # plan older than a week is refused; make a new one. --vacuum rebuilds the file once, so no
  # copy of the backlog stays readable in its free pages (see Deleted means gone).
  bin/retention purge --plan "$PLAN" --max-plan-age 7d --vacuum --audit-log /var/log/retention/audit.jsonl --audit-key /etc/retention/audit.key --lock-timeout 600
  ;;
*)
  echo "usage: $0 plan|apply" >&2
  exit 2
  ;;
esac
