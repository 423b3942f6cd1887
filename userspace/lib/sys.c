// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/reboot.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "sys.h"

uint64_t hcl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t hcl_env_u64(const char *name)
{
	const char *v = getenv(name);
	unsigned long long x;
	char *end;

	if (!v || !*v)
		return 0;
	errno = 0;
	x = strtoull(v, &end, 0);
	if (errno || *end)
		return 0;
	return x;
}

/* the shim's /openhcl/debug-exit-port, 0 if there is none */
static unsigned long dt_exit_port(void)
{
	unsigned char b[4];
	ssize_t n = -1;
	int fd;

	fd = open("/proc/device-tree/openhcl/debug-exit-port",
		  O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, b, sizeof(b));
		close(fd);
	}
	if (n != 4)
		return 0;
	return (unsigned long)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

void hcl_poweroff(int status)
{
	unsigned long port = hcl_env_u64("HCL_EXIT_PORT");

	if (!port)
		port = dt_exit_port();

	fflush(NULL);
	/* let the console UART send what is queued before the VM stops */
	tcdrain(STDOUT_FILENO);
	tcdrain(STDERR_FILENO);
	sync();
	if (port && port < 0xffff && ioperm(port, 4, 1) == 0)
		/* isa-debug-exit: the VMM exits with (value << 1) | 1 */
		outl(status ? 1 : 0, (unsigned short)port);
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
