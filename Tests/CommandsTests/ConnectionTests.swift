import Commands
import RESP
import Synchronization
import XCTest

/// Expected bytes are redis-server 7.0.15's replies (client id and addresses adapted to the harness).
final class ConnectionTests: XCTestCase {
    static let hello3 = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n"
        + "$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"
    static let hello2 = "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:2\r\n"
        + "$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"

    // MARK: PING / ECHO / QUIT

    func testPing() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["ping"]), "+PONG\r\n")
        XCTAssertEqual(h.run(["PING", "hello"]), "$5\r\nhello\r\n")
        XCTAssertEqual(h.run(["ping", ""]), "$0\r\n\r\n")
        XCTAssertEqual(h.run(["ping", "a", "b"]), "-ERR wrong number of arguments for 'ping' command\r\n")
        h.run(["hello", "3"])
        XCTAssertEqual(h.run(["ping"]), "+PONG\r\n")
        XCTAssertEqual(h.run(["ping", "hi"]), "$2\r\nhi\r\n")
    }

    func testEcho() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["echo", "x"]), "$1\r\nx\r\n")
        XCTAssertEqual(h.runBytes([Array("echo".utf8), [0, 13, 10, 255]]), Array("$4\r\n".utf8) + [0, 13, 10, 255] + [13, 10])
        XCTAssertEqual(h.run(["echo"]), "-ERR wrong number of arguments for 'echo' command\r\n")
        XCTAssertEqual(h.run(["echo", "a", "b"]), "-ERR wrong number of arguments for 'echo' command\r\n")
    }

    func testQuitClosesAfterReply() {
        let h = CommandHarness()
        XCTAssertFalse(h.client.closeAfterReply)
        XCTAssertEqual(h.run(["quit"]), "+OK\r\n")
        XCTAssertTrue(h.client.closeAfterReply)
        let h2 = CommandHarness()
        XCTAssertEqual(h2.run(["QUIT", "extra"]), "+OK\r\n")
        XCTAssertTrue(h2.client.closeAfterReply)
    }

    // MARK: RESET

    func testResetRestoresConnectionState() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["select", "5"]), "+OK\r\n")
        h.run(["hello", "3", "setname", "conn"])
        h.run(["client", "setinfo", "lib-name", "redis-py"])
        XCTAssertEqual(h.client.protocolVersion, .resp3)
        XCTAssertEqual(h.run(["reset"]), "+RESET\r\n")
        XCTAssertEqual(h.client.database, 0)
        XCTAssertEqual(h.client.info.database.load(ordering: .relaxed), 0)
        XCTAssertEqual(h.client.protocolVersion, .resp2)
        XCTAssertEqual(h.client.info.protocolVersion.load(ordering: .relaxed), 2)
        XCTAssertEqual(h.run(["client", "getname"]), "$-1\r\n")
        XCTAssertEqual(h.client.info.libraryName, Array("redis-py".utf8), "RESET keeps the library name")
        XCTAssertFalse(h.client.closeAfterReply)
        XCTAssertEqual(h.run(["reset", "x"]), "-ERR wrong number of arguments for 'reset' command\r\n")
    }

    // MARK: SELECT

    func testSelect() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["select", "1"]), "+OK\r\n")
        XCTAssertEqual(h.client.database, 1)
        XCTAssertEqual(h.run(["select", "15"]), "+OK\r\n")
        XCTAssertEqual(h.client.info.database.load(ordering: .relaxed), 15)
        XCTAssertEqual(h.run(["select", "0"]), "+OK\r\n")
        XCTAssertEqual(h.client.database, 0)
    }

    func testSelectErrors() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["select", "16"]), "-ERR DB index is out of range\r\n")
        XCTAssertEqual(h.run(["select", "-1"]), "-ERR DB index is out of range\r\n")
        XCTAssertEqual(h.run(["select", "x"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["select", "01"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["select", "1.0"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["select", ""]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["select", "99999999999999999999"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["select", "2147483648"]),
                       "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n")
        XCTAssertEqual(h.run(["select", "-2147483649"]),
                       "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n")
        XCTAssertEqual(h.run(["select"]), "-ERR wrong number of arguments for 'select' command\r\n")
        XCTAssertEqual(h.run(["select", "1", "2"]), "-ERR wrong number of arguments for 'select' command\r\n")
        XCTAssertEqual(h.client.database, 0)
    }

    func testSelectRespectsDatabaseCount() {
        let h = CommandHarness(databases: 4)
        XCTAssertEqual(h.run(["select", "3"]), "+OK\r\n")
        XCTAssertEqual(h.run(["select", "4"]), "-ERR DB index is out of range\r\n")
    }

    // MARK: HELLO

    func testHelloSwitchesProtocol() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["hello", "3"]), Self.hello3)
        XCTAssertEqual(h.client.protocolVersion, .resp3)
        XCTAssertEqual(h.client.info.protocolVersion.load(ordering: .relaxed), 3)
        XCTAssertEqual(h.run(["hello"]), Self.hello3, "no version: reply in the current protocol")
        XCTAssertEqual(h.run(["HELLO", "2"]), Self.hello2)
        XCTAssertEqual(h.client.protocolVersion, .resp2)
        XCTAssertEqual(h.run(["hello"]), Self.hello2)
    }

    func testHelloVersionErrors() {
        let h = CommandHarness()
        for version in ["4", "1", "0", "-1", "99999999999999999999999"] {
            let expected = version.count > 19 ? "-ERR Protocol version is not an integer or out of range\r\n"
                                              : "-NOPROTO unsupported protocol version\r\n"
            XCTAssertEqual(h.run(["hello", version]), expected, version)
        }
        for version in ["abc", "03", "2.0", "+3", "", " 3"] {
            XCTAssertEqual(h.run(["hello", version]), "-ERR Protocol version is not an integer or out of range\r\n",
                           version)
        }
        XCTAssertEqual(h.run(["hello", "abc", "setname", "x"]),
                       "-ERR Protocol version is not an integer or out of range\r\n")
        XCTAssertEqual(h.client.protocolVersion, .resp2)
    }

    func testHelloOptionSyntaxErrors() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["hello", "3", "auth", "default"]), "-ERR Syntax error in HELLO option 'auth'\r\n")
        XCTAssertEqual(h.run(["hello", "3", "foo"]), "-ERR Syntax error in HELLO option 'foo'\r\n")
        XCTAssertEqual(h.run(["hello", "3", "setname"]), "-ERR Syntax error in HELLO option 'setname'\r\n")
        XCTAssertEqual(h.run(["hello", "3", "auth", "default", "x", "setname"]),
                       "-ERR Syntax error in HELLO option 'setname'\r\n")
        XCTAssertEqual(h.run(["hello", "3", "fo\r\no"]), "-ERR Syntax error in HELLO option 'fo  o'\r\n")
        XCTAssertEqual(h.client.protocolVersion, .resp2, "a failed HELLO keeps the protocol")
    }

    func testHelloAuthWithoutPasswordConfigured() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["hello", "3", "AUTH", "default", "anything"]), Self.hello3)
        h.run(["hello", "2"])
        XCTAssertEqual(h.run(["hello", "3", "AUTH", "foo", "x"]),
                       "-WRONGPASS invalid username-password pair or user is disabled.\r\n")
        XCTAssertEqual(h.run(["hello", "3", "auth", "default", "y", "auth", "bob", "z"]),
                       "-WRONGPASS invalid username-password pair or user is disabled.\r\n")
        XCTAssertEqual(h.run(["hello", "3", "auth", "DEFAULT", "y"]),
                       "-WRONGPASS invalid username-password pair or user is disabled.\r\n", "user names are case-sensitive")
        XCTAssertEqual(h.client.protocolVersion, .resp2)
    }

    func testHelloSetName() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["hello", "3", "setname", "foo"]), Self.hello3)
        XCTAssertEqual(h.run(["client", "getname"]), "$3\r\nfoo\r\n")
        XCTAssertEqual(h.run(["hello", "2", "SETNAME", "x", "auth", "default", "y"]), Self.hello2)
        XCTAssertEqual(h.run(["client", "getname"]), "$1\r\nx\r\n")
        XCTAssertEqual(h.run(["hello", "3", "setname", "a b"]),
                       "-ERR Client names cannot contain spaces, newlines or special characters.\r\n")
        XCTAssertEqual(h.client.protocolVersion, .resp2, "a rejected name keeps the protocol")
        XCTAssertEqual(h.run(["client", "getname"]), "$1\r\nx\r\n")
        XCTAssertEqual(h.run(["hello", "2", "setname", "", "setname", "last"]), Self.hello2)
        XCTAssertEqual(h.run(["client", "getname"]), "$4\r\nlast\r\n")
    }

    // MARK: CLIENT ID / SETNAME / GETNAME / SETINFO

    func testClientContainerErrors() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["client"]), "-ERR wrong number of arguments for 'client' command\r\n")
        XCTAssertEqual(h.run(["client", "foo"]), "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n")
        XCTAssertEqual(h.run(["client", "id", "x"]), "-ERR wrong number of arguments for 'client|id' command\r\n")
        XCTAssertEqual(h.run(["client", "getname", "x"]),
                       "-ERR wrong number of arguments for 'client|getname' command\r\n")
        XCTAssertEqual(h.run(["client", "setname"]), "-ERR wrong number of arguments for 'client|setname' command\r\n")
        XCTAssertEqual(h.run(["client", "info", "x"]), "-ERR wrong number of arguments for 'client|info' command\r\n")
        XCTAssertEqual(h.run(["client", "help", "x"]), "-ERR wrong number of arguments for 'client|help' command\r\n")
        XCTAssertEqual(h.run(["client", "kill"]), "-ERR wrong number of arguments for 'client|kill' command\r\n")
        XCTAssertEqual(h.run(["client", "setinfo", "lib-name"]),
                       "-ERR wrong number of arguments for 'client|setinfo' command\r\n")
    }

    func testClientID() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["client", "id"]), ":1\r\n")
        XCTAssertEqual(h.run(["CLIENT", "ID"]), ":\(h.client.id)\r\n")
    }

    func testClientSetNameAndGetName() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["client", "getname"]), "$-1\r\n")
        XCTAssertEqual(h.run(["client", "setname", "abc"]), "+OK\r\n")
        XCTAssertEqual(h.run(["client", "getname"]), "$3\r\nabc\r\n")
        XCTAssertEqual(h.run(["client", "setname", "\"\"~!"]), "+OK\r\n")
        XCTAssertEqual(h.run(["client", "getname"]), "$4\r\n\"\"~!\r\n")
        XCTAssertEqual(h.run(["client", "setname", ""]), "+OK\r\n")
        XCTAssertEqual(h.run(["client", "getname"]), "$-1\r\n")
        h.run(["hello", "3"])
        XCTAssertEqual(h.run(["client", "getname"]), "_\r\n")
    }

    func testClientSetNameRejectsSpecialCharacters() {
        let h = CommandHarness()
        h.run(["client", "setname", "keep"])
        for bad in ["a b", "a\nb", "a\rb", "a\tb", "\u{7f}", "é"] {
            XCTAssertEqual(h.run(["client", "setname", bad]),
                           "-ERR Client names cannot contain spaces, newlines or special characters.\r\n", bad)
        }
        XCTAssertEqual(h.runBytes([Array("client".utf8), Array("setname".utf8), [0x61, 0]]),
                       Array("-ERR Client names cannot contain spaces, newlines or special characters.\r\n".utf8))
        XCTAssertEqual(h.run(["client", "getname"]), "$4\r\nkeep\r\n")
    }

    func testClientSetInfo() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["client", "setinfo", "LIB-NAME", "redis-py"]), "+OK\r\n")
        XCTAssertEqual(h.run(["client", "setinfo", "lib-ver", "5.0.1"]), "+OK\r\n")
        XCTAssertEqual(h.client.info.libraryName, Array("redis-py".utf8))
        XCTAssertEqual(h.client.info.libraryVersion, Array("5.0.1".utf8))
        XCTAssertEqual(h.run(["client", "setinfo", "Lib-Foo", "x"]), "-ERR Unrecognized option 'Lib-Foo'\r\n")
        XCTAssertEqual(h.run(["client", "setinfo", "LIB-NAME", "a b"]),
                       "-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n")
        XCTAssertEqual(h.run(["client", "setinfo", "lib-ver", "1\n2"]),
                       "-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n")
        XCTAssertEqual(h.client.info.libraryVersion, Array("5.0.1".utf8))
        XCTAssertEqual(h.run(["client", "setinfo", "lib-name", ""]), "+OK\r\n")
        XCTAssertEqual(h.client.info.libraryName, [])
    }

    // MARK: CLIENT LIST / INFO

    func testClientInfoLine() {
        let h = CommandHarness()
        let expected = "id=1 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=7 name= age=0 idle=0 flags=N db=0 sub=0 "
            + "psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=1024 rbp=26 obl=0 oll=0 "
            + "omem=0 tot-mem=1060 events=r cmd=client|info user=default redir=-1 resp=2\n"
        XCTAssertEqual(h.run(["client", "info"]), "$\(expected.utf8.count)\r\n\(expected)\r\n")
    }

    func testClientInfoReflectsState() {
        let h = CommandHarness()
        h.run(["client", "setname", "worker-1"])
        h.run(["select", "3"])
        h.run(["hello", "3"])
        h.clock.advance(by: 5_500)
        h.client.info.queryBufferBytes.store(40, ordering: .relaxed)
        let line = "id=1 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=7 name=worker-1 age=5 idle=0 flags=N db=3 "
            + "sub=0 psub=0 ssub=0 multi=-1 qbuf=40 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=1024 rbp=40 obl=0 "
            + "oll=0 omem=0 tot-mem=1074 events=r cmd=client|info user=default redir=-1 resp=3\n"
        XCTAssertEqual(h.run(["CLIENT", "INFO"]), "=\(line.utf8.count + 4)\r\ntxt:\(line)\r\n")
    }

    /// A second connection as the server would register it.
    func addPeer(_ h: CommandHarness, createdAt: Int64, lastInteraction: Int64) -> ClientInfo {
        let peer = ClientInfo(id: h.context.makeClientID(), address: Array("10.0.0.2:41000".utf8),
                              localAddress: Array("10.0.0.1:6379".utf8), fd: 9, createdAt: createdAt)
        peer.lastInteraction.store(lastInteraction, ordering: .relaxed)
        peer.name = Array("peer".utf8)
        peer.database.store(2, ordering: .relaxed)
        peer.outputBufferBytes.store(100, ordering: .relaxed)
        h.control.registered.append(peer)
        return peer
    }

    func testClientListAllClients() {
        let h = CommandHarness()
        let start = h.clock.nowMilliseconds()
        _ = addPeer(h, createdAt: start - 60_000, lastInteraction: start - 7_000)
        h.clock.advance(by: 2_000)
        let me = "id=1 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=7 name= age=2 idle=0 flags=N db=0 sub=0 psub=0 "
            + "ssub=0 multi=-1 qbuf=26 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=1024 rbp=26 obl=0 oll=0 omem=0 "
            + "tot-mem=1060 events=r cmd=client|list user=default redir=-1 resp=2\n"
        let peer = "id=2 addr=10.0.0.2:41000 laddr=10.0.0.1:6379 fd=9 name=peer age=62 idle=9 flags=N db=2 sub=0 "
            + "psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 "
            + "omem=100 tot-mem=1124 events=rw cmd=NULL user=default redir=-1 resp=2\n"
        let all = me + peer
        XCTAssertEqual(h.run(["client", "list"]), "$\(all.utf8.count)\r\n\(all)\r\n")
        let typed = me.replacingOccurrences(of: "qbuf=26", with: "qbuf=48")
            .replacingOccurrences(of: "rbp=26", with: "rbp=48")
            .replacingOccurrences(of: "argv-mem=10", with: "argv-mem=20")
            .replacingOccurrences(of: "tot-mem=1060", with: "tot-mem=1092") + peer
        XCTAssertEqual(h.run(["client", "list", "TYPE", "Normal"]), "$\(typed.utf8.count)\r\n\(typed)\r\n")
        let byID = peer + peer
        XCTAssertEqual(h.run(["client", "list", "id", "2", "99", "2"]), "$\(byID.utf8.count)\r\n\(byID)\r\n")
    }

    func testClientListFilters() {
        let h = CommandHarness()
        for type in ["master", "replica", "slave", "pubsub"] {
            XCTAssertEqual(h.run(["client", "list", "type", type]), "$0\r\n\r\n", type)
        }
        XCTAssertEqual(h.run(["client", "list", "id", "0", "-1", "7"]), "$0\r\n\r\n")
        XCTAssertEqual(h.run(["client", "list", "type", "foo"]), "-ERR Unknown client type 'foo'\r\n")
        XCTAssertEqual(h.run(["client", "list", "id"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["client", "list", "id", "x"]), "-ERR Invalid client ID\r\n")
        XCTAssertEqual(h.run(["client", "list", "ID", "1", "x"]), "-ERR Invalid client ID\r\n")
        XCTAssertEqual(h.run(["client", "list", "foo"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["client", "list", "type"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["client", "list", "type", "normal", "x"]), "-ERR syntax error\r\n")
        h.run(["hello", "3"])
        XCTAssertEqual(h.run(["client", "list", "id", "999"]), "=4\r\ntxt:\r\n")
    }

    // MARK: CLIENT KILL

    func testClientKillOldForm() {
        let h = CommandHarness()
        let peer = addPeer(h, createdAt: 0, lastInteraction: 0)
        XCTAssertEqual(h.run(["client", "kill", "1.2.3.4:5"]), "-ERR No such client\r\n")
        XCTAssertEqual(h.run(["client", "kill", "10.0.0.2:41000"]), "+OK\r\n")
        XCTAssertEqual(h.control.killed, [peer.id])
        XCTAssertTrue(peer.killRequested.load(ordering: .relaxed))
        XCTAssertFalse(h.client.closeAfterReply)
        // The old form may kill the caller: it closes after the reply.
        XCTAssertEqual(h.run(["client", "kill", "127.0.0.1:50000"]), "+OK\r\n")
        XCTAssertTrue(h.client.closeAfterReply)
        XCTAssertEqual(h.control.killed, [peer.id])
    }

    func testClientKillFilters() {
        let h = CommandHarness()
        let peer = addPeer(h, createdAt: 0, lastInteraction: 0)
        XCTAssertEqual(h.run(["client", "kill", "id", "99"]), ":0\r\n")
        XCTAssertEqual(h.run(["client", "kill", "addr", "1.2.3.4:5"]), ":0\r\n")
        XCTAssertEqual(h.run(["client", "kill", "laddr", "x"]), ":0\r\n")
        XCTAssertEqual(h.run(["client", "kill", "type", "pubsub"]), ":0\r\n")
        XCTAssertEqual(h.run(["client", "kill", "id", "1"]), ":0\r\n", "SKIPME defaults to yes")
        XCTAssertEqual(h.run(["client", "kill", "id", "2", "addr", "1.2.3.4:5"]), ":0\r\n", "filters combine")
        XCTAssertTrue(h.control.killed.isEmpty)
        XCTAssertEqual(h.run(["client", "kill", "ID", "\(peer.id)", "LADDR", "10.0.0.1:6379", "user", "default"]),
                       ":1\r\n")
        XCTAssertEqual(h.control.killed, [peer.id])
        XCTAssertFalse(h.client.closeAfterReply)
    }

    func testClientKillTypeNormalSkipMe() {
        let h = CommandHarness()
        _ = addPeer(h, createdAt: 0, lastInteraction: 0)
        XCTAssertEqual(h.run(["client", "kill", "type", "normal"]), ":1\r\n")
        XCTAssertFalse(h.client.closeAfterReply)
        XCTAssertEqual(h.run(["client", "kill", "type", "normal", "skipme", "NO"]), ":2\r\n")
        XCTAssertTrue(h.client.closeAfterReply)
    }

    func testClientKillErrors() {
        let h = CommandHarness()
        for id in ["0", "-1", "x", "9999999999999999999"] {
            XCTAssertEqual(h.run(["client", "kill", "id", id]), "-ERR client-id should be greater than 0\r\n", id)
        }
        XCTAssertEqual(h.run(["client", "kill", "type", "foo"]), "-ERR Unknown client type 'foo'\r\n")
        XCTAssertEqual(h.run(["client", "kill", "user", "bob"]), "-ERR No such user 'bob'\r\n")
        XCTAssertEqual(h.run(["client", "kill", "skipme", "maybe"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["client", "kill", "foo", "bar"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["client", "kill", "id", "99", "foo"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["client", "kill", "id", "99", "addr"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["client", "kill", "127.0.0.1:1", "x"]), "-ERR syntax error\r\n")
        XCTAssertFalse(h.client.closeAfterReply)
    }

    // MARK: Other CLIENT subcommands

    func testClientTrackingStubs() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["client", "getredir"]), ":-1\r\n")
        XCTAssertEqual(h.run(["client", "trackinginfo"]),
                       "*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n")
        h.run(["hello", "3"])
        XCTAssertEqual(h.run(["client", "trackinginfo"]),
                       "%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n")
        for mode in ["yes", "maybe"] {
            XCTAssertEqual(h.run(["client", "caching", mode]),
                           "-ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
                           + "OPTOUT mode enabled\r\n")
        }
    }

    func testClientNoEvictUnpauseUnblock() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["client", "no-evict", "on"]), "+OK\r\n")
        XCTAssertEqual(h.run(["client", "NO-EVICT", "OFF"]), "+OK\r\n")
        XCTAssertEqual(h.run(["client", "no-evict", "maybe"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["client", "unpause"]), "+OK\r\n")
        XCTAssertEqual(h.run(["client", "unblock", "5"]), ":0\r\n")
        XCTAssertEqual(h.run(["client", "unblock", "-5"]), ":0\r\n")
        XCTAssertEqual(h.run(["client", "unblock", "5", "TIMEOUT"]), ":0\r\n")
        XCTAssertEqual(h.run(["client", "unblock", "5", "error"]), ":0\r\n")
        XCTAssertEqual(h.run(["client", "unblock", "x"]), "-ERR value is not an integer or out of range\r\n")
        XCTAssertEqual(h.run(["client", "unblock", "x", "foo"]),
                       "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n")
        XCTAssertEqual(h.run(["client", "unblock", "1", "timeout", "x"]),
                       "-ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.\r\n")
    }

    func testClientHelp() {
        let h = CommandHarness()
        let reply = h.run(["client", "help"])
        XCTAssertTrue(reply.hasPrefix("*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
                                      + "+CACHING (YES|NO)\r\n"))
        XCTAssertTrue(reply.hasSuffix("+NO-EVICT (ON|OFF)\r\n+    Protect current client connection from eviction.\r\n"
                                      + "+HELP\r\n+    Prints this help.\r\n"))
        XCTAssertEqual(reply.components(separatedBy: "\r\n").count - 1, 49)
    }
}
