import Bytes
import RESP
import Synchronization

/// SUBSCRIBE / UNSUBSCRIBE / PSUBSCRIBE / PUNSUBSCRIBE / PUBLISH / PUBSUB (Redis pubsub.c).
/// Subscriptions live in the shared `PubSubHub`; messages reach a subscriber through its event
/// loop's mailbox and are written by that loop (`writeDelivery`), never by the publisher.
public enum PubSubFamily {
    /// Channels and patterns differ only in where they are kept; one pair of handlers serves both.
    enum Target {
        case channel, pattern
        var subscribed: StaticString { self == .channel ? "subscribe" : "psubscribe" }
        var unsubscribed: StaticString { self == .channel ? "unsubscribe" : "punsubscribe" }
        var names: ReferenceWritableKeyPath<Client, Set<[UInt8]>> { self == .channel ? \.channels : \.patterns }
    }

    static func subscribe(_ client: Client, _ target: Target) {
        guard let mailbox = client.mailbox else { preconditionFailure("subscribing clients have a mailbox") }
        let subscriber = PubSubHub.Subscriber(clientID: client.id, mailbox: mailbox)
        for index in 1..<client.args.count {
            let name = Array(client.args[index])
            if client[keyPath: target.names].insert(name).inserted {
                switch target {
                case .channel: client.context.pubsub.subscribe(name, subscriber)
                case .pattern: client.context.pubsub.psubscribe(name, subscriber)
                }
            }
            replyConfirmation(client, target.subscribed, name)
        }
        syncCounts(client)
    }

    static func unsubscribe(_ client: Client, _ target: Target) {
        let requested = client.args.count > 1
            ? (1..<client.args.count).map { Array(client.args[$0]) } : Array(client[keyPath: target.names])
        if requested.isEmpty { replyConfirmation(client, target.unsubscribed, nil) }
        for name in requested {
            if client[keyPath: target.names].remove(name) != nil {
                switch target {
                case .channel: client.context.pubsub.unsubscribe(name, clientID: client.id)
                case .pattern: client.context.pubsub.punsubscribe(name, clientID: client.id)
                }
            }
            replyConfirmation(client, target.unsubscribed, name)
        }
        syncCounts(client)
    }

    static func publish(_ client: Client) {
        client.reply.integer(client.context.pubsub.publish(channel: client.args[1], message: client.args[2]))
    }

    static func channels(_ client: Client) {
        // Redis's pubsubCommand takes at most one pattern; more is its generic subcommand error.
        guard client.args.count <= 3 else {
            client.reply.error([Client.bytes("ERR unknown subcommand or wrong number of arguments for '"),
                                UnsafeRawBufferPointer(rebasing: client.args[1].prefix(128)),
                                Client.bytes("'. Try PUBSUB HELP.")])
            return
        }
        let pattern = client.args.count > 2 ? Array(client.args[2]) : nil
        let names = client.context.pubsub.channels(matching: pattern)
        client.reply.array(count: names.count)
        for name in names { name.withUnsafeBytes { client.reply.bulk($0) } }
    }

    static func numsub(_ client: Client) {
        client.reply.array(count: (client.args.count - 2) * 2)
        for index in 2..<client.args.count {
            let channel = client.args[index]
            client.reply.bulk(channel)
            client.reply.integer(client.context.pubsub.subscriberCount(Array(channel)))
        }
    }

    static func numpat(_ client: Client) {
        client.reply.integer(client.context.pubsub.patternCount)
    }

    /// PUBSUB HELP: Redis 7.0.15's text (it lists the shard subcommands too).
    static func help(_ client: Client) {
        client.reply.array(count: helpLines.count)
        for line in helpLines { client.reply.simple(line) }
    }

    static let helpLines: [StaticString] = [
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    ]

