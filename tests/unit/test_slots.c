/*
 * Unit tests for the slot policy (libmini/slots.h) and the per-peer
 * counters (libmini/peerstats.h): each share and cap at its limit and
 * one past, and the order in which connections give way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "peerstats.h"
#include "slots.h"

#define N 32
#define MS 1000000ull
#define NOW (100000 * MS)
#define OLD (NOW - 5000 * MS) /* quiet long enough to give way */

static struct gd_slot_info s[N];

static uint64_t uid(uint32_t id) { return gd_peer_key(GD_PK_UID, id); }

static void fill(int from, int to, int cls, uint64_t peer, uint64_t quiet)
{
	for (int i = from; i < to; i++)
		s[i] = (struct gd_slot_info){ .cls = cls, .peer = peer,
					      .quiet_since = quiet };
}

static int setup(void **state)
{
	(void)state;
	memset(s, 0, sizeof s);
	return 0;
}

static void test_per_peer_cap(void **state)
{
	int slot = -1;

	(void)state;
	fill(0, GD_SLOTS_PER_PEER - 1, GD_SC_GUEST, uid(7), NOW);
	assert_int_equal(gd_slot_choose(s, N, GD_SC_GUEST, uid(7), NOW, &slot),
			 GD_SLOT_TAKE);                 /* the 8th: at the cap */
	assert_int_equal(slot, GD_SLOTS_PER_PEER - 1);
	fill(0, GD_SLOTS_PER_PEER, GD_SC_GUEST, uid(7), NOW);
	assert_int_equal(gd_slot_choose(s, N, GD_SC_GUEST, uid(7), NOW, &slot),
			 GD_SLOT_REFUSE_PEER);          /* the 9th: one past */
	assert_int_equal(gd_slot_choose(s, N, GD_SC_GUEST, uid(8), NOW, &slot),
			 GD_SLOT_TAKE);                 /* another peer goes on */
	assert_int_equal(gd_slot_choose(s, N, GD_SC_PRIV, uid(0), NOW, &slot),
			 GD_SLOT_TAKE);
}

static void test_shares(void **state)
{
	int guest_cap = N - GD_SLOTS_SERIAL - GD_SLOTS_PRIVILEGED, slot = -1;

	(void)state;
	for (int i = 0; i < guest_cap - 1; i++)  /* fresh: none may go */
		fill(i, i + 1, GD_SC_GUEST, uid(100 + (uint32_t)i / 4), NOW);
	assert_int_equal(gd_slot_choose(s, N, GD_SC_GUEST, uid(999), NOW, &slot),
			 GD_SLOT_TAKE);                 /* the last guest slot */
	fill(guest_cap - 1, guest_cap, GD_SC_GUEST, uid(999), NOW);
	assert_int_equal(gd_slot_choose(s, N, GD_SC_GUEST, uid(998), NOW, &slot),
			 GD_SLOT_REFUSE_FULL);          /* one past: nothing quiet */
	for (int i = 0; i < GD_SLOTS_PRIVILEGED; i++) {
		assert_int_equal(gd_slot_choose(s, N, GD_SC_PRIV, uid(0), NOW,
						 &slot), GD_SLOT_TAKE);
		fill(slot, slot + 1, GD_SC_PRIV, uid(0), NOW);
	}
	/* the serial slots are the serial ports' alone */
	assert_int_equal(gd_slot_choose(s, N, GD_SC_PRIV, uid(0), NOW, &slot),
			 GD_SLOT_REFUSE_FULL);
	for (int i = 0; i < GD_SLOTS_SERIAL; i++) {
		assert_int_equal(gd_slot_choose(s, N, GD_SC_SERIAL,
						 gd_peer_key(GD_PK_SERIAL, 0),
						 NOW, &slot), GD_SLOT_TAKE);
		fill(slot, slot + 1, GD_SC_SERIAL, 0, NOW);
	}
	assert_int_equal(gd_slot_choose(s, N, GD_SC_SERIAL, 0, NOW, &slot),
			 GD_SLOT_REFUSE_FULL);
}

