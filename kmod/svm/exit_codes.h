/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM exit codes hcl.ko names, one table (no include guard: included
 * with HCL_SVM_EXIT(code, name) defined).  hcl_svm_exit_name() (exit.c)
 * looks names up in it, and the tracepoint hcl_exit prints them; codes
 * not listed are "other".
 */
HCL_SVM_EXIT(SVM_EXIT_CPUID, cpuid)
HCL_SVM_EXIT(SVM_EXIT_IOIO, ioio)
HCL_SVM_EXIT(SVM_EXIT_HLT, hlt)
HCL_SVM_EXIT(SVM_EXIT_PAUSE, pause)
HCL_SVM_EXIT(SVM_EXIT_INTR, intr)
HCL_SVM_EXIT(SVM_EXIT_NMI, nmi)
HCL_SVM_EXIT(SVM_EXIT_MSR, msr)
HCL_SVM_EXIT(SVM_EXIT_NPF, npf)
HCL_SVM_EXIT(SVM_EXIT_VINTR, vintr)
HCL_SVM_EXIT(SVM_EXIT_IRET, iret)
HCL_SVM_EXIT(SVM_EXIT_SHUTDOWN, shutdown)
HCL_SVM_EXIT(SVM_EXIT_VMMCALL, vmmcall)
HCL_SVM_EXIT(SVM_EXIT_WRITE_CR0, cr0_write)
HCL_SVM_EXIT(SVM_EXIT_WRITE_CR4, cr4_write)
HCL_SVM_EXIT(SVM_EXIT_WRITE_CR8, cr8_write)
HCL_SVM_EXIT((u32)SVM_EXIT_ERR, invalid)
