// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the MMIO instruction decoder (kmod/decode.c).
 *
 * Decoder vectors are placed so that their last byte is the last byte of a
 * vmalloc page: the page after it is vmalloc's unmapped guard page, so a
 * decoder reading past @avail would fault instead of passing by luck.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <uapi/linux/hcl.h>

#include "hcl_kunit.h"
#include "decode.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* ---- decoder ----------------------------------------------------------- */

#define DEC_MAXBYTES	20

struct dec_case {
	const char *name;
	u8 mode;
	u8 n;			/* bytes given: the instruction, exactly */
	u8 b[DEC_MAXBYTES];
	int ret;
	/* expected on success; dst_size is derived for MOV, see dec_check */
	u8 len, size, dst_size, reg;
	u8 op;
	bool write, high8;
	u64 imm;
};

#define B(...)		.b = { __VA_ARGS__ }, .n = sizeof((u8[]){ __VA_ARGS__ })
#define LD(l, s, r)	.len = (l), .size = (s), .reg = (r), .op = HCL_MMIO_MOV
#define ST(l, s, r)	.len = (l), .size = (s), .reg = (r), \
			.op = HCL_MMIO_MOV, .write = true
#define IMM(l, s, v)	.len = (l), .size = (s), .imm = (v), \
			.op = HCL_MMIO_STORE_IMM, .write = true
#define ZX(l, s, d, r)	.len = (l), .size = (s), .dst_size = (d), .reg = (r), \
			.op = HCL_MMIO_MOVZX
#define SX(l, s, d, r)	.len = (l), .size = (s), .dst_size = (d), .reg = (r), \
			.op = HCL_MMIO_MOVSX
#define HI		.high8 = true
#define BAD		.ret = -EINVAL

