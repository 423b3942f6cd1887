// SPDX-License-Identifier: GPL-2.0
/*
 * hcl-tpm-worker: the vTPM device worker.  A TPM 2.0 on libtpms
 * (tpm_engine.c) with its state in --state DIR, reachable two ways:
 *
 *   --fd N          the device-worker protocol (devworker_proto.h) on an
 *                   inherited SOCK_SEQPACKET socket: the VM worker
 *                   forwards the guest's TIS register accesses; the TIS
 *                   model (tis.c) answers them at once and TPM commands
 *                   run on a second thread, so a register read never
 *                   waits for libtpms.
 *   --socket PATH --ctrl PATH
 *                   swtpm's socket protocol on two Unix stream sockets:
 *                   raw TPM commands on PATH, swtpm's control commands on
 *                   the control socket, so that host tools can use it
 *                   (tpm2-tools: -T swtpm:path=PATH, control PATH.ctrl).
 *
 * Started by underhill_vm (sandbox_spawn_exec with the tpm policy and
 * --state the host path of its directory), the worker enters its
 * sandbox right after parsing its arguments, before any other thread
 * or any input, and then finds its state at /state in its mount view.
 * Started any other way (host tests, swtpm mode by hand) it runs as it
 * was started.
 *
 * --power-on: the platform was just powered on, drop any volatile state
 * (the guest sends TPM2_Startup); without it a volatile state left by a
 * killed worker is resumed.  --no-volatile-save turns off the per-command
 * volatile save (to measure its cost; not crash-safe).  --sirq N: the
 * ISA interrupt the platform wired the TPM to (TPM_INT_VECTOR's value
 * after a reset; 0, the default, none).
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "devworker_proto.h"
#include "sandbox.h"
#include "tis.h"
#include "tpm_engine.h"

#define TPM_RC_COMMAND_SIZE	0x142

static void wlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void wlog(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("hcl-tpm-worker: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * All len bytes into buf (read) or out of it (send, without SIGPIPE when
 * the peer is gone), across short transfers and signals; -1 at EOF or on
 * an error.
 */
static int xfer_full(int fd, void *buf, size_t len, bool out)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = out ? send(fd, p, len, MSG_NOSIGNAL) :
				  read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int read_full(int fd, void *buf, size_t len)
{
	return xfer_full(fd, buf, len, false);
}

/* send() only reads buf */
static int write_full(int fd, const void *buf, size_t len)
{
	return xfer_full(fd, (void *)buf, len, true);
}

/* ---- the device-worker mode ----------------------------------------------- */

struct worker {
	struct tis tis;
	int fd;			/* the VM worker's socket */
	int evfd;		/* the engine thread: "command done" */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool job;		/* a command is queued for the thread */
	bool busy;		/* a command is in the engine */
	bool quit;
	uint8_t cmd[TIS_BUFSIZE];
	uint32_t cmd_len;
	unsigned int locality;
	uint8_t rsp[TIS_BUFSIZE];
	uint32_t rsp_len;
	/* the engine's time: libtpms and the crash-safe save (under lock) */
	uint64_t commands, engine_ns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *engine_thread(void *arg)
{
	struct worker *w = arg;
	uint64_t one = 1, t0;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->job && !w->quit)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->quit)
			break;
		pthread_mutex_unlock(&w->lock);
		t0 = now_ns();
		tpm_engine_process(w->cmd, w->cmd_len, w->rsp, sizeof(w->rsp),
				   &w->rsp_len, w->locality);
		t0 = now_ns() - t0;
		pthread_mutex_lock(&w->lock);
		w->commands++;
		w->engine_ns += t0;
		w->job = false;
		if (write(w->evfd, &one, sizeof(one)) != sizeof(one))
			wlog("eventfd: %s", strerror(errno));
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void w_execute(void *arg, const uint8_t *cmd, uint32_t len,
		      unsigned int locality)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->lock);
	memcpy(w->cmd, cmd, len);
	w->cmd_len = len;
	w->locality = locality;
	w->job = true;
	w->busy = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void w_cancel(void *arg)
{
	(void)arg;
	tpm_engine_cancel();
}

