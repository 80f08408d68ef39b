#!/usr/bin/env bash
# Local Neo4j 5.26 Community (embedded, Bolt only, 127.0.0.1) for development and CI
# on machines without Docker. Deployments use docker-compose.yml instead.
#
#   tools/neo4j/neo4j.sh start|stop|status|restart|wipe
#
# Env: NEO4J_PASSWORD (start: required, >= 8 chars), NEO4J_BOLT_PORT (default 7687),
#      BPKG_NEO4J_HOME (state dir: pid, log, data; default tools/neo4j/.state/PORT, so servers
#      on different ports never share a pid file or a store),
#      BPKG_NEO4J_START_TIMEOUT (seconds, default 120), BPKG_NEO4J_JAVA_OPTS (extra JVM flags),
#      BPKG_NEO4J_PAGECACHE_MB (the page cache, default 256: raise it to the store's size for big graphs).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${NEO4J_BOLT_PORT:-7687}"
STATE="$(realpath -m "${BPKG_NEO4J_HOME:-$HERE/.state/$PORT}")"
PID_FILE="$STATE/neo4j.pid"
PORT_FILE="$STATE/neo4j.port"
LOG="$STATE/neo4j.log"
DATA="$STATE/data"
TIMEOUT="${BPKG_NEO4J_START_TIMEOUT:-120}"
MAIN=org.bpkg.tools.neo4j.Server

say() { echo "neo4j.sh: $*"; }

running_pid() {
    # Only trust the pid file if that process is still our server on this data dir (pids get reused).
    [[ -f $PID_FILE ]] || return 1
    local pid
    pid="$(cat "$PID_FILE")"
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null \
        && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$MAIN $DATA" \
        && echo "$pid"
}

bolt_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

needs_build() {
    # Rebuild only when sources changed or a cached jar went missing, so warm starts skip Maven.
    # A stamp file, because Maven leaves unchanged outputs (classpath.txt, classes) untouched.
    local stamp="$HERE/target/.built" jar jars
    [[ ! -f $stamp || $HERE/pom.xml -nt $stamp || -n $(find "$HERE/src" -newer "$stamp" -print -quit) ]] && return 0
    IFS=: read -r -a jars <"$HERE/target/classpath.txt" || true  # the file has no trailing newline
    for jar in "${jars[@]}"; do [[ -f $jar ]] || return 0; done
    return 1
}

build() {
    needs_build || return 0
    # Servers on other ports share target/: build under a lock, and only once.
    mkdir -p "$HERE/target"
    (
        flock 8
        needs_build || exit 0
        say "building (the first run downloads Neo4j into the local Maven cache)..."
        if ! (cd "$HERE" && mvn -q -B compile) >"$STATE/build.log" 2>&1; then
            say "Maven build failed; see $STATE/build.log:" >&2
            tail -n 30 "$STATE/build.log" >&2
            exit 1
        fi
        touch "$HERE/target/.built"
    ) 8>"$HERE/target/.build.lock"
}

start() {
    local pid
    if pid="$(running_pid)"; then
        say "already running (pid $pid, bolt://127.0.0.1:$(cat "$PORT_FILE" 2>/dev/null || echo "$PORT"))"
        return 0
    fi
    local pw="${NEO4J_PASSWORD:-}"
    if ((${#pw} < 8)); then
        say "NEO4J_PASSWORD must be set and at least 8 characters long" >&2
        return 1
    fi
    if bolt_open "$PORT"; then
        say "port 127.0.0.1:$PORT is already in use by another process (set NEO4J_BOLT_PORT)" >&2
        return 1
    fi
    build || return 1
    # The password travels in the environment, never on the command line (visible in ps).
    # fd 9 (the state lock) is closed for the server, or it would hold the lock for its lifetime.
    # shellcheck disable=SC2086
    nohup java -Xms256m -Xmx1g -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow \
        --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
        --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
        -Dio.netty.tryReflectionSetAccessible=true -Djdk.nio.maxCachedBufferSize=1024 \
        ${BPKG_NEO4J_JAVA_OPTS:-} \
        -cp "$HERE/target/classes:$(cat "$HERE/target/classpath.txt")" "$MAIN" "$DATA" \
        </dev/null >"$LOG" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$PID_FILE"
    echo "$PORT" >"$PORT_FILE"
    say "starting (pid $pid, log $LOG)"

    local deadline=$((SECONDS + TIMEOUT))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            say "server exited during startup; log tail:" >&2
            tail -n 40 "$LOG" >&2
            rm -f "$PID_FILE"
            return 1
        fi
        if grep -qs "BPKG-NEO4J READY" "$LOG" && bolt_open "$PORT"; then
            say "ready: bolt://127.0.0.1:$PORT (user neo4j)"
            return 0
        fi
        sleep 0.5
    done
    say "not ready after ${TIMEOUT}s; log tail:" >&2
    tail -n 40 "$LOG" >&2
    stop >&2
    return 1
}

stop() {
    local pid i
    if ! pid="$(running_pid)"; then
        rm -f "$PID_FILE"
        say "not running"
        return 0
    fi
    kill -TERM "$pid"
    # The shutdown hook checkpoints the store; give it time before forcing.
    for ((i = 0; i < 120; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "still alive after 60s, sending KILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PID_FILE"
    say "stopped"
}

status() {
    local pid
    if pid="$(running_pid)"; then
        echo "running (pid $pid, bolt://127.0.0.1:$(cat "$PORT_FILE" 2>/dev/null || echo "$PORT"))"
        return 0
    fi
    echo "stopped"
    return 3
}

wipe() {
    if running_pid >/dev/null; then
        say "refusing to wipe while running; stop first" >&2
        return 1
    fi
    rm -rf "$DATA"
    say "wiped $DATA"
}

lock_state() {
    # One start/stop at a time per state dir: concurrent starts would race for the pid file.
    mkdir -p "$STATE"
    exec 9>"$STATE/.lock"
    flock -w $((TIMEOUT + 90)) 9 || { say "another neo4j.sh holds $STATE/.lock" >&2; exit 1; }
}

case "${1:-}" in
    start | stop | restart | wipe) lock_state ;;
esac
case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    restart) stop && start ;;
    wipe) wipe ;;
    *) echo "usage: $0 start|stop|status|restart|wipe" >&2; exit 2 ;;
esac
