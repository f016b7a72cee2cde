import CLinux
import Commands
import Glibc
import Keyspace
import Synchronization

/// Renders INFO with Redis 7.0's section names, field names and layout: "# Section\r\n" headers,
/// "field:value\r\n" lines, a blank line between sections. Tools and clients parse these names.
struct InfoReport {
    let server: TesseraServer

    static let defaultSections = ["server", "clients", "memory", "persistence", "stats", "replication",
                                  "cpu", "modules", "errorstats", "cluster", "keyspace"]

    func render(sections requested: [String]) -> [UInt8] {
        var names: [String]
        let lower = requested.map { $0.lowercased() }
        if lower.isEmpty || lower.contains("default") {
            names = InfoReport.defaultSections
        } else if lower.contains("all") || lower.contains("everything") {
            names = InfoReport.defaultSections + ["commandstats", "latencystats"]
        } else {
            names = InfoReport.defaultSections.filter { lower.contains($0) }
        }
        if names.isEmpty { return [] }
        var text = ""
        for (index, name) in names.enumerated() {
            if index > 0 { text += "\r\n" }
            text += section(name)
        }
        return Array(text.utf8)
    }

    private func section(_ name: String) -> String {
        switch name {
        case "server": return serverSection()
        case "clients": return clientsSection()
        case "memory": return memorySection()
        case "persistence": return persistenceSection()
        case "stats": return statsSection()
        case "replication": return replicationSection()
        case "cpu": return cpuSection()
        case "modules": return "# Modules\r\n"
        case "errorstats": return "# Errorstats\r\n"
        case "cluster": return "# Cluster\r\ncluster_enabled:0\r\n"
        case "keyspace": return keyspaceSection()
        default: return ""
        }
    }

    private func lines(_ title: String, _ fields: [(String, String)]) -> String {
        "# \(title)\r\n" + fields.map { "\($0.0):\($0.1)\r\n" }.joined()
    }

    private func serverSection() -> String {
        let settings = server.currentSettings
        var name = utsname()
        uname(&name)
        let sys = InfoReport.field(&name.sysname), release = InfoReport.field(&name.release)
        let machine = InfoReport.field(&name.machine)
        let nowMicros = server.clock.nowMicroseconds()
        let uptime = (server.clock.nowMilliseconds() - server.context.startTime) / 1000
        return lines("Server", [
            ("redis_version", "\(ServerIdentity.redisVersion)"), ("redis_git_sha1", "00000000"), ("redis_git_dirty", "0"),
            ("redis_build_id", "0"), ("redis_mode", "standalone"), ("os", "\(sys) \(release) \(machine)"),
            ("arch_bits", "64"), ("monotonic_clock", "POSIX clock_gettime"), ("multiplexing_api", server.ioEngine.rawValue),
            ("atomicvar_api", "c11-builtin"), ("gcc_version", "0.0.0"), ("process_id", "\(getpid())"),
            ("process_supervised", "no"), ("run_id", server.runID), ("tcp_port", "\(server.boundPort)"),
            ("server_time_usec", "\(nowMicros)"), ("uptime_in_seconds", "\(uptime)"),
            ("uptime_in_days", "\(uptime / 86400)"), ("hz", "100"), ("configured_hz", "100"),
            ("lru_clock", "\((nowMicros / 1_000_000) & 0xFFFFFF)"), ("executable", InfoReport.executablePath()),
            ("config_file", settings.configFile), ("io_threads_active", settings.ioThreads > 1 ? "1" : "0"),
            ("tessera_version", "\(ServerIdentity.tesseraVersion)"), ("tessera_io_threads", "\(settings.ioThreads)"),
            ("tessera_shards", "\(server.keyspace.shardCount)"),
        ])
    }

