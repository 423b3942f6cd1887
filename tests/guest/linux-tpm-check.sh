#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hcl-tpm-check: runs in VTL0's Linux (scripts/vtl0-linux.sh puts it in
# the initramfs as /bin/hcl-tpm-check) and drives the sandboxed vTPM the
# way a user would, through Linux's tpm_tis driver and Debian's
# tpm2-tools: the device nodes, GetRandom, PCR extend and read (the value
# recomputed here), a primary key, a child key created, loaded, signing
# and verifying, and an NV index defined, written, read back and removed.
# One "vtl0-tpm: ..." line per step; exit 0 when every step passed, else
# 1 after a "vtl0-tpm: FAIL: ..." line.

export TPM2TOOLS_TCTI=${TPM2TOOLS_TCTI:-device:/dev/tpmrm0}
work=$(mktemp -d /tmp/tpm.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

fail() {
	echo "vtl0-tpm: FAIL: $*"
	exit 1
}

# run a tpm2 tool; its output in $out, failure ends the check
t() {
	out=$("$@" 2>&1) || fail "$* ($(echo "$out" | tail -n 1))"
}

# the hex string $1 as bytes on stdout
unhex() {
	printf "$(echo "$1" | sed 's/../\\x&/g')"
}

# PCR $1's sha256 value, lower-case hex
pcr() {
	t tpm2_pcrread "sha256:$1"
	echo "$out" | sed -n "s/^ *$1 *: *0x\([0-9A-Fa-f]*\).*/\1/p" |
		tr 'A-F' 'a-f'
}

for dev in /dev/tpm0 /dev/tpmrm0; do
	[ -c "$dev" ] || fail "no $dev (is tpm_tis.force=1 on the command line?)"
done
echo "vtl0-tpm: /dev/tpm0 and /dev/tpmrm0 present, TPM $(cat /sys/class/tpm/tpm0/tpm_version_major 2>/dev/null)," \
	"interrupt $(sed -n 's/^ *\([0-9]*\):.*tpm.*/\1/p' /proc/interrupts | head -n 1 | grep . || echo none)"

t tpm2_getrandom --hex 32
first=$out
echo "$first" | grep -qx '[0-9a-f]\{64\}' || fail "getrandom gave \"$first\""
t tpm2_getrandom --hex 32
[ "$out" != "$first" ] || fail "getrandom gave the same 32 bytes twice"
echo "vtl0-tpm: getrandom ok"

# PCR 16 (resettable, debug): new = sha256(old || digest)
digest=$(printf 'hcl-vtl0-tpm-check' | sha256sum | cut -d' ' -f1)
old=$(pcr 16)
[ ${#old} -eq 64 ] || fail "pcrread gave \"$old\""
t tpm2_pcrextend "16:sha256=$digest"
want=$({ unhex "$old"; unhex "$digest"; } | sha256sum | cut -d' ' -f1)
got=$(pcr 16)
[ "$got" = "$want" ] || fail "PCR 16 is $got after the extend, expected $want"
echo "vtl0-tpm: pcrextend and pcrread ok (PCR 16 = ${got%"${got#????????}"}...)"

t tpm2_createprimary -C o -G ecc -c primary.ctx
t tpm2_create -C primary.ctx -G ecc -u key.pub -r key.priv
t tpm2_load -C primary.ctx -u key.pub -r key.priv -c key.ctx
echo "message from VTL0" > msg
t tpm2_sign -c key.ctx -g sha256 -o sig msg
t tpm2_verifysignature -c key.ctx -g sha256 -m msg -s sig
echo "tampered" > msg
tpm2_verifysignature -c key.ctx -g sha256 -m msg -s sig >/dev/null 2>&1 &&
	fail "verifysignature accepted a signature over other data"
echo "vtl0-tpm: createprimary, create, load, sign, verifysignature ok"

nv=0x1500016
tpm2_nvundefine -C o "$nv" >/dev/null 2>&1	# a previous run's
t tpm2_nvdefine -C o -s 32 -a "ownerread|ownerwrite|authread|authwrite" "$nv"
printf 'written by VTL0 through the vTPM' > nv.in
t tpm2_nvwrite -C o -i nv.in "$nv"
t tpm2_nvread -C o -s 32 -o nv.out "$nv"
cmp -s nv.in nv.out || fail "nvread gave \"$(cat nv.out)\""
t tpm2_nvundefine -C o "$nv"
echo "vtl0-tpm: nvdefine, nvwrite, nvread, nvundefine ok"
echo "vtl0-tpm: all checks passed"
