import Synchronization

/// One ACL LOG entry (Redis 7.0 `ACLLogEntry`).
public struct ACLLogEntry: Sendable {
    public enum Reason: Sendable { case command, key, channel, auth }
    /// Where the denied command ran: on its own, or queued in / executed by a MULTI block.
    public enum Context: Sendable { case toplevel, multi }
    public var count: Int
    public var reason: Reason
    public var context: Context
    public var object: [UInt8]
    public var username: [UInt8]
    /// Unix ms of the latest occurrence.
    public var time: Int64
    /// The CLIENT LIST line of the client, without the newline.
    public var clientInfo: [UInt8]
}

/// The server's users. Writers (ACL SETUSER/DELUSER/LOAD, requirepass) take the mutex, install new
/// immutable `ACLUser` snapshots and bump `generation`; connections keep their user's snapshot and
/// re-read it only when the generation moved, so a command pays one relaxed atomic load, not a lock.
public final class ACLStore: Sendable {
    public let index: ACLCommandIndex
    private let state: Mutex<State>
    private let generationCounter = Atomic<Int>(0)

    struct State {
        var users: [[UInt8]: ACLUser]
        var log: [ACLLogEntry] = []
        var logMaxLength = 128
        var aclFile: String?
    }

    /// Redis groups identical denials within this window into one entry (`ACL_LOG_GROUPING_MAX_TIME_DELTA`).
    static let logGroupingMilliseconds: Int64 = 60_000

    public init(commands: CommandTable) {
        index = ACLCommandIndex(table: commands)
        let defaultUser = ACLUser(name: ACLUser.defaultName, rules: ACLStore.defaultRules(index))
        state = Mutex(State(users: [ACLUser.defaultName: defaultUser]))
    }

    /// "on nopass ~* &* +@all" (Redis `ACLCreateDefaultUser`).
    static func defaultRules(_ index: ACLCommandIndex) -> ACLRules {
        var rules = ACLRules(commandCount: index.count)
        rules.setAllCommands(true)
        rules.allKeys = true
        rules.allChannels = true
        rules.enabled = true
        rules.nopass = true
        return rules
    }

    /// Moves whenever any user changes; clients compare it with the one their snapshot came from.
    @inline(__always)
    public var generation: Int { generationCounter.load(ordering: .acquiring) }

    public func user(named name: [UInt8]) -> ACLUser? { state.withLock { $0.users[name] } }

    public var defaultUser: ACLUser {
        state.withLock { state in
            guard let user = state.users[ACLUser.defaultName] else { preconditionFailure("the default user always exists") }
            return user
        }
    }

    /// Redis `authRequired` minus the per-client part: new connections start unauthenticated and
    /// need AUTH unless the default user is enabled with nopass.
    public var defaultUserNeedsPassword: Bool {
        let rules = defaultUser.rules
        return !rules.nopass || !rules.enabled
    }

    /// All users sorted by name (Redis keeps them in a radix tree).
    public func allUsers() -> [ACLUser] {
        state.withLock { Array($0.users.values) }.sorted { $0.name.lexicographicallyPrecedes($1.name) }
    }

    /// ACL SETUSER: applies `rules` in order to a copy of the user (a new user starts off, with no
    /// permissions) and installs it only if every rule is valid. Returns the failing rule and why.
    public func setUser(_ name: [UInt8], rules ops: [[UInt8]]) -> (rule: [UInt8], error: ACLRuleError)? {
        state.withLock { state in
            var rules = state.users[name]?.rules ?? ACLRules(commandCount: index.count)
            for op in ops {
                do throws(ACLRuleError) { try rules.apply(op, index: index) } catch { return (op, error) }
            }
            state.users[name] = ACLUser(name: name, rules: rules)
            generationCounter.add(1, ordering: .releasing)
            return nil
        }
    }

    /// ACL DELUSER: how many of the named users existed. The caller rejects "default" first.
    public func deleteUsers(_ names: [[UInt8]]) -> Int {
        state.withLock { state in
            var deleted = 0
            for name in names where name != ACLUser.defaultName {
                if state.users.removeValue(forKey: name) != nil { deleted += 1 }
            }
            if deleted > 0 { generationCounter.add(1, ordering: .releasing) }
            return deleted
        }
    }

    /// `requirepass`: empty = the default user takes no password (Redis: "nopass"), otherwise
    /// "resetpass >password".
    public func setRequirePass(_ password: [UInt8]) {
        let ops: [[UInt8]] = password.isEmpty ? [Array("nopass".utf8)]
            : [Array("resetpass".utf8), [UInt8(ascii: ">")] + password]
        _ = setUser(ACLUser.defaultName, rules: ops)
    }

    /// Replaces every user at once (ACL LOAD).
    func replaceUsers(_ users: [[UInt8]: ACLUser]) {
        precondition(users[ACLUser.defaultName] != nil, "a user set always has the default user")
        state.withLock { $0.users = users }
        generationCounter.add(1, ordering: .releasing)
    }

    // MARK: ACL LOG

    /// Records a denial, merging it into a recent identical entry as Redis does.
    public func log(reason: ACLLogEntry.Reason, context: ACLLogEntry.Context = .toplevel, object: [UInt8],
                    username: [UInt8], time: Int64, clientInfo: [UInt8]) {
        state.withLock { state in
            if let existing = state.log.firstIndex(where: {
                $0.reason == reason && $0.context == context && $0.object == object && $0.username == username
                    && time - $0.time <= ACLStore.logGroupingMilliseconds
            }) {
                var entry = state.log.remove(at: existing)
                entry.count += 1
                entry.time = time
                entry.clientInfo = clientInfo
                state.log.insert(entry, at: 0)
                return
            }
            state.log.insert(ACLLogEntry(count: 1, reason: reason, context: context, object: object, username: username,
                                         time: time, clientInfo: clientInfo), at: 0)
            if state.log.count > state.logMaxLength { state.log.removeLast(state.log.count - state.logMaxLength) }
        }
    }

    /// Newest first.
    public func logEntries(limit: Int) -> [ACLLogEntry] { state.withLock { Array($0.log.prefix(limit)) } }
    public func resetLog() { state.withLock { $0.log.removeAll() } }
    /// `acllog-max-len`.
    public var logMaxLength: Int {
        get { state.withLock { $0.logMaxLength } }
        set { state.withLock { $0.logMaxLength = max(0, newValue); $0.log = Array($0.log.prefix($0.logMaxLength)) } }
    }

    /// `aclfile`: where ACL LOAD / ACL SAVE read and write; nil = not configured.
    public var aclFile: String? {
        get { state.withLock { $0.aclFile } }
        set { state.withLock { $0.aclFile = newValue } }
    }
}