static void test_eviction_order(void **state)
{
	int guest_cap = N - GD_SLOTS_SERIAL - GD_SLOTS_PRIVILEGED, slot = -1;

	(void)state;
	fill(0, N - GD_SLOTS_SERIAL, GD_SC_GUEST, uid(5), OLD);
	fill(guest_cap, N - GD_SLOTS_SERIAL, GD_SC_PRIV, uid(0), OLD);
	for (int i = 0; i < guest_cap; i++)
		s[i].watching = 1;                    /* served clients */
	s[3].watching = 0;                            /* idle, never served */
	s[3].quiet_since = OLD + 1;
	s[9].partial_since = OLD + 2;                 /* stalled partial frame */
	s[9].watching = 0;
	s[10].partial_since = OLD + 3;
	s[10].watching = 0;
	assert_int_equal(gd_slot_choose(s, N, GD_SC_GUEST, uid(6), NOW, &slot),
			 GD_SLOT_EVICT);
	assert_int_equal(slot, 9);                    /* oldest partial first */
	s[9].partial_since = 0;
	s[9].watching = 1;
	s[10].partial_since = 0;
	s[10].watching = 1;
	assert_int_equal(gd_slot_choose(s, N, GD_SC_GUEST, uid(6), NOW, &slot),
			 GD_SLOT_EVICT);
	assert_int_equal(slot, 3);                    /* then idle, not served */
	s[3].watching = 1;
	assert_int_equal(gd_slot_choose(s, N, GD_SC_GUEST, uid(6), NOW, &slot),
			 GD_SLOT_REFUSE_FULL);         /* a guest evicts no watcher */
	assert_int_equal(gd_slot_choose(s, N, GD_SC_PRIV, uid(0), NOW, &slot),
			 GD_SLOT_EVICT);               /* root does, a guest one */
	assert_true(slot < guest_cap);
}

static void test_never_evicted(void **state)
{
	int slot = -1;

	(void)state;
	fill(0, N - GD_SLOTS_SERIAL, GD_SC_GUEST, uid(5), OLD);
	fill(N - GD_SLOTS_SERIAL, N, GD_SC_SERIAL, 0, OLD);
	for (int i = 0; i < N - GD_SLOTS_SERIAL; i++)
		s[i].busy = 1;                        /* being served */
	s[4].busy = 0;
	s[4].quiet_since = NOW - (GD_EVICT_QUIET_MS - 1) * MS; /* just short */
	assert_int_equal(gd_slot_choose(s, N, GD_SC_PRIV, uid(0), NOW, &slot),
			 GD_SLOT_REFUSE_FULL);
	s[4].quiet_since = NOW - GD_EVICT_QUIET_MS * MS;        /* at it */
	assert_int_equal(gd_slot_choose(s, N, GD_SC_PRIV, uid(0), NOW, &slot),
			 GD_SLOT_EVICT);
	assert_int_equal(slot, 4);
	/* a guest newcomer never evicts root's connection */
	fill(0, N - GD_SLOTS_SERIAL, GD_SC_PRIV, uid(0), OLD);
	assert_int_equal(gd_slot_choose(s, N, GD_SC_GUEST, uid(6), NOW, &slot),
			 GD_SLOT_REFUSE_FULL);
}

static void test_peer_stats_fold(void **state)
{
	static struct gd_peer_stats st;
	uint64_t total = 0;

	(void)state;
	for (uint32_t id = 0; id < GD_PEER_STATS_MAX; id++)
		gd_peer_stats_count(&st, uid(id), GD_PE_ACCEPTED);
	assert_int_equal(st.n, GD_PEER_STATS_MAX);    /* at the limit */
	gd_peer_stats_count(&st, uid(0), GD_PE_REFUSED); /* uid 0 seen again */
	gd_peer_stats_count(&st, uid(1000), GD_PE_EVICTED); /* one past */
	assert_int_equal(st.n, GD_PEER_STATS_MAX);
	assert_int_equal(st.other.count[GD_PE_ACCEPTED], 1); /* uid 1 folded */
	for (int i = 0; i < st.n; i++) {
		assert_true(st.row[i].key != uid(1));
		for (int e = 0; e < 3; e++)
			total += st.row[i].count[e];
	}
	total += st.other.count[0] + st.other.count[1] + st.other.count[2];
	assert_int_equal(total, GD_PEER_STATS_MAX + 2); /* nothing lost */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_per_peer_cap, setup),
		cmocka_unit_test_setup(test_shares, setup),
		cmocka_unit_test_setup(test_eviction_order, setup),
		cmocka_unit_test_setup(test_never_evicted, setup),
		cmocka_unit_test(test_peer_stats_fold),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