    private func clientsSection() -> String {
        lines("Clients", [
            ("connected_clients", "\(server.connectedClientCount)"), ("cluster_connections", "0"),
            ("maxclients", "\(server.currentSettings.maxClients)"), ("client_recent_max_input_buffer", "0"),
            ("client_recent_max_output_buffer", "0"), ("blocked_clients", "0"), ("tracking_clients", "0"),
            ("clients_in_timeout_table", "0"),
        ])
    }

    private func memorySection() -> String {
        let used = processAllocatedBytes()
        let rss = InfoReport.residentSetBytes()
        let total = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
        let dataset = server.keyspace.memoryBytes
        let ratio = used > 0 ? Double(rss) / Double(used) : 0
        let security = server.currentSettings.security
        return lines("Memory", [
            ("used_memory", "\(used)"), ("used_memory_human", InfoReport.human(used)),
            ("used_memory_rss", "\(rss)"), ("used_memory_rss_human", InfoReport.human(rss)),
            ("used_memory_peak", "\(used)"), ("used_memory_peak_human", InfoReport.human(used)),
            ("used_memory_overhead", "\(max(0, used - dataset))"), ("used_memory_dataset", "\(dataset)"),
            ("total_system_memory", "\(total)"), ("total_system_memory_human", InfoReport.human(total)),
            ("maxmemory", "\(security.maxMemory)"), ("maxmemory_human", InfoReport.human(security.maxMemory)),
            ("maxmemory_policy", security.maxMemoryPolicy.name),
            ("mem_fragmentation_ratio", InfoReport.fixed(ratio, 2)), ("mem_allocator", "libc"),
            ("lazyfree_pending_objects", "0"),
        ])
    }

    private func persistenceSection() -> String {
        let now = server.clock.nowMilliseconds()
        let loading = server.context.isLoading
        let loader = server.startupLoader
        return lines("Persistence", [("loading", loading ? "1" : "0"), ("async_loading", "0")]
            + server.snapshotter.infoFields(now: now) + [
            ("rdb_last_load_keys_expired", "\(loader.keysExpired.load(ordering: .relaxed))"),
            ("rdb_last_load_keys_loaded", "\(loader.keysLoaded.load(ordering: .relaxed))"),
        ] + aofFields() + (loading ? loader.infoFields(nowSeconds: now / 1000) : []))
    }

    /// Redis 7.0's aof_* fields of INFO persistence (the size figures only while the AOF is on).
    private func aofFields() -> [(String, String)] {
        guard let aof = server.aof, aof.isActive else {
            return [("aof_enabled", "0"), ("aof_rewrite_in_progress", "0"), ("aof_rewrite_scheduled", "0"),
                    ("aof_last_rewrite_time_sec", "-1"), ("aof_current_rewrite_time_sec", "-1"),
                    ("aof_last_bgrewrite_status", "ok"), ("aof_rewrites", "0"),
                    ("aof_rewrites_consecutive_failures", "0"), ("aof_last_write_status", "ok"),
                    ("aof_last_cow_size", "0"), ("module_fork_in_progress", "0"), ("module_fork_last_cow_size", "0")]
        }
        let inProgress = aof.rewriteInProgress.load(ordering: .relaxed)
        let current = inProgress ? (Clock.systemMilliseconds() - aof.rewriteStarted.load(ordering: .relaxed)) / 1000 : -1
        let pending = max(0, aof.propagation.appendedOffset - aof.writtenOffset.load(ordering: .relaxed))
        return [("aof_enabled", "1"), ("aof_rewrite_in_progress", inProgress ? "1" : "0"),
                ("aof_rewrite_scheduled", aof.rewriteScheduled.load(ordering: .relaxed) ? "1" : "0"),
                ("aof_last_rewrite_time_sec", "\(aof.lastRewriteSeconds.load(ordering: .relaxed))"),
                ("aof_current_rewrite_time_sec", "\(current)"),
                ("aof_last_bgrewrite_status", aof.lastRewriteOK.load(ordering: .relaxed) ? "ok" : "err"),
                ("aof_rewrites", "\(aof.rewrites.load(ordering: .relaxed))"),
                ("aof_rewrites_consecutive_failures", aof.lastRewriteOK.load(ordering: .relaxed) ? "0" : "1"),
                ("aof_last_write_status", aof.lastWriteOK.load(ordering: .relaxed) ? "ok" : "err"),
                ("aof_last_cow_size", "0"), ("module_fork_in_progress", "0"), ("module_fork_last_cow_size", "0"),
                ("aof_current_size", "\(aof.currentSize.load(ordering: .relaxed))"),
                ("aof_base_size", "\(aof.baseSize.load(ordering: .relaxed))"),
                ("aof_pending_rewrite", "0"), ("aof_buffer_length", "\(pending)"),
                ("aof_pending_bio_fsync", "0"), ("aof_delayed_fsync", "0")]
    }

