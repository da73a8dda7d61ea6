/* SPDX-License-Identifier: BSD-3-Clause */
/* Listening unix sockets with a claimed path and explicit permissions. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vsw_unix.h"

static int
unix_addr(struct sockaddr_un *sa, const char *path, char *err, size_t errlen)
{
	size_t len = strlen(path);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (len == 0 || len >= sizeof(sa->sun_path)) {
		snprintf(err, errlen, "socket path '%s': 1 to %zu bytes", path,
			 sizeof(sa->sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}

/*
 * Make the path free for bind(): nothing there, or a stale socket
 * (removed). A socket someone accepts on, or any other file, is refused.
 */
static int
claim_path(const struct sockaddr_un *sa, char *err, size_t errlen)
{
	const char *path = sa->sun_path;
	struct stat st;
	int fd, rc, e;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a socket", path);
		return -EEXIST;
	}
	/* Non-blocking: a live server with a full backlog says EAGAIN. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	e = errno;
	close(fd);
	if (rc == 0 || e == EAGAIN || e == EINPROGRESS) {
		snprintf(err, errlen, "%s: in use (another process accepts on"
			 " it): refusing to replace it", path);
		return -EADDRINUSE;
	}
	if (e != ECONNREFUSED && e != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: cannot remove the stale socket: %s",
			 path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Owner, group, then the exact mode (chown may clear mode bits). */
static int
apply_perm(const char *path, const struct vsw_unix_perm *p, char *err,
	   size_t errlen)
{
	if ((p->uid >= 0 || p->gid >= 0) &&
	    lchown(path, (uid_t)p->uid, (gid_t)p->gid) != 0) {
		snprintf(err, errlen, "%s: chown %lld:%lld: %s", path,
			 (long long)p->uid, (long long)p->gid, strerror(errno));
		return -errno;
	}
	if (chmod(path, p->mode) != 0) {
		snprintf(err, errlen, "%s: chmod %04o: %s", path, p->mode,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

int
vsw_unix_listen(const char *path, const struct vsw_unix_perm *perm,
		int backlog, struct vsw_unix_file *file, char *err,
		size_t errlen)
{
	static const struct vsw_unix_perm def = {
		VSW_UNIX_MODE_DEFAULT, -1, -1 };
	const struct vsw_unix_perm *p = perm != NULL ? perm : &def;
	struct sockaddr_un sa;
	struct stat st;
	int fd, rc;

	rc = unix_addr(&sa, path, err, errlen);
	if (rc == 0)
		rc = claim_path(&sa, err, errlen);
	if (rc != 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "%s: socket: %s", path, strerror(errno));
		return -errno;
	}
	/* bind() creates the file with this mode less the umask: never
	 * more open than asked, even before apply_perm(). */
	if (fchmod(fd, p->mode) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: bind: %s", path, strerror(errno));
		goto err_close;
	}
	rc = apply_perm(path, p, err, errlen);
	if (rc != 0)
		goto err_unlink;
	if (listen(fd, backlog) != 0 || stat(path, &st) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: listen: %s", path, strerror(errno));
		goto err_unlink;
	}
	file->dev = st.st_dev;
	file->ino = st.st_ino;
	return fd;

err_unlink:
	unlink(path);
err_close:
	close(fd);
	return rc;
}

void
vsw_unix_unlink(const char *path, const struct vsw_unix_file *file)
{
	struct stat st;

	if (stat(path, &st) == 0 && st.st_dev == file->dev &&
	    st.st_ino == file->ino)
		unlink(path);
}

int
vsw_unix_parse_mode(const char *s, uint32_t *mode, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (*s == '\0' || *end != '\0' || errno != 0 || v > 0777) {
		snprintf(err, errlen, "'%s' is not an octal mode 0..0777", s);
		return -EINVAL;
	}
	*mode = (uint32_t)v;
	return 0;
}

/* A decimal id below 2^31 - 1, or -1 when @p s is not all digits. */
static int64_t
numeric_id(const char *s)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v >= 0x7fffffff)
		return -1;
	return (int64_t)v;
}

int
vsw_unix_parse_user(const char *s, int64_t *uid, char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	*uid = numeric_id(s);
	if (*uid >= 0)
		return 0;
	if (getpwnam_r(s, &pw, buf, sizeof(buf), &res) != 0 || res == NULL) {
		snprintf(err, errlen, "no user '%s'", s);
		return -EINVAL;
	}
	*uid = pw.pw_uid;
	return 0;
}

int
vsw_unix_parse_group(const char *s, int64_t *gid, char *err, size_t errlen)
{
	struct group gr, *res = NULL;
	char buf[4096];

	*gid = numeric_id(s);
	if (*gid >= 0)
		return 0;
	if (getgrnam_r(s, &gr, buf, sizeof(buf), &res) != 0 || res == NULL) {
		snprintf(err, errlen, "no group '%s'", s);
		return -EINVAL;
	}
	*gid = gr.gr_gid;
	return 0;
}
