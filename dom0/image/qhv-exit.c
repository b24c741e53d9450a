/* SPDX-License-Identifier: MIT */
/*
 * qhv-exit CODE: report CODE to the hypervisor from dom0 by a 32-bit OUT to
 * the test-exit port (0xf4), which ends the domain with that status.  QEMU's
 * isa-debug-exit device on the same port ends QEMU with (CODE << 1) | 1, so
 * the image can be checked without the hypervisor.
 *
 * Console output is drained first (tcdrain): the OUT ends the machine at
 * once, and a serial console still holding "script exit status N" in its
 * transmit buffer would lose it (seen under Bochs, whose UART is slow).
 *
 * If the OUT returns (nothing claimed the port), this exits 1 and the caller
 * (/init) powers off.  Linked statically so the initramfs needs no libc.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <termios.h>
#include <unistd.h>
#include <qhv/hypercall.h>

/* Wait until the console has sent what we and earlier commands wrote;
 * not a tty (a pipe, a file) is fine. */
static void drain(void)
{
	fflush(NULL);
	tcdrain(STDOUT_FILENO);
	tcdrain(STDERR_FILENO);
}

int main(int argc, char **argv)
{
	char *end;
	unsigned long code;

	if (argc != 2) {
		fprintf(stderr, "usage: qhv-exit CODE\n");
		return 2;
	}
	errno = 0;
	code = strtoul(argv[1], &end, 0);
	if (errno || *end || end == argv[1] || code > 0xffffffffUL) {
		fprintf(stderr, "qhv-exit: bad code '%s'\n", argv[1]);
		return 2;
	}
	/* ioperm needs CAP_SYS_RAWIO and CONFIG_X86_IOPL_IOPERM (Debian: y). */
	if (ioperm(QHV_PORT_TEST_EXIT, 4, 1) != 0) {
		fprintf(stderr, "qhv-exit: ioperm(0x%x): %s\n",
			QHV_PORT_TEST_EXIT, strerror(errno));
		return 1;
	}
	drain();
	outl((unsigned int)code, QHV_PORT_TEST_EXIT);
	fprintf(stderr, "qhv-exit: port 0x%x write returned\n",
		QHV_PORT_TEST_EXIT);
	drain();
	return 1;
}
