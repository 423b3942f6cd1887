/* SPDX-License-Identifier: GPL-2.0 */
/*
 * underhill_vm's control socket to openvmm_hcl (HCL_CONTROL_FD; the
 * messages are listed in userspace/lib/sys.h): power-off and reset of
 * VTL0 on request, the device workers' list and restarts, and reports of
 * worker deaths.  Without the socket (underhill_vm started by hand)
 * every call is a no-op.
 */
#ifndef HCL_VM_CONTROL_H
#define HCL_VM_CONTROL_H

struct vm;

/* Watches HCL_CONTROL_FD on the VM's loop if it is a socket: 0 or -errno */
int control_init(struct vm *vm);

/* Sends one line (no newline) to openvmm_hcl; dropped without a socket */
void control_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
