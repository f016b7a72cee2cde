import Bytes
import Keyspace
import RESP

/// The hash family (Redis t_hash.c). Framework session stores keep a session as a small hash, so
/// small hashes live inline in the entry (listpack); see `Shard.hashSet` for the conversion rules.
/// HINCRBY/HINCRBYFLOAT, HRANDFIELD and HSCAN are in HashesMore.swift.
public enum HashFamily {
    typealias Access = CollectionAccess

    /// The events of a hash write to `args[1]` (Redis t_hash.c): "new" when the write created the
    /// key (dbAdd fires it before the command's own event), then `event`.
    @inline(__always)
    static func notifyWrite(_ client: Client, _ event: StaticString, created: Bool) {
        let events = client.context.events
        if created { events.notify(.newKey, "new", key: client.args[1], database: client.database) }
        events.notify(.hash, event, key: client.args[1], database: client.database)
    }

    // MARK: HSET, HMSET, HSETNX

    static func hset(_ client: Client) { setFields(client, okReply: false) }
    static func hmset(_ client: Client) { setFields(client, okReply: true) }

    private static func setFields(_ client: Client, okReply: Bool) {
        let args = client.args
        guard args.count & 1 == 0 else {
            client.replyWrongArity()
            return
        }
        Access.withKey(client, .hash, read: false) { shard, hash, existing in
            var entry = existing ?? shard.createCollection(type: .hash, database: client.database, key: args[1], hash: hash)
            var added = 0
            var index = 2
            while index < args.count {
                let (moved, isNew) = shard.hashSet(entry, database: client.database, hash: hash,
                                                   field: args[index], value: args[index + 1])
                entry = moved
                if isNew { added += 1 }
                index += 2
            }
            notifyWrite(client, "hset", created: existing == nil)
            if okReply { client.reply.ok() } else { client.reply.integer(added) }
        }
    }

    static func hsetnx(_ client: Client) {
        let args = client.args
        Access.withKey(client, .hash, read: false) { shard, hash, existing in
            if let existing, existing.hashValue(args[2]) != nil {
                client.reply.integer(0)
                return
            }
            let entry = existing ?? shard.createCollection(type: .hash, database: client.database, key: args[1], hash: hash)
            _ = shard.hashSet(entry, database: client.database, hash: hash, field: args[2], value: args[3])
            notifyWrite(client, "hset", created: existing == nil)
            client.reply.integer(1)
        }
    }

    // MARK: HGET, HMGET, HEXISTS, HSTRLEN, HLEN

    static func hget(_ client: Client) {
        Access.withKey(client, .hash, read: true) { _, _, entry in
            if let value = entry?.hashValue(client.args[2]) { client.reply.bulk(value) } else { client.reply.null() }
        }
    }

    static func hmget(_ client: Client) {
        let args = client.args
        Access.withKey(client, .hash, read: true) { _, _, entry in
            client.reply.array(count: args.count - 2)
            for index in 2..<args.count {
                if let value = entry?.hashValue(args[index]) { client.reply.bulk(value) } else { client.reply.null() }
            }
        }
    }

    static func hexists(_ client: Client) {
        Access.withKey(client, .hash, read: true) { _, _, entry in
            client.reply.integer(entry?.hashValue(client.args[2]) != nil ? 1 : 0)
        }
    }

    static func hstrlen(_ client: Client) {
        Access.withKey(client, .hash, read: true) { _, _, entry in
            client.reply.integer(entry?.hashValue(client.args[2])?.count ?? 0)
        }
    }

    static func hlen(_ client: Client) {
        Access.withKey(client, .hash, read: true) { _, _, entry in client.reply.integer(entry?.elementCount ?? 0) }
    }

    // MARK: HGETALL, HKEYS, HVALS

    static func hgetall(_ client: Client) { replyAll(client, fields: true, values: true) }
    static func hkeys(_ client: Client) { replyAll(client, fields: true, values: false) }
    static func hvals(_ client: Client) { replyAll(client, fields: false, values: true) }

    /// HGETALL is a map in RESP3 (a flat array in RESP2); HKEYS/HVALS are arrays.
    private static func replyAll(_ client: Client, fields: Bool, values: Bool) {
        Access.withKey(client, .hash, read: true) { _, _, entry in
            let count = entry?.elementCount ?? 0
            if fields && values { client.reply.map(count: count) } else { client.reply.array(count: count) }
            entry?.forEachElement { field, value in
                if fields { client.reply.bulk(field) }
                if values { client.reply.bulk(value) }
            }
        }
    }

    // MARK: HDEL

