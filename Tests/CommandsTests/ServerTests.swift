@testable import Commands
import RESP
import XCTest

/// Expected bytes are redis-server 7.0.15's replies.
final class ServerTests: XCTestCase {
    // MARK: INFO

    func testInfoPassesLowercaseSections() {
        let h = CommandHarness()
        let text = "# Server\r\nredis_version:7.0.15\r\n"
        XCTAssertEqual(h.run(["info"]), "$\(text.utf8.count)\r\n\(text)\r\n")
        XCTAssertEqual(h.run(["INFO", "Server", "KEYSPACE", "cpu"]), "$\(text.utf8.count)\r\n\(text)\r\n")
        XCTAssertEqual(h.control.infoRequests, [[], [Array("server".utf8), Array("keyspace".utf8), Array("cpu".utf8)]])
        h.run(["hello", "3"])
        XCTAssertEqual(h.run(["info", "server"]), "=\(text.utf8.count + 4)\r\ntxt:\(text)\r\n")
        h.control.infoText = []
        XCTAssertEqual(h.run(["info", "nosuch"]), "=4\r\ntxt:\r\n")
    }

    // MARK: TIME / ROLE

    func testTime() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["time"]), "*2\r\n$10\r\n1700000000\r\n$1\r\n0\r\n")
        h.clock.advance(by: 1_234)
        XCTAssertEqual(h.run(["TIME"]), "*2\r\n$10\r\n1700000001\r\n$6\r\n234000\r\n")
        XCTAssertEqual(h.run(["time", "x"]), "-ERR wrong number of arguments for 'time' command\r\n")
    }

    func testRole() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["role"]), "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n")
        XCTAssertEqual(h.run(["role", "x"]), "-ERR wrong number of arguments for 'role' command\r\n")
    }

    // MARK: SHUTDOWN

    func testShutdownClosesWithoutReply() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["shutdown"]), "")
        XCTAssertTrue(h.client.closeAfterReply)
        let h2 = CommandHarness()
        XCTAssertEqual(h2.run(["shutdown", "NOSAVE", "now", "force"]), "")
        let h3 = CommandHarness()
        XCTAssertEqual(h3.run(["shutdown", "save"]), "")
        XCTAssertEqual(h.control.shutdownRequests + h2.control.shutdownRequests + h3.control.shutdownRequests,
                       [nil, false, true])
    }

    func testShutdownErrors() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["shutdown", "abort"]), "-ERR No shutdown in progress.\r\n")
        XCTAssertEqual(h.run(["shutdown", "abort", "now"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["shutdown", "nosave", "abort"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["shutdown", "save", "nosave"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["shutdown", "foo"]), "-ERR syntax error\r\n")
        XCTAssertTrue(h.control.shutdownRequests.isEmpty)
        h.control.shutdownError = Array("ERR Errors trying to SHUTDOWN. Check logs.".utf8)
        XCTAssertEqual(h.run(["shutdown"]), "-ERR Errors trying to SHUTDOWN. Check logs.\r\n")
        XCTAssertFalse(h.client.closeAfterReply)
    }

    // MARK: CONFIG

    func testConfigGet() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["config", "get", "databases"]), "*2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n")
        XCTAssertEqual(h.run(["config", "get", "*"]),
                       "*4\r\n$9\r\ndatabases\r\n$2\r\n16\r\n$7\r\ntimeout\r\n$1\r\n0\r\n")
        XCTAssertEqual(h.run(["config", "get", "nosuch"]), "*0\r\n")
        h.run(["hello", "3"])
        XCTAssertEqual(h.run(["CONFIG", "GET", "databases", "timeout"]),
                       "%2\r\n$9\r\ndatabases\r\n$2\r\n16\r\n$7\r\ntimeout\r\n$1\r\n0\r\n")
        XCTAssertEqual(h.run(["config", "get", "nosuch"]), "%0\r\n")
        XCTAssertEqual(h.run(["config", "get"]), "-ERR wrong number of arguments for 'config|get' command\r\n")
    }

    func testConfigSet() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["config", "set", "timeout", "30"]), "+OK\r\n")
        XCTAssertEqual(h.run(["config", "get", "timeout"]), "*2\r\n$7\r\ntimeout\r\n$2\r\n30\r\n")
        XCTAssertEqual(h.run(["config", "set", "timeout", "5", "databases", "8"]), "+OK\r\n")
        XCTAssertEqual(h.run(["config", "get", "*"]), "*4\r\n$9\r\ndatabases\r\n$1\r\n8\r\n$7\r\ntimeout\r\n$1\r\n5\r\n")
        XCTAssertEqual(h.run(["config", "set", "nosuch", "1"]),
                       "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n")
        XCTAssertEqual(h.run(["config", "set", "a", "b", "c"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["config", "set", "a"]), "-ERR wrong number of arguments for 'config|set' command\r\n")
    }

    func testConfigResetStatRewriteHelp() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["config", "resetstat"]), "+OK\r\n")
        XCTAssertEqual(h.control.statisticsResets, 1)
        XCTAssertEqual(h.run(["config", "resetstat", "x"]),
                       "-ERR wrong number of arguments for 'config|resetstat' command\r\n")
        XCTAssertEqual(h.run(["config", "rewrite"]), "-ERR The server is running without a config file\r\n")
        XCTAssertEqual(h.run(["config", "help"]),
                       "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n"
                       + "+    Return parameters matching the glob-like <pattern> and their values.\r\n"
                       + "+SET <directive> <value>\r\n+    Set the configuration <directive> to <value>.\r\n"
                       + "+RESETSTAT\r\n+    Reset statistics reported by the INFO command.\r\n+REWRITE\r\n"
                       + "+    Rewrite the configuration file.\r\n+HELP\r\n+    Prints this help.\r\n")
        XCTAssertEqual(h.run(["config"]), "-ERR wrong number of arguments for 'config' command\r\n")
        XCTAssertEqual(h.run(["config", "foo"]), "-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n")
    }

    // MARK: COMMAND

    /// GET / SET / MSET / DEL declared as their families do, to check key specs against Redis.
    static let keyCommands: [Command] = [
        Command("get", arity: 2, flags: [.readonly, .fast], categories: [.read, .string, .fast], keys: .single,
                group: "string", since: "1.0.0", summary: "Get the value of a key", handler: { $0.reply.null() }),
        Command("set", arity: -3, flags: [.write, .denyOOM], categories: [.write, .string, .slow], keys: .single,
                group: "string", since: "1.0.0", summary: "Set the string value of a key", handler: { $0.reply.ok() }),
        Command("mset", arity: -3, flags: [.write, .denyOOM], categories: [.write, .string, .slow],
                keys: KeyPositions(first: 1, last: -1, step: 2), group: "string", since: "1.0.1",
                summary: "Set multiple keys to multiple values", handler: { $0.reply.ok() }),
        Command("del", arity: -2, flags: [.write], categories: [.keyspace, .write, .slow], keys: .all,
                group: "generic", since: "1.0.0", summary: "Delete a key", handler: { $0.reply.integer(0) }),
    ]

    static func harnessWithKeyCommands() -> CommandHarness {
        CommandHarness(commands: CommandTable(families: [keyCommands, ConnectionFamily.commands, ServerFamily.commands]))
    }

    func testCommandInfoKeySpecsMatchRedis() {
        let h = Self.harnessWithKeyCommands()
        let expected = "*4\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$3\r\nset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@string\r\n+@slow\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$48\r\nRW and ACCESS due to the optional `GET` argument\r\n$5\r\nflags\r\n*4\r\n+RW\r\n+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$4\r\nmset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:-1\r\n:2\r\n*3\r\n+@write\r\n+@string\r\n+@slow\r\n*2\r\n$26\r\nrequest_policy:multi_shard\r\n$29\r\nresponse_policy:all_succeeded\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:2\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$3\r\ndel\r\n:-2\r\n*1\r\n+write\r\n:1\r\n:-1\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@slow\r\n*2\r\n$26\r\nrequest_policy:multi_shard\r\n$23\r\nresponse_policy:agg_sum\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RM\r\n+delete\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"
        XCTAssertEqual(h.run(["command", "info", "get", "SET", "mset", "del"]), expected)
    }

    func testCommandInfoOfThisFamilyMatchesRedis() {
        let h = CommandHarness()
        let expected = "*10\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n*10\r\n$4\r\necho\r\n:2\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n$4\r\nquit\r\n:-1\r\n*6\r\n+noscript\r\n+loading\r\n+stale\r\n+fast\r\n+no_auth\r\n+allow_busy\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n$5\r\nreset\r\n:1\r\n*6\r\n+noscript\r\n+loading\r\n+stale\r\n+fast\r\n+no_auth\r\n+allow_busy\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n$5\r\nhello\r\n:-1\r\n*6\r\n+noscript\r\n+loading\r\n+stale\r\n+fast\r\n+no_auth\r\n+allow_busy\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n$6\r\nselect\r\n:2\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n$4\r\ntime\r\n:1\r\n*3\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@fast\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n*10\r\n$4\r\nrole\r\n:1\r\n*4\r\n+noscript\r\n+loading\r\n+stale\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@fast\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n*10\r\n$8\r\nshutdown\r\n:-1\r\n*6\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n+no_multi\r\n+allow_busy\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n*10\r\n$4\r\ninfo\r\n:-1\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@dangerous\r\n*3\r\n$23\r\nnondeterministic_output\r\n$25\r\nrequest_policy:all_shards\r\n$23\r\nresponse_policy:special\r\n*0\r\n*0\r\n"
        XCTAssertEqual(h.run(["command", "info", "ping", "echo", "quit", "reset", "hello", "select", "time", "role",
                              "shutdown", "info"]), expected)
        let subcommands = "*4\r\n*10\r\n$9\r\nclient|id\r\n:2\r\n*3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n$11\r\nclient|kill\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n*10\r\n$13\r\ncommand|count\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n*0\r\n*0\r\n*0\r\n"
        XCTAssertEqual(h.run(["command", "info", "client|id", "CLIENT|kill", "config|get", "command|count"]),
                       subcommands)
    }

    func testCommandInfoResp3AndUnknownNames() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["command", "info", "nosuch", "client|nosuch", "ping|x", "client|id|x"]),
                       "*4\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n")
        h.run(["hello", "3"])
        XCTAssertEqual(h.run(["command", "info", "ping", "client|id"]),
                       "*2\r\n*10\r\n$4\r\nping\r\n:-1\r\n~1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@fast\r\n+@connection\r\n~2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n~0\r\n~0\r\n*10\r\n$9\r\nclient|id\r\n:2\r\n~3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@slow\r\n+@connection\r\n~0\r\n~0\r\n~0\r\n")
        XCTAssertEqual(h.run(["command", "info", "nosuch"]), "*1\r\n_\r\n")
    }

    func testCommandInfoOfContainerListsSubcommands() {
        let h = CommandHarness()
        let reply = h.run(["command", "info", "config"])
        XCTAssertTrue(reply.hasPrefix("*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*5\r\n"
                                      + "*10\r\n$10\r\nconfig|get\r\n:-3\r\n"), reply)
        XCTAssertTrue(reply.contains("$10\r\nconfig|set\r\n:-4\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n"
                                     + ":0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*2\r\n$24\r\nrequest_policy:all_nodes\r\n"
                                     + "$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n"))
    }

    func testCommandAndCount() {
        let h = CommandHarness()
        let count = CommandTable.shared.commands.count
        XCTAssertEqual(h.run(["command", "count"]), ":\(count)\r\n")
        XCTAssertTrue(h.run(["command"]).hasPrefix("*\(count)\r\n*10\r\n"))
        XCTAssertEqual(h.client.info.lastCommandName, Array("command".utf8))
        XCTAssertEqual(h.run(["command"]), h.run(["command", "info"]))
        XCTAssertEqual(h.run(["command", "count", "x"]), "-ERR wrong number of arguments for 'command|count' command\r\n")
        XCTAssertEqual(h.run(["command", "foo"]), "-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n")
    }

    func testCommandDocs() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["command", "docs", "client|id", "TIME", "nosuch", "role"]),
                       "*6\r\n$9\r\nclient|id\r\n*8\r\n$7\r\nsummary\r\n$48\r\nReturns the client ID for the current connection\r\n$5\r\nsince\r\n$5\r\n5.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$4\r\ntime\r\n*8\r\n$7\r\nsummary\r\n$30\r\nReturn the current server time\r\n$5\r\nsince\r\n$5\r\n2.6.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$4\r\nrole\r\n*8\r\n$7\r\nsummary\r\n$61\r\nReturn the role of the instance in the context of replication\r\n$5\r\nsince\r\n$6\r\n2.8.12\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n")
        XCTAssertEqual(h.run(["command", "docs", "nosuch"]), "*0\r\n")
        h.run(["hello", "3"])
        XCTAssertEqual(h.run(["command", "docs", "time"]),
                       "%1\r\n$4\r\ntime\r\n%4\r\n$7\r\nsummary\r\n$30\r\nReturn the current server time\r\n$5\r\nsince\r\n$5\r\n2.6.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n")
        XCTAssertEqual(h.run(["command", "docs", "nosuch"]), "%0\r\n")
        XCTAssertTrue(h.run(["command", "docs"]).hasPrefix("%\(CommandTable.shared.commands.count)\r\n"))
    }

    func testCommandDocsOfContainer() {
        let h = CommandHarness()
        let reply = h.run(["command", "docs", "client"])
        XCTAssertTrue(reply.hasPrefix("*2\r\n$6\r\nclient\r\n*10\r\n$7\r\nsummary\r\n$42\r\nA container for client connection commands\r\n"
                                      + "$5\r\nsince\r\n$5\r\n2.4.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n"
                                      + "$22\r\nDepends on subcommand.\r\n$11\r\nsubcommands\r\n*\(ConnectionFamily.commands.last!.subcommands.count * 2)\r\n"
                                      + "$9\r\nclient|id\r\n*8\r\n"), reply)
    }

    func testCommandDocsDeprecation() {
        let getset = Command("getset", arity: 3, flags: [.write, .denyOOM, .fast], categories: [.write, .string, .fast],
                             keys: .single, group: "string", since: "1.0.0",
                             summary: "Set the string value of a key and return its old value", handler: { $0.reply.null() })
        let h = CommandHarness(commands: CommandTable(families: [[getset], ConnectionFamily.commands, ServerFamily.commands]))
        h.run(["hello", "3"])
        XCTAssertEqual(h.run(["command", "docs", "getset"]),
                       "%1\r\n$6\r\ngetset\r\n%7\r\n$7\r\nsummary\r\n$54\r\nSet the string value of a key and return its old value\r\n"
                       + "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n"
                       + "$9\r\ndoc_flags\r\n~1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n6.2.0\r\n"
                       + "$11\r\nreplaced_by\r\n$30\r\n`SET` with the `!GET` argument\r\n")
    }

    func testCommandList() {
        let h = CommandHarness(commands: CommandTable(families: [ConnectionFamily.commands, ServerFamily.commands]))
        let all = h.run(["command", "list"])
        XCTAssertTrue(all.contains("$6\r\nclient\r\n$9\r\nclient|id\r\n$14\r\nclient|setname\r\n"))
        XCTAssertEqual(h.run(["command", "list", "filterby", "pattern", "CONFIG|*"]),
                       "*5\r\n$10\r\nconfig|get\r\n$10\r\nconfig|set\r\n$16\r\nconfig|resetstat\r\n$14\r\nconfig|rewrite\r\n"
                       + "$11\r\nconfig|help\r\n")
        XCTAssertEqual(h.run(["command", "list", "filterby", "pattern", "co*"]),
                       "*14\r\n$6\r\nconfig\r\n$10\r\nconfig|get\r\n$10\r\nconfig|set\r\n$16\r\nconfig|resetstat\r\n$14\r\nconfig|rewrite\r\n"
                       + "$11\r\nconfig|help\r\n$7\r\ncommand\r\n$13\r\ncommand|count\r\n$12\r\ncommand|docs\r\n$15\r\ncommand|getkeys\r\n"
                       + "$23\r\ncommand|getkeysandflags\r\n$12\r\ncommand|info\r\n$12\r\ncommand|list\r\n$12\r\ncommand|help\r\n")
        let dangerous = h.run(["command", "list", "filterby", "aclcat", "DANGEROUS"])
        XCTAssertTrue(dangerous.contains("$11\r\nclient|kill\r\n"))
        XCTAssertTrue(dangerous.contains("$4\r\ninfo\r\n"))
        XCTAssertFalse(dangerous.contains("$4\r\nping\r\n"))
        XCTAssertEqual(h.run(["command", "list", "filterby", "aclcat", "nosuch"]), "*0\r\n")
        XCTAssertEqual(h.run(["command", "list", "filterby", "module", "x"]), "*0\r\n")
        XCTAssertEqual(h.run(["command", "list", "filterby"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["command", "list", "filterby", "foo", "x"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["command", "list", "foo"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["command", "list", "filterby", "pattern", "x", "y"]), "-ERR syntax error\r\n")
    }

    func testCommandGetKeys() {
        let h = Self.harnessWithKeyCommands()
        XCTAssertEqual(h.run(["command", "getkeys", "GET", "a"]), "*1\r\n$1\r\na\r\n")
        XCTAssertEqual(h.run(["command", "getkeys", "mset", "a", "b", "c", "d"]), "*2\r\n$1\r\na\r\n$1\r\nc\r\n")
        XCTAssertEqual(h.run(["command", "getkeys", "mset", "a", "b", "c"]), "*2\r\n$1\r\na\r\n$1\r\nc\r\n")
        XCTAssertEqual(h.run(["command", "getkeys", "del", "a", "b"]), "*2\r\n$1\r\na\r\n$1\r\nb\r\n")
        XCTAssertEqual(h.run(["command", "getkeys", "set", "a"]),
                       "-ERR Invalid number of arguments specified for command\r\n")
        XCTAssertEqual(h.run(["command", "getkeys", "get", "a", "b"]),
                       "-ERR Invalid number of arguments specified for command\r\n")
        XCTAssertEqual(h.run(["command", "getkeys", "nosuch", "a"]), "-ERR Invalid command specified\r\n")
        XCTAssertEqual(h.run(["command", "getkeys", "client", "nosuch"]), "-ERR Invalid command specified\r\n")
        XCTAssertEqual(h.run(["command", "getkeys", "ping", "x"]), "-ERR The command has no key arguments\r\n")
        XCTAssertEqual(h.run(["command", "getkeys", "client", "list"]), "-ERR The command has no key arguments\r\n")
        XCTAssertEqual(h.run(["command", "getkeys", "config", "get", "x"]), "-ERR The command has no key arguments\r\n")
        XCTAssertEqual(h.run(["command", "getkeys", "get"]),
                       "-ERR wrong number of arguments for 'command|getkeys' command\r\n")
    }

    func testCommandGetKeysAndFlags() {
        let h = Self.harnessWithKeyCommands()
        XCTAssertEqual(h.run(["command", "getkeysandflags", "del", "a", "b"]),
                       "*2\r\n*2\r\n$1\r\na\r\n*2\r\n+RM\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n+RM\r\n+delete\r\n")
        XCTAssertEqual(h.run(["command", "getkeysandflags", "set", "a", "b"]), "*1\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n")
        XCTAssertEqual(h.run(["command", "getkeysandflags", "set", "a", "b", "GET"]),
                       "*1\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+update\r\n")
        XCTAssertEqual(h.run(["command", "getkeysandflags", "mset", "a", "b", "c", "d"]),
                       "*2\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n*2\r\n$1\r\nc\r\n*2\r\n+OW\r\n+update\r\n")
        h.run(["hello", "3"])
        XCTAssertEqual(h.run(["command", "getkeysandflags", "del", "a", "b"]),
                       "*2\r\n*2\r\n$1\r\na\r\n~2\r\n+RM\r\n+delete\r\n*2\r\n$1\r\nb\r\n~2\r\n+RM\r\n+delete\r\n")
    }

    func testCommandHelp() {
        let h = CommandHarness()
        let reply = h.run(["command", "help"])
        XCTAssertTrue(reply.hasPrefix("*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
                                      + "+(no subcommand)\r\n+    Return details about all Redis commands.\r\n"))
        XCTAssertTrue(reply.hasSuffix("+GETKEYSANDFLAGS <full-command>\r\n"
                                      + "+    Return the keys and the access flags from a full Redis command.\r\n"
                                      + "+HELP\r\n+    Prints this help.\r\n"))
    }

    func testMetadataCoversRedisCommands() {
        let metadata = CommandMetadata.byName
        XCTAssertEqual(metadata.count, 367)
        XCTAssertEqual(metadata[Array("set".utf8)]?.keySpecs.count, 1)
        XCTAssertEqual(metadata[Array("client|setinfo".utf8)]?.complexity, Array("O(1)".utf8))
        // Every command this server registers is one Redis 7.0 has (or 7.2's CLIENT SETINFO).
        for command in CommandTable.shared.commands {
            XCTAssertNotNil(metadata[command.fullName], String(decoding: command.fullName, as: UTF8.self))
            for sub in command.subcommands {
                XCTAssertNotNil(metadata[sub.fullName], String(decoding: sub.fullName, as: UTF8.self))
            }
        }
    }
}
