/*
 * The state directory: the host and guest pools are loaded at start and
 * saved after every change (libmini/kvstore.h does the crash-safe part).
 * Disk writes block the loop for as long as the fsyncs take: the answer
 * to a SET must not go out before its data is on disk. While filesystems
 * are frozen nothing is written: a change is refused (BUSY) beforehand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "fsfreeze_svc.h"
#include "kv.h"

static uint8_t iobuf[GD_KV_IOBUF];
static const char *const store_names[GD_KV_NPOOLS] = { "kv-host", "kv-guest",
						       NULL };
static const char *const pool_names[GD_KV_NPOOLS] = { "host", "guest", "auto" };

static void memory_only(struct gd_agent *a, const char *dir, const char *why)
{
	snprintf(a->kv->store_error, sizeof a->kv->store_error,
		 "state dir %s: %s; KV pools kept in memory only", dir, why);
	gd_logf(&a->log, GD_LOG_ERR, "%s", a->kv->store_error);
	if (a->kv->dirfd >= 0)
		close(a->kv->dirfd);
	a->kv->dirfd = -1;
}

static void load_pool(struct gd_agent *a, int pool)
{
	struct gd_kv_store *s = &a->kv->stores[pool];
	char msg[GD_KV_MSG_MAX];

	gd_kvs_init(s, a->kv->dirfd, store_names[pool], (uint8_t)pool, iobuf,
		    sizeof iobuf);
	if (gd_kvs_load(s, &a->kv->pools[pool], msg, sizeof msg)) {
		gd_logf(&a->log, GD_LOG_ERR, "kv: damaged state file: %s", msg);
		snprintf(a->kv->store_error, sizeof a->kv->store_error,
			 "damaged: %s", msg);
	}
	gd_logf(&a->log, GD_LOG_INFO, "kv: %s pool: %u entries (generation %llu)",
		pool_names[pool], gd_kv_count(&a->kv->pools[pool]),
		(unsigned long long)s->generation);
}

void gd_kv_persist_start(struct gd_agent *a)
{
	const char *dir = a->cfg.state_dir;

	if (!dir[0])
		return;
	if (mkdir(dir, 0700) && errno != EEXIST) {
		memory_only(a, dir, strerror(errno));
		return;
	}
	a->kv->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->kv->dirfd < 0) {
		memory_only(a, dir, strerror(errno));
		return;
	}
	if (flock(a->kv->dirfd, LOCK_EX | LOCK_NB)) {
		memory_only(a, dir, errno == EWOULDBLOCK
			    ? "in use by another guestd" : strerror(errno));
		return;
	}
	load_pool(a, GD_KV_POOL_HOST);
	load_pool(a, GD_KV_POOL_GUEST);
	gd_logf(&a->log, GD_LOG_INFO, "kv: persistent in %s", dir);
}

int gd_kv_persistent(const struct gd_agent *a)
{
	return a->kv->dirfd >= 0;
}

int gd_kv_persist_frozen(const struct gd_agent *a, int pool,
			 const char **why)
{
	if (a->kv->dirfd < 0 || !store_names[pool] || !a->fsfreeze->quiet)
		return 0;
	*why = "filesystems are frozen (guest-fsfreeze-freeze): a change to a "
	       "persistent pool waits for the thaw; try again then";
	return 1;
}

int gd_kv_persist_save(struct gd_agent *a, int pool, const char **why)
{
	char msg[GD_KV_MSG_MAX];

	if (a->kv->dirfd < 0 || !store_names[pool])
		return 0;
	if (gd_kvs_save(&a->kv->stores[pool], &a->kv->pools[pool], msg,
			sizeof msg) == 0)
		return 0;
	snprintf(a->kv->store_error, sizeof a->kv->store_error,
		 "saving the %s pool: %s", pool_names[pool], msg);
	gd_logf(&a->log, GD_LOG_ERR, "kv: %s (change refused)",
		a->kv->store_error);
	*why = a->kv->store_error;
	return -1;
}
