#ifndef CSYSTEMD_SHIM_H
#define CSYSTEMD_SHIM_H
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
// memfd_create, for state kept in systemd's fd store: Glibc's module does not export it,
// and glibc declares it only under _GNU_SOURCE, which would change fd_set and clash with
// NIO's CNIOLinux module on a clean build. The raw syscall needs neither.
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/memfd.h>
static inline int chatd_memfd_create(const char *name) { return (int)syscall(SYS_memfd_create, name, MFD_CLOEXEC); }
#endif
