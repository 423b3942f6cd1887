/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl tracepoints: guest entry and exit with decoded reasons, and exits
 * that go to userspace.  Use with trace-cmd or perf:
 *   trace-cmd record -e hcl
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hcl

#if !defined(HCL_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define HCL_TRACE_H

#include <linux/tracepoint.h>
#include <asm/svm.h>

#define hcl_show_exit(code)						\
	__print_symbolic(code,						\
		{ SVM_EXIT_CPUID, "cpuid" }, { SVM_EXIT_IOIO, "ioio" },	\
		{ SVM_EXIT_HLT, "hlt" }, { SVM_EXIT_INTR, "intr" },	\
		{ SVM_EXIT_NMI, "nmi" }, { SVM_EXIT_MSR, "msr" },	\
		{ SVM_EXIT_NPF, "npf" }, { SVM_EXIT_VINTR, "vintr" },	\
		{ SVM_EXIT_IRET, "iret" },				\
		{ SVM_EXIT_SHUTDOWN, "shutdown" },			\
		{ SVM_EXIT_VMMCALL, "vmmcall" },			\
		{ (u32)SVM_EXIT_ERR, "invalid" })

#define hcl_show_user_exit(r)						\
	__print_symbolic(r,						\
		{ HCL_EXIT_IO, "io" }, { HCL_EXIT_HLT, "hlt" },		\
		{ HCL_EXIT_SHUTDOWN, "shutdown" },			\
		{ HCL_EXIT_FAIL_ENTRY, "fail_entry" },			\
		{ HCL_EXIT_UNHANDLED, "unhandled" },			\
		{ HCL_EXIT_INTR, "intr" }, { HCL_EXIT_MMIO, "mmio" },	\
		{ HCL_EXIT_MSR, "msr" },				\
		{ HCL_EXIT_VTL_VIOLATION, "vtl_violation" },		\
		{ HCL_EXIT_HYPERCALL, "hypercall" })

TRACE_EVENT(hcl_entry,
	    TP_PROTO(u32 vp, u64 rip),
	    TP_ARGS(vp, rip),
	    TP_STRUCT__entry(__field(u32, vp)
			     __field(u64, rip)),
	    TP_fast_assign(__entry->vp = vp;
			   __entry->rip = rip;),
	    TP_printk("vp %u rip %#llx", __entry->vp, __entry->rip)
);

TRACE_EVENT(hcl_exit,
	    TP_PROTO(u32 vp, u32 code, u64 rip, u64 info1, u64 info2),
	    TP_ARGS(vp, code, rip, info1, info2),
	    TP_STRUCT__entry(__field(u32, vp)
			     __field(u32, code)
			     __field(u64, rip)
			     __field(u64, info1)
			     __field(u64, info2)),
	    TP_fast_assign(__entry->vp = vp;
			   __entry->code = code;
			   __entry->rip = rip;
			   __entry->info1 = info1;
			   __entry->info2 = info2;),
	    TP_printk("vp %u reason %s rip %#llx info1 %#llx info2 %#llx",
		      __entry->vp, hcl_show_exit(__entry->code), __entry->rip,
		      __entry->info1, __entry->info2)
);

TRACE_EVENT(hcl_user_exit,
	    TP_PROTO(u32 vp, u32 reason),
	    TP_ARGS(vp, reason),
	    TP_STRUCT__entry(__field(u32, vp)
			     __field(u32, reason)),
	    TP_fast_assign(__entry->vp = vp;
			   __entry->reason = reason;),
	    TP_printk("vp %u %s", __entry->vp,
		      hcl_show_user_exit(__entry->reason))
);

#endif /* HCL_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
