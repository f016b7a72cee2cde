/// Version strings the server reports.
public enum ServerInfo {
    public static let tesseraVersion = "0.1.0"
    /// The Redis version we are compatible with, reported where clients look for it
    /// (INFO redis_version, HELLO version) because they gate features on it.
    public static let redisVersion = "7.0.15"
}
