/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exits userspace sees (HCL_EXIT_*, include/uapi/linux/hcl.h) and
 * their names, one table (no include guard: included with
 * HCL_USER_EXIT(reason, name) defined).  hcl_user_exit_name() (emulate.c)
 * looks names up in it, and the tracepoint hcl_user_exit prints them.
 * Every HCL_EXIT_* but HCL_EXIT_NONE, in UAPI order; a backend names its
 * hardware exit codes in a table of its own (svm/exit_codes.h).
 */
HCL_USER_EXIT(HCL_EXIT_IO, io)
HCL_USER_EXIT(HCL_EXIT_HLT, hlt)
HCL_USER_EXIT(HCL_EXIT_SHUTDOWN, shutdown)
HCL_USER_EXIT(HCL_EXIT_FAIL_ENTRY, fail_entry)
HCL_USER_EXIT(HCL_EXIT_UNHANDLED, unhandled)
HCL_USER_EXIT(HCL_EXIT_INTR, intr)
HCL_USER_EXIT(HCL_EXIT_MMIO, mmio)
HCL_USER_EXIT(HCL_EXIT_MSR, msr)
HCL_USER_EXIT(HCL_EXIT_VTL_VIOLATION, vtl_violation)
HCL_USER_EXIT(HCL_EXIT_HYPERCALL, hypercall)
