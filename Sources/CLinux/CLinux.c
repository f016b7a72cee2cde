// The few GNU extensions the shim needs, compiled here with _GNU_SOURCE.
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/random.h>
#include <sys/socket.h>
#include "CLinux.h"

int tessera_accept4(int fd, int flags) { return accept4(fd, NULL, NULL, flags); }

int tessera_set_thread_name(const char *name) { return pthread_setname_np(pthread_self(), name); }

long tessera_getrandom(void *buffer, size_t length) { return getrandom(buffer, length, 0); }
