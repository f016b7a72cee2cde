import Bytes
import Glibc
import Keyspace
import RESP

// INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT. The value is rewritten in place, so the TTL stays.
extension StringFamily {
    static func incr(_ client: Client) { incrementBy(client, 1) }
    static func decr(_ client: Client) { incrementBy(client, -1) }

    static func incrby(_ client: Client) {
        guard let increment = ByteStrings.parseInt64(client.args[2]) else {
            client.reply.error(ErrorReply.notInteger)
            return
        }
        incrementBy(client, increment)
    }

    static func decrby(_ client: Client) {
        guard let decrement = ByteStrings.parseInt64(client.args[2]) else {
            client.reply.error(ErrorReply.notInteger)
            return
        }
        // Negating INT64_MIN overflows: Redis rejects it before looking at the key.
        guard decrement != Int64.min else {
            client.reply.error(ErrorReply.decrementOverflow)
            return
        }
        incrementBy(client, -decrement)
    }

    /// Redis incrDecrCommand.
    static func incrementBy(_ client: Client, _ increment: Int64) {
        let key = client.args[1]
        let database = client.database
        let hash = client.keyspace.hash(key)
        let shard = client.keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        let existing = shard.find(database: database, key: key, hash: hash, now: client.now)
        var current: Int64 = 0
        if let existing {
            guard existing.type == .string else {
                client.reply.error(ErrorReply.wrongType)
                return
            }
            guard let parsed = ByteStrings.parseInt64(UnsafeRawBufferPointer(existing.value)) else {
                client.reply.error(ErrorReply.notInteger)
                return
            }
            current = parsed
        }
        let (result, overflow) = current.addingReportingOverflow(increment)
        guard !overflow else {
            client.reply.error(ErrorReply.overflow)
            return
        }
        withUnsafeTemporaryAllocation(byteCount: 24, alignment: 8) { digits in
            let count = ByteStrings.formatInt64(result, into: digits)
            store(client, shard: shard, existing: existing, hash: hash,
                  value: UnsafeRawBufferPointer(rebasing: digits[0..<count]))
        }
        client.context.events.notify(.string, "incrby", key: key, database: database)
        client.reply.integer(Int(result))
    }

    /// Replaces a string value keeping the key's TTL (Redis dbOverwrite), or adds the key without one.
    @inline(__always)
    static func store(_ client: Client, shard: Shard, existing: Entry?, hash: UInt64, value: UnsafeRawBufferPointer) {
        let database = client.database
        guard let existing else {
            shard.setString(database: database, key: client.args[1], hash: hash, value: value, expireAt: 0)
            // Redis dbAdd: fired before the command's own event.
            client.context.events.notify(.newKey, "new", key: client.args[1], database: database)
            return
        }
        let entry = existing.value.count == value.count
            ? existing : shard.resizeValue(existing, database: database, hash: hash, to: value.count)
        if value.count > 0 { entry.value.baseAddress!.copyMemory(from: value.baseAddress!, byteCount: value.count) }
    }

    /// Redis incrbyfloatCommand: long double arithmetic, result stored and replied as "%.17Lf" trimmed.
    static func incrbyfloat(_ client: Client) {
        let key = client.args[1]
        let database = client.database
        let hash = client.keyspace.hash(key)
        let shard = client.keyspace.shard(hash: hash)
        shard.lock()
        defer { shard.unlock() }
        let existing = shard.find(database: database, key: key, hash: hash, now: client.now)
        var current: LongDouble.Value = 0
        if let existing {
            guard existing.type == .string else {
                client.reply.error(ErrorReply.wrongType)
                return
            }
            guard let parsed = LongDouble.parse(UnsafeRawBufferPointer(existing.value)) else {
                client.reply.error(ErrorReply.notFloat)
                return
            }
            current = parsed
        }
        guard let increment = LongDouble.parse(client.args[2]) else {
            client.reply.error(ErrorReply.notFloat)
            return
        }
        let result = current + increment
        guard result.isFinite else {
            client.reply.error(ErrorReply.nanOrInfinity)
            return
        }
        withUnsafeTemporaryAllocation(byteCount: LongDouble.maxCharacters, alignment: 8) { buffer in
            let count = LongDouble.formatHuman(result, into: buffer)
            let text = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            store(client, shard: shard, existing: existing, hash: hash, value: text)
            client.context.events.notify(.string, "incrbyfloat", key: key, database: database)
            client.reply.bulk(text)
            // Redis: SET key <result> KEEPTTL, so a replay never depends on float arithmetic.
            if client.propagates {
                client.propagateCommand(argumentCount: 4)
                client.propagateArgument("SET")
                client.propagateArgument(key)
                client.propagateArgument(text)
                client.propagateArgument("KEEPTTL")
            }
        }
    }
}

/// Redis's `long double` number handling (string2ld, ld2string LD_STR_HUMAN) as INCRBYFLOAT uses it.
/// On x86 that is the x87 80-bit format, so results match redis-server there digit for digit
/// ("10.5" + "0.1" is "10.6", "1e4000" is valid). Elsewhere it falls back to Double.
enum LongDouble {
    /// MAX_LONG_DOUBLE_CHARS: the longest number text Redis parses or produces.
    static let maxCharacters = 5 * 1024

    #if arch(x86_64) || arch(i386)
    typealias Value = Float80

    /// Redis string2ld: what strtold accepts, whole input, no leading space, no NaN, no overflow or
    /// underflow to zero (ERANGE); nil otherwise.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Float80? {
        let count = bytes.count
        if count == 0 || count >= maxCharacters { return nil }
        let first = bytes[0]
        if first == 32 || (first >= 9 && first <= 13) { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer -> Float80? in
            let text = buffer.baseAddress!
            UnsafeMutableRawPointer(text).copyMemory(from: bytes.baseAddress!, byteCount: count)
            text[count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            let value = strtold(text, &end)
            let error = errno
            guard end == text + count else { return nil }
            if error == ERANGE && (value.isInfinite || value == 0) { return nil }
            if error == EINVAL || value.isNaN { return nil }
            return value
        }
    }

