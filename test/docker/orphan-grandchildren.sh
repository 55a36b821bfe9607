#!/bin/sh
# Orphans grandchildren, lets them exit, then counts the zombies in this PID namespace.
# Each `( sleep & )` subshell exits at once, so its sleep is re-parented to PID 1 (or the
# nearest subreaper), which must reap it. Exit 0 when no zombie is left, 1 otherwise.
#
#   sh orphan-grandchildren.sh [COUNT]
count="${1:-5}"
i=0
while [ "$i" -lt "$count" ]; do
  (sleep 0.2 &)
  i=$((i + 1))
done
sleep 2
zombies=$(grep -l '^State:[[:space:]]*Z' /proc/[0-9]*/status 2>/dev/null | wc -l)
echo "orphan-grandchildren: orphaned $count, zombies left: $zombies"
[ "$zombies" -eq 0 ]
