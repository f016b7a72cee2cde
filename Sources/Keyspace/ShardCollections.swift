import Bytes
import CLinux
import Glibc

/// Writes to hashes and sets, and moving/copying whole entries of any type (shard lock held).
/// Mutators may move the entry (`resizeValue`): always continue with the returned one. They keep
/// `objectMemory` in step with the hashtable objects, so `Keyspace.memoryBytes` includes them.
extension Shard {
    /// Random bits from the shard's generator (SPOP, SRANDMEMBER, HRANDFIELD).
    public func nextRandom() -> UInt64 {
        mutex.assertHeld()
        return core.pointee.nextRandom()
    }

    /// A new empty hash (listpack) or set (intset), replacing any entry of `key`. The caller must
    /// add at least one element before releasing the lock: empty collections do not exist.
    public func createCollection(type: ValueType, database: Int, key: UnsafeRawBufferPointer, hash: UInt64,
                                 expireAt: Int64 = 0) -> Entry {
        precondition(type == .hash || type == .set, "only hashes and sets are collections")
        let entry = insertValue(type: type, encoding: type == .hash ? .listpack : .intset, database: database,
                                key: key, hash: hash, valueLength: type == .hash ? 2 : 0, expireAt: expireAt)
        if type == .hash { Packed.setCount(EntryLayout.valueStart(entry.pointer), 0) }
        return entry
    }

    /// Inserts an entry of `type`/`encoding` with `valueLength` uninitialised value bytes, replacing
    /// any existing one (freeing its object). For values built in place.
    public func insertValue(type: ValueType, encoding: ValueEncoding, database: Int, key: UnsafeRawBufferPointer,
                            hash: UInt64, valueLength: Int, expireAt: Int64) -> Entry {
        let p = upsert(database: database, key: key, hash: hash, valueLength: valueLength, expireAt: expireAt)
        EntryLayout.setType(p, type)
        EntryLayout.setEncoding(p, encoding)
        return Entry(pointer: p)
    }

    // MARK: Hashes

    /// HSET of one field: returns the (possibly moved) entry and whether the field is new.
    /// Converts listpack → hashtable past hash-max-listpack-entries / -value, like Redis.
    public func hashSet(_ entry: Entry, database: Int, hash: UInt64, field: UnsafeRawBufferPointer,
                        value: UnsafeRawBufferPointer) -> (Entry, Bool) {
        mutex.assertHeld()
        precondition(entry.type == .hash, "hashSet on a non-hash")
        var entry = entry
        if entry.encoding == .listpack
            && (field.count > ValueEncoding.listpackValueMax || value.count > ValueEncoding.listpackValueMax) {
            entry = convertToTable(entry, database: database, hash: hash)
        }
        if entry.encoding == .hashtable {
            return (entry, mutateObject(entry) { $0.set(field, value) })
        }
        let v = EntryLayout.valueStart(entry.pointer)
        let length = Int(EntryLayout.valueLength(entry.pointer))
        if let at = Packed.findPair(v, field) {
            let oldSize = at.end - at.valueStart
            let newSize = Packed.elementSize(value.count)
            let newLength = length - oldSize + newSize
            if newSize > oldSize { entry = resizeValue(entry, database: database, hash: hash, to: newLength) }
            let w = EntryLayout.valueStart(entry.pointer)
            if newSize != oldSize { memmove(w + at.valueStart + newSize, w + at.end, length - at.end) }
            _ = Packed.write(value, into: w, at: at.valueStart)
            if newSize < oldSize { entry = resizeValue(entry, database: database, hash: hash, to: newLength) }
            return (entry, false)
        }
        let count = Packed.count(v)
        entry = resizeValue(entry, database: database, hash: hash,
                            to: length + Packed.elementSize(field.count) + Packed.elementSize(value.count))
        let w = EntryLayout.valueStart(entry.pointer)
        _ = Packed.write(value, into: w, at: Packed.write(field, into: w, at: length))
        Packed.setCount(w, count + 2)
        if count / 2 + 1 > ValueEncoding.listpackEntriesMax {
            entry = convertToTable(entry, database: database, hash: hash)
        }
        return (entry, true)
    }

    /// HDEL of one field: the (possibly moved) entry and whether it was there. The caller removes
    /// the key when the hash becomes empty.
    public func hashDelete(_ entry: Entry, database: Int, hash: UInt64, field: UnsafeRawBufferPointer) -> (Entry, Bool) {
        mutex.assertHeld()
        if entry.encoding == .hashtable { return (entry, mutateObject(entry) { $0.remove(field) }) }
        let v = EntryLayout.valueStart(entry.pointer)
        guard let at = Packed.findPair(v, field) else { return (entry, false) }
        let length = Int(EntryLayout.valueLength(entry.pointer))
        memmove(v + at.start, v + at.end, length - at.end)
        Packed.setCount(v, Packed.count(v) - 2)
        return (resizeValue(entry, database: database, hash: hash, to: length - (at.end - at.start)), true)
    }

    // MARK: Sets