    private func statsSection() -> String {
        let stats = server.statsTotals()
        return lines("Stats", [
            ("total_connections_received", "\(stats.connectionsReceived)"),
            ("total_commands_processed", "\(stats.commandsProcessed)"),
            ("instantaneous_ops_per_sec", "\(server.instantaneousOperationsPerSecond)"),
            ("total_net_input_bytes", "\(stats.inputBytes)"), ("total_net_output_bytes", "\(stats.outputBytes)"),
            ("rejected_connections", "\(stats.rejectedConnections)"), ("expired_keys", "\(stats.expiredKeys)"),
            ("evicted_keys", "\(server.context.memory.evictedKeys)"), ("keyspace_hits", "\(stats.keyspaceHits)"),
            ("keyspace_misses", "\(stats.keyspaceMisses)"), ("pubsub_channels", "0"), ("pubsub_patterns", "0"),
            ("total_error_replies", "\(stats.errorReplies)"),
        ])
    }

    private func replicationSection() -> String {
        lines("Replication", [
            ("role", "master"), ("connected_slaves", "0"), ("master_failover_state", "no-failover"),
            ("master_replid", server.runID), ("master_replid2", String(repeating: "0", count: 40)),
            ("master_repl_offset", "0"), ("second_repl_offset", "-1"), ("repl_backlog_active", "0"),
            ("repl_backlog_size", "1048576"), ("repl_backlog_first_byte_offset", "0"), ("repl_backlog_histlen", "0"),
        ])
    }

    private func cpuSection() -> String {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> String { InfoReport.fixed(Double(t.tv_sec) + Double(t.tv_usec) / 1e6, 6) }
        return lines("CPU", [
            ("used_cpu_sys", seconds(usage.ru_stime)), ("used_cpu_user", seconds(usage.ru_utime)),
            ("used_cpu_sys_children", "0.000000"), ("used_cpu_user_children", "0.000000"),
        ])
    }

    private func keyspaceSection() -> String {
        var fields: [(String, String)] = []
        for db in 0..<server.keyspace.databaseCount {
            let keys = server.keyspace.count(database: db)
            guard keys > 0 else { continue }
            fields.append(("db\(db)", "keys=\(keys),expires=\(server.keyspace.volatileCount(database: db)),avg_ttl=0"))
        }
        return lines("Keyspace", fields)
    }

    // MARK: Helpers

    static func human(_ bytes: Int) -> String {
        let value = Double(bytes)
        if value < 1024 { return "\(bytes)B" }
        if value < 1024 * 1024 { return fixed(value / 1024, 2) + "K" }
        if value < 1024 * 1024 * 1024 { return fixed(value / 1024 / 1024, 2) + "M" }
        return fixed(value / 1024 / 1024 / 1024, 2) + "G"
    }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = scaled / Int(scale), fraction = abs(scaled % Int(scale))
        let fractionText = String(fraction)
        return "\(whole)." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }

    static func residentSetBytes() -> Int {
        guard let text = ConfigLoader.readFile("/proc/self/statm") else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }

    static func field<T>(_ value: inout T) -> String {
        withUnsafeBytes(of: &value) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