static void send_msg(struct worker *w, struct devworker_msg *m,
		     const void *payload, uint32_t len)
{
	int ret = devworker_send(w->fd, m, payload, len);

	if (ret)
		wlog("send: %s", strerror(-ret));
}

static void w_irq(void *arg, unsigned int line, int level)
{
	struct devworker_msg m = {
		.type = DEVWORKER_IRQ, .addr = line, .value = (uint64_t)level,
	};

	send_msg(arg, &m, NULL, 0);
}

static bool w_established(void *arg)
{
	(void)arg;
	return tpm_engine_established();
}

static void w_reset_est(void *arg, unsigned int locality)
{
	(void)arg;
	tpm_engine_reset_establishment(locality);
}

static const struct tis_ops worker_ops = {
	.execute = w_execute,
	.cancel = w_cancel,
	.irq = w_irq,
	.established = w_established,
	.reset_establishment = w_reset_est,
};

/* the engine thread finished: hand its response to the register model */
static void complete(struct worker *w)
{
	uint64_t n;

	if (read(w->evfd, &n, sizeof(n)) != sizeof(n))
		return;
	pthread_mutex_lock(&w->lock);
	w->busy = false;
	pthread_mutex_unlock(&w->lock);
	tis_command_done(&w->tis, w->rsp, w->rsp_len);
}

/* RESET, SAVE, RESTORE, STOP: let the command in flight finish first */
static void wait_idle(struct worker *w)
{
	bool busy;

	pthread_mutex_lock(&w->lock);
	busy = w->busy;
	pthread_mutex_unlock(&w->lock);
	if (busy)
		complete(w);	/* the eventfd read blocks until it is done */
}

static bool handle(struct worker *w, struct devworker_msg *m,
		   const uint8_t *payload)
{
	static uint8_t blob[TIS_SAVE_SIZE];
	struct devworker_msg r = { .type = m->type | DEVWORKER_REPLY,
				   .id = m->id };
	uint32_t val = 0;
	const void *out = NULL;
	uint32_t out_len = 0;
	bool executing = false, stop = false;
	int ret = 0;

	switch (m->type) {
	case DEVWORKER_HELLO:
		r.value = DEVWORKER_PROTO_VERSION;
		r.addr = TIS_BASE;
		r.size = TIS_SIZE;
		if (m->value != DEVWORKER_PROTO_VERSION)
			ret = -EPROTONOSUPPORT;
		break;
	case DEVWORKER_MMIO_READ:
		ret = tis_mmio_read(&w->tis, m->addr > UINT32_MAX ? UINT32_MAX :
				    (uint32_t)m->addr, m->size, &val);
		r.value = ret ? ~0ull : val;
		break;
	case DEVWORKER_MMIO_WRITE:
		ret = tis_mmio_write(&w->tis, m->addr > UINT32_MAX ?
				     UINT32_MAX : (uint32_t)m->addr, m->size,
				     (uint32_t)m->value);
		break;
	case DEVWORKER_PIO_READ:
		r.value = ~0ull;
		ret = -EOPNOTSUPP;
		break;
	case DEVWORKER_PIO_WRITE:
		ret = -EOPNOTSUPP;
		break;
	case DEVWORKER_RESET:
		wait_idle(w);
		tis_reset(&w->tis);
		ret = tpm_engine_power_cycle();
		break;
	case DEVWORKER_SAVE:
		wait_idle(w);
		ret = tpm_engine_save_volatile();
		out_len = tis_save(&w->tis, blob, sizeof(blob));
		out = blob;
		break;
	case DEVWORKER_RESTORE:
		wait_idle(w);
		ret = tis_restore(&w->tis, payload, m->len, &executing);
		if (!ret && executing)
			w_execute(w, w->tis.buf, w->tis.len,
				  w->tis.cmd_locality);
		break;
	case DEVWORKER_STOP:
		wait_idle(w);
		ret = tpm_engine_save_volatile();
		stop = true;
		pthread_mutex_lock(&w->lock);
		if (w->commands)
			wlog("%llu commands, %.1f us each in the engine "
			     "(libtpms and the state save)",
			     (unsigned long long)w->commands,
			     w->engine_ns / 1000.0 / w->commands);
		pthread_mutex_unlock(&w->lock);
		break;
	default:		/* IRQ, GUEST_*, replies: not ours to get */
		ret = -EINVAL;
		break;
	}
	r.status = -ret;
	if (ret && m->type != DEVWORKER_HELLO)
		out_len = 0;
	if (m->id)
		send_msg(w, &r, out, out_len);
	return stop;
}

