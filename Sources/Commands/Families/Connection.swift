// PLACEHOLDER — a family helper fills this file (handlers + table entries at the bottom).

public enum ConnectionFamily {
    public static let commands: [Command] = []
}
