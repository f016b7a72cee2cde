/// What the server says it is (HELLO, INFO's server section, LOLWUT…): Redis 7.0 as far as clients
/// can tell, plus Tessera's own version for places that report it.
public enum ServerIdentity {
    /// The Redis version we are compatible with and report (HELLO "version", INFO redis_version).
    public static let redisVersion: StaticString = "7.0.15"
    /// HELLO "server".
    public static let serverName: StaticString = "redis"
    /// HELLO "mode" (no cluster, no sentinel).
    public static let mode: StaticString = "standalone"
    /// HELLO "role", ROLE (no replication).
    public static let role: StaticString = "master"
    /// Tessera's own version.
    public static let tesseraVersion: StaticString = "0.1.0"
}