    static func hdel(_ client: Client) {
        let args = client.args
        Access.withKey(client, .hash, read: false) { shard, hash, existing in
            guard var entry = existing else {
                client.reply.integer(0)
                return
            }
            var deleted = 0
            for index in 2..<args.count {
                let (moved, removed) = shard.hashDelete(entry, database: client.database, hash: hash, field: args[index])
                entry = moved
                if removed { deleted += 1 }
                if entry.elementCount == 0 { break }
            }
            if deleted > 0 {
                client.context.events.notify(.hash, "hdel", key: args[1], database: client.database)
                Access.removeIfEmpty(client, shard, entry, hash: hash, key: args[1])
            }
            client.reply.integer(deleted)
        }
    }

    // MARK: Table

    public static let commands: [Command] = [
        Command("hset", arity: -4, flags: [.write, .denyOOM, .fast], categories: [.write, .hash, .fast],
                keys: .single, group: "hash", since: "2.0.0", summary: "Set the string value of a hash field",
                handler: { hset($0) }),
        Command("hsetnx", arity: 4, flags: [.write, .zeroMeansUnchanged, .denyOOM, .fast], categories: [.write, .hash, .fast],
                keys: .single, group: "hash", since: "2.0.0",
                summary: "Set the value of a hash field, only if the field does not exist", handler: { hsetnx($0) }),
        Command("hmset", arity: -4, flags: [.write, .denyOOM, .fast], categories: [.write, .hash, .fast],
                keys: .single, group: "hash", since: "2.0.0", summary: "Set multiple hash fields to multiple values",
                handler: { hmset($0) }),
        Command("hget", arity: 3, flags: [.readonly, .fast], categories: [.read, .hash, .fast],
                keys: .single, group: "hash", since: "2.0.0", summary: "Get the value of a hash field",
                handler: { hget($0) }),
        Command("hmget", arity: -3, flags: [.readonly, .fast], categories: [.read, .hash, .fast],
                keys: .single, group: "hash", since: "2.0.0", summary: "Get the values of all the given hash fields",
                handler: { hmget($0) }),
        Command("hgetall", arity: 2, flags: [.readonly], categories: [.read, .hash, .slow],
                keys: .single, group: "hash", since: "2.0.0", summary: "Get all the fields and values in a hash",
                handler: { hgetall($0) }),
        Command("hkeys", arity: 2, flags: [.readonly], categories: [.read, .hash, .slow],
                keys: .single, group: "hash", since: "2.0.0", summary: "Get all the fields in a hash",
                handler: { hkeys($0) }),
        Command("hvals", arity: 2, flags: [.readonly], categories: [.read, .hash, .slow],
                keys: .single, group: "hash", since: "2.0.0", summary: "Get all the values in a hash",
                handler: { hvals($0) }),
        Command("hdel", arity: -3, flags: [.write, .zeroMeansUnchanged, .fast], categories: [.write, .hash, .fast],
                keys: .single, group: "hash", since: "2.0.0", summary: "Delete one or more hash fields",
                handler: { hdel($0) }),
        Command("hexists", arity: 3, flags: [.readonly, .fast], categories: [.read, .hash, .fast],
                keys: .single, group: "hash", since: "2.0.0", summary: "Determine if a hash field exists",
                handler: { hexists($0) }),
        Command("hlen", arity: 2, flags: [.readonly, .fast], categories: [.read, .hash, .fast],
                keys: .single, group: "hash", since: "2.0.0", summary: "Get the number of fields in a hash",
                handler: { hlen($0) }),
        Command("hstrlen", arity: 3, flags: [.readonly, .fast], categories: [.read, .hash, .fast],
                keys: .single, group: "hash", since: "3.2.0", summary: "Get the length of the value of a hash field",
                handler: { hstrlen($0) }),
        Command("hincrby", arity: 4, flags: [.write, .denyOOM, .fast], categories: [.write, .hash, .fast],
                keys: .single, group: "hash", since: "2.0.0",
                summary: "Increment the integer value of a hash field by the given number", handler: { hincrby($0) }),
        Command("hincrbyfloat", arity: 4, flags: [.write, .denyOOM, .fast], categories: [.write, .hash, .fast],
                keys: .single, group: "hash", since: "2.6.0",
                summary: "Increment the float value of a hash field by the given amount",
                handler: { hincrbyfloat($0) }),
        Command("hrandfield", arity: -2, flags: [.readonly], categories: [.read, .hash, .slow],
                keys: .single, group: "hash", since: "6.2.0", summary: "Get one or multiple random fields from a hash",
                handler: { hrandfield($0) }),
        Command("hscan", arity: -3, flags: [.readonly], categories: [.read, .hash, .slow],
                keys: .single, group: "hash", since: "2.8.0", summary: "Incrementally iterate hash fields and associated values",
                handler: { CollectionAccess.scan($0, .hash) }),
    ]
}