static int run_devworker(int fd, unsigned int sirq)
{
	static uint8_t pkt[sizeof(struct devworker_msg) +
			   DEVWORKER_MAX_PAYLOAD];
	struct worker *w = calloc(1, sizeof(*w));
	struct devworker_msg m;
	struct pollfd p[2];
	ssize_t n;
	int rc = 1;

	if (!w)
		return 1;
	w->fd = fd;
	w->evfd = eventfd(0, EFD_CLOEXEC);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (w->evfd < 0 || pthread_create(&w->thread, NULL, engine_thread, w)) {
		wlog("cannot start the engine thread");
		return 1;
	}
	tis_init(&w->tis, &worker_ops, w);
	tis_set_sirq(&w->tis, sirq);

	p[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = w->evfd, .events = POLLIN };
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN)
			complete(w);
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = recv(fd, pkt, sizeof(pkt), MSG_TRUNC);
		if (n == 0) {
			rc = 0;		/* the VM worker closed: done */
			break;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			wlog("recv: %s", strerror(errno));
			break;
		}
		memset(&m, 0, sizeof(m));
		memcpy(&m, pkt, (size_t)n < sizeof(m) ? (size_t)n : sizeof(m));
		if ((size_t)n < sizeof(m) || (size_t)n > sizeof(pkt) ||
		    m.len != n - sizeof(m) || m.flags || m.reserved ||
		    m.status || (m.type & DEVWORKER_REPLY)) {
			struct devworker_msg r = {
				.type = m.type | DEVWORKER_REPLY, .id = m.id,
				.status = EINVAL,
			};

			if (m.id && !(m.type & DEVWORKER_REPLY))
				send_msg(w, &r, NULL, 0);
			continue;
		}
		if (handle(w, &m, pkt + sizeof(m))) {
			rc = 0;
			break;
		}
	}
	wait_idle(w);
	pthread_mutex_lock(&w->lock);
	w->quit = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	close(w->evfd);
	free(w);
	return rc;
}

/* ---- swtpm's socket protocol ---------------------------------------------- */

enum {
	CMD_GET_CAPABILITY = 1, CMD_INIT, CMD_SHUTDOWN, CMD_GET_TPMESTABLISHED,
	CMD_SET_LOCALITY, CMD_HASH_START, CMD_HASH_DATA, CMD_HASH_END,
	CMD_CANCEL_TPM_CMD, CMD_STORE_VOLATILE, CMD_RESET_TPMESTABLISHED,
	CMD_GET_STATEBLOB, CMD_SET_STATEBLOB, CMD_STOP, CMD_GET_CONFIG,
	CMD_SET_DATAFD, CMD_SET_BUFFERSIZE,
};
#define PTM_CAPS	((1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | \
			 (1u << 5) | (1u << 6) | (1u << 7) | (1u << 10) | \
			 (1u << 13))
