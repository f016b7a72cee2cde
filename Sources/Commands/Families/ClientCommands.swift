import Bytes
import RESP
import Synchronization

// CLIENT subcommands (the table entry is in Connection.swift). Admin path: allocations are fine.

extension ConnectionFamily {
    /// Redis `validateClientAttr`: every byte printable ASCII, no space ('!'...'~').
    static func isValidClientAttribute(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte < 33 || byte > 126 { return false }
        return true
    }

    /// CLIENT ID
    static func clientID(_ client: Client) {
        client.reply.integer(client.id)
    }

    /// CLIENT SETNAME name (empty clears it)
    static func clientSetName(_ client: Client) {
        let name = client.args[2]
        guard isValidClientAttribute(name) else {
            client.reply.error(ErrorReply.invalidClientName)
            return
        }
        client.info.name = Array(name)
        client.reply.ok()
    }

    /// CLIENT GETNAME: the name, or null when unset.
    static func clientGetName(_ client: Client) {
        let name = client.info.name
        if name.isEmpty {
            client.reply.null()
        } else {
            name.withUnsafeBytes { client.reply.bulk($0) }
        }
    }

    /// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2 semantics; an empty value clears it).
    static func clientSetInfo(_ client: Client) {
        let attribute = client.args[2]
        let value = client.args[3]
        let isName: Bool
        if ByteStrings.equalsIgnoringCase(attribute, "lib-name") {
            isName = true
        } else if ByteStrings.equalsIgnoringCase(attribute, "lib-ver") {
            isName = false
        } else {
            client.reply.error([Client.bytes("ERR Unrecognized option '"), attribute, Client.bytes("'")])
            return
        }
        guard isValidClientAttribute(value) else {
            client.reply.error([Client.bytes("ERR "), attribute, Client.bytes(" cannot contain spaces, newlines or special characters.")])
            return
        }
        if isName {
            client.info.libraryName = Array(value)
        } else {
            client.info.libraryVersion = Array(value)
        }
        client.reply.ok()
    }

    /// Client types of CLIENT LIST TYPE / CLIENT KILL TYPE. Every Tessera client is "normal" (no
    /// replication, no pub/sub yet).
    enum ClientType { case normal, replica, master, pubsub }

    static func clientType(named bytes: UnsafeRawBufferPointer) -> ClientType? {
        if ByteStrings.equalsIgnoringCase(bytes, "normal") { return .normal }
        if ByteStrings.equalsIgnoringCase(bytes, "slave") || ByteStrings.equalsIgnoringCase(bytes, "replica") {
            return .replica
        }
        if ByteStrings.equalsIgnoringCase(bytes, "pubsub") { return .pubsub }
        if ByteStrings.equalsIgnoringCase(bytes, "master") { return .master }
        return nil
    }

    static func replyUnknownClientType(_ client: Client, _ name: UnsafeRawBufferPointer) {
        client.reply.error([Client.bytes("ERR Unknown client type '"), name, Client.bytes("'")])
    }

    /// CLIENT LIST [TYPE type] | [ID id [id ...]]
    static func clientList(_ client: Client) {
        let args = client.args
        let argc = args.count
        var text: [UInt8] = []
        if argc == 4 && ByteStrings.equalsIgnoringCase(args[2], "type") {
            guard let type = clientType(named: args[3]) else {
                replyUnknownClientType(client, args[3])
                return
            }
            if type == .normal {
                for info in client.context.control.clients() { appendClientLine(client, info, to: &text) }
            }
        } else if argc > 3 && ByteStrings.equalsIgnoringCase(args[2], "id") {
            let all = client.context.control.clients()
            for index in 3..<argc {
                guard let id = ByteStrings.parseInt64(args[index]) else {
                    client.reply.error(ErrorReply.invalidClientID)
                    return
                }
                if let info = all.first(where: { Int64($0.id) == id }) { appendClientLine(client, info, to: &text) }
            }
        } else if argc != 2 {
            client.reply.error(ErrorReply.syntax)
            return
        } else {
            for info in client.context.control.clients() { appendClientLine(client, info, to: &text) }
        }
        text.withUnsafeBytes { client.reply.verbatim($0) }
    }

    /// CLIENT INFO: the caller's CLIENT LIST line.
    static func clientInfo(_ client: Client) {
        var text: [UInt8] = []
        appendClientLine(client, client.info, to: &text)
        text.withUnsafeBytes { client.reply.verbatim($0) }
    }

