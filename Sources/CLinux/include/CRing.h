// io_uring, spoken directly through its three system calls (no liburing: the server takes no
// dependencies). Only what the event loop needs: multishot recv into a provided-buffer ring,
// multishot and one-shot poll, cancel, and a wait that can coalesce wake-ups.
#ifndef TESSERA_CRING_H
#define TESSERA_CRING_H

#include <stdint.h>
#include <stddef.h>

typedef struct tessera_ring {
    int fd;
    unsigned sq_entries, sq_mask, cq_mask;
    unsigned *sq_head, *sq_tail, *cq_head, *cq_tail;
    unsigned sq_local_tail;          // SQEs prepared; published to *sq_tail at submit
    unsigned to_submit;
    // SQEs queued since the last wait that complete during their own submission (sends never
    // wait, cancels): their CQEs are posted before the wait starts and would satisfy it.
    unsigned immediate;
    void *sqes, *cqes;
    void *ring_map; size_t ring_map_size;
    void *sqe_map; size_t sqe_map_size;
    // Provided buffers: the kernel picks one per received chunk; we hand it back after copying.
    void *buf_ring; size_t buf_ring_size;
    char *buffers;
    unsigned buf_count, buf_size;
    uint16_t buf_tail;
    int min_wait_supported;          // kernel ≥ 6.12: wait for N completions at most min_wait µs
} tessera_ring;

/// 0, or -errno (ENOSYS/EPERM where io_uring is missing or forbidden, e.g. a container's seccomp).
int tessera_ring_open(tessera_ring *ring, unsigned entries, unsigned buffer_count, unsigned buffer_size);
void tessera_ring_close(tessera_ring *ring);

/// Queue requests; submitted by the next tessera_ring_wait (or earlier if the queue is full).
/// Return 0, or -errno if the queue could not be flushed.
int tessera_ring_recv_multishot(tessera_ring *ring, int fd, uint64_t user_data);
/// One receive into one provided buffer (at most a buffer's worth), then done.
int tessera_ring_recv_once(tessera_ring *ring, int fd, uint64_t user_data);
int tessera_ring_poll(tessera_ring *ring, int fd, uint32_t events, int multishot, uint64_t user_data);
int tessera_ring_cancel(tessera_ring *ring, uint64_t target, uint64_t user_data);
/// A send that never waits: the kernel performs it while submitting (MSG_DONTWAIT makes a full
/// socket complete with -EAGAIN instead of parking the request), so `buffer` is free to change
/// once the submitting call returns; the completion reports the bytes sent.
int tessera_ring_send(tessera_ring *ring, int fd, const void *buffer, unsigned length, uint64_t user_data);

/// Submits what is queued now, without waiting or collecting. 0 or -errno.
int tessera_ring_submit(tessera_ring *ring);

/// Submits what is queued, then waits until `min_complete` completions are ready, or (when the
/// kernel supports it and min_complete > 1) `min_wait_usec` passed with at least one, or
/// `timeout_ms` passed. min_complete 0 only submits and runs ready work. Returns 0 or -errno
/// (ETIME and EINTR are not errors: the caller reads whatever is ready).
int tessera_ring_wait(tessera_ring *ring, unsigned min_complete, unsigned min_wait_usec, int64_t timeout_ms);

/// Completions: read `count` of them from `first` (tessera_ring_ready), then advance.
unsigned tessera_ring_ready(tessera_ring *ring, unsigned *first);
void tessera_ring_completion(const tessera_ring *ring, unsigned index, uint64_t *user_data, int32_t *result, uint32_t *flags);
void tessera_ring_advance(tessera_ring *ring, unsigned count);

/// The provided buffer a recv completion filled (flags >> 16), and handing it back.
const uint8_t *tessera_ring_buffer(const tessera_ring *ring, unsigned id);
void tessera_ring_recycle(tessera_ring *ring, unsigned id);
void tessera_ring_publish_buffers(tessera_ring *ring);

/// Completion flag bits (IORING_CQE_F_BUFFER, IORING_CQE_F_MORE; CRing.c checks they match) as
/// plain constants, so Swift reads them without a lazy global.
#define TESSERA_RING_F_BUFFER 1u
#define TESSERA_RING_F_MORE 2u

#endif
