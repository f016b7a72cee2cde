import Bytes
import CLinux
import Commands
import Glibc
import Keyspace
import Networking
import RESP

/// A start-up problem outside the config file's syntax (ACL users, aclfile): redis-server logs it
/// and exits 1.
struct StartupError: Error, CustomStringConvertible {
    let description: String
}

extension TesseraServer {
    /// Installs `requirepass`, `user` directives or the `aclfile`, and the memory settings, before
    /// any client connects. Redis refuses users in the config file together with an aclfile.
    func applySecurityAtStartup(_ settings: Settings) throws {
        let security = settings.security
        let acl = context.acl
        if !security.users.isEmpty && !security.aclFile.isEmpty {
            throw StartupError(description: "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.")
        }
        if !security.requirePass.isEmpty { acl.setRequirePass(Array(security.requirePass.utf8)) }
        for line in security.users {
            // Redis ACLLoadConfiguredUsers: each configured user starts from "reset".
            let name = Array(line[0].utf8)
            if name.contains(UInt8(ascii: " ")) || name.contains(0) {
                throw StartupError(description: "Spaces not allowed in ACL usernames. Critical error while loading ACLs. Exiting.")
            }
            let rules = [Array("reset".utf8)] + line.dropFirst().map { Array($0.utf8) }
            if let failure = acl.setUser(name, rules: rules) {
                throw StartupError(description: "Error in user declaration '\(line[0])': \(failure.error.message)")
            }
        }
        if !security.aclFile.isEmpty {
            acl.aclFile = security.aclFile
            if let error = acl.loadFile() {
                throw StartupError(description: "Aborting Redis startup because of ACL errors: \(error.message)")
            }
        }
        acl.logMaxLength = security.aclLogMaxLength
        applyMemorySettings(security)
    }

    /// CONFIG SET side effects (called with the settings lock held: must not read `currentSettings`).
    func applyRuntimeSecurity(from old: Settings, to new: Settings) {
        let (before, after) = (old.security, new.security)
        if before.requirePass != after.requirePass { context.acl.setRequirePass(Array(after.requirePass.utf8)) }
        if before.aclLogMaxLength != after.aclLogMaxLength { context.acl.logMaxLength = after.aclLogMaxLength }
        applyMemorySettings(after)
        if after.maxMemory != before.maxMemory && after.maxMemory > 0 {
            let used = context.memory.usedBytes(keyspace)
            if used > after.maxMemory {
                logger.warning("WARNING: the new maxmemory value set via CONFIG SET (\(after.maxMemory)) is smaller than the current memory usage (\(used)). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.")
                // Redis starts evicting at once; we do a bounded first pass, writes do the rest.
                _ = Eviction.makeRoom(context, now: clock.nowMilliseconds())
            }
        }
    }

    private func applyMemorySettings(_ security: SecuritySettings) {
        context.memory.configure(maxBytes: security.maxMemory, policy: security.maxMemoryPolicy,
                                 samples: security.maxMemorySamples)
        keyspace.accessTracking.configure(lfu: security.maxMemoryPolicy.isLFU, logFactor: security.lfuLogFactor,
                                          decayMinutes: security.lfuDecayTime)
        refreshMemoryMeasurement(force: true)
    }

    /// Samples malloc's in-use bytes for the maxmemory check (once a second from worker 0; mallinfo2
    /// walks the allocator's free lists, far too slow for every command). Between samples the
    /// dataset part is exact (shards publish their bytes after each write).
    func refreshMemoryMeasurement(force: Bool = false) {
        guard force || (context.memory.maxBytes > 0 && context.memory.measurementDue(now: clock.nowMilliseconds()))
        else { return }
        let dataset = keyspace.memoryBytes
        context.memory.recordMeasurement(mallocInUse: processAllocatedBytes(), dataset: dataset)
    }

    // MARK: Protected mode

    /// Redis 7.0 `clientAcceptHandler`: with protected mode on and no password on the default user,
    /// only 127.0.0.1, ::1 and unix-socket clients are served (Redis `connIsLocal` compares the
    /// address text, so 127.0.0.2 or ::ffff:127.0.0.1 are not local).
    func refusedByProtectedMode(fd: Int32, listener: Listener, settings: Settings) -> Bool {
        guard settings.security.protectedMode, !listener.isUnix else { return false }
        let defaultRules = context.acl.defaultUser.rules
        guard defaultRules.nopass else { return false }
        let peer = Socket.address(of: fd, peer: true, unixPath: nil)
        if peer.starts(with: "127.0.0.1:".utf8) || peer.starts(with: "[::1]:".utf8) { return false }
        let message: StaticString = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"
        _ = Socket.write(fd, from: message.utf8Start, count: message.utf8CodeUnitCount)
        logger.verbose("Denied connection from \(String(decoding: peer, as: UTF8.self)) (protected mode)")
        return true
    }
}

extension Worker {
    // MARK: client-output-buffer-limit

    /// Redis `checkClientOutputBufferLimits`: a client whose pending output passed its class's hard
    /// limit, or stayed above the soft limit for the soft seconds, is closed and its buffers freed.
    /// Called when output is left pending (the socket did not take it all). True if it was closed.
    func closeIfOverOutputLimit(_ connection: Connection) -> Bool {
        let pending = connection.client.reply.buffer.readableBytes
        let limits = server.currentSettings.security.outputLimits
        let limit = connection.client.isSubscribed ? limits.pubsub : limits.normal
        guard !limit.isUnlimited else { return false }
        var over = limit.hard > 0 && pending >= limit.hard
        if !over && limit.soft > 0 && pending >= limit.soft {
            let now = server.clock.nowMilliseconds()
            if connection.softLimitSince == 0 {
                connection.softLimitSince = now
            } else if now - connection.softLimitSince >= Int64(limit.softSeconds) * 1000 {
                over = true
            }
        } else if !over {
            connection.softLimitSince = 0
        }
        guard over else { return false }
        server.logger.warning("Client id=\(connection.client.id) addr=\(String(decoding: connection.client.info.address, as: UTF8.self)) scheduled to be closed ASAP for overcoming of output buffer limits.")
        close(connection)
        return true
    }
}
