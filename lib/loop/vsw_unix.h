/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_UNIX_H
#define VSW_UNIX_H

/**
 * @file
 * Listening unix sockets for the control thread's servers (vhost-user
 * ports, the control socket), made the same careful way:
 *
 * - The path is claimed, not taken: a stale socket file (nobody accepts
 *   on it) is replaced; a socket something still accepts on (another
 *   vswd, another back-end) or any other file is refused with a reason.
 * - The file gets exactly the mode, owner and group asked for, whatever
 *   the umask, and is never more open than that mode, not even between
 *   bind() and chmod() (the socket's inode mode is set before bind).
 * - Removal at exit removes only the file this process bound (same
 *   device and inode), never one a successor put there.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/** Default permissions: owner only. */
#define VSW_UNIX_MODE_DEFAULT 0600

/** Ownership and permissions of a socket file. */
struct vsw_unix_perm {
	uint32_t mode; /**< permission bits (07777 at most) */
	int64_t uid;   /**< owner; -1: the process's */
	int64_t gid;   /**< group; -1: the process's */
};

/** Listening socket file: what vsw_unix_unlink() checks. */
struct vsw_unix_file {
	dev_t dev;
	ino_t ino;
};

/**
 * Listen on @p path (SOCK_STREAM, non-blocking, close-on-exec) with
 * permissions @p perm (NULL: VSW_UNIX_MODE_DEFAULT, the process's owner).
 * @return the listening fd, or -errno with a reason in @p err.
 */
int vsw_unix_listen(const char *path, const struct vsw_unix_perm *perm,
		    int backlog, struct vsw_unix_file *file, char *err,
		    size_t errlen);

/** Remove @p path if it is still the socket file @p file describes. */
void vsw_unix_unlink(const char *path, const struct vsw_unix_file *file);

/** "0660" (octal, at most 0777) into @p mode. @return 0 or -EINVAL. */
int vsw_unix_parse_mode(const char *s, uint32_t *mode, char *err,
			size_t errlen);

/** A user name or numeric uid into @p uid. @return 0 or -EINVAL. */
int vsw_unix_parse_user(const char *s, int64_t *uid, char *err, size_t errlen);

/** A group name or numeric gid into @p gid. @return 0 or -EINVAL. */
int vsw_unix_parse_group(const char *s, int64_t *gid, char *err,
			 size_t errlen);

#endif /* VSW_UNIX_H */
