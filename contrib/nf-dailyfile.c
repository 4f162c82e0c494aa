/* nf-dailyfile.c - the daily files of rsyslog.conf.example, written so that
 * a full disk loses nothing.
 *
 * rsyslog's omfile drops what it cannot write (a failed write is not a
 * retryable error to it). This program runs under omprog with
 * confirmMessages="on" (and useTransactions="off": rsyslog 8.2302 loses the
 * messages of a transaction whose commit fails). rsyslog sends one message a
 * line, "<file name> TAB <line>"; the line is appended to the file with one
 * write() and then confirmed ("OK"). When the write fails (ENOSPC, EIO, ...)
 * what it wrote is cut off again (ftruncate to the size before it) and the
 * answer is the error: rsyslog suspends the action, keeps the message in the
 * action's queue and offers it again after action.resumeInterval, so every
 * line lands once, whole, when space returns.
 *
 * One process writes a directory (omprog forceSingleInstance="on"): the
 * cutting off of a failed write would otherwise race with another writer.
 *
 * Usage: nf-dailyfile DIR [FILEMODE [DIRMODE]]   (octal, default 0640 0750)
 * A file name is one path component (no "/", not "." or ".."): files are only
 * ever made in DIR; a line without one is dropped (said on stderr): retrying
 * it could never succeed. Four files are kept open, the least recently used
 * closed for a fifth. SIGHUP closes them all (reopened at the next line).
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
	unsigned long used; /* for least-recently-used replacement */
} outfile_t;

static outfile_t files[MAX_FILES];
static int dirfd_out = -1;
static const char *dirName;
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

/* The open file of a name, taking the least recently used slot when the
 * name is new. Returns NULL with errno set when it cannot be opened. */
static outfile_t *fileFor(const char *name, size_t len)
{
	outfile_t *f = &files[0];

	for (int i = 0; i < MAX_FILES; i++) {
		if (files[i].fd >= 0 && strlen(files[i].name) == len && memcmp(files[i].name, name, len) == 0) {
			files[i].used = ++tick;
			return &files[i];
		}
		if (files[i].used < f->used)
			f = &files[i];
	}
	if (f->fd >= 0)
		close(f->fd);
	memcpy(f->name, name, len);
	f->name[len] = '\0';
	f->fd = openat(dirfd_out, f->name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, file_mode);
	if (f->fd < 0)
		return NULL;
	f->used = ++tick;
	return f;
}

/* Appends text to f whole, or not at all. Returns 0 or an errno. */
static int appendWhole(outfile_t *f, const char *text, size_t len)
{
	struct stat st;
	size_t done = 0;

	if (fstat(f->fd, &st) != 0)
		return errno;
	while (done < len) {
		ssize_t n = write(f->fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : ENOSPC;
			/* no partial line: cut off what this write left */
			if (done > 0 && ftruncate(f->fd, st.st_size) != 0) {
				close(f->fd);
				f->fd = -1;
			}
			return err;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Handles a message "name TAB text"; returns 0 or an errno. */
static int message(const char *line, size_t len)
{
	const char *tab = memchr(line, '\t', len);
	outfile_t *f;

	if (tab == NULL || !validName(line, (size_t)(tab - line)))
		return EINVAL;
	if (dirfd_out < 0) {
		mkdir(dirName, dir_mode);
		if ((dirfd_out = open(dirName, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			return errno;
	}
	if ((f = fileFor(line, (size_t)(tab - line))) == NULL)
		return errno;
	return appendWhole(f, tab + 1, len - (size_t)(tab + 1 - line));
}

static void reply(const char *s)
{
	fputs(s, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = onHup, .sa_flags = SA_RESTART};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: nf-dailyfile DIR [FILEMODE [DIRMODE]]\n");
		return 2;
	}
	dirName = argv[1];
	if (argc > 2)
		file_mode = (mode_t)strtol(argv[2], NULL, 8);
	if (argc > 3)
		dir_mode = (mode_t)strtol(argv[3], NULL, 8);
	for (int i = 0; i < MAX_FILES; i++)
		files[i].fd = -1;
	sigaction(SIGHUP, &sa, NULL);

	reply("OK"); /* omprog's confirmMessages: ready */
	while ((n = getline(&line, &cap, stdin)) > 0) {
		int err;
		if (hup) {
			hup = 0;
			closeAll();
		}
		err = message(line, (size_t)n);
		if (err == EINVAL) {
			/* not retryable: a template that names no file; said and
			 * dropped, or the action would wait for ever */
			fprintf(stderr, "nf-dailyfile: a line without a valid file name, dropped\n");
			err = 0;
		}
		reply(err == 0 ? "OK" : strerror(err));
	}
	closeAll();
	free(line);
	return 0;
}