    /// "subscribe"/"unsubscribe"… confirmation: a push in RESP3, an array in RESP2.
    private static func replyConfirmation(_ client: Client, _ kind: StaticString, _ name: [UInt8]?) {
        client.reply.push(count: 3)
        client.reply.bulk(kind)
        if let name { name.withUnsafeBytes { client.reply.bulk($0) } } else { client.reply.null() }
        client.reply.integer(client.subscriptionCount)
    }

    private static func syncCounts(_ client: Client) {
        client.info.subscriptionCount.store(client.channels.count, ordering: .relaxed)
        client.info.patternCount.store(client.patterns.count, ordering: .relaxed)
    }

    /// Writes one delivered message in the subscriber's protocol (called by its event loop).
    public static func writeDelivery(_ delivery: Delivery, to client: Client) {
        if delivery.isMonitorLine {
            guard client.isMonitor else { return }
            delivery.payload.withUnsafeBytes { client.reply.simple($0) }
            return
        }
        if let pattern = delivery.pattern {
            guard client.patterns.contains(pattern) else { return }
            client.reply.push(count: 4)
            client.reply.bulk("pmessage")
            pattern.withUnsafeBytes { client.reply.bulk($0) }
        } else {
            guard client.channels.contains(delivery.channel) else { return }
            client.reply.push(count: 3)
            client.reply.bulk("message")
        }
        delivery.channel.withUnsafeBytes { client.reply.bulk($0) }
        delivery.payload.withUnsafeBytes { client.reply.bulk($0) }
    }

    static let subscribeFlags: CommandFlags = [.pubsub, .noscript, .loading, .stale, .allowedWhileSubscribed]

    public static let commands: [Command] = [
        Command("subscribe", arity: -2, flags: subscribeFlags, categories: [.pubsub, .slow], group: "pubsub",
                since: "2.0.0", summary: "Listen for messages published to the given channels", handler: { subscribe($0, .channel) }),
        Command("unsubscribe", arity: -1, flags: subscribeFlags, categories: [.pubsub, .slow], group: "pubsub",
                since: "2.0.0", summary: "Stop listening for messages posted to the given channels", handler: { unsubscribe($0, .channel) }),
        Command("psubscribe", arity: -2, flags: subscribeFlags, categories: [.pubsub, .slow], group: "pubsub",
                since: "2.0.0", summary: "Listen for messages published to channels matching the given patterns",
                handler: { subscribe($0, .pattern) }),
        Command("punsubscribe", arity: -1, flags: subscribeFlags, categories: [.pubsub, .slow], group: "pubsub",
                since: "2.0.0", summary: "Stop listening for messages posted to channels matching the given patterns",
                handler: { unsubscribe($0, .pattern) }),
        Command("publish", arity: 3, flags: [.pubsub, .loading, .stale, .fast, .mayReplicate],
                categories: [.pubsub, .fast], group: "pubsub", since: "2.0.0",
                summary: "Post a message to a channel", handler: { publish($0) }),
        Command("pubsub", arity: -2, flags: [], categories: [.slow], group: "pubsub", since: "2.8.0",
                summary: "A container for Pub/Sub commands", subcommands: [
                    Command("channels", arity: -2, flags: [.pubsub, .loading, .stale], categories: [.pubsub, .slow],
                            group: "pubsub", since: "2.8.0", summary: "List active channels", handler: { channels($0) }),
                    Command("numsub", arity: -2, flags: [.pubsub, .loading, .stale], categories: [.pubsub, .slow],
                            group: "pubsub", since: "2.8.0", summary: "Get the count of subscribers for channels",
                            handler: { numsub($0) }),
                    Command("numpat", arity: 2, flags: [.pubsub, .loading, .stale], categories: [.pubsub, .slow],
                            group: "pubsub", since: "2.8.0", summary: "Get the count of unique patterns pattern subscriptions",
                            handler: { numpat($0) }),
                    Command("help", arity: 2, flags: [.loading, .stale], categories: [.slow], group: "pubsub",
                            since: "6.2.0", summary: "Show helpful text about the different subcommands",
                            handler: { help($0) }),
                ], handler: nil),
    ]
}
