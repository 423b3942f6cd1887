/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hcl.ko internal interfaces.
 */
#ifndef HCL_INTERNAL_H
#define HCL_INTERNAL_H

#include <linux/bits.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <uapi/linux/hcl.h>

struct vmcb;
struct hcl_vp;

/* ---- nested page tables (npt.c) ---------------------------------------- */

#define HCL_NPT_INVALID		(~0ULL)
#define HCL_NPT_MAX_GPA		BIT_ULL(48)

/*
 * A four-level nested page table.  Tables are kernel pages; leaves map
 * 4 KiB or, where both addresses and the size allow, 2 MiB.
 * Not locked: built before any VP runs and only read afterwards; the
 * owner (the partition) serialises construction and teardown.
 */
struct hcl_npt {
	u64 *root;		/* what nCR3 points at: PML5 or PML4 */
	u64 *pml4;		/* root, or the table under PML5 entry 0 */
	int levels;		/* 4 or 5, the host's paging depth */
	unsigned long nr_tables;	/* table pages allocated, for stats */
};

int hcl_npt_init(struct hcl_npt *npt, int levels);
void hcl_npt_destroy(struct hcl_npt *npt);
int hcl_npt_map(struct hcl_npt *npt, u64 gpa, u64 hpa, u64 size);
u64 hcl_npt_translate(const struct hcl_npt *npt, u64 gpa);
u64 hcl_npt_root_pa(const struct hcl_npt *npt);

/* ---- CPUID table (cpuid.c) -------------------------------------------- */

struct hcl_cpuid_table {
	u32 nent;
	struct hcl_cpuid_entry entries[];
};

int hcl_cpuid_validate(const struct hcl_cpuid_entry *e, u32 nent);
const struct hcl_cpuid_entry *
hcl_cpuid_lookup(const struct hcl_cpuid_table *t, u32 function, u32 index);

/* ---- exits (exit.c) ---------------------------------------------------- */

struct hcl_io_decoded {
	u16 port;
	u8 size;
	bool in;
	bool string;
	bool rep;
};

int hcl_decode_ioio(u64 info1, struct hcl_io_decoded *io);
const char *hcl_exit_name(u64 code);

/* What the run loop does after an exit was handled. */
enum hcl_exit_action {
	HCL_ACT_RESUME,		/* handled in the kernel; enter again */
	HCL_ACT_USER,		/* the run page holds an exit for userspace */
};

enum hcl_exit_action hcl_handle_exit(struct hcl_vp *vp);
void hcl_complete_user_exit(struct hcl_vp *vp);

/* ---- partition and VPs (main.c, vp.c) ----------------------------------- */

/*
 * The partition: VTL0 memory and its nested page table, and the VP slots.
 * Lifetime: kref; /dev/hcl's open file and every VP file hold a reference.
 * Only one partition exists at a time (hcl_partition_busy in main.c).
 */
struct hcl_partition {
	struct kref ref;
	struct hcl_npt npt;
	u64 mem_size;
	u32 max_vps;
	/* protects vps[]: slots are filled once and cleared on VP release */
	struct mutex lock;
	struct hcl_vp **vps;
	/* backend-owned permission maps, read-only once built */
	void *iopm;
	void *msrpm;
};

void hcl_partition_put(struct hcl_partition *part);

/* General registers around VMRUN; layout shared with svm_vmrun.S. */
struct hcl_gprs {
	u64 r[HCL_NR_GPRS];
};

struct hcl_vp {
	struct hcl_partition *part;	/* holds a reference */
	u32 index;
	u64 uid;			/* unique across the module's life */
	/*
	 * lock serialises every ioctl on the VP, including a run: one thread
	 * at a time owns the VP's state (VMCB, GPRs, run page contents).
	 */
	struct mutex lock;
	struct vmcb *vmcb;
	u64 vmcb_pa;
	struct hcl_gprs gprs;		/* RAX and RSP live in the VMCB */
	struct hcl_run *run;		/* one page, mapped by userspace */
	struct hcl_cpuid_table *cpuid;	/* replaced under lock */
	bool regs_set;
	bool sregs_set;
	int last_cpu;
	/* an IN exit awaiting its data from userspace */
	bool io_in_pending;
	u8 io_in_size;
	/* statistics, written by the running thread only */
	u64 nr_exits;
	u64 nr_user_exits;
};

#define HCL_RUN_MAX_VPS		64

/* VP file creation (vp.c) */
int hcl_vp_create(struct hcl_partition *part,
		  const struct hcl_create_vp *args);

/* ---- backend (svm.c) ---------------------------------------------------- */

/*
 * The run loop reaches the hardware only through these.  A VMX or a
 * Hyper-V VTL-return backend would provide the same set.
 */
struct hcl_backend_ops {
	const char *name;
	int (*partition_init)(struct hcl_partition *part);
	void (*partition_destroy)(struct hcl_partition *part);
	int (*vp_init)(struct hcl_vp *vp);
	void (*vp_destroy)(struct hcl_vp *vp);
	void (*get_regs)(struct hcl_vp *vp, struct hcl_regs *regs);
	int (*set_regs)(struct hcl_vp *vp, const struct hcl_regs *regs);
	void (*get_sregs)(struct hcl_vp *vp, struct hcl_sregs *sregs);
	int (*set_sregs)(struct hcl_vp *vp, const struct hcl_sregs *sregs);
	/* enter the guest once; returns with the exit recorded in the VMCB */
	void (*enter)(struct hcl_vp *vp);
};

extern const struct hcl_backend_ops *hcl_backend;
extern u64 hcl_features;

int hcl_svm_init(void);
void hcl_svm_exit(void);
/* svm_vmrun.S: one world switch, called with GIF clear */
void hcl_svm_vmrun(u64 vmcb_pa, struct hcl_gprs *gprs, u64 host_save_pa);

/* ---- configuration (main.c) -------------------------------------------- */

extern u64 hcl_vtl0_base;
long hcl_ioctl_unknown(unsigned int cmd);
extern u64 hcl_vtl0_size;

#endif /* HCL_INTERNAL_H */
