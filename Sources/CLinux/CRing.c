// io_uring through raw system calls. See CRing.h for what is used and why.
#define _GNU_SOURCE
#include "CRing.h"
#include <errno.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef IORING_FEAT_MIN_TIMEOUT
#define IORING_FEAT_MIN_TIMEOUT (1U << 15)
#endif

static int sys_setup(unsigned entries, struct io_uring_params *p) {
    return (int)syscall(__NR_io_uring_setup, entries, p);
}
static int sys_enter(int fd, unsigned submit, unsigned min, unsigned flags, void *arg, size_t size) {
    return (int)syscall(__NR_io_uring_enter, fd, submit, min, flags, arg, size);
}
static int sys_register(int fd, unsigned op, void *arg, unsigned count) {
    return (int)syscall(__NR_io_uring_register, fd, op, arg, count);
}

int tessera_ring_open(tessera_ring *r, unsigned entries, unsigned buffer_count, unsigned buffer_size) {
    memset(r, 0, sizeof *r);
    r->fd = -1;
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    // Completions are produced only when this thread asks for them (DEFER_TASKRUN): no interrupting
    // task work while a command runs, and a waiting loop is woken once per batch, not per packet.
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE;
    p.cq_entries = entries * 4;
    int fd = sys_setup(entries, &p);
    if (fd < 0) return -errno;
    r->fd = fd;
    if (!(p.features & IORING_FEAT_SINGLE_MMAP) || !(p.features & IORING_FEAT_NODROP) || !(p.features & IORING_FEAT_EXT_ARG)) {
        tessera_ring_close(r);
        return -ENOSYS;
    }
    r->min_wait_supported = (p.features & IORING_FEAT_MIN_TIMEOUT) != 0;
    size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    r->ring_map_size = sq_size > cq_size ? sq_size : cq_size;
    r->ring_map = mmap(NULL, r->ring_map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
    if (r->ring_map == MAP_FAILED) { r->ring_map = NULL; int e = -errno; tessera_ring_close(r); return e; }
    r->sqe_map_size = p.sq_entries * sizeof(struct io_uring_sqe);
    r->sqe_map = mmap(NULL, r->sqe_map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
    if (r->sqe_map == MAP_FAILED) { r->sqe_map = NULL; int e = -errno; tessera_ring_close(r); return e; }
    char *m = r->ring_map;
    r->sq_head = (unsigned *)(m + p.sq_off.head);
    r->sq_tail = (unsigned *)(m + p.sq_off.tail);
    r->sq_mask = *(unsigned *)(m + p.sq_off.ring_mask);
    r->sq_entries = p.sq_entries;
    unsigned *array = (unsigned *)(m + p.sq_off.array);
    for (unsigned i = 0; i < p.sq_entries; i++) array[i] = i;   // SQE i sits in slot i, always
    r->cq_head = (unsigned *)(m + p.cq_off.head);
    r->cq_tail = (unsigned *)(m + p.cq_off.tail);
    r->cq_mask = *(unsigned *)(m + p.cq_off.ring_mask);
    r->cqes = m + p.cq_off.cqes;
    r->sqes = r->sqe_map;
    r->sq_local_tail = *r->sq_tail;

    // buffer_count must be a power of two (the kernel's ring mask).
    r->buf_count = buffer_count;
    r->buf_size = buffer_size;
    r->buf_ring_size = buffer_count * sizeof(struct io_uring_buf);
    r->buf_ring = mmap(NULL, r->buf_ring_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r->buf_ring == MAP_FAILED) { r->buf_ring = NULL; int e = -errno; tessera_ring_close(r); return e; }
    r->buffers = mmap(NULL, (size_t)buffer_count * buffer_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r->buffers == MAP_FAILED) { r->buffers = NULL; int e = -errno; tessera_ring_close(r); return e; }
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (uint64_t)(uintptr_t)r->buf_ring;
    reg.ring_entries = buffer_count;
    reg.bgid = 0;
    if (sys_register(fd, IORING_REGISTER_PBUF_RING, &reg, 1) < 0) { int e = -errno; tessera_ring_close(r); return e; }
    for (unsigned i = 0; i < buffer_count; i++) tessera_ring_recycle(r, i);
    tessera_ring_publish_buffers(r);
    return 0;
}

void tessera_ring_close(tessera_ring *r) {
    if (r->buffers) munmap(r->buffers, (size_t)r->buf_count * r->buf_size);
    if (r->buf_ring) munmap(r->buf_ring, r->buf_ring_size);
    if (r->sqe_map) munmap(r->sqe_map, r->sqe_map_size);
    if (r->ring_map) munmap(r->ring_map, r->ring_map_size);
    if (r->fd >= 0) close(r->fd);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

static int submit_pending(tessera_ring *r) {
    atomic_store_explicit((_Atomic unsigned *)r->sq_tail, r->sq_local_tail, memory_order_release);
    if (r->to_submit == 0) return 0;
    int n = sys_enter(r->fd, r->to_submit, 0, 0, NULL, 0);
    if (n < 0) return -errno;
    r->to_submit = 0;
    return 0;
}

static struct io_uring_sqe *next_sqe(tessera_ring *r) {
    unsigned head = atomic_load_explicit((_Atomic unsigned *)r->sq_head, memory_order_acquire);
    if (r->sq_local_tail - head >= r->sq_entries) {
        if (submit_pending(r) < 0) return NULL;
        head = atomic_load_explicit((_Atomic unsigned *)r->sq_head, memory_order_acquire);
        if (r->sq_local_tail - head >= r->sq_entries) return NULL;
    }
    struct io_uring_sqe *sqe = (struct io_uring_sqe *)r->sqes + (r->sq_local_tail & r->sq_mask);
    memset(sqe, 0, sizeof *sqe);
    r->sq_local_tail++;
    r->to_submit++;
    return sqe;
}

static int recv_into_provided(tessera_ring *r, int fd, uint16_t ioprio, uint64_t user_data) {
    struct io_uring_sqe *sqe = next_sqe(r);
    if (!sqe) return -EBUSY;
    sqe->opcode = IORING_OP_RECV;
    sqe->fd = fd;
    sqe->ioprio = ioprio;
    sqe->flags = IOSQE_BUFFER_SELECT;
    sqe->buf_group = 0;
    sqe->user_data = user_data;
    return 0;
}

int tessera_ring_recv_multishot(tessera_ring *r, int fd, uint64_t user_data) {
    return recv_into_provided(r, fd, IORING_RECV_MULTISHOT, user_data);
}

int tessera_ring_recv_once(tessera_ring *r, int fd, uint64_t user_data) {
    return recv_into_provided(r, fd, 0, user_data);
}

int tessera_ring_poll(tessera_ring *r, int fd, uint32_t events, int multishot, uint64_t user_data) {
    struct io_uring_sqe *sqe = next_sqe(r);
    if (!sqe) return -EBUSY;
    sqe->opcode = IORING_OP_POLL_ADD;
    sqe->fd = fd;
    sqe->poll32_events = events;
    sqe->len = multishot ? IORING_POLL_ADD_MULTI : 0;
    sqe->user_data = user_data;
    return 0;
}

int tessera_ring_send(tessera_ring *r, int fd, const void *buffer, unsigned length, uint64_t user_data) {
    struct io_uring_sqe *sqe = next_sqe(r);
    if (!sqe) return -EBUSY;
    sqe->opcode = IORING_OP_SEND;
    sqe->fd = fd;
    sqe->addr = (uint64_t)(uintptr_t)buffer;
    sqe->len = length;
    sqe->msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL;
    sqe->user_data = user_data;
    r->immediate++;
    return 0;
}

int tessera_ring_cancel(tessera_ring *r, uint64_t target, uint64_t user_data) {
    struct io_uring_sqe *sqe = next_sqe(r);
    if (!sqe) return -EBUSY;
    sqe->opcode = IORING_OP_ASYNC_CANCEL;
    sqe->fd = -1;
    sqe->addr = target;
    sqe->user_data = user_data;
    r->immediate++;
    return 0;
}

int tessera_ring_submit(tessera_ring *r) { return submit_pending(r); }

int tessera_ring_wait(tessera_ring *r, unsigned min_complete, unsigned min_wait_usec, int64_t timeout_ms) {
    atomic_store_explicit((_Atomic unsigned *)r->sq_tail, r->sq_local_tail, memory_order_release);
    struct __kernel_timespec ts = { .tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000 };
    struct io_uring_getevents_arg arg;
    memset(&arg, 0, sizeof arg);
    arg.ts = (uint64_t)(uintptr_t)&ts;
    // A wait for N arrivals: the completions of this iteration's sends (posted while submitting)
    // must not count towards N, or every other wait returns at once with only those.
    if (min_complete > 0) min_complete += r->immediate;
    r->immediate = 0;
    if (min_complete > 1 && r->min_wait_supported) arg.pad = min_wait_usec;   // min_wait_usec since 6.12
    else if (min_complete > 1) min_complete = 1;
    int n = sys_enter(r->fd, r->to_submit, min_complete, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof arg);
    if (n < 0) {
        int e = errno;
        if (e == ETIME || e == EINTR || e == EAGAIN || e == EBUSY) return 0;
        return -e;
    }
    r->to_submit = 0;   // SUBMIT_ALL: every queued SQE was consumed
    return 0;
}

unsigned tessera_ring_ready(tessera_ring *r, unsigned *first) {
    unsigned head = *r->cq_head;
    unsigned tail = atomic_load_explicit((_Atomic unsigned *)r->cq_tail, memory_order_acquire);
    *first = head;
    return tail - head;
}

void tessera_ring_completion(const tessera_ring *r, unsigned index, uint64_t *user_data, int32_t *result, uint32_t *flags) {
    const struct io_uring_cqe *cqe = (const struct io_uring_cqe *)r->cqes + (index & r->cq_mask);
    *user_data = cqe->user_data;
    *result = cqe->res;
    *flags = cqe->flags;
}

void tessera_ring_advance(tessera_ring *r, unsigned count) {
    atomic_store_explicit((_Atomic unsigned *)r->cq_head, *r->cq_head + count, memory_order_release);
}

const uint8_t *tessera_ring_buffer(const tessera_ring *r, unsigned id) {
    return (const uint8_t *)r->buffers + (size_t)id * r->buf_size;
}

void tessera_ring_recycle(tessera_ring *r, unsigned id) {
    struct io_uring_buf_ring *br = r->buf_ring;
    struct io_uring_buf *buf = &br->bufs[r->buf_tail & (r->buf_count - 1)];
    buf->addr = (uint64_t)(uintptr_t)(r->buffers + (size_t)id * r->buf_size);
    buf->len = r->buf_size;
    buf->bid = (uint16_t)id;
    r->buf_tail++;
}

void tessera_ring_publish_buffers(tessera_ring *r) {
    struct io_uring_buf_ring *br = r->buf_ring;
    atomic_store_explicit((_Atomic uint16_t *)&br->tail, r->buf_tail, memory_order_release);
}

_Static_assert(TESSERA_RING_F_MORE == IORING_CQE_F_MORE, "CQE flag bits");
_Static_assert(TESSERA_RING_F_BUFFER == IORING_CQE_F_BUFFER, "CQE flag bits");
_Static_assert(IORING_CQE_BUFFER_SHIFT == 16, "Ring.Completion.bufferID shifts by 16");
