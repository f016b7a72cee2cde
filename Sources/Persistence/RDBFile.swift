import Glibc

// File plumbing around the codecs: the crash-safe save sequence Redis uses (temp file, fsync,
// rename, fsync of the directory) and a read-only mapping for loading. Paths are Strings: this is
// the admin path, not the request path.

public enum RDBFile {
    /// Writes `dir/filename` atomically: `body` streams into `dir/temp-<pid>.rdb`, which is fsynced,
    /// renamed over the target and made durable by fsyncing the directory. A reader (or a crash)
    /// sees either the old file or the complete new one. On error the temp file is removed.
    public static func saveAtomically(directory: String, filename: String, pid: Int32 = getpid(),
                                      body: (inout RDBWriter) throws(PersistenceError) -> Void,
                                      options: RDBOptions = RDBOptions()) throws(PersistenceError) -> Int {
        let temp = directory + "/temp-\(pid).rdb"
        let target = directory + "/" + filename
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw .io(operation: "open \(temp)", errno: errno) }
        var size = 0
        do throws(PersistenceError) {
            var writer = RDBWriter(fd: fd, options: options)
            try body(&writer)
            size = writer.bytesWritten
            if fsync(fd) != 0 { throw PersistenceError.io(operation: "fsync \(temp)", errno: errno) }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        if close(fd) != 0 {
            let e = errno
            unlink(temp)
            throw .io(operation: "close \(temp)", errno: e)
        }
        try renameDurably(from: temp, to: target, directory: directory)
        return size
    }

    /// rename(2) then fsync of the containing directory, so the new name survives a power loss.
    public static func renameDurably(from source: String, to target: String, directory: String) throws(PersistenceError) {
        if rename(source, target) != 0 {
            let e = errno
            unlink(source)
            throw .io(operation: "rename \(source) to \(target)", errno: e)
        }
        try fsyncDirectory(directory)
    }

    public static func fsyncDirectory(_ directory: String) throws(PersistenceError) {
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd < 0 { throw .io(operation: "open directory \(directory)", errno: errno) }
        defer { close(dfd) }
        if fsync(dfd) != 0 { throw .io(operation: "fsync directory \(directory)", errno: errno) }
    }

    /// Maps `path` read-only for the duration of `body` (the page cache streams it in; nothing is
    /// copied up front, so a multi-gigabyte dump costs no heap). An empty file maps to an empty buffer.
    public static func withMappedFile<R>(_ path: String,
                                         _ body: (UnsafeRawBufferPointer) throws(PersistenceError) -> R) throws(PersistenceError) -> R {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .io(operation: "open \(path)", errno: errno) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) != 0 { throw .io(operation: "fstat \(path)", errno: errno) }
        let size = Int(st.st_size)
        if size == 0 { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw .io(operation: "mmap \(path)", errno: errno)
        }
        defer { munmap(p, size) }
        _ = madvise(p, size, MADV_SEQUENTIAL)
        return try body(UnsafeRawBufferPointer(start: p, count: size))
    }

    /// Loads a dump file: `RDBReader.load` over a mapping of `path`.
    public static func load(_ path: String,
                            sink: (PersistedKey) throws(PersistenceError) -> Void) throws(PersistenceError) -> RDBLoadSummary {
        try withMappedFile(path) { (bytes) throws(PersistenceError) -> RDBLoadSummary in
            try RDBReader.load(bytes, sink: sink)
        }
    }
}
