/* SPDX-License-Identifier: MIT */
/*
 * qhv-insmod FILE: load a kernel module with one finit_module(2) call.
 *
 * busybox insmod retries with init_module(2) whenever finit_module fails,
 * so a module whose init refuses - qhv.ko off qhv - runs its init twice
 * and the kernel prints its reason twice.  /init loads qhv.ko with this
 * instead: one try, the kernel's one line, and here
 * "qhv-insmod: FILE: MESSAGE" with exit status 1 on failure.  Linked
 * statically, like the other helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: qhv-insmod FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0) {
		fprintf(stderr, "qhv-insmod: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}
