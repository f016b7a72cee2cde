import Commands
import Glibc
import XCTest

/// ACL and AUTH through the real dispatcher. Expected bytes come from redis-server 7.0.15 unless a
/// comment says otherwise (single-command ordering in ACL LIST follows our table, not Redis's hash order).
final class ACLTests: XCTestCase {
    func testSHA256Vectors() {
        XCTAssertEqual(String(decoding: SHA256.hexDigest([]), as: UTF8.self),
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(String(decoding: SHA256.hexDigest(Array("abc".utf8)), as: UTF8.self),
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(String(decoding: SHA256.hexDigest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)), as: UTF8.self),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(String(decoding: SHA256.hexDigest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)), as: UTF8.self),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Redis's hash for ">secret" (ACL LIST of a real server).
        XCTAssertEqual(String(decoding: SHA256.hexDigest(Array("secret".utf8)), as: UTF8.self),
                       "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b")
        // Block-boundary lengths.
        XCTAssertEqual(String(decoding: SHA256.hexDigest([UInt8](repeating: 0, count: 64)), as: UTF8.self),
                       "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b")
        XCTAssertTrue(SHA256.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(SHA256.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(SHA256.constantTimeEqual([1, 2], [1, 2, 3]))
    }

    func testDefaultUser() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["acl", "list"]), "*1\r\n$34\r\nuser default on nopass ~* &* +@all\r\n")
        XCTAssertEqual(h.run(["acl", "whoami"]), "$7\r\ndefault\r\n")
        XCTAssertEqual(h.run(["acl", "users"]), "*1\r\n$7\r\ndefault\r\n")
        XCTAssertEqual(h.run(["acl", "getuser", "default"]),
                       "*12\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnopass\r\n$9\r\npasswords\r\n*0\r\n$8\r\ncommands\r\n$5\r\n+@all\r\n$4\r\nkeys\r\n$2\r\n~*\r\n$8\r\nchannels\r\n$2\r\n&*\r\n$9\r\nselectors\r\n*0\r\n")
        XCTAssertEqual(h.run(["acl", "getuser", "nobody"]), "$-1\r\n")
        XCTAssertEqual(h.run(["auth", "x"]),
                       "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n")
        XCTAssertEqual(h.run(["auth", "default", "anything"]), "+OK\r\n")
        XCTAssertEqual(h.run(["auth", "a", "b", "c"]), "-ERR syntax error\r\n")
        XCTAssertEqual(h.run(["acl", "deluser", "default"]), "-ERR The 'default' user cannot be removed\r\n")
    }

    func testSetUserRendering() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["acl", "setuser", "app1", "on", ">secret", "~app1:*", "+@all", "-@dangerous"]), "+OK\r\n")
        XCTAssertEqual(line(h, "app1"),
                       "user app1 on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~app1:* resetchannels +@all -@dangerous")
        let cases: [([String], String)] = [
            (["+@string", "-get", "+get"], "user t off resetchannels -@all +@string"),
            (["+get", "-get"], "user t off resetchannels -@all"),
            (["+client|id", "+client|setname"], "user t off resetchannels -@all +client|id +client|setname"),
            (["+client", "-client|kill"], "user t off resetchannels -@all +client -client|kill"),
            (["+select|0", "+select|1"], "user t off resetchannels -@all +select|0 +select|1"),
            (["-@all", "+@read", "-@read", "+@read"], "user t off resetchannels -@all +@read"),
            (["+@read", "+get", "-@read"], "user t off resetchannels -@all"),
            (["~a", "~b", "~a", "%R~a", "%W~a", "%RW~c"], "user t off ~a ~b ~c resetchannels -@all"),
            (["&a", "&b", "&a"], "user t off resetchannels &a &b -@all"),
            (["on", "off"], "user t off resetchannels -@all"),
            (["off", "on"], "user t on resetchannels -@all"),
            (["reset"], "user t off sanitize-payload resetchannels -@all"),
            (["nopass", ">x"], "user t off #2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 resetchannels -@all"),
            ([">x", "nopass"], "user t off nopass resetchannels -@all"),
            (["~x", "allkeys"], "user t off ~* resetchannels -@all"),
            (["%R~*"], "user t off %R~* resetchannels -@all"),
            (["%R"], "user t off %R~ resetchannels -@all"),
            (["+@all", "-client|kill"], "user t off resetchannels +@all -client|kill"),
            (["-client|kill"], "user t off resetchannels -@all"),
            (["+client|kill", "-client"], "user t off resetchannels -@all"),
            (["skip-sanitize-payload"], "user t off skip-sanitize-payload resetchannels -@all"),
            (["sanitize-payload"], "user t off sanitize-payload resetchannels -@all"),
            (["+get|x"], "user t off resetchannels -@all +get|x"),
            ([""], "user t off resetchannels -@all"),
            (["allkeys", "resetkeys", "allchannels", "+@string", "nocommands", "+get", "+get", "resetpass", "nopass", "off", "on"],
             "user t on nopass &* -@all +get"),
            ([">p1", ">p2", ">p1"], "user t off #f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a #3946ca64ff78d93ca61090a437cbb6b3d2ca0d488f5f9ccf3059608368b27693 resetchannels -@all"),
            (["ON", "ALLKEYS", "+GET"], "user t on ~* resetchannels -@all +get"),
        ]
        for (rules, expected) in cases {
            h.run(["acl", "deluser", "t"])
            XCTAssertEqual(h.run(["acl", "setuser", "t"] + rules), "+OK\r\n", "\(rules)")
            XCTAssertEqual(line(h, "t"), expected, "\(rules)")
        }
    }

    func testSetUserErrors() {
        let h = CommandHarness()
        let prefix = "-ERR Error in ACL SETUSER modifier '"
        let cases: [([String], String)] = [
            (["foo"], "foo': Syntax error"),
            (["+nonexist"], "+nonexist': Unknown command or category name in ACL"),
            (["+@nonexist"], "+@nonexist': Unknown command or category name in ACL"),
            (["#abc"], "#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"),
            (["<nothere"], "<nothere': The password you are trying to remove from the user does not exist"),
            (["allkeys", "~x"], "~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"),
            (["allchannels", "&x"], "&x': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"),
            (["+client|nosuch"], "+client|nosuch': Unknown command or category name in ACL"),
            (["-select|0"], "-select|0': Unknown command or category name in ACL"),
            (["+client|id|x"], "+client|id|x': Allowing first-arg of a subcommand is not supported"),
            (["+get|"], "+get|': Syntax error"),
            (["%X~a"], "%X~a': Syntax error"),
            (["%~a"], "%~a': Syntax error"),
            (["~a b"], "~a b': Syntax error"),
        ]
        for (rules, expected) in cases {
            XCTAssertEqual(h.run(["acl", "setuser", "bad"] + rules), prefix + expected + "\r\n", "\(rules)")
        }
        // A failing SETUSER changes nothing, not even creating the user.
        XCTAssertEqual(h.run(["acl", "users"]), "*1\r\n$7\r\ndefault\r\n")
        h.run(["acl", "setuser", "u", "on", ">a"])
        h.run(["acl", "setuser", "u", ">b", "foo"])
        XCTAssertEqual(h.run(["acl", "getuser", "u"]).components(separatedBy: "$64").count, 2)
        XCTAssertEqual(h.run(["acl", "setuser", "a b"]), "-ERR Usernames can't contain spaces or null characters\r\n")
    }

    func testPermissionsAndMessages() {
        let h = CommandHarness()
        h.run(["acl", "setuser", "u2", "on", ">pw", "%R~r:*", "%W~w:*", "~b:*", "&ch*", "-@all", "+@string",
               "+client|id", "+select|0"])
        XCTAssertEqual(h.run(["auth", "u2", "pw"]), "+OK\r\n")
        XCTAssertEqual(h.run(["get", "r:1"]), "$-1\r\n")
        let keys = "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n"
        XCTAssertEqual(h.run(["set", "r:1", "x"]), keys)
        XCTAssertEqual(h.run(["get", "w:1"]), keys)
        XCTAssertEqual(h.run(["set", "w:1", "x"]), "+OK\r\n")
        XCTAssertEqual(h.run(["set", "w:1", "x", "get"]), keys) // GET needs read access too
        XCTAssertEqual(h.run(["get", "b:1"]), "$-1\r\n")
        XCTAssertEqual(h.run(["set", "b:1", "x"]), "+OK\r\n")
        XCTAssertEqual(h.run(["del", "r:1"]), "-NOPERM this user has no permissions to run the 'del' command\r\n")
        XCTAssertEqual(h.run(["incr", "w:1"]), keys)
        XCTAssertEqual(h.run(["mget", "b:1", "r:1", "w:1"]), keys)
        XCTAssertEqual(h.run(["client", "kill", "x"]),
                       "-NOPERM this user has no permissions to run the 'client|kill' command\r\n")
        XCTAssertEqual(h.run(["client", "id"]), ":\(h.client.id)\r\n")
        XCTAssertEqual(h.run(["select", "1"]), "-NOPERM this user has no permissions to run the 'select' command\r\n")
        XCTAssertEqual(h.run(["select", "0"]), "+OK\r\n")
        XCTAssertEqual(h.run(["acl", "whoami"]),
                       "-NOPERM this user has no permissions to run the 'acl|whoami' command\r\n")
        XCTAssertEqual(h.run(["ping"]), "-NOPERM this user has no permissions to run the 'ping' command\r\n")
        // Unknown commands and arity errors come before the ACL check, as in Redis.
        XCTAssertTrue(h.run(["nosuch"]).hasPrefix("-ERR unknown command"))
        XCTAssertEqual(h.run(["get"]), "-ERR wrong number of arguments for 'get' command\r\n")
        XCTAssertEqual(h.run(["auth", "u2", "bad"]), "-WRONGPASS invalid username-password pair or user is disabled.\r\n")
        XCTAssertEqual(h.run(["auth", "nobody", "x"]), "-WRONGPASS invalid username-password pair or user is disabled.\r\n")
        XCTAssertEqual(h.run(["auth", "default", "x"]), "+OK\r\n")
        XCTAssertEqual(h.run(["acl", "whoami"]), "$7\r\ndefault\r\n")
    }

    func testSessionAppScenario() {
        let h = CommandHarness()
        XCTAssertEqual(h.run(["acl", "setuser", "app1", "on", ">s3cret", "~app1:*", "+@all", "-@dangerous"]), "+OK\r\n")
        XCTAssertEqual(h.run(["auth", "app1", "s3cret"]), "+OK\r\n")
        XCTAssertEqual(h.run(["set", "app1:session:1", "{}", "EX", "1800"]), "+OK\r\n")
        XCTAssertEqual(h.run(["get", "app1:session:1"]), "$2\r\n{}\r\n")
        XCTAssertEqual(h.run(["expire", "app1:session:1", "60"]), ":1\r\n")
        XCTAssertEqual(h.run(["del", "app1:session:1"]), ":1\r\n")
        let keys = "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n"
        XCTAssertEqual(h.run(["get", "app2:session:1"]), keys)
        XCTAssertEqual(h.run(["set", "app2:session:1", "x"]), keys)
        XCTAssertEqual(h.run(["flushall"]), "-NOPERM this user has no permissions to run the 'flushall' command\r\n")
        XCTAssertEqual(h.run(["keys", "*"]), "-NOPERM this user has no permissions to run the 'keys' command\r\n")
        XCTAssertEqual(h.run(["ping"]), "+PONG\r\n")
        XCTAssertEqual(h.run(["acl", "dryrun", "app1", "get", "app2:x"]),
                       "-NOPERM this user has no permissions to run the 'acl|dryrun' command\r\n")
    }

    func testRequirePassAndNoAuth() {
        let h = CommandHarness()
        h.context.acl.setRequirePass(Array("pw".utf8))
        // The connection authenticated at creation stays authenticated (Redis does the same).
        XCTAssertEqual(h.run(["ping"]), "+PONG\r\n")
        let fresh = CommandHarness(sharing: h)
        XCTAssertEqual(fresh.run(["get", "k"]), "-NOAUTH Authentication required.\r\n")
        XCTAssertEqual(fresh.run(["acl", "whoami"]), "-NOAUTH Authentication required.\r\n")
        XCTAssertTrue(fresh.run(["hello", "3"]).hasPrefix("-NOAUTH HELLO must be called"))
        XCTAssertEqual(fresh.run(["auth", "wrong"]), "-WRONGPASS invalid username-password pair or user is disabled.\r\n")
        XCTAssertEqual(fresh.run(["auth", "pw"]), "+OK\r\n")
        XCTAssertEqual(fresh.run(["get", "k"]), "$-1\r\n")
        let viaHello = CommandHarness(sharing: h)
        XCTAssertTrue(viaHello.run(["hello", "2", "auth", "default", "pw"]).hasPrefix("*14\r\n"))
        XCTAssertEqual(viaHello.run(["get", "k"]), "$-1\r\n")
        XCTAssertEqual(viaHello.run(["reset"]), "+RESET\r\n")
        XCTAssertEqual(viaHello.run(["get", "k"]), "-NOAUTH Authentication required.\r\n")
        h.context.acl.setRequirePass([])
        XCTAssertEqual(viaHello.run(["get", "k"]), "$-1\r\n")
    }

    func testDeletedUserIsDisconnected() {
        let h = CommandHarness()
        h.run(["acl", "setuser", "tmp", "on", "nopass", "+@all", "~*"])
        let other = CommandHarness(sharing: h)
        XCTAssertEqual(other.run(["auth", "tmp", "x"]), "+OK\r\n")
        XCTAssertEqual(h.run(["auth", "tmp", "x"]), "+OK\r\n")
        // Deleting one's own user: the reply, then the connection closes.
        XCTAssertEqual(h.run(["acl", "deluser", "tmp", "none"]), ":1\r\n")
        XCTAssertTrue(h.client.closeAfterReply)
        // Another connection of the deleted user is closed without running its next command.
        XCTAssertEqual(other.run(["set", "k", "v"]), "-NOAUTH Authentication required.\r\n")
        XCTAssertTrue(other.client.closeAfterReply)
        XCTAssertEqual(other.run(["get", "k"]), "-NOAUTH Authentication required.\r\n")
    }

    func testPermissionChangesApplyToConnectedClients() {
        let h = CommandHarness()
        h.run(["acl", "setuser", "w", "on", "nopass", "~*", "+@all"])
        h.run(["auth", "w", "x"])
        XCTAssertEqual(h.run(["get", "k"]), "$-1\r\n")
        let admin = CommandHarness(sharing: h)
        admin.run(["acl", "setuser", "w", "-get"])
        XCTAssertEqual(h.run(["get", "k"]), "-NOPERM this user has no permissions to run the 'get' command\r\n")
        admin.run(["acl", "setuser", "w", "+get"])
        XCTAssertEqual(h.run(["get", "k"]), "$-1\r\n")
    }

    func testCatGenpassDryrunLog() {
        let h = CommandHarness()
        XCTAssertTrue(h.run(["acl", "cat"]).hasPrefix("*21\r\n$8\r\nkeyspace\r\n$4\r\nread\r\n"))
        XCTAssertEqual(h.run(["acl", "cat", "nosuch"]), "-ERR Unknown category 'nosuch'\r\n")
        XCTAssertTrue(h.run(["acl", "cat", "string"]).contains("$3\r\nget\r\n"))
        XCTAssertFalse(h.run(["acl", "cat", "string"]).contains("$3\r\ndel\r\n"))
        let password = h.run(["acl", "genpass"])
        XCTAssertTrue(password.hasPrefix("$64\r\n"))
        XCTAssertNotEqual(password, h.run(["acl", "genpass"]))
        XCTAssertTrue(h.run(["acl", "genpass", "5"]).hasPrefix("$2\r\n"))
        XCTAssertTrue(h.run(["acl", "genpass", "1"]).hasPrefix("$1\r\n"))
        let range = "-ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096\r\n"
        XCTAssertEqual(h.run(["acl", "genpass", "0"]), range)
        XCTAssertEqual(h.run(["acl", "genpass", "5000"]), range)
        XCTAssertEqual(h.run(["acl", "genpass", "x"]), "-ERR value is not an integer or out of range\r\n")

        h.run(["acl", "setuser", "app1", "on", ">secret", "~app1:*", "+@all", "-@dangerous"])
        XCTAssertEqual(h.run(["acl", "dryrun", "app1", "get", "app2:x"]),
                       "$55\r\nThis user has no permissions to access the 'app2:x' key\r\n")
        XCTAssertEqual(h.run(["acl", "dryrun", "app1", "get", "app1:x"]), "+OK\r\n")
        XCTAssertEqual(h.run(["acl", "dryrun", "app1", "flushall"]),
                       "$58\r\nThis user has no permissions to run the 'flushall' command\r\n")
        XCTAssertEqual(h.run(["acl", "dryrun", "nobody", "get", "x"]), "-ERR User 'nobody' not found\r\n")
        XCTAssertEqual(h.run(["acl", "dryrun", "app1", "nocmd"]), "-ERR Command 'nocmd' not found\r\n")
        XCTAssertEqual(h.run(["acl", "dryrun", "app1", "get"]), "-ERR wrong number of arguments for 'get' command\r\n")

        XCTAssertEqual(h.run(["acl", "log"]), "*0\r\n")
        h.run(["auth", "app1", "wrong"])
        h.run(["auth", "app1", "secret"])
        h.run(["get", "app2:x"])
        h.run(["get", "app2:x"])
        h.run(["flushall"])
        XCTAssertEqual(h.run(["auth", "default", "x"]), "+OK\r\n")
        let log = h.run(["acl", "log"])
        XCTAssertTrue(log.hasPrefix("*3\r\n*14\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$7\r\ncommand\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$8\r\nflushall\r\n$8\r\nusername\r\n$4\r\napp1\r\n$11\r\nage-seconds\r\n"), log)
        XCTAssertTrue(log.contains("$5\r\ncount\r\n:2\r\n$6\r\nreason\r\n$3\r\nkey\r\n"))
        XCTAssertTrue(log.contains("$6\r\nreason\r\n$4\r\nauth\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$4\r\nAUTH\r\n"))
        XCTAssertTrue(log.contains(" user=app1 redir=-1 resp=2\r\n"))
        XCTAssertTrue(h.run(["acl", "log", "1"]).hasPrefix("*1\r\n"))
        XCTAssertEqual(h.run(["acl", "log", "reset"]), "+OK\r\n")
        XCTAssertEqual(h.run(["acl", "log"]), "*0\r\n")
    }

    func testChannelPermissions() {
        let h = CommandHarness()
        h.run(["acl", "setuser", "u", "on", "nopass", "+@all", "~*", "resetchannels", "&news.*", "&chat"])
        let sub = h.subscriber
        XCTAssertEqual(h.run(["auth", "u", "x"], on: sub), "+OK\r\n")
        let denied = "-NOPERM this user has no permissions to access one of the channels used as arguments\r\n"
        XCTAssertEqual(h.run(["publish", "news.1", "hi"], on: sub), ":0\r\n")
        XCTAssertEqual(h.run(["publish", "other", "hi"], on: sub), denied)
        XCTAssertEqual(h.run(["publish", "news.*", "hi"], on: sub), ":0\r\n")
        // A pattern must equal an allowed pattern; a channel is matched against them.
        XCTAssertEqual(h.run(["psubscribe", "news.1"], on: sub), denied)
        XCTAssertEqual(h.run(["psubscribe", "news.*", "chat"], on: sub),
                       "*3\r\n$10\r\npsubscribe\r\n$6\r\nnews.*\r\n:1\r\n*3\r\n$10\r\npsubscribe\r\n$4\r\nchat\r\n:2\r\n")
        XCTAssertEqual(h.run(["subscribe", "chat", "other"], on: sub), denied) // nothing subscribed
        XCTAssertEqual(h.run(["subscribe", "news.x", "chat"], on: sub),
                       "*3\r\n$9\r\nsubscribe\r\n$6\r\nnews.x\r\n:3\r\n*3\r\n$9\r\nsubscribe\r\n$4\r\nchat\r\n:4\r\n")
        XCTAssertEqual(h.run(["unsubscribe", "other"], on: sub), "*3\r\n$11\r\nunsubscribe\r\n$5\r\nother\r\n:4\r\n")
        XCTAssertEqual(h.run(["punsubscribe", "zzz"], on: sub), "*3\r\n$12\r\npunsubscribe\r\n$3\r\nzzz\r\n:4\r\n")
        XCTAssertEqual(h.run(["psubscribe", "chat", "news*"], on: sub), denied)
        XCTAssertEqual(h.run(["reset"], on: sub), "+RESET\r\n")
        XCTAssertEqual(h.run(["auth", "u", "x"], on: sub), "+OK\r\n")
        XCTAssertEqual(h.run(["multi"], on: sub), "+OK\r\n")
        XCTAssertEqual(h.run(["publish", "other", "x"], on: sub), denied)
        XCTAssertEqual(h.run(["exec"], on: sub), "-EXECABORT Transaction discarded because of previous errors.\r\n")
        // Newest first; the refusal while queueing is logged with the "multi" context.
        let log = h.run(["acl", "log"])
        let entries = log.components(separatedBy: "*14\r\n").dropFirst().map { entry in
            String(entry[..<entry.range(of: "$8\r\nusername")!.lowerBound])
        }
        let entry = { (count: Int, context: String, object: String) in
            "$5\r\ncount\r\n:\(count)\r\n$6\r\nreason\r\n$7\r\nchannel\r\n$7\r\ncontext\r\n$\(context.count)\r\n\(context)\r\n"
                + "$6\r\nobject\r\n$\(object.count)\r\n\(object)\r\n"
        }
        XCTAssertEqual(entries, [entry(1, "multi", "other"), entry(1, "toplevel", "news*"), entry(2, "toplevel", "other"),
                                 entry(1, "toplevel", "news.1")])
        // Patterns compare as C strings (Redis strcmp); channels match by the whole argument.
        h.run(["acl", "setuser", "w", "on", "nopass", "+@all", "~*", "&a"])
        XCTAssertEqual(h.run(["acl", "dryrun", "w", "psubscribe", "a", "a\0b"]), "+OK\r\n")
        XCTAssertEqual(h.run(["acl", "dryrun", "w", "publish", "a\0b", "x"]),
                       "$54\r\nThis user has no permissions to access the 'a' channel\r\n") // "%s": cut at the NUL
        XCTAssertEqual(h.run(["acl", "dryrun", "w", "publish", "zz", "x"]),
                       "$55\r\nThis user has no permissions to access the 'zz' channel\r\n")
        XCTAssertEqual(h.run(["acl", "dryrun", "w", "unsubscribe", "zz"]), "+OK\r\n")
        XCTAssertEqual(h.run(["auth", "w", "x"], on: sub), "+OK\r\n")
        XCTAssertEqual(h.run(["publish", "a\0b", "x"], on: sub), denied)
        XCTAssertTrue(h.run(["acl", "log", "1"]).contains("$6\r\nobject\r\n$3\r\na\0b\r\n")) // the log keeps it whole
    }

    func testExecRechecksPermissions() {
        let h = CommandHarness()
        h.run(["acl", "setuser", "u", "on", "nopass", "+@all", "~*", "resetchannels", "&news.*"])
        let admin = CommandHarness(sharing: h)
        h.run(["auth", "u", "x"])
        for command in [["multi"], ["set", "k", "v"], ["get", "k"], ["publish", "news.1", "x"], ["set", "other", "v"],
                        ["client", "id"]] {
            h.run(command)
        }
        XCTAssertEqual(admin.run(["acl", "setuser", "u", "-get", "resetchannels", "resetkeys", "~k"]), "+OK\r\n")
        let changed = "-NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: "
        XCTAssertEqual(h.run(["exec"]),
                       "*5\r\n+OK\r\n\(changed)no permission to execute the command or subcommand\r\n"
                       + "\(changed)no permission to access one of the channels used as arguments\r\n"
                       + "\(changed)no permission to touch the specified keys\r\n:\(h.client.id)\r\n")
        XCTAssertEqual(admin.run(["exists", "other"]), ":0\r\n")
        let log = admin.run(["acl", "log"])
        XCTAssertTrue(log.hasPrefix("*3\r\n*14\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$3\r\nkey\r\n$7\r\ncontext\r\n$5\r\nmulti\r\n$6\r\nobject\r\n$5\r\nother\r\n"), log)
        XCTAssertTrue(log.contains("$6\r\nreason\r\n$7\r\nchannel\r\n$7\r\ncontext\r\n$5\r\nmulti\r\n$6\r\nobject\r\n$6\r\nnews.1\r\n"))
        XCTAssertTrue(log.contains("$6\r\nreason\r\n$7\r\ncommand\r\n$7\r\ncontext\r\n$5\r\nmulti\r\n$6\r\nobject\r\n$3\r\nget\r\n"))
        XCTAssertTrue(log.contains(" cmd=exec user=u "), log)
        XCTAssertTrue(log.contains(" flags=x db=0 sub=0 psub=0 ssub=0 multi=5 "), log) // still in MULTI during EXEC
        // An AUTH failure run by EXEC is logged as "multi" too.
        admin.run(["acl", "log", "reset"])
        admin.run(["acl", "setuser", "pw", "on", ">good", "+@all"])
        XCTAssertEqual(admin.run(["multi"]), "+OK\r\n")
        XCTAssertEqual(admin.run(["auth", "pw", "bad"]), "+QUEUED\r\n")
        XCTAssertEqual(admin.run(["exec"]), "*1\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n")
        XCTAssertTrue(admin.run(["acl", "log"]).hasPrefix("*1\r\n*14\r\n$5\r\ncount\r\n:1\r\n$6\r\nreason\r\n$4\r\nauth\r\n$7\r\ncontext\r\n$5\r\nmulti\r\n"))
    }

    func testGetUserRESP3AndPatterns() {
        let h = CommandHarness()
        h.run(["acl", "setuser", "u2", "on", ">pw", "%R~r:*", "%W~w:*", "~b:*", "&ch*", "-@all", "+@string"])
        h.run(["hello", "3"])
        let reply = h.run(["acl", "getuser", "u2"])
        XCTAssertTrue(reply.hasPrefix("%6\r\n$5\r\nflags\r\n~1\r\n$2\r\non\r\n$9\r\npasswords\r\n*1\r\n$64\r\n30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4\r\n"), reply)
        XCTAssertTrue(reply.hasSuffix("$4\r\nkeys\r\n$18\r\n%R~r:* %W~w:* ~b:*\r\n$8\r\nchannels\r\n$4\r\n&ch*\r\n$9\r\nselectors\r\n*0\r\n"), reply)
    }

    func testACLFileLoadAndSave() throws {
        let h = CommandHarness()
        let message = "-ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.\r\n"
        XCTAssertEqual(h.run(["acl", "save"]), message)
        XCTAssertEqual(h.run(["acl", "load"]), message)
        let path = "/tmp/tessera-acl-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).acl"
        defer { unlink(path) }
        h.context.acl.aclFile = path
        h.run(["acl", "setuser", "app1", "on", ">secret", "~app1:*", "+@all", "-@dangerous"])
        XCTAssertEqual(h.run(["acl", "save"]), "+OK\r\n")
        let saved = String(decoding: try XCTUnwrap(readAll(path)), as: UTF8.self)
        XCTAssertEqual(saved, "user app1 on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~app1:* resetchannels +@all -@dangerous\nuser default on nopass ~* &* +@all\n")
        h.run(["acl", "deluser", "app1"])
        XCTAssertEqual(h.run(["acl", "load"]), "+OK\r\n")
        XCTAssertEqual(line(h, "app1"), "user app1 on #2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b ~app1:* resetchannels +@all -@dangerous")
        // The default user is reset before its line applies, as in Redis.
        XCTAssertEqual(line(h, "default"), "user default on nopass sanitize-payload ~* &* +@all")

        try writeAll(path, "# comment\nuser ok on\nuser bad foo\nuser ok off\n")
        XCTAssertEqual(h.run(["acl", "load"]),
                       "-ERR \(path):1 should start with user keyword followed by the username. \(path):3: Syntax error. WARNING: Duplicate user 'ok' found on line 4. WARNING: ACL errors detected, no change to the previously active ACL rules was performed\r\n")
        XCTAssertNotNil(h.context.acl.user(named: Array("app1".utf8)))
    }

    // MARK: Helpers

    private func line(_ h: CommandHarness, _ name: String) -> String {
        let reply = h.run(["acl", "list"])
        return reply.components(separatedBy: "\r\n").first { $0.hasPrefix("user \(name) ") } ?? "<missing>"
    }

    private func readAll(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n == 0 { return out }
            out += buffer[..<n]
        }
    }

    private func writeAll(_ path: String, _ text: String) throws {
        let file = try XCTUnwrap(fopen(path, "wb"))
        defer { fclose(file) }
        let bytes = Array(text.utf8)
        XCTAssertEqual(fwrite(bytes, 1, bytes.count, file), bytes.count)
    }
}
