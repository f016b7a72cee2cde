/// A look ahead at a pipeline: the second argument (the key, for most commands) of each complete
/// multibulk request at the front of the input, without parsing state or copies.
///
/// Why: a pipelined turn runs up to 16 requests whose keys sit in random places of a table too
/// big for the caches. Run one by one, each lookup waits for its slot, then its entry, then its
/// value: three memory latencies in a row, about half of a pipelined GET's CPU. Knowing the keys
/// first lets the worker start all those loads together (`Shard.prefetch`), so they overlap.
///
/// It is a hint: it stops at the first request that is not a plain, complete multibulk (inline
/// commands, partial requests, anything odd), and the parser still checks every byte.
public enum RequestPeek {
    /// Calls `visit` with the second argument of each of the first `limit` complete multibulk
    /// requests that have one; returns how many requests it walked.
    @inline(__always) @discardableResult
    public static func keys(_ input: UnsafeRawBufferPointer, limit: Int,
                            _ visit: (UnsafeRawBufferPointer) -> Void) -> Int {
        guard let base = input.baseAddress else { return 0 }
        let end = input.count
        var pos = 0
        var walked = 0
        while walked < limit && pos < end && base.load(fromByteOffset: pos, as: UInt8.self) == UInt8(ascii: "*") {
            guard let (count, afterCount) = number(base, pos &+ 1, end), count > 0, count <= 1024 else { return walked }
            pos = afterCount
            var key: UnsafeRawBufferPointer?
            for index in 0..<count {
                guard pos < end, base.load(fromByteOffset: pos, as: UInt8.self) == UInt8(ascii: "$"),
                      let (length, data) = number(base, pos &+ 1, end), length >= 0 else { return walked }
                let next = data &+ length &+ 2
                guard next <= end else { return walked }
                if index == 1 { key = UnsafeRawBufferPointer(start: base + data, count: length) }
                pos = next
            }
            walked &+= 1
            if let key { visit(key) }
        }
        return walked
    }

    /// A decimal number ending in CRLF at `start`: the number and the offset after the CRLF.
    @inline(__always)
    private static func number(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) -> (Int, Int)? {
        var p = start
        var value = 0
        while p < end {
            let byte = base.load(fromByteOffset: p, as: UInt8.self)
            if byte == UInt8(ascii: "\r") {
                guard p > start, p &+ 1 < end else { return nil }
                return (value, p &+ 2)
            }
            guard byte &- UInt8(ascii: "0") < 10, p &- start < 10 else { return nil }
            value = value &* 10 &+ Int(byte &- UInt8(ascii: "0"))
            p &+= 1
        }
        return nil
    }
}
