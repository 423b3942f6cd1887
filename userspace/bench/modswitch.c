// SPDX-License-Identifier: GPL-2.0
/* hcl.ko and KVM taking turns with SVM: see modswitch.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "modswitch.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define HCL_MODULE	"/lib/hcl/modules/hcl.ko"
#define HCL_PARAMS	"/sys/module/hcl/parameters"
#define KVM_VENDOR	"kvm_amd"

/* KVM in load order; only the last one holds SVM and leaves each round */
static const char *const kvm_modules[] = {
	"/lib/hcl/modules/irqbypass.ko", "/lib/hcl/modules/kvm.ko",
	"/lib/hcl/modules/kvm-amd.ko",
};

/* The module goes once the last VP, VM and ring have let go of it. */
static int unload_module(const char *name)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (syscall(SYS_delete_module, name, O_NONBLOCK) == 0)
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			break;
		usleep(50000);
	}
	printf("# unloading %s: %s\n", name, strerror(errno));
	return -1;
}

static int load_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0 ||
	    (syscall(SYS_finit_module, fd, params, 0) && errno != EEXIST))
		ret = -1;
	if (ret)
		printf("# loading %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * The parameters hcl.ko was loaded with (underhill_init took them from
 * the kernel command line), read back from sysfs as "name=value ..." so
 * that every reload gets the same VTL0 range.
 */
int modswitch_hcl_params(char *out, size_t size)
{
	char path[300], val[128];
	struct dirent *e;
	size_t len = 0;
	DIR *d = opendir(HCL_PARAMS);
	ssize_t n;
	int fd;

	out[0] = 0;
	if (!d) {
		printf("# %s: %s\n", HCL_PARAMS, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", HCL_PARAMS, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* not readable: not set at load */
		n = read(fd, val, sizeof(val) - 1);
		close(fd);
		if (n <= 0)
			continue;
		val[n] = 0;
		val[strcspn(val, "\n")] = 0;
		n = snprintf(out + len, size - len, "%s%s=%s", len ? " " : "",
			     e->d_name, val);
		if (n < 0 || (size_t)n >= size - len) {
			closedir(d);
			printf("# hcl.ko parameters do not fit\n");
			return -1;
		}
		len += n;
	}
	closedir(d);
	return 0;
}

int modswitch_to_kvm(int first)
{
	unsigned int i;

	if (unload_module("hcl"))
		return -1;
	for (i = first ? 0 : ARRAY_SIZE(kvm_modules) - 1;
	     i < ARRAY_SIZE(kvm_modules); i++)
		if (load_module(kvm_modules[i], ""))
			return -1;
	return 0;
}

int modswitch_to_hcl(const char *params)
{
	if (unload_module(KVM_VENDOR))
		return -1;
	return load_module(HCL_MODULE, params);
}
