/*
 * The clock watch in the poll loop. A timerfd armed with
 * TFD_TIMER_CANCEL_ON_SET wakes guestd when realtime is set (settimeofday,
 * ADJ_SETOFFSET, a leap second) and on resume from suspend, which the
 * kernel counts as a set: then four vDSO clock reads tell what moved.
 * Nothing runs on a timer unless a VM generation id exists (16 bytes of
 * memory compared every GD_CLOCK_CHECK_MS, since no kernel tells a change
 * that guestd can wait for) or the timerfd cannot be had. The kernel's
 * vmgenid uevent, where a kernel sends it, comes through uevents.c. Also
 * libkrun's time sync datagrams. A jump is announced to every open
 * connection as a GD_EV_CLOCK_JUMP event so the host can resync at once.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "agent.h"
#include "proto_time.h"
#include "sysinfo.h"
#include "time_svc.h"
#include "timesync.h"
#include "vmgenid_watch.h"

#define NS_PER_MS 1000000ull
/* The jump timer never expires of itself: it is armed this far ahead. */
#define GD_JUMP_TIMER_AHEAD_S 315360000 /* ten years */
#define GD_JUMP_EVENT_MAX 128 /* header + the event's TLVs */

/* (Re)arm the jump timer: any later set of realtime cancels it. */
static int arm_jump_timer(int fd)
{
	struct itimerspec its = { 0 };
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	its.it_value.tv_sec = now.tv_sec + GD_JUMP_TIMER_AHEAD_S;
	return timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
			       &its, NULL);
}

static int open_jump_timer(struct gd_agent *a)
{
	int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);

	if (fd >= 0 && arm_jump_timer(fd) == 0)
		return fd;
	gd_logf(&a->log, GD_LOG_INFO, "no clock-set timer (%s): clock jumps "
		"are looked for every %u ms", strerror(errno),
		GD_CLOCK_CHECK_MS);
	if (fd >= 0)
		close(fd);
	return -1;
}

static int open_krun(struct gd_agent *a, uint32_t port)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK,
				  .svm_cid = VMADDR_CID_ANY, .svm_port = port };
	int fd = socket(AF_VSOCK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		gd_logf(&a->log, GD_LOG_DEBUG, "libkrun time sync off: no vsock "
			"datagram transport (%s)", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
		gd_logf(&a->log, GD_LOG_WARN, "libkrun time sync: vsock "
			"datagram port %u: %s", port, strerror(errno));
		close(fd);
		return -1;
	}
	gd_logf(&a->log, GD_LOG_INFO, "libkrun time sync on vsock datagram "
		"port %u", port);
	return fd;
}

static void read_clocks(struct gd_clock_sample *s)
{
	for (int i = 0; i < GD_CLOCK_READ_TRIES; i++) {
		s->mono = gd_clock_ns(CLOCK_MONOTONIC);
		s->real = gd_clock_ns(CLOCK_REALTIME);
		s->boot = gd_clock_ns(CLOCK_BOOTTIME);
		s->mono_after = gd_clock_ns(CLOCK_MONOTONIC);
		if (s->mono_after - s->mono <= GD_CLOCK_READ_MAX_NS)
			return;
	}
}

static void raise_jump(struct gd_agent *a, const struct gd_clock_jump *j,
		       const struct gd_clock_sample *s,
		       const struct gd_conn *except)
{
	uint8_t frame[GD_JUMP_EVENT_MAX];
	struct gd_hdr h = { .version = GD_PROTO_VERSION };
	struct gd_frame_writer w;
	struct gd_buf b;
	int told;

	gd_buf_init(&b, frame, sizeof frame);
	gd_frame_begin(&w, &b, &h);
	if (gd_tlv_u32(&w, GD_T_TIME_JUMP_KIND, j->kinds) ||
	    gd_tlv_u64(&w, GD_T_TIME_SUSPENDED, j->suspended) ||
	    gd_tlv_u64(&w, GD_T_TIME_STEPPED, (uint64_t)j->stepped) ||
	    gd_tlv_u64(&w, GD_T_TIME_REALTIME, s->real) ||
	    gd_tlv_u64(&w, GD_T_TIME_MONOTONIC, s->mono) ||
	    gd_tlv_u64(&w, GD_T_TIME_BOOTTIME, s->boot))
		return;
	told = gd_event_broadcast(a, GD_EV_CLOCK_JUMP, b.data + GD_HDR_LEN,
				  b.len - GD_HDR_LEN, except);
	a->time->jumps++;
	gd_logf(&a->log, GD_LOG_INFO, "clock jump:%s%s%s%s suspended %llu ms, "
		"stepped %lld ms; told %d connection(s)",
		(j->kinds & GD_JUMP_SUSPEND) ? " suspend" : "",
		(j->kinds & GD_JUMP_STEP) ? " step" : "",
		(j->kinds & GD_JUMP_VMGENID) ? " vmgenid" : "",
		(j->kinds & GD_JUMP_SET) ? " set" : "",
		(unsigned long long)(j->suspended / NS_PER_MS),
		(long long)(j->stepped / (int64_t)NS_PER_MS), told);
}

/* Compare the clocks with the last check; announce a jump or `extra`. */
static void check_clocks(struct gd_agent *a, unsigned extra)
{
	struct gd_clock_sample s;
	struct gd_clock_jump j;

	read_clocks(&s);
	j.kinds = gd_clock_watch_check(&a->time->watch, &s, &j) | extra;
	if (!j.kinds)
		return;
	gd_disc_on_jump(a, j.kinds);
	raise_jump(a, &j, &s, NULL);
}

