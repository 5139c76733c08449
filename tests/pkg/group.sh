# shellcheck shell=bash
# run_group CMD...: runs CMD, a `timeout` (which leads a process group of its
# own, so a Ctrl-C or a test runner's SIGTERM to the caller would not reach
# what it runs), in the background and waits for it, passing INT, TERM and
# HUP on to its whole group: no guest or build is left running after the
# script that started it. Returns CMD's exit status. Redirections on the
# call apply to CMD.
run_group() {
        local pid rc=0
        "$@" &
        pid=$!
        # shellcheck disable=SC2064 # the pid is meant to be fixed now
        trap "kill -TERM -- -$pid 2>/dev/null || true" INT TERM HUP
        wait "$pid" || rc=$?
        # A trapped signal ends the wait early; let the group end first.
        while kill -0 "$pid" 2>/dev/null; do wait "$pid" || rc=$?; done
        trap - INT TERM HUP
        return "$rc"
}