    /// Redis ld2string(LD_STR_HUMAN) for a finite value: glibc's "%.17Lf" (exact digits, rounded half
    /// to even), trailing zeros and a trailing '.' removed, "-0" written "0". `buffer` holds at least
    /// `maxCharacters` bytes; returns the length.
    static func formatHuman(_ value: Float80, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let out = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let magnitude = value.magnitude
        let biased = Int(magnitude.exponentBitPattern)
        let fraction = UInt64(magnitude.significandBitPattern)
        // value = mantissa * 2^exponent, with the explicit integer bit of the x87 format.
        let mantissa = biased == 0 ? fraction : fraction | 1 << 63
        let exponent = (biased == 0 ? 1 : biased) - 16383 - 63
        var length = 0
        if value.sign == .minus { out[0] = UInt8(ascii: "-"); length = 1 }
        if mantissa == 0 {
            out[0] = UInt8(ascii: "0")
            return 1
        }
        if exponent >= 0 {
            // An integer: the 17 fraction digits are zeros and trimmed away.
            return length + writeInteger(mantissa, shiftedLeftBy: exponent, into: out + length)
        }
        // round(value * 10^17), halves to even (glibc in the default rounding mode). < 2^121.
        let scale: UInt64 = 100_000_000_000_000_000
        let product = UInt128(mantissa) * UInt128(scale)
        let shift = -exponent
        var scaled: UInt128 = 0
        if shift < 128 {
            scaled = product >> shift
            let remainder = product & ((1 << shift) - 1)
            let half: UInt128 = 1 << (shift - 1)
            if remainder > half || (remainder == half && scaled & 1 == 1) { scaled += 1 }
        }
        if scaled == 0 {
            out[0] = UInt8(ascii: "0")
            return 1
        }
        let integerPart = UInt64(scaled / UInt128(scale))
        var fractionPart = UInt64(scaled % UInt128(scale))
        length += writeDecimal(integerPart, into: out + length)
        if fractionPart != 0 {
            var digits = 17
            while fractionPart % 10 == 0 {
                fractionPart /= 10
                digits -= 1
            }
            out[length] = UInt8(ascii: ".")
            length += 1
            writePadded(fractionPart, width: digits, into: out + length)
            length += digits
        }
        return length
    }

    /// Writes `mantissa << shift` in decimal; returns the length.
    static func writeInteger(_ mantissa: UInt64, shiftedLeftBy shift: Int, into out: UnsafeMutablePointer<UInt8>) -> Int {
        if shift <= 64 { return writeDecimal(UInt128(mantissa) << shift, into: out) }
        // Arbitrary precision: little-endian 64-bit limbs, repeatedly divided by 10^19.
        let chunk: UInt64 = 10_000_000_000_000_000_000
        let limbCount = shift / 64 + 2
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: limbCount) { limbs in
            limbs.initialize(repeating: 0)
            let wordShift = shift / 64
            let bitShift = shift % 64
            limbs[wordShift] = mantissa << UInt64(bitShift)
            limbs[wordShift + 1] = bitShift == 0 ? 0 : mantissa >> UInt64(64 - bitShift)
            var top = limbCount
            while top > 0 && limbs[top - 1] == 0 { top -= 1 }
            // A limb holds up to 19.27 decimal digits, a chunk 19: a few more chunks than limbs.
            return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: limbCount + limbCount / 32 + 2) { chunks in
                var chunkCount = 0
                while top > 0 {
                    var remainder: UInt64 = 0
                    var index = top - 1
                    while index >= 0 {
                        let (quotient, rest) = chunk.dividingFullWidth((high: remainder, low: limbs[index]))
                        limbs[index] = quotient
                        remainder = rest
                        index -= 1
                    }
                    chunks[chunkCount] = remainder
                    chunkCount += 1
                    while top > 0 && limbs[top - 1] == 0 { top -= 1 }
                }
                var length = writeDecimal(chunks[chunkCount - 1], into: out)
                var index = chunkCount - 2
                while index >= 0 {
                    writePadded(chunks[index], width: 19, into: out + length)
                    length += 19
                    index -= 1
                }
                return length
            }
        }
    }

    /// Writes a 128-bit `value` in decimal; returns the length.
    static func writeDecimal(_ value: UInt128, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let chunk: UInt128 = 10_000_000_000_000_000_000
        if value < chunk { return writeDecimal(UInt64(value), into: out) }
        let length = writeDecimal(value / chunk, into: out)
        writePadded(UInt64(value % chunk), width: 19, into: out + length)
        return length + 19
    }

    #else
    typealias Value = Double

    static func parse(_ bytes: UnsafeRawBufferPointer) -> Double? { ByteStrings.parseDouble(bytes) }

    static func formatHuman(_ value: Double, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        ByteStrings.formatHumanDouble(value, into: buffer)
    }
    #endif

    /// Writes `value` in decimal without leading zeros; returns the length.
    static func writeDecimal(_ value: UInt64, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var digits = 1
        var rest = value / 10
        while rest != 0 {
            digits += 1
            rest /= 10
        }
        writePadded(value, width: digits, into: out)
        return digits
    }

    /// Writes the low `width` decimal digits of `value`, zero-padded.
    static func writePadded(_ value: UInt64, width: Int, into out: UnsafeMutablePointer<UInt8>) {
        var rest = value
        var index = width - 1
        while index >= 0 {
            out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
    }
}
