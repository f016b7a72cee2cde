// A thin shim over the Linux headers that Glibc's Swift module does not export.
#ifndef TESSERA_CLINUX_H
#define TESSERA_CLINUX_H


#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/un.h>
#include <malloc.h>
#include <errno.h>
#include <stdint.h>
#include "CRing.h"

// errno is a macro; Swift sees it through this function.
static inline int tessera_errno(void) { return errno; }

// Packs a connection slot and a generation into epoll_data so events for a reused fd are dropped.
static inline uint64_t tessera_epoll_event_data(const struct epoll_event *ev) { return ev->data.u64; }

static inline int tessera_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

static inline uint32_t tessera_epoll_event_events(const struct epoll_event *ev) { return ev->events; }

static inline int tessera_malloc_trim(void) { return malloc_trim(0); }
static inline size_t tessera_malloc_usable_size(void *p) { return malloc_usable_size(p); }

// Starts loading the cache line at p; table migration prefetches a block of entries before hashing
// their keys, so their cache misses overlap instead of queueing one after another.
static inline void tessera_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

// Starts loading the 512 bytes at p: an entry's header, key and (a session's) value together, so
// reading them later waits once at most, not once per cache line the reader reaches.
static inline void tessera_prefetch_entry(const void *p) {
    const char *c = (const char *)p;
    for (int i = 0; i < 512; i += 64) __builtin_prefetch(c + i, 0, 3);
}

// Defined in CLinux.c, which is compiled with _GNU_SOURCE (defining it here would change
// Glibc's own declarations as Swift's Glibc module sees them).
int tessera_accept4(int fd, int flags);
int tessera_set_thread_name(const char *name);
long tessera_getrandom(void *buffer, size_t length);

// Bytes handed out by malloc and still in use (INFO used_memory).
static inline size_t tessera_malloc_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

// Heap growth policy for a server that allocates and frees entries all day: grow thread arenas in
// larger steps and let idle tops stay mapped, instead of an mprotect per few requests. Memory freed
// by mass expiry is still returned promptly by the keyspace's explicit malloc_trim.
static inline void tessera_tune_malloc(void) {
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_TOP_PAD, 4 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
}

#endif
