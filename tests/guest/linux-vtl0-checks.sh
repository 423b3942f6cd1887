#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Checks that run in VTL0's Linux, one per name (scripts/vtl0-linux.sh
# installs this file as /bin/hcl-vtl0-check and links each name to it;
# the e2e group runs them with hcl.cmd=NAME):
#
#   hcl-sleep-check   `sleep 20` in VTL0 takes 20 s +-5% of host time,
#                     read from the CMOS clock underhill_vm emulates from
#                     VTL2's clock (whole seconds: the sleep starts on a
#                     clock edge, so the reading is exact to a second)
#   hcl-panic         the kernel panics (sysrq c)
#   hcl-triple-fault  the kernel reboots by triple fault
#   hcl-ipi-load      10 s of fork/exec and 1 ms sleeps on every CPU
#                     (timers, IPIs, TLB shootdowns; make bench's load)
#
# The checks print "vtl0-check: ..." lines; a failed check exits 1.

rtc=/sys/class/rtc/rtc0/since_epoch

sleep_check() {
	local t t0 t1 up0 up1 rest host guest
	[ -r "$rtc" ] || { echo "vtl0-check: FAIL: no $rtc (rtc_cmos)"; return 1; }
	# start on an edge of the host's second (read: no fork, no delay)
	read -r t0 < "$rtc"
	t=$t0
	while [ "$t" = "$t0" ]; do read -r t < "$rtc"; done
	read -r up0 rest < /proc/uptime
	t0=$t
	sleep 20
	read -r t1 < "$rtc"
	read -r up1 rest < /proc/uptime
	host=$((t1 - t0))
	guest=$(echo "$up0 $up1" | awk '{ printf "%.2f", $2 - $1 }')
	echo "vtl0-check: sleep 20 took $host s of host time ($guest s of guest uptime)"
	if [ "$host" -lt 19 ] || [ "$host" -gt 21 ]; then
		echo "vtl0-check: FAIL: not within 5% of 20 s"
		return 1
	fi
	echo "vtl0-check: sleep accurate"
}

case ${0##*/} in
hcl-sleep-check)
	sleep_check
	;;
hcl-panic)
	echo "vtl0-check: panicking"
	echo c > /proc/sysrq-trigger
	;;
hcl-triple-fault)
	echo "vtl0-check: rebooting by triple fault"
	echo triple > /sys/kernel/reboot/type || exit 1
	reboot -f
	;;
hcl-ipi-load)
	n=$(nproc)
	read -r up rest < /proc/uptime
	end=$((${up%.*} + 10))
	i=0
	while [ $i -lt "$n" ]; do
		(
			while read -r now rest < /proc/uptime &&
			      [ "${now%.*}" -lt "$end" ]; do
				/bin/true
				usleep 1000
			done
		) &
		i=$((i + 1))
	done
	wait
	echo "vtl0-check: $n CPUs loaded for 10 s"
	;;
*)
	echo "usage: hcl-sleep-check | hcl-panic | hcl-triple-fault | hcl-ipi-load" >&2
	exit 2
	;;
esac
