#ifndef CSYSTEMD_SHIM_H
#define CSYSTEMD_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/mman.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
// Socket diagnostics (netlink): the only way to read a listening socket's
// configured backlog back from the kernel. Glibc's module does not export these.
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <linux/unix_diag.h>
// mallopt, for chatd's MemoryReturn: Glibc's module does not export it either.
#include <malloc.h>
// memfd_create, for state kept in systemd's fd store: Glibc's module does not export it.
static inline int chatd_memfd_create(const char *name) { return memfd_create(name, MFD_CLOEXEC); }
#endif
