/* An LD_PRELOAD shim for the fault tests: makes the spool's write, fsync or rename fail with EIO
 * on demand, so a test can check that a failed disk operation gives 451 and no message.
 *
 * Control: SLUICE_FAULT_CONTROL names a file that the test writes while the daemon runs; its
 * first word arms one fault ("write", "fsync" or "rename"); missing or empty disarms. It is read
 * on every intercepted call, so faults can be armed and disarmed between SMTP transactions.
 * Only spool files are hit: a write or fsync on a descriptor whose path contains "/queue" (the
 * spool's queue directory and the files in it), and a rename of a "*.tmp" file. Logs, sockets and
 * everything else pass through. Each fault hit is counted in the control file's sibling
 * "<control>.hits" (one "x" appended per failed call), so a test can prove the fault fired. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char* control_path(void) {
    return getenv("SLUICE_FAULT_CONTROL");
}

/* The armed fault's name, or "" (read with raw syscalls: this must not recurse into write). */
static void armed_fault(char* out, size_t size) {
    out[0] = '\0';
    const char* path = control_path();
    if (path == NULL) return;
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = syscall(SYS_read, fd, out, size - 1);
    syscall(SYS_close, fd);
    out[n > 0 ? n : 0] = '\0';
    out[strcspn(out, " \t\r\n")] = '\0';
}

static int is_armed(const char* fault) {
    char armed[32];
    armed_fault(armed, sizeof armed);
    return strcmp(armed, fault) == 0;
}

static int is_spool_fd(int fd) {
    char link[64];
    char target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = syscall(SYS_readlinkat, AT_FDCWD, link, target, sizeof target - 1);
    if (n <= 0) return 0;
    target[n] = '\0';
    return strstr(target, "/queue") != NULL;
}

static int fail_with_eio(void) {
    char hits[4200];
    snprintf(hits, sizeof hits, "%s.hits", control_path());
    int fd =
        (int)syscall(SYS_openat, AT_FDCWD, hits, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        syscall(SYS_write, fd, "x", 1);
        syscall(SYS_close, fd);
    }
    errno = EIO;
    return -1;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void* buf, size_t count) {
    if (is_armed("write") && is_spool_fd(fd)) return fail_with_eio();
    return REAL(write)(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
    if (is_armed("write") && is_spool_fd(fd)) return fail_with_eio();
    return REAL(pwrite)(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off_t offset) {
    if (is_armed("write") && is_spool_fd(fd)) return fail_with_eio();
    return REAL(pwrite64)(fd, buf, count, offset);
}

int fsync(int fd) {
    if (is_armed("fsync") && is_spool_fd(fd)) return fail_with_eio();
    return REAL(fsync)(fd);
}

int fdatasync(int fd) {
    if (is_armed("fsync") && is_spool_fd(fd)) return fail_with_eio();
    return REAL(fdatasync)(fd);
}

int syncfs(int fd) {
    if (is_armed("fsync") && is_spool_fd(fd)) return fail_with_eio();
    return REAL(syncfs)(fd);
}

static int is_temp_name(const char* path) {
    size_t n = strlen(path);
    return n >= 4 && strcmp(path + n - 4, ".tmp") == 0;
}

int renameat2(int olddirfd, const char* oldpath, int newdirfd, const char* newpath,
              unsigned int flags) {
    if (is_armed("rename") && is_temp_name(oldpath)) return fail_with_eio();
    return REAL(renameat2)(olddirfd, oldpath, newdirfd, newpath, flags);
}

int renameat(int olddirfd, const char* oldpath, int newdirfd, const char* newpath) {
    if (is_armed("rename") && is_temp_name(oldpath)) return fail_with_eio();
    return REAL(renameat)(olddirfd, oldpath, newdirfd, newpath);
}

int rename(const char* oldpath, const char* newpath) {
    if (is_armed("rename") && is_temp_name(oldpath)) return fail_with_eio();
    return REAL(rename)(oldpath, newpath);
}