    /// One CLIENT LIST line in Redis 7.0's format (`catClientInfoString`), ending with "\n".
    /// Fields Tessera has no counterpart for are reported as a plain Redis client would show them:
    /// no pub/sub, no MULTI, no tracking redirection. Buffer sizes come from what the
    /// worker publishes in `ClientInfo` (qbuf = query bytes, at least the running command's for the
    /// caller; omem = pending reply bytes); qbuf-free is 0, rbs/rbp and tot-mem are estimates.
    static func appendClientLine(_ client: Client, _ info: ClientInfo, to text: inout [UInt8]) {
        let isCaller = info === client.info
        let nowSeconds = client.now / 1000
        let age = max(0, nowSeconds - info.createdAt / 1000)
        // The caller is interacting right now (Redis updates lastinteraction on read).
        let idle = isCaller ? 0 : max(0, nowSeconds - info.lastInteraction.load(ordering: .relaxed) / 1000)
        var queryBytes = info.queryBufferBytes.load(ordering: .relaxed)
        let outputBytes = info.outputBufferBytes.load(ordering: .relaxed)
        var argumentBytes = 0
        if isCaller {
            // Redis still holds the running command in its query buffer: count its RESP size.
            var requestBytes = 3 + decimalDigits(client.argumentCount)
            for index in 0..<client.argumentCount {
                let length = client.args[index].count
                argumentBytes += length
                requestBytes += 5 + decimalDigits(length) + length
            }
            queryBytes = max(queryBytes, requestBytes)
        }
        let totalMemory = 1024 + queryBytes + outputBytes + argumentBytes

        text.append(contentsOf: "id=".utf8)
        appendDecimal(info.id, to: &text)
        text.append(contentsOf: " addr=".utf8)
        text.append(contentsOf: info.address)
        text.append(contentsOf: " laddr=".utf8)
        text.append(contentsOf: info.localAddress)
        text.append(contentsOf: " fd=".utf8)
        appendDecimal(Int(info.fd), to: &text)
        text.append(contentsOf: " name=".utf8)
        text.append(contentsOf: info.name)
        text.append(contentsOf: " age=".utf8)
        appendDecimal(Int(age), to: &text)
        text.append(contentsOf: " idle=".utf8)
        appendDecimal(Int(idle), to: &text)
        let subscriptions = info.subscriptionCount.load(ordering: .relaxed)
        let patterns = info.patternCount.load(ordering: .relaxed)
        let multi = info.multiCount.load(ordering: .relaxed)
        var flags = ""
        if subscriptions + patterns > 0 { flags += "P" }
        if multi >= 0 { flags += "x" }
        text.append(contentsOf: " flags=\(flags.isEmpty ? "N" : flags) db=".utf8)
        appendDecimal(info.database.load(ordering: .relaxed), to: &text)
        text.append(contentsOf: " sub=".utf8)
        appendDecimal(subscriptions, to: &text)
        text.append(contentsOf: " psub=".utf8)
        appendDecimal(patterns, to: &text)
        text.append(contentsOf: " ssub=0 multi=".utf8)
        appendDecimal(multi, to: &text)
        text.append(contentsOf: " qbuf=".utf8)
        appendDecimal(queryBytes, to: &text)
        text.append(contentsOf: " qbuf-free=0 argv-mem=".utf8)
        appendDecimal(argumentBytes, to: &text)
        text.append(contentsOf: " multi-mem=0 rbs=".utf8)
        appendDecimal(max(1024, queryBytes), to: &text)
        text.append(contentsOf: " rbp=".utf8)
        appendDecimal(queryBytes, to: &text)
        text.append(contentsOf: " obl=0 oll=0 omem=".utf8)
        appendDecimal(outputBytes, to: &text)
        text.append(contentsOf: " tot-mem=".utf8)
        appendDecimal(totalMemory, to: &text)
        text.append(contentsOf: (!isCaller && outputBytes > 0 ? " events=rw cmd=" : " events=r cmd=").utf8)
        text.append(contentsOf: info.lastCommandName)
        text.append(contentsOf: " user=".utf8)
        text.append(contentsOf: info.userName)
        text.append(contentsOf: " redir=-1 resp=".utf8)
        appendDecimal(info.protocolVersion.load(ordering: .relaxed), to: &text)
        text.append(UInt8(ascii: "\n"))
    }

    static func decimalDigits(_ value: Int) -> Int {
        var digits = 1
        var rest = value
        while rest >= 10 { rest /= 10; digits += 1 }
        return digits
    }

    static func appendDecimal(_ value: Int, to text: inout [UInt8]) {
        withUnsafeTemporaryAllocation(byteCount: 24, alignment: 1) { scratch in
            let count = ByteStrings.formatInt64(Int64(value), into: scratch)
            text.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
        }
    }

