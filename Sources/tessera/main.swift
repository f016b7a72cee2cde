import Glibc
import CLinux
import Commands
import Server

let usage = """
Usage: tessera [/path/to/tessera.conf] [--directive value ...]
       tessera -v | --version
       tessera -h | --help

Tessera is an in-memory session server that speaks the Redis protocol (RESP2/RESP3).
Directives are those of config/tessera.conf; any of them can be given on the command line,
exactly as with redis-server, and override the file:

  tessera                                  defaults: 127.0.0.1 and ::1, port 6379
  tessera /etc/tessera/tessera.conf
  tessera --port 6380 --bind 0.0.0.0
  tessera config/tessera.conf --loglevel verbose --io-threads 2

Directives: bind, port, unixsocket, unixsocketperm, tcp-backlog, tcp-keepalive, timeout,
maxclients, io-threads, io-engine, shards, databases, proto-max-bulk-len, client-query-buffer-limit,
loglevel, logfile, pidfile, notify-keyspace-events, save, dir, dbfilename, rdbcompression,
rdbchecksum, stop-writes-on-bgsave-error, enable-protected-configs, appendonly, appendfsync,
appendfilename, appenddirname, aof-load-truncated, auto-aof-rewrite-percentage,
auto-aof-rewrite-min-size, protected-mode, requirepass, user, aclfile, acllog-max-len,
client-output-buffer-limit, maxmemory, maxmemory-policy, maxmemory-samples, lfu-log-factor,
lfu-decay-time.
"""

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("-h") || arguments.contains("--help") {
    print(usage)
    exit(0)
}
if arguments.contains("-v") || arguments.contains("--version") {
    print("Tessera server v=\(ServerIdentity.tesseraVersion) redis-compat=\(ServerIdentity.redisVersion) bits=64")
    exit(0)
}

let settings: Settings
do {
    settings = try ConfigLoader.load(arguments: arguments)
} catch {
    let text = Array("\(error)\n".utf8)
    _ = text.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(1)
}

tessera_tune_malloc()
// Before any thread exists, so every thread inherits the mask and only sigwait sees the signals.
TesseraServer.blockTerminationSignals()
let server = TesseraServer(settings: settings)
do {
    try server.start()
} catch {
    server.logger.warning("Failed to start: \(error)")
    exit(1)
}
server.runUntilTerminated()
exit(0)