void gd_time_stepped(struct gd_agent *a, int64_t step_ns, unsigned kind,
		     const struct gd_conn *requester)
{
	struct gd_clock_sample s;
	struct gd_clock_jump j = { .kinds = kind, .stepped = step_ns };

	gd_clock_watch_shift(&a->time->watch, step_ns);
	read_clocks(&s);
	raise_jump(a, &j, &s, requester);
}

void gd_time_init(struct gd_agent *a)
{
	struct gd_time_state *t = a->time;

	gd_clock_watch_init(&t->watch);
	gd_disc_init(a);
	gd_vmgenid_open(&t->genid, &a->log);
	t->jump_fd = open_jump_timer(a);
	t->krun_fd = -1;
	if (a->cfg.vsock && a->cfg.timesync_port)
		t->krun_fd = open_krun(a, a->cfg.timesync_port);
	gd_poll_changed(a);
	check_clocks(a, 0); /* the baseline */
	t->next_check = gd_clock_ns(CLOCK_MONOTONIC) +
			GD_CLOCK_CHECK_MS * NS_PER_MS;
}

static void close_fd(struct gd_agent *a, int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		gd_poll_changed(a);
	}
	*fd = -1;
}

void gd_time_close(struct gd_agent *a)
{
	close_fd(a, &a->time->jump_fd);
	close_fd(a, &a->time->krun_fd);
	gd_vmgenid_close(&a->time->genid);
}

int gd_time_pollfds(struct gd_agent *a, struct pollfd *pfd)
{
	int n = 0;

	if (a->time->jump_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = a->time->jump_fd,
					    .events = POLLIN };
	if (a->time->krun_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = a->time->krun_fd,
					    .events = POLLIN };
	return n;
}

/* A receive error other than "nothing more" ends that socket. */
static int recv_failed(struct gd_agent *a, int *fd, const char *what)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 1;
	gd_logf(&a->log, GD_LOG_WARN, "%s: %s; closing it", what,
		strerror(errno));
	close_fd(a, fd);
	return 1;
}

/* The jump timer was cancelled (realtime set, or a resume): look. */
static void jump_timer_woke(struct gd_agent *a)
{
	uint64_t expirations;

	if (read(a->time->jump_fd, &expirations, sizeof expirations) < 0 &&
	    errno != ECANCELED)
		return; /* EAGAIN: nothing happened */
	if (arm_jump_timer(a->time->jump_fd)) {
		gd_logf(&a->log, GD_LOG_WARN, "clock-set timer: %s; clock "
			"jumps are looked for every %u ms", strerror(errno),
			GD_CLOCK_CHECK_MS);
		close_fd(a, &a->time->jump_fd);
		a->time->next_check = gd_clock_ns(CLOCK_MONOTONIC);
	}
	check_clocks(a, 0);
}

void gd_time_vmgenid_uevent(struct gd_agent *a)
{
	check_clocks(a, GD_JUMP_VMGENID);
}

static void krun_step(struct gd_agent *a, uint64_t host, uint64_t guest)
{
	int64_t correction = (int64_t)host - (int64_t)guest;
	int err = gd_time_step(a, correction, GD_JUMP_STEP, NULL);

	if (err) {
		gd_logf(&a->log, GD_LOG_WARN, "libkrun time sync: step: %s",
			strerror(err));
		return;
	}
	a->time->krun_steps++;
	gd_logf(&a->log, GD_LOG_INFO, "libkrun time sync: clock stepped by "
		"%lld ms", (long long)(correction / (int64_t)NS_PER_MS));
}

static void read_krun(struct gd_agent *a)
{
	uint8_t buf[GD_KRUN_DGRAM_LEN + 1]; /* one more: longer is refused */

	for (int i = 0; i < GD_TIME_DGRAMS_PER_WAKE && a->time->krun_fd >= 0;
	     i++) {
		struct sockaddr_vm from = { 0 };
		socklen_t fl = sizeof from;
		uint64_t host, guest;
		ssize_t n = recvfrom(a->time->krun_fd, buf, sizeof buf, 0,
				     (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (recv_failed(a, &a->time->krun_fd, "libkrun socket"))
				break;
			continue;
		}
		guest = gd_clock_ns(CLOCK_REALTIME);
		if (fl < sizeof from || from.svm_cid != VMADDR_CID_HOST ||
		    gd_krun_parse(buf, (size_t)n, &host) ||
		    !gd_time_host_ok(host)) {
			a->time->krun_refused++;
			gd_logf(&a->log, GD_LOG_DEBUG, "libkrun time sync: "
				"refused %zd bytes from cid %u", n,
				fl >= sizeof from ? from.svm_cid : 0);
			continue;
		}
		if (gd_krun_should_step(host, guest))
			krun_step(a, host, guest);
	}
}

void gd_time_events(struct gd_agent *a, const struct pollfd *pfd, int n)
{
	for (int i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == a->time->jump_fd)
			jump_timer_woke(a);
		else if (pfd[i].fd == a->time->krun_fd)
			read_krun(a);
	}
}

/* Whether anything must be looked at on a timer. */
static int periodic(const struct gd_time_state *t)
{
	return t->jump_fd < 0 || t->genid.map != NULL;
}

void gd_time_tick(struct gd_agent *a, uint64_t now)
{
	if (!periodic(a->time) || now < a->time->next_check)
		return;
	a->time->next_check = now + GD_CLOCK_CHECK_MS * NS_PER_MS;
	check_clocks(a, gd_vmgenid_changed(&a->time->genid) ?
			GD_JUMP_VMGENID : 0);
}

uint64_t gd_time_due(const struct gd_agent *a)
{
	return periodic(a->time) ? a->time->next_check : GD_DUE_NEVER;
}