#define PTM_INIT_FLAG_DELETE_VOLATILE	1u
#define TPM_SUCCESS_	0
#define TPM_BAD_PARAMETER_	3
#define TPM_FAIL_	9
#define TPM_BAD_ORDINAL_	10
#define TPM_BAD_LOCALITY_	0x3d

struct swtpm {
	unsigned int locality;
	bool running;
};

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		wlog("%s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 4)) {
		wlog("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* one command on the data channel; -1 closes the connection */
static int swtpm_data(struct swtpm *s, int fd)
{
	static uint8_t cmd[TPM_ENGINE_BUFSIZE], rsp[TPM_ENGINE_BUFSIZE];
	uint32_t size, rsp_len = 0;

	if (read_full(fd, cmd, 6))
		return -1;
	memcpy(&size, cmd + 2, 4);
	size = be32toh(size);
	if (size < 10 || size > sizeof(cmd)) {
		static const uint8_t err[10] = { 0x80, 0x01, 0, 0, 0, 10, 0, 0,
						 TPM_RC_COMMAND_SIZE >> 8,
						 TPM_RC_COMMAND_SIZE & 0xff };

		write_full(fd, err, sizeof(err));
		return -1;	/* the stream's framing is lost */
	}
	if (read_full(fd, cmd + 6, size - 6))
		return -1;
	if (!s->running) {
		static const uint8_t err[10] = { 0x80, 0x01, 0, 0, 0, 10, 0, 0,
						 0x01, 0x01 };

		return write_full(fd, err, sizeof(err));
	}
	tpm_engine_process(cmd, size, rsp, sizeof(rsp), &rsp_len, s->locality);
	return write_full(fd, rsp, rsp_len);
}

/* one control command; -1 closes the connection, 1 terminates */
static int swtpm_ctrl(struct swtpm *s, int fd)
{
	uint8_t in[4096], out[16] = { 0 };
	uint32_t res = TPM_SUCCESS_, v, code;
	size_t out_len = 4;
	ssize_t n = read(fd, in, sizeof(in));
	int ret = 0;

	if (n < 4)
		return -1;
	n -= 4;
	memcpy(&code, in, 4);
	code = be32toh(code);
	switch (code) {
	case CMD_GET_CAPABILITY: {
		uint64_t caps = htobe64(PTM_CAPS);

		memcpy(out, &caps, 8);
		out_len = 8;
		goto send;
	}
	case CMD_INIT:
		if (n != 4) {
			res = TPM_BAD_PARAMETER_;
			break;
		}
		memcpy(&v, in + 4, 4);
		if (be32toh(v) & PTM_INIT_FLAG_DELETE_VOLATILE || s->running)
			res = tpm_engine_power_cycle() ? TPM_FAIL_ : 0;
		s->running = !res;
		break;
	case CMD_STOP:
		tpm_engine_save_volatile();
		s->running = false;
		break;
	case CMD_SHUTDOWN:
		tpm_engine_save_volatile();
		ret = 1;
		break;
	case CMD_GET_TPMESTABLISHED:
		out[4] = tpm_engine_established();
		out_len = 8;
		break;
	case CMD_SET_LOCALITY:
	case CMD_RESET_TPMESTABLISHED:
		if (n < 1 || in[4] > 4) {
			res = n < 1 ? TPM_BAD_PARAMETER_ : TPM_BAD_LOCALITY_;
			break;
		}
		if (code == CMD_SET_LOCALITY)
			s->locality = in[4];
		else
			tpm_engine_reset_establishment(in[4]);
		break;
	case CMD_CANCEL_TPM_CMD:
		tpm_engine_cancel();
		break;
	case CMD_STORE_VOLATILE:
		res = tpm_engine_save_volatile() ? TPM_FAIL_ : 0;
		break;
	case CMD_SET_BUFFERSIZE:
		v = htobe32(TPM_ENGINE_BUFSIZE);
		memcpy(out + 4, &v, 4);
		memcpy(out + 8, &v, 4);
		memcpy(out + 12, &v, 4);
		out_len = 16;
		break;
	default:
		res = TPM_BAD_ORDINAL_;
		break;
	}
	res = htobe32(res);
	memcpy(out, &res, 4);
send:
	if (write_full(fd, out, out_len))
		return -1;
	return ret;
}

static int run_swtpm(const char *data_path, const char *ctrl_path)
{
	struct swtpm s = { .running = true };
	struct pollfd p[4];
	int i, r;

	p[0] = (struct pollfd){ .fd = listen_unix(data_path), .events = POLLIN };
	p[1] = (struct pollfd){ .fd = listen_unix(ctrl_path), .events = POLLIN };
	p[2] = (struct pollfd){ .fd = -1, .events = POLLIN };
	p[3] = (struct pollfd){ .fd = -1, .events = POLLIN };
	if (p[0].fd < 0 || p[1].fd < 0)
		return 1;
	for (;;) {
		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			r = accept4(p[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (r < 0)
				continue;
			if (p[i + 2].fd >= 0)
				close(p[i + 2].fd);	/* one client each */
			p[i + 2].fd = r;
			p[i + 2].revents = 0;
		}
		for (i = 2; i < 4; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			r = i == 2 ? swtpm_data(&s, p[i].fd) :
				     swtpm_ctrl(&s, p[i].fd);
			if (r < 0) {
				close(p[i].fd);
				p[i].fd = -1;
			} else if (r > 0) {
				unlink(data_path);
				unlink(ctrl_path);
				return 0;
			}
		}
	}
}

/* ---- main ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: hcl-tpm-worker --state DIR [--power-on] "
		"[--no-volatile-save] [--sirq 0-15]\n"
		"         (--fd N | --socket PATH --ctrl PATH)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "fd", required_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 'd' },
		{ "ctrl", required_argument, NULL, 'c' },
		{ "no-volatile-save", no_argument, NULL, 'n' },
		{ "power-on", no_argument, NULL, 'p' },
		{ "sirq", required_argument, NULL, 'i' },
		{ 0 }
	};
	const char *state = NULL, *data = NULL, *ctrl = NULL;
	struct tpm_engine_restore restored;
	struct sandbox_policy policy;
	unsigned int flags = TPM_ENGINE_SAVE_VOLATILE;
	unsigned int sirq = 0;
	int fd = -1, c, rc;
	char *end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			state = optarg;
			break;
		case 'f':
			fd = atoi(optarg);
			break;
		case 'd':
			data = optarg;
			break;
		case 'c':
			ctrl = optarg;
			break;
		case 'n':
			flags &= ~TPM_ENGINE_SAVE_VOLATILE;
			break;
		case 'p':
			flags |= TPM_ENGINE_POWER_ON;
			break;
		case 'i':
			sirq = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !*optarg || sirq > 15)
				usage();
			break;
		default:
			usage();
		}
	}
	if (!state || (fd < 0) == !(data && ctrl) || optind != argc)
		usage();
	/* before the filter: rt_sigaction is only allowed for glibc's own */
	signal(SIGPIPE, SIG_IGN);
	/* the same policy the spawner used; -1: not spawned into one */
	sandbox_policy_default(&policy, SANDBOX_PROFILE_TPM, state);
	if (!sandbox_exec_enter(&policy))
		state = SANDBOX_STATE_MOUNT;

	rc = tpm_engine_open(state, flags, &restored);
	if (rc) {
		wlog("cannot start the TPM: %s", tpm_engine_error());
		return 1;
	}
	wlog("TPM 2.0 up: %s%s", restored.permanent ?
	      "permanent state restored" : "new TPM",
	      restored.volatile_state ? ", volatile state resumed" : "");
	rc = fd >= 0 ? run_devworker(fd, sirq) : run_swtpm(data, ctrl);
	tpm_engine_close();
	return rc;
}