    /// SADD of one member: the (possibly moved) entry and whether the member is new. Converts
    /// intset → hashtable for a non-integer member or past set-max-intset-entries.
    public func setAdd(_ entry: Entry, database: Int, hash: UInt64, member: UnsafeRawBufferPointer) -> (Entry, Bool) {
        mutex.assertHeld()
        precondition(entry.type == .set, "setAdd on a non-set")
        var entry = entry
        if entry.encoding == .intset {
            if let x = Packed.integer(member) {
                let count = entry.elementCount
                let (found, index) = Packed.intsetSearch(EntryLayout.valueStart(entry.pointer), count: count, x)
                if found { return (entry, false) }
                if count + 1 <= ValueEncoding.intsetEntriesMax {
                    entry = resizeValue(entry, database: database, hash: hash, to: (count + 1) * 8)
                    let v = EntryLayout.valueStart(entry.pointer)
                    memmove(v + (index + 1) * 8, v + index * 8, (count - index) * 8)
                    v.storeBytes(of: x, toByteOffset: index * 8, as: Int64.self)
                    return (entry, true)
                }
            }
            entry = convertToTable(entry, database: database, hash: hash)
        }
        return (entry, mutateObject(entry) { $0.set(member, Entry.emptyBytes) })
    }

    /// SREM of one member; the caller removes the key when the set becomes empty.
    public func setRemove(_ entry: Entry, database: Int, hash: UInt64, member: UnsafeRawBufferPointer) -> (Entry, Bool) {
        mutex.assertHeld()
        if entry.encoding == .hashtable { return (entry, mutateObject(entry) { $0.remove(member) }) }
        guard let x = Packed.integer(member) else { return (entry, false) }
        let count = entry.elementCount
        let v = EntryLayout.valueStart(entry.pointer)
        let (found, index) = Packed.intsetSearch(v, count: count, x)
        guard found else { return (entry, false) }
        memmove(v + index * 8, v + (index + 1) * 8, (count - index - 1) * 8)
        return (resizeValue(entry, database: database, hash: hash, to: (count - 1) * 8), true)
    }

    // MARK: Encodings and objects

    /// Rebuilds a compact hash or set as a hashtable object; the entry's value becomes its pointer.
    func convertToTable(_ entry: Entry, database: Int, hash: UInt64) -> Entry {
        let object = FieldTable.create(capacityFor: entry.elementCount + 1)
        entry.forEachElement { field, value in object.pointee.set(field, value) }
        let moved = resizeValue(entry, database: database, hash: hash, to: MemoryLayout<UInt>.size)
        EntryLayout.valueStart(moved.pointer).storeBytes(of: object, as: UnsafeMutablePointer<FieldTable>.self)
        EntryLayout.setEncoding(moved.pointer, .hashtable)
        core.pointee.objectMemory += object.pointee.bytes
        publishMemory()
        return moved
    }

    private func mutateObject(_ entry: Entry, _ body: (inout FieldTable) -> Bool) -> Bool {
        let object = EntryLayout.object(entry.pointer)
        let before = object.pointee.bytes
        let changed = body(&object.pointee)
        core.pointee.objectMemory += object.pointee.bytes - before
        publishMemory()
        return changed
    }

    // MARK: Moving and copying entries

    /// RENAME / MOVE: moves `entry` (any type, its expiry too) from this shard's `database` to `key`
    /// in `destination`'s `toDatabase`, replacing whatever is there. The value bytes (and with them
    /// a hashtable object's ownership) move; the source entry is removed. Both shards locked.
    @discardableResult
    public func moveEntry(_ entry: Entry, database: Int, hash: UInt64, to destination: Shard, toDatabase: Int,
                          key: UnsafeRawBufferPointer, keyHash: UInt64) -> Entry {
        let value = UnsafeRawBufferPointer(entry.value)
        let moved = destination.insertValue(type: entry.type, encoding: entry.encoding, database: toDatabase, key: key,
                                            hash: keyHash, valueLength: value.count, expireAt: entry.expireAt)
        if value.count > 0 { moved.value.baseAddress!.copyMemory(from: value.baseAddress!, byteCount: value.count) }
        let objectBytes = entry.objectBytes
        // The object now belongs to the new entry: detach it so freeing the source leaves it alone.
        EntryLayout.setEncoding(entry.pointer, .raw)
        remove(entry, database: database, hash: hash)
        core.pointee.objectMemory -= objectBytes
        publishMemory()
        destination.core.pointee.objectMemory += objectBytes
        destination.publishMemory()
        return moved
    }

    /// COPY: a deep copy of `entry` at `key` in `destination`'s `toDatabase` (replacing it), with
    /// `expireAt`. Both shards locked; source and destination must differ.
    @discardableResult
    public func copyEntry(_ entry: Entry, to destination: Shard, toDatabase: Int, key: UnsafeRawBufferPointer,
                          keyHash: UInt64, expireAt: Int64) -> Entry {
        let value = UnsafeRawBufferPointer(entry.value)
        let copy = destination.insertValue(type: entry.type, encoding: entry.encoding, database: toDatabase, key: key,
                                           hash: keyHash, valueLength: value.count, expireAt: expireAt)
        if entry.encoding == .hashtable {
            let object = FieldTable.create(capacityFor: entry.elementCount)
            entry.forEachElement { field, value in object.pointee.set(field, value) }
            EntryLayout.valueStart(copy.pointer).storeBytes(of: object, as: UnsafeMutablePointer<FieldTable>.self)
            destination.core.pointee.objectMemory += object.pointee.bytes
            destination.publishMemory()
        } else if value.count > 0 {
            copy.value.baseAddress!.copyMemory(from: value.baseAddress!, byteCount: value.count)
        }
        return copy
    }
}
