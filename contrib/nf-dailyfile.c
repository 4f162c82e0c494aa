/* nf-dailyfile.c - the daily files of rsyslog.conf.example, written so that
 * a full disk loses nothing.
 *
 * rsyslog's omfile drops what it cannot write (a failed write is not a
 * retryable error to it). This program runs under omprog with
 * useTransactions="on" and confirmMessages="on": rsyslog sends
 *   BEGIN TRANSACTION / <file name> TAB <line> ... / COMMIT TRANSACTION
 * and the lines of a transaction are written when it commits, with one
 * write() per file. When a write fails (ENOSPC, EIO, ...) what it wrote of
 * the transaction is cut off again (ftruncate to the size before it) and the
 * answer is an error: rsyslog suspends the action, keeps the transaction in
 * the action's queue and offers it again after action.resumeInterval, so
 * every line lands once, whole, when space returns.
 *
 * One process writes a directory (omprog forceSingleInstance="on"): the
 * cutting off of a failed write would otherwise race with another writer.
 *
 * Usage: nf-dailyfile DIR [FILEMODE [DIRMODE]]   (octal, default 0640 0750)
 * A file name is one path component (no "/", not "." or ".."): files are only
 * ever made in DIR. SIGHUP closes the open files (reopened at the next write).
 *
 * Copyright 2026 the imnetflow authors. Licensed under the Apache License 2.0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 4
#define NAME_MAX_LEN 255

typedef struct outfile {
	char name[NAME_MAX_LEN + 1];
	int fd;
	char *buf; /* the transaction's lines for this file */
	size_t len, cap;
	unsigned long used; /* for least-recently-used replacement */
} outfile_t;

static outfile_t files[MAX_FILES];
static int dirfd_out = -1;
static mode_t file_mode = 0640, dir_mode = 0750;
static volatile sig_atomic_t hup;
static unsigned long tick;

static void onHup(int sig)
{
	(void)sig;
	hup = 1;
}

static void closeAll(void)
{
	for (int i = 0; i < MAX_FILES; i++) {
		if (files[i].fd >= 0)
			close(files[i].fd);
		files[i].fd = -1;
	}
}

static int validName(const char *name, size_t len)
{
	return len > 0 && len <= NAME_MAX_LEN && memchr(name, '/', len) == NULL && memchr(name, '\0', len) == NULL &&
	       !(len == 1 && name[0] == '.') && !(len == 2 && name[0] == '.' && name[1] == '.');
}

/* The slot of a file name, taking the least recently used one (after its
 * lines were written) when the name is new. */
static outfile_t *slotFor(const char *name, size_t len)
{
	outfile_t *lru = &files[0];

	for (int i = 0; i < MAX_FILES; i++) {
		if (strlen(files[i].name) == len && memcmp(files[i].name, name, len) == 0) {
			files[i].used = ++tick;
			return &files[i];
		}
		if (files[i].used < lru->used)
			lru = &files[i];
	}
	if (lru->len > 0)
		return NULL; /* all slots hold lines of this transaction: commit first */
	if (lru->fd >= 0)
		close(lru->fd);
	lru->fd = -1;
	memcpy(lru->name, name, len);
	lru->name[len] = '\0';
	lru->used = ++tick;
	return lru;
}

static int append(outfile_t *f, const char *line, size_t len)
{
	if (f->len + len > f->cap) {
		size_t cap = f->cap ? f->cap : 65536;
		while (cap < f->len + len)
			cap *= 2;
		char *b = realloc(f->buf, cap);
		if (b == NULL)
			return -1;
		f->buf = b;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, line, len);
	f->len += len;
	return 0;
}

/* Writes one file's lines of the transaction; on failure the file is as
 * before. Returns 0 or an errno. */
static int flushFile(outfile_t *f)
{
	if (f->len == 0)
		return 0;
	if (f->fd < 0) {
		f->fd = openat(dirfd_out, f->name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, file_mode);
		if (f->fd < 0)
			return errno;
	}
	struct stat st;
	if (fstat(f->fd, &st) != 0)
		return errno;
	size_t done = 0;
	while (done < f->len) {
		ssize_t n = write(f->fd, f->buf + done, f->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : ENOSPC;
			/* no partial line: cut off what this transaction wrote */
			if (done > 0 && ftruncate(f->fd, st.st_size) != 0) {
				close(f->fd);
				f->fd = -1;
			}
			return err;
		}
		done += (size_t)n;
	}
	f->len = 0;
	return 0;
}

static int commit(void)
{
	int err = 0;

	for (int i = 0; i < MAX_FILES && err == 0; i++)
		err = flushFile(&files[i]);
	/* a failed transaction is offered again whole: what of it was written
	 * to other files stays (written once); the rest is dropped here */
	for (int i = 0; i < MAX_FILES; i++)
		files[i].len = 0;
	return err;
}

static void reply(const char *s)
{
	fputs(s, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

/* Handles a message line "name TAB text"; returns 0 or an errno. */
static int message(const char *line, size_t len)
{
	const char *tab = memchr(line, '\t', len);
	if (tab == NULL || !validName(line, (size_t)(tab - line)))
		return EINVAL;
	outfile_t *f = slotFor(line, (size_t)(tab - line));
	if (f == NULL) {
		int err = commit(); /* more files in one transaction than slots */
		if (err != 0)
			return err;
		f = slotFor(line, (size_t)(tab - line));
	}
	return append(f, tab + 1, len - (size_t)(tab + 1 - line));
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: nf-dailyfile DIR [FILEMODE [DIRMODE]]\n");
		return 2;
	}
	if (argc > 2)
		file_mode = (mode_t)strtol(argv[2], NULL, 8);
	if (argc > 3)
		dir_mode = (mode_t)strtol(argv[3], NULL, 8);
	for (int i = 0; i < MAX_FILES; i++)
		files[i].fd = -1;
	struct sigaction sa = {.sa_handler = onHup, .sa_flags = SA_RESTART};
	sigaction(SIGHUP, &sa, NULL);

	reply("OK"); /* omprog's confirmMessages: ready */
	char *line = NULL;
	size_t cap = 0;
	int inTx = 0, failed = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (hup) {
			hup = 0;
			closeAll();
		}
		if (dirfd_out < 0) {
			mkdir(argv[1], dir_mode);
			dirfd_out = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		}
		if (strcmp(line, "BEGIN TRANSACTION\n") == 0) {
			inTx = 1;
			failed = 0;
			for (int i = 0; i < MAX_FILES; i++)
				files[i].len = 0;
			reply("OK");
		} else if (strcmp(line, "COMMIT TRANSACTION\n") == 0) {
			int err = failed ? failed : commit();
			inTx = 0;
			reply(err == 0 ? "OK" : strerror(err));
		} else if (dirfd_out < 0) {
			reply(strerror(errno));
		} else {
			int err = message(line, (size_t)n);
			if (err != 0 && inTx)
				failed = err;
			if (!inTx && err == 0)
				err = commit();
			reply(err != 0 ? strerror(err) : inTx ? "DEFER_COMMIT" : "OK");
		}
	}
	/* at the end of input, the lines of an uncommitted transaction are not
	 * written: rsyslog offers them again */
	closeAll();
	free(line);
	return 0;
}