    /// CLIENT KILL ip:port | CLIENT KILL <filter> <value> [<filter> <value> ...]
    /// Filters: ID, TYPE, ADDR, LADDR, USER, SKIPME. Other clients are closed by their worker
    /// (`ServerControl.kill(clientID:)`); killing oneself closes after the reply.
    static func clientKill(_ client: Client) {
        let args = client.args
        let argc = args.count
        var address: UnsafeRawBufferPointer?
        var localAddress: UnsafeRawBufferPointer?
        var type: ClientType?
        var id = 0
        var skipMe = true
        var userName: [UInt8]?
        if argc == 3 {
            // Old form: CLIENT KILL addr; it may kill the caller.
            address = args[2]
            skipMe = false
        } else {
            var index = 2
            while index < argc {
                let hasValue = argc > index + 1
                let option = args[index]
                if ByteStrings.equalsIgnoringCase(option, "id") && hasValue {
                    guard let value = ByteStrings.parseInt64(args[index + 1]), value >= 1 else {
                        client.reply.error(ErrorReply.clientIDNotPositive)
                        return
                    }
                    id = Int(value)
                } else if ByteStrings.equalsIgnoringCase(option, "type") && hasValue {
                    guard let parsed = clientType(named: args[index + 1]) else {
                        replyUnknownClientType(client, args[index + 1])
                        return
                    }
                    type = parsed
                } else if ByteStrings.equalsIgnoringCase(option, "addr") && hasValue {
                    address = args[index + 1]
                } else if ByteStrings.equalsIgnoringCase(option, "laddr") && hasValue {
                    localAddress = args[index + 1]
                } else if ByteStrings.equalsIgnoringCase(option, "user") && hasValue {
                    guard client.context.acl.user(named: Array(args[index + 1])) != nil else {
                        client.reply.error([Client.bytes("ERR No such user '"), args[index + 1], Client.bytes("'")])
                        return
                    }
                    userName = Array(args[index + 1])
                } else if ByteStrings.equalsIgnoringCase(option, "skipme") && hasValue {
                    if ByteStrings.equalsIgnoringCase(args[index + 1], "yes") {
                        skipMe = true
                    } else if ByteStrings.equalsIgnoringCase(args[index + 1], "no") {
                        skipMe = false
                    } else {
                        client.reply.error(ErrorReply.syntax)
                        return
                    }
                } else {
                    client.reply.error(ErrorReply.syntax)
                    return
                }
                index += 2
            }
        }

        var killed = 0
        var closeSelf = false
        let control = client.context.control
        for info in control.clients() {
            if let address, !info.address.withUnsafeBytes({ ByteStrings.equal($0, address) }) { continue }
            if let localAddress, !info.localAddress.withUnsafeBytes({ ByteStrings.equal($0, localAddress) }) {
                continue
            }
            if let type, type != .normal { continue }
            if id != 0 && info.id != id { continue }
            if let userName, info.userName != userName { continue }
            let isCaller = info === client.info
            if isCaller && skipMe { continue }
            if isCaller {
                closeSelf = true
            } else {
                _ = control.kill(clientID: info.id)
            }
            killed += 1
        }

        if argc == 3 {
            guard killed > 0 else {
                client.reply.error(ErrorReply.noSuchClient)
                return
            }
            client.reply.ok()
        } else {
            client.reply.integer(killed)
        }
        if closeSelf { client.closeAfterReply = true }
    }

    /// CLIENT NO-EVICT ON|OFF (no client eviction in Tessera: accepted and ignored).
    static func clientNoEvict(_ client: Client) {
        let mode = client.args[2]
        guard ByteStrings.equalsIgnoringCase(mode, "on") || ByteStrings.equalsIgnoringCase(mode, "off") else {
            client.reply.error(ErrorReply.syntax)
            return
        }
        client.reply.ok()
    }

    /// CLIENT GETREDIR: -1, tracking is never enabled.
    static func clientGetRedir(_ client: Client) {
        client.reply.integer(-1)
    }

    /// CLIENT TRACKINGINFO: tracking off, no redirection, no prefixes.
    static func clientTrackingInfo(_ client: Client) {
        client.reply.map(count: 3)
        client.reply.bulk("flags")
        client.reply.set(count: 1)
        client.reply.bulk("off")
        client.reply.bulk("redirect")
        client.reply.integer(-1)
        client.reply.bulk("prefixes")
        client.reply.array(count: 0)
    }

    /// CLIENT CACHING YES|NO: always refused, since tracking with OPTIN/OPTOUT is never on.
    static func clientCaching(_ client: Client) {
        client.reply.error(ErrorReply.cachingWithoutTracking)
    }

    /// CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: no command blocks in Tessera yet, so nothing is ever
    /// unblocked (0). The blocking-commands work must replace this.
    static func clientUnblock(_ client: Client) {
        let args = client.args
        guard args.count == 3 || args.count == 4 else {
            client.reply.error([Client.bytes("ERR unknown subcommand or wrong number of arguments for '"),
                                UnsafeRawBufferPointer(rebasing: args[1].prefix(128)),
                                Client.bytes("'. Try CLIENT HELP.")])
            return
        }
        if args.count == 4 {
            guard ByteStrings.equalsIgnoringCase(args[3], "timeout") || ByteStrings.equalsIgnoringCase(args[3], "error")
            else {
                client.reply.error(ErrorReply.unblockReason)
                return
            }
        }
        guard ByteStrings.parseInt64(args[2]) != nil else {
            client.reply.error(ErrorReply.notInteger)
            return
        }
        client.reply.integer(0)
    }

    /// CLIENT UNPAUSE: there is never a pause to end.
    /// CLIENT HELP: Redis 7.0.15's text.
    static func clientHelp(_ client: Client) {
        client.reply.array(count: clientHelpLines.count)
        for line in clientHelpLines { client.reply.simple(line) }
    }

    static let clientHelpLines: [StaticString] = [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)",
        "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR",
        "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "UNPAUSE",
        "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
        "         [OPTIN] [OPTOUT] [NOLOOP]",
        "    Control server assisted client side caching.",
        "TRACKINGINFO",
        "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        "HELP",
        "    Prints this help.",
    ]
}