static const struct dec_case dec_cases[] = {
	/* ---- 64-bit: mov r/m, r and mov r, r/m */
	{ "64 mov [rax],ecx", 64, B(0x89, 0x08), ST(2, 4, HCL_REG_RCX) },
	{ "64 mov [rax],rcx", 64, B(0x48, 0x89, 0x08), ST(3, 8, HCL_REG_RCX) },
	{ "64 mov [rax],cx", 64, B(0x66, 0x89, 0x08), ST(3, 2, HCL_REG_RCX) },
	{ "64 rex.w beats 66", 64, B(0x66, 0x48, 0x89, 0x08),
	  ST(4, 8, HCL_REG_RCX) },
	{ "64 mov [rax],r8", 64, B(0x4c, 0x89, 0x00), ST(3, 8, HCL_REG_R8) },
	{ "64 mov [rax],r15d", 64, B(0x44, 0x89, 0x38), ST(3, 4, HCL_REG_R15) },
	{ "64 rex.b is address only", 64, B(0x41, 0x89, 0x00),
	  ST(3, 4, HCL_REG_RAX) },
	{ "64 mov [rax],ah", 64, B(0x88, 0x20), ST(2, 1, 4), HI },
	{ "64 mov [rax],bh", 64, B(0x88, 0x38), ST(2, 1, 7), HI },
	{ "64 mov [rax],dl", 64, B(0x88, 0x10), ST(2, 1, HCL_REG_RDX) },
	{ "64 mov [rax],spl", 64, B(0x40, 0x88, 0x20), ST(3, 1, HCL_REG_RSP) },
	{ "64 mov [rax],dil", 64, B(0x40, 0x88, 0x38), ST(3, 1, HCL_REG_RDI) },
	{ "64 mov [rax],r12b", 64, B(0x44, 0x88, 0x20), ST(3, 1, HCL_REG_R12) },
	{ "64 66 ignored for bytes", 64, B(0x66, 0x88, 0x08),
	  ST(3, 1, HCL_REG_RCX) },
	{ "64 mov cl,[rax]", 64, B(0x8a, 0x08), LD(2, 1, HCL_REG_RCX) },
	{ "64 mov ah,[rax]", 64, B(0x8a, 0x20), LD(2, 1, 4), HI },
	{ "64 mov sil,[rax]", 64, B(0x40, 0x8a, 0x30), LD(3, 1, HCL_REG_RSI) },
	{ "64 mov r9b,[rax]", 64, B(0x44, 0x8a, 0x08), LD(3, 1, HCL_REG_R9) },
	{ "64 mov eax,[rax]", 64, B(0x8b, 0x00), LD(2, 4, HCL_REG_RAX) },
	{ "64 mov bx,[rax]", 64, B(0x66, 0x8b, 0x18), LD(3, 2, HCL_REG_RBX) },
	{ "64 mov r11,[rax]", 64, B(0x4c, 0x8b, 0x18), LD(3, 8, HCL_REG_R11) },
	{ "64 mov esi,[r8]", 64, B(0x41, 0x8b, 0x30), LD(3, 4, HCL_REG_RSI) },

	/* ---- 64-bit addressing forms */
	{ "64 rip-relative", 64, B(0x8b, 0x05, 0x00, 0x10, 0x00, 0x00),
	  LD(6, 4, HCL_REG_RAX) },
	{ "64 rip-relative bh", 64, B(0x88, 0x3d, 0x78, 0x56, 0x34, 0x12),
	  ST(6, 1, 7), HI },
	{ "64 rip-relative rex.w", 64,
	  B(0x48, 0x8b, 0x1d, 0xf0, 0xff, 0xff, 0xff), LD(7, 8, HCL_REG_RBX) },
	{ "64 rip-relative despite rex.b", 64,
	  B(0x41, 0x8b, 0x05, 0x00, 0x00, 0x00, 0x00), LD(7, 4, HCL_REG_RAX) },
	{ "64 [r13+disp8]", 64, B(0x41, 0x8b, 0x45, 0x00),
	  LD(4, 4, HCL_REG_RAX) },
	{ "64 [rax+disp8]", 64, B(0x8b, 0x40, 0x10), LD(3, 4, HCL_REG_RAX) },
	{ "64 [rax+disp32]", 64, B(0x8b, 0x80, 0x00, 0x01, 0x00, 0x00),
	  LD(6, 4, HCL_REG_RAX) },
	{ "64 sib [rax+rcx*4]", 64, B(0x8b, 0x04, 0x88), LD(3, 4, HCL_REG_RAX) },
	{ "64 sib [rsp]", 64, B(0x8b, 0x14, 0x24), LD(3, 4, HCL_REG_RDX) },
	{ "64 sib [rsp+disp8]", 64, B(0x8b, 0x44, 0x24, 0x08),
	  LD(4, 4, HCL_REG_RAX) },
	{ "64 sib [rsp+disp32]", 64,
	  B(0x8b, 0x84, 0x24, 0x00, 0x01, 0x00, 0x00), LD(7, 4, HCL_REG_RAX) },
	{ "64 sib no base", 64, B(0x8b, 0x04, 0x25, 0x00, 0x00, 0x0f, 0x00),
	  LD(7, 4, HCL_REG_RAX) },
	{ "64 sib no base, index", 64,
	  B(0x8b, 0x0c, 0xcd, 0x00, 0x10, 0x00, 0x00), LD(7, 4, HCL_REG_RCX) },
	{ "64 sib no base despite rex.b", 64,
	  B(0x41, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00),
	  LD(8, 4, HCL_REG_RAX) },
	{ "64 sib [r12+r13]", 64, B(0x43, 0x8b, 0x04, 0x2c),
	  LD(4, 4, HCL_REG_RAX) },
	{ "64 sib [r13+r12+disp8], rex.wrxb", 64,
	  B(0x4f, 0x89, 0x7c, 0x25, 0xf8), ST(5, 8, HCL_REG_R15) },
	{ "64 67: [eax]", 64, B(0x67, 0x8b, 0x00), LD(3, 4, HCL_REG_RAX) },
	{ "64 67: eip-relative", 64,
	  B(0x67, 0x8b, 0x05, 0x00, 0x10, 0x00, 0x00), LD(7, 4, HCL_REG_RAX) },
	{ "64 67: sib disp32", 64,
	  B(0x67, 0x89, 0x84, 0x88, 0x00, 0x01, 0x00, 0x00),
	  ST(8, 4, HCL_REG_RAX) },

	/* ---- 64-bit prefixes */
	{ "64 fs:", 64, B(0x64, 0x8b, 0x00), LD(3, 4, HCL_REG_RAX) },
	{ "64 gs: rex.w", 64, B(0x65, 0x48, 0x89, 0x08),
	  ST(4, 8, HCL_REG_RCX) },
	{ "64 all segments", 64, B(0x26, 0x2e, 0x36, 0x3e, 0x89, 0x08),
	  ST(6, 4, HCL_REG_RCX) },
	{ "64 rex then 66: rex ignored", 64, B(0x48, 0x66, 0x89, 0x08),
	  ST(4, 2, HCL_REG_RCX) },
	{ "64 rex then fs: rex ignored", 64, B(0x4c, 0x64, 0x89, 0x00),
	  ST(4, 4, HCL_REG_RAX) },
	{ "64 rex then 67: no spl", 64, B(0x40, 0x67, 0x88, 0x20),
	  ST(4, 1, 4), HI },
	{ "64 two rex: last wins", 64, B(0x4c, 0x48, 0x89, 0x00),
	  ST(4, 8, HCL_REG_RAX) },
	{ "64 15 bytes", 64,
	  B(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
	    0x3e, 0x2e, 0x89, 0x08), ST(15, 4, HCL_REG_RCX) },
	{ "64 15 bytes with imm", 64,
	  B(0x3e, 0x3e, 0x3e, 0x3e, 0xc7, 0x84, 0x88, 0x00, 0x01, 0x00, 0x00,
	    0x78, 0x56, 0x34, 0x12), IMM(15, 4, 0x12345678) },

	/* ---- 64-bit stores of immediates */
	{ "64 mov byte [rax],imm8", 64, B(0xc6, 0x00, 0xff), IMM(3, 1, 0xff) },
	{ "64 66 ignored for imm8", 64, B(0x66, 0xc6, 0x00, 0x01),
	  IMM(4, 1, 0x01) },
	{ "64 mov byte [rsp+8],imm8", 64, B(0xc6, 0x44, 0x24, 0x08, 0x7f),
	  IMM(5, 1, 0x7f) },
	{ "64 mov word [rax],imm16", 64, B(0x66, 0xc7, 0x00, 0x34, 0x12),
	  IMM(5, 2, 0x1234) },
	{ "64 mov dword [rax],imm32", 64,
	  B(0xc7, 0x00, 0x78, 0x56, 0x34, 0x12), IMM(6, 4, 0x12345678) },
	{ "64 imm32 not extended", 64, B(0xc7, 0x00, 0x00, 0x00, 0x00, 0x80),
	  IMM(6, 4, 0x80000000) },
	{ "64 imm32 sign-extended", 64,
	  B(0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80),
	  IMM(7, 8, 0xffffffff80000000ULL) },
	{ "64 imm32 positive", 64, B(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f),
	  IMM(7, 8, 0x7fffffff) },
	{ "64 imm -1", 64, B(0x49, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff),
	  IMM(7, 8, ~0ULL) },
	{ "64 imm rip-relative", 64,
	  B(0xc7, 0x05, 0xd0, 0x0f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00),
	  IMM(10, 4, 1) },
	{ "64 imm sib disp32", 64,
	  B(0xc7, 0x84, 0x88, 0x00, 0x01, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12),
	  IMM(11, 4, 0x12345678) },

	/* ---- 64-bit moffs: 8-byte offsets, 4 with 67 */
	{ "64 mov al,moffs", 64,
	  B(0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  LD(9, 1, HCL_REG_RAX) },
	{ "64 mov eax,moffs", 64,
	  B(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  LD(9, 4, HCL_REG_RAX) },
	{ "64 mov ax,moffs", 64,
	  B(0x66, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  LD(10, 2, HCL_REG_RAX) },
	{ "64 mov moffs,al", 64,
	  B(0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  ST(9, 1, HCL_REG_RAX) },
	{ "64 mov moffs,rax", 64,
	  B(0x48, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  ST(10, 8, HCL_REG_RAX) },
	{ "64 rex.b: still rax", 64,
	  B(0x49, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  ST(10, 8, HCL_REG_RAX) },
	{ "64 67 mov moffs32,al", 64, B(0x67, 0xa2, 0x00, 0x10, 0x00, 0x00),
	  ST(6, 1, HCL_REG_RAX) },
	{ "64 67 mov eax,moffs32", 64, B(0x67, 0xa1, 0x00, 0x10, 0x00, 0x00),
	  LD(6, 4, HCL_REG_RAX) },

	/* ---- 64-bit movzx/movsx */
	{ "64 movzx eax,byte", 64, B(0x0f, 0xb6, 0x00),
	  ZX(3, 1, 4, HCL_REG_RAX) },
	{ "64 movzx rcx,word", 64, B(0x48, 0x0f, 0xb7, 0x08),
	  ZX(4, 2, 8, HCL_REG_RCX) },
	{ "64 movzx cx,byte", 64, B(0x66, 0x0f, 0xb6, 0x08),
	  ZX(4, 1, 2, HCL_REG_RCX) },
	{ "64 movzx esp,byte: no ah", 64, B(0x0f, 0xb6, 0x20),
	  ZX(3, 1, 4, HCL_REG_RSP) },
	{ "64 movzx r10d,word rip", 64,
	  B(0x44, 0x0f, 0xb7, 0x15, 0x00, 0x01, 0x00, 0x00),
	  ZX(8, 2, 4, HCL_REG_R10) },
	{ "64 movsx eax,byte [rax+1]", 64, B(0x0f, 0xbe, 0x40, 0x01),
	  SX(4, 1, 4, HCL_REG_RAX) },
	{ "64 movsx r8,word", 64, B(0x4c, 0x0f, 0xbf, 0x00),
	  SX(4, 2, 8, HCL_REG_R8) },
	{ "64 movsx dx,byte sib", 64, B(0x66, 0x0f, 0xbe, 0x14, 0x24),
	  SX(5, 1, 2, HCL_REG_RDX) },

	/* ---- 32-bit mode */
	{ "32 mov [eax],ecx", 32, B(0x89, 0x08), ST(2, 4, HCL_REG_RCX) },
	{ "32 mov [eax],cx", 32, B(0x66, 0x89, 0x08), ST(3, 2, HCL_REG_RCX) },
	{ "32 mov [eax],ch", 32, B(0x88, 0x28), ST(2, 1, 5), HI },
	{ "32 mov dh,[eax]", 32, B(0x8a, 0x30), LD(2, 1, 6), HI },
	{ "32 mov eax,[disp32]", 32, B(0x8b, 0x05, 0x78, 0x56, 0x34, 0x12),
	  LD(6, 4, HCL_REG_RAX) },
	{ "32 sib [esp]", 32, B(0x8b, 0x04, 0x24), LD(3, 4, HCL_REG_RAX) },
	{ "32 sib no base", 32, B(0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00),
	  LD(7, 4, HCL_REG_RAX) },
	{ "32 [ebp+disp8]", 32, B(0x8b, 0x45, 0xfc), LD(3, 4, HCL_REG_RAX) },
	{ "32 [esi+disp32]", 32, B(0x89, 0x9e, 0x00, 0x00, 0x01, 0x00),
	  ST(6, 4, HCL_REG_RBX) },
	{ "32 67 [bx]", 32, B(0x67, 0x8b, 0x07), LD(3, 4, HCL_REG_RAX) },
	{ "32 67 [disp16]", 32, B(0x67, 0x8b, 0x06, 0x34, 0x12),
	  LD(5, 4, HCL_REG_RAX) },
	{ "32 67 [bp+si+disp8]", 32, B(0x67, 0x8b, 0x42, 0x10),
	  LD(4, 4, HCL_REG_RAX) },
	{ "32 mov eax,moffs32", 32, B(0xa1, 0x78, 0x56, 0x34, 0x12),
	  LD(5, 4, HCL_REG_RAX) },
	{ "32 mov moffs32,ax", 32, B(0x66, 0xa3, 0x78, 0x56, 0x34, 0x12),
	  ST(6, 2, HCL_REG_RAX) },
	{ "32 67 mov al,moffs16", 32, B(0x67, 0xa0, 0x34, 0x12),
	  LD(4, 1, HCL_REG_RAX) },
	{ "32 mov dword imm32", 32, B(0xc7, 0x00, 0x78, 0x56, 0x34, 0x12),
	  IMM(6, 4, 0x12345678) },
	{ "32 mov word imm16", 32, B(0x66, 0xc7, 0x00, 0xff, 0xff),
	  IMM(5, 2, 0xffff) },
	{ "32 mov byte imm8 disp32", 32,
	  B(0xc6, 0x05, 0x00, 0x00, 0x0f, 0x00, 0xaa), IMM(7, 1, 0xaa) },
	{ "32 movzx eax,word", 32, B(0x0f, 0xb7, 0x00),
	  ZX(3, 2, 4, HCL_REG_RAX) },
	{ "32 movsx edi,byte es:", 32, B(0x26, 0x0f, 0xbe, 0x38),
	  SX(4, 1, 4, HCL_REG_RDI) },

	/* ---- 16-bit mode */
	{ "16 mov [bx+si],cx", 16, B(0x89, 0x08), ST(2, 2, HCL_REG_RCX) },
	{ "16 mov [bx+si],ecx", 16, B(0x66, 0x89, 0x08),
	  ST(3, 4, HCL_REG_RCX) },
	{ "16 mov [bx+di],bh", 16, B(0x88, 0x39), ST(2, 1, 7), HI },
	{ "16 mov ax,[si]", 16, B(0x8b, 0x04), LD(2, 2, HCL_REG_RAX) },
	{ "16 mov ax,[bp+disp8]", 16, B(0x8b, 0x46, 0x04),
	  LD(3, 2, HCL_REG_RAX) },
	{ "16 mov ax,[disp16]", 16, B(0x8b, 0x06, 0x00, 0x10),
	  LD(4, 2, HCL_REG_RAX) },
	{ "16 mov ax,[bp+disp16]", 16, B(0x8b, 0x86, 0x00, 0x10),
	  LD(4, 2, HCL_REG_RAX) },
	{ "16 mov dx,[bx+disp16]", 16, B(0x8b, 0x97, 0x34, 0x12),
	  LD(4, 2, HCL_REG_RDX) },
	{ "16 mov al,[bx]", 16, B(0x8a, 0x07), LD(2, 1, HCL_REG_RAX) },
	{ "16 67 sib [esp]", 16, B(0x67, 0x8b, 0x04, 0x24),
	  LD(4, 2, HCL_REG_RAX) },
	{ "16 67 [disp32]", 16, B(0x67, 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12),
	  LD(7, 2, HCL_REG_RAX) },
	{ "16 67 66 [eax+disp8]", 16, B(0x67, 0x66, 0x89, 0x48, 0x04),
	  ST(5, 4, HCL_REG_RCX) },
	{ "16 mov word [disp16],imm16", 16,
	  B(0xc7, 0x06, 0x00, 0x10, 0x34, 0x12), IMM(6, 2, 0x1234) },
	{ "16 mov dword [disp16],imm32", 16,
	  B(0x66, 0xc7, 0x06, 0x00, 0x10, 0x78, 0x56, 0x34, 0x12),
	  IMM(9, 4, 0x12345678) },
	{ "16 mov byte [bx+1],imm8", 16, B(0xc6, 0x47, 0x01, 0x80),
	  IMM(4, 1, 0x80) },
	{ "16 mov ax,moffs16", 16, B(0xa1, 0x34, 0x12), LD(3, 2, HCL_REG_RAX) },
	{ "16 67 mov ax,moffs32", 16, B(0x67, 0xa1, 0x78, 0x56, 0x34, 0x12),
	  LD(6, 2, HCL_REG_RAX) },
	{ "16 mov moffs16,al", 16, B(0xa2, 0x34, 0x12), ST(3, 1, HCL_REG_RAX) },
	{ "16 movzx ax,byte [bx]", 16, B(0x0f, 0xb6, 0x07),
	  ZX(3, 1, 2, HCL_REG_RAX) },
	{ "16 movsx eax,word [bx]", 16, B(0x66, 0x0f, 0xbf, 0x07),
	  SX(4, 2, 4, HCL_REG_RAX) },

	/* ---- rejections */
	{ "64 mod=3 mov eax,ecx", 64, B(0x89, 0xc8), BAD },
	{ "64 mod=3 mov ecx,eax", 64, B(0x8b, 0xc8), BAD },
	{ "32 mod=3 mov al,imm8", 32, B(0xc6, 0xc0, 0x01), BAD },
	{ "16 mod=3 movzx", 16, B(0x0f, 0xb6, 0xc1), BAD },
	{ "64 lock", 64, B(0xf0, 0x89, 0x08), BAD },
	{ "64 lock after 66", 64, B(0x66, 0xf0, 0x89, 0x08), BAD },
	{ "64 rep", 64, B(0xf3, 0x89, 0x08), BAD },
	{ "64 repne", 64, B(0xf2, 0x8b, 0x08), BAD },
	{ "64 movs", 64, B(0xa4), BAD },
	{ "64 add", 64, B(0x01, 0x08), BAD },
	{ "64 mov sreg", 64, B(0x8c, 0x18), BAD },
	{ "64 c6 /1", 64, B(0xc6, 0x08, 0x01), BAD },
	{ "64 c7 /7 xbegin", 64, B(0xc7, 0xf8, 0x00, 0x00, 0x00, 0x00), BAD },
	{ "64 0f 05 syscall", 64, B(0x0f, 0x05), BAD },
	{ "64 0f b8", 64, B(0x0f, 0xb8, 0x00), BAD },
	{ "64 vex", 64, B(0xc5, 0xf9, 0x6f, 0x00), BAD },
	{ "32 rex is dec", 32, B(0x48, 0x89, 0x08), BAD },
	{ "16 rex is inc", 16, B(0x40, 0x89, 0x08), BAD },
	{ "64 16 bytes of prefixes", 64,
	  B(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
	    0x3e, 0x2e, 0x2e, 0x89, 0x08), BAD },
	{ "64 16 bytes by displacement", 64,
	  B(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
	    0x3e, 0x2e, 0x89, 0x40, 0x00), BAD },
	{ "64 16 bytes by imm", 64,
	  B(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0xc7, 0x84, 0x88, 0x00, 0x01, 0x00,
	    0x00, 0x78, 0x56, 0x34, 0x12), BAD },
	{ "64 16 bytes by moffs", 64,
	  B(0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0xa1, 0x88, 0x77, 0x66,
	    0x55, 0x44, 0x33, 0x22, 0x11), BAD },
};

static void dec_case_desc(const struct dec_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dec, dec_cases, dec_case_desc);

static int dec_init(struct kunit *test)
{
	/* one page followed by vmalloc's guard page */
	test->priv = vmalloc(PAGE_SIZE);
	return test->priv ? 0 : -ENOMEM;
}

static void dec_exit(struct kunit *test)
{
	vfree(test->priv);
}

/* Decodes the first @avail bytes of @c placed right before the guard page. */
static int dec_run(struct kunit *test, const struct dec_case *c,
		   unsigned int avail, struct hcl_mmio_insn *out)
{
	u8 *p = (u8 *)test->priv + PAGE_SIZE - avail;

	memcpy(p, c->b, avail);
	return hcl_decode_mmio(p, avail, c->mode, out);
}

static void dec_check(struct kunit *test, const struct dec_case *c,
		      const struct hcl_mmio_insn *insn)
{
	u8 dst = c->dst_size;

	/* plain moves: the register is as wide as the memory operand */
	if (c->op == HCL_MMIO_MOV)
		dst = c->size;
	KUNIT_EXPECT_EQ(test, insn->len, c->len);
	KUNIT_EXPECT_EQ(test, insn->size, c->size);
	KUNIT_EXPECT_EQ(test, insn->write, c->write);
	KUNIT_EXPECT_EQ(test, (int)insn->op, (int)c->op);
	KUNIT_EXPECT_EQ(test, insn->reg, c->reg);
	KUNIT_EXPECT_EQ(test, insn->dst_size, dst);
	KUNIT_EXPECT_EQ(test, insn->high8, c->high8);
	KUNIT_EXPECT_EQ(test, insn->imm, c->imm);
}

static void decode_vectors(struct kunit *test)
{
	const struct dec_case *c = test->param_value;
	struct hcl_mmio_insn insn, poison;
	u8 *p = test->priv;
	unsigned int avail;
	int ret;

	KUNIT_ASSERT_LE(test, c->n, DEC_MAXBYTES);
	memset(&poison, 0xa5, sizeof(poison));

	insn = poison;
	ret = dec_run(test, c, c->n, &insn);
	KUNIT_ASSERT_EQ(test, ret, c->ret);
	if (ret) {
		/* a refusal leaves @out alone */
		KUNIT_EXPECT_EQ(test, memcmp(&insn, &poison, sizeof(insn)), 0);
		return;
	}
	/* a vector is exactly one instruction */
	KUNIT_ASSERT_EQ(test, c->len, c->n);
	dec_check(test, c, &insn);

	/* every shorter prefix of the bytes is a truncation */
	for (avail = 0; avail < c->n; avail++) {
		insn = poison;
		KUNIT_EXPECT_EQ_MSG(test, dec_run(test, c, avail, &insn),
				    -EFAULT, "avail %u", avail);
		KUNIT_EXPECT_EQ(test, memcmp(&insn, &poison, sizeof(insn)), 0);
	}

	/* bytes after the instruction change nothing */
	if (c->n < 15) {
		u8 *q = p + PAGE_SIZE - 15;

		memset(q, 0xff, 15);
		memcpy(q, c->b, c->n);
		ret = hcl_decode_mmio(q, 15, c->mode, &insn);
		KUNIT_ASSERT_EQ(test, ret, 0);
		dec_check(test, c, &insn);
	}
}

static void decode_bad_mode(struct kunit *test)
{
	static const u8 mov[] = { 0x89, 0x08 };
	static const unsigned int modes[] = { 0, 8, 15, 17, 33, 63, 65, 128 };
	struct hcl_mmio_insn insn;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(modes); i++)
		KUNIT_EXPECT_EQ(test, hcl_decode_mmio(mov, sizeof(mov),
						      modes[i], &insn),
				-EINVAL);
	/* the mode is checked before any byte: even with none */
	KUNIT_EXPECT_EQ(test, hcl_decode_mmio(NULL, 0, 0, &insn), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_decode_mmio(NULL, 0, 64, &insn), -EFAULT);
}

/*
 * Refusals are decided as soon as the bytes allow: a LOCK is refused with
 * only the LOCK present, mod = 11 with the ModRM, and anything needing a
 * 16th byte with 15 bytes present.
 */
static void decode_refuse_early(struct kunit *test)
{
	static const u8 lock[] = { 0xf0 };
	static const u8 rep[] = { 0x66, 0xf3 };
	static const u8 reg[] = { 0x48, 0x89, 0xc8 };
	static const u8 c6_1[] = { 0xc6, 0x88 };	/* /1 + disp32 */
	/* 15 prefixes */
	static const u8 long16[] = {
		0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
		0x3e, 0x3e, 0x2e, 0x2e, 0x2e,
	};
	/* 13 prefixes, mov, ModRM with a disp32 to come */
	static const u8 long_disp[] = {
		0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
		0x3e, 0x3e, 0x2e, 0x8b, 0x80,
	};
	/* 13 prefixes, mov, the ModRM still missing */
	static const u8 trunc_ok[] = {
		0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
		0x3e, 0x3e, 0x2e, 0x8b,
	};
	struct hcl_mmio_insn insn;

	KUNIT_EXPECT_EQ(test, hcl_decode_mmio(lock, 1, 64, &insn), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_decode_mmio(rep, 2, 32, &insn), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_decode_mmio(reg, 3, 64, &insn), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_decode_mmio(c6_1, 2, 64, &insn), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_decode_mmio(long16, 15, 64, &insn), -EINVAL);
	KUNIT_EXPECT_EQ(test, hcl_decode_mmio(long_disp, 15, 64, &insn),
			-EINVAL);
	/* 14 bytes, a 15th (the ModRM) still allowed: just truncated */
	KUNIT_EXPECT_EQ(test, hcl_decode_mmio(trunc_ok, 14, 64, &insn),
			-EFAULT);
}

static struct kunit_case hcl_decode_cases[] = {
	KUNIT_CASE_PARAM(decode_vectors, dec_gen_params),
	KUNIT_CASE(decode_bad_mode),
	KUNIT_CASE(decode_refuse_early),
	{}
};

HCL_KUNIT_SUITE_FIXTURE(decode, hcl_decode_cases, dec_init, dec_exit);
